/*
 * toxlink known-answer vector generator.
 *
 * Asks c-toxcore 0.2.18 itself (the Debian static library libtoxcore.a, whose internal
 * symbols are present) for the expected values of the suites in test/vectors/, and writes
 * them as JSON in the layout test/vectors/README.md describes (format 1).
 *
 *   usage: gen OUTPUT_DIR
 *
 * Everything here is our own code. c-toxcore's internal headers are not installed, so the
 * few internal functions and structs we use are declared below from a reading of the
 * v0.2.18 sources (toxcore/network.h, DHT.h, crypto_core.h, util.h, logger.h) and their
 * layouts are pinned with static assertions; the generator refuses to run against any
 * other library version.
 *
 * Inputs that are not fixed by hand come from libsodium's randombytes_buf_deterministic,
 * seeded with the BLAKE2b-256 hash of a label, so a re-run writes byte-identical files.
 * No packet leaves the process: the Tox instances have UDP, LAN discovery and the TCP
 * server disabled, are never bootstrapped and are never iterated.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <tox/tox.h>

/* ---------------------------------------------------------------------------------------
 * c-toxcore 0.2.18 internals, declared by us.
 * ------------------------------------------------------------------------------------ */

/* network.h */
typedef struct Family {
    uint8_t value;
} Family;

typedef union IP4 {
    uint32_t uint32;
    uint16_t uint16[2];
    uint8_t uint8[4];
} IP4;

typedef union IP6 {
    uint8_t uint8[16];
    uint16_t uint16[8];
    uint32_t uint32[4];
    uint64_t uint64[2];
} IP6;

typedef union IP_Union {
    IP4 v4;
    IP6 v6;
} IP_Union;

typedef struct IP {
    Family family;
    IP_Union ip;
} IP;

/* `port` is kept in network byte order, as c-toxcore keeps it. */
typedef struct IP_Port {
    IP ip;
    uint16_t port;
} IP_Port;

/* DHT.h */
typedef struct Node_format {
    uint8_t public_key[32];
    IP_Port ip_port;
} Node_format;

/* The in-memory family values of 0.2.18 (network.h). On the wire pack_ip_port writes 2, 10,
 * 130 and 138; in an IP_Port the TCP families are TCP_INET and TCP_INET6. */
enum {
    NET_FAMILY_IPV4 = 2,      /* TOX_AF_INET */
    NET_FAMILY_IPV6 = 10,     /* TOX_AF_INET6 */
    NET_FAMILY_TCP_IPV4 = 12, /* TCP_INET = TOX_AF_INET6 + 2 */
    NET_FAMILY_TCP_IPV6 = 13, /* TCP_INET6 = TOX_AF_INET6 + 3 */
};

/* Sizes derived from the 0.2.18 declarations on x86-64: IP6 has a uint64_t member, so
 * IP_Union is 16 bytes aligned to 8, IP puts it at offset 8 (24 bytes), IP_Port adds a
 * uint16_t at 24 and pads to 32, Node_format is a 32-byte key followed by it (64).
 * generate.sh also checks the sizes of the library's own `empty_ip_port` (32) and
 * `empty_node_format` (64) objects with nm. */
_Static_assert(sizeof(Family) == 1, "Family");
_Static_assert(sizeof(IP4) == 4, "IP4");
_Static_assert(sizeof(IP6) == 16 && _Alignof(IP6) == 8, "IP6");
_Static_assert(sizeof(IP_Union) == 16, "IP_Union");
_Static_assert(sizeof(IP) == 24 && offsetof(IP, ip) == 8, "IP");
_Static_assert(sizeof(IP_Port) == 32 && offsetof(IP_Port, port) == 24, "IP_Port");
_Static_assert(sizeof(Node_format) == 64 && offsetof(Node_format, ip_port) == 32, "Node_format");

typedef struct Logger Logger;

/* logger.h */
Logger *logger_new(void);
void logger_kill(Logger *log);

/* crypto_core.h */
int32_t encrypt_precompute(const uint8_t *public_key, const uint8_t *secret_key, uint8_t *shared_key);
int32_t encrypt_data_symmetric(const uint8_t *shared_key, const uint8_t *nonce, const uint8_t *plain, size_t length,
                               uint8_t *encrypted);
int32_t decrypt_data_symmetric(const uint8_t *shared_key, const uint8_t *nonce, const uint8_t *encrypted, size_t length,
                               uint8_t *plain);
void increment_nonce(uint8_t *nonce);
void increment_nonce_number(uint8_t *nonce, uint32_t increment);

/* DHT.h */
int pack_nodes(const Logger *logger, uint8_t *data, uint16_t length, const Node_format *nodes, uint16_t number);
int unpack_nodes(Node_format *nodes, uint16_t max_num_nodes, uint16_t *processed_data_len, const uint8_t *data,
                 uint16_t length, bool tcp_enabled);

/* util.h: the two checksum bytes in memory order, read as a host-order uint16_t. */
uint16_t data_checksum(const uint8_t *data, uint32_t length);

/* ---------------------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------------------ */

#define KEY_SIZE 32
#define NONCE_SIZE 24
#define MAC_SIZE 16
#define ADDRESS_SIZE 38

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

#define CHECK(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

/* Deterministic bytes: ChaCha20 keyed with BLAKE2b-256(label). */
static void seeded(const char *label, uint8_t *out, size_t n)
{
    uint8_t seed[randombytes_SEEDBYTES];
    crypto_generichash(seed, sizeof seed, (const uint8_t *)label, strlen(label), NULL, 0);
    randombytes_buf_deterministic(out, n, seed);
}

static void parse_hex(const char *hex, uint8_t *out, size_t n)
{
    size_t bin_len = 0;
    CHECK(strlen(hex) == 2 * n && sodium_hex2bin(out, n, hex, strlen(hex), NULL, &bin_len, NULL) == 0 && bin_len == n,
          "bad hex constant %s", hex);
}

/* Canonical text of an address, written by us (not inet_ntop, whose IPv6 output differs
 * between C libraries): dotted quad for IPv4; for IPv6 RFC 5952 — lower case, no leading
 * zeros, the first longest run of two or more zero groups replaced by "::", and
 * IPv4-mapped addresses (::ffff:0:0/96) as ::ffff:a.b.c.d. */
