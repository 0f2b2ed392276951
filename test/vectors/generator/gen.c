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
 * internal functions and structs we use are declared from a reading of the v0.2.18 sources
 * (toxcore/network.h, DHT.h, crypto_core.h, util.h, logger.h, mono_time.h, net_crypto.h,
 * TCP_client.h): those the generators share in toxcore-internal.h, the rest below. Their
 * layouts are pinned with static assertions; the generator refuses to run against any
 * other library version.
 *
 * Inputs that are not fixed by hand come from libsodium's randombytes_buf_deterministic,
 * seeded with the BLAKE2b-256 hash of a label, so a re-run writes byte-identical files.
 * No packet leaves the process: the Tox instances have UDP, LAN discovery and the TCP
 * server disabled, are never bootstrapped and are never iterated; the DHT nodes of the
 * dht-* suites and the net_crypto instances of the netcrypto-* suites run on the fake
 * Network of fake-net.c, whose socket calls the generator answers itself. Randomness that
 * c-toxcore draws from libsodium directly (session key pairs) comes from a deterministic
 * source the generator installs with randombytes_set_implementation.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <tox/tox.h>

#include "fake-net.h"
#include "gen-common.h"
#include "toxcore-internal.h"

/* ---------------------------------------------------------------------------------------
 * c-toxcore 0.2.18 internals only this generator uses, declared by us.
 * ------------------------------------------------------------------------------------ */

/* util.h: the two checksum bytes in memory order, read as a host-order uint16_t. */
uint16_t data_checksum(const uint8_t *data, uint32_t length);

/* DHT.h, ping.h, LAN_discovery.h */
typedef struct Ping Ping;
typedef struct Broadcast_Info Broadcast_Info;
typedef void dht_ip_cb(void *object, int32_t number, const IP_Port *ip_port);
typedef void dht_get_nodes_response_cb(const DHT *dht, const Node_format *node, void *user_data);
Ping *dht_get_ping(const DHT *dht);
bool dht_getnodes(DHT *dht, const IP_Port *ip_port, const uint8_t *public_key, const uint8_t *client_id);
uint16_t closelist_nodes(const DHT *dht, Node_format *nodes, uint16_t max_num);
void dht_callback_get_nodes_response(DHT *dht, dht_get_nodes_response_cb *function);
void cryptopacket_registerhandler(DHT *dht, uint8_t byte, cryptopacket_handler_cb *cb, void *object);
int dht_addfriend(DHT *dht, const uint8_t *public_key, dht_ip_cb *ip_callback, void *data, int32_t number,
                  uint16_t *lock_count);
int dht_create_packet(const Random *rng, const uint8_t *public_key, const uint8_t *shared_key, uint8_t type,
                      const uint8_t *plain, size_t plain_length, uint8_t *packet, size_t length);
int handle_request(const uint8_t *self_public_key, const uint8_t *self_secret_key, uint8_t *public_key, uint8_t *data,
                   uint8_t *request_id, const uint8_t *packet, uint16_t packet_length);
void ping_send_request(Ping *ping, const IP_Port *ipp, const uint8_t *public_key);
bool lan_discovery_send(const Networking_Core *net, const Broadcast_Info *broadcast, const uint8_t *dht_pk,
                        uint16_t port);

/* crypto_core.h */
void crypto_sha512(uint8_t *hash, const uint8_t *data, size_t length);

/* net_crypto.h (Net_Crypto itself is opaque) */
typedef struct New_Connection {
    IP_Port source;
    uint8_t public_key[32];
    uint8_t dht_public_key[32];
    uint8_t recv_nonce[24];
    uint8_t peersessionpublic_key[32];
    uint8_t *cookie;
    uint8_t cookie_length;
} New_Connection;
_Static_assert(sizeof(New_Connection) == 168 && offsetof(New_Connection, recv_nonce) == 96 &&
               offsetof(New_Connection, cookie) == 152,
               "New_Connection");
typedef int connection_status_cb(void *object, int id, bool status, void *userdata);
typedef int connection_data_cb(void *object, int id, const uint8_t *data, uint16_t length, void *userdata);
typedef int connection_lossy_data_cb(void *object, int id, const uint8_t *data, uint16_t length, void *userdata);
typedef int new_connection_cb(void *object, const New_Connection *n_c);
void new_connection_handler(Net_Crypto *c, new_connection_cb *new_connection_callback, void *object);
int accept_crypto_connection(Net_Crypto *c, const New_Connection *n_c);
int new_crypto_connection(Net_Crypto *c, const uint8_t *real_public_key, const uint8_t *dht_public_key);
int set_direct_ip_port(Net_Crypto *c, int crypt_connection_id, const IP_Port *ip_port, bool connected);
int connection_status_handler(const Net_Crypto *c, int crypt_connection_id, connection_status_cb *cb, void *object,
                              int id);
int connection_data_handler(const Net_Crypto *c, int crypt_connection_id, connection_data_cb *cb, void *object, int id);
int connection_lossy_data_handler(const Net_Crypto *c, int crypt_connection_id, connection_lossy_data_cb *cb,
                                  void *object, int id);
int64_t write_cryptpacket(Net_Crypto *c, int crypt_connection_id, const uint8_t *data, uint16_t length,
                          bool congestion_control);
int send_lossy_cryptpacket(Net_Crypto *c, int crypt_connection_id, const uint8_t *data, uint16_t length);
int crypto_kill(Net_Crypto *c, int crypt_connection_id);
void do_net_crypto(Net_Crypto *c, void *userdata);
typedef void dht_pk_cb(void *data, int32_t number, const uint8_t *dht_public_key, void *userdata);
int nc_dht_pk_callback(const Net_Crypto *c, int crypt_connection_id, dht_pk_cb *function, void *object, uint32_t number);

#define ADDRESS_SIZE 38

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
    uint8_t sk[KEY_SIZE], other_sk[KEY_SIZE], pk[KEY_SIZE], nonce[NONCE_SIZE];
    uint8_t *msg = malloc(len);
    CHECK(msg != NULL, "out of memory");
    seeded_f(sk, sizeof sk, "%s/secret-key", label);
    seeded_f(other_sk, sizeof other_sk, "%s/peer-secret-key", label);
    CHECK(crypto_scalarmult_base(pk, other_sk) == 0, "scalarmult_base");
    seeded_f(nonce, sizeof nonce, "%s/nonce", label);
    seeded_f(msg, len, "%s/plaintext", label);
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
    uint8_t sk[KEY_SIZE], pk[KEY_SIZE], nonce[NONCE_SIZE], msg[131], expect_box[131 + MAC_SIZE];
    parse_hex(NACL_ALICE_SK, sk, sizeof sk);
    parse_hex(NACL_BOB_PK, pk, sizeof pk);
    parse_hex(NACL_NONCE, nonce, sizeof nonce);
    parse_hex(NACL_MESSAGE, msg, sizeof msg);
    parse_hex(NACL_BOX, expect_box, sizeof expect_box);
    box_vector(&j, "nacl standard vector (alice sk, bob pk, 131-byte message)", sk, pk, nonce, msg, sizeof msg, expect_box);
    seeded_box_vector(&j, "seeded key pair, nonce and 100-byte message", "toxlink/nacl-box/seeded-100", 100);
    seeded_box_vector(&j, "seeded key pair, nonce and 1-byte message", "toxlink/nacl-box/seeded-1", 1);
    seeded_box_vector(&j, "seeded key pair, nonce and 1373-byte message", "toxlink/nacl-box/seeded-1373", 1373);
    return suite_end(&j);
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
        }
    }
    return suite_end(&j);
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
    static const struct {
        const char *name, *label;
        const Node_Spec *specs;
        int count;
    } encodes[] = {
        {"encode ipv4 udp node", "v4-udp", v4_udp, 1},
        {"encode two ipv4 udp nodes (ports 1 and 65535)", "v4-udp-edges", v4_udp_edges, 2},
        {"encode ipv6 udp node ::1", "v6-loopback", v6_loop, 1},
        {"encode ipv6 udp node, full 8 groups", "v6-full", v6_full, 1},
        {"encode ipv6 udp node, ipv4-mapped", "v6-mapped", v6_mapped, 1},
        {"encode ipv6 udp node, compressed middle", "v6-compressed", v6_compressed, 1},
        {"encode tcp ipv4 node", "v4-tcp", v4_tcp, 1},
        {"encode tcp ipv6 node", "v6-tcp", v6_tcp, 1},
        {"encode mixed list of 4 nodes", "mixed", mixed, 4},
        {"encode empty list", "empty", NULL, 0},
    };
    for (size_t i = 0; i < sizeof encodes / sizeof encodes[0]; ++i) {
        encode_vector(&j, encodes[i].name, encodes[i].label, encodes[i].specs, encodes[i].count);
    }

    /* ---- decode, accepted ---- */
    Node_format nodes[8];
    uint8_t buf[1024];
    int len;

    len = pack_specs("mixed", mixed, 4, nodes, buf, sizeof buf);
    decode_vector(&j, "decode mixed list of 4 nodes, tcp allowed", buf, (size_t)len, 4, true, NULL);
    decode_vector(&j, "decode mixed list, max 2 < 4 nodes (consumed < length)", buf, (size_t)len, 2, true, NULL);
    decode_vector(&j, "decode with max 0 reads nothing", buf, (size_t)len, 0, true, NULL);
    decode_vector(&j, "decode empty input", buf, 0, 4, false, NULL);

    static const Node_Spec udp_pair[] = {{false, "192.0.2.1", 33445}, {false, "2001:db8::1", 33445}};
    len = pack_specs("udp-pair", udp_pair, 2, nodes, buf, sizeof buf);
    decode_vector(&j, "decode two udp nodes, tcp not allowed", buf, (size_t)len, 4, false, NULL);
    buf[len] = 0x00; /* not a family: ignored because max is reached first */
    decode_vector(&j, "decode max 2 stops before a trailing bad byte", buf, (size_t)len + 1, 2, false, NULL);

    /* One node each, decoded back: how hosts are written. */
    static const struct {
        const char *name, *label;
        Node_Spec spec;
    } singles[] = {
        {"decode ipv6 with two equal zero runs (first one compressed)", "canon-equal-runs", {false, "2001:db8::1:0:0:1", 1}},
        {"decode ipv6 whose longer zero run comes second", "canon-longer-second", {false, "2001:0:0:1::1", 2}},
        {"decode ipv6 with one zero group (not compressed)", "canon-single-zero", {false, "2001:db8:0:1:1:1:1:1", 3}},
        {"decode ipv6 all zeros", "canon-all-zero", {false, "::", 4}},
        {"decode ipv6 with trailing zero run", "canon-trailing", {false, "2001:db8::", 5}},
        {"decode ipv6 with hex letters (lower case)", "canon-hex-case", {false, "fedc:ba98:7654:3210:fedc:ba98:7654:3210", 6}},
        {"decode ipv4 0.0.0.0 port 0", "zero-v4", {false, "0.0.0.0", 0}},
    };
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; ++i) {
        len = pack_specs(singles[i].label, &singles[i].spec, 1, nodes, buf, sizeof buf);
        decode_vector(&j, singles[i].name, buf, (size_t)len, 1, false, NULL);
    }

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
    }

    len = pack_specs("one-v4-tcp", one_v4_tcp, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses tcp ipv4 family when tcp is not allowed", buf, (size_t)len, 4, false, "bad-family");
    len = pack_specs("one-v6-tcp", one_v6_tcp, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses tcp ipv6 family when tcp is not allowed", buf, (size_t)len, 4, false, "bad-family");

    len = pack_specs("one-v4", one_v4, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses truncated ipv4 address", buf, 1 + 3, 4, false, "truncated");
    decode_vector(&j, "decode refuses truncated port", buf, 1 + 4 + 1, 4, false, "truncated");
    decode_vector(&j, "decode refuses truncated public key (31 of 32 bytes)", buf, (size_t)len - 1, 4, false, "truncated");
    decode_vector(&j, "decode refuses a lone family byte", buf, 1, 4, false, "truncated");
    len = pack_specs("one-v6", one_v6, 1, nodes, buf, sizeof buf);
    decode_vector(&j, "decode refuses truncated ipv6 address", buf, 1 + 10, 4, false, "truncated");
    decode_vector(&j, "decode refuses ipv6 node without public key", buf, 1 + 16 + 2, 4, false, "truncated");

    len = pack_specs("udp-pair", udp_pair, 2, nodes, buf, sizeof buf);
    buf[len] = 0x02;
    decode_vector(&j, "decode refuses valid nodes followed by one stray byte", buf, (size_t)len + 1, 4, false, "truncated");
    buf[len] = 0x00;
    decode_vector(&j, "decode refuses valid nodes followed by an unknown family", buf, (size_t)len + 1, 4, false, "bad-family");
    len = pack_specs("one-v4-tcp", one_v4_tcp, 1, nodes, buf, sizeof buf);
    len += pack_specs("one-v4", one_v4, 1, nodes, buf + len, sizeof buf - (size_t)len);
    decode_vector(&j, "decode refuses a tcp node among udp nodes when tcp is not allowed", buf, (size_t)len, 4, false,
                  "bad-family");

    return suite_end(&j);
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
    }
    sodium_bin2hex(text, sizeof text, sample, ADDRESS_SIZE);
    parse_ok_vector(&j, "parse lower-case hex (seeded key 1, nospam 0x12345678)", text, pks[1], 0x12345678);

    /* ---- parse, refused ---- */
    char upper[2 * ADDRESS_SIZE + 1], bad[2 * ADDRESS_SIZE + 8];
    upper_hex(upper, sample, ADDRESS_SIZE);

    snprintf(bad, sizeof bad, "%.*s", 2 * ADDRESS_SIZE - 1, upper);
    parse_error_vector(&j, "parse refuses 75 hex digits", bad, "bad-length");
    snprintf(bad, sizeof bad, "%s0", upper);
    parse_error_vector(&j, "parse refuses 77 hex digits", bad, "bad-length");
    snprintf(bad, sizeof bad, "%.*s", 2 * KEY_SIZE, upper);
    parse_error_vector(&j, "parse refuses a bare public key (64 hex digits)", bad, "bad-length");
    parse_error_vector(&j, "parse refuses empty text", "", "bad-length");

    snprintf(bad, sizeof bad, "%s", upper);
    bad[10] = 'G';
    parse_error_vector(&j, "parse refuses a non-hex character (G)", bad, "bad-hex");
    snprintf(bad, sizeof bad, "0x%s", upper + 2);
    parse_error_vector(&j, "parse refuses a 0x prefix in 76 characters", bad, "bad-hex");
    snprintf(bad, sizeof bad, "%s", upper);
    bad[40] = ' ';
    parse_error_vector(&j, "parse refuses a space inside", bad, "bad-hex");

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
    }

    tox_kill(checker);
    return suite_end(&j);
}

/* ---------------------------------------------------------------------------------------
 * A c-toxcore DHT node on a fake network, for the dht-* suites.
 *
 * Each Dht_Node is a real c-toxcore DHT object (new_networking_ex + new_dht) whose socket
 * calls go to the Fake_Net of fake-net.c: a packet we hand it is read by networking_poll and
 * dispatched to c-toxcore's own handlers (handle_ping_request, handle_getnodes,
 * handle_sendnodes_ipv6, cryptopacket_handle, handle_LANdiscovery …), and whatever it sends
 * in reply is recorded instead of sent. So the generator can ask c-toxcore both "what bytes
 * do you build?" and "do you accept these bytes?", and a vector's verdict is c-toxcore's.
 * Its random source is Det_Rng: we script the next bytes it draws (the nonce, the ping id),
 * and check that it drew exactly those.
 * ------------------------------------------------------------------------------------ */

#define PING_ID_SIZE 8

enum {
    PKT_PING_REQUEST = 0x00,
    PKT_PING_RESPONSE = 0x01,
    PKT_GET_NODES = 0x02,
    PKT_SEND_NODES = 0x04,
    PKT_CRYPTO = 0x20,
    PKT_LAN_DISCOVERY = 0x21,
};

/* 1 + public key + nonce: where the box of a DHT packet starts. */
#define DHT_BOX_AT (1 + KEY_SIZE + NONCE_SIZE)
/* 1 + two public keys + nonce: where the box of a DHT request starts (CRYPTO_SIZE). */
#define REQUEST_BOX_AT (1 + 2 * KEY_SIZE + NONCE_SIZE)


typedef struct Dht_Node {
    Udp_Node u; /* the DHT object on the fake network, its keys and Random */
    /* What c-toxcore handed our callbacks during the last deliver(). */
    Node_format heard_nodes[8];
    int n_heard_nodes;
    int request_calls;
    uint8_t request_id;
    uint8_t request_from[KEY_SIZE];
    uint8_t request_data[PACKET_CAP];
    size_t request_len;
} Dht_Node;

/* c-toxcore's clock: one fixed instant, so nothing times out while the generator runs. */
static uint64_t fixed_time_ms(void *user_data)
{
    UNUSED(user_data);
    return 1000000;
}

static void on_nodes_response(const DHT *dht, const Node_format *node, void *user_data)
{
    UNUSED(dht);
    Dht_Node *n = (Dht_Node *)user_data;
    CHECK(n->n_heard_nodes < 8, "too many nodes reported");
    n->heard_nodes[n->n_heard_nodes++] = *node;
}

static int on_request(Dht_Node *n, uint8_t id, const uint8_t *source_pubkey, const uint8_t *data, uint16_t len)
{
    ++n->request_calls;
    n->request_id = id;
    memcpy(n->request_from, source_pubkey, KEY_SIZE);
    memcpy(n->request_data, data, len);
    n->request_len = len;
    return 0;
}

/* Our handler for request id 100 (which c-toxcore leaves unhandled), to see exactly what
 * cryptopacket_handle delivers. */
static int on_request_100(void *object, const IP_Port *ip_port, const uint8_t *source_pubkey, const uint8_t *data,
                          uint16_t len, void *userdata)
{
    UNUSED(ip_port); UNUSED(userdata);
    return on_request((Dht_Node *)object, 100, source_pubkey, data, len);
}

/* A c-toxcore DHT node with a seeded key pair (label "toxlink/dht/LABEL/secret-key"), a
 * seeded random source, reachable at host:port, whose clock is `clock` (in ms). */
static Dht_Node *node_new_clocked(const char *label, const char *host, uint16_t port, mono_time_current_time_cb *clock)
{
    Dht_Node *n = (Dht_Node *)calloc(1, sizeof *n);
    CHECK(n != NULL, "out of memory");
    udp_node_init(&n->u, "toxlink/dht", label, host, port);
    n->u.mono_time = mono_time_new(clock, NULL);
    CHECK(n->u.mono_time != NULL, "mono_time_new");
    udp_node_open(&n->u, logger, true);
    dht_callback_get_nodes_response(n->u.dht, on_nodes_response);
    return n;
}

/* A DHT node whose clock stands still (fixed_time_ms). */
static Dht_Node *node_new(const char *label, const char *host, uint16_t port)
{
    return node_new_clocked(label, host, port, fixed_time_ms);
}

static void node_free(Dht_Node *n)
{
    udp_node_close(&n->u);
    free(n);
}

/* The next bytes `n` draws are the seeded bytes of `label`; returns them in `out`. */
static void script_draws(Dht_Node *n, const char *label, uint8_t *out, size_t len)
{
    rng_script_seeded(&n->u.rng, label, out, len);
}

/* Checks that c-toxcore drew exactly the scripted bytes, and no more. */
static void expect_script_used(Dht_Node *n, const char *what)
{
    rng_expect_used(&n->u.rng, what);
}

static void clear_sent(Dht_Node *n)
{
    n->u.fnet.n_sent = 0;
    n->u.rng.drawn = 0;
}

/* Hands `packet` to `to` as if it came from `from` (an IPv4 sender as AF_INET), runs
 * c-toxcore's networking_poll, and returns how many packets `to` sent while handling it. */
static int deliver(Dht_Node *to, const IP_Port *from, const uint8_t *packet, size_t len)
{
    to->n_heard_nodes = 0;
    to->request_calls = 0;
    to->u.rng.drawn = 0;
    return udp_node_deliver(&to->u, from, IPV4_SOCKET, packet, len, to);
}

static bool in_close_list(const Dht_Node *n, const uint8_t *pk)
{
    Node_format nodes[16];
    const uint16_t count = closelist_nodes(n->u.dht, nodes, 16);
    for (uint16_t i = 0; i < count; ++i) {
        if (memcmp(nodes[i].public_key, pk, KEY_SIZE) == 0) {
            return true;
        }
    }
    return false;
}

/* The key `a` and `b` share (encrypt_precompute of b's public and a's secret key). */
static void shared_of(const Dht_Node *a, const Dht_Node *b, uint8_t *k)
{
    CHECK(encrypt_precompute(b->u.pk, a->u.sk, k) == 0, "encrypt_precompute");
}

/* Opens the box of a DHT packet (ping or nodes) with c-toxcore's decrypt_data_symmetric;
 * returns the plaintext length, or -1. */
static int open_dht_packet(const Dht_Node *receiver, const uint8_t *packet, size_t len, uint8_t *plain)
{
    uint8_t k[KEY_SIZE];
    CHECK(len > DHT_BOX_AT + MAC_SIZE, "packet too short to open");
    CHECK(encrypt_precompute(packet + 1, receiver->u.sk, k) == 0, "encrypt_precompute");
    return decrypt_data_symmetric(k, packet + 1 + KEY_SIZE, packet + DHT_BOX_AT, len - DHT_BOX_AT, plain);
}

/* Seals `plain` as a DHT packet of `type` from `sender` to `receiver` with c-toxcore's
 * dht_create_packet, the nonce scripted from `nonce_label`; returns the length. */
static size_t seal_dht_packet(Dht_Node *sender, const Dht_Node *receiver, uint8_t type, const uint8_t *plain,
                              size_t plain_len, const char *nonce_label, uint8_t *out)
{
    uint8_t k[KEY_SIZE], nonce[NONCE_SIZE];
    shared_of(sender, receiver, k);
    script_draws(sender, nonce_label, nonce, NONCE_SIZE);
    const int len = dht_create_packet(&sender->u.random, sender->u.pk, k, type, plain, plain_len, out, PACKET_CAP);
    expect_script_used(sender, "dht_create_packet");
    CHECK(len == (int)(DHT_BOX_AT + plain_len + MAC_SIZE), "dht_create_packet returned %d", len);
    CHECK(memcmp(out + 1 + KEY_SIZE, nonce, NONCE_SIZE) == 0, "dht_create_packet did not use the scripted nonce");
    return (size_t)len;
}

