/*
 * toxpeer: one c-toxcore instance driven by JSON lines, for toxlink's interop tests.
 *
 * stdin:  one flat JSON object per line, {"cmd": "...", "id": ..., ...fields}.
 * stdout: one JSON object per line: replies {"ok":true|false, "id": ..., ...} and
 *         asynchronous events {"event": "...", ...}. Every line is flushed.
 * stderr: toxcore's log, only when "new" was given "log": true.
 *
 * Bytes travel as hex strings (upper case on output, either case on input).
 * While idle the peer keeps calling tox_iterate on its own, so it stays on the
 * network between commands. EOF on stdin or {"cmd":"quit"} ends it with status 0.
 *
 * For throughput and round-trip benchmarks:
 *   "new" with "count_lossless": true counts received custom lossless packets per friend
 *     (packets, bytes, monotonic ms of the first and last) instead of emitting a "lossless"
 *     event for each; "lossless_stats" {friend} reads the counts, "reset_lossless_stats"
 *     clears them for every friend. The counts include "hash", 16 hex digits: FNV-1a 64 over
 *     each counted packet's length (2 bytes, big-endian) and bytes, in order, for byte-exact
 *     checks (its start value after a reset, before any packet: 0).
 *   "new" with "echo_lossless": true sends every custom lossless packet whose first byte
 *     is 161 straight back to its sender from the callback (no event, not counted). An echo
 *     toxcore refuses (send queue full) is held and sent again before the next iteration.
 *   "blast" {friend, seconds, size = 1373, byte = 160, packets = 0} sends custom lossless packets
 *     as fast as toxcore accepts them for `seconds` (at most 120), or until `packets` were sent
 *     when that is not 0, iterating in a tight loop, and
 *     answers {sent_packets, sent_bytes, refused, not_connected, iterations, elapsed_ms}. Each
 *     packet is `byte`, then (size >= 5) a 32-bit big-endian sequence number that carries
 *     on across blasts, then filler. No other command is read while a blast runs.
 *
 * Savedata: "new" with "savedata" (hex, at most MAX_SAVEDATA bytes) starts the instance from
 *   a tox_get_savedata image (TOX_SAVEDATA_TYPE_TOX_SAVE) instead of "secret_key"; a load
 *   error, even one tox_new reports beside a half-loaded instance, fails the command.
 *   "get_savedata" answers {savedata} (hex), what tox_get_savedata writes now.
 *
 * Uses the public tox.h API only. Build: cc toxpeer.c $(pkg-config --cflags --libs toxcore)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tox/tox.h>

enum {
    MAX_LINE = 64 * 1024,        /* longest accepted input line */
    MAX_FIELDS = 24,             /* fields per input object */
    MAX_KEY = 32,                /* longest field name */
    MAX_OUT = 256 * 1024,        /* longest output line */
    MAX_BYTES = 4096,            /* longest hex-decoded byte field */
    MAX_ITERATE_MS = 120 * 1000, /* longest "iterate" command */
    MAX_BLAST_SECONDS = 120,     /* longest "blast" command */
    MAX_CUSTOM = 1373,           /* TOX_MAX_CUSTOM_PACKET_SIZE */
    ECHO_ID = 161,               /* first byte of the packets "echo_lossless" returns */
    MAX_HELD_ECHOES = 256,       /* refused echoes kept for a retry; more are dropped */
    MAX_STATS_FRIENDS = 65536,   /* friend numbers counted by "count_lossless" */
    MAX_SAVEDATA = 32 * 1024,    /* longest "savedata" field of "new" (fits one input line as hex) */
};

/* ------------------------------------------------------------------------ */
/* Time                                                                       */

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint64_t ms) {
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* ------------------------------------------------------------------------ */
/* JSON input: a flat object of string, number, bool and null fields          */

typedef enum { JV_STRING, JV_NUMBER, JV_BOOL, JV_NULL } Json_Kind;

typedef struct {
    char key[MAX_KEY + 1];
    Json_Kind kind;
    const char *str;   /* JV_STRING: decoded, NUL-terminated, inside Json_Object.pool */
    size_t str_len;
    double num;        /* JV_NUMBER */
    char num_text[32]; /* JV_NUMBER: as written, to echo an "id" back unchanged */
    bool boolean;      /* JV_BOOL */
} Json_Field;

typedef struct {
    Json_Field fields[MAX_FIELDS];
    int count;
    char pool[MAX_LINE + MAX_FIELDS + 8]; /* decoded strings never outgrow the line */
    size_t pool_used;
} Json_Object;

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        ++p;
    }
    return p;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') { return c - '0'; }
    if (c >= 'a' && c <= 'f') { return c - 'a' + 10; }
    if (c >= 'A' && c <= 'F') { return c - 'A' + 10; }
    return -1;
}

static bool read_u16_hex(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        const int h = hex_value(p[i]);
        if (h < 0) { return false; }
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return true;
}

/* Writes one code point as UTF-8; returns the number of bytes. */
static size_t put_utf8(char *out, unsigned cp) {
    static const unsigned char lead[] = { 0, 0, 0xC0, 0xE0, 0xF0 };
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    const size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; --i, cp >>= 6) {
        out[i] = (char)(0x80 | (cp & 0x3F));
    }
    out[0] = (char)(lead[n] | cp);
    return n;
}

/* Parses a JSON string starting at the opening quote. The decoded text is never longer
 * than its source, so `out` needs at most strlen(source) + 1 bytes; `cap` is checked. */