static void format_ip(char *out, size_t size, bool v6, const uint8_t *b)
{
    if (!v6) {
        snprintf(out, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return;
    }
    unsigned w[8];
    for (int i = 0; i < 8; ++i) {
        w[i] = (unsigned)(b[2 * i] << 8 | b[2 * i + 1]);
    }
    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff) {
        snprintf(out, size, "::ffff:%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
        return;
    }
    int best_at = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0) {
            ++j;
        }
        if (j - i > best_len) {
            best_at = i;
            best_len = j - i;
        }
        i = j;
    }
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < 8; ++i) {
        if (i == best_at) {
            at += (size_t)snprintf(out + at, size - at, "::");
            i += best_len - 1;
            continue;
        }
        const bool after_gap = best_at >= 0 && i == best_at + best_len;
        at += (size_t)snprintf(out + at, size - at, "%s%x", (i == 0 || after_gap) ? "" : ":", w[i]);
    }
}

/* ---------------------------------------------------------------------------------------
 * JSON output, laid out as JavaScript's JSON.stringify(value, null, 2) lays it out.
 * ------------------------------------------------------------------------------------ */

typedef struct Json {
    FILE *f;
    int depth;
    bool has_items[16];
    bool after_key;
} Json;

static void j_indent(Json *j)
{
    for (int i = 0; i < j->depth; ++i) {
        fputs("  ", j->f);
    }
}

/* Called before every value and every key. */
static void j_item(Json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        fputs(j->has_items[j->depth] ? ",\n" : "\n", j->f);
        j->has_items[j->depth] = true;
        j_indent(j);
    }
}

static void j_open(Json *j, char c)
{
    j_item(j);
    fputc(c, j->f);
    ++j->depth;
    assert(j->depth < 16);
    j->has_items[j->depth] = false;
}

static void j_close(Json *j, char c)
{
    const bool had = j->has_items[j->depth];
    --j->depth;
    if (had) {
        fputc('\n', j->f);
        j_indent(j);
    }
    fputc(c, j->f);
    if (j->depth == 0) {
        fputc('\n', j->f);
    }
}

static void j_raw_string(Json *j, const char *s)
{
    fputc('"', j->f);
    for (; *s != '\0'; ++s) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(j->f, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(j->f, "\\u%04x", c);
        } else {
            fputc(c, j->f);
        }
    }
    fputc('"', j->f);
}

static void j_key(Json *j, const char *k)
{
    j_item(j);
    j_raw_string(j, k);
    fputs(": ", j->f);
    j->after_key = true;
}

static void j_str(Json *j, const char *s)
{
    j_item(j);
    j_raw_string(j, s);
}

static void j_u64(Json *j, uint64_t v)
{
    j_item(j);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

static void j_bool(Json *j, bool v)
{
    j_item(j);
    fputs(v ? "true" : "false", j->f);
}

static void j_hex(Json *j, const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);
    CHECK(s != NULL, "out of memory");
    sodium_bin2hex(s, 2 * n + 1, b, n);
    j_str(j, s);
    free(s);
}

static void kv_str(Json *j, const char *k, const char *v) { j_key(j, k); j_str(j, v); }
static void kv_u64(Json *j, const char *k, uint64_t v) { j_key(j, k); j_u64(j, v); }
static void kv_bool(Json *j, const char *k, bool v) { j_key(j, k); j_bool(j, v); }
static void kv_hex(Json *j, const char *k, const uint8_t *b, size_t n) { j_key(j, k); j_hex(j, b, n); }

static const char *out_dir;

static void suite_begin(Json *j, const char *suite, const char *description, const char *source)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", out_dir, suite);
    memset(j, 0, sizeof *j);
    j->f = fopen(path, "w");
    CHECK(j->f != NULL, "cannot write %s", path);
    j_open(j, '{');
    kv_u64(j, "format", 1);
    kv_str(j, "suite", suite);
    kv_str(j, "description", description);
    kv_str(j, "source", source);
    j_key(j, "vectors");
    j_open(j, '[');
}

static void suite_end(Json *j)
{
    j_close(j, ']');
    j_close(j, '}');
    CHECK(fclose(j->f) == 0, "write failed");
}

/* Starts a vector object and its "input" object. */
static void vector_begin(Json *j, const char *name)
{
    j_open(j, '{');
    kv_str(j, "name", name);
    j_key(j, "input");
    j_open(j, '{');
}

/* Closes "input" and opens "expected". */
static void vector_expected(Json *j)
{
    j_close(j, '}');
    j_key(j, "expected");
    j_open(j, '{');
}

static void vector_end(Json *j)
{
    j_close(j, '}');
    j_close(j, '}');
}

#define SOURCE_GEN "test/vectors/generator/gen.c linked statically against the Debian libtoxcore.a of c-toxcore 0.2.18 (libtoxcore-dev 0.2.18-1) and libsodium"

/* ---------------------------------------------------------------------------------------
 * nacl-box
 * ------------------------------------------------------------------------------------ */

/* The standard NaCl box inputs, as published in libsodium's test/default/box.c. */
static const char *const NACL_ALICE_SK = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char *const NACL_BOB_PK = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char *const NACL_NONCE = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37";
static const char *const NACL_MESSAGE =
    "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc"
    "e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31"
    "0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde"
    "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705";
/* libsodium's test/default/box.exp: the 147-byte box, MAC first (crypto_box output after
 * its 16 leading zero bytes). A cross-check only: the vector's expected values are what
 * c-toxcore computes. */
static const char *const NACL_BOX =
    "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce"
    "48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972"
    "71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae"
    "90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5";