/* The expected half of an encode vector: the shared key and the packet. */
static void expect_shared_key_and_packet(Json *j, const uint8_t *k, const uint8_t *packet, size_t len)
{
    vector_expected(j);
    kv_hex(j, "shared_key", k, KEY_SIZE);
    kv_hex(j, "packet", packet, len);
    vector_end(j);
}

/* The DHT key pairs of two nodes, as "FIRST_public_key", "FIRST_secret_key", then SECOND's. */
static void emit_key_pairs(Json *j, const char *first, const Udp_Node *a, const char *second, const Udp_Node *b)
{
    char k[64];
    const char *const roles[2] = {first, second};
    const Udp_Node *const nodes[2] = {a, b};
    for (int i = 0; i < 2; ++i) {
        snprintf(k, sizeof k, "%s_public_key", roles[i]);
        kv_hex(j, k, nodes[i]->pk, KEY_SIZE);
        snprintf(k, sizeof k, "%s_secret_key", roles[i]);
        kv_hex(j, k, nodes[i]->sk, KEY_SIZE);
    }
}

static void emit_keys(Json *j, const Dht_Node *sender, const Dht_Node *receiver)
{
    emit_key_pairs(j, "sender", &sender->u, "receiver", &receiver->u);
}

#define SOURCE_DHT                                                                                                 \
    "test/vectors/generator/gen.c linked statically against the Debian libtoxcore.a of c-toxcore 0.2.18 "         \
    "(libtoxcore-dev 0.2.18-1) and libsodium. The generator runs real c-toxcore DHT objects (new_networking_ex + " \
    "new_dht) on a fake Network whose socket calls it answers itself, with a deterministic Random whose next "     \
    "bytes it scripts (nonces, ping ids); no packet leaves the process. Keys and scripted bytes are libsodium "    \
    "randombytes_buf_deterministic bytes seeded with BLAKE2b-256 of a label. "

/* ---------------------------------------------------------------------------------------
 * dht-ping
 * ------------------------------------------------------------------------------------ */

/* Starts an encode vector of a DHT packet `sender` built for `receiver`: its kind, both
 * key pairs and the nonce. Returns the key they share in `k`. */
static void dht_encode_begin(Json *j, const char *name, const char *kind, const Dht_Node *sender,
                             const Dht_Node *receiver, const uint8_t *packet, uint8_t *k)
{
    shared_of(sender, receiver, k);
    vector_begin(j, name);
    kv_str(j, "kind", kind);
    emit_keys(j, sender, receiver);
    kv_hex(j, "nonce", packet + 1 + KEY_SIZE, NONCE_SIZE);
}

/* Starts a decode vector of a DHT packet given to `receiver`, up to its expected half: the
 * error (returns false), or the sender's key and the nonce (returns true; the caller adds
 * the fields and ends the vector either way). */
static bool dht_decode_begin(Json *j, const char *name, const char *kind, const Dht_Node *receiver,
                             const uint8_t *packet, size_t len, const char *error)
{
    vector_begin(j, name);
    kv_str(j, "kind", kind);
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "receiver_secret_key", receiver->u.sk, KEY_SIZE);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
        return false;
    }
    kv_hex(j, "sender_public_key", packet + 1, KEY_SIZE);
    kv_hex(j, "nonce", packet + 1 + KEY_SIZE, NONCE_SIZE);
    return true;
}

static void ping_encode_vector(Json *j, const char *name, const char *kind, const Dht_Node *sender,
                               const Dht_Node *receiver, const uint8_t *packet, const uint8_t *ping_id)
{
    uint8_t k[KEY_SIZE];
    dht_encode_begin(j, name, kind, sender, receiver, packet, k);
    kv_hex(j, "ping_id", ping_id, PING_ID_SIZE);
    expect_shared_key_and_packet(j, k, packet, 82);
}

static void ping_decode_vector(Json *j, const char *name, const char *kind, const Dht_Node *receiver,
                               const uint8_t *packet, size_t len, const char *error, const uint8_t *ping_id)
{
    if (dht_decode_begin(j, name, kind, receiver, packet, len, error)) {
        kv_hex(j, "ping_id", ping_id, PING_ID_SIZE);
    }
    vector_end(j);
}

/* Builds a ping request from `a` to `b` with c-toxcore's ping_send_request; returns the
 * ping id it chose (random_u64 from the script, rounded by ping_array_add). */
static void c_ping_request(Dht_Node *a, Dht_Node *b, const char *label, uint8_t *packet, uint8_t *ping_id)
{
    char l[256];
    uint8_t script[PING_ID_SIZE + NONCE_SIZE];
    snprintf(l, sizeof l, "toxlink/dht-ping/%s/request-draws", label);
    script_draws(a, l, script, sizeof script);
    clear_sent(a);
    ping_send_request(dht_get_ping(a->u.dht), &b->u.addr, b->u.pk);
    expect_script_used(a, "ping_send_request");
    CHECK(a->u.fnet.n_sent == 1, "ping_send_request sent %d packets", a->u.fnet.n_sent);
    const Sent_Packet *p = &a->u.fnet.sent[0];
    CHECK(p->len == 82 && p->data[0] == PKT_PING_REQUEST && same_ip_port(&p->to, &b->u.addr), "ping request shape");
    CHECK(memcmp(p->data + 1, a->u.pk, KEY_SIZE) == 0, "ping request does not carry the sender's key");
    /* ping_send_request draws the ping id first, then the nonce. */
    CHECK(memcmp(p->data + 1 + KEY_SIZE, script + PING_ID_SIZE, NONCE_SIZE) == 0, "nonce is not the scripted one");
    memcpy(packet, p->data, 82);
    uint8_t plain[16];
    CHECK(open_dht_packet(b, packet, 82, plain) == 9 && plain[0] == PKT_PING_REQUEST, "cannot open the ping request");
    memcpy(ping_id, plain + 1, PING_ID_SIZE);
}

static int gen_dht_ping(void)
{
    Json j;
    suite_begin(&j, "dht-ping",
                "DHT ping request (0x00) and response (0x01): [kind][sender DHT public key 32][nonce 24]"
                "[box: MAC 16 + plaintext [kind][ping id 8]], exactly 82 bytes, sealed with the key the sender "
                "and receiver share (crypto_box_beforenm). The ping id is 8 opaque bytes, echoed by the response. "
                "Encode vectors give both key pairs, nonce and ping id, and the shared key and packet; decoding "
                "the packet as the receiver gives the sender key, nonce and ping id back. Decode vectors give a "
                "packet, the handler it is given to ('kind') and the receiver's secret key, and either the "
                "fields or an error: 'truncated' / 'trailing-bytes' / 'bad-value' (inner kind differs from the "
                "outer one) are toxlink DecodeError codes, 'bad-mac' means the box does not open.",
                SOURCE_DHT "Encode vectors: requests built by ping_send_request, responses by ping_send_response "
                "(called by handle_ping_request on the request); each request was answered and each response "
                "accepted (the responder joined the requester's close list). Decode vectors: packets sealed "
                "with dht_create_packet (the layout ping.c writes), each given to handle_ping_request or "
                "handle_ping_response: a refused request got no answer, a refused response left the close "
                "list empty while the correct response with the same ping id, given afterwards, was accepted.");
    char name[200], l[256];

    static const struct {
        const char *label;
        const char *a_host, *b_host;
        uint16_t a_port, b_port;
    } rounds[] = {
        {"ipv4", "198.51.100.10", "203.0.113.20", 33445, 33446},
        {"ipv6", "2001:db8::10", "2001:db8:1::20", 33445, 33445},
    };
    for (size_t r = 0; r < sizeof rounds / sizeof rounds[0]; ++r) {
        snprintf(l, sizeof l, "ping/%s/a", rounds[r].label);
        Dht_Node *a = node_new(l, rounds[r].a_host, rounds[r].a_port);
        snprintf(l, sizeof l, "ping/%s/b", rounds[r].label);
        Dht_Node *b = node_new(l, rounds[r].b_host, rounds[r].b_port);

        uint8_t request[82], ping_id[PING_ID_SIZE];
        c_ping_request(a, b, rounds[r].label, request, ping_id);
        snprintf(name, sizeof name, "request built by ping_send_request (%s)", rounds[r].label);
        ping_encode_vector(&j, name, "request", a, b, request, ping_id);

        uint8_t nonce[NONCE_SIZE];
        snprintf(l, sizeof l, "toxlink/dht-ping/%s/response-nonce", rounds[r].label);
        script_draws(b, l, nonce, NONCE_SIZE);
        CHECK(deliver(b, &a->u.addr, request, sizeof request) == 1, "handle_ping_request did not answer");
        expect_script_used(b, "ping_send_response");
        const Sent_Packet *p = &b->u.fnet.sent[0];
        CHECK(p->len == 82 && p->data[0] == PKT_PING_RESPONSE && same_ip_port(&p->to, &a->u.addr), "ping response shape");
        CHECK(memcmp(p->data + 1 + KEY_SIZE, nonce, NONCE_SIZE) == 0, "response nonce is not the scripted one");
        uint8_t response[82], plain[16];
        memcpy(response, p->data, 82);
        CHECK(open_dht_packet(a, response, 82, plain) == 9 && plain[0] == PKT_PING_RESPONSE &&
              memcmp(plain + 1, ping_id, PING_ID_SIZE) == 0, "the response does not echo the ping id");
        CHECK(!in_close_list(a, b->u.pk), "b is in a's close list too early");
        deliver(a, &b->u.addr, response, sizeof response);
        CHECK(in_close_list(a, b->u.pk), "handle_ping_response refused c-toxcore's own response");
        snprintf(name, sizeof name, "response built by ping_send_response (%s)", rounds[r].label);
        ping_encode_vector(&j, name, "response", b, a, response, ping_id);
        node_free(a);
        node_free(b);
    }

    /* ---- requests given to handle_ping_request ---- */
    Dht_Node *a = node_new("ping/neg/a", "198.51.100.11", 33445);
    Dht_Node *b = node_new("ping/neg/b", "203.0.113.21", 33445);
    uint8_t id[PING_ID_SIZE], plain[16], pkt[PACKET_CAP];
    seeded("toxlink/dht-ping/neg/ping-id", id, sizeof id);
    size_t len;

    plain[0] = PKT_PING_REQUEST;
    memcpy(plain + 1, id, PING_ID_SIZE);
    len = seal_dht_packet(a, b, PKT_PING_REQUEST, plain, 9, "toxlink/dht-ping/neg/valid-request", pkt);
    CHECK(deliver(b, &a->u.addr, pkt, len) == 1, "handle_ping_request refused a valid request");
    ping_decode_vector(&j, "request sealed with dht_create_packet (answered)", "request", b, pkt, len, NULL, id);
    pkt[DHT_BOX_AT] ^= 0x01;
    CHECK(deliver(b, &a->u.addr, pkt, len) == 0, "handle_ping_request answered a bad MAC");
    ping_decode_vector(&j, "request with a corrupted MAC", "request", b, pkt, len, "bad-mac", NULL);
    pkt[DHT_BOX_AT] ^= 0x01;
    pkt[len - 1] ^= 0x80;
    CHECK(deliver(b, &a->u.addr, pkt, len) == 0, "handle_ping_request answered a corrupted ciphertext");
    ping_decode_vector(&j, "request with a corrupted ciphertext byte", "request", b, pkt, len, "bad-mac", NULL);
    pkt[len - 1] ^= 0x80;
    CHECK(deliver(b, &a->u.addr, pkt, 73) == 0, "handle_ping_request answered 73 bytes");
    ping_decode_vector(&j, "request cut to 73 bytes (no room for a box)", "request", b, pkt, 73, "truncated", NULL);
    CHECK(deliver(b, &a->u.addr, pkt, 1) == 0, "handle_ping_request answered 1 byte");
    ping_decode_vector(&j, "request of a lone kind byte", "request", b, pkt, 1, "truncated", NULL);

    len = seal_dht_packet(a, b, PKT_PING_REQUEST, plain, 8, "toxlink/dht-ping/neg/short-request", pkt);
    CHECK(len == 81 && deliver(b, &a->u.addr, pkt, len) == 0, "handle_ping_request answered 81 bytes");
    ping_decode_vector(&j, "request of 81 bytes (8-byte plaintext, ping id cut short)", "request", b, pkt, len,
                       "truncated", NULL);
    plain[9] = 0x00;
    len = seal_dht_packet(a, b, PKT_PING_REQUEST, plain, 10, "toxlink/dht-ping/neg/long-request", pkt);
    CHECK(len == 83 && deliver(b, &a->u.addr, pkt, len) == 0, "handle_ping_request answered 83 bytes");
    ping_decode_vector(&j, "request of 83 bytes (10-byte plaintext)", "request", b, pkt, len, "trailing-bytes", NULL);
    plain[0] = PKT_PING_RESPONSE;
    len = seal_dht_packet(a, b, PKT_PING_REQUEST, plain, 9, "toxlink/dht-ping/neg/inner-response", pkt);
    CHECK(deliver(b, &a->u.addr, pkt, len) == 0, "handle_ping_request answered an inner response");
    ping_decode_vector(&j, "request (0x00) whose plaintext says response (0x01)", "request", b, pkt, len, "bad-value",
                       NULL);

    /* ---- responses given to handle_ping_response, for a ping id a really sent ---- */
    uint8_t request[82];
    c_ping_request(a, b, "neg", request, id);
    struct {
        const char *name;
        uint8_t kind;
        size_t plain_len;
        bool flip_mac;
        const char *error;
    } bad_responses[] = {
        {"response of 81 bytes (8-byte plaintext)", PKT_PING_RESPONSE, 8, false, "truncated"},
        {"response of 83 bytes (10-byte plaintext)", PKT_PING_RESPONSE, 10, false, "trailing-bytes"},
        {"response (0x01) whose plaintext says request (0x00)", PKT_PING_REQUEST, 9, false, "bad-value"},
        {"response with a corrupted MAC", PKT_PING_RESPONSE, 9, true, "bad-mac"},
    };
    for (size_t i = 0; i < sizeof bad_responses / sizeof bad_responses[0]; ++i) {
        plain[0] = bad_responses[i].kind;
        memcpy(plain + 1, id, PING_ID_SIZE);
        plain[9] = 0x00;
        snprintf(l, sizeof l, "toxlink/dht-ping/neg/bad-response-%zu", i);
        len = seal_dht_packet(b, a, PKT_PING_RESPONSE, plain, bad_responses[i].plain_len, l, pkt);
        if (bad_responses[i].flip_mac) {
            pkt[DHT_BOX_AT + 3] ^= 0x10;
        }
        deliver(a, &b->u.addr, pkt, len);
        CHECK(!in_close_list(a, b->u.pk), "handle_ping_response accepted: %s", bad_responses[i].name);
        ping_decode_vector(&j, bad_responses[i].name, "response", a, pkt, len, bad_responses[i].error, NULL);
    }
    plain[0] = PKT_PING_RESPONSE;
    memcpy(plain + 1, id, PING_ID_SIZE);
    len = seal_dht_packet(b, a, PKT_PING_RESPONSE, plain, 9, "toxlink/dht-ping/neg/good-response", pkt);
    deliver(a, &b->u.addr, pkt, len);
    CHECK(in_close_list(a, b->u.pk), "handle_ping_response refused the correct response after the bad ones");
    ping_decode_vector(&j, "response sealed with dht_create_packet (accepted after the refused ones)", "response", a,
                       pkt, len, NULL, id);

    node_free(a);
    node_free(b);
    return suite_end(&j);
}

/* ---------------------------------------------------------------------------------------
 * dht-nodes
 * ------------------------------------------------------------------------------------ */

/* Sends a getnodes for `target` from `a` to `b` with c-toxcore's dht_getnodes; returns the
 * packet (113 bytes) and the sendback c-toxcore put in it. */
static void c_getnodes(Dht_Node *a, Dht_Node *b, const uint8_t *target, const char *label, uint8_t *packet,
                       uint8_t *sendback)
{
    char l[256];
    uint8_t script[PING_ID_SIZE + NONCE_SIZE];
    snprintf(l, sizeof l, "toxlink/dht-nodes/%s/getnodes-draws", label);
    script_draws(a, l, script, sizeof script);
    clear_sent(a);
    CHECK(dht_getnodes(a->u.dht, &b->u.addr, b->u.pk, target), "dht_getnodes failed");
    expect_script_used(a, "dht_getnodes");
    CHECK(a->u.fnet.n_sent == 1, "dht_getnodes sent %d packets", a->u.fnet.n_sent);
    const Sent_Packet *p = &a->u.fnet.sent[0];
    CHECK(p->len == 113 && p->data[0] == PKT_GET_NODES && same_ip_port(&p->to, &b->u.addr), "getnodes shape");
    CHECK(memcmp(p->data + 1 + KEY_SIZE, script + PING_ID_SIZE, NONCE_SIZE) == 0, "nonce is not the scripted one");
    memcpy(packet, p->data, 113);
    uint8_t plain[64];
    CHECK(open_dht_packet(b, packet, 113, plain) == 40, "cannot open the getnodes");
    CHECK(memcmp(plain, target, KEY_SIZE) == 0, "getnodes does not carry the target");
    memcpy(sendback, plain + KEY_SIZE, PING_ID_SIZE);
}

static void getnodes_encode_vector(Json *j, const char *name, const Dht_Node *sender, const Dht_Node *receiver,
                                   const uint8_t *packet, const uint8_t *target, const uint8_t *sendback)
{
    uint8_t k[KEY_SIZE];
    dht_encode_begin(j, name, "request", sender, receiver, packet, k);
    kv_hex(j, "target", target, KEY_SIZE);
    kv_hex(j, "sendback", sendback, PING_ID_SIZE);
    expect_shared_key_and_packet(j, k, packet, 113);
}

/* A decode vector. For a request, `nodes` is NULL and `target` set; for a response the
 * other way round. */
static void nodes_decode_vector(Json *j, const char *name, const char *kind, const Dht_Node *receiver,
                                const uint8_t *packet, size_t len, const char *error, const uint8_t *target,
                                const Node_format *nodes, int count, const uint8_t *sendback)
{
    if (dht_decode_begin(j, name, kind, receiver, packet, len, error)) {
        if (target != NULL) {
            kv_hex(j, "target", target, KEY_SIZE);
        } else {
            emit_nodes(j, "nodes", nodes, count);
        }
        kv_hex(j, "sendback", sendback, PING_ID_SIZE);
    }
    vector_end(j);
}

typedef struct Nodes_Case {
    const char *label;
    const char *name;
    const Node_Spec *specs;
    int count;
} Nodes_Case;

