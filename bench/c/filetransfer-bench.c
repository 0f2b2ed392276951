/*
 * filetransfer-bench: c-toxcore 0.2.18's own file transfer between two C peers over
 * loopback, the reference for bench/mux.ts's "two files on two channels" figure (the seed's
 * job: Alice sends Bob two files right after Bob comes online). Public tox.h API only.
 *
 *   usage: filetransfer-bench [tight|interval] SIZE [SIZE...]
 *
 *   SIZE     bytes in each of the two files (1 to 2^31); one run per SIZE, each with a fresh
 *            pair of Tox instances
 *   mode     tight (default): tox_iterate both instances back to back, no sleep, during the
 *            transfer; interval: sleep min(tox_iteration_interval) after each round
 *
 *   build:   cc -O2 -std=c11 filetransfer-bench.c $(pkg-config --cflags --libs toxcore)
 *            (bench/mux-files.ts does this into bench/c/build/)
 *
 * Per SIZE: two instances (UDP on, IPv6 off, local discovery off, ports from 33445..33545)
 * are made friends with tox_friend_add_norequest and bootstrapped to each other, and
 * iterated at the recommended interval until each sees the other connected over UDP (at
 * most 60 s; not measured). At that moment, "online", Alice offers two files of SIZE bytes
 * (tox_file_send, TOX_FILE_KIND_DATA); Bob accepts each as its offer arrives
 * (TOX_FILE_CONTROL_RESUME). Alice answers every file_chunk_request with
 * tox_file_send_chunk from a pattern in memory (no disk); Bob counts each chunk and checks
 * its position and its first byte. A file is done when Bob gets its final zero-length
 * chunk. The transfer is bounded (LIMIT_S); every loop is bounded in time.
 *
 * Output: one JSON line per SIZE on stdout:
 *   {"name":"files","impl":"c-toxcore 0.2.18","size_bytes","files":2,"seconds" (online to
 *    both done),"value" (MB/s of both files together, MB = 1e6 bytes),"unit":"MB/s",
 *    "first_done_s","second_done_s","other_at_first_bytes" (bytes of the other file Bob had
 *    when the first was done),"chunk_errors","bad_chunks","connect_ms","mode",
 *    "timeline_mb_s" (the receive rate per 0.5 s)}
 * or, on failure, {"name":"files",...,"error":"..."} and exit status 1.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tox/tox.h>

enum {
    FILES = 2,
    MAX_BUCKETS = 2 * 180 + 4, /* 0.5 s buckets for the longest transfer */
    CHUNK_MAX = 65536,
};

static const double CONNECT_TIMEOUT_S = 60.0;
static const double LIMIT_S = 180.0;
static const double BUCKET_S = 0.5;

typedef enum { MODE_TIGHT, MODE_INTERVAL } Mode;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double seconds_since(uint64_t start_ns) {
    return (double)(now_ns() - start_ns) / 1e9;
}