static void box_vector(Json *j, const char *name, const uint8_t *sk, const uint8_t *pk, const uint8_t *nonce,
                       const uint8_t *msg, size_t len, const uint8_t *expect_box)
{
    uint8_t shared[KEY_SIZE];
    CHECK(encrypt_precompute(pk, sk, shared) == 0, "%s: encrypt_precompute failed", name);
    uint8_t *box = malloc(len + MAC_SIZE);
    uint8_t *back = malloc(len);
    CHECK(box != NULL && back != NULL, "out of memory");
    CHECK(encrypt_data_symmetric(shared, nonce, msg, len, box) == (int32_t)(len + MAC_SIZE),
          "%s: encrypt_data_symmetric failed", name);
    CHECK(decrypt_data_symmetric(shared, nonce, box, len + MAC_SIZE, back) == (int32_t)len && memcmp(back, msg, len) == 0,
          "%s: c-toxcore cannot open its own box", name);
    if (expect_box != NULL) {
        CHECK(memcmp(box, expect_box, len + MAC_SIZE) == 0, "%s: c-toxcore disagrees with libsodium's box.exp", name);
    }

    vector_begin(j, name);
    kv_hex(j, "secret_key", sk, KEY_SIZE);
    kv_hex(j, "public_key", pk, KEY_SIZE);
    kv_hex(j, "nonce", nonce, NONCE_SIZE);
    kv_hex(j, "plaintext", msg, len);
    vector_expected(j);
    kv_hex(j, "shared_key", shared, KEY_SIZE);
    kv_hex(j, "box", box, len + MAC_SIZE);
    vector_end(j);
    free(box);
    free(back);
}

static void seeded_box_vector(Json *j, const char *name, const char *label, size_t len)
{
    char l[256];
    uint8_t sk[KEY_SIZE], other_sk[KEY_SIZE], pk[KEY_SIZE], nonce[NONCE_SIZE];
    uint8_t *msg = malloc(len);
    CHECK(msg != NULL, "out of memory");
    snprintf(l, sizeof l, "%s/secret-key", label);
    seeded(l, sk, sizeof sk);
    snprintf(l, sizeof l, "%s/peer-secret-key", label);
    seeded(l, other_sk, sizeof other_sk);
    CHECK(crypto_scalarmult_base(pk, other_sk) == 0, "scalarmult_base");
    snprintf(l, sizeof l, "%s/nonce", label);
    seeded(l, nonce, sizeof nonce);
    snprintf(l, sizeof l, "%s/plaintext", label);
    seeded(l, msg, len);
    box_vector(j, name, sk, pk, nonce, msg, len, NULL);
    free(msg);
}

static int gen_nacl_box(void)
{
    Json j;
    suite_begin(&j, "nacl-box",
                "Precomputed shared key (crypto_box_beforenm) and box with it, MAC first, as c-toxcore's "
                "encrypt_precompute and encrypt_data_symmetric compute them. Every box also opens with "
                "the same key and nonce to the plaintext.",
                "Inputs of 'nacl standard vector': the NaCl box test data (Alice's secret key, Bob's public "
                "key, nonce, 131-byte message) as published in libsodium's test suite, test/default/box.c; "
                "the other inputs are deterministic bytes (libsodium randombytes_buf_deterministic seeded "
                "with BLAKE2b-256 of a label). Expected values: " SOURCE_GEN
                " (encrypt_precompute, encrypt_data_symmetric); the standard vector's box was also "
                "checked against libsodium's test/default/box.exp.");
    int n = 0;
    uint8_t sk[KEY_SIZE], pk[KEY_SIZE], nonce[NONCE_SIZE], msg[131], expect_box[131 + MAC_SIZE];
    parse_hex(NACL_ALICE_SK, sk, sizeof sk);
    parse_hex(NACL_BOB_PK, pk, sizeof pk);
    parse_hex(NACL_NONCE, nonce, sizeof nonce);
    parse_hex(NACL_MESSAGE, msg, sizeof msg);
    parse_hex(NACL_BOX, expect_box, sizeof expect_box);
    box_vector(&j, "nacl standard vector (alice sk, bob pk, 131-byte message)", sk, pk, nonce, msg, sizeof msg, expect_box);
    ++n;
    seeded_box_vector(&j, "seeded key pair, nonce and 100-byte message", "toxlink/nacl-box/seeded-100", 100);
    ++n;
    seeded_box_vector(&j, "seeded key pair, nonce and 1-byte message", "toxlink/nacl-box/seeded-1", 1);
    ++n;
    seeded_box_vector(&j, "seeded key pair, nonce and 1373-byte message", "toxlink/nacl-box/seeded-1373", 1373);
    ++n;
    suite_end(&j);
    return n;
}

/* ---------------------------------------------------------------------------------------
 * nonce-increment
 * ------------------------------------------------------------------------------------ */

static void nonce_vector(Json *j, const char *name, const uint8_t *nonce, bool by_number, uint32_t increment)
{
    uint8_t after[NONCE_SIZE];
    memcpy(after, nonce, NONCE_SIZE);
    if (by_number) {
        increment_nonce_number(after, increment);
    } else {
        increment_nonce(after);
    }
    vector_begin(j, name);
    kv_hex(j, "nonce", nonce, NONCE_SIZE);
    if (by_number) {
        kv_u64(j, "increment", increment);
    }
    vector_expected(j);
    kv_hex(j, "nonce", after, NONCE_SIZE);
    vector_end(j);
}

