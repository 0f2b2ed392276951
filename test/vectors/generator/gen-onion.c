/*
 * toxlink known-answer vector generator for the onion (test/vectors/onion-*.json).
 *
 * Asks c-toxcore 0.2.18 itself (the Debian static library libtoxcore.a, whose internal
 * symbols are present) what onion packets look like and what its nodes do with them, and
 * writes the answers as JSON in the layout test/vectors/README.md describes (format 1).
 *
 *   usage: gen-onion OUTPUT_DIR
 *
 * Everything here is our own code. c-toxcore's internal headers are not installed, so the
 * internal functions and structs used are declared from a reading of the v0.2.18 sources:
 * those the generators share (network.h, DHT.h, crypto_core.h, mono_time.h, net_crypto.h)
 * in toxcore-internal.h, the onion's own (onion.h, onion_announce.h, onion_client.h,
 * timed_auth.h, friend_connection.h, friend_requests.h) below. Their layouts are pinned
 * with static assertions, and the generator refuses to run against any other library
 * version.
 *
 * Each node is a real c-toxcore object (a DHT with an Onion, an Onion_Announce, or a
 * Net_Crypto with an Onion_Client) on the fake Network of fake-net.c, whose socket calls
 * the generator answers: a packet handed to networking_poll runs c-toxcore's own handlers,
 * and what they send is recorded, never sent. Randomness comes from scripted sources (the node's Random,
 * and libsodium's global source for key pairs), so every nonce, key and secret in a vector
 * is an input; the generator checks that c-toxcore drew exactly the scripted bytes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <tox/tox.h>

#include "fake-net.h"
#include "gen-common.h"
#include "toxcore-internal.h"

/* ---------------------------------------------------------------------------------------
 * c-toxcore 0.2.18 internals only this generator uses, declared by us.
 * ------------------------------------------------------------------------------------ */

/* timed_auth.h */
void generate_timed_auth(const Mono_Time *mono_time, uint16_t timeout, const uint8_t *key, const uint8_t *data,
                         uint16_t length, uint8_t *timed_auth);
bool check_timed_auth(const Mono_Time *mono_time, uint16_t timeout, const uint8_t *key, const uint8_t *data,
                      uint16_t length, const uint8_t *timed_auth);

/* onion.h */
typedef struct Onion Onion;
typedef int onion_recv_1_cb(void *object, const IP_Port *dest, const uint8_t *data, uint16_t length);
typedef struct Onion_Path {
    uint8_t shared_key1[32];
    uint8_t shared_key2[32];
    uint8_t shared_key3[32];
    uint8_t public_key1[32];
    uint8_t public_key2[32];
    uint8_t public_key3[32];
    IP_Port ip_port1;
    uint8_t node_public_key1[32];
    IP_Port ip_port2;
    uint8_t node_public_key2[32];
    IP_Port ip_port3;
    uint8_t node_public_key3[32];
    uint32_t path_num;
} Onion_Path;
_Static_assert(sizeof(Onion_Path) == 392 && offsetof(Onion_Path, ip_port1) == 192 &&
               offsetof(Onion_Path, path_num) == 384, "Onion_Path");
Onion *new_onion(const Logger *log, const Mono_Time *mono_time, const Random *rng, DHT *dht);
void kill_onion(Onion *onion);
int create_onion_path(const Random *rng, const DHT *dht, Onion_Path *new_path, const Node_format *nodes);
int create_onion_packet(const Random *rng, uint8_t *packet, uint16_t max_packet_length, const Onion_Path *path,
                        const IP_Port *dest, const uint8_t *data, uint16_t length);
int create_onion_packet_tcp(const Random *rng, uint8_t *packet, uint16_t max_packet_length, const Onion_Path *path,
                            const IP_Port *dest, const uint8_t *data, uint16_t length);
int onion_send_1(const Onion *onion, const uint8_t *plain, uint16_t len, const IP_Port *source, const uint8_t *nonce);
void set_callback_handle_recv_1(Onion *onion, onion_recv_1_cb *function, void *object);

/* onion_announce.h */
typedef struct Onion_Announce Onion_Announce;
Onion_Announce *new_onion_announce(const Logger *log, const Random *rng, const Mono_Time *mono_time, DHT *dht);
void kill_onion_announce(Onion_Announce *onion_a);
uint8_t *onion_announce_entry_public_key(Onion_Announce *onion_a, uint32_t entry);
int create_announce_request(const Random *rng, uint8_t *packet, uint16_t max_packet_length,
                            const uint8_t *dest_client_id, const uint8_t *public_key, const uint8_t *secret_key,
                            const uint8_t *ping_id, const uint8_t *client_id, const uint8_t *data_public_key,
                            uint64_t sendback_data);
int create_data_request(const Random *rng, uint8_t *packet, uint16_t max_packet_length, const uint8_t *public_key,
                        const uint8_t *encrypt_public_key, const uint8_t *nonce, const uint8_t *data, uint16_t length);

/* onion_client.h */
typedef struct Onion_Client Onion_Client;
typedef int recv_tcp_relay_cb(void *object, uint32_t number, const IP_Port *ip_port, const uint8_t *public_key);
typedef void onion_dht_pk_cb(void *data, int32_t number, const uint8_t *dht_public_key, void *userdata);
typedef int oniondata_handler_cb(void *object, const uint8_t *source_pubkey, const uint8_t *data, uint16_t len,
                                 void *userdata);
Onion_Client *new_onion_client(const Logger *logger, const Random *rng, const Mono_Time *mono_time, Net_Crypto *c);
void kill_onion_client(Onion_Client *onion_c);
int onion_addfriend(Onion_Client *onion_c, const uint8_t *public_key);
int onion_dht_pk_callback(Onion_Client *onion_c, int friend_num, onion_dht_pk_cb *function, void *object,
                          uint32_t number);
int recv_tcp_relay_handler(Onion_Client *onion_c, int friend_num, recv_tcp_relay_cb *callback, void *object,
                           uint32_t number);
int onion_set_friend_online(Onion_Client *onion_c, int friend_num, bool is_online);
void oniondata_registerhandler(Onion_Client *onion_c, uint8_t byte, oniondata_handler_cb *cb, void *object);

/* friend_connection.h, friend_requests.h */
typedef struct Friend_Connections Friend_Connections;
typedef struct Friend_Requests Friend_Requests;
typedef void fr_friend_request_cb(void *object, const uint8_t *public_key, const uint8_t *message, size_t length,
                                  void *user_data);
Friend_Connections *new_friend_connections(const Logger *logger, const Mono_Time *mono_time, const Network *ns,
                                           Onion_Client *onion_c, bool local_discovery_enabled);
void kill_friend_connections(Friend_Connections *fr_c);
Friend_Requests *friendreq_new(void);
void friendreq_kill(Friend_Requests *fr);
void friendreq_init(Friend_Requests *fr, Friend_Connections *fr_c);
void set_nospam(Friend_Requests *fr, uint32_t num);
void callback_friendrequest(Friend_Requests *fr, fr_friend_request_cb *function, void *object);

/* ---------------------------------------------------------------------------------------
 * Helpers: constants, seeded bytes.
 * ------------------------------------------------------------------------------------ */

#define SIZE_IPPORT 19
#define RETURN_1 59
#define RETURN_2 118
#define RETURN_3 177

/* Deterministic bytes: ChaCha20 keyed with BLAKE2b-256 of "toxlink/onion/" LABEL. */
static void onion_seeded(const char *label, uint8_t *out, size_t n)
{
    seeded_f(out, n, "toxlink/onion/%s", label);
}