static int gen_dht_nodes(void)
{
    Json j;
    suite_begin(&j, "dht-nodes",
                "DHT nodes request (getnodes, 0x02) and response (sendnodes, 0x04), in the DHT packet envelope "
                "[kind][sender DHT public key 32][nonce 24][box: MAC 16 + plaintext]. Request plaintext: "
                "[target public key 32][sendback 8], packet exactly 113 bytes. Response plaintext: "
                "[count 1][count packed nodes][sendback 8], count 1..4, UDP families only, no byte left over. "
                "The sendback is 8 opaque bytes the response echoes. Encode vectors give both key pairs, nonce "
                "and fields, and the shared key and packet (decoding it as the receiver gives the fields back). "
                "Decode vectors give a packet, its kind and the receiver's secret key, and either the fields "
                "or an error: toxlink DecodeError codes, or 'bad-mac' when the box does not open. Hosts are "
                "canonical text as in packed-nodes.json.",
                SOURCE_DHT "Encode vectors: requests built by dht_getnodes; responses built by sendnodes_ipv6 "
                "(called by handle_getnodes on the request) from close lists filled with addto_lists, each "
                "response accepted by handle_sendnodes_ipv6 of the requester, which reported every node "
                "through its get_nodes_response callback. Decode vectors: c-toxcore's own reply when it knows "
                "no nodes, and packets sealed with dht_create_packet that carry the sendback of a real "
                "dht_getnodes; each was given to handle_sendnodes_ipv6 or handle_getnodes, and refused "
                "(requester's close list unchanged, or no reply) or accepted as the vector says.");
    char l[256];

    Dht_Node *a = node_new("nodes/a", "198.51.100.30", 33445);
    Dht_Node *b = node_new("nodes/b", "203.0.113.40", 33445);

    /* ---- getnodes, and the reply of a node that knows nobody ---- */
    uint8_t target[KEY_SIZE], request[113], sendback[PING_ID_SIZE];
    c_getnodes(a, b, a->u.pk, "own-key", request, sendback);
    getnodes_encode_vector(&j, "request built by dht_getnodes, target = the sender's own key (bootstrap lookup)", a,
                           b, request, a->u.pk, sendback);
    seeded("toxlink/dht-nodes/target", target, KEY_SIZE);
    c_getnodes(a, b, target, "random-target", request, sendback);
    getnodes_encode_vector(&j, "request built by dht_getnodes, random target", a, b, request, target, sendback);

    uint8_t nonce[NONCE_SIZE];
    script_draws(b, "toxlink/dht-nodes/empty-reply-nonce", nonce, NONCE_SIZE);
    CHECK(deliver(b, &a->u.addr, request, sizeof request) == 1, "handle_getnodes did not answer");
    expect_script_used(b, "sendnodes_ipv6");
    Sent_Packet empty = b->u.fnet.sent[0];
    CHECK(empty.len == 82 && empty.data[0] == PKT_SEND_NODES && same_ip_port(&empty.to, &a->u.addr), "empty reply shape");
    uint8_t plain[PACKET_CAP];
    CHECK(open_dht_packet(a, empty.data, empty.len, plain) == 9 && plain[0] == 0 &&
          memcmp(plain + 1, sendback, PING_ID_SIZE) == 0, "empty reply plaintext");
    deliver(a, &b->u.addr, empty.data, empty.len);
    CHECK(a->n_heard_nodes == 0 && !in_close_list(a, b->u.pk), "handle_sendnodes_ipv6 accepted a reply with no nodes");
    nodes_decode_vector(&j, "response with count 0 as sendnodes_ipv6 sends it when it knows no node (82 bytes): "
                        "handle_sendnodes_ipv6 refuses it", "response", a, empty.data, empty.len, "bad-value", NULL,
                        NULL, 0, NULL);
    node_free(b);

    /* ---- sendnodes with 1 to 4 nodes, from sendnodes_ipv6 ---- */
    static const Node_Spec one[] = {{false, "192.0.2.1", 33445}};
    static const Node_Spec two[] = {{false, "192.0.2.1", 33445}, {false, "2001:db8::1", 33445}};
    static const Node_Spec three[] = {
        {false, "192.0.2.7", 1},
        {false, "2001:db8:85a3::8a2e:370:7334", 65535},
        {false, "198.51.100.99", 443},
    };
    static const Node_Spec four_v6[] = {
        {false, "2001:db8::a", 33445},
        {false, "2001:db8::b", 33446},
        {false, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffc", 33447},
        {false, "2001:db8::d", 33448},
    };
    static const Node_Spec four_mixed[] = {
        {false, "203.0.113.1", 33445},
        {false, "2001:db8::2", 33445},
        {false, "203.0.113.3", 33445},
        {false, "2001:db8::4", 33445},
    };
    static const Nodes_Case cases[] = {
        {"one", "response built by sendnodes_ipv6 with 1 ipv4 node", one, 1},
        {"two", "response built by sendnodes_ipv6 with 2 nodes (ipv4, ipv6)", two, 2},
        {"three", "response built by sendnodes_ipv6 with 3 nodes (ports 1 and 65535)", three, 3},
        {"four-v6", "response built by sendnodes_ipv6 with 4 ipv6 nodes (the longest response, 286 bytes)", four_v6, 4},
        {"four-mixed", "response built by sendnodes_ipv6 with 4 nodes, ipv4 and ipv6", four_mixed, 4},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        snprintf(l, sizeof l, "nodes/b-%s", cases[c].label);
        b = node_new(l, "203.0.113.41", 33445);
        Node_format added[4];
        for (int i = 0; i < cases[c].count; ++i) {
            snprintf(l, sizeof l, "toxlink/dht-nodes/%s/node-%d", cases[c].label, i);
            node_from_spec(&added[i], &cases[c].specs[i], l);
            CHECK(addto_lists(b->u.dht, &added[i].ip_port, added[i].public_key) > 0, "addto_lists refused node %d", i);
        }
        c_getnodes(a, b, target, cases[c].label, request, sendback);
        snprintf(l, sizeof l, "toxlink/dht-nodes/%s/reply-nonce", cases[c].label);
        script_draws(b, l, nonce, NONCE_SIZE);
        CHECK(deliver(b, &a->u.addr, request, sizeof request) == 1, "handle_getnodes did not answer");
        expect_script_used(b, "sendnodes_ipv6");
        Sent_Packet reply = b->u.fnet.sent[0];
        CHECK(reply.data[0] == PKT_SEND_NODES && same_ip_port(&reply.to, &a->u.addr), "reply shape");
        CHECK(memcmp(reply.data + 1 + KEY_SIZE, nonce, NONCE_SIZE) == 0, "reply nonce is not the scripted one");
        const int plain_len = open_dht_packet(a, reply.data, reply.len, plain);
        CHECK(plain_len > 9 && plain[0] == cases[c].count, "%s: c-toxcore sent %u nodes", cases[c].name, plain[0]);
        CHECK(memcmp(plain + plain_len - PING_ID_SIZE, sendback, PING_ID_SIZE) == 0, "reply does not echo the sendback");
        Node_format nodes[4];
        uint16_t processed = 0;
        const int got = unpack_nodes(nodes, 4, &processed, plain + 1, (uint16_t)(plain_len - 1 - PING_ID_SIZE), false);
        CHECK(got == cases[c].count && processed == plain_len - 1 - PING_ID_SIZE, "unpack_nodes of the reply");
        for (int i = 0; i < got; ++i) {
            bool found = false;
            for (int k = 0; k < cases[c].count; ++k) {
                found = found || same_node(&nodes[i], &added[k]);
            }
            CHECK(found, "reply holds a node that was not added");
        }
        deliver(a, &b->u.addr, reply.data, reply.len);
        CHECK(a->n_heard_nodes == got, "handle_sendnodes_ipv6 reported %d of %d nodes", a->n_heard_nodes, got);
        for (int i = 0; i < got; ++i) {
            CHECK(same_node(&a->heard_nodes[i], &nodes[i]), "handle_sendnodes_ipv6 reported another node");
        }
        uint8_t k[KEY_SIZE];
        shared_of(b, a, k);
        vector_begin(&j, cases[c].name);
        kv_str(&j, "kind", "response");
        emit_keys(&j, b, a);
        kv_hex(&j, "nonce", nonce, NONCE_SIZE);
        emit_nodes(&j, "nodes", nodes, got);
        kv_hex(&j, "sendback", sendback, PING_ID_SIZE);
        vector_expected(&j);
        kv_hex(&j, "shared_key", k, KEY_SIZE);
        kv_hex(&j, "packet", reply.data, reply.len);
        vector_end(&j);
        node_free(b);
    }
    node_free(a);

    /* ---- crafted responses, each to a fresh requester that really sent a getnodes ---- */
    static const Node_Spec v4[] = {{false, "192.0.2.1", 33445}};
    static const Node_Spec v4_five[] = {
        {false, "192.0.2.1", 33445}, {false, "192.0.2.2", 33445}, {false, "192.0.2.3", 33445},
        {false, "192.0.2.4", 33445}, {false, "192.0.2.5", 33445},
    };
    static const Node_Spec v4_pair[] = {{false, "192.0.2.1", 33445}, {false, "192.0.2.2", 33445}};
    static const Node_Spec tcp4[] = {{true, "192.0.2.1", 443}};
    static const Node_Spec tcp6[] = {{true, "2001:db8::1", 443}};
    static const Node_Spec udp_tcp[] = {{false, "192.0.2.1", 33445}, {true, "192.0.2.2", 443}};
    static const Node_Spec port0[] = {{false, "192.0.2.9", 0}};
    static const struct {
        const char *label;
        const char *name;
        uint8_t count;        /* the count byte */
        const Node_Spec *specs;
        int n_specs;
        int family_byte;      /* >= 0: overwrite the first node's family byte */
        int stray;            /* extra bytes of 0x00 after the nodes */
        size_t sendback_len;
        bool flip_mac;
        const char *error;
        int heard;            /* nodes reported when accepted */
    } crafted[] = {
        {"count0-node", "response with count 0 followed by a node", 0, v4, 1, -1, 0, 8, false, "bad-value", 0},
        {"count5", "response with count 5 and 5 nodes (MAX_SENT_NODES is 4)", 5, v4_five, 5, -1, 0, 8, false,
         "bad-value", 0},
        {"count2-one-node", "response with count 2 but 1 node", 2, v4, 1, -1, 0, 8, false, "truncated", 0},
        {"count1-two-nodes", "response with count 1 but 2 nodes", 1, v4_pair, 2, -1, 0, 8, false, "trailing-bytes", 0},
        {"stray-byte", "response with 1 node and a stray byte before the sendback", 1, v4, 1, -1, 1, 8, false,
         "trailing-bytes", 0},
        {"tcp4", "response with a TCP/IPv4 node (family 130)", 1, tcp4, 1, -1, 0, 8, false, "bad-family", 0},
        {"tcp6", "response with a TCP/IPv6 node (family 138)", 1, tcp6, 1, -1, 0, 8, false, "bad-family", 0},
        {"udp-tcp", "response with a UDP node then a TCP node", 2, udp_tcp, 2, -1, 0, 8, false, "bad-family", 0},
        {"family3", "response with an unknown family byte (3)", 1, v4, 1, 3, 0, 8, false, "bad-family", 0},
        {"short-sendback", "response whose sendback is 7 bytes", 1, v4, 1, -1, 0, 7, false, "truncated", 0},
        {"bad-mac", "response with a corrupted MAC", 1, v4, 1, -1, 0, 8, true, "bad-mac", 0},
        {"port0", "response with a node at port 0 (accepted; c-toxcore then ignores the node)", 1, port0, 1, -1, 0, 8,
         false, NULL, 0},
        {"good", "response sealed with dht_create_packet, 1 node (accepted)", 1, v4, 1, -1, 0, 8, false, NULL, 1},
    };
    for (size_t c = 0; c < sizeof crafted / sizeof crafted[0]; ++c) {
        snprintf(l, sizeof l, "nodes/crafted/%s/a", crafted[c].label);
        a = node_new(l, "198.51.100.31", 33445);
        snprintf(l, sizeof l, "nodes/crafted/%s/b", crafted[c].label);
        b = node_new(l, "203.0.113.42", 33445);
        c_getnodes(a, b, a->u.pk, crafted[c].label, request, sendback);

        Node_format nodes[8];
        size_t at = 0;
        plain[at++] = crafted[c].count;
        for (int i = 0; i < crafted[c].n_specs; ++i) {
            snprintf(l, sizeof l, "toxlink/dht-nodes/crafted/%s/node-%d", crafted[c].label, i);
            node_from_spec(&nodes[i], &crafted[c].specs[i], l);
        }
        const int packed = pack_nodes(logger, plain + at, 512, nodes, (uint16_t)crafted[c].n_specs);
        CHECK(packed > 0, "pack_nodes");
        if (crafted[c].family_byte >= 0) {
            plain[at] = (uint8_t)crafted[c].family_byte;
        }
        at += (size_t)packed;
        for (int i = 0; i < crafted[c].stray; ++i) {
            plain[at++] = 0x00;
        }
        memcpy(plain + at, sendback, crafted[c].sendback_len);
        at += crafted[c].sendback_len;
        uint8_t pkt[PACKET_CAP];
        snprintf(l, sizeof l, "toxlink/dht-nodes/crafted/%s/nonce", crafted[c].label);
        const size_t len = seal_dht_packet(b, a, PKT_SEND_NODES, plain, at, l, pkt);
        if (crafted[c].flip_mac) {
            pkt[DHT_BOX_AT + 5] ^= 0x04;
        }
        deliver(a, &b->u.addr, pkt, len);
        const bool accepted = in_close_list(a, b->u.pk);
        CHECK(accepted == (crafted[c].error == NULL), "%s: handle_sendnodes_ipv6 %s it", crafted[c].name,
              accepted ? "accepted" : "refused");
        CHECK(a->n_heard_nodes == crafted[c].heard, "%s: %d nodes reported", crafted[c].name, a->n_heard_nodes);
        nodes_decode_vector(&j, crafted[c].name, "response", a, pkt, len, crafted[c].error, NULL, nodes,
                            crafted[c].n_specs, sendback);
        node_free(a);
        node_free(b);
    }

    /* ---- crafted requests, to handle_getnodes ---- */
    a = node_new("nodes/getnodes/a", "198.51.100.32", 33445);
    b = node_new("nodes/getnodes/b", "203.0.113.43", 33445);
    seeded("toxlink/dht-nodes/getnodes/sendback", sendback, PING_ID_SIZE);
    memcpy(plain, target, KEY_SIZE);
    memcpy(plain + KEY_SIZE, sendback, PING_ID_SIZE);
    plain[40] = 0x00;
    uint8_t pkt[PACKET_CAP];
    size_t len = seal_dht_packet(a, b, PKT_GET_NODES, plain, 40, "toxlink/dht-nodes/getnodes/good", pkt);
    CHECK(deliver(b, &a->u.addr, pkt, len) == 1, "handle_getnodes did not answer a valid request");
    nodes_decode_vector(&j, "request sealed with dht_create_packet (answered)", "request", b, pkt, len, NULL, target,
                        NULL, 0, sendback);
    pkt[DHT_BOX_AT + 7] ^= 0x01;
    CHECK(deliver(b, &a->u.addr, pkt, len) == 0, "handle_getnodes answered a bad MAC");
    nodes_decode_vector(&j, "request with a corrupted MAC", "request", b, pkt, len, "bad-mac", NULL, NULL, 0, NULL);
    len = seal_dht_packet(a, b, PKT_GET_NODES, plain, 39, "toxlink/dht-nodes/getnodes/short", pkt);
    CHECK(len == 112 && deliver(b, &a->u.addr, pkt, len) == 0, "handle_getnodes answered 112 bytes");
    nodes_decode_vector(&j, "request of 112 bytes (39-byte plaintext)", "request", b, pkt, len, "truncated", NULL, NULL,
                        0, NULL);
    len = seal_dht_packet(a, b, PKT_GET_NODES, plain, 41, "toxlink/dht-nodes/getnodes/long", pkt);
    CHECK(len == 114 && deliver(b, &a->u.addr, pkt, len) == 0, "handle_getnodes answered 114 bytes");
    nodes_decode_vector(&j, "request of 114 bytes (41-byte plaintext)", "request", b, pkt, len, "trailing-bytes", NULL,
                        NULL, 0, NULL);
    node_free(a);
    node_free(b);

    return suite_end(&j);
}

/* ---------------------------------------------------------------------------------------
 * dht-request
 * ------------------------------------------------------------------------------------ */

#define NAT_PING_ID 254
#define ARBITRARY_ID 100

/* Builds a DHT request from `a` to `receiver` with c-toxcore's create_request, the nonce
 * scripted from `label`; returns the length (or -1 if create_request refuses). */
static int c_request(Dht_Node *a, const Dht_Node *receiver, uint8_t id, const uint8_t *payload, size_t len,
                     const char *label, uint8_t *packet)
{
    char l[256];
    uint8_t nonce[NONCE_SIZE];
    snprintf(l, sizeof l, "toxlink/dht-request/%s/nonce", label);
    script_draws(a, l, nonce, NONCE_SIZE);
    const int out = create_request(&a->u.random, a->u.pk, a->u.sk, packet, receiver->u.pk, payload, (uint32_t)len, id);
    if (out < 0) {
        a->u.rng.script_len = a->u.rng.script_pos = 0;
        return out;
    }
    expect_script_used(a, "create_request");
    CHECK(memcmp(packet + 1 + 2 * KEY_SIZE, nonce, NONCE_SIZE) == 0, "create_request did not use the scripted nonce");
    return out;
}

/* What we build by hand where create_request refuses: the same layout, boxed with
 * c-toxcore's encrypt_data. */
static size_t hand_request(const Dht_Node *a, const Dht_Node *receiver, uint8_t id, size_t payload_len,
                           const char *label, uint8_t *packet)
{
    char l[256];
    uint8_t nonce[NONCE_SIZE], plain[PACKET_CAP];
    seeded_f(nonce, NONCE_SIZE, "toxlink/dht-request/%s/nonce", label);
    snprintf(l, sizeof l, "toxlink/dht-request/%s/payload", label);
    plain[0] = id;
    seeded(l, plain + 1, payload_len);
    packet[0] = PKT_CRYPTO;
    memcpy(packet + 1, receiver->u.pk, KEY_SIZE);
    memcpy(packet + 1 + KEY_SIZE, a->u.pk, KEY_SIZE);
    memcpy(packet + 1 + 2 * KEY_SIZE, nonce, NONCE_SIZE);
    const int boxed = encrypt_data(receiver->u.pk, a->u.sk, nonce, plain, payload_len + 1, packet + REQUEST_BOX_AT);
    CHECK(boxed == (int)(payload_len + 1 + MAC_SIZE), "encrypt_data");
    return REQUEST_BOX_AT + (size_t)boxed;
}

/* handle_request as `receiver`: the payload length, or -1. */
static int c_open_request(const Dht_Node *receiver, const uint8_t *packet, size_t len, uint8_t *id, uint8_t *payload)
{
    uint8_t from[KEY_SIZE];
    return handle_request(receiver->u.pk, receiver->u.sk, from, payload, id, packet, (uint16_t)len);
}

static void nat_ping_fields(Json *j, const uint8_t *payload, size_t len)
{
    j_key(j, "nat_ping");
    j_open(j, '{');
    if (len == 1 + PING_ID_SIZE && payload[0] <= 1) {
        kv_str(j, "kind", payload[0] == 0 ? "request" : "response");
        kv_hex(j, "ping_id", payload + 1, PING_ID_SIZE);
    } else {
        kv_str(j, "error", len < 1 + PING_ID_SIZE ? "truncated" : len > 1 + PING_ID_SIZE ? "trailing-bytes" : "bad-value");
    }
    j_close(j, '}');
}

static void request_encode_vector(Json *j, const char *name, const Dht_Node *sender, const Dht_Node *receiver,
                                  uint8_t id, const uint8_t *payload, size_t payload_len, const uint8_t *packet,
                                  size_t len)
{
    uint8_t k[KEY_SIZE];
    shared_of(sender, receiver, k);
    vector_begin(j, name);
    emit_keys(j, sender, receiver);
    kv_hex(j, "nonce", packet + 1 + 2 * KEY_SIZE, NONCE_SIZE);
    kv_u64(j, "request_id", id);
    kv_hex(j, "payload", payload, payload_len);
    if (id == NAT_PING_ID) {
        nat_ping_fields(j, payload, payload_len);
    }
    expect_shared_key_and_packet(j, k, packet, len);
}

static void request_decode_vector(Json *j, const char *name, const Dht_Node *receiver, const uint8_t *packet,
                                  size_t len, const char *error)
{
    vector_begin(j, name);
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "receiver_secret_key", receiver->u.sk, KEY_SIZE);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        uint8_t id, payload[PACKET_CAP];
        const int got = c_open_request(receiver, packet, len, &id, payload);
        CHECK(got > 0, "%s: handle_request refused a packet meant to be accepted", name);
        kv_hex(j, "receiver_public_key", packet + 1, KEY_SIZE);
        kv_hex(j, "sender_public_key", packet + 1 + KEY_SIZE, KEY_SIZE);
        kv_hex(j, "nonce", packet + 1 + 2 * KEY_SIZE, NONCE_SIZE);
        kv_u64(j, "request_id", id);
        kv_hex(j, "payload", payload, (size_t)got);
        if (id == NAT_PING_ID) {
            nat_ping_fields(j, payload, (size_t)got);
        }
    }
    vector_end(j);
}