static int gen_nonce_increment(void)
{
    Json j;
    suite_begin(&j, "nonce-increment",
                "24-byte nonces as big-endian counters. Without 'increment' the operation is c-toxcore's "
                "increment_nonce (add 1); with it, increment_nonce_number (add a u32), both carrying across "
                "all 24 bytes and wrapping to zero.",
                "Expected values: " SOURCE_GEN " (increment_nonce, increment_nonce_number). Random nonces are "
                "libsodium randombytes_buf_deterministic bytes seeded with BLAKE2b-256 of a label.");
    int n = 0;

    struct {
        const char *name;
        uint8_t nonce[NONCE_SIZE];
    } nonces[7];
    int count = 0;

    memset(nonces[count].nonce, 0, NONCE_SIZE);
    nonces[count++].name = "zero";

    memset(nonces[count].nonce, 0, NONCE_SIZE);
    nonces[count].nonce[NONCE_SIZE - 1] = 0xff;
    nonces[count++].name = "last byte ff";

    memset(nonces[count].nonce, 0, NONCE_SIZE);
    memset(nonces[count].nonce + NONCE_SIZE - 5, 0xff, 5);
    nonces[count++].name = "last 5 bytes ff";

    memset(nonces[count].nonce, 0xff, NONCE_SIZE);
    nonces[count++].name = "all ff";

    memset(nonces[count].nonce, 0xff, NONCE_SIZE);
    nonces[count].nonce[0] = 0x00;
    nonces[count++].name = "00 then 23 bytes ff";

    memset(nonces[count].nonce, 0xff, NONCE_SIZE);
    memset(nonces[count].nonce + NONCE_SIZE - 4, 0x00, 4);
    nonces[count].nonce[NONCE_SIZE - 2] = 0x01;
    nonces[count++].name = "ff..ff 00 00 01 00";

    seeded("toxlink/nonce-increment/random", nonces[count].nonce, NONCE_SIZE);
    nonces[count++].name = "random";

    char name[160];
    for (int i = 0; i < count; ++i) {
        snprintf(name, sizeof name, "increment_nonce: %s", nonces[i].name);
        nonce_vector(&j, name, nonces[i].nonce, false, 0);
        ++n;
    }

    static const uint32_t increments[] = {0, 1, 0xff, 0x100, 0xffffffff};
    for (int i = 0; i < count; ++i) {
        /* "last 5 bytes ff" and "last byte ff" add little beyond "all ff" and "zero" for the
         * number form; keep the rest. */
        if (i == 1 || i == 2) {
            continue;
        }
        for (size_t k = 0; k < sizeof increments / sizeof increments[0]; ++k) {
            snprintf(name, sizeof name, "increment_nonce_number: %s + 0x%x", nonces[i].name, increments[k]);
            nonce_vector(&j, name, nonces[i].nonce, true, increments[k]);
            ++n;
        }
    }
    suite_end(&j);
    return n;
}

/* ---------------------------------------------------------------------------------------
 * packed-nodes
 * ------------------------------------------------------------------------------------ */

typedef struct Node_Spec {
    bool tcp;
    const char *host;
    uint16_t port;
} Node_Spec;

static Logger *logger;

static void node_from_spec(Node_format *node, const Node_Spec *spec, const char *key_label)
{
    memset(node, 0, sizeof *node);
    seeded(key_label, node->public_key, KEY_SIZE);
    const bool v6 = strchr(spec->host, ':') != NULL;
    if (v6) {
        CHECK(inet_pton(AF_INET6, spec->host, node->ip_port.ip.ip.v6.uint8) == 1, "bad IPv6 %s", spec->host);
        node->ip_port.ip.family.value = spec->tcp ? NET_FAMILY_TCP_IPV6 : NET_FAMILY_IPV6;
    } else {
        CHECK(inet_pton(AF_INET, spec->host, node->ip_port.ip.ip.v4.uint8) == 1, "bad IPv4 %s", spec->host);
        node->ip_port.ip.family.value = spec->tcp ? NET_FAMILY_TCP_IPV4 : NET_FAMILY_IPV4;
    }
    node->ip_port.port = htons(spec->port);
    char canon[64];
    format_ip(canon, sizeof canon, v6, v6 ? node->ip_port.ip.ip.v6.uint8 : node->ip_port.ip.ip.v4.uint8);
    CHECK(strcmp(canon, spec->host) == 0, "host %s is not canonical (expected %s)", spec->host, canon);
}

/* Writes a node as {protocol, host, port, public_key}. */
static void emit_node(Json *j, const Node_format *node)
{
    bool v6, tcp;
    switch (node->ip_port.ip.family.value) {
        case NET_FAMILY_IPV4: v6 = false; tcp = false; break;
        case NET_FAMILY_IPV6: v6 = true; tcp = false; break;
        case NET_FAMILY_TCP_IPV4: v6 = false; tcp = true; break;
        case NET_FAMILY_TCP_IPV6: v6 = true; tcp = true; break;
        default: die("unexpected family %u from unpack_nodes", node->ip_port.ip.family.value);
    }
    char host[64];
    format_ip(host, sizeof host, v6, v6 ? node->ip_port.ip.ip.v6.uint8 : node->ip_port.ip.ip.v4.uint8);
    j_open(j, '{');
    kv_str(j, "protocol", tcp ? "tcp" : "udp");
    kv_str(j, "host", host);
    kv_u64(j, "port", ntohs(node->ip_port.port));
    kv_hex(j, "public_key", node->public_key, KEY_SIZE);
    j_close(j, '}');
}

static bool same_node(const Node_format *a, const Node_format *b)
{
    if (memcmp(a->public_key, b->public_key, KEY_SIZE) != 0 || a->ip_port.port != b->ip_port.port ||
        a->ip_port.ip.family.value != b->ip_port.ip.family.value) {
        return false;
    }
    const bool v6 = a->ip_port.ip.family.value == NET_FAMILY_IPV6 || a->ip_port.ip.family.value == NET_FAMILY_TCP_IPV6;
    return memcmp(&a->ip_port.ip.ip, &b->ip_port.ip.ip, v6 ? 16 : 4) == 0;
}

/* Packs `specs` with c-toxcore's pack_nodes into `out`; returns the length. The nodes are
 * returned too. Each node's key is seeded from `label` and its index. */
static int pack_specs(const char *label, const Node_Spec *specs, int count, Node_format *nodes, uint8_t *out, size_t cap)
{
    char l[256];
    for (int i = 0; i < count; ++i) {
        snprintf(l, sizeof l, "toxlink/packed-nodes/%s/key-%d", label, i);
        node_from_spec(&nodes[i], &specs[i], l);
    }
    const int len = pack_nodes(logger, out, (uint16_t)cap, nodes, (uint16_t)count);
    CHECK(len >= 0, "%s: pack_nodes failed", label);
    return len;
}

