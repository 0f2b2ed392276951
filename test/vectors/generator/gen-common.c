/*
 * The pieces every vector generator shares (see gen-common.h). Our own code; public
 * libsodium and tox.h API only.
 */
#include "gen-common.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <tox/tox.h>

/* ---------------------------------------------------------------------------------------
 * Errors and the start of main.
 * ------------------------------------------------------------------------------------ */

static const char *gen_name = "gen";
const char *out_dir;

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", gen_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void gen_start(int argc, char **argv, const char *name)
{
    gen_name = name;
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
        exit(2);
    }
    out_dir = argv[1];
    CHECK(tox_version_major() == 0 && tox_version_minor() == 2 && tox_version_patch() == 18,
          "linked c-toxcore is %u.%u.%u, the declarations here are for 0.2.18", tox_version_major(),
          tox_version_minor(), tox_version_patch());
}

/* ---------------------------------------------------------------------------------------
 * Deterministic bytes.
 * ------------------------------------------------------------------------------------ */

void seeded(const char *label, uint8_t *out, size_t n)
{
    uint8_t seed[randombytes_SEEDBYTES];
    crypto_generichash(seed, sizeof seed, (const uint8_t *)label, strlen(label), NULL, 0);
    randombytes_buf_deterministic(out, n, seed);
}

void seeded_f(uint8_t *out, size_t n, const char *fmt, ...)
{
    char label[512];
    va_list ap;
    va_start(ap, fmt);
    const int len = vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    CHECK(len >= 0 && (size_t)len < sizeof label, "label too long: %s", label);
    seeded(label, out, n);
}

void parse_hex(const char *hex, uint8_t *out, size_t n)
{
    size_t bin_len = 0;
    CHECK(strlen(hex) == 2 * n && sodium_hex2bin(out, n, hex, strlen(hex), NULL, &bin_len, NULL) == 0 && bin_len == n,
          "bad hex constant %s", hex);
}

void det_fill(Det_Rng *r, uint8_t *bytes, size_t length)
{
    r->drawn += length;
    size_t i = 0;
    while (i < length && r->script_pos < r->script_len) {
        bytes[i++] = r->script[r->script_pos++];
    }
    if (i < length) {
        uint8_t in[randombytes_SEEDBYTES + 8], block_seed[randombytes_SEEDBYTES];
        memcpy(in, r->seed, randombytes_SEEDBYTES);
        for (int b = 0; b < 8; ++b) {
            in[randombytes_SEEDBYTES + b] = (uint8_t)(r->blocks >> (8 * b));
        }
        ++r->blocks;
        crypto_generichash(block_seed, sizeof block_seed, in, sizeof in, NULL, 0);
        randombytes_buf_deterministic(bytes + i, length - i, block_seed);
    }
}

void rng_script(Det_Rng *r, const uint8_t *bytes, size_t len)
{
    CHECK(len <= sizeof r->script, "script too long");
    memcpy(r->script, bytes, len);
    r->script_len = len;
    r->script_pos = 0;
    r->drawn = 0;
}

void rng_script_seeded(Det_Rng *r, const char *label, uint8_t *out, size_t len)
{
    CHECK(len <= sizeof r->script, "script too long");
    seeded(label, out, len);
    rng_script(r, out, len);
}

void rng_expect_used(Det_Rng *r, const char *what)
{
    CHECK(r->script_pos == r->script_len && r->drawn == r->script_len,
          "%s: %zu random bytes were drawn; the script had %zu", what, r->drawn, r->script_len);
    r->script_len = r->script_pos = 0;
    r->drawn = 0;
}

Det_Rng sodium_rng;

static const char *sodium_rng_name(void) { return "toxlink-gen-deterministic"; }
static void sodium_rng_buf(void *const buf, const size_t size) { det_fill(&sodium_rng, (uint8_t *)buf, size); }
static uint32_t sodium_rng_random(void)
{
    uint32_t x;
    det_fill(&sodium_rng, (uint8_t *)&x, sizeof x);
    return x;
}
static randombytes_implementation sodium_rng_impl = {
    sodium_rng_name, sodium_rng_random, NULL, NULL, sodium_rng_buf, NULL,
};

void sodium_rng_install(const char *seed_label)
{
    seeded(seed_label, sodium_rng.seed, sizeof sodium_rng.seed);
    CHECK(randombytes_set_implementation(&sodium_rng_impl) == 0, "randombytes_set_implementation");
}

/* ---------------------------------------------------------------------------------------
 * Addresses.
 * ------------------------------------------------------------------------------------ */

void format_ip(char *out, size_t size, bool v6, const uint8_t *b)
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
 * JSON.
 * ------------------------------------------------------------------------------------ */

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

void j_open(Json *j, char c)
{
    j_item(j);
    fputc(c, j->f);
    ++j->depth;
    assert(j->depth < 16);
    j->has_items[j->depth] = false;
}

void j_close(Json *j, char c)
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

void j_key(Json *j, const char *k)
{
    j_item(j);
    j_raw_string(j, k);
    fputs(": ", j->f);
    j->after_key = true;
}

void j_str(Json *j, const char *s)
{
    j_item(j);
    j_raw_string(j, s);
}

void j_u64(Json *j, uint64_t v)
{
    j_item(j);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void j_bool(Json *j, bool v)
{
    j_item(j);
    fputs(v ? "true" : "false", j->f);
}

void j_hex(Json *j, const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);
    CHECK(s != NULL, "out of memory");
    sodium_bin2hex(s, 2 * n + 1, b, n);
    j_str(j, s);
    free(s);
}

void kv_str(Json *j, const char *k, const char *v) { j_key(j, k); j_str(j, v); }
void kv_u64(Json *j, const char *k, uint64_t v) { j_key(j, k); j_u64(j, v); }
void kv_bool(Json *j, const char *k, bool v) { j_key(j, k); j_bool(j, v); }
void kv_hex(Json *j, const char *k, const uint8_t *b, size_t n) { j_key(j, k); j_hex(j, b, n); }

void kv_u64_text(Json *j, const char *k, uint64_t v)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    kv_str(j, k, text);
}

void suite_begin(Json *j, const char *suite, const char *description, const char *source)
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

int suite_end(Json *j)
{
    j_close(j, ']');
    j_close(j, '}');
    CHECK(fclose(j->f) == 0, "write failed");
    return j->count;
}

void vector_begin(Json *j, const char *name)
{
    j_open(j, '{');
    kv_str(j, "name", name);
    j_key(j, "input");
    j_open(j, '{');
    ++j->count;
}

void vector_expected(Json *j)
{
    j_close(j, '}');
    j_key(j, "expected");
    j_open(j, '{');
}

void vector_end(Json *j)
{
    j_close(j, '}');
    j_close(j, '}');
}