static const char *parse_string(const char *p, char *out, size_t cap, size_t *out_len) {
    size_t n = 0;
    if (*p++ != '"') { return NULL; }
    while (*p != '"') {
        if (*p == '\0' || (unsigned char)*p < 0x20 || n + 5 > cap) { return NULL; }
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        ++p;
        switch (*p) {
            case '"': out[n++] = '"'; break;
            case '\\': out[n++] = '\\'; break;
            case '/': out[n++] = '/'; break;
            case 'b': out[n++] = '\b'; break;
            case 'f': out[n++] = '\f'; break;
            case 'n': out[n++] = '\n'; break;
            case 'r': out[n++] = '\r'; break;
            case 't': out[n++] = '\t'; break;
            case 'u': {
                unsigned cp;
                if (!read_u16_hex(p + 1, &cp)) { return NULL; }
                p += 4;
                unsigned low;
                if (cp >= 0xD800 && cp <= 0xDBFF && p[1] == '\\' && p[2] == 'u'
                        && read_u16_hex(p + 3, &low) && low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
                n += put_utf8(out + n, cp);
                break;
            }
            default:
                return NULL;
        }
        ++p;
    }
    out[n] = '\0';
    *out_len = n;
    return p + 1;
}

/* Returns NULL on success, or a message saying what is wrong with the line. */
static const char *json_parse_object(const char *line, Json_Object *obj) {
    obj->count = 0;
    obj->pool_used = 0;
    const char *p = skip_ws(line);
    if (*p++ != '{') {
        return "expected a JSON object";
    }
    p = skip_ws(p);
    if (*p == '}') {
        return *skip_ws(p + 1) == '\0' ? NULL : "trailing characters after object";
    }
    for (;;) {
        if (obj->count == MAX_FIELDS) { return "too many fields"; }
        Json_Field *f = &obj->fields[obj->count];
        memset(f, 0, sizeof(*f));
        size_t key_len;
        p = parse_string(skip_ws(p), f->key, sizeof(f->key), &key_len);
        if (p == NULL) { return "bad or too long field name"; }
        p = skip_ws(p);
        if (*p++ != ':') { return "expected ':'"; }
        p = skip_ws(p);
        if (*p == '"') {
            char *dst = obj->pool + obj->pool_used;
            p = parse_string(p, dst, sizeof(obj->pool) - obj->pool_used, &f->str_len);
            if (p == NULL) { return "bad string value"; }
            f->kind = JV_STRING;
            f->str = dst;
            obj->pool_used += f->str_len + 1;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            char *end;
            f->num = strtod(p, &end);
            const size_t len = (size_t)(end - p);
            if (len == 0 || len >= sizeof(f->num_text)) { return "bad number"; }
            memcpy(f->num_text, p, len);
            f->kind = JV_NUMBER;
            p = end;
        } else if (strncmp(p, "true", 4) == 0) {
            f->kind = JV_BOOL;
            f->boolean = true;
            p += 4;
        } else if (strncmp(p, "false", 5) == 0) {
            f->kind = JV_BOOL;
            p += 5;
        } else if (strncmp(p, "null", 4) == 0) {
            f->kind = JV_NULL;
            p += 4;
        } else {
            return "unsupported value (only flat string/number/bool/null fields)";
        }
        ++obj->count;
        p = skip_ws(p);
        if (*p == ',') {
            ++p;
            continue;
        }
        if (*p == '}') {
            return *skip_ws(p + 1) == '\0' ? NULL : "trailing characters after object";
        }
        return "expected ',' or '}'";
    }
}

static const Json_Field *json_get(const Json_Object *obj, const char *key) {
    for (int i = 0; i < obj->count; ++i) {
        if (strcmp(obj->fields[i].key, key) == 0) { return &obj->fields[i]; }
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* JSON output                                                                */

typedef struct {
    char buf[MAX_OUT];
    size_t len;
    bool overflow;
    bool need_comma;
} Out;

static Out g_reply;
static Out g_event;

static void out_raw(Out *o, const char *s, size_t n) {
    if (o->overflow || o->len + n + 2 > sizeof(o->buf)) { /* keep room for "}\n" */
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_cstr(Out *o, const char *s) {
    out_raw(o, s, strlen(s));
}

static void out_quoted(Out *o, const uint8_t *s, size_t n) {
    out_raw(o, "\"", 1);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            out_raw(o, esc, 2);
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            out_raw(o, esc, 6);
        } else {
            out_raw(o, (const char *)&c, 1);
        }
    }
    out_raw(o, "\"", 1);
}

static void out_key(Out *o, const char *key) {
    if (o->need_comma) { out_raw(o, ",", 1); }
    out_quoted(o, (const uint8_t *)key, strlen(key));
    out_raw(o, ":", 1);
    o->need_comma = true;
}

static void out_begin(Out *o) {
    o->len = 0;
    o->overflow = false;
    o->need_comma = false;
    out_raw(o, "{", 1);
}

static void out_str(Out *o, const char *key, const char *value) {
    out_key(o, key);
    out_quoted(o, (const uint8_t *)value, strlen(value));
}

static void out_text(Out *o, const char *key, const uint8_t *text, size_t n) {
    out_key(o, key);
    out_quoted(o, text, n);
}

static void out_uint(Out *o, const char *key, uint64_t value) {
    char num[24];
    snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
    out_key(o, key);
    out_cstr(o, num);
}

static void out_bool(Out *o, const char *key, bool value) {
    out_key(o, key);
    out_cstr(o, value ? "true" : "false");
}

static void out_hex(Out *o, const char *key, const uint8_t *bytes, size_t n) {
    static const char digits[] = "0123456789ABCDEF";
    out_key(o, key);
    out_raw(o, "\"", 1);
    for (size_t i = 0; i < n; ++i) {
        const char pair[2] = { digits[bytes[i] >> 4], digits[bytes[i] & 15] };
        out_raw(o, pair, 2);
    }
    out_raw(o, "\"", 1);
}

/* Echoes the command's "id" field unchanged (number or string). */
static void out_id(Out *o, const Json_Field *id) {
    if (id == NULL) { return; }
    out_key(o, "id");
    if (id->kind == JV_NUMBER) {
        out_cstr(o, id->num_text);
    } else if (id->kind == JV_STRING) {
        out_quoted(o, (const uint8_t *)id->str, id->str_len);
    } else {
        out_cstr(o, "null");
    }
}

/* Closes the object and writes it as one flushed line; exits if stdout is gone. */
static void out_send(Out *o) {
    if (o->overflow) {
        static const char msg[] = "{\"ok\":false,\"error\":\"output line too long\"}\n";
        memcpy(o->buf, msg, sizeof(msg) - 1);
        o->len = sizeof(msg) - 1;
    } else {
        o->buf[o->len++] = '}';
        o->buf[o->len++] = '\n';
    }
    if (fwrite(o->buf, 1, o->len, stdout) != o->len || fflush(stdout) != 0) { exit(1); }
}

/* ------------------------------------------------------------------------ */
/* Helpers for commands                                                       */

static Tox *g_tox;
static bool g_quit;
static uint64_t g_next_iterate;
static char g_error[512];

/* Formats an error message for a command's reply; handlers `return fail(...)`. */
static const char *fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_error, sizeof(g_error), fmt, ap);
    va_end(ap);
    return g_error;
}

static const char *connection_name(Tox_Connection c) {
    switch (c) {
        case TOX_CONNECTION_TCP: return "tcp";
        case TOX_CONNECTION_UDP: return "udp";
        default: return "none";
    }
}

#define ERR_NAME(table, code) \
    ((unsigned)(code) < sizeof(table) / sizeof((table)[0]) ? (table)[code] : "UNKNOWN")

static const char *const err_new[] = { "OK", "NULL", "MALLOC", "PORT_ALLOC", "PROXY_BAD_TYPE",
    "PROXY_BAD_HOST", "PROXY_BAD_PORT", "PROXY_NOT_FOUND", "LOAD_ENCRYPTED", "LOAD_BAD_FORMAT" };
static const char *const err_bootstrap[] = { "OK", "NULL", "BAD_HOST", "BAD_PORT" };
static const char *const err_friend_add[] = { "OK", "NULL", "TOO_LONG", "NO_MESSAGE", "OWN_KEY",
    "ALREADY_SENT", "BAD_CHECKSUM", "SET_NEW_NOSPAM", "MALLOC" };
static const char *const err_send_message[] = { "OK", "NULL", "FRIEND_NOT_FOUND",
    "FRIEND_NOT_CONNECTED", "SENDQ", "TOO_LONG", "EMPTY" };
static const char *const err_custom_packet[] = { "OK", "NULL", "FRIEND_NOT_FOUND",
    "FRIEND_NOT_CONNECTED", "INVALID", "EMPTY", "TOO_LONG", "SENDQ" };

/* A required string field. */
static const char *need_str(const Json_Object *obj, const char *key, const char **out, size_t *len) {
    const Json_Field *f = json_get(obj, key);
    if (f == NULL || f->kind != JV_STRING) { return fail("field '%s' must be a string", key); }
    *out = f->str;
    if (len != NULL) { *len = f->str_len; }
    return NULL;
}

/* An integer field in [0, max]; `dflt` is used when absent, or it is required if dflt < 0. */
static const char *get_uint(const Json_Object *obj, const char *key, int64_t dflt, uint64_t max,
                            uint64_t *out) {
    const Json_Field *f = json_get(obj, key);
    if (f == NULL || f->kind == JV_NULL) {
        if (dflt < 0) { return fail("field '%s' is required", key); }
        *out = (uint64_t)dflt;
        return NULL;
    }
    if (f->kind != JV_NUMBER || f->num < 0 || f->num > (double)max || f->num != (double)(uint64_t)f->num) {
        return fail("field '%s' must be an integer in [0, %llu]", key, (unsigned long long)max);
    }
    *out = (uint64_t)f->num;
    return NULL;
}

static bool get_bool(const Json_Object *obj, const char *key, bool dflt) {
    const Json_Field *f = json_get(obj, key);
    return (f != NULL && f->kind == JV_BOOL) ? f->boolean : dflt;
}

/* A required number field in (0, max]. */
static const char *need_positive(const Json_Object *obj, const char *key, double max, double *out) {
    const Json_Field *f = json_get(obj, key);
    if (f == NULL || f->kind != JV_NUMBER || !(f->num > 0) || f->num > max) {
        return fail("field '%s' must be a number in (0, %g]", key, max);
    }
    *out = f->num;
    return NULL;
}

/* A hex string field decoded into `out`; `want` > 0 demands that exact byte length. */
static const char *need_hex(const Json_Object *obj, const char *key, uint8_t *out, size_t cap,
                            size_t want, size_t *out_len) {
    const char *s;
    size_t n;
    const char *err = need_str(obj, key, &s, &n);
    if (err != NULL) { return err; }
    if (n % 2 != 0 || n / 2 > cap || (want > 0 && n / 2 != want)) {
        return want > 0 ? fail("field '%s' must be %zu hex characters", key, want * 2)
                        : fail("field '%s' must be an even number of hex characters, at most %zu", key, cap * 2);
    }
    for (size_t i = 0; i < n / 2; ++i) {
        const int hi = hex_value(s[2 * i]);
        const int lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) { return fail("field '%s' is not hex", key); }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    *out_len = n / 2;
    return NULL;
}

static const char *need_friend(const Json_Object *obj, uint32_t *friend_number) {
    uint64_t v;
    const char *err = get_uint(obj, "friend", -1, UINT32_MAX, &v);
    *friend_number = (uint32_t)v;
    return err;
}

/* ------------------------------------------------------------------------ */
/* Events (toxcore callbacks)                                                 */

static void on_self_connection(Tox *tox, Tox_Connection status, void *user_data) {
    (void)tox, (void)user_data;
    out_begin(&g_event);
    out_str(&g_event, "event", "self_connection");
    out_str(&g_event, "status", connection_name(status));
    out_send(&g_event);
}

static void on_friend_connection(Tox *tox, uint32_t friend_number, Tox_Connection status, void *user_data) {
    (void)tox, (void)user_data;
    out_begin(&g_event);
    out_str(&g_event, "event", "friend_connection");
    out_uint(&g_event, "friend", friend_number);
    out_str(&g_event, "status", connection_name(status));
    out_send(&g_event);
}

static void on_friend_request(Tox *tox, const uint8_t *public_key, const uint8_t *message, size_t length,
                              void *user_data) {
    (void)tox, (void)user_data;
    out_begin(&g_event);
    out_str(&g_event, "event", "friend_request");
    out_hex(&g_event, "public_key", public_key, TOX_PUBLIC_KEY_SIZE);
    out_text(&g_event, "message", message, length);
    out_send(&g_event);
}

static void on_friend_message(Tox *tox, uint32_t friend_number, Tox_Message_Type type, const uint8_t *message,
                              size_t length, void *user_data) {
    (void)tox, (void)user_data;
    out_begin(&g_event);
    out_str(&g_event, "event", "friend_message");
    out_uint(&g_event, "friend", friend_number);
    out_str(&g_event, "type", type == TOX_MESSAGE_TYPE_ACTION ? "action" : "normal");
    out_text(&g_event, "text", message, length);
    out_send(&g_event);
}

static void emit_packet(const char *name, uint32_t friend_number, const uint8_t *data, size_t length) {
    out_begin(&g_event);
    out_str(&g_event, "event", name);
    out_uint(&g_event, "friend", friend_number);
    out_hex(&g_event, "data", data, length);
    out_send(&g_event);
}

/* ---- "count_lossless" and "echo_lossless" ---- */

typedef struct {
    uint64_t packets;
    uint64_t bytes;
    uint64_t first_ms;
    uint64_t last_ms;
    uint64_t hash; /* FNV-1a 64 over each packet's 2-byte BE length and bytes, in order; 0 before any */
} Lossless_Stats;

enum { FNV64_OFFSET_HI = 0xcbf29ce4u, FNV64_OFFSET_LO = 0x84222325u };
static const uint64_t FNV64_PRIME = 0x100000001b3ull;

static uint64_t fnv64(uint64_t h, const uint8_t *data, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        h ^= data[i];
        h *= FNV64_PRIME;
    }
    return h;
}