static int gen_dht_request(void)
{
    Json j;
    suite_begin(&j, "dht-request",
                "DHT request (NET_PACKET_CRYPTO, 0x20): [0x20][receiver DHT public key 32][sender DHT public key "
                "32][nonce 24][box: MAC 16 + plaintext [request id 1][payload]], 107..1024 bytes for a request "
                "its receiver takes. Request id 254 is a NAT ping, payload [0 request | 1 response][ping id 8]. "
                "Encode vectors give both key pairs, nonce, request id and payload (and, for NAT pings, the "
                "payload's fields in 'nat_ping'), and the shared key and packet. Decode vectors give a packet "
                "and its receiver's secret key, and either the header fields, request id and payload (with "
                "'nat_ping': its fields or the error decoding the payload as a NAT ping gives) or an error: "
                "toxlink DecodeError codes, or 'bad-mac' when the box does not open.",
                SOURCE_DHT "Encode vectors: create_request; every one was delivered by cryptopacket_handle of "
                "the receiver (generic ones to a handler the generator registered for id 100; NAT pings to "
                "c-toxcore's own handle_NATping of a node that has the sender as DHT friend, which acted on "
                "them: it answered the request and renewed its ping id on the response). NAT ping payloads are "
                "laid out as the static send_NATping lays them out. Packets create_request refuses to build "
                "(over 1024 bytes) are built by the generator in the same layout and boxed with encrypt_data. "
                "Decode verdicts: handle_request of the receiver, and delivery by its cryptopacket_handle; the "
                "1040- and 1041-byte vectors were also given to a node that has the receiver in its close "
                "list (it forwards 1040 bytes and drops 1041); the NAT ping payload errors were given to "
                "handle_NATping, which did not act on them.");
    uint8_t pkt[PACKET_CAP], payload[PACKET_CAP], id, got_payload[PACKET_CAP];
    int len;

    Dht_Node *a = node_new("request/a", "198.51.100.50", 33445);
    Dht_Node *b = node_new("request/b", "203.0.113.60", 33445);
    Dht_Node *c = node_new("request/c", "192.0.2.70", 33445);
    Dht_Node *nat = node_new("request/nat", "203.0.113.61", 33445);
    cryptopacket_registerhandler(b->u.dht, ARBITRARY_ID, on_request_100, b);
    cryptopacket_registerhandler(c->u.dht, ARBITRARY_ID, on_request_100, c);
    CHECK(addto_lists(b->u.dht, &c->u.addr, c->u.pk) > 0, "addto_lists");
    uint8_t nat_id[PING_ID_SIZE];
    script_draws(nat, "toxlink/dht-request/nat-ping-id", nat_id, PING_ID_SIZE);
    CHECK(dht_addfriend(nat->u.dht, a->u.pk, NULL, NULL, 0, NULL) == 0, "dht_addfriend");
    expect_script_used(nat, "dht_addfriend");

    /* ---- NAT pings, to handle_NATping ---- */
    payload[0] = 0; /* NAT_PING_REQUEST */
    seeded("toxlink/dht-request/nat-request-id", payload + 1, PING_ID_SIZE);
    len = c_request(a, nat, NAT_PING_ID, payload, 9, "nat-request", pkt);
    CHECK(len == 89 + 1 + 9 + MAC_SIZE, "NAT ping request length %d", len);
    deliver(nat, &a->u.addr, pkt, (size_t)len);
    CHECK(nat->u.rng.drawn > 0, "handle_NATping did not answer the NAT ping request");
    request_encode_vector(&j, "NAT ping request (create_request, request id 254)", a, nat, NAT_PING_ID, payload, 9, pkt,
                          (size_t)len);
    payload[0] = 1; /* NAT_PING_RESPONSE, echoing the id nat holds for a */
    memcpy(payload + 1, nat_id, PING_ID_SIZE);
    len = c_request(a, nat, NAT_PING_ID, payload, 9, "nat-response", pkt);
    deliver(nat, &a->u.addr, pkt, (size_t)len);
    CHECK(nat->u.rng.drawn == PING_ID_SIZE, "handle_NATping did not take the NAT ping response (%zu)", nat->u.rng.drawn);
    request_encode_vector(&j, "NAT ping response (create_request, request id 254)", a, nat, NAT_PING_ID, payload, 9,
                          pkt, (size_t)len);

    static const struct {
        const char *label;
        const char *name;
        uint8_t kind;
        size_t len;
        const char *error;
    } bad_nat[] = {
        {"nat-short", "NAT ping with an 8-byte payload (ping id cut short)", 0, 8, "truncated"},
        {"nat-long", "NAT ping with a 10-byte payload", 0, 10, "trailing-bytes"},
        {"nat-kind2", "NAT ping of kind 2", 2, 9, "bad-value"},
    };
    for (size_t i = 0; i < sizeof bad_nat / sizeof bad_nat[0]; ++i) {
        payload[0] = bad_nat[i].kind;
        seeded("toxlink/dht-request/nat-request-id", payload + 1, PING_ID_SIZE);
        payload[9] = 0x00;
        len = c_request(a, nat, NAT_PING_ID, payload, bad_nat[i].len, bad_nat[i].label, pkt);
        CHECK(c_open_request(nat, pkt, (size_t)len, &id, got_payload) == (int)bad_nat[i].len, "handle_request");
        deliver(nat, &a->u.addr, pkt, (size_t)len);
        CHECK(nat->u.rng.drawn == 0, "handle_NATping acted on: %s", bad_nat[i].name);
        request_decode_vector(&j, bad_nat[i].name, nat, pkt, (size_t)len, NULL);
    }

    /* ---- other payloads, delivered to our handler for id 100 ---- */
    static const struct {
        const char *label;
        const char *name;
        size_t len;
    } sizes[] = {
        {"payload-50", "request id 100, 50-byte payload", 50},
        {"payload-1", "request id 100, 1-byte payload (107 bytes, the shortest a receiver takes)", 1},
        {"payload-918", "request id 100, 918-byte payload (1024 bytes, the longest create_request builds)", 918},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
        seeded_f(payload, sizes[i].len, "toxlink/dht-request/%s/payload", sizes[i].label);
        len = c_request(a, b, ARBITRARY_ID, payload, sizes[i].len, sizes[i].label, pkt);
        CHECK(len == (int)(REQUEST_BOX_AT + 1 + sizes[i].len + MAC_SIZE), "create_request length %d", len);
        deliver(b, &a->u.addr, pkt, (size_t)len);
        CHECK(b->request_calls == 1 && b->request_id == ARBITRARY_ID && b->request_len == sizes[i].len &&
              memcmp(b->request_data, payload, sizes[i].len) == 0 && memcmp(b->request_from, a->u.pk, KEY_SIZE) == 0,
              "%s: cryptopacket_handle did not deliver it", sizes[i].name);
        request_encode_vector(&j, sizes[i].name, a, b, ARBITRARY_ID, payload, sizes[i].len, pkt, (size_t)len);
    }
    CHECK(c_request(a, b, ARBITRARY_ID, payload, 919, "payload-919", pkt) == -1, "create_request built 1025 bytes");

    /* ---- refused ---- */
    seeded("toxlink/dht-request/payload-1/payload", payload, 1);
    len = c_request(a, b, ARBITRARY_ID, payload, 1, "payload-1", pkt);
    CHECK(c_open_request(b, pkt, 105, &id, got_payload) == -1, "handle_request took 105 bytes");
    deliver(b, &a->u.addr, pkt, 105);
    CHECK(b->request_calls == 0 && b->u.fnet.n_sent == 0, "cryptopacket_handle took 105 bytes");
    request_decode_vector(&j, "105 bytes: a box with no room for the request id", b, pkt, 105, "truncated");

    len = c_request(a, b, ARBITRARY_ID, payload, 0, "payload-0", pkt);
    CHECK(len == 106, "create_request with no payload: %d", len);
    CHECK(c_open_request(b, pkt, (size_t)len, &id, got_payload) == 0, "handle_request did not open 106 bytes");
    deliver(b, &a->u.addr, pkt, (size_t)len);
    CHECK(b->request_calls == 0, "cryptopacket_handle delivered an empty payload");
    request_decode_vector(&j, "106 bytes: request id 100 and an empty payload (handle_request opens it, "
                          "cryptopacket_handle drops it)", b, pkt, (size_t)len, "truncated");

    size_t hlen = hand_request(a, b, ARBITRARY_ID, 919, "payload-919", pkt);
    CHECK(hlen == 1025 && c_open_request(b, pkt, hlen, &id, got_payload) == -1, "handle_request took 1025 bytes");
    deliver(b, &a->u.addr, pkt, hlen);
    CHECK(b->request_calls == 0, "cryptopacket_handle delivered 1025 bytes");
    request_decode_vector(&j, "1025 bytes (over MAX_CRYPTO_REQUEST_SIZE)", b, pkt, hlen, "trailing-bytes");

    hlen = hand_request(a, c, ARBITRARY_ID, 934, "payload-934", pkt);
    CHECK(hlen == 1040 && c_open_request(c, pkt, hlen, &id, got_payload) == -1, "handle_request took 1040 bytes");
    CHECK(deliver(b, &a->u.addr, pkt, hlen) == 1 && b->u.fnet.sent[0].len == hlen &&
          memcmp(b->u.fnet.sent[0].data, pkt, hlen) == 0 && same_ip_port(&b->u.fnet.sent[0].to, &c->u.addr),
          "cryptopacket_handle did not forward 1040 bytes");
    deliver(c, &a->u.addr, pkt, hlen);
    CHECK(c->request_calls == 0, "the receiver delivered 1040 bytes");
    request_decode_vector(&j, "1040 bytes for another node: c-toxcore forwards it (limit MAX_CRYPTO_REQUEST_SIZE + "
                          "CRYPTO_MAC_SIZE), its receiver refuses it", c, pkt, hlen, "trailing-bytes");
    hlen = hand_request(a, c, ARBITRARY_ID, 935, "payload-935", pkt);
    CHECK(hlen == 1041 && deliver(b, &a->u.addr, pkt, hlen) == 0, "cryptopacket_handle forwarded 1041 bytes");
    request_decode_vector(&j, "1041 bytes for another node: c-toxcore neither forwards nor takes it", c, pkt, hlen,
                          "trailing-bytes");

    seeded("toxlink/dht-request/routed/payload", payload, 20);
    len = c_request(a, c, ARBITRARY_ID, payload, 20, "routed", pkt);
    CHECK(deliver(b, &a->u.addr, pkt, (size_t)len) == 1 && b->u.fnet.sent[0].len == (size_t)len &&
          memcmp(b->u.fnet.sent[0].data, pkt, (size_t)len) == 0 && same_ip_port(&b->u.fnet.sent[0].to, &c->u.addr),
          "cryptopacket_handle did not forward a request for a close node");
    deliver(c, &a->u.addr, pkt, (size_t)len);
    CHECK(c->request_calls == 1 && c->request_len == 20, "the receiver did not take the forwarded request");
    request_decode_vector(&j, "request for another node, which c-toxcore forwards unchanged (decoded by its receiver)",
                          c, pkt, (size_t)len, NULL);

    seeded("toxlink/dht-request/payload-50/payload", payload, 50);
    len = c_request(a, b, ARBITRARY_ID, payload, 50, "payload-50", pkt);
    pkt[REQUEST_BOX_AT + 2] ^= 0x40;
    CHECK(c_open_request(b, pkt, (size_t)len, &id, got_payload) == -1, "handle_request took a bad MAC");
    deliver(b, &a->u.addr, pkt, (size_t)len);
    CHECK(b->request_calls == 0, "cryptopacket_handle delivered a bad MAC");
    request_decode_vector(&j, "request with a corrupted MAC", b, pkt, (size_t)len, "bad-mac");

    node_free(a);
    node_free(b);
    node_free(c);
    node_free(nat);
    return suite_end(&j);
}

/* ---------------------------------------------------------------------------------------
 * dht-lan-discovery
 * ------------------------------------------------------------------------------------ */

static void lan_decode_vector(Json *j, const char *name, const uint8_t *packet, size_t len, const char *error)
{
    vector_begin(j, name);
    kv_hex(j, "packet", packet, len);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        kv_hex(j, "public_key", packet + 1, KEY_SIZE);
    }
    vector_end(j);
}

static int gen_dht_lan_discovery(void)
{
    Json j;
    suite_begin(&j, "dht-lan-discovery",
                "LAN discovery (0x21): [0x21][sender DHT public key 32], exactly 33 bytes, unencrypted. Encode "
                "vectors give the key and the packet; decode vectors give a packet and either the key or a "
                "toxlink DecodeError code.",
                SOURCE_DHT "Encode vectors: lan_discovery_send (its IPv6 multicast and IPv4 broadcast copies "
                "are identical). Each packet was given to handle_LANdiscovery of a node with LAN discovery "
                "on, from a LAN address: the accepted ones made it send a getnodes to the sender, the refused "
                "ones did not. The same accepted packet from a non-LAN address was ignored.");
    Dht_Node *b = node_new("lan/b", "192.168.1.30", 33445);
    const IP_Port not_lan = ip_port_of("203.0.113.80", 33445);
    /* lan_discovery_send only reads the interface count of its Broadcast_Info: all-zero
     * memory is "no interfaces", so it sends the multicast and broadcast copies only. */
    void *no_interfaces = calloc(1, 4096);
    CHECK(no_interfaces != NULL, "out of memory");
    uint8_t packet[64];
    for (int k = 0; k < 2; ++k) {
        char label[64];
        snprintf(label, sizeof label, "lan/a%d", k);
        Dht_Node *a = node_new(label, k == 0 ? "192.168.1.20" : "fe80::1", 33445);
        clear_sent(a);
        CHECK(lan_discovery_send(a->u.net, (const Broadcast_Info *)no_interfaces, a->u.pk, htons(33445)), "lan_discovery_send");
        CHECK(a->u.fnet.n_sent >= 1, "lan_discovery_send sent nothing");
        for (int i = 0; i < a->u.fnet.n_sent; ++i) {
            CHECK(a->u.fnet.sent[i].len == 33 && memcmp(a->u.fnet.sent[i].data, a->u.fnet.sent[0].data, 33) == 0,
                  "the copies differ");
        }
        memcpy(packet, a->u.fnet.sent[0].data, 33);
        CHECK(packet[0] == PKT_LAN_DISCOVERY && memcmp(packet + 1, a->u.pk, KEY_SIZE) == 0, "LAN discovery shape");
        CHECK(deliver(b, &a->u.addr, packet, 33) == 1 && b->u.fnet.sent[0].len == 113 && b->u.fnet.sent[0].data[0] == PKT_GET_NODES &&
              same_ip_port(&b->u.fnet.sent[0].to, &a->u.addr), "handle_LANdiscovery did not send a getnodes");
        CHECK(deliver(b, &not_lan, packet, 33) == 0, "handle_LANdiscovery took a packet from a non-LAN address");
        vector_begin(&j, k == 0 ? "built by lan_discovery_send (key 1)" : "built by lan_discovery_send (key 2)");
        kv_hex(&j, "public_key", a->u.pk, KEY_SIZE);
        vector_expected(&j);
        kv_hex(&j, "packet", packet, 33);
        vector_end(&j);
        if (k == 0) {
            packet[33] = 0x00;
            CHECK(deliver(b, &a->u.addr, packet, 32) == 0, "handle_LANdiscovery took 32 bytes");
            lan_decode_vector(&j, "32 bytes (key cut short)", packet, 32, "truncated");
            CHECK(deliver(b, &a->u.addr, packet, 34) == 0, "handle_LANdiscovery took 34 bytes");
            lan_decode_vector(&j, "34 bytes (one byte after the key)", packet, 34, "trailing-bytes");
            CHECK(deliver(b, &a->u.addr, packet, 1) == 0, "handle_LANdiscovery took 1 byte");
            lan_decode_vector(&j, "a lone packet id", packet, 1, "truncated");
        }
        node_free(a);
    }
    free(no_interfaces);
    node_free(b);
    return suite_end(&j);
}

/* ---------------------------------------------------------------------------------------
 * netcrypto-*: c-toxcore's net_crypto, two (or three) instances talking on the fake network.
 *
 * Each Nc_Node is a Dht_Node (above) with a real Net_Crypto on top (new_net_crypto), so its
 * UDP handlers for packets 0x18..0x1b are c-toxcore's own. Everything it draws is scripted:
 * nonces, the cookie request's echo id and the cookie key come from its Random (Det_Rng);
 * the session key pairs come from libsodium's crypto_box_keypair, which reads libsodium's
 * global random source, so main() installs a deterministic one (Sodium_Rng) whose next
 * bytes the generator scripts the same way. The clock is the generator's (nc_clock_ms),
 * read by c-toxcore in milliseconds and, through mono_time, in whole seconds.
 *
 * A packet is "accepted" by c-toxcore when it has the effect c-toxcore gives it: a cookie
 * request is answered, a cookie response makes the requester send its handshake, a
 * handshake reaches the new-connection callback (or lets the connection go on), a data
 * packet reaches the data, lossy-data or status callback. Every data packet a node sends is
 * opened by the generator with the session key and the nonce it expects c-toxcore to have
 * used, so the generator dies if c-toxcore's nonces or layout differ from what it records.
 * ------------------------------------------------------------------------------------ */

#define PKT_COOKIE_REQUEST 0x18
#define PKT_COOKIE_RESPONSE 0x19
#define PKT_CRYPTO_HS 0x1a
#define PKT_CRYPTO_DATA 0x1b
#define COOKIE_LEN 112
#define COOKIE_REQUEST_LEN 145
#define COOKIE_RESPONSE_LEN 161
#define HANDSHAKE_LEN 385
#define HANDSHAKE_PLAIN_LEN (NONCE_SIZE + KEY_SIZE + 64 + COOKIE_LEN)
#define ECHO_ID_SIZE 8
#define MAX_DATA_SIZE 1373 /* MAX_CRYPTO_DATA_SIZE */
#define NC_T0 UINT64_C(1700000000) /* the clock starts here, in seconds */

/* ---- libsodium's global random source, scripted (crypto_box_keypair reads it) ---- */

/* The next bytes libsodium's randombytes_buf hands out are the seeded bytes of `label`. */
static void sodium_script(const char *label, uint8_t *out, size_t len)
{
    rng_script_seeded(&sodium_rng, label, out, len);
}

static void sodium_expect_used(const char *what)
{
    rng_expect_used(&sodium_rng, what);
}

/* ---- the clock ---- */

static uint64_t nc_clock_ms = NC_T0 * 1000;

static uint64_t nc_time_ms(void *user_data)
{
    UNUSED(user_data);
    return nc_clock_ms;
}

#define NC_MAX_NODES 8

typedef struct Nc_Node {
    Dht_Node *d;
    Net_Crypto *nc;
    uint8_t real_pk[KEY_SIZE], real_sk[KEY_SIZE];
    uint8_t cookie_key[KEY_SIZE];
    int conn; /* the crypt connection to the peer, or -1 */
    /* This end's session, as scripted. */
    uint8_t session_pk[KEY_SIZE], session_sk[KEY_SIZE];
    uint8_t base_nonce[NONCE_SIZE];
    uint8_t shared[KEY_SIZE]; /* the session key, once both ends have one */
    bool has_shared;
    uint32_t data_sent;       /* data packets sent: the next send nonce is base_nonce + data_sent */
    /* The new-connection callback: record what it was given, and accept if asked to. */
    bool accept;
    int new_conn_calls;
    New_Connection heard;
    uint8_t heard_cookie[COOKIE_LEN];
    /* The connection's callbacks, since the last nc_reset_calls. */
    int status_calls;
    bool last_status;
    int data_calls;
    uint8_t data[PACKET_CAP];
    size_t data_len;
    int lossy_calls;
    uint8_t lossy[PACKET_CAP];
    size_t lossy_len;
    int dht_pk_calls;
    uint8_t dht_pk[KEY_SIZE];
} Nc_Node;

static Nc_Node *nc_nodes[NC_MAX_NODES];
static int nc_node_count;

/* Sets the clock of every net_crypto node (milliseconds; c-toxcore's seconds follow). */
static void nc_set_clock(uint64_t ms)
{
    nc_clock_ms = ms;
    for (int i = 0; i < nc_node_count; ++i) {
        mono_time_update(nc_nodes[i]->d->u.mono_time);
        CHECK(mono_time_get(nc_nodes[i]->d->u.mono_time) == ms / 1000, "mono_time does not follow the clock");
    }
}

static void nc_reset_calls(Nc_Node *n)
{
    n->new_conn_calls = n->status_calls = n->data_calls = n->lossy_calls = n->dht_pk_calls = 0;
}

static int nc_on_status(void *object, int id, bool status, void *userdata)
{
    UNUSED(id); UNUSED(userdata);
    Nc_Node *n = (Nc_Node *)object;
    ++n->status_calls;
    n->last_status = status;
    return 0;
}

/* A callback heard `data`: counts the call and keeps a copy. */
static int heard(int *calls, uint8_t *copy, size_t *copy_len, const uint8_t *data, uint16_t length)
{
    ++*calls;
    memcpy(copy, data, length);
    *copy_len = length;
    return 0;
}

static int nc_on_data(void *object, int id, const uint8_t *data, uint16_t length, void *userdata)
{
    UNUSED(id); UNUSED(userdata);
    Nc_Node *n = (Nc_Node *)object;
    return heard(&n->data_calls, n->data, &n->data_len, data, length);
}

static int nc_on_lossy(void *object, int id, const uint8_t *data, uint16_t length, void *userdata)
{
    UNUSED(id); UNUSED(userdata);
    Nc_Node *n = (Nc_Node *)object;
    return heard(&n->lossy_calls, n->lossy, &n->lossy_len, data, length);
}

static void nc_on_dht_pk(void *data, int32_t number, const uint8_t *dht_public_key, void *userdata)
{
    UNUSED(number); UNUSED(userdata);
    Nc_Node *n = (Nc_Node *)data;
    ++n->dht_pk_calls;
    memcpy(n->dht_pk, dht_public_key, KEY_SIZE);
}

static void nc_watch(Nc_Node *n)
{
    CHECK(nc_dht_pk_callback(n->nc, n->conn, nc_on_dht_pk, n, 0) == 0 &&
          connection_status_handler(n->nc, n->conn, nc_on_status, n, 0) == 0 &&
          connection_data_handler(n->nc, n->conn, nc_on_data, n, 0) == 0 &&
          connection_lossy_data_handler(n->nc, n->conn, nc_on_lossy, n, 0) == 0, "cannot set connection callbacks");
}

static int nc_on_new_connection(void *object, const New_Connection *n_c)
{
    Nc_Node *n = (Nc_Node *)object;
    ++n->new_conn_calls;
    CHECK(n_c->cookie_length == COOKIE_LEN, "new connection with a %u-byte cookie", n_c->cookie_length);
    n->heard = *n_c;
    memcpy(n->heard_cookie, n_c->cookie, COOKIE_LEN);
    n->heard.cookie = n->heard_cookie;
    if (!n->accept) {
        return -1;
    }
    n->accept = false;
    n->conn = accept_crypto_connection(n->nc, n_c);
    CHECK(n->conn >= 0, "accept_crypto_connection failed");
    nc_watch(n);
    return 0;
}

/* A net_crypto node: real key pair seeded from "toxlink/netcrypto/LABEL/real-secret-key",
 * cookie key from ".../cookie-key", on a DHT node at host:port with the generator's clock. */
static Nc_Node *nc_new(const char *label, const char *host, uint16_t port)
{
    char l[256];
    Nc_Node *n = (Nc_Node *)calloc(1, sizeof *n);
    CHECK(n != NULL && nc_node_count < NC_MAX_NODES, "out of memory");
    snprintf(l, sizeof l, "netcrypto/%s", label);
    n->d = node_new_clocked(l, host, port, nc_time_ms);
    Mono_Time_Head *head = (Mono_Time_Head *)n->d->u.mono_time;
    head->base_time = 0;
    nc_nodes[nc_node_count++] = n;
    nc_set_clock(nc_clock_ms);

    seeded_f(n->real_sk, KEY_SIZE, "toxlink/netcrypto/%s/real-secret-key", label);
    CHECK(crypto_scalarmult_base(n->real_pk, n->real_sk) == 0, "scalarmult_base");

    uint8_t unused_real_sk[KEY_SIZE];
    snprintf(l, sizeof l, "toxlink/netcrypto/%s/cookie-key", label);
    script_draws(n->d, l, n->cookie_key, KEY_SIZE);
    snprintf(l, sizeof l, "toxlink/netcrypto/%s/replaced-real-secret-key", label);
    sodium_script(l, unused_real_sk, KEY_SIZE);
    TCP_Proxy_Info no_proxy;
    memset(&no_proxy, 0, sizeof no_proxy);
    n->nc = new_net_crypto(logger, &n->d->u.random, &n->d->u.ns, n->d->u.mono_time, n->d->u.dht, &no_proxy);
    CHECK(n->nc != NULL, "new_net_crypto failed");
    expect_script_used(n->d, "new_net_crypto (cookie key)");
    sodium_expect_used("new_net_crypto (real key pair)");
    load_secret_key(n->nc, n->real_sk);
    CHECK(memcmp(nc_get_self_public_key(n->nc), n->real_pk, KEY_SIZE) == 0, "load_secret_key");
    new_connection_handler(n->nc, nc_on_new_connection, n);
    n->conn = -1;
    return n;
}

static void nc_free(Nc_Node *n)
{
    kill_net_crypto(n->nc);
    node_free(n->d);
    for (int i = 0; i < nc_node_count; ++i) {
        if (nc_nodes[i] == n) {
            nc_nodes[i] = nc_nodes[--nc_node_count];
            break;
        }
    }
    free(n);
}

/* The next bytes `n`'s Random hands out are exactly `bytes`. */
static void script_bytes(Dht_Node *n, const uint8_t *bytes, size_t len)
{
    CHECK(len <= sizeof n->u.rng.script, "script too long");
    memcpy(n->u.rng.script, bytes, len);
    n->u.rng.script_len = len;
    n->u.rng.script_pos = 0;
    n->u.rng.drawn = 0;
}

/* A packet a node sent, and for a data packet what it holds. */
typedef struct Nc_Packet {
    uint8_t data[PACKET_CAP];
    size_t len;
    IP_Port to;
    /* data packets (0x1b) only: */
    uint8_t nonce[NONCE_SIZE];
    uint8_t plain[PACKET_CAP];
    size_t plain_len;
    uint32_t buffer_start, number;
    const uint8_t *payload; /* into plain, after the padding */
    size_t payload_len;
} Nc_Packet;