static void encode_vector(Json *j, const char *name, const char *label, const Node_Spec *specs, int count)
{
    Node_format nodes[8], back[8];
    uint8_t bytes[1024];
    CHECK(count <= 8, "too many nodes");
    const int len = pack_specs(label, specs, count, nodes, bytes, sizeof bytes);

    /* c-toxcore must read back what it wrote. */
    uint16_t processed = 0;
    const int got = unpack_nodes(back, 8, &processed, bytes, (uint16_t)len, true);
    CHECK(got == count && processed == len, "%s: unpack_nodes does not invert pack_nodes", name);
    for (int i = 0; i < count; ++i) {
        CHECK(same_node(&nodes[i], &back[i]), "%s: node %d differs after unpack", name, i);
    }

    vector_begin(j, name);
    j_key(j, "nodes");
    j_open(j, '[');
    for (int i = 0; i < count; ++i) {
        emit_node(j, &nodes[i]);
    }
    j_close(j, ']');
    vector_expected(j);
    kv_hex(j, "bytes", bytes, (size_t)len);
    vector_end(j);
}

/* A decode vector: runs unpack_nodes on `bytes` and records what it says. `error` is the
 * toxlink error code the vector expects when c-toxcore refuses the input; the generator
 * fails if c-toxcore's verdict (refuse or accept) differs from what the caller intends. */
static void decode_vector(Json *j, const char *name, const uint8_t *bytes, size_t len, uint16_t max, bool tcp_enabled,
                          const char *error)
{
    Node_format nodes[16];
    CHECK(max <= 16, "max too large");
    uint16_t processed = 0xffff;
    const int got = unpack_nodes(nodes, max, &processed, bytes, (uint16_t)len, tcp_enabled);
    if (error != NULL) {
        CHECK(got == -1, "%s: c-toxcore accepted input meant to be refused", name);
    } else {
        CHECK(got >= 0, "%s: c-toxcore refused input meant to be accepted", name);
    }

    vector_begin(j, name);
    kv_hex(j, "bytes", bytes, len);
    kv_u64(j, "max", max);
    kv_bool(j, "tcp_enabled", tcp_enabled);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        j_key(j, "nodes");
        j_open(j, '[');
        for (int i = 0; i < got; ++i) {
            emit_node(j, &nodes[i]);
        }
        j_close(j, ']');
        kv_u64(j, "consumed", processed);
    }
    vector_end(j);
}