static bool g_count_lossless;
static bool g_echo_lossless;
static Lossless_Stats *g_stats;  /* indexed by friend number, g_stats_len entries */
static size_t g_stats_len;
static uint64_t g_stats_overflow; /* packets from friend numbers beyond MAX_STATS_FRIENDS */

typedef struct {
    uint32_t friend_number;
    size_t length;
    uint8_t data[MAX_CUSTOM];
} Held_Echo;

static Held_Echo g_held[MAX_HELD_ECHOES]; /* a ring: g_held_head is the oldest */
static size_t g_held_head;
static size_t g_held_count;
static uint64_t g_echo_refused; /* echoes toxcore refused at first */
static uint64_t g_echo_dropped; /* echoes dropped because the ring was full */

static Lossless_Stats *stats_for(uint32_t friend_number, bool grow) {
    if (friend_number < g_stats_len) { return &g_stats[friend_number]; }
    if (!grow || friend_number >= MAX_STATS_FRIENDS) { return NULL; }
    size_t len = g_stats_len == 0 ? 16 : g_stats_len;
    while (len <= friend_number) { len *= 2; }
    Lossless_Stats *grown = realloc(g_stats, len * sizeof(*grown));
    if (grown == NULL) { return NULL; }
    memset(grown + g_stats_len, 0, (len - g_stats_len) * sizeof(*grown));
    g_stats = grown;
    g_stats_len = len;
    return &g_stats[friend_number];
}