static void onion_seeded_f(uint8_t *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void onion_seeded_f(uint8_t *out, size_t n, const char *fmt, ...)
{
    char label[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    onion_seeded(label, out, n);
}


/* ---------------------------------------------------------------------------------------
 * Addresses.
 * ------------------------------------------------------------------------------------ */

static void kv_addr(Json *j, const char *k, const IP_Port *ipp)
{
    char host[64];
    format_ip_port(host, sizeof host, ipp);
    j_key(j, k);
    j_open(j, '{');
    kv_str(j, "host", host);
    kv_u64(j, "port", ntohs(ipp->port));
    j_close(j, '}');
}

/* ---------------------------------------------------------------------------------------
 * Randomness: each node's Random, and libsodium's global source (crypto_box_keypair).
 * Both are Det_Rngs (gen-common.h): scripted bytes first, then a seeded stream; "drawn"
 * counts what was taken.
 * ------------------------------------------------------------------------------------ */

/* The next secret key crypto_box_keypair makes is `sk` (libsodium draws exactly 32 bytes). */
static void sodium_script_key(const uint8_t *sk) { rng_script(&sodium_rng, sk, KEY_SIZE); }

/* ---------------------------------------------------------------------------------------
 * The clock: milliseconds, read by every node; mono_time's seconds are exactly ours.
 * ------------------------------------------------------------------------------------ */

#define T0 UINT64_C(1700000000)
static uint64_t clock_ms = T0 * 1000;

static uint64_t gen_time_ms(void *user_data)
{
    UNUSED(user_data);
    return clock_ms;
}

#define MAX_NODES 16
typedef struct Node Node;
static Node *all_nodes[MAX_NODES];
static int node_count;

/* ---------------------------------------------------------------------------------------
 * The nodes, on the fake network of fake-net.c.
 * ------------------------------------------------------------------------------------ */

static Logger *logger;

struct Node {
    Udp_Node u; /* the DHT object on the fake network, its keys and Random */
    /* An onion hop (new_onion) and its secret symmetric key. */
    Onion *onion;
    uint8_t onion_key[KEY_SIZE];
    int recv1_calls;
    IP_Port recv1_dest;
    uint8_t recv1_data[PACKET_CAP];
    size_t recv1_len;
    /* An announce node (new_onion_announce) and its HMAC key. */
    Onion_Announce *announce;
    uint8_t hmac_key[KEY_SIZE];
    /* A client: net_crypto with a real key pair, onion client with a data key pair, friend
     * connections and friend requests, and what their callbacks heard. */
    Net_Crypto *nc;
    uint8_t real_pk[KEY_SIZE], real_sk[KEY_SIZE];
    Onion_Client *onion_c;
    uint8_t data_pk[KEY_SIZE], data_sk[KEY_SIZE];
    Friend_Connections *fr_c;
    Friend_Requests *fr;
    int dht_pk_calls;
    uint8_t heard_dht_pk[KEY_SIZE];
    int relay_calls;
    Node_format heard_relays[8];
    int fr_calls;
    uint8_t fr_from[KEY_SIZE];
    uint8_t fr_message[PACKET_CAP];
    size_t fr_len;
    int probe_calls; /* our handler for onion data id 0x70 */
    uint8_t probe_from[KEY_SIZE];
    uint8_t probe_data[PACKET_CAP];
    size_t probe_len;
};

static void set_clock(uint64_t ms)
{
    clock_ms = ms;
    for (int i = 0; i < node_count; ++i) {
        mono_time_update(all_nodes[i]->u.mono_time);
        CHECK(mono_time_get(all_nodes[i]->u.mono_time) == ms / 1000, "mono_time does not follow the clock");
    }
}

static uint64_t now_s(void) { return clock_ms / 1000; }

/* A DHT node with key pair seeded from "dht/LABEL/secret-key", reachable at host:port. */
static Node *node_new(const char *label, const char *host, uint16_t port)
{
    Node *n = (Node *)calloc(1, sizeof *n);
    CHECK(n != NULL && node_count < MAX_NODES, "out of memory");
    udp_node_init(&n->u, "toxlink/onion/dht", label, host, port);
    n->u.mono_time = mono_time_new(gen_time_ms, NULL);
    CHECK(n->u.mono_time != NULL, "mono_time_new");
    ((Mono_Time_Head *)n->u.mono_time)->base_time = 0;
    all_nodes[node_count++] = n;
    set_clock(clock_ms);
    udp_node_open(&n->u, logger, false);
    return n;
}

static int on_recv_1(void *object, const IP_Port *dest, const uint8_t *data, uint16_t length)
{
    Node *n = (Node *)object;
    ++n->recv1_calls;
    n->recv1_dest = *dest;
    memcpy(n->recv1_data, data, length);
    n->recv1_len = length;
    return 0;
}

/* Makes `n` an onion hop; its secret symmetric key is seeded from "hop/LABEL/onion-key". */
static void node_add_onion(Node *n)
{
    onion_seeded_f(n->onion_key, KEY_SIZE, "hop/%s/onion-key", n->u.label);
    rng_script(&n->u.rng, n->onion_key, KEY_SIZE);
    n->onion = new_onion(logger, n->u.mono_time, &n->u.random, n->u.dht);
    CHECK(n->onion != NULL, "new_onion");
    rng_expect_used(&n->u.rng, "new_onion (secret symmetric key)");
    set_callback_handle_recv_1(n->onion, on_recv_1, n);
}

/* Makes `n` an announce node; its HMAC key is seeded from "announce/LABEL/hmac-key". */
static void node_add_announce(Node *n)
{
    onion_seeded_f(n->hmac_key, KEY_SIZE, "announce/%s/hmac-key", n->u.label);
    rng_script(&n->u.rng, n->hmac_key, KEY_SIZE);
    n->announce = new_onion_announce(logger, &n->u.random, n->u.mono_time, n->u.dht);
    CHECK(n->announce != NULL, "new_onion_announce");
    rng_expect_used(&n->u.rng, "new_onion_announce (HMAC key)");
}

static void on_dht_pk(void *data, int32_t number, const uint8_t *dht_public_key, void *userdata)
{
    UNUSED(number); UNUSED(userdata);
    Node *n = (Node *)data;
    ++n->dht_pk_calls;
    memcpy(n->heard_dht_pk, dht_public_key, KEY_SIZE);
}

static int on_relay(void *object, uint32_t number, const IP_Port *ip_port, const uint8_t *public_key)
{
    UNUSED(number);
    Node *n = (Node *)object;
    CHECK(n->relay_calls < 8, "too many relays");
    memcpy(n->heard_relays[n->relay_calls].public_key, public_key, KEY_SIZE);
    n->heard_relays[n->relay_calls].ip_port = *ip_port;
    ++n->relay_calls;
    return 0;
}

static void on_friend_request(void *object, const uint8_t *public_key, const uint8_t *message, size_t length,
                              void *user_data)
{
    UNUSED(user_data);
    Node *n = (Node *)object;
    ++n->fr_calls;
    memcpy(n->fr_from, public_key, KEY_SIZE);
    memcpy(n->fr_message, message, length);
    n->fr_len = length;
}

static int on_probe(void *object, const uint8_t *source_pubkey, const uint8_t *data, uint16_t len, void *userdata)
{
    UNUSED(userdata);
    Node *n = (Node *)object;
    ++n->probe_calls;
    memcpy(n->probe_from, source_pubkey, KEY_SIZE);
    memcpy(n->probe_data, data, len);
    n->probe_len = len;
    return 0;
}

/* The onion data id our probe handler takes (one no one else registers). */
#define PROBE_ID 0x70

/* Makes `n` a Tox client: net_crypto with real key pair "client/LABEL/real-secret-key",
 * an onion client with data key pair "client/LABEL/data-secret-key", friend connections and
 * friend requests with nospam `nospam` (the address bytes, as they are on the wire). */
static void node_add_client(Node *n, const uint8_t *nospam)
{
    onion_seeded_f(n->real_sk, KEY_SIZE, "client/%s/real-secret-key", n->u.label);
    CHECK(crypto_scalarmult_base(n->real_pk, n->real_sk) == 0, "scalarmult_base");
    TCP_Proxy_Info no_proxy;
    memset(&no_proxy, 0, sizeof no_proxy);
    n->nc = new_net_crypto(logger, &n->u.random, &n->u.ns, n->u.mono_time, n->u.dht, &no_proxy);
    CHECK(n->nc != NULL, "new_net_crypto");
    load_secret_key(n->nc, n->real_sk);
    CHECK(memcmp(nc_get_self_public_key(n->nc), n->real_pk, KEY_SIZE) == 0, "load_secret_key");

    onion_seeded_f(n->data_sk, KEY_SIZE, "client/%s/data-secret-key", n->u.label);
    CHECK(crypto_scalarmult_base(n->data_pk, n->data_sk) == 0, "scalarmult_base");
    sodium_script_key(n->data_sk);
    n->onion_c = new_onion_client(logger, &n->u.random, n->u.mono_time, n->nc);
    CHECK(n->onion_c != NULL, "new_onion_client");
    rng_expect_used(&sodium_rng, "new_onion_client (data key pair)");
    oniondata_registerhandler(n->onion_c, PROBE_ID, on_probe, n);

    n->fr_c = new_friend_connections(logger, n->u.mono_time, &n->u.ns, n->onion_c, false);
    CHECK(n->fr_c != NULL, "new_friend_connections");
    n->fr = friendreq_new();
    CHECK(n->fr != NULL, "friendreq_new");
    friendreq_init(n->fr, n->fr_c);
    uint32_t ns;
    memcpy(&ns, nospam, 4);
    set_nospam(n->fr, ns);
    callback_friendrequest(n->fr, on_friend_request, n);
}

/* Adds `real_pk` as a friend of client `n` whose DHT key announcements it listens to. */
static int client_add_friend(Node *n, const uint8_t *real_pk)
{
    const int num = onion_addfriend(n->onion_c, real_pk);
    CHECK(num >= 0, "onion_addfriend");
    CHECK(onion_dht_pk_callback(n->onion_c, num, on_dht_pk, n, 0) == 0 &&
          recv_tcp_relay_handler(n->onion_c, num, on_relay, n, 0) == 0, "friend callbacks");
    return num;
}

static void node_free(Node *n)
{
    if (n->nc != NULL) { /* a client: node_add_client made all four */
        friendreq_kill(n->fr);
        kill_friend_connections(n->fr_c);
        kill_onion_client(n->onion_c);
        kill_net_crypto(n->nc);
    }
    if (n->announce != NULL) {
        kill_onion_announce(n->announce);
    }
    if (n->onion != NULL) {
        kill_onion(n->onion);
    }
    udp_node_close(&n->u);
    for (int i = 0; i < node_count; ++i) {
        if (all_nodes[i] == n) {
            all_nodes[i] = all_nodes[--node_count];
            break;
        }
    }
    free(n);
}

/* Hands `packet` to `to` as if it came from `from`; runs c-toxcore's networking_poll and
 * returns how many packets `to` sent while handling it. */
static int deliver(Node *to, const IP_Port *from, Arrival how, const uint8_t *packet, size_t len)
{
    to->recv1_calls = to->dht_pk_calls = to->relay_calls = to->fr_calls = to->probe_calls = 0;
    return udp_node_deliver(&to->u, from, how, packet, len, to);
}

#define SOURCE_GEN                                                                                                   \
    "test/vectors/generator/gen-onion.c linked statically against the Debian libtoxcore.a of c-toxcore 0.2.18 "     \
    "(libtoxcore-dev 0.2.18-1) and libsodium. The generator runs real c-toxcore objects (DHT nodes with an Onion, "  \
    "an Onion_Announce, or a Net_Crypto with an Onion_Client, friend connections and friend requests) on a fake "     \
    "Network whose socket calls it answers itself; no packet leaves the process. Their randomness is scripted (each " \
    "node's Random, and libsodium's global source for key pairs), so nonces, keys and secrets are inputs; the clock " \
    "is the generator's. Keys and scripted bytes are libsodium randombytes_buf_deterministic bytes seeded with "      \
    "BLAKE2b-256 of a label. "

/* ---------------------------------------------------------------------------------------
 * Small pieces shared by the suites.
 * ------------------------------------------------------------------------------------ */

static Json jreq, jresp, jann, jdata, jrouted, jping;

/* While set, the path helpers run c-toxcore but write no vectors (to avoid near-duplicates). */
static bool quiet;

static const char *arrival_name(Arrival how) { return how == DUAL_STACK ? "dual-stack" : "ipv4"; }

static void expect_nothing_drawn(Det_Rng *r, const char *what)
{
    CHECK(r->drawn == 0, "%s: c-toxcore drew %zu random bytes", what, r->drawn);
    r->script_len = r->script_pos = 0;
}

/* The one packet `n` sent in the last deliver(), which must be exactly one. */
static const Sent_Packet *only_sent(const Node *n, const char *what)
{
    CHECK(n->u.fnet.n_sent == 1, "%s: %s sent %d packets, expected 1", what, n->u.label, n->u.fnet.n_sent);
    return &n->u.fnet.sent[0];
}

/* The data c-toxcore's announce node authenticates in a ping id, rebuilt by us: the sender's
 * key and the source IP_Port struct as receivepacket leaves it (zeroed first; an IPv4 sender
 * on the dual-stack socket keeps the ::ffff:a.b.c.d it arrived as behind its IPv4 address).
 * The generator checks it against every ping id c-toxcore hands out. */
static void ping_id_data(const uint8_t *pk, const IP_Port *from, Arrival how, uint8_t out[64])
{
    IP_Port s;
    memset(&s, 0, sizeof s);
    s.ip.family = from->ip.family;
    if (from->ip.family.value == NET_FAMILY_IPV4) {
        if (how == DUAL_STACK) {
            s.ip.ip.v6.uint8[10] = s.ip.ip.v6.uint8[11] = 0xff;
            memcpy(s.ip.ip.v6.uint8 + 12, from->ip.ip.v4.uint8, 4);
        }
        memcpy(s.ip.ip.v4.uint8, from->ip.ip.v4.uint8, 4);
    } else {
        memcpy(s.ip.ip.v6.uint8, from->ip.ip.v6.uint8, 16);
    }
    s.port = from->port;
    memcpy(out, pk, KEY_SIZE);
    memcpy(out + KEY_SIZE, &s, sizeof s);
}

static void derive_pk(const uint8_t *sk, uint8_t *pk) { CHECK(crypto_scalarmult_base(pk, sk) == 0, "scalarmult_base"); }

static void kv_node_list(Json *j, const char *k, Node *const *nodes, int count, bool with_secret)
{
    j_key(j, k);
    j_open(j, '[');
    for (int i = 0; i < count; ++i) {
        char host[64];
        format_ip_port(host, sizeof host, &nodes[i]->u.addr);
        j_open(j, '{');
        kv_str(j, "host", host);
        kv_u64(j, "port", ntohs(nodes[i]->u.addr.port));
        kv_hex(j, "public_key", nodes[i]->u.pk, KEY_SIZE);
        if (with_secret) {
            kv_hex(j, "secret_key", nodes[i]->u.sk, KEY_SIZE);
        }
        j_close(j, '}');
    }
    j_close(j, ']');
}

/* ---------------------------------------------------------------------------------------
 * onion-request: building 0x80 (and the TCP form), and each hop forwarding it.
 * ------------------------------------------------------------------------------------ */

typedef struct Path {
    Node *origin;
    Node *hops[3];
    Onion_Path p;
    uint8_t sk2[KEY_SIZE], sk3[KEY_SIZE];
} Path;

static void make_path(Path *path, Node *origin, Node *h1, Node *h2, Node *h3, const char *label)
{
    memset(path, 0, sizeof *path);
    path->origin = origin;
    path->hops[0] = h1;
    path->hops[1] = h2;
    path->hops[2] = h3;
    onion_seeded_f(path->sk2, KEY_SIZE, "path/%s/hop2-secret-key", label);
    onion_seeded_f(path->sk3, KEY_SIZE, "path/%s/hop3-secret-key", label);
    uint8_t both[2 * KEY_SIZE];
    memcpy(both, path->sk2, KEY_SIZE);
    memcpy(both + KEY_SIZE, path->sk3, KEY_SIZE);
    rng_script(&sodium_rng, both, sizeof both);
    Node_format nodes[3];
    memset(nodes, 0, sizeof nodes);
    for (int i = 0; i < 3; ++i) {
        memcpy(nodes[i].public_key, path->hops[i]->u.pk, KEY_SIZE);
        nodes[i].ip_port = path->hops[i]->u.addr;
    }
    origin->u.rng.drawn = 0;
    CHECK(create_onion_path(&origin->u.random, origin->u.dht, &path->p, nodes) == 0, "create_onion_path");
    rng_expect_used(&sodium_rng, "create_onion_path (two key pairs)");
    expect_nothing_drawn(&origin->u.rng, "create_onion_path");
    /* Our reading of Onion_Path's layout, checked on what c-toxcore wrote. */
    uint8_t pk2[KEY_SIZE], pk3[KEY_SIZE], k[KEY_SIZE];
    derive_pk(path->sk2, pk2);
    derive_pk(path->sk3, pk3);
    CHECK(memcmp(path->p.public_key1, origin->u.pk, KEY_SIZE) == 0 && memcmp(path->p.public_key2, pk2, KEY_SIZE) == 0 &&
          memcmp(path->p.public_key3, pk3, KEY_SIZE) == 0 && same_ip_port(&path->p.ip_port2, &h2->u.addr) &&
          memcmp(path->p.node_public_key3, h3->u.pk, KEY_SIZE) == 0, "Onion_Path layout differs from ours");
    CHECK(encrypt_precompute(h2->u.pk, path->sk2, k) == 0 && memcmp(k, path->p.shared_key2, KEY_SIZE) == 0,
          "Onion_Path shared key 2");
}

/* Builds an onion packet with c-toxcore (create_onion_packet, or create_onion_packet_tcp),
 * the nonce scripted from `nonce_label`, and writes a build vector. */
static size_t build_vector(const char *name, const Path *path, const char *nonce_label, const IP_Port *dest,
                           const uint8_t *payload, size_t len, bool tcp, uint8_t *out)
{
    uint8_t nonce[NONCE_SIZE];
    onion_seeded(nonce_label, nonce, NONCE_SIZE);
    rng_script(&path->origin->u.rng, nonce, NONCE_SIZE);
    const int n = tcp ? create_onion_packet_tcp(&path->origin->u.random, out, 1400, &path->p, dest, payload, (uint16_t)len)
                      : create_onion_packet(&path->origin->u.random, out, 1400, &path->p, dest, payload, (uint16_t)len);
    CHECK(n > 0, "%s: c-toxcore did not build the packet", name);
    rng_expect_used(&path->origin->u.rng, name);
    CHECK(memcmp(out + (tcp ? 0 : 1), nonce, NONCE_SIZE) == 0, "%s: nonce not where expected", name);

    if (quiet) {
        return (size_t)n;
    }
    Json *j = &jreq;
    vector_begin(j, name);
    kv_str(j, "kind", tcp ? "build-tcp" : "build");
    kv_hex(j, "originator_dht_secret_key", path->origin->u.sk, KEY_SIZE);
    kv_node_list(j, "nodes", path->hops, 3, true);
    kv_hex(j, "hop2_secret_key", path->sk2, KEY_SIZE);
    kv_hex(j, "hop3_secret_key", path->sk3, KEY_SIZE);
    kv_hex(j, "nonce", nonce, NONCE_SIZE);
    kv_addr(j, "destination", dest);
    kv_hex(j, "payload", payload, len);
    vector_expected(j);
    kv_hex(j, tcp ? "body" : "packet", out, (size_t)n);
    vector_end(j);
    return (size_t)n;
}

static size_t return_size_of_hop(int hop) { return hop == 1 ? RETURN_1 : hop == 2 ? RETURN_2 : RETURN_3; }

/* The next bytes hop `h` draws are the return nonce seeded for vector `name`. */
static void script_return_nonce(Node *h, const char *name, uint8_t *rnonce)
{
    onion_seeded_f(rnonce, NONCE_SIZE, "hop/%s/return-nonce/%s", h->u.label, name);
    rng_script(&h->u.rng, rnonce, NONCE_SIZE);
}

/* What hop `h` did with a request: dropped it (`error` set: it must have sent nothing), or
 * forwarded it to `expect_to` (copied to `out`). Returns the forwarded length. */
static size_t hop_forwarded(const char *name, Node *h, const char *error, const IP_Port *expect_to, uint8_t *out)
{
    if (error != NULL) {
        CHECK(h->u.fnet.n_sent == 0, "%s: c-toxcore forwarded a request meant to be dropped", name);
        h->u.rng.script_len = h->u.rng.script_pos = 0;
        return 0;
    }
    const Sent_Packet *p = only_sent(h, name);
    rng_expect_used(&h->u.rng, name);
    CHECK(same_ip_port(&p->to, expect_to), "%s: forwarded to the wrong address", name);
    memcpy(out, p->data, p->len);
    return p->len;
}

/* The expected half of a hop vector: the error, or where the request went, what was sent
 * and the return path (its last `return_len` bytes) the hop appended. */
static void hop_expected(Json *j, const char *error, const IP_Port *expect_to, const uint8_t *out, size_t n,
                         size_t return_len)
{
    vector_expected(j);
    if (error != NULL) {
        kv_str(j, "error", error);
    } else {
        kv_addr(j, "next", expect_to);
        kv_hex(j, "forwarded", out, n);
        kv_hex(j, "return_path", out + n - return_len, return_len);
    }
    vector_end(j);
}

/* Delivers an onion request to hop `h` from `from`; writes a hop vector. `error` is the
 * toxlink error code when c-toxcore must drop it; otherwise the packet must go to
 * `expect_to`. Returns the forwarded length (0 if dropped). */
static size_t hop_vector(const char *name, Node *h, const IP_Port *from, const uint8_t *packet, size_t len,
                         const char *error, const IP_Port *expect_to, uint8_t *out)
{
    const int hop = packet[0] == 0x80 ? 1 : packet[0] == 0x81 ? 2 : 3;
    uint8_t rnonce[NONCE_SIZE];
    script_return_nonce(h, name, rnonce);
    deliver(h, from, DUAL_STACK, packet, len);
    const size_t n = hop_forwarded(name, h, error, expect_to, out);
    if (quiet) {
        return n;
    }
    Json *j = &jreq;
    vector_begin(j, name);
    kv_str(j, "kind", "hop");
    kv_hex(j, "node_secret_key", h->u.sk, KEY_SIZE);
    kv_hex(j, "onion_secret_key", h->onion_key, KEY_SIZE);
    kv_addr(j, "from", from);
    kv_hex(j, "return_nonce", rnonce, NONCE_SIZE);
    kv_hex(j, "packet", packet, len);
    hop_expected(j, error, expect_to, out, n, return_size_of_hop(hop));
    return n;
}

/* The relay as hop 1 for a TCP client: onion_send_1 with the source TCP_server.c makes for
 * connection `con_id` (con_id_to_ip_port). */
static size_t tcp_hop_vector(const char *name, Node *h, uint32_t con_id, uint64_t identifier, const uint8_t *body,
                             size_t len, const char *error, const IP_Port *expect_to, uint8_t *out)
{
    IP_Port source;
    memset(&source, 0, sizeof source);
    source.ip.family.value = NET_FAMILY_TCP_CLIENT;
    source.ip.ip.v6.uint32[0] = con_id;
    source.ip.ip.v6.uint64[1] = identifier;
    uint8_t rnonce[NONCE_SIZE];
    script_return_nonce(h, name, rnonce);
    h->u.fnet.n_sent = 0;
    const int r = len > NONCE_SIZE ? onion_send_1(h->onion, body + NONCE_SIZE, (uint16_t)(len - NONCE_SIZE), &source, body) : 1;
    CHECK((r != 0) == (error != NULL), "%s: onion_send_1 returned %d", name, r);
    const size_t n = hop_forwarded(name, h, error, expect_to, out);
    Json *j = &jreq;
    vector_begin(j, name);
    kv_str(j, "kind", "tcp-hop");
    kv_hex(j, "onion_secret_key", h->onion_key, KEY_SIZE);
    kv_u64(j, "connection_id", con_id);
    kv_u64_text(j, "identifier", identifier);
    kv_hex(j, "return_nonce", rnonce, NONCE_SIZE);
    kv_hex(j, "body", body, len);
    hop_expected(j, error, expect_to, out, n, RETURN_1);
    return n;
}

/* ---------------------------------------------------------------------------------------
 * onion-response: each hop passing a response back.
 * ------------------------------------------------------------------------------------ */

/* Delivers an onion response (0x8c, 0x8d, 0x8e) to `h` from `from`; writes a vector. When
 * `expect_to` is NULL and there is no error, the response must reach the TCP-client callback. */
static size_t response_vector(const char *name, Node *h, const IP_Port *from, const uint8_t *packet, size_t len,
                              const char *error, const IP_Port *expect_to, uint8_t *out)
{
    const int sent = deliver(h, from, DUAL_STACK, packet, len);
    expect_nothing_drawn(&h->u.rng, name);
    size_t n = 0;
    Json scratch;
    memset(&scratch, 0, sizeof scratch);
    scratch.f = fopen("/dev/null", "w");
    CHECK(scratch.f != NULL, "/dev/null");
    Json *j = quiet ? &scratch : &jresp;
    vector_begin(j, name);
    kv_hex(j, "onion_secret_key", h->onion_key, KEY_SIZE);
    kv_hex(j, "packet", packet, len);
    vector_expected(j);
    if (error != NULL) {
        CHECK(sent == 0 && h->recv1_calls == 0, "%s: c-toxcore passed on a response meant to be dropped", name);
        kv_str(j, "error", error);
    } else if (expect_to == NULL) {
        CHECK(sent == 0 && h->recv1_calls == 1 && h->recv1_dest.ip.family.value == NET_FAMILY_TCP_CLIENT,
              "%s: the response did not reach the TCP client", name);
        memcpy(out, h->recv1_data, h->recv1_len);
        n = h->recv1_len;
        j_key(j, "next");
        j_open(j, '{');
        kv_str(j, "kind", "tcp-client");
        kv_u64(j, "connection_id", h->recv1_dest.ip.ip.v6.uint32[0]);
        kv_u64_text(j, "identifier", h->recv1_dest.ip.ip.v6.uint64[1]);
        j_close(j, '}');
        kv_hex(j, "forwarded", out, n);
    } else {
        const Sent_Packet *p = only_sent(h, name);
        CHECK(same_ip_port(&p->to, expect_to), "%s: passed on to the wrong address", name);
        memcpy(out, p->data, p->len);
        n = p->len;
        char host[64];
        format_ip_port(host, sizeof host, expect_to);
        j_key(j, "next");
        j_open(j, '{');
        kv_str(j, "kind", "udp");
        kv_str(j, "host", host);
        kv_u64(j, "port", ntohs(expect_to->port));
        j_close(j, '}');
        kv_hex(j, "forwarded", out, n);
    }
    vector_end(j);
    if (quiet) {
        fclose(scratch.f);
    }
    return n;
}

/* ---------------------------------------------------------------------------------------
 * A request through a path and a response back: build, three hops, the destination, back.
 * ------------------------------------------------------------------------------------ */

/* Builds `payload` for `dest` and walks it through the path's three hops; returns what hop 3
 * delivered (payload and return blob 3) in `out`. Vector names start with `name`. */
static size_t walk_request(const char *name, const Path *path, const IP_Port *dest, const uint8_t *payload, size_t len,
                           uint8_t *out)
{
    char n[200], label[240];
    uint8_t a[PACKET_CAP], b[PACKET_CAP];
    snprintf(n, sizeof n, "%s: 0x80 built by the originator", name);
    snprintf(label, sizeof label, "request-nonce/%s", name);
    size_t la = build_vector(n, path, label, dest, payload, len, false, a);
    snprintf(n, sizeof n, "%s: hop 1 forwards 0x81", name);
    size_t lb = hop_vector(n, path->hops[0], &path->origin->u.addr, a, la, NULL, &path->hops[1]->u.addr, b);
    snprintf(n, sizeof n, "%s: hop 2 forwards 0x82", name);
    la = hop_vector(n, path->hops[1], &path->hops[0]->u.addr, b, lb, NULL, &path->hops[2]->u.addr, a);
    snprintf(n, sizeof n, "%s: hop 3 sends the payload to the destination", name);
    lb = hop_vector(n, path->hops[2], &path->hops[1]->u.addr, a, la, NULL, dest, out);
    CHECK(lb == len + RETURN_3 && memcmp(out, payload, len) == 0, "%s: the payload did not arrive as sent", name);
    return lb;
}

/* Walks an onion response (0x8c, sent by the destination to hop 3) back through the hops of
 * `path` to `to`; returns what hop 1 sent `to` in `out`. */
static size_t walk_response(const char *name, const Path *path, const IP_Port *from, const IP_Port *to,
                            const uint8_t *packet, size_t len, uint8_t *out)
{
    char n[200];
    uint8_t a[PACKET_CAP], b[PACKET_CAP];
    snprintf(n, sizeof n, "%s: hop 3 passes 0x8d back", name);
    size_t la = response_vector(n, path->hops[2], from, packet, len, NULL, &path->hops[1]->u.addr, a);
    snprintf(n, sizeof n, "%s: hop 2 passes 0x8e back", name);
    size_t lb = response_vector(n, path->hops[1], &path->hops[2]->u.addr, a, la, NULL, &path->hops[0]->u.addr, b);
    snprintf(n, sizeof n, "%s: hop 1 passes the bare response back", name);
    la = response_vector(n, path->hops[0], &path->hops[1]->u.addr, b, lb, NULL, to, out);
    return la;
}

/* ---------------------------------------------------------------------------------------
 * onion-announce: requests built by c-toxcore, and an announce node answering them.
 * ------------------------------------------------------------------------------------ */

static Det_Rng scratch_rng;
static Random scratch_random = {&det_random_funcs, &scratch_rng};

/* create_announce_request with a scripted nonce; writes a request vector. */
static void announce_request(const char *name, const uint8_t *sender_sk, const uint8_t *node_pk,
                             const uint8_t *ping_id, const uint8_t *search_pk, const uint8_t *data_pk, uint64_t sendback,
                             uint8_t *out)
{
    uint8_t sender_pk[KEY_SIZE], nonce[NONCE_SIZE];
    derive_pk(sender_sk, sender_pk);
    onion_seeded_f(nonce, NONCE_SIZE, "announce-request-nonce/%s", name);
    rng_script(&scratch_rng, nonce, NONCE_SIZE);
    const int n = create_announce_request(&scratch_random, out, 177, node_pk, sender_pk, sender_sk, ping_id, search_pk,
                                          data_pk, sendback);
    CHECK(n == 177, "%s: create_announce_request", name);
    rng_expect_used(&scratch_rng, name);
    Json *j = &jann;
    vector_begin(j, name);
    kv_str(j, "kind", "request");
    kv_hex(j, "sender_secret_key", sender_sk, KEY_SIZE);
    kv_hex(j, "node_public_key", node_pk, KEY_SIZE);
    kv_hex(j, "nonce", nonce, NONCE_SIZE);
    kv_hex(j, "ping_id", ping_id, 32);
    kv_hex(j, "search_public_key", search_pk, KEY_SIZE);
    kv_hex(j, "data_public_key", data_pk, KEY_SIZE);
    kv_hex(j, "sendback", (const uint8_t *)&sendback, 8);
    vector_expected(j);
    kv_hex(j, "packet", out, 177);
    vector_end(j);
}

typedef struct Announce_Answer {
    uint8_t packet[PACKET_CAP]; /* the 0x8c the node sent */
    size_t len;
    uint8_t status;
    uint8_t ping_id_or_key[32];
    bool ping_id_accepted;
} Announce_Answer;

/* Delivers an announce request (with its return blob) to announce node `a` from `from`;
 * writes a node vector with c-toxcore's answer. `sender_sk` opens the answer. */
static bool announce_node_vector(const char *name, Node *a, const IP_Port *from, Arrival how, const uint8_t *packet,
                                 size_t len, const uint8_t *sender_sk, const char *error, Announce_Answer *ans)
{
    uint8_t rnonce[NONCE_SIZE];
    onion_seeded_f(rnonce, NONCE_SIZE, "announce/%s/response-nonce/%s", a->u.label, name);
    rng_script(&a->u.rng, rnonce, NONCE_SIZE);
    const int sent = deliver(a, from, how, packet, len);
    Json *j = &jann;
    vector_begin(j, name);
    kv_str(j, "kind", "node");
    kv_hex(j, "node_secret_key", a->u.sk, KEY_SIZE);
    kv_hex(j, "hmac_key", a->hmac_key, KEY_SIZE);
    kv_u64_text(j, "now", now_s());
    kv_addr(j, "from", from);
    kv_str(j, "socket", arrival_name(how));
    kv_hex(j, "response_nonce", rnonce, NONCE_SIZE);
    kv_hex(j, "sender_secret_key", sender_sk, KEY_SIZE);
    kv_hex(j, "packet", packet, len);
    vector_expected(j);
    if (error != NULL) {
        CHECK(sent == 0, "%s: the announce node answered a request meant to be dropped", name);
        a->u.rng.script_len = a->u.rng.script_pos = 0;
        kv_str(j, "error", error);
        vector_end(j);
        return false;
    }
    const Sent_Packet *p = only_sent(a, name);
    rng_expect_used(&a->u.rng, name);
    CHECK(same_ip_port(&p->to, from) && p->data[0] == 0x8c && p->len > 1 + RETURN_3 &&
          memcmp(p->data + 1, packet + len - RETURN_3, RETURN_3) == 0, "%s: not an onion response to the sender", name);
    memcpy(ans->packet, p->data, p->len);
    ans->len = p->len;
    const uint8_t *resp = p->data + 1 + RETURN_3;
    const size_t resp_len = p->len - 1 - RETURN_3;
    const bool new_format = packet[0] == 0x87;
    CHECK(resp[0] == (new_format ? 0x88 : 0x84) && memcmp(resp + 9, rnonce, NONCE_SIZE) == 0, "%s: response header", name);

    /* The request, opened as the node opened it. */
    uint8_t req_plain[104], k[KEY_SIZE];
    CHECK(encrypt_precompute(packet + 1 + NONCE_SIZE, a->u.sk, k) == 0 &&
          decrypt_data_symmetric(k, packet + 1, packet + 1 + NONCE_SIZE + KEY_SIZE, 104 + MAC_SIZE, req_plain) == 104,
          "%s: the request does not open", name);
    CHECK(memcmp(resp + 1, req_plain + 96, 8) == 0, "%s: the sendback is not echoed", name);

    /* The answer, opened as the sender opens it. */
    uint8_t plain[PACKET_CAP];
    const int pl = decrypt_data(a->u.pk, sender_sk, resp + 9, resp + 33, resp_len - 33, plain);
    CHECK(pl == (int)resp_len - 33 - MAC_SIZE && pl >= 33 + (new_format ? 1 : 0), "%s: the answer does not open", name);
    ans->status = plain[0];
    memcpy(ans->ping_id_or_key, plain + 1, 32);
    Node_format nodes[8];
    int count = 0;
    const size_t nodes_at = 33 + (new_format ? 1 : 0);
    if ((size_t)pl > nodes_at) {
        uint16_t used = 0;
        count = unpack_nodes(nodes, 8, &used, plain + nodes_at, (uint16_t)(pl - nodes_at), false);
        CHECK(count > 0 && used == pl - nodes_at, "%s: the answer's nodes do not unpack", name);
    }
    if (new_format) {
        CHECK(plain[33] == count, "%s: the node count is %u, not %d", name, plain[33], count);
    }

    /* Our reading of the ping id: the node's HMAC key over the window and (sender key, source). */
    uint8_t data[64], expect[32];
    ping_id_data(packet + 1 + NONCE_SIZE, from, how, data);
    generate_timed_auth(a->u.mono_time, 300, a->hmac_key, data, sizeof data, expect);
    if (ans->status != 1) {
        CHECK(memcmp(expect, ans->ping_id_or_key, 32) == 0, "%s: c-toxcore's ping id is not made from what we think", name);
    }
    ans->ping_id_accepted = check_timed_auth(a->u.mono_time, 300, a->hmac_key, data, sizeof data, req_plain);

    j_key(j, "request");
    j_open(j, '{');
    kv_str(j, "format", new_format ? "new" : "old");
    kv_hex(j, "sender_public_key", packet + 1 + NONCE_SIZE, KEY_SIZE);
    kv_hex(j, "ping_id", req_plain, 32);
    kv_hex(j, "search_public_key", req_plain + 32, KEY_SIZE);
    kv_hex(j, "data_public_key", req_plain + 64, KEY_SIZE);
    kv_hex(j, "sendback", req_plain + 96, 8);
    j_close(j, '}');
    kv_bool(j, "ping_id_accepted", ans->ping_id_accepted);
    j_key(j, "response");
    j_open(j, '{');
    kv_str(j, "format", new_format ? "new" : "old");
    kv_u64(j, "is_stored", ans->status);
    kv_hex(j, "ping_id_or_key", ans->ping_id_or_key, 32);
    emit_nodes(j, "nodes", nodes, count);
    j_close(j, '}');
    kv_addr(j, "to", from);
    kv_hex(j, "packet", ans->packet, ans->len);
    vector_end(j);
    return true;
}

/* Whether `pk` is among announce node `a`'s entries. */
static bool announce_has(Node *a, const uint8_t *pk)
{
    for (uint32_t i = 0; i < 160; ++i) {
        if (memcmp(onion_announce_entry_public_key(a->announce, i), pk, KEY_SIZE) == 0) {
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------
 * onion-data: data requests built by c-toxcore, the announce node passing them on, and the
 * friend's onion client taking (or not) what arrives.
 * ------------------------------------------------------------------------------------ */

/* What send_onion_data puts in a data request: [sender real key][box(real keys, nonce, payload)]. */
static size_t seal_inner(const uint8_t *sender_real_sk, const uint8_t *dest_real_pk, const uint8_t *nonce,
                         const uint8_t *payload, size_t len, uint8_t *out)
{
    derive_pk(sender_real_sk, out);
    const int n = encrypt_data(dest_real_pk, sender_real_sk, nonce, payload, len, out + KEY_SIZE);
    CHECK(n == (int)(len + MAC_SIZE), "encrypt_data");
    return KEY_SIZE + (size_t)n;
}

/* The expected half of an encode vector: the data inside and the packet around it. */
static void expect_data_and_packet(Json *j, const uint8_t *data, size_t data_len, const uint8_t *packet, size_t len)
{
    vector_expected(j);
    kv_hex(j, "data", data, data_len);
    kv_hex(j, "packet", packet, len);
    vector_end(j);
}

/* create_data_request with a scripted ephemeral key pair; writes a request vector. */
static size_t data_request(const char *name, const uint8_t *sender_real_sk, const uint8_t *dest_real_pk,
                           const uint8_t *dest_data_pk, const uint8_t *payload, size_t len, uint8_t *out)
{
    uint8_t nonce[NONCE_SIZE], eph_sk[KEY_SIZE], inner[PACKET_CAP];
    onion_seeded_f(nonce, NONCE_SIZE, "data-request/%s/nonce", name);
    onion_seeded_f(eph_sk, KEY_SIZE, "data-request/%s/ephemeral-secret-key", name);
    const size_t inner_len = seal_inner(sender_real_sk, dest_real_pk, nonce, payload, len, inner);
    rng_script(&sodium_rng, eph_sk, KEY_SIZE);
    const int n = create_data_request(&scratch_random, out, 1400, dest_real_pk, dest_data_pk, nonce, inner,
                                      (uint16_t)inner_len);
    CHECK(n > 0, "%s: create_data_request", name);
    rng_expect_used(&sodium_rng, name);
    Json *j = &jdata;
    vector_begin(j, name);
    kv_str(j, "kind", "request");
    kv_hex(j, "sender_real_secret_key", sender_real_sk, KEY_SIZE);
    kv_hex(j, "destination_real_public_key", dest_real_pk, KEY_SIZE);
    kv_hex(j, "destination_data_public_key", dest_data_pk, KEY_SIZE);
    kv_hex(j, "ephemeral_secret_key", eph_sk, KEY_SIZE);
    kv_hex(j, "nonce", nonce, NONCE_SIZE);
    kv_hex(j, "payload", payload, len);
    expect_data_and_packet(j, inner, inner_len, out, (size_t)n);
    return (size_t)n;
}

/* What an announce node stores for one announcement, as far as a data request needs. */
typedef struct Stored {
    uint8_t public_key[KEY_SIZE];
    uint8_t ret[RETURN_3];
    IP_Port ret_to;
} Stored;

/* Delivers a data request (with its return blob) to announce node `a`; writes a node vector. */
static size_t data_node_vector(const char *name, Node *a, const IP_Port *from, const uint8_t *packet, size_t len,
                               const Stored *stored, const char *error, uint8_t *out)
{
    const int sent = deliver(a, from, DUAL_STACK, packet, len);
    expect_nothing_drawn(&a->u.rng, name);
    Json *j = &jdata;
    vector_begin(j, name);
    kv_str(j, "kind", "node");
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "stored_public_key", stored->public_key, KEY_SIZE);
    kv_hex(j, "stored_return_path", stored->ret, RETURN_3);
    kv_addr(j, "stored_to", &stored->ret_to);
    vector_expected(j);
    size_t n = 0;
    if (error != NULL) {
        CHECK(sent == 0, "%s: the announce node passed on a request meant to be dropped", name);
        kv_str(j, "error", error);
    } else {
        const Sent_Packet *p = only_sent(a, name);
        CHECK(same_ip_port(&p->to, &stored->ret_to) && p->data[0] == 0x8c &&
              memcmp(p->data + 1, stored->ret, RETURN_3) == 0 && p->data[1 + RETURN_3] == 0x86,
              "%s: not a data response down the stored path", name);
        memcpy(out, p->data, p->len);
        n = p->len;
        kv_addr(j, "to", &p->to);
        kv_hex(j, "packet", out, n);
    }
    vector_end(j);
    return n;
}

/* The receiving client's state a verdict depends on. */
typedef struct Client_State {
    const uint8_t *friend_pk; /* its one friend */
    uint64_t last_no_replay;  /* the last no-replay number it took from that friend */
    uint8_t received[8][KEY_SIZE]; /* senders whose friend requests it took */
    int n_received;
} Client_State;

static void kv_client_state(Json *j, const Node *c, const Client_State *st, const uint8_t *nospam)
{
    kv_hex(j, "data_secret_key", c->data_sk, KEY_SIZE);
    kv_hex(j, "real_secret_key", c->real_sk, KEY_SIZE);
    kv_hex(j, "dht_secret_key", c->u.sk, KEY_SIZE);
    kv_hex(j, "nospam", nospam, 4);
    kv_hex(j, "friend_public_key", st->friend_pk, KEY_SIZE);
    kv_u64_text(j, "last_no_replay", st->last_no_replay);
    j_key(j, "received_requests");
    j_open(j, '[');
    for (int i = 0; i < st->n_received; ++i) {
        char hex[2 * KEY_SIZE + 1];
        sodium_bin2hex(hex, sizeof hex, st->received[i], KEY_SIZE);
        j_str(j, hex);
    }
    j_close(j, ']');
}

/* Writes what the client's callbacks heard, and updates its state. `kind` names the handler
 * the payload went to ("none": dropped before one). */
static void kv_client_verdict(Json *j, Node *c, Client_State *st, const char *kind, const char *name)
{
    bool accepted = false;
    if (strcmp(kind, "dhtpk") == 0) {
        CHECK(c->fr_calls == 0 && c->probe_calls == 0, "%s: another handler ran", name);
        accepted = c->dht_pk_calls == 1;
        kv_bool(j, "accepted", accepted);
        if (accepted) {
            kv_hex(j, "dht_public_key", c->heard_dht_pk, KEY_SIZE);
            emit_nodes(j, "relays", c->heard_relays, c->relay_calls);
            j_key(j, "getnodes_to");
            j_open(j, '[');
            for (int i = 0; i < c->u.fnet.n_sent; ++i) {
                CHECK(c->u.fnet.sent[i].data[0] == 0x02, "%s: the client sent a packet other than getnodes", name);
                char host[64];
                format_ip_port(host, sizeof host, &c->u.fnet.sent[i].to);
                j_open(j, '{');
                kv_str(j, "host", host);
                kv_u64(j, "port", ntohs(c->u.fnet.sent[i].to.port));
                j_close(j, '}');
            }
            j_close(j, ']');
        } else {
            CHECK(c->relay_calls == 0 && c->u.fnet.n_sent == 0, "%s: a refused announcement had effects", name);
        }
    } else if (strcmp(kind, "friend-request") == 0) {
        CHECK(c->dht_pk_calls == 0 && c->probe_calls == 0 && c->u.fnet.n_sent == 0, "%s: another handler ran", name);
        accepted = c->fr_calls == 1;
        kv_bool(j, "accepted", accepted);
        if (accepted) {
            kv_hex(j, "message", c->fr_message, c->fr_len);
            CHECK(st->n_received < 8, "too many requests");
            memcpy(st->received[st->n_received++], c->fr_from, KEY_SIZE);
        }
    } else if (strcmp(kind, "probe") == 0) {
        CHECK(c->dht_pk_calls == 0 && c->fr_calls == 0 && c->u.fnet.n_sent == 0, "%s: another handler ran", name);
        accepted = c->probe_calls == 1;
        kv_bool(j, "accepted", accepted);
        if (accepted) {
            kv_hex(j, "probe_data", c->probe_data, c->probe_len);
        }
    } else {
        CHECK(strcmp(kind, "none") == 0, "kind");
        CHECK(c->dht_pk_calls == 0 && c->fr_calls == 0 && c->probe_calls == 0 && c->u.fnet.n_sent == 0,
              "%s: a handler ran", name);
        kv_bool(j, "accepted", false);
    }
}

/* Delivers a bare data response (0x86) to client `c` from `from`; writes a client vector.
 * `error`: toxlink's code when c-toxcore drops it before any handler; otherwise `kind` is the
 * handler it reaches, and `no_replay` the number of a DHT key announcement in it. */
static void client_vector(const char *name, Node *c, Client_State *st, const uint8_t *nospam, const IP_Port *from,
                          const uint8_t *packet, size_t len, const char *error, const char *kind, uint64_t no_replay)
{
    deliver(c, from, DUAL_STACK, packet, len);
    Json *j = &jdata;
    vector_begin(j, name);
    kv_str(j, "kind", "client");
    kv_hex(j, "packet", packet, len);
    kv_client_state(j, c, st, nospam);
    vector_expected(j);
    if (error != NULL) {
        CHECK(c->dht_pk_calls == 0 && c->fr_calls == 0 && c->probe_calls == 0 && c->u.fnet.n_sent == 0,
              "%s: c-toxcore took a response meant to be dropped", name);
        kv_str(j, "error", error);
    } else {
        kv_str(j, "handler", kind);
        kv_client_verdict(j, c, st, kind, name);
        if (strcmp(kind, "dhtpk") == 0 && c->dht_pk_calls == 1) {
            st->last_no_replay = no_replay;
        }
    }
    vector_end(j);
}

/* A bare data response for client `c`, crafted with c-toxcore's encrypt_data: the outer box
 * sealed to `data_pk` (the client's, unless testing a wrong one) by an ephemeral key, the
 * inner box from `sender_real_sk` to `real_pk`. */
static size_t craft_data_response(const char *label, const uint8_t *data_pk, const uint8_t *real_pk,
                                  const uint8_t *sender_real_sk, const uint8_t *payload, size_t len, uint8_t *out)
{
    uint8_t nonce[NONCE_SIZE], eph_sk[KEY_SIZE], inner[PACKET_CAP];
    onion_seeded_f(nonce, NONCE_SIZE, "data-response/%s/nonce", label);
    onion_seeded_f(eph_sk, KEY_SIZE, "data-response/%s/ephemeral-secret-key", label);
    const size_t inner_len = seal_inner(sender_real_sk, real_pk, nonce, payload, len, inner);
    out[0] = 0x86;
    memcpy(out + 1, nonce, NONCE_SIZE);
    derive_pk(eph_sk, out + 1 + NONCE_SIZE);
    const int n = encrypt_data(data_pk, eph_sk, nonce, inner, inner_len, out + 1 + NONCE_SIZE + KEY_SIZE);
    CHECK(n == (int)(inner_len + MAC_SIZE), "encrypt_data");
    return 1 + NONCE_SIZE + KEY_SIZE + (size_t)n;
}

/* A DHT key announcement: [0x9c][no_replay BE][dht key][pack_nodes(nodes)]. */
static size_t dhtpk_payload(uint64_t no_replay, const uint8_t *dht_pk, const Node_format *nodes, int count, uint8_t *out)
{
    out[0] = 0x9c;
    for (int i = 0; i < 8; ++i) {
        out[1 + i] = (uint8_t)(no_replay >> (56 - 8 * i));
    }
    memcpy(out + 9, dht_pk, KEY_SIZE);
    int n = 0;
    if (count > 0) {
        n = pack_nodes(logger, out + 41, 512, nodes, (uint16_t)count);
        CHECK(n > 0, "pack_nodes");
    }
    return 41 + (size_t)n;
}

static Node_format node_at(const char *host, uint16_t port, bool tcp, const char *key_label)
{
    Node_format nf;
    memset(&nf, 0, sizeof nf);
    nf.ip_port = ip_port_of(host, port);
    if (tcp) {
        nf.ip_port.ip.family.value = nf.ip_port.ip.family.value == NET_FAMILY_IPV4 ? NET_FAMILY_TCP_IPV4 : NET_FAMILY_TCP_IPV6;
    }
    uint8_t sk[KEY_SIZE];
    onion_seeded(key_label, sk, KEY_SIZE);
    derive_pk(sk, nf.public_key);
    return nf;
}

/* ---------------------------------------------------------------------------------------
 * onion-dhtpk-routed: the DHT key announcement as a DHT request (0x20, request id 0x9c).
 * ------------------------------------------------------------------------------------ */

/* Seals `announcement` as send_dht_dhtpk does and wraps it with c-toxcore's create_request;
 * writes an encode vector. */
static size_t routed_encode(const char *name, const Node *from, const Node *to, const uint8_t *announcement,
                            size_t alen, uint8_t *packet)
{
    uint8_t nonce[NONCE_SIZE], rnonce[NONCE_SIZE], temp[PACKET_CAP];
    onion_seeded_f(nonce, NONCE_SIZE, "routed/%s/nonce", name);
    onion_seeded_f(rnonce, NONCE_SIZE, "routed/%s/request-nonce", name);
    memcpy(temp, from->real_pk, KEY_SIZE);
    memcpy(temp + KEY_SIZE, nonce, NONCE_SIZE);
    const int b = encrypt_data(to->real_pk, from->real_sk, nonce, announcement, alen, temp + KEY_SIZE + NONCE_SIZE);
    CHECK(b == (int)(alen + MAC_SIZE), "encrypt_data");
    const size_t tlen = KEY_SIZE + NONCE_SIZE + (size_t)b;
    rng_script(&scratch_rng, rnonce, NONCE_SIZE);
    const int n = create_request(&scratch_random, from->u.pk, from->u.sk, packet, to->u.pk, temp, (uint32_t)tlen, 0x9c);
    CHECK(n > 0, "%s: create_request", name);
    rng_expect_used(&scratch_rng, name);
    CHECK(memcmp(packet + 1 + 2 * KEY_SIZE, rnonce, NONCE_SIZE) == 0, "%s: request nonce", name);
    Json *j = &jrouted;
    vector_begin(j, name);
    kv_str(j, "kind", "encode");
    kv_hex(j, "sender_real_secret_key", from->real_sk, KEY_SIZE);
    kv_hex(j, "sender_dht_secret_key", from->u.sk, KEY_SIZE);
    kv_hex(j, "receiver_real_public_key", to->real_pk, KEY_SIZE);
    kv_hex(j, "receiver_dht_public_key", to->u.pk, KEY_SIZE);
    kv_hex(j, "nonce", nonce, NONCE_SIZE);
    kv_hex(j, "request_nonce", rnonce, NONCE_SIZE);
    kv_hex(j, "announcement", announcement, alen);
    expect_data_and_packet(j, temp, tlen, packet, (size_t)n);
    return (size_t)n;
}

/* Delivers a DHT request to client `c`; writes a decode vector with what its onion client did. */
static void routed_decode(const char *name, Node *c, Client_State *st, const IP_Port *from, const uint8_t *packet,
                          size_t len, uint64_t no_replay)
{
    deliver(c, from, DUAL_STACK, packet, len);
    Json *j = &jrouted;
    vector_begin(j, name);
    kv_str(j, "kind", "decode");
    kv_hex(j, "packet", packet, len);
    kv_hex(j, "receiver_dht_secret_key", c->u.sk, KEY_SIZE);
    kv_hex(j, "receiver_real_secret_key", c->real_sk, KEY_SIZE);
    kv_hex(j, "friend_public_key", st->friend_pk, KEY_SIZE);
    kv_u64_text(j, "last_no_replay", st->last_no_replay);
    vector_expected(j);
    kv_client_verdict(j, c, st, "dhtpk", name);
    if (c->dht_pk_calls == 1) {
        st->last_no_replay = no_replay;
    }
    vector_end(j);
}

/* ---------------------------------------------------------------------------------------
 * onion-ping-id: generate_timed_auth and check_timed_auth.
 * ------------------------------------------------------------------------------------ */

static Mono_Time *ping_clock;

static void ping_set(uint64_t now)
{
    clock_ms = now * 1000;
    mono_time_update(ping_clock);
    CHECK(mono_time_get(ping_clock) == now, "ping clock");
}

static void ping_generate(const char *name, const uint8_t *key, uint64_t now, uint16_t timeout, const uint8_t *data,
                          size_t len, uint8_t *auth)
{
    ping_set(now);
    generate_timed_auth(ping_clock, timeout, key, data, (uint16_t)len, auth);
    Json *j = &jping;
    vector_begin(j, name);
    kv_str(j, "kind", "generate");
    kv_hex(j, "key", key, 32);
    kv_u64_text(j, "now", now);
    kv_u64(j, "timeout", timeout);
    kv_hex(j, "data", data, len);
    vector_expected(j);
    kv_hex(j, "auth", auth, 32);
    vector_end(j);
}

static void ping_check(const char *name, const uint8_t *key, uint64_t now, uint16_t timeout, const uint8_t *data,
                       size_t len, const uint8_t *auth, bool expect)
{
    ping_set(now);
    const bool ok = check_timed_auth(ping_clock, timeout, key, data, (uint16_t)len, auth);
    CHECK(ok == expect, "%s: check_timed_auth says %d", name, ok);
    Json *j = &jping;
    vector_begin(j, name);
    kv_str(j, "kind", "check");
    kv_hex(j, "key", key, 32);
    kv_u64_text(j, "now", now);
    kv_u64(j, "timeout", timeout);
    kv_hex(j, "data", data, len);
    kv_hex(j, "auth", auth, 32);
    vector_expected(j);
    kv_bool(j, "valid", ok);
    vector_end(j);
}

static void gen_ping_id(void)
{
    ping_clock = mono_time_new(gen_time_ms, NULL);
    CHECK(ping_clock != NULL, "mono_time_new");
    ((Mono_Time_Head *)ping_clock)->base_time = 0;
    uint8_t key[32], key2[32], data[64], data2[64], auth[32], auth2[32], auth3[32];
    onion_seeded("ping-id/key", key, 32);
    onion_seeded("ping-id/other-key", key2, 32);
    onion_seeded("ping-id/data", data, 64);
    memcpy(data2, data, 64);
    data2[63] ^= 1;
    /* T0 = 1700000000 is 200 s into its 300-second window (5666666 × 300 = 1699999800). */
    ping_generate("300 s window, 64 bytes of data, at T0", key, T0, 300, data, 64, auth);
    ping_check("the same second", key, T0, 300, data, 64, auth, true);
    ping_check("99 s later, same window", key, T0 + 99, 300, data, 64, auth, true);
    ping_check("100 s later, next window", key, T0 + 100, 300, data, 64, auth, true);
    ping_check("399 s later, still the next window", key, T0 + 399, 300, data, 64, auth, true);
    ping_check("400 s later, two windows on: refused", key, T0 + 400, 300, data, 64, auth, false);
    ping_check("201 s earlier, the window before: refused", key, T0 - 201, 300, data, 64, auth, false);
    ping_check("other data: refused", key, T0, 300, data2, 64, auth, false);
    ping_check("other key: refused", key2, T0, 300, data, 64, auth, false);
    ping_generate("20 s window, no data", key, T0, 20, data, 0, auth2);
    ping_check("20 s window, 39 s later", key, T0 + 39, 20, data, 0, auth2, true);
    ping_check("20 s window, 40 s later: refused", key, T0 + 40, 20, data, 0, auth2, false);
    ping_check("a 20 s authenticator checked as a 300 s one: refused", key, T0, 300, data, 0, auth2, false);
    ping_generate("window 0 (5 s after the epoch)", key2, 5, 300, data, 32, auth3);
    ping_check("window 0, 299 s after the epoch", key2, 299, 300, data, 32, auth3, true);
    mono_time_free(ping_clock);
    clock_ms = T0 * 1000;
}

/* ---------------------------------------------------------------------------------------
 * The scenario: a client announces itself, a friend finds it and sends it onion data.
 * ------------------------------------------------------------------------------------ */

static Node *A_node;
static Node_format close_nodes[6];

/* (Re)fills the announce node's close list, so its answers carry nodes (they age out after
 * 122 s of the generator's clock). */
static void refresh_close_list(void)
{
    for (int i = 0; i < 6; ++i) {
        addto_lists(A_node->u.dht, &close_nodes[i].ip_port, close_nodes[i].public_key);
    }
}

/* An announce request from `sender_sk` built by c-toxcore, walked through `path` (without
 * vectors) and answered by the announce node (a node vector). */
static void announce_via(const char *name, const Path *path, const uint8_t *sender_sk, const uint8_t *ping_id,
                         const uint8_t *search_pk, const uint8_t *data_pk, uint64_t sendback, Announce_Answer *ans,
                         uint8_t *at_dest, size_t *at_len)
{
    uint8_t req[177], sender_pk[KEY_SIZE];
    derive_pk(sender_sk, sender_pk);
    uint8_t nonce[NONCE_SIZE];
    onion_seeded_f(nonce, NONCE_SIZE, "announce-request-nonce/%s", name);
    rng_script(&scratch_rng, nonce, NONCE_SIZE);
    CHECK(create_announce_request(&scratch_random, req, 177, A_node->u.pk, sender_pk, sender_sk, ping_id, search_pk,
                                  data_pk, sendback) == 177, "%s: create_announce_request", name);
    rng_expect_used(&scratch_rng, name);
    quiet = true;
    const size_t l = walk_request(name, path, &A_node->u.addr, req, 177, at_dest);
    quiet = false;
    *at_len = l;
    CHECK(announce_node_vector(name, A_node, &path->hops[2]->u.addr, DUAL_STACK, at_dest, l, sender_sk, NULL, ans),
          "%s: no answer", name);
}

/* Two announce requests, each followed by return blob `r3`, from the announcer whose key
 * is seeded from "WHO/real-secret-key", arriving at `a` from hop 3 at `from` (as
 * `how[round]`): round 0 with a zero ping id (answer in *first), round 1 with the ping id
 * that answer gave (answer in *second). Nonces: "announce-request-nonce/TAG-ROUND". */
static void announce_twice(Node *a, const char *who, const char *tag, const IP_Port *from, const Arrival how[2],
                           const char *const names[2], uint8_t sendback, const uint8_t *r3, uint8_t *at,
                           Announce_Answer *first, Announce_Answer *second)
{
    static const uint8_t zero[32] = {0};
    uint8_t sk[KEY_SIZE], pk[KEY_SIZE], req[177];
    onion_seeded_f(sk, KEY_SIZE, "%s/real-secret-key", who);
    derive_pk(sk, pk);
    for (int round = 0; round < 2; ++round) {
        uint8_t nonce[NONCE_SIZE];
        onion_seeded_f(nonce, NONCE_SIZE, "announce-request-nonce/%s-%d", tag, round);
        rng_script(&scratch_rng, nonce, NONCE_SIZE);
        CHECK(create_announce_request(&scratch_random, req, 177, a->u.pk, pk, sk, round == 0 ? zero : first->ping_id_or_key,
                                      pk, pk, (uint64_t)(sendback + round)) == 177,
              "create_announce_request");
        rng_expect_used(&scratch_rng, tag);
        memcpy(at, req, 177);
        memcpy(at + 177, r3, RETURN_3);
        CHECK(announce_node_vector(names[round], a, from, how[round], at, 354, sk, NULL, round == 0 ? first : second),
              "%s announce", tag);
    }
}

static void gen_scenario(void)
{
    static const uint8_t nospam_o[4] = {0xde, 0xad, 0xbe, 0xef};
    static const uint8_t nospam_f[4] = {0x12, 0x34, 0x56, 0x78};
    static const uint8_t zero[32] = {0};
    Node *O = node_new("originator", "198.51.100.10", 33445);
    node_add_client(O, nospam_o);
    Node *F = node_new("friend", "198.51.100.20", 33445);
    node_add_client(F, nospam_f);
    Node *H1 = node_new("hop1", "192.0.2.1", 33445);
    node_add_onion(H1);
    Node *H2 = node_new("hop2", "2001:db8::2", 33445);
    node_add_onion(H2);
    Node *H3 = node_new("hop3", "192.0.2.3", 33446);
    node_add_onion(H3);
    Node *A = node_new("announce", "203.0.113.4", 33445);
    node_add_announce(A);
    A_node = A;
    static const struct { const char *host; uint16_t port; } close_specs[6] = {
        {"198.51.100.31", 33445}, {"2001:db8:1::32", 33445}, {"203.0.113.33", 443},
        {"198.51.100.34", 3389}, {"2001:db8:2::35", 33446}, {"203.0.113.36", 33445},
    };
    for (int i = 0; i < 6; ++i) {
        char l[64];
        snprintf(l, sizeof l, "close-node/%d", i);
        close_nodes[i] = node_at(close_specs[i].host, close_specs[i].port, false, l);
    }
    refresh_close_list();

    Path po, pf;
    make_path(&po, O, H1, H2, H3, "originator");
    make_path(&pf, F, H1, H2, H3, "friend");

    uint8_t req[PACKET_CAP], at[PACKET_CAP], a[PACKET_CAP], b[PACKET_CAP];
    size_t l, lb;
    Announce_Answer ans, ans2;
    uint8_t o_ping[32], f_ping[32];

    /* ---- announcing, with every hop on the way there and back written out ---- */
    announce_request("self-announce: real key, zero ping id, own data key", O->real_sk, A->u.pk, zero, O->real_pk,
                     O->data_pk, UINT64_C(0x0102030405060708), req);
    l = walk_request("self-announce", &po, &A->u.addr, req, 177, at);
    CHECK(announce_node_vector("self-announce with a zero ping id: not stored, here is a ping id", A, &H3->u.addr,
                               DUAL_STACK, at, l, O->real_sk, NULL, &ans) && ans.status == 0 && !ans.ping_id_accepted,
          "first self-announce");
    memcpy(o_ping, ans.ping_id_or_key, 32);
    lb = walk_response("self-announce response", &po, &A->u.addr, &O->u.addr, ans.packet, ans.len, b);
    CHECK(lb == ans.len - 1 - RETURN_3 && memcmp(b, ans.packet + 1 + RETURN_3, lb) == 0, "the bare response differs");
    uint8_t first_response[PACKET_CAP];
    const size_t first_response_len = lb;
    memcpy(first_response, b, lb);

    announce_request("self-announce again, with the ping id", O->real_sk, A->u.pk, o_ping, O->real_pk, O->data_pk,
                     UINT64_C(0x1112131415161718), req);
    quiet = true;
    l = walk_request("self-announce again", &po, &A->u.addr, req, 177, at);
    quiet = false;
    CHECK(announce_node_vector("self-announce with the ping id over the same path: stored", A, &H3->u.addr, DUAL_STACK,
                               at, l, O->real_sk, NULL, &ans) && ans.status == 2 && ans.ping_id_accepted &&
          announce_has(A, O->real_pk), "second self-announce");

    /* The friend announces itself too; its announcement's return blob is where data for it goes. */
    announce_via("friend's self-announce, zero ping id", &pf, F->real_sk, zero, F->real_pk, F->data_pk, 0x21, &ans, at, &l);
    CHECK(ans.status == 0, "friend's first announce");
    memcpy(f_ping, ans.ping_id_or_key, 32);
    announce_via("friend's self-announce with its ping id: stored", &pf, F->real_sk, f_ping, F->real_pk, F->data_pk, 0x22,
                 &ans, at, &l);
    CHECK(ans.status == 2 && announce_has(A, F->real_pk), "friend's second announce");
    Stored f_stored;
    memcpy(f_stored.public_key, F->real_pk, KEY_SIZE);
    memcpy(f_stored.ret, at + 177, RETURN_3);
    f_stored.ret_to = H3->u.addr;

    /* Searching: a per-friend temporary key asks for the friend's real key. */
    uint8_t temp_sk[KEY_SIZE];
    onion_seeded("originator/temp-secret-key-for-friend", temp_sk, KEY_SIZE);
    announce_request("friend search: temporary key, zero ping id, zero data key", temp_sk, A->u.pk, zero, F->real_pk, zero,
                     UINT64_C(0x3132333435363738), req);
    announce_via("friend search: the friend is announced here, here is its data key", &po, temp_sk, zero, F->real_pk, zero,
                 0x31, &ans, at, &l);
    CHECK(ans.status == 1 && memcmp(ans.ping_id_or_key, F->data_pk, KEY_SIZE) == 0, "search");
    uint8_t stranger_sk[KEY_SIZE], stranger_pk[KEY_SIZE];
    onion_seeded("stranger/real-secret-key", stranger_sk, KEY_SIZE);
    derive_pk(stranger_sk, stranger_pk);
    announce_via("friend search for a key nobody announced: a ping id", &po, temp_sk, zero, stranger_pk, zero, 0x32, &ans, at,
                 &l);
    CHECK(ans.status == 0, "search for nobody");

    /* A ping id is bound to the address it was given to. */
    announce_via("a stranger's self-announce, zero ping id", &po, stranger_sk, zero, stranger_pk, O->data_pk, 0x41, &ans, at,
                 &l);
    {
        uint8_t req2[177];
        uint8_t nonce[NONCE_SIZE];
        onion_seeded("announce-request-nonce/stranger-elsewhere", nonce, NONCE_SIZE);
        rng_script(&scratch_rng, nonce, NONCE_SIZE);
        CHECK(create_announce_request(&scratch_random, req2, 177, A->u.pk, stranger_pk, stranger_sk, ans.ping_id_or_key,
                                      stranger_pk, O->data_pk, 0x42) == 177, "create_announce_request");
        rng_expect_used(&scratch_rng, "stranger elsewhere");
        memcpy(at, req2, 177);
        const IP_Port elsewhere = ip_port_of("192.0.2.99", 33445);
        CHECK(announce_node_vector("the stranger's ping id from another hop 3: refused, not stored", A, &elsewhere,
                                   DUAL_STACK, at, l, stranger_sk, NULL, &ans2) && ans2.status == 0 &&
              !ans2.ping_id_accepted && !announce_has(A, stranger_pk), "ping id elsewhere");
    }

    /* Ping ids for an IPv6 hop 3, and for an IPv4 one seen through an IPv4-only socket. */
    {
        uint8_t r3[RETURN_3];
        onion_seeded("ipv6-announcer/return-blob", r3, RETURN_3);
        static const Arrival v6_how[2] = {DUAL_STACK, DUAL_STACK};
        static const char *const v6_names[2] = {"from an IPv6 hop 3, zero ping id",
                                                "from an IPv6 hop 3, with its ping id: stored"};
        const IP_Port v6 = ip_port_of("2001:db8::33", 33445);
        announce_twice(A, "ipv6-announcer", "ipv6", &v6, v6_how, v6_names, 0x51, r3, at, &ans, &ans2);
        CHECK(ans2.status == 2 && ans2.ping_id_accepted, "ipv6 announce stored");

        static const Arrival v4_how[2] = {IPV4_SOCKET, DUAL_STACK};
        static const char *const v4_names[2] = {"through an IPv4-only socket, zero ping id",
                                                "the same ping id through the dual-stack socket: refused"};
        const IP_Port v4 = ip_port_of("192.0.2.77", 33445);
        announce_twice(A, "ipv4-socket-announcer", "ipv4-socket", &v4, v4_how, v4_names, 0x61, r3, at, &ans, &ans2);
        CHECK(ans2.status == 0 && !ans2.ping_id_accepted, "the remnant of the mapped address is authenticated");
    }

    /* Already stored: a zero ping id still says "stored" when the data key matches. */
    announce_via("stored already, zero ping id, same data key: stored (not refreshed)", &po, O->real_sk, zero, O->real_pk,
                 O->data_pk, 0x71, &ans, at, &l);
    CHECK(ans.status == 2 && !ans.ping_id_accepted, "stored, zero ping id");
    announce_via("stored already, zero ping id, another data key: not stored", &po, O->real_sk, zero, O->real_pk,
                 F->data_pk, 0x72, &ans, at, &l);
    CHECK(ans.status == 0, "stored, other data key");

    /* The new format: 0x87 is answered by a 0.2.18 node with 0x88 (a node count before the
     * nodes), but a 0.2.18 hop 3 does not forward it. */
    {
        uint8_t nonce[NONCE_SIZE], req2[177];
        onion_seeded("announce-request-nonce/new-format", nonce, NONCE_SIZE);
        rng_script(&scratch_rng, nonce, NONCE_SIZE);
        CHECK(create_announce_request(&scratch_random, req2, 177, A->u.pk, O->real_pk, O->real_sk, o_ping, O->real_pk,
                                      O->data_pk, 0x81) == 177, "create_announce_request");
        rng_expect_used(&scratch_rng, "new format");
        req2[0] = 0x87;
        memcpy(at, req2, 177);
        memcpy(at + 177, f_stored.ret, RETURN_3);
        CHECK(announce_node_vector("new format (0x87) straight to the node: answered with 0x88", A, &H3->u.addr, DUAL_STACK,
                                   at, 354, O->real_sk, NULL, &ans) && ans.status == 2, "new format");
        at[354] = 0;
        announce_node_vector("new format, 355 bytes (group-chat form): no handler in 0.2.18", A, &H3->u.addr, DUAL_STACK, at,
                             355, O->real_sk, "trailing-bytes", &ans);
        at[0] = 0x83;
        announce_node_vector("old format, 355 bytes", A, &H3->u.addr, DUAL_STACK, at, 355, O->real_sk, "trailing-bytes", &ans);
        announce_node_vector("old format, 353 bytes", A, &H3->u.addr, DUAL_STACK, at, 353, O->real_sk, "truncated", &ans);
        at[100] ^= 0x20;
        announce_node_vector("old format, box changed", A, &H3->u.addr, DUAL_STACK, at, 354, O->real_sk, "bad-mac", &ans);

        uint8_t p[PACKET_CAP];
        req2[0] = 0x87;
        quiet = true;
        size_t lp = build_vector("new-format through hops", &po, "request-nonce/new-format", &A->u.addr, req2, 177, false, p);
        lp = hop_vector("new-format hop 1", H1, &O->u.addr, p, lp, NULL, &H2->u.addr, a);
        lp = hop_vector("new-format hop 2", H2, &H1->u.addr, a, lp, NULL, &H3->u.addr, b);
        quiet = false;
        hop_vector("hop 3 drops a new-format announce request (0x87)", H3, &H2->u.addr, b, lp, "bad-value", NULL, a);
    }

    /* ---- onion data: the originator sends its friend a DHT key announcement and a friend request ---- */
    Client_State fs;
    memset(&fs, 0, sizeof fs);
    fs.friend_pk = O->real_pk;
    client_add_friend(F, O->real_pk);

    Node_format relays_and_nodes[4] = {
        node_at("198.51.100.41", 443, true, "originator/relay-0"),
        node_at("2001:db8:4::42", 3389, true, "originator/relay-1"),
        node_at("203.0.113.43", 33445, false, "originator/close-0"),
        node_at("2001:db8:4::44", 33445, false, "originator/close-1"),
    };
    uint8_t payload[PACKET_CAP], packet[PACKET_CAP];
    size_t pl = dhtpk_payload(T0, O->u.pk, relays_and_nodes, 3, payload);
    size_t rl = data_request("DHT key announcement for a friend: 2 relays, 1 DHT node", O->real_sk, F->real_pk, F->data_pk,
                             payload, pl, req);
    quiet = true;
    l = walk_request("data request", &po, &A->u.addr, req, rl, at);
    quiet = false;
    lb = data_node_vector("the announce node passes a data request down the stored path", A, &H3->u.addr, at, l, &f_stored,
                          NULL, packet);
    l = walk_response("data response", &pf, &A->u.addr, &F->u.addr, packet, lb, b);
    client_vector("a DHT key announcement from a friend: taken", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "dhtpk", T0);

    static const char hello[] = "Hi! This friend request came through the onion.";
    payload[0] = 0x20;
    memcpy(payload + 1, nospam_f, 4);
    memcpy(payload + 5, hello, sizeof hello - 1);
    pl = 5 + sizeof hello - 1;
    rl = data_request("friend request", O->real_sk, F->real_pk, F->data_pk, payload, pl, req);
    quiet = true;
    l = walk_request("friend request data", &po, &A->u.addr, req, rl, at);
    lb = data_node_vector("friend request to the announce node", A, &H3->u.addr, at, l, &f_stored, NULL, packet);
    l = walk_response("friend request response", &pf, &A->u.addr, &F->u.addr, packet, lb, b);
    quiet = false;
    client_vector("a friend request with the right nospam: taken", F, &fs, nospam_f, &H1->u.addr, b, l, NULL,
                  "friend-request", 0);

    /* The announce node's checks. */
    rl = data_request("a data request for a key nobody announced", O->real_sk, stranger_pk, F->data_pk, payload, pl, req);
    quiet = true;
    l = walk_request("data for nobody", &po, &A->u.addr, req, rl, at);
    quiet = false;
    data_node_vector("a data request for a key not announced here: dropped", A, &H3->u.addr, at, l, &f_stored,
                     "not-announced", packet);
    {
        uint8_t crafted[PACKET_CAP];
        crafted[0] = 0x85;
        memcpy(crafted + 1, F->real_pk, KEY_SIZE);
        onion_seeded("data-request/crafted-282", crafted + 1 + KEY_SIZE, 282 - 1 - KEY_SIZE);
        data_node_vector("a data request of 282 bytes (no data): dropped", A, &H3->u.addr, crafted, 282, &f_stored, "truncated",
                         packet);
        onion_seeded("data-request/crafted-283", crafted + 1 + KEY_SIZE, 283 - 1 - KEY_SIZE);
        data_node_vector("a data request of 283 bytes: passed on, unopened", A, &H3->u.addr, crafted, 283, &f_stored, NULL,
                         packet);
        onion_seeded("data-request/crafted-1400", crafted + 1 + KEY_SIZE, 1400 - 1 - KEY_SIZE);
        data_node_vector("a data request of 1400 bytes: passed on", A, &H3->u.addr, crafted, 1400, &f_stored, NULL, packet);
        onion_seeded("data-request/crafted-1401", crafted + 1 + KEY_SIZE, 1401 - 1 - KEY_SIZE);
        data_node_vector("a data request of 1401 bytes: dropped", A, &H3->u.addr, crafted, 1401, &f_stored, "trailing-bytes",
                         packet);
    }

    /* ---- what the friend's onion client takes ---- */
    uint8_t g_sk[KEY_SIZE], g_pk[KEY_SIZE];
    onion_seeded("second-requester/real-secret-key", g_sk, KEY_SIZE);
    derive_pk(g_sk, g_pk);
    memset(payload, 0xa5, sizeof payload);
    payload[0] = PROBE_ID;
    l = craft_data_response("probe-948", F->data_pk, F->real_pk, O->real_sk, payload, 948, b);
    CHECK(l == 1069, "948-byte payload");
    client_vector("a 948-byte payload (a 1069-byte response): taken", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "probe", 0);
    l = craft_data_response("probe-949", F->data_pk, F->real_pk, O->real_sk, payload, 949, b);
    client_vector("a 949-byte payload (a 1070-byte response): dropped", F, &fs, nospam_f, &H1->u.addr, b, l, "trailing-bytes",
                  NULL, 0);
    l = craft_data_response("probe-1", F->data_pk, F->real_pk, O->real_sk, payload, 1, b);
    client_vector("a 1-byte payload: taken", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "probe", 0);
    client_vector("a 121-byte response (no payload): dropped", F, &fs, nospam_f, &H1->u.addr, b, 121, "truncated", NULL, 0);
    l = craft_data_response("wrong-data-key", F->real_pk, F->real_pk, O->real_sk, payload, 20, b);
    client_vector("the outer box sealed to another key: dropped", F, &fs, nospam_f, &H1->u.addr, b, l, "bad-mac", NULL, 0);
    {
        /* The inner box claims the originator but was sealed by someone else. */
        uint8_t nonce[NONCE_SIZE], eph_sk[KEY_SIZE], inner[PACKET_CAP];
        onion_seeded("data-response/forged/nonce", nonce, NONCE_SIZE);
        onion_seeded("data-response/forged/ephemeral-secret-key", eph_sk, KEY_SIZE);
        const size_t il = seal_inner(g_sk, F->real_pk, nonce, payload, 20, inner);
        memcpy(inner, O->real_pk, KEY_SIZE);
        b[0] = 0x86;
        memcpy(b + 1, nonce, NONCE_SIZE);
        derive_pk(eph_sk, b + 1 + NONCE_SIZE);
        CHECK(encrypt_data(F->data_pk, eph_sk, nonce, inner, il, b + 57) == (int)(il + MAC_SIZE), "encrypt_data");
        client_vector("the inner box not sealed by the key it names: dropped", F, &fs, nospam_f, &H1->u.addr, b,
                      57 + il + MAC_SIZE, "bad-mac", NULL, 0);
    }
    payload[0] = 0x71;
    l = craft_data_response("no-handler", F->data_pk, F->real_pk, O->real_sk, payload, 10, b);
    client_vector("a payload id nobody handles (0x71): dropped", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "none", 0);

    /* DHT key announcements. */
    pl = dhtpk_payload(T0, O->u.pk, relays_and_nodes, 4, payload);
    l = craft_data_response("dhtpk-replay", F->data_pk, F->real_pk, O->real_sk, payload, pl, b);
    client_vector("a DHT key announcement with the last no-replay number again: refused", F, &fs, nospam_f, &H1->u.addr, b, l,
                  NULL, "dhtpk", T0);
    l = craft_data_response("dhtpk-4", F->data_pk, F->real_pk, O->real_sk, payload, dhtpk_payload(T0 + 1, O->u.pk,
                            relays_and_nodes, 4, payload), b);
    client_vector("2 relays and 2 DHT nodes: relays reported, DHT nodes asked for the friend", F, &fs, nospam_f, &H1->u.addr,
                  b, l, NULL, "dhtpk", T0 + 1);
    pl = dhtpk_payload(T0 + 2, O->u.pk, relays_and_nodes, 2, payload);
    payload[41 + 39] = 7; /* the second node's family */
    l = craft_data_response("dhtpk-bad-node", F->data_pk, F->real_pk, O->real_sk, payload, pl, b);
    client_vector("a node of family 7: the key is taken, no node is", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "dhtpk",
                  T0 + 2);
    {
        Node_format v6[4] = {
            node_at("2001:db8:5::1", 443, true, "originator/v6-0"), node_at("2001:db8:5::2", 443, true, "originator/v6-1"),
            node_at("2001:db8:5::3", 33445, false, "originator/v6-2"),
            node_at("2001:db8:5::4", 33445, false, "originator/v6-3"),
        };
        pl = dhtpk_payload(T0 + 3, O->u.pk, v6, 4, payload);
        CHECK(pl == 245, "4 IPv6 nodes");
        onion_seeded("dhtpk/trailing", payload + 245, 52);
        l = craft_data_response("dhtpk-297", F->data_pk, F->real_pk, O->real_sk, payload, 297, b);
        client_vector("297 bytes: 4 IPv6 nodes and 52 bytes after them, ignored", F, &fs, nospam_f, &H1->u.addr, b, l, NULL,
                      "dhtpk", T0 + 3);
        payload[1 + 7] = (uint8_t)(T0 + 4);
        l = craft_data_response("dhtpk-298", F->data_pk, F->real_pk, O->real_sk, payload, 298, b);
        client_vector("298 bytes: refused", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "dhtpk", T0 + 4);
    }
    pl = dhtpk_payload(T0 + 5, O->u.pk, relays_and_nodes, 0, payload);
    l = craft_data_response("dhtpk-40", F->data_pk, F->real_pk, O->real_sk, payload, 40, b);
    client_vector("40 bytes: refused", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "dhtpk", T0 + 5);
    l = craft_data_response("dhtpk-41", F->data_pk, F->real_pk, O->real_sk, payload, 41, b);
    client_vector("41 bytes, no nodes: taken", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "dhtpk", T0 + 5);
    pl = dhtpk_payload(T0 + 6, g_pk, relays_and_nodes, 0, payload);
    l = craft_data_response("dhtpk-stranger", F->data_pk, F->real_pk, g_sk, payload, pl, b);
    client_vector("from someone who is not a friend: refused", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "dhtpk", T0 + 6);

    /* Friend requests. */
    payload[0] = 0x20;
    memcpy(payload + 1, nospam_o, 4);
    memcpy(payload + 5, hello, sizeof hello - 1);
    l = craft_data_response("fr-wrong-nospam", F->data_pk, F->real_pk, g_sk, payload, 5 + sizeof hello - 1, b);
    client_vector("a friend request with another nospam: refused", F, &fs, nospam_f, &H1->u.addr, b, l, NULL,
                  "friend-request", 0);
    memcpy(payload + 1, nospam_f, 4);
    l = craft_data_response("fr-empty", F->data_pk, F->real_pk, g_sk, payload, 5, b);
    client_vector("a friend request with no message: refused", F, &fs, nospam_f, &H1->u.addr, b, l, NULL, "friend-request", 0);
    l = craft_data_response("fr-again", F->data_pk, F->real_pk, O->real_sk, payload, 5 + sizeof hello - 1, b);
    client_vector("a second friend request from the same key: refused", F, &fs, nospam_f, &H1->u.addr, b, l, NULL,
                  "friend-request", 0);
    payload[5] = 'x';
    l = craft_data_response("fr-1", F->data_pk, F->real_pk, g_sk, payload, 6, b);
    client_vector("a friend request with a 1-byte message: taken", F, &fs, nospam_f, &H1->u.addr, b, l, NULL,
                  "friend-request", 0);
    {
        uint8_t s_sk[KEY_SIZE];
        onion_seeded("third-requester/real-secret-key", s_sk, KEY_SIZE);
        for (int i = 0; i < 943; ++i) {
            payload[5 + i] = (uint8_t)('a' + i % 26);
        }
        l = craft_data_response("fr-943", F->data_pk, F->real_pk, s_sk, payload, 948, b);
        client_vector("a friend request with a 943-byte message (948-byte payload): taken", F, &fs, nospam_f, &H1->u.addr, b,
                      l, NULL, "friend-request", 0);
    }

    /* ---- the DHT-routed copy ---- */
    {
        uint8_t ann[PACKET_CAP], dht_packet[PACKET_CAP];
        size_t al = dhtpk_payload(T0 + 10, O->u.pk, relays_and_nodes, 4, ann);
        size_t dl = routed_encode("DHT key announcement with 2 relays and 2 DHT nodes", O, F, ann, al, dht_packet);
        routed_decode("from the friend's DHT key: taken", F, &fs, &O->u.addr, dht_packet, dl, T0 + 10);
        routed_decode("the same again: refused (no-replay)", F, &fs, &O->u.addr, dht_packet, dl, T0 + 10);
        al = dhtpk_payload(T0 + 11, O->u.pk, relays_and_nodes, 0, ann);
        ann[0] = 0x00;
        dl = routed_encode("first byte 0x00 instead of 0x9c", O, F, ann, al, dht_packet);
        routed_decode("first byte 0x00: taken all the same", F, &fs, &O->u.addr, dht_packet, dl, T0 + 11);
        al = dhtpk_payload(T0 + 12, F->u.pk, relays_and_nodes, 0, ann);
        dl = routed_encode("announcing a DHT key that is not the sender's", O, F, ann, al, dht_packet);
        routed_decode("a DHT key other than the request's sender: refused", F, &fs, &O->u.addr, dht_packet, dl, T0 + 12);
        Node_format v6[4] = {
            node_at("2001:db8:6::1", 443, true, "routed/v6-0"), node_at("2001:db8:6::2", 443, true, "routed/v6-1"),
            node_at("2001:db8:6::3", 33445, false, "routed/v6-2"), node_at("2001:db8:6::4", 33445, false, "routed/v6-3"),
        };
        al = dhtpk_payload(T0 + 13, O->u.pk, v6, 4, ann);
        onion_seeded("routed/trailing", ann + 245, 53);
        dl = routed_encode("297 bytes", O, F, ann, 297, dht_packet);
        routed_decode("297 bytes (369 routed): taken", F, &fs, &O->u.addr, dht_packet, dl, T0 + 13);
        ann[8] = (uint8_t)(T0 + 14);
        dl = routed_encode("298 bytes", O, F, ann, 298, dht_packet);
        routed_decode("298 bytes (370 routed): refused", F, &fs, &O->u.addr, dht_packet, dl, T0 + 14);
        al = dhtpk_payload(T0 + 15, O->u.pk, relays_and_nodes, 0, ann);
        dl = routed_encode("40 bytes", O, F, ann, 40, dht_packet);
        routed_decode("40 bytes (112 routed): refused", F, &fs, &O->u.addr, dht_packet, dl, T0 + 15);
        dl = routed_encode("41 bytes", O, F, ann, 41, dht_packet);
        dht_packet[dl - 1] ^= 1;
        routed_decode("the box changed: refused", F, &fs, &O->u.addr, dht_packet, dl, T0 + 15);
    }

    /* ---- hops: limits and checks ---- */
    {
        memset(payload, 0x83, sizeof payload);
        quiet = false;
        l = build_vector("the longest request: 1174-byte payload, 1400 bytes", &po, "request-nonce/longest", &A->u.addr,
                         payload, 1174, false, a);
        CHECK(l == 1400, "longest");
        lb = hop_vector("hop 1 forwards a 1400-byte request (1392 bytes)", H1, &O->u.addr, a, l, NULL, &H2->u.addr, b);
        l = hop_vector("hop 2 forwards it (1384 bytes)", H2, &H1->u.addr, b, lb, NULL, &H3->u.addr, at);
        hop_vector("hop 3 delivers it (1351 bytes)", H3, &H2->u.addr, at, l, NULL, &A->u.addr, b);
        a[1400] = 0;
        hop_vector("a 1401-byte 0x80: dropped", H1, &O->u.addr, a, 1401, "trailing-bytes", NULL, b);

        l = build_vector("the shortest request: 1-byte payload, 227 bytes", &po, "request-nonce/shortest", &A->u.addr,
                         payload, 1, false, a);
        CHECK(l == 227, "shortest");
        hop_vector("hop 1 forwards a 227-byte request", H1, &O->u.addr, a, l, NULL, &H2->u.addr, b);
        hop_vector("a 226-byte 0x80: dropped", H1, &O->u.addr, a, 226, "truncated", NULL, b);
        a[100] ^= 1;
        hop_vector("a 0x80 whose box was changed: dropped", H1, &O->u.addr, a, l, "bad-mac", NULL, b);

        /* Layers crafted with c-toxcore's encrypt_data_symmetric, to probe the address checks. */
        uint8_t plain[PACKET_CAP], nonce[NONCE_SIZE];
        onion_seeded("crafted/nonce", nonce, NONCE_SIZE);
        onion_seeded("crafted/plain", plain, 300);
        plain[0] = 2; /* IPv4, with garbage in the 12 address bytes after the first 4 */
        memcpy(plain + 1, H2->u.addr.ip.ip.v4.uint8, 4);
        const IP_Port h2v4 = ip_port_of("192.0.2.2", 33445);
        memcpy(plain + 1, h2v4.ip.ip.v4.uint8, 4);
        memcpy(plain + 17, &h2v4.port, 2);
        a[0] = 0x80;
        memcpy(a + 1, nonce, NONCE_SIZE);
        memcpy(a + 25, O->u.pk, KEY_SIZE);
        uint8_t k1[KEY_SIZE];
        CHECK(encrypt_precompute(H1->u.pk, O->u.sk, k1) == 0, "encrypt_precompute");
        CHECK(encrypt_data_symmetric(k1, nonce, plain, 200, a + 57) == 216, "encrypt_data_symmetric");
        hop_vector("an IPv4 next hop with junk after its 4 address bytes: forwarded, junk ignored", H1, &O->u.addr, a, 273,
                   NULL, &h2v4, b);
        plain[0] = 130;
        CHECK(encrypt_data_symmetric(k1, nonce, plain, 200, a + 57) == 216, "encrypt_data_symmetric");
        hop_vector("a next hop of family 130 (TCP): dropped", H1, &O->u.addr, a, 273, "bad-family", NULL, b);
        plain[0] = 11;
        CHECK(encrypt_data_symmetric(k1, nonce, plain, 200, a + 57) == 216, "encrypt_data_symmetric");
        hop_vector("a next hop of family 11: dropped", H1, &O->u.addr, a, 273, "bad-family", NULL, b);

        /* Hop 3 looks at the payload's first byte before the address. */
        payload[0] = 0x84;
        quiet = true;
        l = build_vector("0x84 payload", &po, "request-nonce/0x84", &A->u.addr, payload, 100, false, a);
        lb = hop_vector("0x84 hop 1", H1, &O->u.addr, a, l, NULL, &H2->u.addr, b);
        l = hop_vector("0x84 hop 2", H2, &H1->u.addr, b, lb, NULL, &H3->u.addr, at);
        quiet = false;
        hop_vector("hop 3 drops a payload starting 0x84", H3, &H2->u.addr, at, l, "bad-value", NULL, b);
        payload[0] = 0x85;
        quiet = true;
        l = build_vector("0x85 payload", &po, "request-nonce/0x85", &A->u.addr, payload, 100, false, a);
        lb = hop_vector("0x85 hop 1", H1, &O->u.addr, a, l, NULL, &H2->u.addr, b);
        quiet = false;
        l = hop_vector("hop 2 forwards a request for a data payload", H2, &H1->u.addr, b, lb, NULL, &H3->u.addr, at);
        hop_vector("hop 3 delivers a payload starting 0x85", H3, &H2->u.addr, at, l, NULL, &A->u.addr, b);
        at[l - 5] ^= 4; /* in hop 2's return blob: not hop 3's business */
        hop_vector("hop 3 forwards whatever return blob hop 2 appended", H3, &H2->u.addr, at, l, NULL, &A->u.addr, b);
        hop_vector("a 0x82 of 210 bytes: dropped", H3, &H2->u.addr, at, 210, "truncated", NULL, b);

        /* The TCP form, and a relay acting as hop 1 for a TCP client. */
        payload[0] = 0x83;
        uint8_t body[PACKET_CAP];
        l = build_vector("TCP form of an announce request", &po, "request-nonce/tcp", &A->u.addr, req, 177, true, body);
        lb = tcp_hop_vector("a relay forwards a TCP client's request", H1, 5, UINT64_C(0x0123456789abcdef), body, l, NULL,
                            &H2->u.addr, b);
        uint8_t resp[PACKET_CAP];
        resp[0] = 0x8e;
        memcpy(resp + 1, b + lb - RETURN_1, RETURN_1);
        memcpy(resp + 1 + RETURN_1, first_response, first_response_len);
        response_vector("hop 1 passes a response to its TCP client", H1, &H2->u.addr, resp, 1 + RETURN_1 + first_response_len,
                        NULL, NULL, a);
        tcp_hop_vector("a TCP request of 177 bytes: dropped", H1, 5, 1, body, 177, "truncated", NULL, b);
        l = build_vector("TCP form, shortest", &po, "request-nonce/tcp-short", &A->u.addr, payload, 1, true, body);
        CHECK(l == 178, "shortest TCP body");
        tcp_hop_vector("a TCP request of 178 bytes: forwarded", H1, 6, 2, body, l, NULL, &H2->u.addr, b);
    }

    /* ---- responses: limits and checks ---- */
    {
        quiet = true;
        announce_request("for responses", O->real_sk, A->u.pk, zero, O->real_pk, O->data_pk, 0x91, req);
        l = walk_request("for responses", &po, &A->u.addr, req, 177, at);
        quiet = false;
        CHECK(announce_node_vector("self-announce for the response checks", A, &H3->u.addr, DUAL_STACK, at, l, O->real_sk, NULL,
                                   &ans), "answer");
        uint8_t resp[PACKET_CAP];
        memcpy(resp, ans.packet, ans.len);
        resp[1 + RETURN_3] = 0x88;
        response_vector("hop 3 drops a 0x88 response", H3, &A->u.addr, resp, ans.len, "bad-value", NULL, a);
        resp[1 + RETURN_3] = 0x84;
        resp[40] ^= 1;
        response_vector("hop 3 drops a response whose return blob was changed", H3, &A->u.addr, resp, ans.len, "bad-mac", NULL,
                        a);
        response_vector("hop 3 drops a 178-byte response (nothing after the blob)", H3, &A->u.addr, ans.packet, 178,
                        "truncated", NULL, a);
        memcpy(resp, ans.packet, 1 + RETURN_3);
        resp[1 + RETURN_3] = 0x86;
        onion_seeded("response/long", resp + 2 + RETURN_3, 1400);
        response_vector("hop 3 passes a 1400-byte response back", H3, &A->u.addr, resp, 1400, NULL, &H2->u.addr, a);
        response_vector("hop 3 drops a 1401-byte response", H3, &A->u.addr, resp, 1401, "trailing-bytes", NULL, a);
        l = response_vector("hop 3 passes a 179-byte response back", H3, &A->u.addr, resp, 179, NULL, &H2->u.addr, a);
        l = response_vector("hop 2 passes it back", H2, &H3->u.addr, a, l, NULL, &H1->u.addr, b);
        response_vector("hop 1 passes the 1-byte response back", H1, &H2->u.addr, b, l, NULL, &O->u.addr, a);
        response_vector("a 0x8e for another hop 1: dropped", H2, &H3->u.addr, b, l, "bad-mac", NULL, a);
    }

    /* ---- time: ping ids last one or two windows, announcements 300 s ---- */
    set_clock((T0 + 300) * 1000);
    refresh_close_list();
    announce_via("300 s later, the first ping id: still valid, stored again", &po, O->real_sk, o_ping, O->real_pk,
                 O->data_pk, 0xa1, &ans, at, &l);
    CHECK(ans.status == 2 && ans.ping_id_accepted, "300 s");
    announce_via("300 s later, searching for the friend announced at T0: gone", &po, temp_sk, zero, F->real_pk, zero, 0xa2,
                 &ans, at, &l);
    CHECK(ans.status == 0, "expired friend");
    set_clock((T0 + 600) * 1000);
    refresh_close_list();
    announce_via("600 s later, the first ping id: refused, and the announcement expired", &po, O->real_sk, o_ping,
                 O->real_pk, O->data_pk, 0xa3, &ans, at, &l);
    CHECK(ans.status == 0 && !ans.ping_id_accepted, "600 s");

    node_free(O);
    node_free(F);
    node_free(H1);
    node_free(H2);
    node_free(H3);
    node_free(A);
}

/* --------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    gen_start(argc, argv, "gen-onion");
    sodium_rng_install("toxlink/onion/libsodium-global-random");
    CHECK(sodium_init() >= 0, "sodium_init failed");
    onion_seeded("scratch-random", scratch_rng.seed, sizeof scratch_rng.seed);
    logger = logger_new();
    CHECK(logger != NULL, "logger_new failed");

    suite_begin(&jreq, "onion-request",
                "Onion requests. 'build' vectors: the 0x80 packet an originator sends hop 1 (create_onion_packet), "
                "or with 'build-tcp' the body of a TCP relay onion request (create_onion_packet_tcp), from the "
                "originator's DHT secret key, the three nodes, the fresh secret keys for hops 2 and 3, the nonce, the "
                "destination and the payload. 'hop' vectors: what an onion hop (a real c-toxcore Onion) sends on for "
                "a request it receives from 'from', with its DHT secret key, its secret symmetric key and the nonce "
                "of the return blob it appends; or the error when it drops it. 'tcp-hop' vectors: a relay acting as "
                "hop 1 for one of its TCP clients (onion_send_1 with the client as source).",
                SOURCE_GEN "Verdicts are c-toxcore's: forwarded (and where) or dropped. Error codes are toxlink's "
                "DecodeError codes, or bad-mac when the hop's box does not open.");
    suite_begin(&jresp, "onion-response",
                "Onion responses (0x8c, 0x8d, 0x8e) passed back by a hop with its secret symmetric key: the next "
                "address (udp, or the hop's own TCP client) and the packet passed on, or the error when the hop "
                "drops it.",
                SOURCE_GEN "The responses are those c-toxcore's announce node sent, walked back through c-toxcore "
                "hops, plus crafted ones; every verdict is c-toxcore's.");
    suite_begin(&jann, "onion-announce",
                "Announce requests and responses. 'request' vectors: a 177-byte announce request "
                "(create_announce_request). 'node' vectors: what a c-toxcore announce node (Onion_Announce) answers "
                "a request arriving (with hop 3's return blob) from 'from' at time 'now', with its DHT secret key, "
                "HMAC key and response nonce: the request's fields, whether its ping id was valid, the response's "
                "fields (opened with the sender's key) and the 0x8c packet sent back; or the error when it answers "
                "nothing. Vectors are in the order the node saw them: its store of announcements changes.",
                SOURCE_GEN "Every ping id c-toxcore handed out was also recomputed by the generator from the HMAC "
                "key, the window and (sender key, source address as c-toxcore holds it in memory).");
    suite_begin(&jdata, "onion-data",
                "Onion data. 'request' vectors: a data request (create_data_request) around the sender's real key "
                "and inner box (as send_onion_data seals it). 'node' vectors: an announce node passing a data "
                "request down an announcer's stored return path (or dropping it). 'client' vectors: what a c-toxcore "
                "onion client does with a bare data response (0x86), given its keys, nospam, its one friend and what "
                "it took before: the handler the payload reached and whether it was taken, with what it reported; "
                "or the error when it drops the packet before any handler.",
                SOURCE_GEN "The client is a real Onion_Client with friend connections and friend requests; its "
                "verdicts are what its callbacks saw. Payload id 0x70 is a handler the generator registers to see "
                "what arrives.");
    suite_begin(&jrouted, "onion-dhtpk-routed",
                "The DHT key announcement sent through the DHT: a DHT request (0x20) with request id 0x9c whose "
                "payload is [sender real key][nonce][box(real keys, announcement)]. 'encode' vectors: built as "
                "send_dht_dhtpk does, wrapped by create_request. 'decode' vectors: whether a c-toxcore onion client "
                "takes it (and what it reports), given its keys, its one friend and the last no-replay number it took.",
                SOURCE_GEN);
    suite_begin(&jping, "onion-ping-id",
                "Timed authenticators (timed_auth.c), from which announce ping ids are made: HMAC-SHA-512-256 under "
                "'key' of the window number floor(now / timeout) as a little-endian u64, then 'data'. 'generate' "
                "vectors give the authenticator; 'check' vectors whether check_timed_auth accepts one at 'now' "
                "(current or previous window).",
                SOURCE_GEN "generate_timed_auth and check_timed_auth with the generator's clock.");

    gen_ping_id();
    gen_scenario();

    const int n_req = suite_end(&jreq), n_resp = suite_end(&jresp), n_ann = suite_end(&jann);
    const int n_data = suite_end(&jdata), n_routed = suite_end(&jrouted), n_ping = suite_end(&jping);
    logger_kill(logger);
    printf("onion-request.json       %d vectors\n", n_req);
    printf("onion-response.json      %d vectors\n", n_resp);
    printf("onion-announce.json      %d vectors\n", n_ann);
    printf("onion-data.json          %d vectors\n", n_data);
    printf("onion-dhtpk-routed.json  %d vectors\n", n_routed);
    printf("onion-ping-id.json       %d vectors\n", n_ping);
    return 0;
}