static void sleep_ms(uint32_t ms) {
    struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* The byte at `position` of file `index`: Bob checks the first byte of each chunk. */
static uint8_t pattern_byte(uint32_t index, uint64_t position) {
    return (uint8_t)(position * 31u + position / 251u + index * 101u);
}

/* What each side knows of one file. */
typedef struct {
    bool used;
    uint32_t number;       /* the file number on this side */
    uint32_t index;        /* 0 or 1: which of the two files */
    uint64_t received;     /* Bob: bytes received */
    uint64_t next;         /* Bob: the position the next chunk should have */
    bool done;             /* Bob: the final chunk came; Alice: the final request came */
    double done_s;         /* Bob: when, seconds after online */
} File;

typedef struct {
    Tox *tox;
    uint32_t friend_number;
    File files[FILES];
    uint64_t chunk_errors;  /* Alice: tox_file_send_chunk failures */
    uint64_t bad_chunks;    /* Bob: a chunk out of place or with the wrong bytes */
    uint64_t total_received;
    uint64_t online_ns;
    double other_at_first;  /* Bob: bytes of the other file when the first was done */
    int done_count;
} Peer;

static File *file_of(Peer *p, uint32_t number) {
    for (int i = 0; i < FILES; ++i) {
        if (p->files[i].used && p->files[i].number == number) { return &p->files[i]; }
    }
    return NULL;
}

/* Alice: toxcore asks for the next chunk of a file. */
static void on_chunk_request(Tox *tox, uint32_t friend_number, uint32_t file_number, uint64_t position,
                             size_t length, void *user_data) {
    Peer *a = user_data;
    File *f = file_of(a, file_number);
    if (f == NULL) { return; }
    if (length == 0) {
        f->done = true;
        return;
    }
    static uint8_t chunk[CHUNK_MAX];
    if (length > sizeof(chunk)) { length = sizeof(chunk); }
    for (size_t i = 0; i < length; ++i) { chunk[i] = pattern_byte(f->index, position + i); }
    Tox_Err_File_Send_Chunk err;
    if (!tox_file_send_chunk(tox, friend_number, file_number, position, chunk, length, &err)) { a->chunk_errors++; }
}

/* Bob: a file is offered; take it. Its index comes from its name ("file-1", "file-2"). */
static void on_file_recv(Tox *tox, uint32_t friend_number, uint32_t file_number, uint32_t kind, uint64_t file_size,
                         const uint8_t *filename, size_t filename_length, void *user_data) {
    (void)kind;
    (void)file_size;
    Peer *b = user_data;
    const uint32_t index = filename_length > 0 && filename[filename_length - 1] == '2' ? 1 : 0;
    File *f = &b->files[index];
    f->used = true;
    f->number = file_number;
    f->index = index;
    tox_file_control(tox, friend_number, file_number, TOX_FILE_CONTROL_RESUME, NULL);
}

/* Bob: a chunk arrived; length 0 ends the file. */
static void on_recv_chunk(Tox *tox, uint32_t friend_number, uint32_t file_number, uint64_t position,
                          const uint8_t *data, size_t length, void *user_data) {
    (void)tox;
    (void)friend_number;
    Peer *b = user_data;
    File *f = file_of(b, file_number);
    if (f == NULL || f->done) { return; }
    if (length == 0) {
        f->done = true;
        f->done_s = seconds_since(b->online_ns);
        if (++b->done_count == 1) { b->other_at_first = (double)b->files[1 - f->index].received; }
        return;
    }
    if (position != f->next || data[0] != pattern_byte(f->index, position)) { b->bad_chunks++; }
    f->next = position + length;
    f->received += length;
    b->total_received += length;
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
    if (tox == NULL) { return NULL; }
    tox_callback_file_chunk_request(tox, on_chunk_request);
    tox_callback_file_recv(tox, on_file_recv);
    tox_callback_file_recv_chunk(tox, on_recv_chunk);
    return tox;
}

static void fail(uint64_t size, Mode mode, const char *error) {
    printf("{\"name\":\"files\",\"impl\":\"c-toxcore 0.2.18\",\"size_bytes\":%llu,\"mode\":\"%s\",\"error\":\"%s\"}\n",
           (unsigned long long)size, mode == MODE_TIGHT ? "tight" : "interval", error);
    fflush(stdout);
    exit(1);
}

static void iterate(Peer *a, Peer *b, bool sleep_between) {
    tox_iterate(a->tox, a);
    tox_iterate(b->tox, b);
    if (sleep_between) {
        const uint32_t ia = tox_iteration_interval(a->tox);
        const uint32_t ib = tox_iteration_interval(b->tox);
        sleep_ms(ia < ib ? ia : ib);
    }
}

static bool both_udp(const Peer *a, const Peer *b) {
    return tox_friend_get_connection_status(a->tox, a->friend_number, NULL) == TOX_CONNECTION_UDP
        && tox_friend_get_connection_status(b->tox, b->friend_number, NULL) == TOX_CONNECTION_UDP;
}

static void run(uint64_t size, Mode mode) {
    Peer *a = calloc(1, sizeof(*a));
    Peer *b = calloc(1, sizeof(*b));
    if (a == NULL || b == NULL) { fail(size, mode, "out of memory"); }
    a->tox = new_tox();
    b->tox = new_tox();
    if (a->tox == NULL || b->tox == NULL) { fail(size, mode, "tox_new failed"); }
    uint8_t pk_a[TOX_PUBLIC_KEY_SIZE], pk_b[TOX_PUBLIC_KEY_SIZE], dht_a[TOX_PUBLIC_KEY_SIZE], dht_b[TOX_PUBLIC_KEY_SIZE];
    tox_self_get_public_key(a->tox, pk_a);
    tox_self_get_public_key(b->tox, pk_b);
    tox_self_get_dht_id(a->tox, dht_a);
    tox_self_get_dht_id(b->tox, dht_b);
    Tox_Err_Friend_Add add_a, add_b;
    a->friend_number = tox_friend_add_norequest(a->tox, pk_b, &add_a);
    b->friend_number = tox_friend_add_norequest(b->tox, pk_a, &add_b);
    if (add_a != TOX_ERR_FRIEND_ADD_OK || add_b != TOX_ERR_FRIEND_ADD_OK) { fail(size, mode, "tox_friend_add_norequest failed"); }
    if (!tox_bootstrap(a->tox, "127.0.0.1", tox_self_get_udp_port(b->tox, NULL), dht_b, NULL)
            || !tox_bootstrap(b->tox, "127.0.0.1", tox_self_get_udp_port(a->tox, NULL), dht_a, NULL)) {
        fail(size, mode, "tox_bootstrap failed");
    }
    const uint64_t connect_start = now_ns();
    while (!both_udp(a, b)) {
        if (seconds_since(connect_start) > CONNECT_TIMEOUT_S) { fail(size, mode, "friends not connected over UDP within 60 s"); }
        iterate(a, b, true);
    }
    const double connect_ms = seconds_since(connect_start) * 1000.0;

    /* Online: Alice offers both files at once. */
    const uint64_t online = now_ns();
    b->online_ns = online;
    for (uint32_t i = 0; i < FILES; ++i) {
        const char *name = i == 0 ? "file-1" : "file-2";
        Tox_Err_File_Send err;
        const uint32_t number = tox_file_send(a->tox, a->friend_number, TOX_FILE_KIND_DATA, size, NULL,
                                              (const uint8_t *)name, strlen(name), &err);
        if (err != TOX_ERR_FILE_SEND_OK) { fail(size, mode, "tox_file_send failed"); }
        a->files[i] = (File) { .used = true, .number = number, .index = i };
    }
    static double timeline[MAX_BUCKETS];
    size_t buckets = 0;
    uint64_t bucket_start = online, bucket_bytes0 = 0, next_boundary = online + (uint64_t)(BUCKET_S * 1e9);
    while (b->done_count < FILES) {
        if (seconds_since(online) > LIMIT_S) { fail(size, mode, "the transfer did not finish within its limit"); }
        iterate(a, b, mode == MODE_INTERVAL);
        const uint64_t t = now_ns();
        if (t >= next_boundary && buckets < MAX_BUCKETS) {
            timeline[buckets++] = (double)(b->total_received - bucket_bytes0) / ((double)(t - bucket_start) / 1e9) / 1e6;
            bucket_start = t;
            bucket_bytes0 = b->total_received;
            while (next_boundary <= t) { next_boundary += (uint64_t)(BUCKET_S * 1e9); }
        }
    }
    const double seconds = seconds_since(online);
    const double first = b->files[0].done_s < b->files[1].done_s ? b->files[0].done_s : b->files[1].done_s;
    const double second = b->files[0].done_s < b->files[1].done_s ? b->files[1].done_s : b->files[0].done_s;
    printf("{\"name\":\"files\",\"impl\":\"c-toxcore 0.2.18\",\"size_bytes\":%llu,\"files\":%d,\"seconds\":%.3f,"
           "\"value\":%.3f,\"unit\":\"MB/s\",\"first_done_s\":%.3f,\"second_done_s\":%.3f,\"other_at_first_bytes\":%.0f,"
           "\"received_bytes\":%llu,\"chunk_errors\":%llu,\"bad_chunks\":%llu,\"connect_ms\":%.0f,\"mode\":\"%s\","
           "\"timeline_mb_s\":[",
           (unsigned long long)size, FILES, seconds, (double)b->total_received / seconds / 1e6, first, second,
           b->other_at_first, (unsigned long long)b->total_received, (unsigned long long)a->chunk_errors,
           (unsigned long long)b->bad_chunks, connect_ms, mode == MODE_TIGHT ? "tight" : "interval");
    for (size_t i = 0; i < buckets; ++i) { printf(i == 0 ? "%.2f" : ",%.2f", timeline[i]); }
    printf("]}\n");
    fflush(stdout);
    tox_kill(a->tox);
    tox_kill(b->tox);
    free(a);
    free(b);
}

int main(int argc, char **argv) {
    Mode mode = MODE_TIGHT;
    int runs = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "tight") == 0) { mode = MODE_TIGHT; continue; }
        if (strcmp(argv[i], "interval") == 0) { mode = MODE_INTERVAL; continue; }
        char *end = NULL;
        const unsigned long long size = strtoull(argv[i], &end, 10);
        if (end == argv[i] || *end != '\0' || size == 0 || size > (1ull << 31)) {
            fprintf(stderr, "usage: filetransfer-bench [tight|interval] SIZE [SIZE...]\n");
            return 2;
        }
        run(size, mode);
        runs++;
    }
    if (runs == 0) {
        fprintf(stderr, "usage: filetransfer-bench [tight|interval] SIZE [SIZE...]\n");
        return 2;
    }
    return 0;
}