static void count_lossless(uint32_t friend_number, const uint8_t *data, size_t length) {
    Lossless_Stats *st = stats_for(friend_number, true);
    if (st == NULL) {
        g_stats_overflow++;
        return;
    }
    const uint64_t now = now_ms();
    if (st->packets == 0) {
        st->first_ms = now;
        st->hash = ((uint64_t)FNV64_OFFSET_HI << 32) | FNV64_OFFSET_LO;
    }
    const uint8_t len_be[2] = { (uint8_t)(length >> 8), (uint8_t)length };
    st->hash = fnv64(fnv64(st->hash, len_be, 2), data, length);
    st->last_ms = now;
    st->packets++;
    st->bytes += length;
}

static void hold_echo(uint32_t friend_number, const uint8_t *data, size_t length) {
    if (g_held_count == MAX_HELD_ECHOES || length > MAX_CUSTOM) {
        g_echo_dropped++;
        return;
    }
    Held_Echo *h = &g_held[(g_held_head + g_held_count) % MAX_HELD_ECHOES];
    h->friend_number = friend_number;
    h->length = length;
    memcpy(h->data, data, length);
    g_held_count++;
}

/* Sends held echoes, oldest first, until toxcore refuses one (it stays held) or none are left.
 * A friend that is gone loses its echoes. */