static uint32_t read_u32_be(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static void write_u32_be(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* The nonce `count` steps after `base` (increment_nonce_number). */
static void nonce_plus(const uint8_t *base, uint32_t count, uint8_t *out)
{
    memcpy(out, base, NONCE_SIZE);
    increment_nonce_number(out, count);
}

/* Opens a data packet sealed with key `k` and nonce `nonce`; fills the data fields of `p`. */
static bool open_data_packet(const uint8_t *k, const uint8_t *nonce, Nc_Packet *p)
{
    if (p->len < 1 + 2 + MAC_SIZE + 9) {
        return false;
    }
    const int got = decrypt_data_symmetric(k, nonce, p->data + 3, p->len - 3, p->plain);
    if (got < 9) {
        return false;
    }
    memcpy(p->nonce, nonce, NONCE_SIZE);
    p->plain_len = (size_t)got;
    p->buffer_start = read_u32_be(p->plain);
    p->number = read_u32_be(p->plain + 4);
    size_t at = 8;
    while (at < p->plain_len && p->plain[at] == 0) {
        ++at;
    }
    p->payload = p->plain + at;
    p->payload_len = p->plain_len - at;
    return true;
}

/* Copies a packet, keeping its payload pointer inside the copy. */
static void nc_copy(Nc_Packet *dst, const Nc_Packet *src)
{
    *dst = *src;
    if (src->payload != NULL) {
        dst->payload = dst->plain + (src->payload - src->plain);
    }
}

/* Takes what `n` sent since its last clear_sent (at most `max`, in order); opens each data
 * packet with the session key and the nonce c-toxcore must have used (base + count), and
 * checks the two nonce bytes the packet carries. Returns the count. */
static int nc_collect(Nc_Node *n, Nc_Packet *out, int max)
{
    const Fake_Net *f = &n->d->u.fnet;
    CHECK(f->n_sent <= max, "%s sent %d packets, more than expected (%d)", n->d->u.label, f->n_sent, max);
    for (int i = 0; i < f->n_sent; ++i) {
        Nc_Packet *p = &out[i];
        memset(p, 0, sizeof *p);
        memcpy(p->data, f->sent[i].data, f->sent[i].len);
        p->len = f->sent[i].len;
        p->to = f->sent[i].to;
        if (p->data[0] != PKT_CRYPTO_DATA) {
            continue;
        }
        CHECK(n->has_shared, "%s sent a data packet before the session key is known", n->d->u.label);
        uint8_t nonce[NONCE_SIZE];
        nonce_plus(n->base_nonce, n->data_sent, nonce);
        CHECK(p->data[1] == nonce[NONCE_SIZE - 2] && p->data[2] == nonce[NONCE_SIZE - 1],
              "%s: data packet %u carries nonce bytes %02x%02x", n->d->u.label, n->data_sent, p->data[1], p->data[2]);
        CHECK(open_data_packet(n->shared, nonce, p), "%s: data packet %u does not open with base nonce + %u",
              n->d->u.label, n->data_sent, n->data_sent);
        ++n->data_sent;
    }
    return f->n_sent;
}

/* Runs do_net_crypto on `n` and collects what it sent. */
static int nc_iterate(Nc_Node *n, Nc_Packet *out, int max)
{
    clear_sent(n->d);
    do_net_crypto(n->nc, NULL);
    CHECK(n->d->u.rng.drawn == 0, "do_net_crypto drew random bytes");
    return nc_collect(n, out, max);
}

/* Delivers `p` to `to` from `from`'s address; returns the packets `to` sent in reply,
 * collected into `out` (which may be NULL when none are expected). */
static int nc_deliver(Nc_Node *to, const Nc_Node *from, const uint8_t *packet, size_t len, Nc_Packet *out, int max)
{
    nc_reset_calls(to);
    const int sent = deliver(to->d, &from->d->u.addr, packet, len);
    if (sent == 0) {
        return 0;
    }
    CHECK(out != NULL, "%s answered a packet with %d packets", to->d->u.label, sent);
    return nc_collect(to, out, max);
}

static void nc_make_shared(Nc_Node *a, Nc_Node *b)
{
    uint8_t k2[KEY_SIZE];
    CHECK(encrypt_precompute(b->session_pk, a->session_sk, a->shared) == 0 &&
          encrypt_precompute(a->session_pk, b->session_sk, k2) == 0 && memcmp(a->shared, k2, KEY_SIZE) == 0,
          "session keys do not agree");
    memcpy(b->shared, k2, KEY_SIZE);
    a->has_shared = b->has_shared = true;
}

/* The key of a cookie request / response between a and b: their DHT keys. */
static void dht_shared(const Nc_Node *a, const Nc_Node *b, uint8_t *k)
{
    CHECK(encrypt_precompute(b->d->u.pk, a->d->u.sk, k) == 0, "encrypt_precompute");
}

/* Opens a cookie response between `a` and `b` with the key of their DHT keys (returned in
 * `k`): the cookie and the echo id, COOKIE_LEN + ECHO_ID_SIZE bytes into `plain`. */
static bool open_cookie_response(const Nc_Node *a, const Nc_Node *b, const uint8_t *packet, uint8_t *k, uint8_t *plain)
{
    dht_shared(a, b, k);
    return decrypt_data_symmetric(k, packet + 1, packet + 1 + NONCE_SIZE, COOKIE_RESPONSE_LEN - 1 - NONCE_SIZE, plain) ==
           COOKIE_LEN + ECHO_ID_SIZE;
}

/* ---- the steps of a connection ---- */

/* `a` opens a connection to `b` (new_crypto_connection) and sends its cookie request. The
 * base nonce is seeded, with its last two bytes replaced by `nonce_tail` if that is not
 * negative. Returns the echo id. */
static void nc_connect(Nc_Node *a, Nc_Node *b, const char *label, int nonce_tail, uint8_t *request, uint8_t *echo_id)
{
    char l[256];
    uint8_t script[NONCE_SIZE + ECHO_ID_SIZE + NONCE_SIZE];
    seeded_f(a->base_nonce, NONCE_SIZE, "toxlink/netcrypto/%s/base-nonce", label);
    if (nonce_tail >= 0) {
        a->base_nonce[NONCE_SIZE - 2] = (uint8_t)(nonce_tail >> 8);
        a->base_nonce[NONCE_SIZE - 1] = (uint8_t)nonce_tail;
    }
    memcpy(script, a->base_nonce, NONCE_SIZE);
    seeded_f(script + NONCE_SIZE, ECHO_ID_SIZE, "toxlink/netcrypto/%s/echo-id", label);
    memcpy(echo_id, script + NONCE_SIZE, ECHO_ID_SIZE);
    seeded_f(script + NONCE_SIZE + ECHO_ID_SIZE, NONCE_SIZE, "toxlink/netcrypto/%s/cookie-request-nonce", label);
    script_bytes(a->d, script, sizeof script);
    snprintf(l, sizeof l, "toxlink/netcrypto/%s/session-secret-key", label);
    sodium_script(l, a->session_sk, KEY_SIZE);
    CHECK(crypto_scalarmult_base(a->session_pk, a->session_sk) == 0, "scalarmult_base");

    /* new_crypto_connection draws: base nonce, (session key pair from libsodium), echo id, nonce. */
    a->conn = new_crypto_connection(a->nc, b->real_pk, b->d->u.pk);
    CHECK(a->conn >= 0, "new_crypto_connection failed");
    expect_script_used(a->d, "new_crypto_connection");
    sodium_expect_used("new_crypto_connection (session key pair)");
    nc_watch(a);
    CHECK(set_direct_ip_port(a->nc, a->conn, &b->d->u.addr, false) == 0, "set_direct_ip_port");

    Nc_Packet sent[2];
    CHECK(nc_iterate(a, sent, 2) == 1, "new connection: do_net_crypto did not send one packet");
    CHECK(sent[0].len == COOKIE_REQUEST_LEN && sent[0].data[0] == PKT_COOKIE_REQUEST &&
          same_ip_port(&sent[0].to, &b->d->u.addr), "cookie request shape");
    CHECK(memcmp(sent[0].data + 1 + KEY_SIZE, script + NONCE_SIZE + ECHO_ID_SIZE, NONCE_SIZE) == 0,
          "cookie request nonce is not the scripted one");
    memcpy(request, sent[0].data, COOKIE_REQUEST_LEN);
}

/* `b` answers a cookie request from `a`; returns the response and the cookie's nonce. */
static void nc_answer_cookie(Nc_Node *b, Nc_Node *a, const char *label, const uint8_t *request, size_t len,
                             uint8_t *response, uint8_t *cookie_nonce)
{
    uint8_t script[2 * NONCE_SIZE];
    seeded_f(script, NONCE_SIZE, "toxlink/netcrypto/%s/cookie-nonce", label);
    memcpy(cookie_nonce, script, NONCE_SIZE);
    seeded_f(script + NONCE_SIZE, NONCE_SIZE, "toxlink/netcrypto/%s/cookie-response-nonce", label);
    script_bytes(b->d, script, sizeof script);
    Nc_Packet sent[2];
    CHECK(nc_deliver(b, a, request, len, sent, 2) == 1, "udp_handle_cookie_request did not answer");
    expect_script_used(b->d, "udp_handle_cookie_request");
    CHECK(sent[0].len == COOKIE_RESPONSE_LEN && sent[0].data[0] == PKT_COOKIE_RESPONSE &&
          same_ip_port(&sent[0].to, &a->d->u.addr), "cookie response shape");
    CHECK(memcmp(sent[0].data + 1, script + NONCE_SIZE, NONCE_SIZE) == 0, "cookie response nonce");
    memcpy(response, sent[0].data, COOKIE_RESPONSE_LEN);
}

/* Scripts the two nonces create_send_handshake draws (the cookie made for the peer, then
 * the handshake's own) and returns them. */
static void script_handshake_nonces(Nc_Node *n, const char *label, uint8_t *prefix, size_t prefix_len,
                                    uint8_t *cookie_nonce, uint8_t *nonce)
{
    uint8_t script[3 * NONCE_SIZE];
    CHECK(prefix_len + 2 * NONCE_SIZE <= sizeof script, "script");
    if (prefix_len > 0) {
        memcpy(script, prefix, prefix_len);
    }
    seeded_f(cookie_nonce, NONCE_SIZE, "toxlink/netcrypto/%s/handshake-cookie-nonce", label);
    seeded_f(nonce, NONCE_SIZE, "toxlink/netcrypto/%s/handshake-nonce", label);
    memcpy(script + prefix_len, cookie_nonce, NONCE_SIZE);
    memcpy(script + prefix_len + NONCE_SIZE, nonce, NONCE_SIZE);
    script_bytes(n->d, script, prefix_len + 2 * NONCE_SIZE);
}

/* `a` (cookie requesting) takes `b`'s cookie response and sends its handshake. Returns 1 if
 * it did (the handshake in `handshake`), 0 if it refused the response. */
static int nc_take_cookie(Nc_Node *a, Nc_Node *b, const char *label, const uint8_t *response, size_t len,
                          uint8_t *handshake, uint8_t *cookie_nonce, uint8_t *nonce)
{
    script_handshake_nonces(a, label, NULL, 0, cookie_nonce, nonce);
    Nc_Packet sent[2];
    const int got = nc_deliver(a, b, response, len, sent, 2);
    if (got == 0) {
        CHECK(a->d->u.rng.drawn == 0, "a refused cookie response drew random bytes");
        a->d->u.rng.script_len = a->d->u.rng.script_pos = 0;
        return 0;
    }
    expect_script_used(a->d, "handle_packet_cookie_response");
    CHECK(got == 1 && sent[0].len == HANDSHAKE_LEN && sent[0].data[0] == PKT_CRYPTO_HS &&
          same_ip_port(&sent[0].to, &b->d->u.addr), "handshake shape");
    CHECK(memcmp(sent[0].data + 1 + COOKIE_LEN, nonce, NONCE_SIZE) == 0, "handshake nonce is not the scripted one");
    memcpy(handshake, sent[0].data, HANDSHAKE_LEN);
    return 1;
}

/* `b` accepts `a`'s handshake (accept_crypto_connection from the new-connection callback),
 * then sends its own handshake and its first request packet on the next do_net_crypto. */
static void nc_accept(Nc_Node *b, Nc_Node *a, const char *label, const uint8_t *handshake, uint8_t *reply,
                      uint8_t *cookie_nonce, uint8_t *nonce, Nc_Packet *first_request)
{
    char l[256];
    seeded_f(b->base_nonce, NONCE_SIZE, "toxlink/netcrypto/%s/base-nonce", label);
    script_handshake_nonces(b, label, b->base_nonce, NONCE_SIZE, cookie_nonce, nonce);
    snprintf(l, sizeof l, "toxlink/netcrypto/%s/session-secret-key", label);
    sodium_script(l, b->session_sk, KEY_SIZE);
    CHECK(crypto_scalarmult_base(b->session_pk, b->session_sk) == 0, "scalarmult_base");
    b->accept = true;
    /* accept_crypto_connection sends its handshake before it records the peer's address,
     * so over UDP nothing leaves until the next do_net_crypto. */
    CHECK(nc_deliver(b, a, handshake, HANDSHAKE_LEN, NULL, 0) == 0, "accepting node sent at once");
    CHECK(b->new_conn_calls == 1 && b->conn >= 0, "new connection not accepted");
    expect_script_used(b->d, "accept_crypto_connection");
    sodium_expect_used("accept_crypto_connection (session key pair)");
    nc_make_shared(a, b);

    Nc_Packet sent[3];
    CHECK(nc_iterate(b, sent, 3) == 2, "accepting node: do_net_crypto did not send two packets");
    CHECK(sent[0].len == HANDSHAKE_LEN && sent[0].data[0] == PKT_CRYPTO_HS && same_ip_port(&sent[0].to, &a->d->u.addr),
          "reply handshake shape");
    CHECK(memcmp(sent[0].data + 1 + COOKIE_LEN, nonce, NONCE_SIZE) == 0, "reply handshake nonce");
    memcpy(reply, sent[0].data, HANDSHAKE_LEN);
    CHECK(sent[1].data[0] == PKT_CRYPTO_DATA && sent[1].payload_len == 1 && sent[1].payload[0] == 1,
          "accepting node's second packet is not a request packet");
    nc_copy(first_request, &sent[1]);
}

/* `a` takes `b`'s handshake and first request packet (established), then sends its own
 * request packet, which establishes `b`. */
static void nc_establish(Nc_Node *a, Nc_Node *b, const uint8_t *reply, const Nc_Packet *b_request,
                         Nc_Packet *a_request)
{
    CHECK(nc_deliver(a, b, reply, HANDSHAKE_LEN, NULL, 0) == 0, "handshake reply answered");
    CHECK(nc_deliver(a, b, b_request->data, b_request->len, NULL, 0) == 0 && a->status_calls == 1 && a->last_status,
          "the first request packet did not establish the connection");
    Nc_Packet sent[2];
    CHECK(nc_iterate(a, sent, 2) == 1 && sent[0].data[0] == PKT_CRYPTO_DATA && sent[0].payload[0] == 1,
          "established node did not send a request packet");
    nc_copy(a_request, &sent[0]);
    CHECK(nc_deliver(b, a, sent[0].data, sent[0].len, NULL, 0) == 0 && b->status_calls == 1 && b->last_status,
          "the request packet did not establish the accepting node");
}

static void nc_advance(uint64_t ms)
{
    nc_set_clock(nc_clock_ms + ms);
}

/* ---- the six suites, written side by side ---- */

enum { S_COOKIE, S_COOKIE_REQUEST, S_COOKIE_RESPONSE, S_HANDSHAKE, S_DATA, S_REQUEST, S_COUNT };
static Json ncj[S_COUNT];

static void kv_u32_list(Json *j, const char *k, const uint32_t *v, size_t n)
{
    j_key(j, k);
    j_open(j, '[');
    for (size_t i = 0; i < n; ++i) {
        j_u64(j, v[i]);
    }
    j_close(j, ']');
}

static uint64_t read_u64_le(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = v << 8 | b[i];
    }
    return v;
}

/* What a cookie holds, opened with c-toxcore's decrypt_data_symmetric. */
typedef struct Cookie_Fields {
    uint64_t time;
    uint8_t real_pk[KEY_SIZE], dht_pk[KEY_SIZE];
} Cookie_Fields;

static bool open_cookie_c(const uint8_t *key, const uint8_t *cookie, Cookie_Fields *out)
{
    uint8_t plain[8 + 2 * KEY_SIZE];
    if (decrypt_data_symmetric(key, cookie, cookie + NONCE_SIZE, COOKIE_LEN - NONCE_SIZE, plain) != (int)sizeof plain) {
        return false;
    }
    /* c-toxcore memcpy's a host-order uint64_t; this generator runs on x86-64, little-endian. */
    out->time = read_u64_le(plain);
    memcpy(out->real_pk, plain + 8, KEY_SIZE);
    memcpy(out->dht_pk, plain + 8 + KEY_SIZE, KEY_SIZE);
    return true;
}

/* ---- netcrypto-cookie ---- */

static void cookie_encode_vector(const char *name, const uint8_t *key, const uint8_t *cookie, uint64_t expect_time,
                                 const uint8_t *expect_real, const uint8_t *expect_dht)
{
    Cookie_Fields f;
    CHECK(open_cookie_c(key, cookie, &f), "%s: the cookie does not open with its key", name);
    CHECK(f.time == expect_time && memcmp(f.real_pk, expect_real, KEY_SIZE) == 0 &&
          memcmp(f.dht_pk, expect_dht, KEY_SIZE) == 0, "%s: the cookie holds other fields", name);
    Json *j = &ncj[S_COOKIE];
    vector_begin(j, name);
    kv_hex(j, "cookie_key", key, KEY_SIZE);
    kv_hex(j, "nonce", cookie, NONCE_SIZE);
    kv_u64_text(j, "timestamp", f.time);
    kv_hex(j, "real_public_key", f.real_pk, KEY_SIZE);
    kv_hex(j, "dht_public_key", f.dht_pk, KEY_SIZE);
    vector_expected(j);
    kv_hex(j, "cookie", cookie, COOKIE_LEN);
    vector_end(j);
}

static void cookie_decode_vector(const char *name, const uint8_t *key, const uint8_t *cookie, uint64_t now,
                                 const char *error)
{
    Json *j = &ncj[S_COOKIE];
    vector_begin(j, name);
    kv_hex(j, "cookie", cookie, COOKIE_LEN);
    kv_hex(j, "cookie_key", key, KEY_SIZE);
    kv_u64_text(j, "now", now);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        Cookie_Fields f;
        CHECK(open_cookie_c(key, cookie, &f), "%s: cookie does not open", name);
        kv_u64_text(j, "timestamp", f.time);
        kv_hex(j, "real_public_key", f.real_pk, KEY_SIZE);
        kv_hex(j, "dht_public_key", f.dht_pk, KEY_SIZE);
    }
    vector_end(j);
}

/* ---- netcrypto-cookie-request ---- */

static void cookie_request_encode_vector(const char *name, const Nc_Node *a, const Nc_Node *b, const uint8_t *packet,
                                         const uint8_t *echo_id)
{
    uint8_t k[KEY_SIZE], plain[80];
    dht_shared(a, b, k);
    CHECK(memcmp(packet + 1, a->d->u.pk, KEY_SIZE) == 0, "%s: sender key", name);
    CHECK(decrypt_data_symmetric(k, packet + 1 + KEY_SIZE, packet + 1 + KEY_SIZE + NONCE_SIZE,
                                 COOKIE_REQUEST_LEN - 1 - KEY_SIZE - NONCE_SIZE, plain) == 72, "%s: open", name);
    static const uint8_t zeros[KEY_SIZE] = {0};
    CHECK(memcmp(plain, a->real_pk, KEY_SIZE) == 0 && memcmp(plain + KEY_SIZE, zeros, KEY_SIZE) == 0 &&
          memcmp(plain + 2 * KEY_SIZE, echo_id, ECHO_ID_SIZE) == 0, "%s: plaintext", name);
    Json *j = &ncj[S_COOKIE_REQUEST];
    vector_begin(j, name);
    emit_key_pairs(j, "sender_dht", &a->d->u, "receiver_dht", &b->d->u);
    kv_hex(j, "sender_real_public_key", a->real_pk, KEY_SIZE);
    kv_hex(j, "echo_id", echo_id, ECHO_ID_SIZE);
    kv_hex(j, "nonce", packet + 1 + KEY_SIZE, NONCE_SIZE);
    expect_shared_key_and_packet(j, k, packet, COOKIE_REQUEST_LEN);
}

/* A decode vector for a request `b` answered with `response` (the fields come from opening
 * the response and its cookie) or refused (`error`). */
static void cookie_request_decode_vector(const char *name, const Nc_Node *requester, const Nc_Node *b,
                                         const uint8_t *packet, size_t len, const uint8_t *response,
                                         const char *error)
{
    Json *j = &ncj[S_COOKIE_REQUEST];
    vector_begin(j, name);
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "receiver_dht_secret_key", b->d->u.sk, KEY_SIZE);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        uint8_t k[KEY_SIZE], plain[COOKIE_LEN + ECHO_ID_SIZE];
        CHECK(open_cookie_response(requester, b, response, k, plain), "%s: response does not open", name);
        Cookie_Fields f;
        CHECK(open_cookie_c(b->cookie_key, plain, &f), "%s: cookie does not open", name);
        CHECK(memcmp(f.dht_pk, packet + 1, KEY_SIZE) == 0, "%s: cookie dht key", name);
        kv_hex(j, "sender_dht_public_key", packet + 1, KEY_SIZE);
        kv_hex(j, "nonce", packet + 1 + KEY_SIZE, NONCE_SIZE);
        kv_hex(j, "sender_real_public_key", f.real_pk, KEY_SIZE);
        kv_hex(j, "echo_id", plain + COOKIE_LEN, ECHO_ID_SIZE);
    }
    vector_end(j);
}

/* ---- netcrypto-cookie-response ---- */

static void cookie_response_encode_vector(const char *name, const Nc_Node *responder, const Nc_Node *requester,
                                          const uint8_t *packet, const uint8_t *echo_id)
{
    uint8_t k[KEY_SIZE], plain[COOKIE_LEN + ECHO_ID_SIZE];
    CHECK(open_cookie_response(responder, requester, packet, k, plain) &&
              memcmp(plain + COOKIE_LEN, echo_id, ECHO_ID_SIZE) == 0, "%s: open", name);
    Json *j = &ncj[S_COOKIE_RESPONSE];
    vector_begin(j, name);
    emit_key_pairs(j, "responder_dht", &responder->d->u, "requester_dht", &requester->d->u);
    kv_hex(j, "nonce", packet + 1, NONCE_SIZE);
    kv_hex(j, "cookie", plain, COOKIE_LEN);
    kv_hex(j, "echo_id", echo_id, ECHO_ID_SIZE);
    expect_shared_key_and_packet(j, k, packet, COOKIE_RESPONSE_LEN);
}

