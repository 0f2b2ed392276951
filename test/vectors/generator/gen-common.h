/*
 * What every vector generator (gen.c, gen-onion.c, gen-relay.c, gen-savedata.c) needs and
 * does the same way: dying with a message, seeded bytes, the JSON writer of the suites,
 * the deterministic random stream (a script, then a seeded stream) and libsodium's global
 * random source built on it, and the start of main.
 *
 * Public API only (libsodium, tox.h): nothing here declares a c-toxcore internal, so the
 * savedata generator, which uses tox.h alone, can use it too. The internals are declared
 * in toxcore-internal.h, the fake UDP network in fake-net.h.
 */
#ifndef GEN_COMMON_H
#define GEN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#define KEY_SIZE 32
#define NONCE_SIZE 24
#define MAC_SIZE 16
#define UNUSED(x) ((void)(x))

/* ---- errors ---- */

/* Prints "NAME: message" (NAME is the generator's, set by gen_start) and exits 1. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define CHECK(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

/* Checks the command line (one argument: the output folder, kept in out_dir) and that the
 * linked c-toxcore is 0.2.18. `name` prefixes every message of die(). */
void gen_start(int argc, char **argv, const char *name);

/* ---- deterministic bytes ---- */

/* ChaCha20 keyed with BLAKE2b-256(label): randombytes_buf_deterministic. */
void seeded(const char *label, uint8_t *out, size_t n);
/* The same with a printf-formatted label. */
void seeded_f(uint8_t *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* `n` bytes from 2n hex digits; dies on anything else. */
void parse_hex(const char *hex, uint8_t *out, size_t n);

/* A random source that hands out scripted bytes first, then a seeded stream: each call
 * that reaches the stream takes a fresh block, randombytes_buf_deterministic keyed with
 * BLAKE2b-256(seed || block number as u64 LE). `drawn` counts the bytes handed out since
 * the last script (or the last reset by its owner). */
typedef struct Det_Rng {
    uint8_t seed[randombytes_SEEDBYTES];
    uint64_t blocks;
    uint8_t script[256];
    size_t script_len, script_pos, drawn;
} Det_Rng;

void det_fill(Det_Rng *r, uint8_t *bytes, size_t length);
/* The next bytes `r` hands out are `bytes`. */
void rng_script(Det_Rng *r, const uint8_t *bytes, size_t len);
/* The next bytes `r` hands out are the seeded bytes of `label`, returned in `out`. */
void rng_script_seeded(Det_Rng *r, const char *label, uint8_t *out, size_t len);
/* Dies unless exactly the scripted bytes were drawn; then clears the script. */
void rng_expect_used(Det_Rng *r, const char *what);

/* libsodium's global random source (crypto_box_keypair, and c-toxcore's own draws from
 * libsodium) as a Det_Rng seeded from `seed_label`. Must run before sodium_init. */
extern Det_Rng sodium_rng;
void sodium_rng_install(const char *seed_label);

/* ---- addresses ---- */

/* Canonical text of an address, written by us (not inet_ntop, whose IPv6 output differs
 * between C libraries): dotted quad for IPv4; for IPv6 RFC 5952 — lower case, no leading
 * zeros, the first longest run of two or more zero groups replaced by "::", and
 * IPv4-mapped addresses (::ffff:0:0/96) as ::ffff:a.b.c.d. */
void format_ip(char *out, size_t size, bool v6, const uint8_t *b);

/* ---- JSON output, laid out as JavaScript's JSON.stringify(value, null, 2) lays it out ---- */

typedef struct Json {
    FILE *f;
    int depth;
    bool has_items[16];
    bool after_key;
    int count; /* vectors written */
} Json;

extern const char *out_dir;

void j_open(Json *j, char c);
void j_close(Json *j, char c);
void j_key(Json *j, const char *k);
void j_str(Json *j, const char *s);
void j_u64(Json *j, uint64_t v);
void j_bool(Json *j, bool v);
void j_hex(Json *j, const uint8_t *b, size_t n);
void kv_str(Json *j, const char *k, const char *v);
void kv_u64(Json *j, const char *k, uint64_t v);
void kv_bool(Json *j, const char *k, bool v);
void kv_hex(Json *j, const char *k, const uint8_t *b, size_t n);
/* A number too large for a JavaScript number, as a decimal string. */
void kv_u64_text(Json *j, const char *k, uint64_t v);

/* Opens OUT_DIR/SUITE.json and writes {"format": 1, "suite", "description", "source",
 * "vectors": [ — suite_end closes it and returns how many vectors it got. */
void suite_begin(Json *j, const char *suite, const char *description, const char *source);
int suite_end(Json *j);
/* A vector: {"name": name, "input": {...}, "expected": {...}}; vector_expected closes
 * "input" and opens "expected". */
void vector_begin(Json *j, const char *name);
void vector_expected(Json *j);
void vector_end(Json *j);

#endif