static void retry_echoes(void) {
    while (g_held_count > 0) {
        Held_Echo *h = &g_held[g_held_head];
        Tox_Err_Friend_Custom_Packet code;
        if (!tox_friend_send_lossless_packet(g_tox, h->friend_number, h->data, h->length, &code)
                && code != TOX_ERR_FRIEND_CUSTOM_PACKET_FRIEND_NOT_FOUND) {
            return;
        }
        g_held_head = (g_held_head + 1) % MAX_HELD_ECHOES;
        g_held_count--;
    }
}

static void on_lossless(Tox *tox, uint32_t friend_number, const uint8_t *data, size_t length, void *user_data) {
    (void)user_data;
    if (g_echo_lossless && length > 0 && data[0] == ECHO_ID) {
        /* Keep the order of echoes: a new one waits behind any held one. */
        if (g_held_count > 0 || !tox_friend_send_lossless_packet(tox, friend_number, data, length, NULL)) {
            g_echo_refused++;
            hold_echo(friend_number, data, length);
        }
        return;
    }
    if (g_count_lossless) {
        count_lossless(friend_number, data, length);
        return;
    }
    emit_packet("lossless", friend_number, data, length);
}

static void on_lossy(Tox *tox, uint32_t friend_number, const uint8_t *data, size_t length, void *user_data) {
    (void)tox, (void)user_data;
    emit_packet("lossy", friend_number, data, length);
}

static void on_log(Tox *tox, Tox_Log_Level level, const char *file, uint32_t line, const char *func,
                   const char *message, void *user_data) {
    (void)tox, (void)user_data;
    fprintf(stderr, "toxcore[%d] %s:%u %s: %s\n", (int)level, file, line, func, message);
}

static void iterate_once(void) {
    retry_echoes();
    tox_iterate(g_tox, NULL);
    retry_echoes();
    /* Held echoes are retried every millisecond rather than at the iteration interval. */
    g_next_iterate = now_ms() + (g_held_count > 0 ? 1 : tox_iteration_interval(g_tox));
}

/* ------------------------------------------------------------------------ */
/* Commands: each fills g_reply's extra fields and returns NULL, or an error  */

/* Fields describing this instance, shared by "new" and "info". */
static void reply_identity(void) {
    uint8_t address[TOX_ADDRESS_SIZE];
    uint8_t key[TOX_PUBLIC_KEY_SIZE];
    tox_self_get_address(g_tox, address);
    out_hex(&g_reply, "tox_id", address, sizeof(address));
    tox_self_get_public_key(g_tox, key);
    out_hex(&g_reply, "public_key", key, sizeof(key));
    tox_self_get_dht_id(g_tox, key);
    out_hex(&g_reply, "dht_id", key, sizeof(key));
    out_uint(&g_reply, "nospam", tox_self_get_nospam(g_tox));
    out_uint(&g_reply, "udp_port", tox_self_get_udp_port(g_tox, NULL));
    out_uint(&g_reply, "tcp_port", tox_self_get_tcp_port(g_tox, NULL));
}

static const char *cmd_new(const Json_Object *obj) {
    if (g_tox != NULL) { return "a tox instance already exists"; }
    uint8_t secret_key[TOX_SECRET_KEY_SIZE];
    size_t secret_len = 0;
    const char *err = NULL;
    if (json_get(obj, "secret_key") != NULL) {
        err = need_hex(obj, "secret_key", secret_key, sizeof(secret_key), sizeof(secret_key), &secret_len);
    }
    static uint8_t savedata[MAX_SAVEDATA];
    size_t savedata_len = 0;
    if (err == NULL && json_get(obj, "savedata") != NULL) {
        err = secret_len != 0 ? "give 'secret_key' or 'savedata', not both"
                              : need_hex(obj, "savedata", savedata, sizeof(savedata), 0, &savedata_len);
    }
    uint64_t start_port, end_port, tcp_port, nospam;
    if (err == NULL) err = get_uint(obj, "udp_port_start", 0, 65535, &start_port);
    if (err == NULL) err = get_uint(obj, "udp_port_end", (int64_t)start_port, 65535, &end_port);
    if (err == NULL) err = get_uint(obj, "tcp_port", 0, 65535, &tcp_port);
    if (err == NULL) err = get_uint(obj, "nospam", 0, UINT32_MAX, &nospam);
    if (err != NULL) { return err; }

    struct Tox_Options *options = tox_options_new(NULL);
    if (options == NULL) { return "tox_options_new failed"; }
    tox_options_set_ipv6_enabled(options, get_bool(obj, "ipv6", false));
    tox_options_set_udp_enabled(options, get_bool(obj, "udp", true));
    tox_options_set_local_discovery_enabled(options, false);
    tox_options_set_hole_punching_enabled(options, get_bool(obj, "hole_punching", true));
    tox_options_set_start_port(options, (uint16_t)start_port);
    tox_options_set_end_port(options, (uint16_t)end_port);
    tox_options_set_tcp_port(options, (uint16_t)tcp_port);
    if (secret_len != 0) {
        tox_options_set_savedata_type(options, TOX_SAVEDATA_TYPE_SECRET_KEY);
        tox_options_set_savedata_data(options, secret_key, sizeof(secret_key));
    }
    if (savedata_len != 0) {
        tox_options_set_savedata_type(options, TOX_SAVEDATA_TYPE_TOX_SAVE);
        tox_options_set_savedata_data(options, savedata, savedata_len);
    }
    if (get_bool(obj, "log", false)) { tox_options_set_log_callback(options, on_log); }
    g_count_lossless = get_bool(obj, "count_lossless", false);
    g_echo_lossless = get_bool(obj, "echo_lossless", false);

    Tox_Err_New err_new_code;
    g_tox = tox_new(options, &err_new_code);
    tox_options_free(options);
    if (g_tox != NULL && err_new_code != TOX_ERR_NEW_OK) { /* 0.2.18 returns a half-loaded instance */
        tox_kill(g_tox);
        g_tox = NULL;
    }
    if (g_tox == NULL) { return fail("tox_new failed: %s", ERR_NAME(err_new, err_new_code)); }
    if (json_get(obj, "nospam") != NULL) { tox_self_set_nospam(g_tox, (uint32_t)nospam); }
    tox_callback_self_connection_status(g_tox, on_self_connection);
    tox_callback_friend_connection_status(g_tox, on_friend_connection);
    tox_callback_friend_request(g_tox, on_friend_request);
    tox_callback_friend_message(g_tox, on_friend_message);
    tox_callback_friend_lossless_packet(g_tox, on_lossless);
    tox_callback_friend_lossy_packet(g_tox, on_lossy);
    g_next_iterate = now_ms();
    reply_identity();
    return NULL;
}