static void cookie_response_decode_vector(const char *name, const Nc_Node *requester, const Nc_Node *responder,
                                          const uint8_t *packet, size_t len, const uint8_t *request_echo_id,
                                          const uint8_t *sealed_plain, bool answers, const char *error)
{
    Json *j = &ncj[S_COOKIE_RESPONSE];
    vector_begin(j, name);
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "requester_dht_secret_key", requester->d->u.sk, KEY_SIZE);
    kv_hex(j, "responder_dht_public_key", responder->d->u.pk, KEY_SIZE);
    kv_hex(j, "request_echo_id", request_echo_id, ECHO_ID_SIZE);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        CHECK(answers == (memcmp(sealed_plain + COOKIE_LEN, request_echo_id, ECHO_ID_SIZE) == 0), "%s: echo", name);
        kv_hex(j, "nonce", packet + 1, NONCE_SIZE);
        kv_hex(j, "cookie", sealed_plain, COOKIE_LEN);
        kv_hex(j, "echo_id", sealed_plain + COOKIE_LEN, ECHO_ID_SIZE);
        kv_bool(j, "answers_request", answers);
    }
    vector_end(j);
}

/* ---- netcrypto-handshake ---- */

/* The plaintext of a handshake from `from` to `to` (decrypt_data with the real keys). */
static void open_handshake_c(const Nc_Node *from, const Nc_Node *to, const uint8_t *packet, uint8_t *plain)
{
    CHECK(decrypt_data(from->real_pk, to->real_sk, packet + 1 + COOKIE_LEN, packet + 1 + COOKIE_LEN + NONCE_SIZE,
                       HANDSHAKE_LEN - 1 - COOKIE_LEN - NONCE_SIZE, plain) == HANDSHAKE_PLAIN_LEN,
          "handshake does not open");
}

static void handshake_encode_vector(const char *name, const Nc_Node *from, const Nc_Node *to, const uint8_t *packet,
                                    uint64_t other_cookie_time)
{
    uint8_t plain[HANDSHAKE_PLAIN_LEN], hash[64], k[KEY_SIZE];
    open_handshake_c(from, to, packet, plain);
    CHECK(memcmp(plain, from->base_nonce, NONCE_SIZE) == 0 && memcmp(plain + NONCE_SIZE, from->session_pk, KEY_SIZE) == 0,
          "%s: base nonce or session key", name);
    crypto_sha512(hash, packet + 1, COOKIE_LEN);
    CHECK(memcmp(plain + NONCE_SIZE + KEY_SIZE, hash, 64) == 0, "%s: cookie hash", name);
    const uint8_t *other = plain + NONCE_SIZE + KEY_SIZE + 64;
    Cookie_Fields f;
    CHECK(open_cookie_c(from->cookie_key, other, &f) && f.time == other_cookie_time &&
          memcmp(f.real_pk, to->real_pk, KEY_SIZE) == 0 && memcmp(f.dht_pk, to->d->u.pk, KEY_SIZE) == 0,
          "%s: the cookie made for the peer", name);
    CHECK(encrypt_precompute(to->real_pk, from->real_sk, k) == 0, "encrypt_precompute");
    Json *j = &ncj[S_HANDSHAKE];
    vector_begin(j, name);
    kv_hex(j, "sender_real_public_key", from->real_pk, KEY_SIZE);
    kv_hex(j, "sender_real_secret_key", from->real_sk, KEY_SIZE);
    kv_hex(j, "receiver_real_public_key", to->real_pk, KEY_SIZE);
    kv_hex(j, "receiver_real_secret_key", to->real_sk, KEY_SIZE);
    kv_hex(j, "cookie", packet + 1, COOKIE_LEN);
    kv_hex(j, "nonce", packet + 1 + COOKIE_LEN, NONCE_SIZE);
    kv_hex(j, "base_nonce", from->base_nonce, NONCE_SIZE);
    kv_hex(j, "session_public_key", from->session_pk, KEY_SIZE);
    j_key(j, "other_cookie");
    j_open(j, '{');
    kv_hex(j, "cookie_key", from->cookie_key, KEY_SIZE);
    kv_hex(j, "nonce", other, NONCE_SIZE);
    kv_u64_text(j, "timestamp", f.time);
    kv_hex(j, "real_public_key", f.real_pk, KEY_SIZE);
    kv_hex(j, "dht_public_key", f.dht_pk, KEY_SIZE);
    j_close(j, '}');
    vector_expected(j);
    kv_hex(j, "shared_key", k, KEY_SIZE);
    kv_hex(j, "other_cookie", other, COOKIE_LEN);
    kv_hex(j, "packet", packet, HANDSHAKE_LEN);
    vector_end(j);
}

/* A decode vector for a handshake given to `to` at `now` seconds; `heard` is what c-toxcore
 * reported to the new-connection callback when it accepted (NULL with an error). */
static void handshake_decode_vector(const char *name, const Nc_Node *to, const uint8_t *packet, size_t len,
                                    uint64_t now, const uint8_t *expected_real_pk, const New_Connection *heard,
                                    const char *error)
{
    Json *j = &ncj[S_HANDSHAKE];
    vector_begin(j, name);
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "receiver_real_secret_key", to->real_sk, KEY_SIZE);
    kv_hex(j, "cookie_key", to->cookie_key, KEY_SIZE);
    kv_u64_text(j, "now", now);
    if (expected_real_pk != NULL) {
        kv_hex(j, "expected_real_public_key", expected_real_pk, KEY_SIZE);
    }
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        kv_hex(j, "peer_real_public_key", heard->public_key, KEY_SIZE);
        kv_hex(j, "peer_dht_public_key", heard->dht_public_key, KEY_SIZE);
        kv_hex(j, "base_nonce", heard->recv_nonce, NONCE_SIZE);
        kv_hex(j, "session_public_key", heard->peersessionpublic_key, KEY_SIZE);
        kv_hex(j, "other_cookie", heard->cookie, COOKIE_LEN);
    }
    vector_end(j);
}

/* ---- netcrypto-data ---- */

static const char *payload_kind(uint8_t id)
{
    if (id == 1) {
        return "request";
    }
    if (id == 2) {
        return "kill";
    }
    if (id >= 16 && id <= 191) {
        return "lossless";
    }
    if (id >= 192 && id <= 254) {
        return "lossy";
    }
    return "invalid";
}

static void data_encode_vector(const char *name, const Nc_Node *from, const Nc_Node *to, const Nc_Packet *p)
{
    uint8_t k[KEY_SIZE];
    CHECK(encrypt_precompute(to->session_pk, from->session_sk, k) == 0, "encrypt_precompute");
    /* The padding c-toxcore's send_data_packet_helper puts in: (1373 - length) % 8 zeros. */
    CHECK(p->plain_len == 8 + (MAX_DATA_SIZE - p->payload_len) % 8 + p->payload_len, "%s: padding", name);
    Json *j = &ncj[S_DATA];
    vector_begin(j, name);
    kv_hex(j, "sender_session_secret_key", from->session_sk, KEY_SIZE);
    kv_hex(j, "receiver_session_public_key", to->session_pk, KEY_SIZE);
    kv_hex(j, "nonce", p->nonce, NONCE_SIZE);
    kv_u64(j, "buffer_start", p->buffer_start);
    kv_u64(j, "packet_number", p->number);
    kv_hex(j, "payload", p->payload, p->payload_len);
    expect_shared_key_and_packet(j, k, p->data, p->len);
}

/* A decode vector: `p` is the packet with its data fields filled in (NULL fields with an
 * error); `receive_nonce` the receiver's stored nonce before, `next` after. */
static void data_decode_vector(const char *name, const uint8_t *k, const uint8_t *packet, size_t len,
                               const uint8_t *receive_nonce, const Nc_Packet *p, const uint8_t *next,
                               const char *error)
{
    Json *j = &ncj[S_DATA];
    vector_begin(j, name);
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "shared_key", k, KEY_SIZE);
    kv_hex(j, "receive_nonce", receive_nonce, NONCE_SIZE);
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        kv_hex(j, "nonce", p->nonce, NONCE_SIZE);
        kv_u64(j, "buffer_start", p->buffer_start);
        kv_u64(j, "packet_number", p->number);
        kv_hex(j, "payload", p->payload, p->payload_len);
        kv_str(j, "kind", payload_kind(p->payload[0]));
        kv_hex(j, "next_receive_nonce", next, NONCE_SIZE);
    }
    vector_end(j);
}

/* ---- netcrypto-request ---- */

/* Our reading of generate_request_packet, to check that the generator knows the receive
 * buffer it describes: `missing` sorted, all in [start, end). */
static size_t model_request(uint32_t start, uint32_t end, const uint32_t *missing, size_t n_missing, uint8_t *out,
                            size_t cap)
{
    size_t len = 0, m = 0;
    out[len++] = 1;
    uint32_t count = 1;
    for (uint32_t i = start; i != end && len < cap; ++i) {
        const bool is_missing = m < n_missing && missing[m] == i;
        if (is_missing) {
            ++m;
            out[len++] = (uint8_t)count;
            count = 0;
        } else if (count == 255) {
            out[len++] = 0;
            count = 0;
        }
        ++count;
    }
    return len;
}

/* Our reading of handle_request_packet: the numbers it marks for resending, and where its
 * walk stopped. */
static size_t model_requested(const uint8_t *payload, size_t len, uint32_t start, uint32_t end, uint32_t *requested,
                              uint32_t *stop)
{
    size_t n = 0, at = 1;
    uint32_t count = 1, i = start;
    for (; i != end; ++i) {
        if (at == len) {
            break;
        }
        if (count == payload[at]) {
            requested[n++] = i;
            ++at;
            count = 0;
        }
        if (count == 255) {
            count = 1;
            CHECK(payload[at] == 0, "model: unreachable");
            ++at;
        } else {
            ++count;
        }
    }
    *stop = i;
    return n;
}

static void lost_request_encode_vector(const char *name, uint32_t start, uint32_t end, const uint32_t *missing,
                                  size_t n_missing, const uint8_t *payload, size_t len)
{
    uint8_t model[MAX_DATA_SIZE];
    const size_t model_len = model_request(start, end, missing, n_missing, model, sizeof model);
    CHECK(model_len == len && memcmp(model, payload, len) == 0, "%s: c-toxcore's request is not the one expected", name);
    Json *j = &ncj[S_REQUEST];
    vector_begin(j, name);
    kv_u64(j, "buffer_start", start);
    kv_u64(j, "buffer_end", end);
    kv_u32_list(j, "missing", missing, n_missing);
    vector_expected(j);
    kv_hex(j, "payload", payload, len);
    vector_end(j);
}

/* `resent` is what c-toxcore resent after taking the request: it must be the model's list. */
static void lost_request_decode_vector(const char *name, const uint8_t *payload, size_t len, uint32_t start, uint32_t end,
                                  const uint32_t *resent, size_t n_resent)
{
    uint32_t requested[MAX_DATA_SIZE], stop;
    const size_t n = model_requested(payload, len, start, end, requested, &stop);
    CHECK(n == n_resent && (n == 0 || memcmp(requested, resent, n * sizeof *resent) == 0),
          "%s: c-toxcore resent %zu packets, the request asks for %zu", name, n_resent, n);
    Json *j = &ncj[S_REQUEST];
    vector_begin(j, name);
    kv_hex(j, "payload", payload, len);
    kv_u64(j, "buffer_start", start);
    kv_u64(j, "buffer_end", end);
    vector_expected(j);
    kv_u32_list(j, "requested", requested, n);
    kv_u64(j, "end", stop);
    vector_end(j);
}

/* ---- crafting packets c-toxcore would not build, in the layout its handlers read ---- */

/* A cookie request from `a` to `b` whose plaintext is `plain` (plain_len bytes). */
static size_t craft_cookie_request(const Nc_Node *a, const Nc_Node *b, const char *label, const uint8_t *plain,
                                   size_t plain_len, uint8_t *out)
{
    uint8_t k[KEY_SIZE], nonce[NONCE_SIZE];
    seeded_f(nonce, NONCE_SIZE, "toxlink/netcrypto/%s/nonce", label);
    dht_shared(a, b, k);
    out[0] = PKT_COOKIE_REQUEST;
    memcpy(out + 1, a->d->u.pk, KEY_SIZE);
    memcpy(out + 1 + KEY_SIZE, nonce, NONCE_SIZE);
    const int boxed = encrypt_data_symmetric(k, nonce, plain, plain_len, out + 1 + KEY_SIZE + NONCE_SIZE);
    CHECK(boxed == (int)(plain_len + MAC_SIZE), "encrypt_data_symmetric");
    return 1 + KEY_SIZE + NONCE_SIZE + (size_t)boxed;
}

/* A cookie response from `b` to `a` whose plaintext is `plain`. */
static size_t craft_cookie_response(const Nc_Node *b, const Nc_Node *a, const char *label, const uint8_t *plain,
                                    size_t plain_len, uint8_t *out)
{
    uint8_t k[KEY_SIZE];
    seeded_f(out + 1, NONCE_SIZE, "toxlink/netcrypto/%s/nonce", label);
    dht_shared(b, a, k);
    out[0] = PKT_COOKIE_RESPONSE;
    const int boxed = encrypt_data_symmetric(k, out + 1, plain, plain_len, out + 1 + NONCE_SIZE);
    CHECK(boxed == (int)(plain_len + MAC_SIZE), "encrypt_data_symmetric");
    return 1 + NONCE_SIZE + (size_t)boxed;
}

/* A handshake from `from` to `to` carrying `cookie` outside and `plain` inside. */
static void craft_handshake(const Nc_Node *from, const Nc_Node *to, const char *label, const uint8_t *cookie,
                            const uint8_t *plain, uint8_t *out)
{
    out[0] = PKT_CRYPTO_HS;
    memcpy(out + 1, cookie, COOKIE_LEN);
    seeded_f(out + 1 + COOKIE_LEN, NONCE_SIZE, "toxlink/netcrypto/%s/nonce", label);
    CHECK(encrypt_data(to->real_pk, from->real_sk, out + 1 + COOKIE_LEN, plain, HANDSHAKE_PLAIN_LEN,
                       out + 1 + COOKIE_LEN + NONCE_SIZE) == HANDSHAKE_PLAIN_LEN + MAC_SIZE, "encrypt_data");
}

/* A data packet sealed with key `k` and nonce `nonce`, plaintext [start][number][padding
 * zeros][payload]. */
static size_t craft_data(const uint8_t *k, const uint8_t *nonce, uint32_t start, uint32_t number, size_t padding,
                         const uint8_t *payload, size_t payload_len, uint8_t *out)
{
    uint8_t plain[PACKET_CAP];
    write_u32_be(plain, start);
    write_u32_be(plain + 4, number);
    memset(plain + 8, 0, padding);
    memcpy(plain + 8 + padding, payload, payload_len);
    const size_t plain_len = 8 + padding + payload_len;
    out[0] = PKT_CRYPTO_DATA;
    out[1] = nonce[NONCE_SIZE - 2];
    out[2] = nonce[NONCE_SIZE - 1];
    CHECK(encrypt_data_symmetric(k, nonce, plain, plain_len, out + 3) == (int)(plain_len + MAC_SIZE),
          "encrypt_data_symmetric");
    return 3 + plain_len + MAC_SIZE;
}

static void flip(uint8_t *b, size_t at, uint8_t mask) { b[at] ^= mask; }

/* ---- the main session: cookies, handshakes and data packets ---- */

