/*
 * toxlink savedata vector generator: c-toxcore 0.2.18's own savedata (tox_get_savedata) and
 * its verdicts on savedata it is given (tox_new with TOX_SAVEDATA_TYPE_TOX_SAVE).
 *
 *   usage: gen-savedata OUTPUT_DIR      (writes savedata-written.json, savedata-load.json)
 *
 * Public tox.h API only: no internal declarations. Every Tox instance has UDP, LAN
 * discovery and the TCP server off and is never iterated, so nothing leaves the process.
 * Secret keys, messages and node keys are libsodium randombytes_buf_deterministic bytes
 * seeded with BLAKE2b-256 of a label; libsodium's global random source (which c-toxcore
 * draws DHT keys, conference ids and nonces from) is replaced by a seeded stream before
 * sodium_init, so a re-run writes byte-identical files.
 *
 * savedata-written: c-toxcore writes a save after the API calls in the vector's input; the
 * expected fields are what the same instance's getters report, plus the request messages
 * and nospams the generator passed to tox_friend_add and the nodes it passed to
 * tox_bootstrap (onion path nodes), which no getter reports.
 *
 * savedata-load: savedata built by this generator, byte by byte, in the layout of
 * c-toxcore's state.c and Messenger.c (spec/messenger.md); c-toxcore's tox_new decides each
 * verdict, and when it loads the data the vector holds what the getters report and what
 * tox_get_savedata writes back ("resaved"). The generator dies when c-toxcore's verdict is
 * not the one the vector's name states.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <tox/tox.h>

#include "gen-common.h"

enum {
    KEY = 32,
    ADDRESS = 38,
    FRIEND_RECORD = 2216,
    SECTION_COOKIE = 0x01ce,
    DHT_SECTION_COOKIE = 0x11ce,
};
#define STATE_COOKIE UINT32_C(0x15ed1b1f)
#define DHT_STATE_COOKIE UINT32_C(0x0159000d)

/* Section types (state.h). */
enum { S_NOSPAMKEYS = 1, S_DHT = 2, S_FRIENDS = 3, S_NAME = 4, S_STATUSMESSAGE = 5, S_STATUS = 6,
       S_TCP_RELAY = 10, S_PATH_NODE = 11, S_CONFERENCES = 20, S_END = 255 };

/* ---- deterministic bytes ---- */

/* A secret key from a label, and its public key. */
static void seeded_keys(const char *label, uint8_t *sk, uint8_t *pk)
{
    seeded(label, sk, KEY);
    crypto_scalarmult_curve25519_base(pk, sk);
}

/* A public key from a label that c-toxcore accepts as a friend's (last byte below 0x80). */
static void seeded_pk(const char *label, uint8_t *pk)
{
    seeded(label, pk, KEY);
    pk[KEY - 1] &= 0x7f;
}

/* ---- building savedata by hand ---- */

typedef struct Buf {
    uint8_t data[256 * 1024];
    size_t len;
} Buf;