/* "bootstrap" and "add_tcp_relay" take the same fields. */
static const char *cmd_node(const Json_Object *obj, bool tcp_relay) {
    const char *host = NULL;
    uint64_t port = 0;
    uint8_t key[TOX_PUBLIC_KEY_SIZE];
    size_t key_len;
    const char *err = need_str(obj, "host", &host, NULL);
    if (err == NULL) err = get_uint(obj, "port", -1, 65535, &port);
    if (err == NULL) err = need_hex(obj, "public_key", key, sizeof(key), sizeof(key), &key_len);
    if (err != NULL) { return err; }
    Tox_Err_Bootstrap code;
    const bool ok = tcp_relay ? tox_add_tcp_relay(g_tox, host, (uint16_t)port, key, &code)
                              : tox_bootstrap(g_tox, host, (uint16_t)port, key, &code);
    return ok ? NULL : fail("%s failed: %s", tcp_relay ? "tox_add_tcp_relay" : "tox_bootstrap",
                            ERR_NAME(err_bootstrap, code));
}

static const char *cmd_add_friend(const Json_Object *obj, bool with_request) {
    uint8_t key[TOX_ADDRESS_SIZE];
    size_t key_len;
    const char *message = "";
    size_t message_len = 0;
    const char *err = with_request
        ? need_hex(obj, "tox_id", key, sizeof(key), TOX_ADDRESS_SIZE, &key_len)
        : need_hex(obj, "public_key", key, sizeof(key), TOX_PUBLIC_KEY_SIZE, &key_len);
    if (err == NULL && with_request) { err = need_str(obj, "message", &message, &message_len); }
    if (err != NULL) { return err; }
    Tox_Err_Friend_Add code;
    const uint32_t friend_number = with_request
        ? tox_friend_add(g_tox, key, (const uint8_t *)message, message_len, &code)
        : tox_friend_add_norequest(g_tox, key, &code);
    if (code != TOX_ERR_FRIEND_ADD_OK) {
        return fail("%s failed: %s", with_request ? "tox_friend_add" : "tox_friend_add_norequest",
                    ERR_NAME(err_friend_add, code));
    }
    out_uint(&g_reply, "friend_number", friend_number);
    return NULL;
}

static const char *cmd_send_message(const Json_Object *obj) {
    uint32_t friend_number;
    const char *text = NULL;
    size_t text_len = 0;
    const char *err = need_friend(obj, &friend_number);
    if (err == NULL) err = need_str(obj, "text", &text, &text_len);
    if (err != NULL) { return err; }
    const Tox_Message_Type type = get_bool(obj, "action", false) ? TOX_MESSAGE_TYPE_ACTION : TOX_MESSAGE_TYPE_NORMAL;
    Tox_Err_Friend_Send_Message code;
    const uint32_t message_id = tox_friend_send_message(g_tox, friend_number, type, (const uint8_t *)text,
                                text_len, &code);
    if (code != TOX_ERR_FRIEND_SEND_MESSAGE_OK) {
        return fail("tox_friend_send_message failed: %s", ERR_NAME(err_send_message, code));
    }
    out_uint(&g_reply, "message_id", message_id);
    return NULL;
}

static const char *cmd_send_packet(const Json_Object *obj, bool lossless) {
    uint32_t friend_number;
    uint8_t data[MAX_BYTES];
    size_t len;
    const char *err = need_friend(obj, &friend_number);
    if (err == NULL) err = need_hex(obj, "data", data, sizeof(data), 0, &len);
    if (err != NULL) { return err; }
    Tox_Err_Friend_Custom_Packet code;
    const bool ok = lossless ? tox_friend_send_lossless_packet(g_tox, friend_number, data, len, &code)
                             : tox_friend_send_lossy_packet(g_tox, friend_number, data, len, &code);
    return ok ? NULL : fail("%s failed: %s", lossless ? "tox_friend_send_lossless_packet"
                            : "tox_friend_send_lossy_packet", ERR_NAME(err_custom_packet, code));
}