static void nc_session_main(void)
{
    char name[256];
    nc_set_clock(NC_T0 * 1000);
    Nc_Node *a = nc_new("main/a", "192.0.2.10", 33445);
    Nc_Node *b = nc_new("main/b", "198.51.100.20", 33445);
    Nc_Node *e = nc_new("main/e", "2001:db8::30", 33445);

    /* -- cookie requests -- */
    uint8_t req_ab[COOKIE_REQUEST_LEN], echo_ab[ECHO_ID_SIZE];
    nc_connect(a, b, "main/a", 0xfffa, req_ab, echo_ab);
    cookie_request_encode_vector("built by new_crypto_connection (a to b)", a, b, req_ab, echo_ab);
    nc_advance(1001);
    Nc_Packet resent[2];
    CHECK(nc_iterate(a, resent, 2) == 1 && resent[0].len == COOKIE_REQUEST_LEN &&
          memcmp(resent[0].data, req_ab, COOKIE_REQUEST_LEN) == 0, "the cookie request resent is not the same bytes");

    uint8_t req_eb[COOKIE_REQUEST_LEN], echo_eb[ECHO_ID_SIZE];
    nc_connect(e, b, "main/e", -1, req_eb, echo_eb);
    cookie_request_encode_vector("built by new_crypto_connection (e to b, IPv6 peer)", e, b, req_eb, echo_eb);

    nc_advance(499); /* T0 + 1.5 s: b makes its cookies with timestamp T0 + 1 */
    const uint64_t tc = nc_clock_ms / 1000;
    uint8_t resp_ab[COOKIE_RESPONSE_LEN], resp_eb[COOKIE_RESPONSE_LEN], scratch[COOKIE_RESPONSE_LEN];
    uint8_t cookie_nonce[NONCE_SIZE];
    nc_answer_cookie(b, a, "main/b-answers-a", req_ab, COOKIE_REQUEST_LEN, resp_ab, cookie_nonce);
    cookie_request_decode_vector("built by new_crypto_connection: answered", a, b, req_ab, COOKIE_REQUEST_LEN, resp_ab,
                                 NULL);
    nc_answer_cookie(b, e, "main/b-answers-e", req_eb, COOKIE_REQUEST_LEN, resp_eb, cookie_nonce);

    /* Crafted requests. Zeroed: the 73-byte request's last byte is plain[72]. */
    uint8_t plain[PACKET_CAP] = {0}, pkt[PACKET_CAP];
    size_t len;
    memcpy(plain, a->real_pk, KEY_SIZE);
    memset(plain + KEY_SIZE, 0x5a, KEY_SIZE);
    memcpy(plain + 2 * KEY_SIZE, echo_ab, ECHO_ID_SIZE);
    len = craft_cookie_request(a, b, "main/req-padding", plain, 72, pkt);
    nc_answer_cookie(b, a, "main/b-answers-padding", pkt, len, scratch, cookie_nonce);
    cookie_request_decode_vector("the 32 bytes after the real key are not zero: answered (handle_cookie_request "
                                 "ignores them)", a, b, pkt, len, scratch, NULL);
    struct {
        const char *name;
        size_t plain_len;
        int flip_at;
        const char *error;
    } bad_req[] = {
        {"144 bytes (71-byte plaintext): not answered", 71, -1, "truncated"},
        {"146 bytes (73-byte plaintext): not answered", 73, -1, "trailing-bytes"},
        {"a corrupted MAC: not answered", 72, 1 + KEY_SIZE + NONCE_SIZE + 2, "bad-mac"},
        {"a corrupted sender key (the shared key differs): not answered", 72, 5, "bad-mac"},
    };
    memset(plain + KEY_SIZE, 0, KEY_SIZE);
    for (size_t i = 0; i < sizeof bad_req / sizeof bad_req[0]; ++i) {
        snprintf(name, sizeof name, "main/req-bad-%zu", i);
        len = craft_cookie_request(a, b, name, plain, bad_req[i].plain_len, pkt);
        if (bad_req[i].flip_at >= 0) {
            flip(pkt, (size_t)bad_req[i].flip_at, 0x20);
        }
        CHECK(nc_deliver(b, a, pkt, len, NULL, 0) == 0 && b->d->u.rng.drawn == 0, "b answered: %s", bad_req[i].name);
        cookie_request_decode_vector(bad_req[i].name, a, b, pkt, len, NULL, bad_req[i].error);
    }
    CHECK(nc_deliver(b, a, req_ab, 1, NULL, 0) == 0, "b answered a lone byte");
    cookie_request_decode_vector("a lone packet id: not answered", a, b, req_ab, 1, NULL, "truncated");

    /* -- cookie responses -- */
    cookie_response_encode_vector("built by udp_handle_cookie_request (b answers a)", b, a, resp_ab, echo_ab);
    cookie_response_encode_vector("built by udp_handle_cookie_request (b answers e)", b, e, resp_eb, echo_eb);

    uint8_t resp_plain[COOKIE_LEN + ECHO_ID_SIZE + 1];
    {
        uint8_t k[KEY_SIZE];
        CHECK(open_cookie_response(a, b, resp_ab, k, resp_plain), "open resp_ab");
    }
    const uint8_t *cookie_ab = resp_plain; /* b's cookie for a, timestamp tc */
    uint8_t hs_a[HANDSHAKE_LEN], hs_nonce[NONCE_SIZE], hs_cookie_nonce[NONCE_SIZE];
    CHECK(nc_take_cookie(a, b, "main/a-refuses", resp_ab, 160, hs_a, hs_cookie_nonce, hs_nonce) == 0, "took 160 bytes");
    cookie_response_decode_vector("160 bytes: refused", a, b, resp_ab, 160, echo_ab, NULL, false, "truncated");
    resp_plain[COOKIE_LEN + ECHO_ID_SIZE] = 0;
    len = craft_cookie_response(b, a, "main/resp-162", resp_plain, COOKIE_LEN + ECHO_ID_SIZE + 1, pkt);
    CHECK(len == 162 && nc_take_cookie(a, b, "main/a-refuses", pkt, len, hs_a, hs_cookie_nonce, hs_nonce) == 0,
          "took 162 bytes");
    cookie_response_decode_vector("162 bytes: refused", a, b, pkt, len, echo_ab, NULL, false, "trailing-bytes");
    memcpy(pkt, resp_ab, COOKIE_RESPONSE_LEN);
    flip(pkt, 1 + NONCE_SIZE + 7, 0x01);
    CHECK(nc_take_cookie(a, b, "main/a-refuses", pkt, COOKIE_RESPONSE_LEN, hs_a, hs_cookie_nonce, hs_nonce) == 0,
          "took a bad MAC");
    cookie_response_decode_vector("a corrupted MAC: refused", a, b, pkt, COOKIE_RESPONSE_LEN, echo_ab, NULL, false,
                                  "bad-mac");
    CHECK(nc_take_cookie(a, b, "main/a-refuses", resp_eb, COOKIE_RESPONSE_LEN, hs_a, hs_cookie_nonce, hs_nonce) == 0,
          "took e's response");
    cookie_response_decode_vector("the response b sent to e, given to a: refused (another shared key)", a, b, resp_eb,
                                  COOKIE_RESPONSE_LEN, echo_ab, NULL, false, "bad-mac");
    memcpy(plain, resp_plain, COOKIE_LEN + ECHO_ID_SIZE);
    flip(plain, COOKIE_LEN + 3, 0x80);
    len = craft_cookie_response(b, a, "main/resp-echo", plain, COOKIE_LEN + ECHO_ID_SIZE, pkt);
    CHECK(nc_take_cookie(a, b, "main/a-refuses", pkt, len, hs_a, hs_cookie_nonce, hs_nonce) == 0, "took a wrong echo");
    cookie_response_decode_vector("another echo id: opens, but does not answer a's request (refused by "
                                  "handle_packet_cookie_response)", a, b, pkt, len, echo_ab, plain, false, NULL);
    CHECK(nc_take_cookie(a, b, "main/a", resp_ab, COOKIE_RESPONSE_LEN, hs_a, hs_cookie_nonce, hs_nonce) == 1,
          "a refused b's cookie response");
    const uint64_t t_hs_a = nc_clock_ms / 1000;
    cookie_response_decode_vector("built by udp_handle_cookie_request: a answers with its handshake", a, b, resp_ab,
                                  COOKIE_RESPONSE_LEN, echo_ab, resp_plain, true, NULL);
    CHECK(memcmp(hs_a + 1, cookie_ab, COOKIE_LEN) == 0, "a's handshake does not carry b's cookie");

    /* -- cookies and handshakes -- */
    cookie_encode_vector("made by b for a (create_cookie_response)", b->cookie_key, cookie_ab, tc, a->real_pk, a->d->u.pk);
    handshake_encode_vector("built by create_send_handshake when a cookie response arrives (a to b)", a, b, hs_a,
                            t_hs_a);
    uint8_t hs_plain[HANDSHAKE_PLAIN_LEN];
    open_handshake_c(a, b, hs_a, hs_plain);
    const uint8_t *cookie_a_for_b = hs_plain + NONCE_SIZE + KEY_SIZE + 64;
    cookie_encode_vector("made by a for b, inside a's handshake (create_crypto_handshake)", a->cookie_key,
                         cookie_a_for_b, t_hs_a, b->real_pk, b->d->u.pk);

    /* Probes: b records what its new-connection callback hears and refuses the connection. */
    struct {
        const char *name;
        int64_t dt; /* b's clock, seconds after the cookie's timestamp */
        const char *hs_error, *cookie_error;
    } ages[] = {
        {"at the cookie's timestamp + 15 s: accepted", 15, NULL, NULL},
        {"at the cookie's timestamp + 16 s: refused, the cookie expired", 16, "cookie-expired", "expired"},
        {"one second before the cookie's timestamp: refused, the cookie is from the future", -1, "cookie-future",
         "future"},
        {"at the cookie's timestamp: accepted", 0, NULL, NULL},
    };
    const uint64_t resume_ms = nc_clock_ms;
    for (size_t i = 0; i < sizeof ages / sizeof ages[0]; ++i) {
        const uint64_t now = (uint64_t)((int64_t)tc + ages[i].dt);
        nc_set_clock(now * 1000 + 500);
        nc_deliver(b, a, hs_a, HANDSHAKE_LEN, NULL, 0);
        CHECK(b->new_conn_calls == (ages[i].hs_error == NULL ? 1 : 0), "b: %s", ages[i].name);
        if (ages[i].hs_error == NULL) {
            CHECK(memcmp(b->heard.public_key, a->real_pk, KEY_SIZE) == 0 &&
                  memcmp(b->heard.dht_public_key, a->d->u.pk, KEY_SIZE) == 0 &&
                  memcmp(b->heard.recv_nonce, a->base_nonce, NONCE_SIZE) == 0 &&
                  memcmp(b->heard.peersessionpublic_key, a->session_pk, KEY_SIZE) == 0 &&
                  memcmp(b->heard.cookie, cookie_a_for_b, COOKIE_LEN) == 0, "b heard other fields");
        }
        snprintf(name, sizeof name, "built by a (create_send_handshake), %s", ages[i].name);
        handshake_decode_vector(name, b, hs_a, HANDSHAKE_LEN, now, NULL, &b->heard, ages[i].hs_error);
        snprintf(name, sizeof name, "b's cookie for a, %s", ages[i].name);
        cookie_decode_vector(name, b->cookie_key, cookie_ab, now, ages[i].cookie_error);
    }
    nc_set_clock(resume_ms);
    const uint64_t now_s = nc_clock_ms / 1000;

    nc_deliver(e, a, hs_a, HANDSHAKE_LEN, NULL, 0);
    CHECK(e->new_conn_calls == 0, "e opened b's cookie");
    cookie_decode_vector("b's cookie for a, opened with e's cookie key: refused", e->cookie_key, cookie_ab, now_s,
                         "bad-mac");

    struct {
        const char *name;
        int kind; /* 0 cut, 1 extend, 2 flip */
        size_t at;
        const char *error;
    } bad_hs[] = {
        {"384 bytes: refused", 0, 0, "truncated"},
        {"386 bytes: refused", 1, 0, "trailing-bytes"},
        {"a corrupted byte in the cookie: refused", 2, 1 + 40, "cookie-bad-mac"},
        {"a corrupted byte in the box: refused", 2, HANDSHAKE_LEN - 5, "bad-mac"},
    };
    for (size_t i = 0; i < sizeof bad_hs / sizeof bad_hs[0]; ++i) {
        memcpy(pkt, hs_a, HANDSHAKE_LEN);
        len = HANDSHAKE_LEN;
        if (bad_hs[i].kind == 0) {
            --len;
        } else if (bad_hs[i].kind == 1) {
            pkt[len++] = 0;
        } else {
            flip(pkt, bad_hs[i].at, 0x04);
        }
        nc_deliver(b, a, pkt, len, NULL, 0);
        CHECK(b->new_conn_calls == 0, "b took: %s", bad_hs[i].name);
        handshake_decode_vector(bad_hs[i].name, b, pkt, len, now_s, NULL, NULL, bad_hs[i].error);
    }
    memcpy(plain, hs_plain, HANDSHAKE_PLAIN_LEN);
    flip(plain, NONCE_SIZE + KEY_SIZE + 10, 0x01);
    craft_handshake(a, b, "main/hs-hash", cookie_ab, plain, pkt);
    nc_deliver(b, a, pkt, HANDSHAKE_LEN, NULL, 0);
    CHECK(b->new_conn_calls == 0, "b took a handshake with the wrong cookie hash");
    handshake_decode_vector("the SHA-512 inside is not the cookie's: refused", b, pkt, HANDSHAKE_LEN, now_s, NULL, NULL,
                            "cookie-hash");
    memcpy(plain, hs_plain, HANDSHAKE_PLAIN_LEN);
    seeded("toxlink/netcrypto/main/hs-garbage-cookie", plain + NONCE_SIZE + KEY_SIZE + 64, COOKIE_LEN);
    craft_handshake(a, b, "main/hs-garbage", cookie_ab, plain, pkt);
    nc_deliver(b, a, pkt, HANDSHAKE_LEN, NULL, 0);
    CHECK(b->new_conn_calls == 1 && memcmp(b->heard.cookie, plain + NONCE_SIZE + KEY_SIZE + 64, COOKIE_LEN) == 0,
          "b refused a handshake whose inner cookie is random bytes");
    handshake_decode_vector("the cookie inside is random bytes: accepted (only its maker ever opens it)", b, pkt,
                            HANDSHAKE_LEN, now_s, NULL, &b->heard, NULL);

    /* b accepts a for real. */
    uint8_t hs_b[HANDSHAKE_LEN], hs_b_nonce[NONCE_SIZE], hs_b_cookie_nonce[NONCE_SIZE];
    Nc_Packet b_request;
    nc_accept(b, a, "main/b", hs_a, hs_b, hs_b_cookie_nonce, hs_b_nonce, &b_request);
    const uint64_t t_hs_b = nc_clock_ms / 1000;
    handshake_decode_vector("built by a (create_send_handshake): accepted, and b answers", b, hs_a, HANDSHAKE_LEN,
                            now_s, NULL, &b->heard, NULL);
    CHECK(memcmp(hs_b + 1, cookie_a_for_b, COOKIE_LEN) == 0, "b's handshake does not carry a's cookie");
    handshake_encode_vector("built by accept_crypto_connection, sent on the next do_net_crypto (b to a)", b, a, hs_b,
                            t_hs_b);
    uint8_t hs_b_plain[HANDSHAKE_PLAIN_LEN];
    open_handshake_c(b, a, hs_b, hs_b_plain);
    cookie_encode_vector("made by b for a, inside b's handshake (create_crypto_handshake)", b->cookie_key,
                         hs_b_plain + NONCE_SIZE + KEY_SIZE + 64, t_hs_b, a->real_pk, a->d->u.pk);

    /* e, connecting to a, gets a cookie from a and sends its handshake; given to a from b's
     * address it is checked against b's real key (handle_packet_crypto_hs) and refused. */
    uint8_t req_ea[COOKIE_REQUEST_LEN], echo_ea[ECHO_ID_SIZE], resp_ea[COOKIE_RESPONSE_LEN], hs_e[HANDSHAKE_LEN];
    nc_connect(e, a, "main/e-to-a", -1, req_ea, echo_ea);
    nc_answer_cookie(a, e, "main/a-answers-e", req_ea, COOKIE_REQUEST_LEN, resp_ea, cookie_nonce);
    CHECK(nc_take_cookie(e, a, "main/e-to-a", resp_ea, COOKIE_RESPONSE_LEN, hs_e, hs_cookie_nonce, hs_nonce) == 1,
          "e refused a's cookie");
    nc_deliver(a, b, hs_e, HANDSHAKE_LEN, NULL, 0);
    CHECK(a->dht_pk_calls == 0 && a->new_conn_calls == 0, "a took e's handshake on b's connection");
    handshake_decode_vector("e's handshake to a, arriving on a's connection to b (expected real key b's): refused", a,
                            hs_e, HANDSHAKE_LEN, now_s, b->real_pk, NULL, "unexpected-peer");
    nc_deliver(a, e, hs_e, HANDSHAKE_LEN, NULL, 0);
    CHECK(a->new_conn_calls == 1 && memcmp(a->heard.public_key, e->real_pk, KEY_SIZE) == 0,
          "a did not hear e's handshake as a new connection");
    handshake_decode_vector("e's handshake to a, from e's own address (no expected key): accepted as a new connection",
                            a, hs_e, HANDSHAKE_LEN, now_s, NULL, &a->heard, NULL);

    /* -- established, and data -- */
    Nc_Packet a_request;
    nc_establish(a, b, hs_b, &b_request, &a_request);
    CHECK(a->dht_pk_calls == 0, "a saw another DHT key");
    /* What a took from it (it went on to the connection's session): b's keys, b's cookie. */
    New_Connection took;
    memset(&took, 0, sizeof took);
    memcpy(took.public_key, b->real_pk, KEY_SIZE);
    memcpy(took.dht_public_key, b->d->u.pk, KEY_SIZE);
    memcpy(took.recv_nonce, b->base_nonce, NONCE_SIZE);
    memcpy(took.peersessionpublic_key, b->session_pk, KEY_SIZE);
    took.cookie = hs_b_plain + NONCE_SIZE + KEY_SIZE + 64;
    handshake_decode_vector("built by b (accept_crypto_connection), given to a's connection (expected real key b's): "
                            "accepted", a, hs_b, HANDSHAKE_LEN, now_s, b->real_pk, &took, NULL);
    data_encode_vector("request packet b sends while not confirmed (send_request_packet, nothing received)", b, a,
                       &b_request);
    data_encode_vector("request packet a sends once established", a, b, &a_request);

    /* b's receive nonce is a's base nonce (the handshake's), and stays there while a's
     * packets come in order; a's receive nonce is b's. */
    uint8_t b_recv[NONCE_SIZE], a_recv[NONCE_SIZE];
    memcpy(b_recv, a->base_nonce, NONCE_SIZE);
    memcpy(a_recv, b->base_nonce, NONCE_SIZE);
    data_decode_vector("request packet b sent, as a reads it (its first data packet: a becomes established)", a->shared,
                       b_request.data, b_request.len, a_recv, &b_request, a_recv, NULL);
    data_decode_vector("request packet a sent, as b reads it", b->shared, a_request.data, a_request.len, b_recv,
                       &a_request, b_recv, NULL);

    struct {
        const char *name;
        uint8_t id;
        size_t len;
    } lossless[] = {
        {"lossless packet (id 160, 6 bytes: 7 bytes of padding)", 160, 6},
        {"lossless packet (id 16, 1 byte: 4 bytes of padding)", 16, 1},
        {"lossless packet of 1373 bytes, the most (no padding, 1400 bytes on the wire)", 161, MAX_DATA_SIZE},
        {"lossless packet of 1372 bytes (1 byte of padding)", 162, MAX_DATA_SIZE - 1},
    };
    uint8_t payload[PACKET_CAP], first_lossless[PACKET_CAP];
    size_t first_lossless_len = 0;
    Nc_Packet p[4];
    for (size_t i = 0; i < sizeof lossless / sizeof lossless[0]; ++i) {
        snprintf(name, sizeof name, "toxlink/netcrypto/main/lossless-%zu", i);
        seeded(name, payload, lossless[i].len);
        payload[0] = lossless[i].id;
        clear_sent(a->d);
        CHECK(write_cryptpacket(a->nc, a->conn, payload, (uint16_t)lossless[i].len, false) == (int64_t)i,
              "write_cryptpacket");
        CHECK(nc_collect(a, p, 1) == 1 && p[0].payload_len == lossless[i].len &&
              memcmp(p[0].payload, payload, lossless[i].len) == 0, "lossless packet");
        snprintf(name, sizeof name, "%s, built by write_cryptpacket (a to b)", lossless[i].name);
        data_encode_vector(name, a, b, &p[0]);
        nc_deliver(b, a, p[0].data, p[0].len, NULL, 0);
        CHECK(b->data_calls == 1 && b->data_len == lossless[i].len && memcmp(b->data, payload, b->data_len) == 0,
              "b did not get the lossless packet");
        if (i == 0) {
            memcpy(first_lossless, p[0].data, p[0].len);
            first_lossless_len = p[0].len;
        }
        snprintf(name, sizeof name, "%s: b delivers it", lossless[i].name);
        data_decode_vector(name, b->shared, p[0].data, p[0].len, b_recv, &p[0], b_recv, NULL);
    }

    /* b sends three lossless packets; a's packets after them acknowledge 3. */
    for (int i = 0; i < 3; ++i) {
        snprintf(name, sizeof name, "toxlink/netcrypto/main/b-lossless-%d", i);
        seeded(name, payload, 20);
        payload[0] = 170;
        clear_sent(b->d);
        CHECK(write_cryptpacket(b->nc, b->conn, payload, 20, false) == i, "write_cryptpacket (b)");
        CHECK(nc_collect(b, p, 1) == 1, "b's lossless packet");
        if (i == 0) {
            data_encode_vector("lossless packet (id 170, 20 bytes) b sends after four from a (acknowledges 4)", b, a,
                               &p[0]);
        }
        nc_deliver(a, b, p[0].data, p[0].len, NULL, 0);
        CHECK(a->data_calls == 1, "a did not get b's lossless packet");
    }
    seeded("toxlink/netcrypto/main/lossless-after-ack", payload, 30);
    payload[0] = 163;
    clear_sent(a->d);
    CHECK(write_cryptpacket(a->nc, a->conn, payload, 30, false) == 4, "write_cryptpacket");
    CHECK(nc_collect(a, p, 1) == 1 && p[0].buffer_start == 3, "a's ack");
    data_encode_vector("lossless packet (id 163, 30 bytes), a to b after three from b (acknowledges 3)", a, b, &p[0]);
    nc_deliver(b, a, p[0].data, p[0].len, NULL, 0);
    CHECK(b->data_calls == 1, "b did not get it");

    seeded("toxlink/netcrypto/main/lossy", payload, 10);
    payload[0] = 200;
    clear_sent(a->d);
    CHECK(send_lossy_cryptpacket(a->nc, a->conn, payload, 10) == 0, "send_lossy_cryptpacket");
    CHECK(nc_collect(a, p, 1) == 1 && p[0].number == 5, "lossy packet number");
    data_encode_vector("lossy packet (id 200, 10 bytes) built by send_lossy_cryptpacket: the next packet number, "
                       "not used up; its nonce's last two bytes wrap to 0000", a, b, &p[0]);
    CHECK(p[0].data[1] == 0 && p[0].data[2] == 0, "a's base nonce ends fffa: the 7th packet ends 0000");
    nc_deliver(b, a, p[0].data, p[0].len, NULL, 0);
    CHECK(b->lossy_calls == 1 && b->lossy_len == 10 && memcmp(b->lossy, payload, 10) == 0, "b did not get the lossy packet");
    data_decode_vector("lossy packet a sent, whose nonce carries into byte 21 (…fffa + 6): b delivers it", b->shared,
                       p[0].data, p[0].len, b_recv, &p[0], b_recv, NULL);
    /* No replay filter: the same lossy packet again is delivered again; a lossless one is not
     * (its number is below the receive buffer's start). The spec says so; check it here. */
    nc_deliver(b, a, p[0].data, p[0].len, NULL, 0);
    CHECK(b->lossy_calls == 1, "b did not deliver a repeated lossy packet");
    {
        CHECK(nc_deliver(b, a, first_lossless, first_lossless_len, NULL, 0) == 0 && b->data_calls == 0,
              "b delivered a repeated lossless packet");
    }

    /* The receive window, on a: packets crafted as b would seal them, at nonces around a's
     * stored receive nonce. Lossy payloads, so each accepted one reaches the lossy callback. */
    const uint32_t a_send_start = 4, b_send_end = 3;
    uint8_t next[NONCE_SIZE];
    /* Nonces are written as offsets from b's base nonce: b's own packets used 0..3, a's
     * stored receive nonce is at offset 0 until a packet more than 43690 ahead opens. */
    uint32_t a_recv_off = 0;
    struct {
        const char *name;
        int64_t diff; /* the packet's nonce is the stored one + diff */
        bool accepted;
        bool advances; /* the stored nonce moves on by 21845 */
        size_t padding;
        uint8_t id;
        size_t payload_len;
    } window[] = {
        {"nonce 43690 ahead of the stored one: accepted, the stored nonce stays", 43690, true, false, 0, 201, 5},
        {"nonce 43691 ahead: accepted, the stored nonce moves on by 21845", 43691, true, true, 0, 201, 5},
        {"nonce 21844 behind the stored one (an old packet): refused", -21844, false, false, 0, 201, 5},
        {"nonce 65535 ahead, the far end of the window: accepted, the stored nonce moves on by 21845", 65535, true, true,
         0, 201, 5},
        {"nonce 65536 ahead: read as the stored nonce itself, refused", 65536, false, false, 0, 201, 5},
        {"20 zero bytes of padding, more than a sender adds: accepted", 3, true, false, 20, 202, 4},
        {"a reserved packet id (5): opens, but no handler takes it", 4, true, false, 3, 5, 2},
        {"packet id 255: opens, but no handler takes it", 5, true, false, 0, 255, 1},
    };
    for (size_t i = 0; i < sizeof window / sizeof window[0]; ++i) {
        uint8_t nonce[NONCE_SIZE];
        CHECK((int64_t)a_recv_off + window[i].diff >= 0, "window offsets");
        nonce_plus(b->base_nonce, (uint32_t)((int64_t)a_recv_off + window[i].diff), nonce);
        snprintf(name, sizeof name, "toxlink/netcrypto/main/window-%zu", i);
        seeded(name, payload, window[i].payload_len);
        payload[0] = window[i].id;
        Nc_Packet q;
        memset(&q, 0, sizeof q);
        q.len = craft_data(a->shared, nonce, a_send_start, b_send_end, window[i].padding, payload, window[i].payload_len,
                           q.data);
        nc_deliver(a, b, q.data, q.len, NULL, 0);
        const bool lossy = window[i].id >= 192 && window[i].id <= 254;
        CHECK(a->lossy_calls == (window[i].accepted && lossy ? 1 : 0) && a->data_calls == 0 && a->status_calls == 0,
              "a: %s", window[i].name);
        if (a->lossy_calls == 1) {
            CHECK(a->lossy_len == window[i].payload_len && memcmp(a->lossy, payload, a->lossy_len) == 0, "lossy payload");
        }
        memcpy(next, a_recv, NONCE_SIZE);
        if (window[i].advances) {
            increment_nonce_number(next, 21845);
            a_recv_off += 21845;
        }
        snprintf(name, sizeof name, "crafted as b would seal it, %s", window[i].name);
        if (window[i].accepted) {
            CHECK(open_data_packet(a->shared, nonce, &q), "crafted packet does not open");
            data_decode_vector(name, a->shared, q.data, q.len, a_recv, &q, next, NULL);
        } else {
            data_decode_vector(name, a->shared, q.data, q.len, a_recv, NULL, NULL, "bad-mac");
        }
        memcpy(a_recv, next, NONCE_SIZE);
    }
    /* The window moved twice: a packet at b's base nonce + 43700 now opens. */
    {
        uint8_t nonce[NONCE_SIZE];
        CHECK(a_recv_off == 43690, "window offset");
        nonce_plus(b->base_nonce, a_recv_off + 65535, nonce);
        payload[0] = 203;
        len = craft_data(a->shared, nonce, a_send_start, b_send_end, 0, payload, 3, pkt);
        nc_deliver(a, b, pkt, len, NULL, 0);
        CHECK(a->lossy_calls == 1, "a's window did not move as expected");
    }
    struct {
        const char *name;
        size_t padding, payload_len;
        size_t cut; /* bytes to drop from the end, after sealing */
        const char *error;
    } bad_data[] = {
        {"only padding after the two numbers: refused", 4, 0, 0, "bad-value"},
        {"27 bytes (two numbers, no payload): refused", 0, 0, 0, "truncated"},
        {"1401 bytes (a 1374-byte payload): refused", 0, MAX_DATA_SIZE + 1, 0, "trailing-bytes"},
        {"19 bytes (a MAC and nothing else): refused", 0, 0, 8, "truncated"},
    };
    for (size_t i = 0; i < sizeof bad_data / sizeof bad_data[0]; ++i) {
        uint8_t nonce[NONCE_SIZE];
        nonce_plus(b->base_nonce, a_recv_off + (uint32_t)(10 + i), nonce);
        snprintf(name, sizeof name, "toxlink/netcrypto/main/bad-data-%zu", i);
        seeded(name, payload, bad_data[i].payload_len);
        if (bad_data[i].payload_len > 0) {
            payload[0] = 204;
        }
        len = craft_data(a->shared, nonce, a_send_start, b_send_end, bad_data[i].padding, payload,
                         bad_data[i].payload_len, pkt);
        if (bad_data[i].cut > 0) {
            len -= bad_data[i].cut;
        }
        nc_deliver(a, b, pkt, len, NULL, 0);
        CHECK(a->lossy_calls == 0 && a->data_calls == 0 && a->status_calls == 0, "a took: %s", bad_data[i].name);
        snprintf(name, sizeof name, "crafted as b would seal it, %s", bad_data[i].name);
        data_decode_vector(name, a->shared, pkt, len, a_recv, NULL, NULL, bad_data[i].error);
    }

    /* a kills the connection: b hears the kill packet and answers with its own. */
    clear_sent(a->d);
    CHECK(crypto_kill(a->nc, a->conn) == 0, "crypto_kill");
    CHECK(nc_collect(a, p, 1) == 1 && p[0].payload_len == 1 && p[0].payload[0] == 2, "kill packet");
    a->conn = -1;
    data_encode_vector("kill packet built by crypto_kill of an established connection (a to b)", a, b, &p[0]);
    Nc_Packet reply[2];
    CHECK(nc_deliver(b, a, p[0].data, p[0].len, reply, 2) == 1 && b->status_calls == 1 && !b->last_status,
          "b did not go offline on the kill packet");
    data_decode_vector("kill packet a sent: b goes offline", b->shared, p[0].data, p[0].len, b_recv, &p[0], b_recv, NULL);
    CHECK(reply[0].payload_len == 1 && reply[0].payload[0] == 2, "b's answer is not a kill packet");
    data_encode_vector("kill packet b sends in answer to a's (connection_kill calls crypto_kill)", b, a, &reply[0]);

    nc_free(e);
    nc_free(b);
    nc_free(a);
}

