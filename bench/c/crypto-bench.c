/*
 * c-toxcore's side of bench/crypto.ts: times c-toxcore 0.2.18's own crypto functions
 * (linked from the Debian libtoxcore.a) on the same workload as toxlink, and prints one
 * JSON line per figure. Usage: crypto-bench SECONDS_PER_FIGURE
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Internal functions of c-toxcore 0.2.18 (toxcore/crypto_core.h), declared here. */
int32_t encrypt_precompute(const uint8_t *public_key, const uint8_t *secret_key, uint8_t *shared_key);
int32_t encrypt_data_symmetric(const uint8_t *shared_key, const uint8_t *nonce, const uint8_t *plain, size_t length,
                               uint8_t *encrypted);
int32_t decrypt_data_symmetric(const uint8_t *shared_key, const uint8_t *nonce, const uint8_t *encrypted, size_t length,
                               uint8_t *plain);
void increment_nonce(uint8_t *nonce);

/* From libsodium, which c-toxcore uses for its keys. */
int crypto_box_keypair(unsigned char *pk, unsigned char *sk);

enum { PACKET = 1400, MAC = 16 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void emit(const char *name, double ops, double secs, const char *unit)
{
    printf("{\"name\":\"%s\",\"impl\":\"c-toxcore-0.2.18\",\"value\":%.0f,\"unit\":\"%s\",\"seconds\":%.3f}\n",
           name, ops / secs, unit, secs);
}

int main(int argc, char **argv)
{
    const double budget = argc > 1 ? atof(argv[1]) : 1.0;
    uint8_t pk[32], sk[32], pk2[32], sk2[32], key[32], nonce[24] = {0};
    uint8_t plain[PACKET], box[PACKET + MAC], out[PACKET];
    crypto_box_keypair(pk, sk);
    crypto_box_keypair(pk2, sk2);
    encrypt_precompute(pk2, sk, key);
    memset(plain, 0x5a, sizeof plain);

    /* Seal then open one 1400-byte packet with a precomputed key: a round trip per op. */
    long n = 0;
    double start = now_s(), t;
    do {
        for (int i = 0; i < 256; ++i, ++n) {
            increment_nonce(nonce);
            if (encrypt_data_symmetric(key, nonce, plain, PACKET, box) != PACKET + MAC) return 1;
            if (decrypt_data_symmetric(key, nonce, box, PACKET + MAC, out) != PACKET) return 1;
        }
        t = now_s() - start;
    } while (t < budget);
    emit("box+open 1400 B, precomputed key", (double)n, t, "packets/s");
    emit("box+open 1400 B, precomputed key", (double)n * PACKET / (1024.0 * 1024.0), t, "MiB/s");

    n = 0;
    start = now_s();
    do {
        for (int i = 0; i < 64; ++i, ++n) encrypt_precompute(pk2, sk, key);
        t = now_s() - start;
    } while (t < budget);
    emit("beforenm (precompute)", (double)n, t, "ops/s");
    return 0;
}