static const char *cmd_info(void) {
    reply_identity();
    out_str(&g_reply, "connection", connection_name(tox_self_get_connection_status(g_tox)));
    const size_t count = tox_self_get_friend_list_size(g_tox);
    uint32_t *list = calloc(count == 0 ? 1 : count, sizeof(uint32_t));
    if (list == NULL) { return "out of memory"; }
    tox_self_get_friend_list(g_tox, list);
    out_key(&g_reply, "friends");
    out_raw(&g_reply, "[", 1);
    for (size_t i = 0; i < count; ++i) {
        uint8_t key[TOX_PUBLIC_KEY_SIZE] = { 0 };
        tox_friend_get_public_key(g_tox, list[i], key, NULL);
        const Tox_Connection status = tox_friend_get_connection_status(g_tox, list[i], NULL);
        out_raw(&g_reply, i == 0 ? "{" : ",{", i == 0 ? 1 : 2);
        g_reply.need_comma = false;
        out_uint(&g_reply, "friend", list[i]);
        out_hex(&g_reply, "public_key", key, sizeof(key));
        out_str(&g_reply, "status", connection_name(status));
        out_raw(&g_reply, "}", 1);
    }
    out_raw(&g_reply, "]", 1);
    g_reply.need_comma = true;
    free(list);
    return NULL;
}

static const char *cmd_iterate(const Json_Object *obj) {
    uint64_t ms;
    const char *err = get_uint(obj, "ms", -1, MAX_ITERATE_MS, &ms);
    if (err != NULL) { return err; }
    const uint64_t end = now_ms() + ms;
    for (uint64_t now = now_ms(); now < end; now = now_ms()) {
        iterate_once();
        const uint64_t after = now_ms();
        const uint64_t interval = g_next_iterate > after ? g_next_iterate - after : 0;
        sleep_ms(end - now < interval ? end - now : interval);
    }
    return NULL;
}

static const char *cmd_lossless_stats(const Json_Object *obj) {
    uint32_t friend_number;
    const char *err = need_friend(obj, &friend_number);
    if (err != NULL) { return err; }
    const Lossless_Stats none = { 0, 0, 0, 0, 0 };
    const Lossless_Stats *st = stats_for(friend_number, false);
    if (st == NULL) { st = &none; }
    out_uint(&g_reply, "packets", st->packets);
    out_uint(&g_reply, "bytes", st->bytes);
    out_uint(&g_reply, "first_ms", st->first_ms);
    out_uint(&g_reply, "last_ms", st->last_ms);
    {
        uint8_t hash_be[8];
        for (int i = 0; i < 8; ++i) { hash_be[i] = (uint8_t)(st->hash >> (56 - 8 * i)); }
        out_hex(&g_reply, "hash", hash_be, sizeof(hash_be));
    }
    out_uint(&g_reply, "now_ms", now_ms());
    out_uint(&g_reply, "echo_refused", g_echo_refused);
    out_uint(&g_reply, "echo_dropped", g_echo_dropped);
    out_uint(&g_reply, "echo_held", g_held_count);
    return NULL;
}

static const char *cmd_reset_lossless_stats(void) {
    if (g_stats_len > 0) { memset(g_stats, 0, g_stats_len * sizeof(*g_stats)); }
    g_stats_overflow = 0;
    g_echo_refused = 0;
    g_echo_dropped = 0;
    return NULL;
}

static const char *cmd_get_savedata(void) {
    const size_t size = tox_get_savedata_size(g_tox);
    if (size > (MAX_OUT - 64) / 2) { return fail("savedata of %zu bytes is too long for one reply", size); }
    uint8_t *data = malloc(size == 0 ? 1 : size);
    if (data == NULL) { return "out of memory"; }
    tox_get_savedata(g_tox, data);
    out_hex(&g_reply, "savedata", data, size);
    free(data);
    return NULL;
}

static uint32_t g_blast_seq; /* carries on across blasts */

static const char *cmd_blast(const Json_Object *obj) {
    uint32_t friend_number;
    uint64_t size = 0, byte = 0, max_packets = 0;
    double seconds = 0;
    const char *err = need_friend(obj, &friend_number);
    if (err == NULL) err = get_uint(obj, "packets", 0, UINT32_MAX, &max_packets);
    if (err == NULL) err = get_uint(obj, "size", MAX_CUSTOM, MAX_CUSTOM, &size);
    if (err == NULL) err = get_uint(obj, "byte", 160, 255, &byte);
    if (err == NULL) err = need_positive(obj, "seconds", MAX_BLAST_SECONDS, &seconds);
    if (err != NULL) { return err; }
    if (size == 0) { return "field 'size' must be at least 1"; }
    static uint8_t packet[MAX_CUSTOM];
    packet[0] = (uint8_t)byte;
    for (size_t i = 1; i < size; ++i) { packet[i] = (uint8_t)i; }

    uint64_t sent = 0, refused = 0, not_connected = 0, iterations = 0;
    unsigned since_iterate = 0;
    const uint64_t start = now_ms();
    const uint64_t end = start + (uint64_t)(seconds * 1000.0 + 0.5);
    while (now_ms() < end && (max_packets == 0 || sent < max_packets)) {
        if (size >= 5) {
            packet[1] = (uint8_t)(g_blast_seq >> 24);
            packet[2] = (uint8_t)(g_blast_seq >> 16);
            packet[3] = (uint8_t)(g_blast_seq >> 8);
            packet[4] = (uint8_t)g_blast_seq;
        }
        Tox_Err_Friend_Custom_Packet code;
        const bool ok = tox_friend_send_lossless_packet(g_tox, friend_number, packet, size, &code);
        if (ok) {
            ++sent;
            ++g_blast_seq;
            if (++since_iterate < 1024) { continue; } /* iterate now and then even if never refused */
        } else if (code == TOX_ERR_FRIEND_CUSTOM_PACKET_SENDQ) {
            ++refused;
        } else if (code == TOX_ERR_FRIEND_CUSTOM_PACKET_FRIEND_NOT_CONNECTED) {
            ++not_connected;
        } else {
            return fail("tox_friend_send_lossless_packet failed: %s after %llu packets",
                        ERR_NAME(err_custom_packet, code), (unsigned long long)sent);
        }
        since_iterate = 0;
        retry_echoes();
        tox_iterate(g_tox, NULL);
        ++iterations;
    }
    g_next_iterate = now_ms();
    out_uint(&g_reply, "sent_packets", sent);
    out_uint(&g_reply, "sent_bytes", sent * size);
    out_uint(&g_reply, "refused", refused);
    out_uint(&g_reply, "not_connected", not_connected);
    out_uint(&g_reply, "iterations", iterations);
    out_uint(&g_reply, "elapsed_ms", now_ms() - start);
    return NULL;
}