/* ---- the request session: lost packets, asked for and sent again ---- */

typedef struct Req_Session {
    Nc_Node *a, *b;       /* a sends lossless packets, b loses some and asks for them */
    uint32_t a_send_end;  /* a's next packet number */
    uint32_t b_recv_start;
} Req_Session;

/* Collects what `n` sent and keeps the lossless packets' numbers (resends), in order. */
static size_t collect_resent(Nc_Node *n, Nc_Packet *sent, int max, uint32_t *numbers, Nc_Packet *resends)
{
    const int got = nc_collect(n, sent, max);
    size_t count = 0;
    for (int i = 0; i < got; ++i) {
        if (sent[i].data[0] == PKT_CRYPTO_DATA && sent[i].payload[0] >= 16 && sent[i].payload[0] <= 191) {
            nc_copy(&resends[count], &sent[i]);
            numbers[count++] = sent[i].number;
        }
    }
    return count;
}

static Nc_Packet big_sent[FAKE_MAX_SENT], big_resends[FAKE_MAX_SENT];

/* a sends `count` lossless packets; b gets all but those at the offsets in `lost`. Then b
 * sends its request (an encode vector), a takes it and sends the lost ones again (a decode
 * vector), and b gets them. */
static void request_round(Req_Session *s, const char *name, uint32_t count, const uint32_t *lost, size_t n_lost)
{
    char label[256];
    const uint32_t first = s->a_send_end;
    uint32_t missing[64];
    CHECK(n_lost <= 64, "too many lost");
    for (size_t i = 0; i < n_lost; ++i) {
        missing[i] = first + lost[i];
    }
    size_t next_lost = 0;
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t payload[3] = {160, (uint8_t)i, (uint8_t)(i >> 8)};
        clear_sent(s->a->d);
        CHECK(write_cryptpacket(s->a->nc, s->a->conn, payload, sizeof payload, false) == first + i, "write_cryptpacket");
        Nc_Packet p;
        CHECK(nc_collect(s->a, &p, 1) == 1, "lossless packet");
        if (next_lost < n_lost && lost[next_lost] == i) {
            ++next_lost;
            continue;
        }
        nc_deliver(s->b, s->a, p.data, p.len, NULL, 0);
    }
    s->a_send_end += count;
    const uint32_t b_start = n_lost > 0 ? missing[0] : s->a_send_end;

    nc_advance(2500);
    const int got = nc_iterate(s->b, big_sent, FAKE_MAX_SENT);
    const Nc_Packet *request = NULL;
    for (int i = 0; i < got; ++i) {
        if (big_sent[i].data[0] == PKT_CRYPTO_DATA && big_sent[i].payload[0] == 1) {
            CHECK(request == NULL, "b sent two request packets");
            request = &big_sent[i];
        }
    }
    CHECK(request != NULL && request->buffer_start == b_start, "b sent no request packet, or with another ack");
    snprintf(label, sizeof label, "built by send_request_packet: %s", name);
    lost_request_encode_vector(label, b_start, s->a_send_end, missing, n_lost, request->payload, request->payload_len);

    Nc_Packet req;
    nc_copy(&req, request);
    nc_deliver(s->a, s->b, req.data, req.len, NULL, 0);
    clear_sent(s->a->d);
    do_net_crypto(s->a->nc, NULL);
    uint32_t resent[64] = {0};
    const size_t n_resent = collect_resent(s->a, big_sent, FAKE_MAX_SENT, resent, big_resends);
    snprintf(label, sizeof label, "%s, given to its sender: handle_request_packet marks the lost ones, sent again",
             name);
    lost_request_decode_vector(label, req.payload, req.payload_len, b_start, s->a_send_end, resent, n_resent);
    for (size_t i = 0; i < n_resent; ++i) {
        nc_deliver(s->b, s->a, big_resends[i].data, big_resends[i].len, NULL, 0);
    }
    s->b_recv_start = s->a_send_end;
}

static void nc_session_request(void)
{
    nc_set_clock((NC_T0 + 100) * 1000);
    Req_Session s = {0};
    s.a = nc_new("request/a", "203.0.113.50", 33445);
    s.b = nc_new("request/b", "203.0.113.60", 33445);
    uint8_t request[COOKIE_REQUEST_LEN], echo[ECHO_ID_SIZE], response[COOKIE_RESPONSE_LEN], hs[HANDSHAKE_LEN];
    uint8_t hs_reply[HANDSHAKE_LEN], n1[NONCE_SIZE], n2[NONCE_SIZE];
    nc_connect(s.a, s.b, "request/a", -1, request, echo);
    nc_answer_cookie(s.b, s.a, "request/b", request, COOKIE_REQUEST_LEN, response, n1);
    CHECK(nc_take_cookie(s.a, s.b, "request/a", response, COOKIE_RESPONSE_LEN, hs, n1, n2) == 1, "handshake");
    Nc_Packet b_first;
    nc_accept(s.b, s.a, "request/b", hs, hs_reply, n1, n2, &b_first);

    /* a takes b's handshake (not confirmed yet), then a data packet with a reserved id:
     * handle_data_packet_core confirms the connection before it looks at the id. */
    CHECK(nc_deliver(s.a, s.b, hs_reply, HANDSHAKE_LEN, NULL, 0) == 0, "handshake reply answered");
    {
        uint8_t nonce[NONCE_SIZE], reserved[2] = {5, 0x42};
        nonce_plus(s.b->base_nonce, 500, nonce);
        Nc_Packet q;
        memset(&q, 0, sizeof q);
        q.len = craft_data(s.b->shared, nonce, 0, 0, (MAX_DATA_SIZE - 2) % 8, reserved, 2, q.data);
        nc_deliver(s.a, s.b, q.data, q.len, NULL, 0);
        CHECK(s.a->status_calls == 1 && s.a->last_status && s.a->data_calls == 0 && s.a->lossy_calls == 0,
              "a reserved id did not confirm the connection");
        CHECK(open_data_packet(s.a->shared, nonce, &q), "open");
        data_decode_vector("crafted as b would seal it, a reserved packet id (5) on a connection not yet confirmed: "
                           "opens and confirms it (c-toxcore reports it online), then no handler takes it",
                           s.a->shared, q.data, q.len, s.b->base_nonce, &q, s.b->base_nonce, NULL);
    }
    CHECK(nc_deliver(s.a, s.b, b_first.data, b_first.len, NULL, 0) == 0 && s.a->status_calls == 0,
          "b's first request packet changed a's status again");
    {
        Nc_Packet sent[2];
        CHECK(nc_iterate(s.a, sent, 2) == 1 && sent[0].data[0] == PKT_CRYPTO_DATA && sent[0].payload[0] == 1,
              "a did not send a request packet");
        CHECK(nc_deliver(s.b, s.a, sent[0].data, sent[0].len, NULL, 0) == 0 && s.b->status_calls == 1 &&
              s.b->last_status, "a's request packet did not establish b");
    }
    lost_request_encode_vector("built by send_request_packet with nothing received: the id alone", 0, 0, NULL, 0,
                          b_first.payload, b_first.payload_len);

    static const uint32_t lost1[] = {1, 2, 5};
    request_round(&s, "8 packets, 2nd, 3rd and 6th lost", 8, lost1, 3);
    static const uint32_t lost2[] = {0, 290};
    request_round(&s, "300 packets, 1st and 291st lost (255 received in a row: a 0 byte)", 300, lost2, 2);
    static const uint32_t lost3[] = {0, 255, 511};
    request_round(&s, "520 packets, 1st, 256th and 512th lost (a gap of exactly 255, then 256)", 520, lost3, 3);
    static const uint32_t lost4[] = {0};
    request_round(&s, "600 packets, the first lost (the rest: two 0 bytes, then nothing)", 600, lost4, 1);

    /* Requests crafted as b would seal them, for 300 packets a sent and b never got. */
    const uint32_t first = s.a_send_end;
    for (uint32_t i = 0; i < 300; ++i) {
        uint8_t payload[3] = {161, (uint8_t)i, (uint8_t)(i >> 8)};
        clear_sent(s.a->d);
        CHECK(write_cryptpacket(s.a->nc, s.a->conn, payload, sizeof payload, false) == first + i, "write_cryptpacket");
        CHECK(nc_collect(s.a, big_sent, 1) == 1, "lossless packet");
    }
    s.a_send_end += 300;
    nc_advance(2500);
    struct {
        const char *name;
        uint8_t payload[8];
        size_t len;
    } crafted[] = {
        {"the id alone: nothing asked, nothing acknowledged", {1}, 1},
        {"asks for the 3rd, 5th and 260th after the acknowledged one", {1, 3, 2, 255}, 4},
        {"four 0 bytes over 300 packets: the list runs past the buffer's end, all acknowledged", {1, 0, 0, 0, 0}, 5},
    };
    uint32_t b_offset = 1000; /* crafted packets use b's nonces from base + data_sent + 1000 */
    for (size_t i = 0; i < sizeof crafted / sizeof crafted[0]; ++i) {
        uint8_t nonce[NONCE_SIZE], pkt[PACKET_CAP];
        nonce_plus(s.b->base_nonce, s.b->data_sent + b_offset++, nonce);
        const size_t len = craft_data(s.b->shared, nonce, first, 0, (MAX_DATA_SIZE - crafted[i].len) % 8,
                                      crafted[i].payload, crafted[i].len, pkt);
        nc_deliver(s.a, s.b, pkt, len, NULL, 0);
        uint32_t resent[64] = {0};
        nc_iterate(s.a, big_sent, FAKE_MAX_SENT);
        size_t n_resent = 0;
        for (int k = 0; k < s.a->d->u.fnet.n_sent; ++k) {
            if (big_sent[k].data[0] == PKT_CRYPTO_DATA && big_sent[k].payload[0] == 161) {
                resent[n_resent++] = big_sent[k].number;
            }
        }
        char label[256];
        snprintf(label, sizeof label, "crafted as b would seal it, %s", crafted[i].name);
        lost_request_decode_vector(label, crafted[i].payload, crafted[i].len, first, s.a_send_end, resent, n_resent);
        nc_advance(2500);
    }

    /* Lossy packets tell the receiver where the sender's numbers end: a crafted one from b
     * claiming 3, then 1400 packets, makes a's next request list them all as missing. */
    static const uint32_t ends[] = {3, 1400};
    for (size_t i = 0; i < 2; ++i) {
        uint8_t nonce[NONCE_SIZE], pkt[PACKET_CAP], lossy[2] = {200, (uint8_t)i};
        nonce_plus(s.b->base_nonce, s.b->data_sent + b_offset++, nonce);
        const size_t len = craft_data(s.b->shared, nonce, s.a_send_end, ends[i], 0, lossy, 2, pkt);
        nc_deliver(s.a, s.b, pkt, len, NULL, 0);
        CHECK(s.a->lossy_calls == 1, "a did not take the lossy packet");
        nc_advance(2500);
        const int got = nc_iterate(s.a, big_sent, FAKE_MAX_SENT);
        const Nc_Packet *request = NULL;
        for (int k = 0; k < got; ++k) {
            if (big_sent[k].data[0] == PKT_CRYPTO_DATA && big_sent[k].payload[0] == 1) {
                request = &big_sent[k];
            }
        }
        CHECK(request != NULL, "a sent no request packet");
        static uint32_t all[1400];
        for (uint32_t k = 0; k < ends[i]; ++k) {
            all[k] = k;
        }
        lost_request_encode_vector(i == 0 ? "built by send_request_packet after a lossy packet numbered 3 (3 missing)"
                                     : "built by send_request_packet with 1400 missing: cut at 1373 bytes",
                              0, ends[i], all, ends[i], request->payload, request->payload_len);
    }

    nc_free(s.b);
    nc_free(s.a);
}

static int gen_netcrypto(void)
{
    suite_begin(&ncj[S_COOKIE], "netcrypto-cookie",
                "The net_crypto cookie: [nonce 24][secretbox with the node's cookie key: [timestamp 8][real public key "
                "32][DHT public key 32]], 112 bytes. The timestamp is whole seconds of the maker's clock, a host-order "
                "uint64 in c-toxcore (little-endian here). Encode vectors give key, nonce, timestamp (decimal text) "
                "and keys, and the cookie. Decode vectors give a cookie, a key and the time 'now' (decimal seconds), "
                "and either the fields or an error: 'bad-mac' (the box does not open), 'expired' (now > timestamp + "
                "15) or 'future' (now < timestamp).",
                SOURCE_GEN " The generator runs real c-toxcore net_crypto objects (new_net_crypto on new_dht on a fake "
                "Network) with scripted randomness (their Random, and libsodium's global random source for key pairs) "
                "and a clock of its own; no packet leaves the process. Encode vectors: cookies made by "
                "create_cookie_response and create_crypto_handshake. Decode vectors: the verdict of "
                "handle_crypto_handshake (open_cookie) on a handshake carrying the cookie, given to its maker at "
                "'now'.");
    suite_begin(&ncj[S_COOKIE_REQUEST], "netcrypto-cookie-request",
                "Cookie request (0x18): [0x18][sender DHT public key 32][nonce 24][box with the DHT shared key: "
                "[sender real public key 32][32 bytes, zero when sent][echo id 8]], exactly 145 bytes. Encode "
                "vectors give both DHT key pairs, the real key, echo id and nonce, and the shared key and packet. "
                "Decode vectors give a packet and the receiver's DHT secret key, and either the fields or an "
                "error: a toxlink DecodeError code, or 'bad-mac'.",
                SOURCE_GEN " The generator runs real c-toxcore net_crypto objects on a fake Network with scripted "
                "randomness. Encode vectors: new_crypto_connection + do_net_crypto (create_cookie_request). Decode "
                "vectors: given to udp_handle_cookie_request; accepted ones were answered with a cookie response, "
                "whose cookie holds the fields listed; refused ones were not answered.");
    suite_begin(&ncj[S_COOKIE_RESPONSE], "netcrypto-cookie-response",
                "Cookie response (0x19): [0x19][nonce 24][box with the DHT shared key: [cookie 112][echo id 8]], "
                "exactly 161 bytes. Encode vectors give both DHT key pairs, nonce, cookie and echo id, and the "
                "shared key and packet. Decode vectors give a packet, the requester's DHT secret key, the responder's "
                "DHT public key and the echo id of the requester's request, and either the fields and whether the "
                "echo id answers that request, or an error: a toxlink DecodeError code, or 'bad-mac'.",
                SOURCE_GEN " The generator runs real c-toxcore net_crypto objects on a fake Network with scripted "
                "randomness. Encode vectors: udp_handle_cookie_request (create_cookie_response). Decode vectors: "
                "given to the requester's connection while it requests a cookie (handle_packet_cookie_response): "
                "the one that answers its request made it send its handshake, the others did not.");
    suite_begin(&ncj[S_HANDSHAKE], "netcrypto-handshake",
                "Handshake (0x1a): [0x1a][cookie 112, made by the receiver][nonce 24][box with the real keys' shared "
                "key: [base nonce 24][session public key 32][SHA-512 of the cookie 64][cookie made by the sender for "
                "the receiver 112]], exactly 385 bytes. Encode vectors give the real key pairs, the cookie, nonce, "
                "base nonce, session public key and the fields of the cookie the sender makes (other_cookie), and the "
                "shared key, that cookie and the packet. Decode vectors give a packet, the receiver's real secret key "
                "and cookie key, the time 'now' (decimal seconds) and, optionally, the real key the packet must come "
                "from; and either the peer's real and DHT keys (from the cookie), base nonce, session key and the "
                "inner cookie, or an error: 'truncated', 'trailing-bytes', 'cookie-bad-mac', 'cookie-expired', "
                "'cookie-future', 'unexpected-peer', 'bad-mac' (the box) or 'cookie-hash'.",
                SOURCE_GEN " The generator runs real c-toxcore net_crypto objects on a fake Network with scripted "
                "randomness and its own clock. Encode vectors: create_send_handshake, on a cookie response and in "
                "accept_crypto_connection. Decode vectors: given to handle_new_connection_handshake (accepted ones "
                "reached the new-connection callback, whose New_Connection holds the fields listed) or to an "
                "existing connection's handle_packet_crypto_hs (the expected real key is the connection's).");
    suite_begin(&ncj[S_DATA], "netcrypto-data",
                "Data packet (0x1b): [0x1b][last 2 bytes of the sender's nonce][box with the session key: [buffer "
                "start u32 BE][packet number u32 BE][zero padding][payload]], 28 to 1400 bytes. A sender pads with "
                "(1373 - payload length) % 8 zeros. The receiver rebuilds the nonce from its stored receive nonce: "
                "stored + ((2 bytes - stored's last 2 bytes) mod 65536), and after a packet opens with a difference "
                "over 43690 moves the stored nonce on by 21845. Encode vectors give the sender's session secret key, "
                "the receiver's session public key, nonce, buffer start, packet number and payload, and the shared "
                "key and packet. Decode vectors give a packet, the shared key and the stored receive nonce, and "
                "either the nonce used, the fields, the payload's kind and the stored nonce after, or an error: a "
                "toxlink DecodeError code, or 'bad-mac'.",
                SOURCE_GEN " The generator runs real c-toxcore net_crypto objects on a fake Network with scripted "
                "randomness. Encode vectors: send_request_packet, write_cryptpacket, send_lossy_cryptpacket, "
                "crypto_kill. Decode vectors: given to the receiving connection (handle_data_packet_core); accepted "
                "lossless, lossy and kill packets reached the data, lossy-data and status callbacks, the request "
                "packets established the connection, refused ones reached nothing. Crafted packets were sealed with "
                "encrypt_data_symmetric and the session key.");
    suite_begin(&ncj[S_REQUEST], "netcrypto-request",
                "The request packet (payload id 1), c-toxcore's list of lost packets. Encode vectors give the "
                "receiver's buffer (first number not yet delivered, one past the highest known) and the numbers "
                "missing in it, and the payload. Decode vectors give a payload and the sender's buffer (start after "
                "the packet's acknowledgement, end), and the numbers it asks for again and where the list stops "
                "(numbers from start up to there and not asked for count as delivered).",
                SOURCE_GEN " The generator runs real c-toxcore net_crypto objects on a fake Network with scripted "
                "randomness. Encode vectors: generate_request_packet (via send_request_packet) of a receiver that "
                "was handed all but the missing packets. Decode vectors: handle_request_packet of the sender; the "
                "numbers listed are the packets it sent again on its next do_net_crypto.");

    nc_session_main();
    nc_session_request();

    int total = 0;
    for (int i = 0; i < S_COUNT; ++i) {
        suite_end(&ncj[i]);
        total += ncj[i].count;
    }
    return total;
}

/* --------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    gen_start(argc, argv, "gen");
    /* Before sodium_init: libsodium's own random source, deterministic and scriptable, so
     * the session key pairs of the netcrypto-* suites (crypto_box_keypair) are inputs. */
    sodium_rng_install("toxlink/gen/libsodium-global-random");
    CHECK(sodium_init() >= 0, "sodium_init failed");
    logger = logger_new();
    CHECK(logger != NULL, "logger_new failed");

    const int box = gen_nacl_box();
    const int nonce = gen_nonce_increment();
    const int nodes = gen_packed_nodes();
    const int id = gen_tox_id();
    const int ping = gen_dht_ping();
    const int dht_nodes = gen_dht_nodes();
    const int request = gen_dht_request();
    const int lan = gen_dht_lan_discovery();
    gen_netcrypto();
    logger_kill(logger);

    printf("nacl-box.json         %d vectors\n", box);
    printf("nonce-increment.json  %d vectors\n", nonce);
    printf("packed-nodes.json     %d vectors\n", nodes);
    printf("tox-id.json           %d vectors\n", id);
    printf("dht-ping.json         %d vectors\n", ping);
    printf("dht-nodes.json        %d vectors\n", dht_nodes);
    printf("dht-request.json      %d vectors\n", request);
    printf("dht-lan-discovery.json %d vectors\n", lan);
    static const char *const nc_names[S_COUNT] = {
        "netcrypto-cookie", "netcrypto-cookie-request", "netcrypto-cookie-response",
        "netcrypto-handshake", "netcrypto-data", "netcrypto-request",
    };
    for (int i = 0; i < S_COUNT; ++i) {
        printf("%s.json %d vectors\n", nc_names[i], ncj[i].count);
    }
    return 0;
}