static int gen_packed_nodes(void)
{
    Json j;
    suite_begin(&j, "packed-nodes",
                "The packed node format [family][IPv4 4 | IPv6 16][port BE][public key 32], nodes back to "
                "back without a count. Family bytes: 2 UDP/IPv4, 10 UDP/IPv6, 130 TCP/IPv4, 138 TCP/IPv6. "
                "Encode vectors give nodes and their bytes (decoding the bytes with tcp_enabled true and a "
                "large max gives the nodes back). Decode vectors give bytes, max and tcp_enabled and either "
                "the nodes and bytes consumed (which is less than the input when max nodes were read first) "
                "or an error: any malformed node refuses the whole input. Hosts are canonical text: dotted "
                "quad, or RFC 5952 IPv6 (lower case, first longest run of 2+ zero groups as '::', "
                "IPv4-mapped as ::ffff:a.b.c.d).",
                "Expected values: " SOURCE_GEN " (pack_nodes, unpack_nodes); host text is formatted by the "
                "generator from the address bytes. Public keys are libsodium randombytes_buf_deterministic "
                "bytes seeded with BLAKE2b-256 of a label. Error codes are toxlink's DecodeError codes.");
    int n = 0;

    /* ---- encode ---- */
    static const Node_Spec v4_udp[] = {{false, "192.0.2.1", 33445}};
    static const Node_Spec v4_udp_edges[] = {{false, "127.0.0.1", 1}, {false, "255.255.255.255", 65535}};
    static const Node_Spec v6_loop[] = {{false, "::1", 33445}};
    static const Node_Spec v6_full[] = {{false, "2001:db8:85a3:1234:5678:8a2e:370:7334", 33445}};
    static const Node_Spec v6_mapped[] = {{false, "::ffff:192.0.2.128", 443}};
    static const Node_Spec v6_compressed[] = {{false, "2001:db8::ff00:42:8329", 12345}};
    static const Node_Spec v4_tcp[] = {{true, "198.51.100.7", 443}};
    static const Node_Spec v6_tcp[] = {{true, "2001:db8::5", 3389}};
    static const Node_Spec mixed[] = {
        {false, "203.0.113.9", 33445},
        {true, "2001:db8:aaaa::1", 443},
        {false, "fe80::1ff:fe23:4567:890a", 33446},
        {true, "10.0.0.2", 3389},
    };
    encode_vector(&j, "encode ipv4 udp node", "v4-udp", v4_udp, 1);
    ++n;
    encode_vector(&j, "encode two ipv4 udp nodes (ports 1 and 65535)", "v4-udp-edges", v4_udp_edges, 2);
    ++n;
    encode_vector(&j, "encode ipv6 udp node ::1", "v6-loopback", v6_loop, 1);
    ++n;
    encode_vector(&j, "encode ipv6 udp node, full 8 groups", "v6-full", v6_full, 1);
    ++n;
    encode_vector(&j, "encode ipv6 udp node, ipv4-mapped", "v6-mapped", v6_mapped, 1);
    ++n;
    encode_vector(&j, "encode ipv6 udp node, compressed middle", "v6-compressed", v6_compressed, 1);
    ++n;
    encode_vector(&j, "encode tcp ipv4 node", "v4-tcp", v4_tcp, 1);
    ++n;
    encode_vector(&j, "encode tcp ipv6 node", "v6-tcp", v6_tcp, 1);
    ++n;
    encode_vector(&j, "encode mixed list of 4 nodes", "mixed", mixed, 4);
    ++n;
    encode_vector(&j, "encode empty list", "empty", NULL, 0);
    ++n;

    /* ---- decode, accepted ---- */
    Node_format nodes[8];
    uint8_t buf[1024];
    int len;

    len = pack_specs("mixed", mixed, 4, nodes, buf, sizeof buf);
    decode_vector(&j, "decode mixed list of 4 nodes, tcp allowed", buf, (size_t)len, 4, true, NULL);
    ++n;
    decode_vector(&j, "decode mixed list, max 2 < 4 nodes (consumed < length)", buf, (size_t)len, 2, true, NULL);
    ++n;
    decode_vector(&j, "decode with max 0 reads nothing", buf, (size_t)len, 0, true, NULL);
    ++n;
    decode_vector(&j, "decode empty input", buf, 0, 4, false, NULL);
    ++n;

    static const Node_Spec udp_pair[] = {{false, "192.0.2.1", 33445}, {false, "2001:db8::1", 33445}};
    len = pack_specs("udp-pair", udp_pair, 2, nodes, buf, sizeof buf);
    decode_vector(&j, "decode two udp nodes, tcp not allowed", buf, (size_t)len, 4, false, NULL);
    ++n;
    buf[len] = 0x00; /* not a family: ignored because max is reached first */
    decode_vector(&j, "decode max 2 stops before a trailing bad byte", buf, (size_t)len + 1, 2, false, NULL);
    ++n;

    static const Node_Spec canon_equal_runs[] = {{false, "2001:db8::1:0:0:1", 1}};
    len = pack_specs("canon-equal-runs", canon_equal_runs, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv6 with two equal zero runs (first one compressed)", buf, (size_t)len, 1, false, NULL);
    ++n;
    static const Node_Spec canon_longer_second[] = {{false, "2001:0:0:1::1", 2}};
    len = pack_specs("canon-longer-second", canon_longer_second, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv6 whose longer zero run comes second", buf, (size_t)len, 1, false, NULL);
    ++n;
    static const Node_Spec canon_single_zero[] = {{false, "2001:db8:0:1:1:1:1:1", 3}};
    len = pack_specs("canon-single-zero", canon_single_zero, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv6 with one zero group (not compressed)", buf, (size_t)len, 1, false, NULL);
    ++n;
    static const Node_Spec canon_all_zero[] = {{false, "::", 4}};
    len = pack_specs("canon-all-zero", canon_all_zero, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv6 all zeros", buf, (size_t)len, 1, false, NULL);
    ++n;
    static const Node_Spec canon_trailing[] = {{false, "2001:db8::", 5}};
    len = pack_specs("canon-trailing", canon_trailing, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv6 with trailing zero run", buf, (size_t)len, 1, false, NULL);
    ++n;
    static const Node_Spec canon_hex_case[] = {{false, "fedc:ba98:7654:3210:fedc:ba98:7654:3210", 6}};
    len = pack_specs("canon-hex-case", canon_hex_case, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv6 with hex letters (lower case)", buf, (size_t)len, 1, false, NULL);
    ++n;
    static const Node_Spec zero_v4[] = {{false, "0.0.0.0", 0}};
    len = pack_specs("zero-v4", zero_v4, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode ipv4 0.0.0.0 port 0", buf, (size_t)len, 1, false, NULL);
    ++n;

    /* ---- decode, refused ---- */
    static const Node_Spec one_v4[] = {{false, "192.0.2.1", 33445}};
    static const Node_Spec one_v6[] = {{false, "2001:db8::1", 33445}};
    static const Node_Spec one_v4_tcp[] = {{true, "198.51.100.7", 443}};
    static const Node_Spec one_v6_tcp[] = {{true, "2001:db8::5", 3389}};

    len = pack_specs("one-v4", one_v4, 1, nodes, buf, sizeof buf);
    static const uint8_t bad_families[] = {0, 3, 12, 129};
    static const char *const bad_family_names[] = {
        "decode refuses family 0 (unspecified)",
        "decode refuses family 3",
        "decode refuses family 12 (c-toxcore's in-memory TCP_INET, never on the wire)",
        "decode refuses family 129",
    };
    for (size_t i = 0; i < sizeof bad_families; ++i) {
        buf[0] = bad_families[i];
        decode_vector(&j, bad_family_names[i], buf, (size_t)len, 4, true, "bad-family");
        ++n;
    }

    len = pack_specs("one-v4-tcp", one_v4_tcp, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses tcp ipv4 family when tcp is not allowed", buf, (size_t)len, 4, false, "bad-family");
    ++n;
    len = pack_specs("one-v6-tcp", one_v6_tcp, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses tcp ipv6 family when tcp is not allowed", buf, (size_t)len, 4, false, "bad-family");
    ++n;

    len = pack_specs("one-v4", one_v4, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses truncated ipv4 address", buf, 1 + 3, 4, false, "truncated");
    ++n;
    decode_vector(&j, "decode refuses truncated port", buf, 1 + 4 + 1, 4, false, "truncated");
    ++n;
    decode_vector(&j, "decode refuses truncated public key (31 of 32 bytes)", buf, (size_t)len - 1, 4, false, "truncated");
    ++n;
    decode_vector(&j, "decode refuses a lone family byte", buf, 1, 4, false, "truncated");
    ++n;
    len = pack_specs("one-v6", one_v6, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses truncated ipv6 address", buf, 1 + 10, 4, false, "truncated");
    ++n;
    decode_vector(&j, "decode refuses ipv6 node without public key", buf, 1 + 16 + 2, 4, false, "truncated");
    ++n;

    len = pack_specs("udp-pair", udp_pair, 2, nodes, buf, sizeof buf);
    buf[len] = 0x02;
    decode_vector(&j, "decode refuses valid nodes followed by one stray byte", buf, (size_t)len + 1, 4, false, "truncated");
    ++n;
    buf[len] = 0x00;
    decode_vector(&j, "decode refuses valid nodes followed by an unknown family", buf, (size_t)len + 1, 4, false, "bad-family");
    ++n;
    len = pack_specs("one-v4-tcp", one_v4_tcp, 1, nodes, buf, sizeof buf);
    len += pack_specs("one-v4", one_v4, 1, nodes, buf + len, sizeof buf - (size_t)len);
    decode_vector(&j, "decode refuses a tcp node among udp nodes when tcp is not allowed", buf, (size_t)len, 4, false,
                  "bad-family");
    ++n;

    suite_end(&j);
    return n;
}

/* ---------------------------------------------------------------------------------------
 * tox-id
 * ------------------------------------------------------------------------------------ */

static Tox *tox_with_secret_key(const uint8_t *sk)
{
    struct Tox_Options *opts = tox_options_new(NULL);
    CHECK(opts != NULL, "tox_options_new");
    tox_options_set_udp_enabled(opts, false);
    tox_options_set_ipv6_enabled(opts, false);
    tox_options_set_local_discovery_enabled(opts, false);
    tox_options_set_hole_punching_enabled(opts, false);
    tox_options_set_dht_announcements_enabled(opts, false);
    tox_options_set_tcp_port(opts, 0);
    tox_options_set_savedata_type(opts, TOX_SAVEDATA_TYPE_SECRET_KEY);
    tox_options_set_savedata_data(opts, sk, TOX_SECRET_KEY_SIZE);
    Tox_Err_New err;
    Tox *tox = tox_new(opts, &err);
    CHECK(tox != NULL, "tox_new failed: %d", (int)err);
    tox_options_free(opts);
    uint8_t got[TOX_SECRET_KEY_SIZE];
    tox_self_get_secret_key(tox, got);
    CHECK(memcmp(got, sk, sizeof got) == 0, "tox_new did not load the secret key");
    return tox;
}

/* The address c-toxcore makes for `tox` with `nospam`; also checks its checksum against
 * data_checksum. */
static void address_of(Tox *tox, uint32_t nospam, uint8_t *address)
{
    tox_self_set_nospam(tox, nospam);
    CHECK(tox_self_get_nospam(tox) == nospam, "nospam did not stick");
    tox_self_get_address(tox, address);
    const uint16_t sum = data_checksum(address, ADDRESS_SIZE - 2);
    CHECK(memcmp(&sum, address + ADDRESS_SIZE - 2, 2) == 0, "address checksum differs from data_checksum");
}

/* Asks c-toxcore whether it accepts `address` as a friend's address: tox_friend_add checks
 * the public key (last byte < 128) and the checksum before anything else. */
static bool c_toxcore_accepts(Tox *checker, const uint8_t *address)
{
    static const uint8_t msg[] = "toxlink vectors";
    Tox_Err_Friend_Add err;
    tox_friend_add(checker, address, msg, sizeof msg - 1, &err);
    switch (err) {
        case TOX_ERR_FRIEND_ADD_OK:
        case TOX_ERR_FRIEND_ADD_ALREADY_SENT:
        case TOX_ERR_FRIEND_ADD_SET_NEW_NOSPAM:
            return true;
        case TOX_ERR_FRIEND_ADD_BAD_CHECKSUM:
            return false;
        default:
            die("tox_friend_add: unexpected error %d", (int)err);
    }
    return false;
}

static void upper_hex(char *out, const uint8_t *b, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, b, n);
    for (char *p = out; *p != '\0'; ++p) {
        if (*p >= 'a' && *p <= 'f') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
}

static void parse_ok_vector(Json *j, const char *name, const char *text, const uint8_t *pk, uint32_t nospam)
{
    vector_begin(j, name);
    kv_str(j, "text", text);
    vector_expected(j);
    kv_hex(j, "public_key", pk, KEY_SIZE);
    kv_u64(j, "nospam", nospam);
    vector_end(j);
}

static void parse_error_vector(Json *j, const char *name, const char *text, const char *error)
{
    vector_begin(j, name);
    kv_str(j, "text", text);
    vector_expected(j);
    kv_str(j, "error", error);
    vector_end(j);
}

static int gen_tox_id(void)
{
    Json j;
    suite_begin(&j, "tox-id",
                "Tox IDs (c-toxcore's address): public key 32, nospam 4 (big-endian), checksum 2 (XOR of the "
                "even- and odd-offset bytes of the first 36), as 76 hex digits. Format vectors give the "
                "upper-case text c-toxcore's address has for a key and nospam; parse vectors give text and "
                "either its key and nospam or the reason it is refused.",
                "Format vectors: " SOURCE_GEN ": tox_new with TOX_SAVEDATA_TYPE_SECRET_KEY (no network), "
                "tox_self_get_public_key, tox_self_set_nospam, tox_self_get_address, checksum also checked "
                "with data_checksum. Secret keys: the NaCl test suite's Alice key and "
                "libsodium randombytes_buf_deterministic bytes seeded with BLAKE2b-256 of a label. Parse "
                "vectors: every accepted address was accepted and every 'bad-checksum' address refused "
                "(TOX_ERR_FRIEND_ADD_BAD_CHECKSUM) by tox_friend_add of the same library; 'bad-length' and "
                "'bad-hex' are about text, which c-toxcore never parses. Error codes are toxlink's "
                "ToxIdError codes.");
    int n = 0;

    struct {
        const char *name;
        uint8_t sk[KEY_SIZE];
    } keys[4];
    keys[0].name = "nacl alice key";
    parse_hex(NACL_ALICE_SK, keys[0].sk, KEY_SIZE);
    keys[1].name = "seeded key 1";
    seeded("toxlink/tox-id/key-1", keys[1].sk, KEY_SIZE);
    keys[2].name = "seeded key 2";
    seeded("toxlink/tox-id/key-2", keys[2].sk, KEY_SIZE);
    keys[3].name = "seeded key 3";
    seeded("toxlink/tox-id/key-3", keys[3].sk, KEY_SIZE);

    uint8_t checker_sk[KEY_SIZE];
    seeded("toxlink/tox-id/checker", checker_sk, KEY_SIZE);
    Tox *checker = tox_with_secret_key(checker_sk);

    static const uint32_t nospams[] = {0, 1, 0x12345678, 0xffffffff};
    uint8_t pks[4][KEY_SIZE];
    uint8_t sample[ADDRESS_SIZE] = {0}; /* seeded key 1, nospam 0x12345678 */
    char name[160], text[2 * ADDRESS_SIZE + 1];

    for (int k = 0; k < 4; ++k) {
        Tox *tox = tox_with_secret_key(keys[k].sk);
        tox_self_get_public_key(tox, pks[k]);
        uint8_t derived[KEY_SIZE];
        CHECK(crypto_scalarmult_base(derived, keys[k].sk) == 0 && memcmp(derived, pks[k], KEY_SIZE) == 0,
              "tox_self_get_public_key is not the key of the secret key");
        for (size_t s = 0; s < sizeof nospams / sizeof nospams[0]; ++s) {
            uint8_t address[ADDRESS_SIZE];
            address_of(tox, nospams[s], address);
            CHECK(memcmp(address, pks[k], KEY_SIZE) == 0, "address does not start with the public key");
            CHECK(c_toxcore_accepts(checker, address), "c-toxcore refuses its own address");
            upper_hex(text, address, ADDRESS_SIZE);
            snprintf(name, sizeof name, "format %s, nospam 0x%08x", keys[k].name, nospams[s]);
            vector_begin(&j, name);
            kv_hex(&j, "public_key", pks[k], KEY_SIZE);
            kv_u64(&j, "nospam", nospams[s]);
            vector_expected(&j);
            kv_str(&j, "tox_id", text);
            vector_end(&j);
            ++n;
            if (k == 1 && nospams[s] == 0x12345678) {
                memcpy(sample, address, ADDRESS_SIZE);
            }
        }
        tox_kill(tox);
    }

    /* ---- parse, accepted ---- */
    for (int k = 0; k < 4; ++k) {
        Tox *tox = tox_with_secret_key(keys[k].sk);
        uint8_t address[ADDRESS_SIZE];
        const uint32_t nospam = k == 0 ? 0xdeadbeef : nospams[k];
        address_of(tox, nospam, address);
        tox_kill(tox);
        CHECK(c_toxcore_accepts(checker, address), "c-toxcore refuses its own address");
        upper_hex(text, address, ADDRESS_SIZE);
        snprintf(name, sizeof name, "parse %s, nospam 0x%08x", keys[k].name, nospam);
        parse_ok_vector(&j, name, text, pks[k], nospam);
        ++n;
    }
    sodium_bin2hex(text, sizeof text, sample, ADDRESS_SIZE);
    parse_ok_vector(&j, "parse lower-case hex (seeded key 1, nospam 0x12345678)", text, pks[1], 0x12345678);
    ++n;

    /* ---- parse, refused ---- */
    char upper[2 * ADDRESS_SIZE + 1], bad[2 * ADDRESS_SIZE + 8];
    upper_hex(upper, sample, ADDRESS_SIZE);

    snprintf(bad, sizeof bad, "%.*s", 2 * ADDRESS_SIZE - 1, upper);
    parse_error_vector(&j, "parse refuses 75 hex digits", bad, "bad-length");
    ++n;
    snprintf(bad, sizeof bad, "%s0", upper);
    parse_error_vector(&j, "parse refuses 77 hex digits", bad, "bad-length");
    ++n;
    snprintf(bad, sizeof bad, "%.*s", 2 * KEY_SIZE, upper);
    parse_error_vector(&j, "parse refuses a bare public key (64 hex digits)", bad, "bad-length");
    ++n;
    parse_error_vector(&j, "parse refuses empty text", "", "bad-length");
    ++n;

    snprintf(bad, sizeof bad, "%s", upper);
    bad[10] = 'G';
    parse_error_vector(&j, "parse refuses a non-hex character (G)", bad, "bad-hex");
    ++n;
    snprintf(bad, sizeof bad, "0x%s", upper + 2);
    parse_error_vector(&j, "parse refuses a 0x prefix in 76 characters", bad, "bad-hex");
    ++n;
    snprintf(bad, sizeof bad, "%s", upper);
    bad[40] = ' ';
    parse_error_vector(&j, "parse refuses a space inside", bad, "bad-hex");
    ++n;

    /* Flipped nibbles: c-toxcore must refuse each with BAD_CHECKSUM. */
    struct {
        const char *name;
        int byte;
        uint8_t mask;
    } flips[] = {
        {"parse refuses a flipped checksum nibble (last digit)", ADDRESS_SIZE - 1, 0x01},
        {"parse refuses a flipped checksum nibble (first checksum digit)", ADDRESS_SIZE - 2, 0x80},
        {"parse refuses a flipped public key nibble", 5, 0x04},
        {"parse refuses a flipped nospam nibble", KEY_SIZE + 2, 0x20},
    };
    for (size_t f = 0; f < sizeof flips / sizeof flips[0]; ++f) {
        uint8_t a[ADDRESS_SIZE];
        memcpy(a, sample, sizeof a);
        a[flips[f].byte] ^= flips[f].mask;
        CHECK(!c_toxcore_accepts(checker, a), "c-toxcore accepts %s", flips[f].name);
        upper_hex(text, a, ADDRESS_SIZE);
        parse_error_vector(&j, flips[f].name, text, "bad-checksum");
        ++n;
    }

    /* A public key with its top bit set, with a checksum that matches: tox_friend_add still
     * answers BAD_CHECKSUM (public_key_valid fails), so the address is not usable. */
    {
        uint8_t a[ADDRESS_SIZE];
        memcpy(a, sample, sizeof a);
        a[KEY_SIZE - 1] |= 0x80;
        const uint16_t sum = data_checksum(a, ADDRESS_SIZE - 2);
        memcpy(a + ADDRESS_SIZE - 2, &sum, 2);
        CHECK(!c_toxcore_accepts(checker, a), "c-toxcore accepts a public key with the top bit set");
        upper_hex(text, a, ADDRESS_SIZE);
        parse_error_vector(&j, "parse refuses a public key whose last byte is >= 0x80 (checksum matches)", text,
                           "bad-key");
        ++n;
    }

    tox_kill(checker);
    suite_end(&j);
    return n;
}

/* --------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    out_dir = argv[1];
    CHECK(tox_version_major() == 0 && tox_version_minor() == 2 && tox_version_patch() == 18,
          "linked c-toxcore is %u.%u.%u, the declarations here are for 0.2.18", tox_version_major(),
          tox_version_minor(), tox_version_patch());
    CHECK(sodium_init() >= 0, "sodium_init failed");
    logger = logger_new();
    CHECK(logger != NULL, "logger_new failed");

    const int box = gen_nacl_box();
    const int nonce = gen_nonce_increment();
    const int nodes = gen_packed_nodes();
    const int id = gen_tox_id();
    logger_kill(logger);

    printf("nacl-box.json         %d vectors\n", box);
    printf("nonce-increment.json  %d vectors\n", nonce);
    printf("packed-nodes.json     %d vectors\n", nodes);
    printf("tox-id.json           %d vectors\n", id);
    return 0;
}