static const char *dispatch(const char *cmd, const Json_Object *obj) {
    if (strcmp(cmd, "new") == 0) { return cmd_new(obj); }
    if (strcmp(cmd, "quit") == 0) {
        g_quit = true;
        return NULL;
    }
    static const char *const known[] = { "bootstrap", "add_tcp_relay", "add_friend", "add_friend_norequest",
        "send_message", "send_lossless", "send_lossy", "info", "iterate", "lossless_stats",
        "reset_lossless_stats", "blast", "get_savedata" };
    bool is_known = false;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); ++i) {
        is_known = is_known || strcmp(cmd, known[i]) == 0;
    }
    if (!is_known) { return fail("unknown command '%s'", cmd); }
    if (g_tox == NULL) { return "no tox instance yet: send 'new' first"; }
    if (strcmp(cmd, "bootstrap") == 0) return cmd_node(obj, false);
    if (strcmp(cmd, "add_tcp_relay") == 0) return cmd_node(obj, true);
    if (strcmp(cmd, "add_friend") == 0) return cmd_add_friend(obj, true);
    if (strcmp(cmd, "add_friend_norequest") == 0) return cmd_add_friend(obj, false);
    if (strcmp(cmd, "send_message") == 0) return cmd_send_message(obj);
    if (strcmp(cmd, "send_lossless") == 0) return cmd_send_packet(obj, true);
    if (strcmp(cmd, "send_lossy") == 0) return cmd_send_packet(obj, false);
    if (strcmp(cmd, "info") == 0) return cmd_info();
    if (strcmp(cmd, "lossless_stats") == 0) return cmd_lossless_stats(obj);
    if (strcmp(cmd, "reset_lossless_stats") == 0) return cmd_reset_lossless_stats();
    if (strcmp(cmd, "blast") == 0) return cmd_blast(obj);
    if (strcmp(cmd, "get_savedata") == 0) return cmd_get_savedata();
    return cmd_iterate(obj);
}

static Json_Object g_obj;

static void handle_line(const char *line) {
    if (*skip_ws(line) == '\0') {
        return; /* blank lines are ignored */
    }
    const char *err = json_parse_object(line, &g_obj);
    const Json_Field *id = err == NULL ? json_get(&g_obj, "id") : NULL;
    out_begin(&g_reply);
    out_bool(&g_reply, "ok", true); /* rewritten below on failure */
    out_id(&g_reply, id);
    const char *cmd = NULL;
    if (err == NULL) { err = need_str(&g_obj, "cmd", &cmd, NULL); }
    if (err == NULL) { err = dispatch(cmd, &g_obj); }
    if (err != NULL) {
        char saved[sizeof(g_error)];
        snprintf(saved, sizeof(saved), "%s", err);
        out_begin(&g_reply);
        out_bool(&g_reply, "ok", false);
        out_id(&g_reply, id);
        out_str(&g_reply, "error", saved);
    }
    out_send(&g_reply);
}

/* ------------------------------------------------------------------------ */

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    static char line[MAX_LINE + 1];
    size_t line_len = 0;
    bool discarding = false; /* inside a line that was too long */

    while (!g_quit) {
        int timeout = -1;
        if (g_tox != NULL) {
            const uint64_t now = now_ms();
            timeout = g_next_iterate > now ? (int)(g_next_iterate - now) : 0;
        }
        struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
        const int ready = poll(&pfd, 1, timeout);
        if (ready < 0 && errno != EINTR) { break; }
        if (ready > 0) {
            char chunk[4096];
            const ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
            if (n == 0) {
                break; /* EOF: the driver is gone */
            }
            if (n < 0 && errno != EINTR && errno != EAGAIN) { break; }
            for (ssize_t i = 0; i < n && !g_quit; ++i) {
                if (chunk[i] != '\n') {
                    if (line_len < MAX_LINE) {
                        line[line_len++] = chunk[i];
                    } else {
                        discarding = true;
                    }
                    continue;
                }
                line[line_len] = '\0';
                if (discarding) {
                    out_begin(&g_reply);
                    out_bool(&g_reply, "ok", false);
                    out_str(&g_reply, "error", "input line too long");
                    out_send(&g_reply);
                } else {
                    handle_line(line);
                }
                line_len = 0;
                discarding = false;
            }
        }
        if (g_tox != NULL && !g_quit && now_ms() >= g_next_iterate) { iterate_once(); }
    }
    if (g_tox != NULL) { tox_kill(g_tox); }
    return 0;
}