static void put(Buf *b, const void *data, size_t n)
{
    CHECK(b->len + n <= sizeof b->data, "buffer full");
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void put_le32(Buf *b, uint32_t v)
{
    const uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(b, le, 4);
}

static void put_zeros(Buf *b, size_t n)
{
    CHECK(b->len + n <= sizeof b->data, "buffer full");
    memset(b->data + b->len, 0, n);
    b->len += n;
}

static void file_header(Buf *b)
{
    b->len = 0;
    put_le32(b, 0);
    put_le32(b, STATE_COOKIE);
}

static void section(Buf *b, uint16_t cookie, uint16_t type, const void *body, size_t n)
{
    put_le32(b, (uint32_t)n);
    put_le32(b, (uint32_t)cookie << 16 | type);
    put(b, body, n);
}

static void top(Buf *b, uint16_t type, const void *body, size_t n) { section(b, SECTION_COOKIE, type, body, n); }

/* NOSPAMKEYS: the four nospam bytes as in the Tox ID, public key, secret key. */
static void nospamkeys(Buf *b, uint32_t nospam, const uint8_t *pk, const uint8_t *sk)
{
    uint8_t body[4 + 2 * KEY];
    body[0] = (uint8_t)(nospam >> 24), body[1] = (uint8_t)(nospam >> 16);
    body[2] = (uint8_t)(nospam >> 8), body[3] = (uint8_t)nospam;
    memcpy(body + 4, pk, KEY);
    memcpy(body + 4 + KEY, sk, KEY);
    top(b, S_NOSPAMKEYS, body, sizeof body);
}

/* A packed node: family (2, 10, 130, 138), address, port (BE), key. */
static size_t pack_node(uint8_t *out, uint8_t family, const char *ip_hex, uint16_t port, const uint8_t *pk)
{
    const size_t ip_len = (family == 2 || family == 130) ? 4 : 16;
    size_t bin_len = 0;
    out[0] = family;
    CHECK(sodium_hex2bin(out + 1, ip_len, ip_hex, strlen(ip_hex), NULL, &bin_len, NULL) == 0 && bin_len == ip_len,
          "bad address %s", ip_hex);
    out[1 + ip_len] = (uint8_t)(port >> 8);
    out[2 + ip_len] = (uint8_t)port;
    memcpy(out + 3 + ip_len, pk, KEY);
    return 3 + ip_len + KEY;
}

/* A friend record (Saved_Friend as friend_save writes it); lengths as given, BE. */
typedef struct Friend_Spec {
    uint8_t status;
    uint8_t pk[KEY];
    const uint8_t *info;
    uint16_t info_len;
    const uint8_t *name;
    uint16_t name_len;
    const uint8_t *status_message;
    uint16_t status_message_len;
    uint8_t user_status;
    uint32_t nospam;
    uint64_t last_seen;
} Friend_Spec;

static void friend_record(uint8_t *r, const Friend_Spec *f)
{
    memset(r, 0, FRIEND_RECORD);
    r[0] = f->status;
    memcpy(r + 1, f->pk, KEY);
    if (f->info != NULL) memcpy(r + 33, f->info, f->info_len < 1024 ? f->info_len : 1024);
    r[1058] = (uint8_t)(f->info_len >> 8), r[1059] = (uint8_t)f->info_len;
    if (f->name != NULL) memcpy(r + 1060, f->name, f->name_len < 128 ? f->name_len : 128);
    r[1188] = (uint8_t)(f->name_len >> 8), r[1189] = (uint8_t)f->name_len;
    if (f->status_message != NULL) {
        memcpy(r + 1190, f->status_message, f->status_message_len < 1007 ? f->status_message_len : 1007);
    }
    r[2198] = (uint8_t)(f->status_message_len >> 8), r[2199] = (uint8_t)f->status_message_len;
    r[2200] = f->user_status;
    r[2204] = (uint8_t)(f->nospam >> 24), r[2205] = (uint8_t)(f->nospam >> 16);
    r[2206] = (uint8_t)(f->nospam >> 8), r[2207] = (uint8_t)f->nospam;
    for (int i = 0; i < 8; ++i) r[2208 + i] = (uint8_t)(f->last_seen >> (56 - 8 * i));
}

/* ---- c-toxcore ---- */

static const char *const new_errors[] = { "OK", "NULL", "MALLOC", "PORT_ALLOC", "PROXY_BAD_TYPE",
    "PROXY_BAD_HOST", "PROXY_BAD_PORT", "PROXY_NOT_FOUND", "LOAD_ENCRYPTED", "LOAD_BAD_FORMAT" };

static Tox *make_tox(Tox_Savedata_Type type, const uint8_t *data, size_t len, Tox_Err_New *err)
{
    struct Tox_Options *o = tox_options_new(NULL);
    CHECK(o != NULL, "tox_options_new");
    tox_options_set_ipv6_enabled(o, false);
    tox_options_set_udp_enabled(o, false);
    tox_options_set_local_discovery_enabled(o, false);
    tox_options_set_hole_punching_enabled(o, false);
    tox_options_set_tcp_port(o, 0);
    tox_options_set_savedata_type(o, type);
    tox_options_set_savedata_data(o, data, len);
    Tox *tox = tox_new(o, err);
    tox_options_free(o);
    return tox;
}

/* What the getters report: identity, own name/status, friends in friend-number order. */
static void emit_state(Json *j, const Tox *tox)
{
    uint8_t address[ADDRESS], key[KEY], text[2048];
    tox_self_get_address(tox, address);
    char id[2 * ADDRESS + 1];
    sodium_bin2hex(id, sizeof id, address, ADDRESS);
    for (char *c = id; *c != '\0'; ++c) if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
    kv_str(j, "tox_id", id);
    tox_self_get_public_key(tox, key);
    kv_hex(j, "public_key", key, KEY);
    tox_self_get_secret_key(tox, key);
    kv_hex(j, "secret_key", key, KEY);
    kv_u64(j, "nospam", tox_self_get_nospam(tox));
    tox_self_get_name(tox, text);
    kv_hex(j, "name", text, tox_self_get_name_size(tox));
    tox_self_get_status_message(tox, text);
    kv_hex(j, "status_message", text, tox_self_get_status_message_size(tox));
    kv_u64(j, "status", tox_self_get_status(tox));
}

typedef struct Request_Info {
    bool present;
    const uint8_t *message;
    size_t message_len;
    uint32_t nospam;
} Request_Info;

static void emit_friends(Json *j, const Tox *tox, const Request_Info *requests)
{
    const size_t count = tox_self_get_friend_list_size(tox);
    uint32_t list[64];
    CHECK(count <= 64, "too many friends");
    tox_self_get_friend_list(tox, list);
    j_key(j, "friends");
    j_open(j, '[');
    for (size_t i = 0; i < count; ++i) {
        CHECK(list[i] == i, "friend numbers are not 0..n-1");
        uint8_t key[KEY], text[2048];
        j_open(j, '{');
        CHECK(tox_friend_get_public_key(tox, list[i], key, NULL), "tox_friend_get_public_key");
        kv_hex(j, "public_key", key, KEY);
        CHECK(tox_friend_get_name(tox, list[i], text, NULL), "tox_friend_get_name");
        kv_hex(j, "name", text, tox_friend_get_name_size(tox, list[i], NULL));
        CHECK(tox_friend_get_status_message(tox, list[i], text, NULL), "tox_friend_get_status_message");
        kv_hex(j, "status_message", text, tox_friend_get_status_message_size(tox, list[i], NULL));
        kv_u64(j, "user_status", tox_friend_get_status(tox, list[i], NULL));
        kv_u64_text(j, "last_seen", tox_friend_get_last_online(tox, list[i], NULL));
        if (requests != NULL && requests[i].present) {
            j_key(j, "request");
            j_open(j, '{');
            kv_hex(j, "message", requests[i].message, requests[i].message_len);
            kv_u64(j, "nospam", requests[i].nospam);
            j_close(j, '}');
        }
        j_close(j, '}');
    }
    j_close(j, ']');
}

static void emit_savedata(Json *j, const char *key, const Tox *tox)
{
    const size_t size = tox_get_savedata_size(tox);
    uint8_t *data = malloc(size);
    CHECK(data != NULL, "out of memory");
    tox_get_savedata(tox, data);
    kv_hex(j, key, data, size);
    free(data);
}

/* ---- savedata-written: what c-toxcore writes ---- */

typedef struct Written_Friend {
    const char *label;      /* seeds the friend's key */
    bool request;           /* tox_friend_add (else tox_friend_add_norequest) */
    uint32_t nospam;        /* the nospam of the Tox ID given to tox_friend_add */
    size_t message_len;     /* request message: this many bytes of a seeded printable text */
} Written_Friend;

typedef struct Written_Node {
    const char *host;
    uint16_t port;
    const char *label;      /* seeds the node's key */
} Written_Node;

typedef struct Written {
    const char *name;
    const char *key_label;
    uint32_t nospam;
    size_t name_len, status_message_len; /* 0: not set */
    int status;                          /* -1: not set */
    Written_Friend friends[5];
    Written_Node nodes[3];
    int conferences;
} Written;

/* Printable seeded text (letters, digits, spaces), so the bytes read well in a hex dump. */
static void seeded_text(const char *label, uint8_t *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";
    seeded(label, out, n);
    for (size_t i = 0; i < n; ++i) out[i] = (uint8_t)alphabet[out[i] % (sizeof alphabet - 1)];
}

static void tox_id_of(uint8_t *address, const uint8_t *pk, uint32_t nospam)
{
    memcpy(address, pk, KEY);
    address[32] = (uint8_t)(nospam >> 24), address[33] = (uint8_t)(nospam >> 16);
    address[34] = (uint8_t)(nospam >> 8), address[35] = (uint8_t)nospam;
    address[36] = address[37] = 0;
    for (int i = 0; i < 36; ++i) address[36 + i % 2] ^= address[i];
}

static void written_vector(Json *j, const Written *w)
{
    uint8_t sk[KEY], pk[KEY], name[128], status_message[1007], messages[5][1016];
    seeded_keys(w->key_label, sk, pk);
    Tox_Err_New err;
    Tox *tox = make_tox(TOX_SAVEDATA_TYPE_SECRET_KEY, sk, KEY, &err);
    CHECK(tox != NULL && err == TOX_ERR_NEW_OK, "%s: tox_new: %d", w->name, (int)err);
    tox_self_set_nospam(tox, w->nospam);

    j_open(j, '{');
    kv_str(j, "name", w->name);
    j_key(j, "input");
    j_open(j, '{');
    kv_hex(j, "secret_key", sk, KEY);
    kv_u64(j, "nospam", w->nospam);
    if (w->name_len > 0) {
        seeded_text("savedata/name", name, w->name_len);
        CHECK(tox_self_set_name(tox, name, w->name_len, NULL), "tox_self_set_name");
        kv_hex(j, "name", name, w->name_len);
    }
    if (w->status_message_len > 0) {
        seeded_text("savedata/status-message", status_message, w->status_message_len);
        CHECK(tox_self_set_status_message(tox, status_message, w->status_message_len, NULL), "tox_self_set_status_message");
        kv_hex(j, "status_message", status_message, w->status_message_len);
    }
    if (w->status >= 0) {
        tox_self_set_status(tox, (Tox_User_Status)w->status);
        kv_u64(j, "status", (uint64_t)w->status);
    }
    Request_Info requests[5] = { { 0 } };
    j_key(j, "friends");
    j_open(j, '[');
    for (int i = 0; i < 5 && w->friends[i].label != NULL; ++i) {
        const Written_Friend *f = &w->friends[i];
        uint8_t fpk[KEY], address[ADDRESS];
        seeded_pk(f->label, fpk);
        Tox_Err_Friend_Add add_err;
        j_open(j, '{');
        if (f->request) {
            char label[128];
            snprintf(label, sizeof label, "savedata/message/%s", f->label);
            seeded_text(label, messages[i], f->message_len);
            tox_id_of(address, fpk, f->nospam);
            const uint32_t number = tox_friend_add(tox, address, messages[i], f->message_len, &add_err);
            CHECK(add_err == TOX_ERR_FRIEND_ADD_OK && number == (uint32_t)i, "%s: tox_friend_add %d", w->name, (int)add_err);
            requests[i] = (Request_Info) { true, messages[i], f->message_len, f->nospam };
            kv_hex(j, "tox_id", address, ADDRESS);
            kv_hex(j, "message", messages[i], f->message_len);
        } else {
            const uint32_t number = tox_friend_add_norequest(tox, fpk, &add_err);
            CHECK(add_err == TOX_ERR_FRIEND_ADD_OK && number == (uint32_t)i, "%s: tox_friend_add_norequest %d", w->name, (int)add_err);
            kv_hex(j, "public_key", fpk, KEY);
        }
        j_close(j, '}');
    }
    j_close(j, ']');
    j_key(j, "bootstrap");
    j_open(j, '[');
    for (int i = 0; i < 3 && w->nodes[i].host != NULL; ++i) {
        uint8_t npk[KEY];
        seeded_pk(w->nodes[i].label, npk);
        Tox_Err_Bootstrap boot_err;
        CHECK(tox_bootstrap(tox, w->nodes[i].host, w->nodes[i].port, npk, &boot_err), "%s: tox_bootstrap %s: %d",
              w->name, w->nodes[i].host, (int)boot_err);
        j_open(j, '{');
        kv_str(j, "host", w->nodes[i].host);
        kv_u64(j, "port", w->nodes[i].port);
        kv_hex(j, "public_key", npk, KEY);
        j_close(j, '}');
    }
    j_close(j, ']');
    for (int i = 0; i < w->conferences; ++i) {
        Tox_Err_Conference_New conf_err;
        const uint32_t number = tox_conference_new(tox, &conf_err);
        CHECK(conf_err == TOX_ERR_CONFERENCE_NEW_OK, "tox_conference_new");
        char title[32];
        snprintf(title, sizeof title, "conference %d", i);
        CHECK(tox_conference_set_title(tox, number, (const uint8_t *)title, strlen(title), NULL), "tox_conference_set_title");
    }
    kv_u64(j, "conferences", (uint64_t)w->conferences);
    j_close(j, '}');

    j_key(j, "expected");
    j_open(j, '{');
    emit_savedata(j, "savedata", tox);
    emit_state(j, tox);
    emit_friends(j, tox, requests);
    j_key(j, "path_nodes");
    j_open(j, '[');
    for (int i = 0; i < 3 && w->nodes[i].host != NULL; ++i) {
        uint8_t npk[KEY];
        seeded_pk(w->nodes[i].label, npk);
        j_open(j, '{');
        kv_str(j, "protocol", "udp");
        kv_str(j, "host", w->nodes[i].host);
        kv_u64(j, "port", w->nodes[i].port);
        kv_hex(j, "public_key", npk, KEY);
        j_close(j, '}');
    }
    j_close(j, ']');
    kv_u64(j, "conferences", tox_conference_get_chatlist_size(tox));
    j_close(j, '}');
    j_close(j, '}');
    tox_kill(tox);
}

static const Written WRITTEN[] = {
    { .name = "a new identity: keys and nospam only", .key_label = "savedata/key/new", .nospam = 0x01020304,
      .status = -1 },
    { .name = "name, status message and away", .key_label = "savedata/key/named", .nospam = 0xdeadbeef,
      .name_len = 11, .status_message_len = 40, .status = 1 },
    { .name = "longest name and status message, busy", .key_label = "savedata/key/longest", .nospam = 0,
      .name_len = 128, .status_message_len = 1007, .status = 2 },
    { .name = "friends with and without a request, and two bootstrap nodes", .key_label = "savedata/key/friends",
      .nospam = 0x7f00ff01, .name_len = 5, .status = -1,
      .friends = { { "savedata/friend/a", true, 0x11223344, 14 }, { "savedata/friend/b", false, 0, 0 },
                   { "savedata/friend/c", true, 0xffffffff, 1016 }, { "savedata/friend/d", false, 0, 0 } },
      .nodes = { { "127.0.0.1", 33445, "savedata/node/1" }, { "192.0.2.7", 443, "savedata/node/2" } } },
    { .name = "a conference (kept as opaque bytes)", .key_label = "savedata/key/conference", .nospam = 0x00c0ffee,
      .status = -1, .friends = { { "savedata/friend/e", false, 0, 0 } }, .conferences = 1 },
};

/* ---- savedata-load: what c-toxcore does with the savedata it is given ---- */

/* Loads `b`; dies unless c-toxcore's verdict is `want`. `toxlink_error` names toxlink's refusal. */
static void load_vector(Json *j, const char *name, const Buf *b, Tox_Err_New want, const char *toxlink_error)
{
    Tox_Err_New err;
    Tox *tox = make_tox(TOX_SAVEDATA_TYPE_TOX_SAVE, b->data, b->len, &err);
    CHECK(err == want, "%s: tox_new says %s, the vector says %s", name, new_errors[err], new_errors[want]);
    j_open(j, '{');
    kv_str(j, "name", name);
    j_key(j, "input");
    j_open(j, '{');
    kv_hex(j, "savedata", b->data, b->len);
    j_close(j, '}');
    j_key(j, "expected");
    j_open(j, '{');
    kv_str(j, "c_toxcore", new_errors[err]);
    if (err == TOX_ERR_NEW_OK) {
        CHECK(tox != NULL && toxlink_error == NULL, "%s", name);
        emit_state(j, tox);
        emit_friends(j, tox, NULL);
        emit_savedata(j, "resaved", tox);
    } else {
        CHECK(toxlink_error != NULL, "%s: a refusal needs toxlink's error code", name);
        kv_str(j, "error", toxlink_error);
    }
    j_close(j, '}');
    j_close(j, '}');
    if (tox != NULL) tox_kill(tox);
}

static uint8_t self_sk[KEY], self_pk[KEY];
#define SELF_NOSPAM UINT32_C(0x5eed0001)

/* NOSPAMKEYS of the loaded identity. */
static void self_keys(Buf *b) { nospamkeys(b, SELF_NOSPAM, self_pk, self_sk); }

static void end(Buf *b) { top(b, S_END, NULL, 0); }

/* A DHT section: its cookie, then one nodes sub-section. */
static void dht_nodes(Buf *b, const uint8_t *nodes, size_t n)
{
    Buf inner = { .len = 0 };
    put_le32(&inner, DHT_STATE_COOKIE);
    section(&inner, DHT_SECTION_COOKIE, 4, nodes, n);
    top(b, S_DHT, inner.data, inner.len);
}

static void friends_section(Buf *b, const Friend_Spec *specs, int count)
{
    static uint8_t records[8 * FRIEND_RECORD];
    CHECK(count <= 8, "too many records");
    for (int i = 0; i < count; ++i) friend_record(records + (size_t)i * FRIEND_RECORD, &specs[i]);
    top(b, S_FRIENDS, records, (size_t)count * FRIEND_RECORD);
}

static const uint8_t HELLO[] = "hello, it's me";
static const uint8_t BOB[] = "Bob";
static const uint8_t AT_LUNCH[] = "at lunch";

static void load_vectors(Json *j)
{
    Buf *b = calloc(1, sizeof(Buf));
    CHECK(b != NULL, "out of memory");
    uint8_t k[8][KEY], nodes[16 * 64], body[FRIEND_RECORD];
    char label[64];
    for (int i = 0; i < 8; ++i) {
        snprintf(label, sizeof label, "savedata/load/key/%d", i);
        seeded_pk(label, k[i]);
    }
    uint8_t text[1100];
    seeded_text("savedata/load/text", text, sizeof text);
    const char *v4 = "7f000001", *v4b = "c0000207", *v6 = "20010db8000000000000000000000001";

    /* A whole profile, as a c-toxcore client would have saved it. */
    file_header(b);
    self_keys(b);
    size_t n = pack_node(nodes, 2, v4, 33445, k[0]);
    n += pack_node(nodes + n, 10, v6, 33446, k[1]);
    dht_nodes(b, nodes, n);
    const Friend_Spec full_friends[] = {
        { .status = 3, .pk = { 0 }, .name = BOB, .name_len = 3, .status_message = AT_LUNCH, .status_message_len = 8,
          .user_status = 1, .last_seen = UINT64_C(1700000000) },
        { .status = 2, .info = HELLO, .info_len = sizeof HELLO - 1, .nospam = 0xa1b2c3d4 },
        { .status = 1, .info = text, .info_len = 1016, .nospam = 0 },
    };
    Friend_Spec specs[8];
    memcpy(specs, full_friends, sizeof full_friends);
    for (int i = 0; i < 3; ++i) memcpy(specs[i].pk, k[2 + i], KEY);
    friends_section(b, specs, 3);
    top(b, S_NAME, "Alice", 5);
    top(b, S_STATUSMESSAGE, "busy writing vectors", 20);
    top(b, S_STATUS, "\x02", 1);
    n = pack_node(nodes, 130, v4b, 443, k[5]);
    n += pack_node(nodes + n, 138, v6, 3389, k[6]);
    top(b, S_TCP_RELAY, nodes, n);
    size_t reserved = 2 * 8 * 51 - n; /* c-toxcore's zeros after END: room for 8 IPv6 relays and path nodes */
    n = pack_node(nodes, 2, v4, 33445, k[0]);
    n += pack_node(nodes + n, 2, v4b, 33445, k[7]);
    top(b, S_PATH_NODE, nodes, n);
    reserved -= n;
    top(b, S_CONFERENCES, NULL, 0);
    end(b);
    put_zeros(b, reserved);
    load_vector(j, "a whole profile: DHT nodes, three kinds of friend, name, status, relays, path nodes", b,
                TOX_ERR_NEW_OK, NULL);

    /* No END: the data ends at a section boundary. Sections in another order. */
    file_header(b);
    top(b, S_NAME, "Carol", 5);
    self_keys(b);
    top(b, S_STATUS, "\x01", 1);
    load_vector(j, "no END section and another section order", b, TOX_ERR_NEW_OK, NULL);

    /* Bytes after END are never read. */
    file_header(b);
    self_keys(b);
    end(b);
    put(b, "\xff\xff\xff\x01\x02\x03\x04\x05\x06\x07\x08", 11);
    load_vector(j, "bytes after END are ignored", b, TOX_ERR_NEW_OK, NULL);

    /* Sections c-toxcore does not know are skipped (toxlink keeps them). */
    file_header(b);
    self_keys(b);
    top(b, 99, "opaque", 6);
    top(b, 21, text, 300);
    top(b, 0, NULL, 0);
    end(b);
    load_vector(j, "unknown section types are skipped", b, TOX_ERR_NEW_OK, NULL);

    /* Friends c-toxcore does not add. */
    file_header(b);
    self_keys(b);
    Friend_Spec skipped[8] = {
        { .status = 0, .info = HELLO, .info_len = 5 },                          /* empty slot */
        { .status = 1, .info = HELLO, .info_len = 0, .nospam = 1 },             /* empty request message */
        { .status = 1, .info = text, .info_len = 1017, .nospam = 1 },           /* request message too long */
        { .status = 3 },                                                        /* key last byte 0x80 */
        { .status = 3 },                                                        /* our own key */
        { .status = 4, .name = text, .name_len = 129, .status_message = text,   /* name and status message too */
          .status_message_len = 1008, .user_status = 7, .last_seen = 5 },      /* long; odd user status and status */
        { .status = 3, .name = BOB, .name_len = 3 },                            /* the same key again */
        { .status = 2, .info = HELLO, .info_len = 3, .nospam = 2 },             /* a request to a confirmed friend */
    };
    memcpy(skipped[0].pk, k[0], KEY);
    memcpy(skipped[1].pk, k[1], KEY);
    memcpy(skipped[2].pk, k[2], KEY);
    memcpy(skipped[3].pk, k[3], KEY);
    skipped[3].pk[KEY - 1] |= 0x80;
    memcpy(skipped[4].pk, self_pk, KEY);
    memcpy(skipped[5].pk, k[4], KEY);
    memcpy(skipped[6].pk, k[4], KEY);
    memcpy(skipped[7].pk, k[4], KEY);
    friends_section(b, skipped, 8);
    const Friend_Spec moved[3] = {
        { .status = 1, .info = HELLO, .info_len = 5, .nospam = 10 },
        { .status = 2, .info = BOB, .info_len = 3, .nospam = 11 },              /* same key, new nospam */
        { .status = 1, .info = BOB, .info_len = 3, .nospam = 11 },              /* same key, same nospam */
    };
    memcpy(specs, moved, sizeof moved);
    for (int i = 0; i < 3; ++i) memcpy(specs[i].pk, k[5], KEY);
    friends_section(b, specs, 3);
    end(b);
    load_vector(j, "friends c-toxcore skips: empty slot, bad message length, invalid key, own key, duplicates", b,
                TOX_ERR_NEW_OK, NULL);

    /* Own-name values c-toxcore ignores. */
    file_header(b);
    self_keys(b);
    top(b, S_NAME, "Dave", 4);
    top(b, S_NAME, text, 129);
    top(b, S_STATUSMESSAGE, "ok", 2);
    top(b, S_STATUSMESSAGE, NULL, 0);
    top(b, S_STATUSMESSAGE, text, 1008);
    top(b, S_STATUS, "\x01", 1);
    top(b, S_STATUS, "\x03", 1);
    top(b, S_STATUS, "\x02\x02", 2);
    end(b);
    load_vector(j, "a name, status message or status out of range is ignored", b, TOX_ERR_NEW_OK, NULL);

    /* Node lists that do not unpack are dropped whole; never an error. */
    file_header(b);
    self_keys(b);
    n = pack_node(nodes, 130, v4b, 443, k[5]);
    top(b, S_TCP_RELAY, nodes, n);
    top(b, S_TCP_RELAY, nodes, n - 1);                                          /* truncated: drops the first */
    n = pack_node(nodes, 2, v4, 33445, k[0]);
    n += pack_node(nodes + n, 130, v4b, 443, k[5]);                            /* TCP family: not a path node */
    top(b, S_PATH_NODE, nodes, n);
    n = pack_node(nodes, 2, v4, 33445, k[0]);
    memcpy(body, "\x0e\x00\x59\x01", 4);                                        /* wrong DHT cookie */
    memcpy(body + 4, nodes, n);
    top(b, S_DHT, body, 4 + n);
    end(b);
    load_vector(j, "node lists that do not unpack are ignored", b, TOX_ERR_NEW_OK, NULL);

    /* DHT frame details: an unknown sub-section, a damaged one after the nodes. */
    file_header(b);
    self_keys(b);
    {
        Buf inner = { .len = 0 };
        put_le32(&inner, DHT_STATE_COOKIE);
        section(&inner, DHT_SECTION_COOKIE, 9, "xyz", 3);
        n = pack_node(nodes, 2, v4b, 1, k[6]);
        section(&inner, DHT_SECTION_COOKIE, 4, nodes, n);
        section(&inner, DHT_SECTION_COOKIE, 4, NULL, 0);                       /* empty: keeps the nodes */
        section(&inner, SECTION_COOKIE, 4, nodes, n);                          /* wrong cookie: stops there */
        top(b, S_DHT, inner.data, inner.len);
    }
    end(b);
    load_vector(j, "DHT section: unknown and empty sub-sections, a wrong cookie stops it", b, TOX_ERR_NEW_OK, NULL);

    /* More than 8 relays or path nodes: the first 8 count. Path nodes keep one per key. */
    file_header(b);
    self_keys(b);
    n = 0;
    for (int i = 0; i < 10; ++i) n += pack_node(nodes + n, 130, v4, (uint16_t)(1000 + i), k[i % 8]);
    top(b, S_TCP_RELAY, nodes, n);
    n = 0;
    for (int i = 0; i < 10; ++i) n += pack_node(nodes + n, 2, v4b, (uint16_t)(2000 + i), k[i < 2 ? 0 : i % 8]);
    top(b, S_PATH_NODE, nodes, n);
    n = pack_node(nodes, 2, v4, 9, k[1]);                                      /* a new key: the 8th */
    n += pack_node(nodes + n, 2, v4, 10, k[7]);                                /* a key seen before */
    {
        uint8_t extra[KEY];
        seeded_pk("savedata/load/key/extra", extra);
        n += pack_node(nodes + n, 10, v6, 11, extra);                          /* a 9th: listed, not saved */
    }
    top(b, S_PATH_NODE, nodes, n);
    end(b);
    load_vector(j, "at most 8 relays and 8 path nodes, one path node per key", b, TOX_ERR_NEW_OK, NULL);

    /* The last NOSPAMKEYS wins. */
    file_header(b);
    {
        uint8_t osk[KEY], opk[KEY];
        seeded_keys("savedata/load/other-identity", osk, opk);
        nospamkeys(b, 7, opk, osk);
    }
    self_keys(b);
    end(b);
    load_vector(j, "two NOSPAMKEYS sections: the last one counts", b, TOX_ERR_NEW_OK, NULL);

    /* Refusals. */
    b->len = 0;
    load_vector(j, "empty", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "not-a-tox-save");
    file_header(b);
    b->len = 7;
    load_vector(j, "7 bytes", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "not-a-tox-save");
    b->len = 0;
    put(b, "toxEsave", 8);
    put(b, text, 80);
    load_vector(j, "encrypted by toxencryptsave", b, TOX_ERR_NEW_LOAD_ENCRYPTED, "encrypted");
    b->len = 0;
    put_le32(b, 1);
    put_le32(b, STATE_COOKIE);
    self_keys(b);
    load_vector(j, "first word not zero", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "not-a-tox-save");
    b->len = 0;
    put_le32(b, 0);
    put_le32(b, STATE_COOKIE + 1);
    self_keys(b);
    load_vector(j, "wrong state cookie", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "not-a-tox-save");
    file_header(b);
    self_keys(b);
    put_le32(b, 100);
    put_le32(b, (uint32_t)SECTION_COOKIE << 16 | S_NAME);
    put(b, "short", 5);
    load_vector(j, "a section longer than the data", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "truncated");
    file_header(b);
    self_keys(b);
    put(b, "\0\0\0", 3);
    load_vector(j, "3 bytes after the last section", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "truncated");
    file_header(b);
    self_keys(b);
    section(b, SECTION_COOKIE + 1, S_NAME, "x", 1);
    load_vector(j, "a section cookie of 0x01cf", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "bad-section");
    file_header(b);
    {
        uint8_t keys[4 + 2 * KEY];
        memset(keys, 0, 4);
        memcpy(keys + 4, self_pk, KEY);
        memcpy(keys + 4 + KEY, self_sk, KEY);
        top(b, S_NOSPAMKEYS, keys, sizeof keys - 1);
    }
    load_vector(j, "NOSPAMKEYS of 67 bytes", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "bad-keys");
    file_header(b);
    nospamkeys(b, 0, k[0], self_sk);
    load_vector(j, "NOSPAMKEYS whose public key is not the secret key's", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "bad-keys");
    file_header(b);
    self_keys(b);
    friend_record(body, &(Friend_Spec) { .status = 3 });
    top(b, S_FRIENDS, body, FRIEND_RECORD - 1);
    load_vector(j, "FRIENDS of 2215 bytes", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "bad-friends");
    file_header(b);
    self_keys(b);
    top(b, S_END, "x", 1);
    load_vector(j, "END with a body", b, TOX_ERR_NEW_LOAD_BAD_FORMAT, "bad-end");
    free(b);
}

/* ---- main ---- */

#define SOURCE "test/vectors/generator/gen-savedata.c linked statically against the Debian libtoxcore.a of c-toxcore 0.2.18 (libtoxcore-dev 0.2.18-1) and libsodium; public tox.h API only, no network"

int main(int argc, char **argv)
{
    gen_start(argc, argv, "gen-savedata");
    /* Before sodium_init: libsodium's global random source, a seeded stream (gen-common.c). */
    sodium_rng_install("toxlink/gen-savedata/libsodium-global-random");
    CHECK(sodium_init() >= 0, "sodium_init");
    seeded_keys("savedata/load/self", self_sk, self_pk);

    Json j;
    suite_begin(&j, "savedata-written",
                "Savedata that c-toxcore wrote (tox_get_savedata) after the API calls of the input: keys and nospam "
                "(tox_new with TOX_SAVEDATA_TYPE_SECRET_KEY, tox_self_set_nospam), name, status message and user status, "
                "friends added with a request (tox_friend_add with the Tox ID and message given) and without "
                "(tox_friend_add_norequest), bootstrap nodes (tox_bootstrap: saved as onion path nodes) and conferences "
                "(tox_conference_new). Names and messages are hex bytes. The expected fields are the savedata and what "
                "the instance's getters report; 'request' (message, nospam) and 'path_nodes' are the inputs the generator "
                "gave, which no getter reports. Reading 'savedata' must give these fields, and writing them back must give "
                "'savedata' byte for byte.",
                SOURCE ". The instances are never iterated, so every friend request is unsent (status 1).");
    for (size_t i = 0; i < sizeof WRITTEN / sizeof WRITTEN[0]; ++i) written_vector(&j, &WRITTEN[i]);
    suite_end(&j);

    suite_begin(&j, "savedata-load",
                "Savedata given to c-toxcore's tox_new (TOX_SAVEDATA_TYPE_TOX_SAVE) and its verdict, 'c_toxcore': the "
                "Tox_Err_New name. When it loads the data: what the getters report and 'resaved', what tox_get_savedata "
                "writes back at once (not iterated). Reading the input must give the getters' values, the same state as "
                "reading 'resaved' except what c-toxcore forgets (unknown sections; whether a friend request was sent), "
                "and writing that state must give 'resaved' byte for byte. When it refuses: 'error' is toxlink's "
                "ToxSaveError code.",
                SOURCE ". The inputs are built byte by byte by the generator in the layout of c-toxcore's state.c and "
                "Messenger.c; each verdict is c-toxcore's, and the generator dies if it is not the one the vector names.");
    load_vectors(&j);
    suite_end(&j);
    return 0;
}
