/*
 * netcrypto-bench: c-toxcore 0.2.18 talking to itself over loopback, the reference figures
 * for toxlink's lossless transport (net_crypto) benchmarks. Public tox.h API only.
 *
 *   usage: netcrypto-bench [SECONDS] [MODE...]
 *
 *   SECONDS  length of each transfer figure, default 10 (a positive number, at most 600)
 *   MODE     "tight" and/or "interval"; default: both, in that order
 *
 *   build:   cc -O2 -std=c11 netcrypto-bench.c $(pkg-config --cflags --libs toxcore)
 *            (bench/netcrypto-c.ts does this into bench/c/build/)
 *
 * How the loop is driven, per mode:
 *   tight     tox_iterate both instances back to back with no sleep at all;
 *   interval  after each round, sleep min(tox_iteration_interval(a), tox_iteration_interval(b)),
 *             as an application following the recommended interval would.
 *
 * For each mode, two fresh pairs of Tox instances (UDP on, IPv6 off, local discovery off,
 * UDP ports taken from 33445..33545) are made friends with tox_friend_add_norequest and
 * bootstrapped to each other, then iterated until both see the other as a UDP friend
 * (at most 60 s; otherwise an error line is printed and the program exits with status 1).
 *
 * Pair 1, right after it connects:
 *   transfer         the sender offers custom lossless packets of 1373 bytes (first byte 160,
 *                    then a 32-bit big-endian sequence number, then filler) with
 *                    tox_friend_send_lossless_packet as fast as it accepts them: each round
 *                    it sends until the call fails (SENDQ), then iterates. SECONDS long.
 *                    Bytes are counted in the receiver's lossless callback.
 *   second_transfer  the same, for another SECONDS on the same connection, straight after.
 * Pair 2 (an idle connection):
 *   rtt              lossless ping-pong of 8-byte packets (first byte 161, then a sequence
 *                    number): the receiver echoes each one from its callback, the sender
 *                    sends the next one from its callback when the echo arrives. Up to
 *                    1000 round trips or 10 s, whichever comes first. An echo (or ping)
 *                    toxcore refuses is sent again before the next round (`ping_refused`,
 *                    `echo_refused` count those refusals).
 *
 * Output: one JSON object per line on stdout, {"name", "impl": "c-toxcore", "value",
 * "unit", ...extra}. MB = 1e6 bytes. `timeline_mb_s` is the receive rate per 0.5 s.
 * Every loop is bounded in time.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tox/tox.h>

enum {
    PACKET_SIZE = 1373,        /* TOX_MAX_CUSTOM_PACKET_SIZE */
    TRANSFER_ID = 160,
    PING_ID = 161,
    PING_SIZE = 8,
    MAX_BURST = 8192,          /* packets offered per round at most, to keep rounds short */
    RTT_MAX_COUNT = 1000,
    MAX_BUCKETS = 2 * 600 + 4, /* 0.5 s buckets for the longest allowed transfer */
};

static const double CONNECT_TIMEOUT_S = 60.0;
static const double RTT_MAX_SECONDS = 10.0;
static const double BUCKET_S = 0.5;
static const double MAX_SECONDS = 600.0;

typedef enum { MODE_TIGHT, MODE_INTERVAL } Mode;

static const char *mode_name(Mode m) {
    return m == MODE_TIGHT ? "tight" : "interval";
}

/* ------------------------------------------------------------------------ */
/* Time                                                                       */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double seconds_since(uint64_t start_ns) {
    return (double)(now_ns() - start_ns) / 1e9;
}

static void sleep_ns(uint64_t ns) {
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* ------------------------------------------------------------------------ */
/* One Tox instance and what its callbacks saw                               */

typedef struct {
    Tox *tox;
    uint32_t friend_number; /* the other instance, as this one knows it */
    bool echo;              /* send PING_ID packets straight back */
    uint8_t echo_held[PING_SIZE]; /* an echo toxcore refused, sent again before the next round */
    size_t echo_held_len;

    /* transfer (receiving side) */
    uint64_t rx_packets;
    uint64_t rx_bytes;
    uint32_t expect_seq;
    uint64_t out_of_order;

    /* rtt (sending side) */
    bool ping_active;       /* send the next ping from the callback when the echo arrives */
    bool ping_pending;      /* a ping is in flight */
    uint32_t ping_seq;
    uint64_t ping_sent_ns;
    uint64_t ping_deadline_ns;
    double rtt_ms[RTT_MAX_COUNT];
    size_t rtt_count;
    uint64_t echo_refused;  /* echoes toxcore refused at first (then retried) */
    uint64_t ping_refused;  /* pings toxcore refused at first (then retried) */
} Node;

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Sends the next ping; false if toxcore refused it (the main loop retries). */
static bool send_ping(Node *n) {
    uint8_t ping[PING_SIZE] = { PING_ID };
    put_u32(ping + 1, n->ping_seq);
    n->ping_sent_ns = now_ns();
    if (!tox_friend_send_lossless_packet(n->tox, n->friend_number, ping, sizeof(ping), NULL)) {
        n->ping_refused++;
        return false;
    }
    n->ping_pending = true;
    return true;
}

static void on_lossless(Tox *tox, uint32_t friend_number, const uint8_t *data, size_t length, void *user_data) {
    Node *n = user_data;
    if (length == 0) { return; }
    if (data[0] == TRANSFER_ID) {
        n->rx_packets++;
        n->rx_bytes += length;
        if (length >= 5) {
            const uint32_t seq = get_u32(data + 1);
            if (seq != n->expect_seq) { n->out_of_order++; }
            n->expect_seq = seq + 1;
        }
        return;
    }
    if (data[0] != PING_ID) { return; }
    if (n->echo) {
        if (n->echo_held_len == 0 && tox_friend_send_lossless_packet(tox, friend_number, data, length, NULL)) { return; }
        n->echo_refused++;
        n->echo_held_len = length < sizeof(n->echo_held) ? length : sizeof(n->echo_held);
        memcpy(n->echo_held, data, n->echo_held_len);
        return;
    }
    if (!n->ping_pending || length < 5 || get_u32(data + 1) != n->ping_seq) { return; }
    const uint64_t now = now_ns();
    n->ping_pending = false;
    if (n->rtt_count < RTT_MAX_COUNT) { n->rtt_ms[n->rtt_count++] = (double)(now - n->ping_sent_ns) / 1e6; }
    n->ping_seq++;
    if (n->ping_active && n->rtt_count < RTT_MAX_COUNT && now < n->ping_deadline_ns) { send_ping(n); }
}

/* Sends a held echo again; it stays held while toxcore refuses it. */
static void retry_echo(Node *n) {
    if (n->echo_held_len != 0
            && tox_friend_send_lossless_packet(n->tox, n->friend_number, n->echo_held, n->echo_held_len, NULL)) {
        n->echo_held_len = 0;
    }
}

static Tox *new_tox(void) {
    struct Tox_Options *options = tox_options_new(NULL);
    if (options == NULL) { return NULL; }
    tox_options_set_ipv6_enabled(options, false);
    tox_options_set_udp_enabled(options, true);
    tox_options_set_local_discovery_enabled(options, false);
    tox_options_set_start_port(options, 33445);
    tox_options_set_end_port(options, 33545);
    tox_options_set_tcp_port(options, 0);
    Tox *tox = tox_new(options, NULL);
    tox_options_free(options);
    if (tox != NULL) { tox_callback_friend_lossless_packet(tox, on_lossless); }
    return tox;
}

/* ------------------------------------------------------------------------ */
/* A connected pair                                                           */

typedef struct {
    Node a; /* the sender */
    Node b; /* the receiver */
    double connect_ms;
} Pair;

static void fail_exit(const char *what, Mode mode, const char *error) {
    printf("{\"name\":\"%s\",\"impl\":\"c-toxcore\",\"mode\":\"%s\",\"error\":\"%s\"}\n", what, mode_name(mode), error);
    fflush(stdout);
    exit(1);
}

static void iterate_pair(Pair *p, Mode mode) {
    tox_iterate(p->a.tox, &p->a);
    tox_iterate(p->b.tox, &p->b);
    if (mode == MODE_INTERVAL) {
        const uint32_t ia = tox_iteration_interval(p->a.tox);
        const uint32_t ib = tox_iteration_interval(p->b.tox);
        sleep_ns((uint64_t)(ia < ib ? ia : ib) * 1000000u);
    }
}

static bool both_udp(const Pair *p) {
    return tox_friend_get_connection_status(p->a.tox, p->a.friend_number, NULL) == TOX_CONNECTION_UDP
        && tox_friend_get_connection_status(p->b.tox, p->b.friend_number, NULL) == TOX_CONNECTION_UDP;
}

/* Makes two instances, befriends and bootstraps them to each other, waits for UDP. */
static Pair *connect_pair(Mode mode) {
    Pair *p = calloc(1, sizeof(*p));
    if (p == NULL) { fail_exit("connect", mode, "out of memory"); }
    p->a.tox = new_tox();
    p->b.tox = new_tox();
    if (p->a.tox == NULL || p->b.tox == NULL) { fail_exit("connect", mode, "tox_new failed"); }
    uint8_t pk_a[TOX_PUBLIC_KEY_SIZE], pk_b[TOX_PUBLIC_KEY_SIZE];
    uint8_t dht_a[TOX_PUBLIC_KEY_SIZE], dht_b[TOX_PUBLIC_KEY_SIZE];
    tox_self_get_public_key(p->a.tox, pk_a);
    tox_self_get_public_key(p->b.tox, pk_b);
    tox_self_get_dht_id(p->a.tox, dht_a);
    tox_self_get_dht_id(p->b.tox, dht_b);
    Tox_Err_Friend_Add add_a, add_b;
    p->a.friend_number = tox_friend_add_norequest(p->a.tox, pk_b, &add_a);
    p->b.friend_number = tox_friend_add_norequest(p->b.tox, pk_a, &add_b);
    if (add_a != TOX_ERR_FRIEND_ADD_OK || add_b != TOX_ERR_FRIEND_ADD_OK) {
        fail_exit("connect", mode, "tox_friend_add_norequest failed");
    }
    const uint16_t port_a = tox_self_get_udp_port(p->a.tox, NULL);
    const uint16_t port_b = tox_self_get_udp_port(p->b.tox, NULL);
    if (!tox_bootstrap(p->a.tox, "127.0.0.1", port_b, dht_b, NULL)
            || !tox_bootstrap(p->b.tox, "127.0.0.1", port_a, dht_a, NULL)) {
        fail_exit("connect", mode, "tox_bootstrap failed");
    }
    const uint64_t start = now_ns();
    /* Connecting is not measured: always iterate at the recommended interval here. */
    while (!both_udp(p)) {
        if (seconds_since(start) > CONNECT_TIMEOUT_S) {
            fail_exit("connect", mode, "friends not connected over UDP within 60 s");
        }
        iterate_pair(p, MODE_INTERVAL);
    }
    p->connect_ms = seconds_since(start) * 1000.0;
    return p;
}

static void free_pair(Pair *p) {
    tox_kill(p->a.tox);
    tox_kill(p->b.tox);
    free(p);
}

/* ------------------------------------------------------------------------ */
/* Figures                                                                    */

typedef struct {
    double seconds;
    uint64_t rx_packets;
    uint64_t rx_bytes;
    uint64_t sent_packets;
    uint64_t refused_rounds;  /* rounds that ended on SENDQ */
    uint64_t other_errors;    /* any other send error (e.g. FRIEND_NOT_CONNECTED) */
    uint64_t rounds;
    uint64_t out_of_order;
    double timeline[MAX_BUCKETS];
    size_t buckets;
} Transfer;

static uint32_t g_tx_seq;

/* Runs one transfer period of `seconds` on pair `p`, continuing the sequence numbers. */
static void run_transfer(Pair *p, Mode mode, double seconds, Transfer *t) {
    static uint8_t packet[PACKET_SIZE];
    for (size_t i = 5; i < sizeof(packet); ++i) { packet[i] = (uint8_t)i; }
    packet[0] = TRANSFER_ID;
    memset(t, 0, sizeof(*t));
    const uint64_t rx_bytes0 = p->b.rx_bytes, rx_packets0 = p->b.rx_packets, ooo0 = p->b.out_of_order;
    const uint64_t start = now_ns();
    const uint64_t end = start + (uint64_t)(seconds * 1e9);
    const uint64_t bucket_ns = (uint64_t)(BUCKET_S * 1e9);
    uint64_t bucket_start = start, bucket_bytes0 = rx_bytes0, next_boundary = start + bucket_ns;
    for (uint64_t now = start; now < end; now = now_ns()) {
        for (int i = 0; i < MAX_BURST; ++i) {
            put_u32(packet + 1, g_tx_seq);
            Tox_Err_Friend_Custom_Packet err;
            if (tox_friend_send_lossless_packet(p->a.tox, p->a.friend_number, packet, sizeof(packet), &err)) {
                g_tx_seq++;
                t->sent_packets++;
                continue;
            }
            if (err == TOX_ERR_FRIEND_CUSTOM_PACKET_SENDQ) {
                t->refused_rounds++;
            } else {
                t->other_errors++;
            }
            break;
        }
        tox_iterate(p->a.tox, &p->a);
        tox_iterate(p->b.tox, &p->b);
        t->rounds++;
        if (mode == MODE_INTERVAL) {
            const uint32_t ia = tox_iteration_interval(p->a.tox);
            const uint32_t ib = tox_iteration_interval(p->b.tox);
            uint64_t ns = (uint64_t)(ia < ib ? ia : ib) * 1000000u;
            const uint64_t after = now_ns();
            if (after >= end) {
                ns = 0;
            } else if (ns > end - after) {
                ns = end - after;
            }
            sleep_ns(ns);
        }
        const uint64_t t_now = now_ns();
        /* Buckets end on the first round past each 0.5 s mark (and at the end); the rate
         * divides by the bucket's real length. */
        if ((t_now >= next_boundary || t_now >= end) && t->buckets < MAX_BUCKETS) {
            const double dt = (double)(t_now - bucket_start) / 1e9;
            t->timeline[t->buckets++] = (double)(p->b.rx_bytes - bucket_bytes0) / dt / 1e6;
            bucket_start = t_now;
            bucket_bytes0 = p->b.rx_bytes;
            while (next_boundary <= t_now) { next_boundary += bucket_ns; }
        }
    }
    t->seconds = seconds_since(start);
    t->rx_bytes = p->b.rx_bytes - rx_bytes0;
    t->rx_packets = p->b.rx_packets - rx_packets0;
    t->out_of_order = p->b.out_of_order - ooo0;
}

static void print_transfer(const char *name, Mode mode, const Pair *p, const Transfer *t) {
    const Tox_Connection status = tox_friend_get_connection_status(p->a.tox, p->a.friend_number, NULL);
    printf("{\"name\":\"%s\",\"impl\":\"c-toxcore\",\"value\":%.3f,\"unit\":\"MB/s\",\"mode\":\"%s\","
           "\"seconds\":%.3f,\"packet_size\":%d,\"received_packets\":%llu,\"received_bytes\":%llu,"
           "\"sent_packets\":%llu,\"sendq_rounds\":%llu,\"other_send_errors\":%llu,\"rounds\":%llu,"
           "\"out_of_order\":%llu,\"connection_after\":\"%s\",\"connect_ms\":%.0f,\"timeline_mb_s\":[",
           name, (double)t->rx_bytes / t->seconds / 1e6, mode_name(mode), t->seconds, PACKET_SIZE,
           (unsigned long long)t->rx_packets, (unsigned long long)t->rx_bytes,
           (unsigned long long)t->sent_packets, (unsigned long long)t->refused_rounds,
           (unsigned long long)t->other_errors, (unsigned long long)t->rounds,
           (unsigned long long)t->out_of_order,
           status == TOX_CONNECTION_UDP ? "udp" : status == TOX_CONNECTION_TCP ? "tcp" : "none",
           p->connect_ms);
    for (size_t i = 0; i < t->buckets; ++i) { printf(i == 0 ? "%.2f" : ",%.2f", t->timeline[i]); }
    printf("]}\n");
    fflush(stdout);
}

static int compare_double(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

static void run_rtt(Pair *p, Mode mode) {
    Node *s = &p->a;
    p->b.echo = true;
    const uint64_t start = now_ns();
    const uint64_t end = start + (uint64_t)(RTT_MAX_SECONDS * 1e9);
    s->ping_active = true;
    s->ping_deadline_ns = end;
    while (s->rtt_count < RTT_MAX_COUNT && now_ns() < end) {
        if (!s->ping_pending) { send_ping(s); } /* the first one, or a retry after a refusal */
        retry_echo(&p->b);
        iterate_pair(p, mode);
    }
    s->ping_active = false;
    const double seconds = seconds_since(start);
    const size_t n = s->rtt_count;
    if (n == 0) {
        printf("{\"name\":\"rtt\",\"impl\":\"c-toxcore\",\"mode\":\"%s\",\"error\":\"no echo within %.0f s\"}\n",
               mode_name(mode), RTT_MAX_SECONDS);
        fflush(stdout);
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < n; ++i) { sum += s->rtt_ms[i]; }
    qsort(s->rtt_ms, n, sizeof(double), compare_double);
    const double median = n % 2 == 1 ? s->rtt_ms[n / 2] : (s->rtt_ms[n / 2 - 1] + s->rtt_ms[n / 2]) / 2;
    size_t p99_index = (size_t)ceil(0.99 * (double)n);
    p99_index = p99_index == 0 ? 0 : p99_index - 1;
    printf("{\"name\":\"rtt\",\"impl\":\"c-toxcore\",\"value\":%.4f,\"unit\":\"ms\",\"mode\":\"%s\","
           "\"median_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f,\"min_ms\":%.4f,\"max_ms\":%.4f,"
           "\"round_trips\":%zu,\"seconds\":%.3f,\"packet_size\":%d,\"ping_refused\":%llu,\"echo_refused\":%llu,\"connect_ms\":%.0f}\n",
           median, mode_name(mode), median, s->rtt_ms[p99_index], sum / (double)n, s->rtt_ms[0], s->rtt_ms[n - 1],
           n, seconds, PING_SIZE, (unsigned long long)s->ping_refused, (unsigned long long)p->b.echo_refused, p->connect_ms);
    fflush(stdout);
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    double seconds = 10;
    Mode modes[8];
    int mode_count = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "tight") == 0 || strcmp(argv[i], "interval") == 0) {
            if (mode_count < 8) { modes[mode_count++] = strcmp(argv[i], "tight") == 0 ? MODE_TIGHT : MODE_INTERVAL; }
            continue;
        }
        char *rest;
        const double v = strtod(argv[i], &rest);
        if (i != 1 || *rest != '\0' || !(v > 0) || v > MAX_SECONDS) {
            fprintf(stderr, "usage: %s [SECONDS (0 < s <= 600, default 10)] [tight|interval ...]\n", argv[0]);
            return 2;
        }
        seconds = v;
    }
    if (mode_count == 0) {
        modes[mode_count++] = MODE_TIGHT;
        modes[mode_count++] = MODE_INTERVAL;
    }
    uint32_t version_ok = tox_version_is_compatible(TOX_VERSION_MAJOR, TOX_VERSION_MINOR, TOX_VERSION_PATCH);
    if (!version_ok) {
        fprintf(stderr, "libtoxcore is not compatible with the headers\n");
        return 2;
    }
    for (int m = 0; m < mode_count; ++m) {
        const Mode mode = modes[m];
        Pair *p = connect_pair(mode);
        Transfer t;
        g_tx_seq = 0;
        run_transfer(p, mode, seconds, &t);
        print_transfer("transfer", mode, p, &t);
        run_transfer(p, mode, seconds, &t);
        print_transfer("second_transfer", mode, p, &t);
        free_pair(p);

        p = connect_pair(mode);
        run_rtt(p, mode);
        free_pair(p);
    }
    return 0;
}
