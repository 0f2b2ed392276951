/*
 * toxlink known-answer vectors for the TCP relay, asked of c-toxcore 0.2.18 itself.
 *
 *   usage: gen-relay OUTPUT_DIR
 *
 * Writes relay-handshake.json, relay-frame.json, relay-packet.json and relay-verdict.json
 * in the layout of test/vectors/README.md (format 1). A real c-toxcore relay (new_TCP_server)
 * and real c-toxcore relay clients (new_TCP_connection) run on a fake Network: the socket
 * calls c-toxcore makes are answered by this file, which carries the bytes between them in
 * memory, records every byte each side writes, and lets the generator play either side by
 * hand to see what c-toxcore does with bytes it would not have sent itself. No byte leaves
 * the process.
 *
 * Everything the two sides draw at random is scripted: nonces and ping ids come from a
 * Random of ours (a queue of seeded bytes), temporary key pairs from libsodium's global
 * random source, which we replace (randombytes_set_implementation) with the same kind of
 * queue. The clock is ours too. A re-run writes byte-identical files.
 *
 * This is our own code. c-toxcore's internal headers are not installed, so the few
 * internal functions and structs used are declared from a reading of the v0.2.18 sources:
 * those the generators share (network.h, crypto_core.h, mono_time.h, TCP_client.h's
 * TCP_Proxy_Info) in toxcore-internal.h, the relay's own (TCP_server.h, TCP_client.h)
 * below; their layouts are pinned with static assertions, and the generator refuses any
 * other version. Its fake network is its own (in-memory TCP, below), not fake-net.c's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tox/tox.h>

#include "gen-common.h"
#include "toxcore-internal.h"

/* ---------------------------------------------------------------------------------------
 * c-toxcore 0.2.18 internals only this generator uses, declared by us.
 * ------------------------------------------------------------------------------------ */

/* TCP_server.h */
typedef struct TCP_Server TCP_Server;
TCP_Server *new_TCP_server(const Logger *logger, const Random *rng, const Network *ns, bool ipv6_enabled,
                           uint16_t num_sockets, const uint16_t *ports, const uint8_t *secret_key, void *onion,
                           void *forwarding);
void do_TCP_server(TCP_Server *tcp_server, const Mono_Time *mono_time);
void kill_TCP_server(TCP_Server *tcp_server);

/* TCP_client.h */
enum { TCP_CLIENT_CONFIRMED = 6, TCP_CLIENT_DISCONNECTED = 7 };
typedef struct TCP_Client_Connection TCP_Client_Connection;
TCP_Client_Connection *new_TCP_connection(const Logger *logger, const Mono_Time *mono_time, const Random *rng,
                                          const Network *ns, const IP_Port *ip_port, const uint8_t *public_key,
                                          const uint8_t *self_public_key, const uint8_t *self_secret_key,
                                          const TCP_Proxy_Info *proxy_info);
void do_TCP_connection(const Logger *logger, const Mono_Time *mono_time, TCP_Client_Connection *tcp_connection,
                       void *userdata);
void kill_TCP_connection(TCP_Client_Connection *tcp_connection);
int tcp_con_status(const TCP_Client_Connection *con);
int send_routing_request(const Logger *logger, TCP_Client_Connection *con, const uint8_t *public_key);
int send_data(const Logger *logger, TCP_Client_Connection *con, uint8_t con_id, const uint8_t *data, uint16_t length);
int send_oob_packet(const Logger *logger, TCP_Client_Connection *con, const uint8_t *public_key, const uint8_t *data,
                    uint16_t length);
int send_disconnect_request(const Logger *logger, TCP_Client_Connection *con, uint8_t con_id);
int send_onion_request(const Logger *logger, TCP_Client_Connection *con, const uint8_t *data, uint16_t length);
typedef int tcp_routing_response_cb(void *object, uint8_t connection_id, const uint8_t *public_key);
typedef int tcp_routing_status_cb(void *object, uint32_t number, uint8_t connection_id, uint8_t status);
typedef int tcp_routing_data_cb(void *object, uint32_t number, uint8_t connection_id, const uint8_t *data,
                                uint16_t length, void *userdata);
typedef int tcp_oob_data_cb(void *object, const uint8_t *public_key, const uint8_t *data, uint16_t length,
                            void *userdata);
typedef int tcp_onion_response_cb(void *object, const uint8_t *data, uint16_t length, void *userdata);
void routing_response_handler(TCP_Client_Connection *con, tcp_routing_response_cb *cb, void *object);
void routing_status_handler(TCP_Client_Connection *con, tcp_routing_status_cb *cb, void *object);
void routing_data_handler(TCP_Client_Connection *con, tcp_routing_data_cb *cb, void *object);
void oob_data_handler(TCP_Client_Connection *con, tcp_oob_data_cb *cb, void *object);
void onion_response_handler(TCP_Client_Connection *con, tcp_onion_response_cb *cb, void *object);

/* ---------------------------------------------------------------------------------------
 * Helpers.
 * ------------------------------------------------------------------------------------ */

#define KEY KEY_SIZE
#define NONCE NONCE_SIZE
#define MAC MAC_SIZE

/* A queue of scripted bytes, then a seeded stream: what both random sources hand out. */
typedef struct Script {
    const char *name;
    uint8_t queue[512];
    size_t len, pos;
    uint64_t fallback_count;
} Script;

static void script_take(Script *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        if (s->pos < s->len) {
            out[i] = s->queue[s->pos++];
        } else {
            char label[96];
            snprintf(label, sizeof label, "toxlink/relay/%s-unscripted/%llu", s->name,
                     (unsigned long long)s->fallback_count++);
            seeded(label, out + i, 1);
        }
    }
}

/* Appends the seeded bytes of `label` to the queue and copies them to `out`. */
static void script_push(Script *s, const char *label, uint8_t *out, size_t n)
{
    if (s->pos == s->len) {
        s->pos = s->len = 0;
    }
    CHECK(s->len + n <= sizeof s->queue, "%s script full", s->name);
    seeded(label, s->queue + s->len, n);
    memcpy(out, s->queue + s->len, n);
    s->len += n;
}

static void script_expect_used(const Script *s, const char *what)
{
    CHECK(s->pos == s->len, "%s: %zu of %zu scripted %s bytes drawn", what, s->pos, s->len, s->name);
}

static Script random_script = {.name = "random"};
static Script sodium_script = {.name = "libsodium"};

static void rng_bytes(void *obj, uint8_t *bytes, size_t length)
{
    UNUSED(obj);
    script_take(&random_script, bytes, length);
}

static uint32_t rng_uniform(void *obj, uint32_t upper_bound)
{
    UNUSED(obj);
    uint8_t b[4];
    script_take(&random_script, b, 4);
    const uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return upper_bound == 0 ? 0 : v % upper_bound;
}

static const Random_Funcs rng_funcs = {rng_bytes, rng_uniform};
static const Random rng = {&rng_funcs, NULL};

static const char *sodium_name(void)
{
    return "toxlink-gen-relay";
}
static uint32_t sodium_random(void)
{
    uint8_t b[4];
    script_take(&sodium_script, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static void sodium_stir(void)
{
}
static uint32_t sodium_uniform(const uint32_t upper_bound)
{
    return upper_bound == 0 ? 0 : sodium_random() % upper_bound;
}
static void sodium_buf(void *const buf, const size_t size)
{
    script_take(&sodium_script, (uint8_t *)buf, size);
}
static int sodium_close(void)
{
    return 0;
}
static randombytes_implementation sodium_impl = {sodium_name, sodium_random, sodium_stir, sodium_uniform, sodium_buf,
                                                 sodium_close};

/* The clock, in milliseconds. c-toxcore sees whole seconds. */
static uint64_t clock_ms = 1000000;
static Mono_Time *mono;

static uint64_t clock_cb(void *user_data)
{
    UNUSED(user_data);
    return clock_ms;
}

static void advance(uint64_t ms)
{
    clock_ms += ms;
    mono_time_update(mono);
}

static Logger *logger;

/* ---------------------------------------------------------------------------------------
 * The fake network: in-memory TCP.
 *
 * Every socket c-toxcore asks for is a real UDP socket (so its number is a real file
 * descriptor, and the connect() that new_TCP_connection makes outside the table succeeds
 * without a packet), but every byte goes through the table: send() appends to the peer's
 * inbox, recv() and the FIONREAD-like recvbuf() read our own. accept() hands the listening
 * socket the client sockets queued for it. close() marks the socket closed: that is how
 * the generator sees the relay drop a connection.
 * ------------------------------------------------------------------------------------ */

#define MAX_SOCKS 256
#define INBOX 65536

typedef struct Sock {
    int fd;
    bool used, closed, by_toxcore; /* by_toxcore: created through the table */
    int peer;                      /* index of the other end, or -1 */
    uint8_t in[INBOX];
    size_t in_len;
    /* Everything this end wrote, for the vectors. */
    uint8_t out[INBOX];
    size_t out_len;
} Sock;

static Sock socks[MAX_SOCKS];
static int n_socks;
static int listen_sock = -1;
static int last_created = -1;
static int accept_queue[MAX_SOCKS];
static int accept_head, accept_tail;

static int sock_new(bool by_toxcore)
{
    CHECK(n_socks < MAX_SOCKS, "too many sockets");
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(fd >= 0, "socket: %s", strerror(errno));
    Sock *s = &socks[n_socks];
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->used = true;
    s->by_toxcore = by_toxcore;
    s->peer = -1;
    return n_socks++;
}

static int sock_of(int fd)
{
    for (int i = 0; i < n_socks; ++i) {
        if (socks[i].used && socks[i].fd == fd) {
            return i;
        }
    }
    die("unknown socket %d", fd);
    return -1;
}

static void sock_write(int from, const uint8_t *buf, size_t len)
{
    Sock *s = &socks[from];
    CHECK(s->out_len + len <= INBOX, "socket log full");
    memcpy(s->out + s->out_len, buf, len);
    s->out_len += len;
    if (s->peer >= 0 && !socks[s->peer].closed) {
        Sock *p = &socks[s->peer];
        CHECK(p->in_len + len <= INBOX, "inbox full");
        memcpy(p->in + p->in_len, buf, len);
        p->in_len += len;
    }
}

static size_t sock_read(int at, uint8_t *buf, size_t len)
{
    Sock *s = &socks[at];
    const size_t n = len < s->in_len ? len : s->in_len;
    memcpy(buf, s->in, n);
    memmove(s->in, s->in + n, s->in_len - n);
    s->in_len -= n;
    return n;
}

static int f_close(void *obj, int sock)
{
    UNUSED(obj);
    const int i = sock_of(sock);
    socks[i].closed = true;
    close(socks[i].fd);
    socks[i].used = false; /* the number may be reused by the system */
    return 0;
}
static int f_accept(void *obj, int sock)
{
    UNUSED(obj);
    CHECK(sock_of(sock) == listen_sock, "accept on a socket that is not listening");
    if (accept_head == accept_tail) {
        errno = EWOULDBLOCK;
        return -1;
    }
    const int client = accept_queue[accept_head++];
    const int server_end = sock_new(true);
    socks[server_end].peer = client;
    socks[client].peer = server_end;
    /* Bytes the client wrote before it was accepted are waiting for the relay. */
    memcpy(socks[server_end].in, socks[client].out, socks[client].out_len);
    socks[server_end].in_len = socks[client].out_len;
    return socks[server_end].fd;
}
static int f_ok(void *obj, int sock, const Network_Addr *addr)
{
    UNUSED(obj);
    UNUSED(sock);
    UNUSED(addr);
    return 0;
}
static int f_listen(void *obj, int sock, int backlog)
{
    UNUSED(obj);
    UNUSED(backlog);
    listen_sock = sock_of(sock);
    return 0;
}
static int f_recvbuf(void *obj, int sock)
{
    UNUSED(obj);
    return (int)socks[sock_of(sock)].in_len;
}
static int f_recv(void *obj, int sock, uint8_t *buf, size_t len)
{
    UNUSED(obj);
    const int i = sock_of(sock);
    if (socks[i].in_len == 0) {
        errno = EWOULDBLOCK;
        return -1;
    }
    return (int)sock_read(i, buf, len);
}
static int f_recvfrom(void *obj, int sock, uint8_t *buf, size_t len, Network_Addr *addr)
{
    UNUSED(obj);
    UNUSED(sock);
    UNUSED(buf);
    UNUSED(len);
    UNUSED(addr);
    errno = EWOULDBLOCK;
    return -1;
}
static int f_send(void *obj, int sock, const uint8_t *buf, size_t len)
{
    UNUSED(obj);
    sock_write(sock_of(sock), buf, len);
    return (int)len;
}
static int f_sendto(void *obj, int sock, const uint8_t *buf, size_t len, const Network_Addr *addr)
{
    UNUSED(obj);
    UNUSED(sock);
    UNUSED(buf);
    UNUSED(addr);
    return (int)len;
}
static int f_socket(void *obj, int domain, int type, int proto)
{
    UNUSED(obj);
    UNUSED(domain);
    UNUSED(type);
    UNUSED(proto);
    last_created = sock_new(true);
    return socks[last_created].fd;
}
static int f_nonblock(void *obj, int sock, bool nonblock)
{
    UNUSED(obj);
    UNUSED(sock);
    UNUSED(nonblock);
    return 0;
}
static int f_getsockopt(void *obj, int sock, int level, int optname, void *optval, size_t *optlen)
{
    UNUSED(obj);
    UNUSED(sock);
    UNUSED(level);
    UNUSED(optname);
    memset(optval, 0, *optlen);
    return 0;
}
static int f_setsockopt(void *obj, int sock, int level, int optname, const void *optval, size_t optlen)
{
    UNUSED(obj);
    UNUSED(sock);
    UNUSED(level);
    UNUSED(optname);
    UNUSED(optval);
    UNUSED(optlen);
    return 0;
}
static int f_getaddrinfo(void *obj, int family, Network_Addr **addrs)
{
    UNUSED(obj);
    UNUSED(family);
    *addrs = NULL;
    return 0;
}
static int f_freeaddrinfo(void *obj, Network_Addr *addrs)
{
    UNUSED(obj);
    UNUSED(addrs);
    return 0;
}

static const Network_Funcs net_funcs = {
    f_close, f_accept, f_ok, f_listen, f_recvbuf, f_recv, f_recvfrom, f_send,
    f_sendto, f_socket, f_nonblock, f_getsockopt, f_setsockopt, f_getaddrinfo, f_freeaddrinfo,
};
static const Network net = {&net_funcs, NULL};

/* ---------------------------------------------------------------------------------------
 * The suites' files (written with the JSON helpers of gen-common.c).
 * ------------------------------------------------------------------------------------ */

#define SOURCE "Generated by test/vectors/generator/gen-relay.c from the Debian libtoxcore.a 0.2.18, linked statically."
static Json hs_out, frame_out, packet_out, verdict_out;

/* ---------------------------------------------------------------------------------------
 * Reading what each end wrote: handshakes, then frames opened with the session key.
 * ------------------------------------------------------------------------------------ */

/* Both directions of one connection, as the generator follows them. */
typedef struct Session {
    int client, relay;      /* socket indices of the two ends */
    uint8_t key[KEY];       /* the session key */
    uint8_t c_nonce[NONCE]; /* the next nonce of a client → relay frame */
    uint8_t r_nonce[NONCE]; /* the next nonce of a relay → client frame */
    size_t c_pos, r_pos;    /* how far each end's writes have been read */
} Session;

typedef struct Frame {
    uint8_t frame[2 + 2048];
    size_t frame_len;
    uint8_t nonce[NONCE];
    uint8_t plain[2048];
    size_t plain_len;
} Frame;

/* The next whole frame the client (from_client) or the relay wrote, opened; false if none. */
static bool next_frame(Session *s, bool from_client, Frame *f)
{
    const Sock *end = &socks[from_client ? s->client : s->relay];
    size_t *pos = from_client ? &s->c_pos : &s->r_pos;
    uint8_t *nonce = from_client ? s->c_nonce : s->r_nonce;
    if (end->out_len - *pos < 2) {
        return false;
    }
    const size_t len = (size_t)end->out[*pos] << 8 | end->out[*pos + 1];
    CHECK(len > MAC && len <= 2048, "a frame of length %zu", len);
    if (end->out_len - *pos < 2 + len) {
        return false;
    }
    memcpy(f->frame, end->out + *pos, 2 + len);
    f->frame_len = 2 + len;
    memcpy(f->nonce, nonce, NONCE);
    CHECK(decrypt_data_symmetric(s->key, nonce, f->frame + 2, len, f->plain) == (int)(len - MAC),
          "a frame c-toxcore wrote does not open with the session key and the next nonce");
    f->plain_len = len - MAC;
    increment_nonce(nonce);
    *pos += 2 + len;
    return true;
}

/* Exactly one new frame from that end, of type `type` (or a data frame, for type >= 16). */
static void one_frame(Session *s, bool from_client, int type, Frame *f, const char *what)
{
    CHECK(next_frame(s, from_client, f), "%s: no frame", what);
    CHECK(type >= 16 ? f->plain[0] >= 16 : f->plain[0] == type, "%s: frame type %d, want %d", what, f->plain[0], type);
    Frame extra;
    Session copy = *s;
    CHECK(!next_frame(&copy, from_client, &extra), "%s: more than one frame", what);
}

static void no_frame(Session *s, bool from_client, const char *what)
{
    Frame f;
    Session copy = *s;
    CHECK(!next_frame(&copy, from_client, &f), "%s: a frame of type %d", what, f.plain[0]);
}

/* A frame vector: the frame c-toxcore wrote, with its key, nonce and plaintext. */
static void frame_vector(const char *name, const Session *s, const Frame *f)
{
    Json *o = &frame_out;
    vector_begin(o, name);
    kv_hex(o, "shared_key", s->key, KEY);
    kv_hex(o, "nonce", f->nonce, NONCE);
    kv_hex(o, "plaintext", f->plain, f->plain_len);
    vector_expected(o);
    kv_hex(o, "frame", f->frame, f->frame_len);
    vector_end(o);
}

/* A packet vector: a plaintext c-toxcore built, with its fields. `fields` writes them. */
typedef void Fields(Json *o, const uint8_t *p, size_t n);

static void packet_vector(const char *name, const char *built_by, const char *function, const char *kind,
                          Fields *fields, const Frame *f)
{
    Json *o = &packet_out;
    vector_begin(o, name);
    kv_str(o, "built_by", built_by);
    kv_str(o, "function", function);
    j_key(o, "packet");
    j_open(o, '{');
    kv_str(o, "kind", kind);
    fields(o, f->plain, f->plain_len);
    j_close(o, '}');
    vector_expected(o);
    kv_hex(o, "plaintext", f->plain, f->plain_len);
    vector_end(o);
}

static void fields_key(Json *o, const uint8_t *p, size_t n)
{
    CHECK(n == 1 + KEY, "routing request size");
    kv_hex(o, "public_key", p + 1, KEY);
}
static void fields_id_key(Json *o, const uint8_t *p, size_t n)
{
    CHECK(n == 2 + KEY, "routing response size");
    kv_u64(o, "connection_id", p[1]);
    kv_hex(o, "public_key", p + 2, KEY);
}
static void fields_id(Json *o, const uint8_t *p, size_t n)
{
    CHECK(n == 2, "notification size");
    kv_u64(o, "connection_id", p[1]);
}
static void fields_ping(Json *o, const uint8_t *p, size_t n)
{
    CHECK(n == 9, "ping size");
    kv_hex(o, "ping_id", p + 1, 8);
}
static void fields_key_data(Json *o, const uint8_t *p, size_t n)
{
    CHECK(n > 1 + KEY, "OOB size");
    kv_hex(o, "public_key", p + 1, KEY);
    kv_hex(o, "data", p + 1 + KEY, n - 1 - KEY);
}
static void fields_onion(Json *o, const uint8_t *p, size_t n)
{
    CHECK(n > 1 + NONCE, "onion request size");
    kv_hex(o, "nonce", p + 1, NONCE);
    kv_hex(o, "payload", p + 1 + NONCE, n - 1 - NONCE);
}
static void fields_data(Json *o, const uint8_t *p, size_t n)
{
    kv_u64(o, "connection_id", p[0]);
    kv_hex(o, "data", p + 1, n - 1);
}

/* ---------------------------------------------------------------------------------------
 * c-toxcore clients, the c-toxcore relay, and the two ends the generator plays itself.
 * ------------------------------------------------------------------------------------ */

#define RELAY_PORT 33445
#define MAX_EVENTS 32

typedef struct Client {
    char label[32];
    TCP_Client_Connection *con;
    uint8_t sk[KEY], pk[KEY];
    uint8_t temp_sk[KEY], temp_pk[KEY], base[NONCE], hs_nonce[NONCE];
    int sock;
    char events[MAX_EVENTS][96];
    int n_events;
} Client;

static void event(Client *c, const char *fmt, ...)
{
    CHECK(c->n_events < MAX_EVENTS, "too many events");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->events[c->n_events++], sizeof c->events[0], fmt, ap);
    va_end(ap);
}
static int on_response(void *object, uint8_t connection_id, const uint8_t *public_key)
{
    UNUSED(public_key);
    event((Client *)object, "routing-response %u", connection_id + 16u);
    return 0;
}
static int on_status(void *object, uint32_t number, uint8_t connection_id, uint8_t status)
{
    UNUSED(number);
    event((Client *)object, "status %u %s", connection_id + 16u, status == 2 ? "online" : "offline");
    return 0;
}
static int on_data(void *object, uint32_t number, uint8_t connection_id, const uint8_t *data, uint16_t length,
                   void *userdata)
{
    UNUSED(number);
    UNUSED(data);
    UNUSED(userdata);
    event((Client *)object, "data %u %u", connection_id + 16u, length);
    return 0;
}
static int on_oob(void *object, const uint8_t *public_key, const uint8_t *data, uint16_t length, void *userdata)
{
    UNUSED(public_key);
    UNUSED(data);
    UNUSED(userdata);
    event((Client *)object, "oob %u", length);
    return 0;
}
static int on_onion(void *object, const uint8_t *data, uint16_t length, void *userdata)
{
    UNUSED(data);
    UNUSED(userdata);
    event((Client *)object, "onion-response %u", length);
    return 0;
}

static TCP_Server *relay;
static uint8_t relay_sk[KEY], relay_pk[KEY];

static void keys_of(const char *label, const char *what, uint8_t *sk, uint8_t *pk)
{
    char l[128];
    snprintf(l, sizeof l, "toxlink/relay/%s/%s", label, what);
    seeded(l, sk, KEY);
    CHECK(crypto_scalarmult_base(pk, sk) == 0, "scalarmult_base");
}

static void label_of(char *out, size_t n, const char *label, const char *what)
{
    snprintf(out, n, "toxlink/relay/%s/%s", label, what);
}

/* Runs the relay and every given client `rounds` times. */
static void pump(Client **clients, int n, int rounds)
{
    for (int r = 0; r < rounds; ++r) {
        if (relay != NULL) {
            do_TCP_server(relay, mono);
        }
        for (int i = 0; i < n; ++i) {
            do_TCP_connection(logger, mono, clients[i]->con, NULL);
        }
    }
}

/* Joins a client socket to a new end the generator holds (as accept does for the relay). */
static int adopt(int client)
{
    const int end = sock_new(false);
    socks[end].peer = client;
    socks[client].peer = end;
    memcpy(socks[end].in, socks[client].out, socks[client].out_len);
    socks[end].in_len = socks[client].out_len;
    return end;
}

/* Scripts the draws of one side's handshake: its temporary key pair (libsodium), then its
 * base nonce and the handshake's nonce (the Random), seeded from "LABEL/PREFIXtemp-secret-key",
 * "LABEL/PREFIXbase-nonce" and "LABEL/PREFIXhandshake-nonce". */
static void handshake_draws(const char *label, const char *prefix, uint8_t *temp_sk, uint8_t *temp_pk, uint8_t *base,
                            uint8_t *nonce)
{
    char what[64], l[128];
    snprintf(what, sizeof what, "%stemp-secret-key", prefix);
    label_of(l, sizeof l, label, what);
    script_push(&sodium_script, l, temp_sk, KEY);
    CHECK(crypto_scalarmult_base(temp_pk, temp_sk) == 0, "scalarmult_base");
    snprintf(what, sizeof what, "%sbase-nonce", prefix);
    label_of(l, sizeof l, label, what);
    script_push(&random_script, l, base, NONCE);
    snprintf(what, sizeof what, "%shandshake-nonce", prefix);
    label_of(l, sizeof l, label, what);
    script_push(&random_script, l, nonce, NONCE);
}

/* A c-toxcore client of a relay with key `server_pk`, its draws scripted from `label`. */
static void client_new(Client *c, const char *label, const uint8_t *server_pk, uint16_t port)
{
    memset(c, 0, sizeof *c);
    snprintf(c->label, sizeof c->label, "%s", label);
    keys_of(label, "secret-key", c->sk, c->pk);
    handshake_draws(label, "", c->temp_sk, c->temp_pk, c->base, c->hs_nonce);
    IP_Port ipp;
    memset(&ipp, 0, sizeof ipp);
    ipp.ip.family.value = NET_FAMILY_IPV4;
    ipp.ip.ip.v4.uint8[0] = 127;
    ipp.ip.ip.v4.uint8[3] = 1;
    ipp.port = htons(port);
    c->con = new_TCP_connection(logger, mono, &rng, &net, &ipp, server_pk, c->pk, c->sk, NULL);
    CHECK(c->con != NULL, "new_TCP_connection failed");
    script_expect_used(&sodium_script, "new_TCP_connection");
    script_expect_used(&random_script, "new_TCP_connection");
    c->sock = last_created;
    routing_response_handler(c->con, on_response, c);
    routing_status_handler(c->con, on_status, c);
    routing_data_handler(c->con, on_data, c);
    oob_data_handler(c->con, on_oob, c);
    onion_response_handler(c->con, on_onion, c);
}

/* The relay's draws for one new connection: temp key, base nonce, handshake nonce. */
typedef struct Relay_Draws {
    uint8_t temp_sk[KEY], temp_pk[KEY], base[NONCE], nonce[NONCE];
} Relay_Draws;

static void relay_draws(Relay_Draws *d, const char *label)
{
    handshake_draws(label, "relay-", d->temp_sk, d->temp_pk, d->base, d->nonce);
}

static void ping_draw(const char *label, uint8_t *id)
{
    char l[128];
    label_of(l, sizeof l, label, "ping-id");
    script_push(&random_script, l, id, 8);
}

/* The session of a client with known temp secret and a relay with known temp secret. */
static void session_of(Session *s, int client, int relay_end, const uint8_t *client_temp_sk,
                       const uint8_t *relay_temp_pk, const uint8_t *client_base, const uint8_t *relay_base,
                       size_t client_hs, size_t relay_hs)
{
    memset(s, 0, sizeof *s);
    s->client = client;
    s->relay = relay_end;
    CHECK(encrypt_precompute(relay_temp_pk, client_temp_sk, s->key) == 0, "precompute");
    memcpy(s->c_nonce, client_base, NONCE);
    memcpy(s->r_nonce, relay_base, NONCE);
    s->c_pos = client_hs;
    s->r_pos = relay_hs;
}

/* An end the generator plays as a client of the c-toxcore relay. */
typedef struct Raw {
    int sock;
    uint8_t sk[KEY], pk[KEY], temp_sk[KEY], temp_pk[KEY], base[NONCE];
    Session s;
    size_t read_pos; /* how far the relay's frames to us have been read */
} Raw;

static void raw_write(Raw *r, const uint8_t *bytes, size_t n)
{
    sock_write(r->sock, bytes, n);
}

static void raw_send(Raw *r, const uint8_t *plain, size_t n)
{
    uint8_t frame[2 + 2048];
    frame[0] = (uint8_t)((n + MAC) >> 8);
    frame[1] = (uint8_t)((n + MAC) & 0xff);
    CHECK(encrypt_data_symmetric(r->s.key, r->s.c_nonce, plain, n, frame + 2) == (int)(n + MAC), "encrypt");
    increment_nonce(r->s.c_nonce);
    /* What we write is not c-toxcore's: keep the client cursor past it. */
    raw_write(r, frame, 2 + n + MAC);
    r->s.c_pos = socks[r->sock].out_len;
}

static bool raw_open(const Raw *r)
{
    return !socks[socks[r->sock].peer].closed;
}

/* Connects to the c-toxcore relay by hand and, with `confirm`, sends the first frame (a ping). */
static void raw_connect(Raw *r, const char *label, bool confirm)
{
    char l[128];
    memset(r, 0, sizeof *r);
    keys_of(label, "secret-key", r->sk, r->pk);
    keys_of(label, "temp-secret-key", r->temp_sk, r->temp_pk);
    label_of(l, sizeof l, label, "base-nonce");
    seeded(l, r->base, NONCE);
    r->sock = sock_new(false);
    accept_queue[accept_tail++] = r->sock;
    uint8_t shared[KEY], nonce[NONCE], hello[128], plain[56];
    CHECK(encrypt_precompute(relay_pk, r->sk, shared) == 0, "precompute");
    label_of(l, sizeof l, label, "handshake-nonce");
    seeded(l, nonce, NONCE);
    memcpy(plain, r->temp_pk, KEY);
    memcpy(plain + KEY, r->base, NONCE);
    memcpy(hello, r->pk, KEY);
    memcpy(hello + KEY, nonce, NONCE);
    CHECK(encrypt_data_symmetric(shared, nonce, plain, 56, hello + KEY + NONCE) == 72, "encrypt");
    raw_write(r, hello, 128);
    Relay_Draws d;
    relay_draws(&d, label);
    pump(NULL, 0, 3);
    script_expect_used(&sodium_script, "relay handshake");
    script_expect_used(&random_script, "relay handshake");
    const int end = socks[r->sock].peer;
    CHECK(end >= 0 && socks[end].out_len == 96, "the relay did not answer the handshake");
    session_of(&r->s, r->sock, end, r->temp_sk, d.temp_pk, r->base, d.base, 128, 96);
    uint8_t reply[96];
    CHECK(sock_read(r->sock, reply, 96) == 96, "read the relay's handshake");
    if (confirm) {
        uint8_t ping[9] = {4, 1, 2, 3, 4, 5, 6, 7, 8};
        raw_send(r, ping, 9);
        pump(NULL, 0, 3);
        Frame f;
        one_frame(&r->s, false, 5, &f, "the pong that confirms a raw client");
    }
}

/* Frames the relay sent a raw client since the last call, as plaintext hex in `out`. */
static void raw_replies(Raw *r, Json *o, const char *key)
{
    j_key(o, key);
    j_open(o, '[');
    Frame f;
    while (next_frame(&r->s, false, &f)) {
        j_hex(o, f.plain, f.plain_len);
    }
    j_close(o, ']');
}

static void client_events(Client *c, Json *o)
{
    j_key(o, "events");
    j_open(o, '[');
    for (int i = 0; i < c->n_events; ++i) {
        j_str(o, c->events[i]);
    }
    j_close(o, ']');
    c->n_events = 0;
}

/* The generator as a relay, for a c-toxcore client: it answers the handshake itself. */
static uint8_t fake_sk[KEY], fake_pk[KEY];

static void fake_send(Session *s, const uint8_t *plain, size_t n)
{
    uint8_t frame[2 + 2048];
    frame[0] = (uint8_t)((n + MAC) >> 8);
    frame[1] = (uint8_t)((n + MAC) & 0xff);
    CHECK(encrypt_data_symmetric(s->key, s->r_nonce, plain, n, frame + 2) == (int)(n + MAC), "encrypt");
    increment_nonce(s->r_nonce);
    sock_write(s->relay, frame, 2 + n + MAC);
    s->r_pos = socks[s->relay].out_len;
}

static void fake_write(Session *s, const uint8_t *bytes, size_t n)
{
    sock_write(s->relay, bytes, n);
    s->r_pos = socks[s->relay].out_len;
}

/* A c-toxcore client connected to the generator's relay; `reply` is the 96 bytes to answer with (NULL: a good one). */
static bool fake_connect(Client *c, Session *s, const char *label, const uint8_t *reply)
{
    char l[128];
    client_new(c, label, fake_pk, 4444);
    Client *cs[1] = {c};
    pump(cs, 1, 1);
    const int end = adopt(c->sock);
    uint8_t hello[128], shared[KEY], plain[56];
    CHECK(sock_read(end, hello, 128) == 128, "no client handshake");
    CHECK(memcmp(hello, c->pk, KEY) == 0, "the handshake names another key");
    CHECK(encrypt_precompute(c->pk, fake_sk, shared) == 0, "precompute");
    CHECK(decrypt_data_symmetric(shared, hello + KEY, hello + KEY + NONCE, 72, plain) == 56, "the handshake does not open");
    CHECK(memcmp(plain, c->temp_pk, KEY) == 0 && memcmp(plain + KEY, c->base, NONCE) == 0, "handshake contents");
    uint8_t temp_sk[KEY], temp_pk[KEY], base[NONCE], nonce[NONCE], answer[96];
    keys_of(label, "fake-relay-temp-secret-key", temp_sk, temp_pk);
    label_of(l, sizeof l, label, "fake-relay-base-nonce");
    seeded(l, base, NONCE);
    label_of(l, sizeof l, label, "fake-relay-handshake-nonce");
    seeded(l, nonce, NONCE);
    memcpy(plain, temp_pk, KEY);
    memcpy(plain + KEY, base, NONCE);
    memcpy(answer, nonce, NONCE);
    CHECK(encrypt_data_symmetric(shared, nonce, plain, 56, answer + NONCE) == 72, "encrypt");
    session_of(s, c->sock, end, c->temp_sk, temp_pk, c->base, base, 128, 0);
    fake_write(s, reply != NULL ? reply : answer, 96);
    uint8_t id[8];
    if (reply == NULL) {
        ping_draw(label, id);
    }
    pump(cs, 1, 2);
    script_expect_used(&random_script, "client confirmation");
    if (tcp_con_status(c->con) != TCP_CLIENT_CONFIRMED) {
        return false;
    }
    Frame f;
    one_frame(s, true, 4, &f, "the client's first ping");
    CHECK(memcmp(f.plain + 1, id, 8) == 0, "ping id");
    return true;
}

/* ---------------------------------------------------------------------------------------
 * The session between two c-toxcore clients through the c-toxcore relay.
 * ------------------------------------------------------------------------------------ */

static Client a, b;
static Session sa, sb;

/* Connects a client to the relay; checks and records both handshakes. */
static void connect_to_relay(Client *c, Session *s, const char *label, Client **all, int n)
{
    client_new(c, label, relay_pk, RELAY_PORT);
    accept_queue[accept_tail++] = c->sock;
    Relay_Draws d;
    relay_draws(&d, label);
    uint8_t id[8];
    ping_draw(label, id);
    pump(all, n, 4);
    script_expect_used(&sodium_script, "connect");
    script_expect_used(&random_script, "connect");
    CHECK(tcp_con_status(c->con) == TCP_CLIENT_CONFIRMED, "%s is not connected", label);
    const int end = socks[c->sock].peer;
    CHECK(socks[c->sock].out_len >= 128 && socks[end].out_len >= 96, "handshakes");
    session_of(s, c->sock, end, c->temp_sk, d.temp_pk, c->base, d.base, 128, 96);

    char name[128];
    uint8_t shared[KEY];
    CHECK(encrypt_precompute(relay_pk, c->sk, shared) == 0, "precompute");
    Json *o = &hs_out;
    snprintf(name, sizeof name, "client %s: built by new_TCP_connection (generate_handshake)", label);
    vector_begin(o, name);
    kv_str(o, "side", "client");
    kv_hex(o, "client_secret_key", c->sk, KEY);
    kv_hex(o, "client_public_key", c->pk, KEY);
    kv_hex(o, "relay_public_key", relay_pk, KEY);
    kv_hex(o, "temp_secret_key", c->temp_sk, KEY);
    kv_hex(o, "temp_public_key", c->temp_pk, KEY);
    kv_hex(o, "base_nonce", c->base, NONCE);
    kv_hex(o, "nonce", c->hs_nonce, NONCE);
    vector_expected(o);
    kv_hex(o, "shared_key", shared, KEY);
    kv_hex(o, "packet", socks[c->sock].out, 128);
    vector_end(o);
    snprintf(name, sizeof name, "relay to %s: built by handle_TCP_handshake", label);
    vector_begin(o, name);
    kv_str(o, "side", "relay");
    kv_hex(o, "relay_secret_key", relay_sk, KEY);
    kv_hex(o, "relay_public_key", relay_pk, KEY);
    kv_hex(o, "client_public_key", c->pk, KEY);
    kv_hex(o, "client_temp_public_key", c->temp_pk, KEY);
    kv_hex(o, "temp_secret_key", d.temp_sk, KEY);
    kv_hex(o, "temp_public_key", d.temp_pk, KEY);
    kv_hex(o, "base_nonce", d.base, NONCE);
    kv_hex(o, "nonce", d.nonce, NONCE);
    vector_expected(o);
    kv_hex(o, "shared_key", shared, KEY);
    kv_hex(o, "packet", socks[end].out, 96);
    kv_hex(o, "session_key", s->key, KEY);
    vector_end(o);

    Frame f;
    one_frame(s, true, 4, &f, "the client's first ping");
    CHECK(memcmp(f.plain + 1, id, 8) == 0, "ping id");
    snprintf(name, sizeof name, "%s's first frame: a ping (do_confirmed_TCP)", label);
    frame_vector(name, s, &f);
    if (c == &a) {
        packet_vector("ping: built by the client (do_confirmed_TCP, at once after the handshake)", "client",
                      "do_confirmed_TCP", "ping", fields_ping, &f);
    }
    one_frame(s, false, 5, &f, "the relay's pong");
    snprintf(name, sizeof name, "the relay's first frame to %s: the pong", label);
    frame_vector(name, s, &f);
    if (c == &a) {
        packet_vector("pong: built by the relay (handle_TCP_packet answering a ping)", "relay", "handle_TCP_packet",
                      "pong", fields_ping, &f);
    }
}

static void gen_session(void)
{
    Client *all[2] = {&a, &b};
    connect_to_relay(&a, &sa, "a", all, 1);
    connect_to_relay(&b, &sb, "b", all, 2);
    Frame f;

    /* a asks for b: the response alone. */
    CHECK(send_routing_request(logger, a.con, b.pk) == 1, "send_routing_request");
    pump(all, 2, 3);
    one_frame(&sa, true, 0, &f, "a's routing request");
    frame_vector("a: routing request for b", &sa, &f);
    packet_vector("routing request: built by send_routing_request", "client", "send_routing_request",
                  "routing-request", fields_key, &f);
    one_frame(&sa, false, 1, &f, "the routing response to a");
    CHECK(f.plain[1] == 16, "the first route is 16");
    frame_vector("relay to a: routing response", &sa, &f);
    packet_vector("routing response: built by handle_TCP_routing_req (the first free slot)", "relay",
                  "handle_TCP_routing_req", "routing-response", fields_id_key, &f);
    CHECK(a.n_events == 1 && strcmp(a.events[0], "routing-response 16") == 0, "a's routing response event");
    a.n_events = 0;

    /* b asks for a: response to b, then connect notifications to b and to a. */
    CHECK(send_routing_request(logger, b.con, a.pk) == 1, "send_routing_request");
    pump(all, 2, 3);
    one_frame(&sb, true, 0, &f, "b's routing request");
    CHECK(next_frame(&sb, false, &f) && f.plain[0] == 1 && f.plain[1] == 16, "b's routing response");
    CHECK(next_frame(&sb, false, &f) && f.plain[0] == 2 && f.plain[1] == 16, "b's connect notification");
    no_frame(&sb, false, "after b's notification");
    frame_vector("relay to b: connect notification", &sb, &f);
    packet_vector("connect notification: built by send_connect_notification", "relay", "send_connect_notification",
                  "connect-notification", fields_id, &f);
    one_frame(&sa, false, 2, &f, "a's connect notification");
    CHECK(strcmp(a.events[0], "status 16 online") == 0 && strcmp(b.events[1], "status 16 online") == 0, "online");
    a.n_events = b.n_events = 0;

    /* Our own key: refused. */
    CHECK(send_routing_request(logger, a.con, a.pk) == 1, "send_routing_request");
    pump(all, 2, 3);
    one_frame(&sa, true, 0, &f, "a's routing request for itself");
    one_frame(&sa, false, 1, &f, "the refusal");
    CHECK(f.plain[1] == 0, "refused with 0");
    packet_vector("routing response: a refusal (0) for the client's own key", "relay", "handle_TCP_routing_req",
                  "routing-response", fields_id_key, &f);
    CHECK(a.n_events == 0, "c-toxcore's client reports no refusal");

    /* Data both ways. */
    uint8_t data[40];
    seeded("toxlink/relay/data-a-to-b", data, sizeof data);
    data[0] = 0x1b;
    CHECK(send_data(logger, a.con, 0, data, sizeof data) == 1, "send_data");
    pump(all, 2, 3);
    one_frame(&sa, true, 16, &f, "a's data");
    frame_vector("a: data on route 16", &sa, &f);
    packet_vector("data: built by send_data", "client", "send_data", "data", fields_data, &f);
    one_frame(&sb, false, 16, &f, "the data passed to b");
    frame_vector("relay to b: data from a", &sb, &f);
    packet_vector("data: passed on by handle_TCP_packet with the receiver's connection id", "relay",
                  "handle_TCP_packet", "data", fields_data, &f);
    CHECK(strcmp(b.events[0], "data 16 40") == 0, "b's data event");
    b.n_events = 0;
    seeded("toxlink/relay/data-b-to-a", data, sizeof data);
    data[0] = 0x1b;
    CHECK(send_data(logger, b.con, 0, data, 1) == 1, "send_data");
    pump(all, 2, 3);
    one_frame(&sb, true, 16, &f, "b's data");
    one_frame(&sa, false, 16, &f, "the data passed to a");
    packet_vector("data: one byte of payload", "relay", "handle_TCP_packet", "data", fields_data, &f);
    a.n_events = 0;

    /* OOB. */
    uint8_t oob[30];
    seeded("toxlink/relay/oob-a-to-b", oob, sizeof oob);
    CHECK(send_oob_packet(logger, a.con, b.pk, oob, sizeof oob) == 1, "send_oob_packet");
    pump(all, 2, 3);
    one_frame(&sa, true, 6, &f, "a's OOB send");
    frame_vector("a: OOB send to b", &sa, &f);
    packet_vector("OOB send: built by send_oob_packet", "client", "send_oob_packet", "oob-send", fields_key_data, &f);
    one_frame(&sb, false, 7, &f, "b's OOB receive");
    frame_vector("relay to b: OOB receive from a", &sb, &f);
    packet_vector("OOB receive: built by handle_TCP_oob_send", "relay", "handle_TCP_oob_send", "oob-receive",
                  fields_key_data, &f);
    CHECK(strcmp(b.events[0], "oob 30") == 0, "b's OOB event");
    b.n_events = 0;

    /* An onion request: this relay has no onion and says nothing. */
    uint8_t onion[200];
    seeded("toxlink/relay/onion-request", onion, sizeof onion);
    onion[NONCE] = NET_FAMILY_IPV4;
    CHECK(send_onion_request(logger, a.con, onion, sizeof onion) == 1, "send_onion_request");
    pump(all, 2, 3);
    one_frame(&sa, true, 8, &f, "a's onion request");
    frame_vector("a: onion request", &sa, &f);
    packet_vector("onion request: built by send_onion_request", "client", "send_onion_request", "onion-request",
                  fields_onion, &f);
    no_frame(&sa, false, "after an onion request to a relay without an onion");

    /* 30 s on: the relay pings both clients, and each client pings the relay. */
    advance(30000);
    uint8_t relay_ping_a[8], relay_ping_b[8], ping_a[8], ping_b[8];
    ping_draw("relay-to-a", relay_ping_a);
    ping_draw("relay-to-b", relay_ping_b);
    ping_draw("a-second", ping_a);
    ping_draw("b-second", ping_b);
    pump(all, 2, 3);
    script_expect_used(&random_script, "pings at 30 s");
    bool got_ping = false, got_pong = false;
    while (next_frame(&sa, false, &f)) {
        if (f.plain[0] == 4) {
            CHECK(memcmp(f.plain + 1, relay_ping_a, 8) == 0, "the relay's ping id");
            frame_vector("relay to a: a ping, 30 s after the first", &sa, &f);
            packet_vector("ping: built by the relay (do_TCP_confirmed, every 30 s)", "relay", "do_TCP_confirmed", "ping",
                          fields_ping, &f);
            got_ping = true;
        } else {
            CHECK(f.plain[0] == 5 && memcmp(f.plain + 1, ping_a, 8) == 0, "the relay's pong to a");
        }
    }
    while (next_frame(&sa, true, &f)) {
        if (f.plain[0] == 5) {
            CHECK(memcmp(f.plain + 1, relay_ping_a, 8) == 0, "a's pong id");
            frame_vector("a: pong to the relay's ping", &sa, &f);
            packet_vector("pong: built by the client (handle_TCP_client_ping)", "client", "handle_TCP_client_ping",
                          "pong", fields_ping, &f);
            got_pong = true;
        } else {
            CHECK(f.plain[0] == 4 && memcmp(f.plain + 1, ping_a, 8) == 0, "a's second ping");
        }
    }
    CHECK(got_ping && got_pong, "pings at 30 s");
    while (next_frame(&sb, false, &f)) {
    }
    while (next_frame(&sb, true, &f)) {
    }

    /* a gives the route up: b hears of it. */
    CHECK(send_disconnect_request(logger, a.con, 0) == 1, "send_disconnect_request");
    pump(all, 2, 3);
    one_frame(&sa, true, 3, &f, "a's disconnect notification");
    frame_vector("a: disconnect notification", &sa, &f);
    packet_vector("disconnect notification: built by send_disconnect_request", "client", "send_disconnect_request",
                  "disconnect-notification", fields_id, &f);
    one_frame(&sb, false, 3, &f, "b's disconnect notification");
    packet_vector("disconnect notification: built by send_disconnect_notification (the peer gave the route up)",
                  "relay", "send_disconnect_notification", "disconnect-notification", fields_id, &f);
    CHECK(strcmp(b.events[0], "status 16 offline") == 0, "b's status event");
    b.n_events = 0;
}

/* ---------------------------------------------------------------------------------------
 * Handshakes c-toxcore takes and refuses.
 * ------------------------------------------------------------------------------------ */

/* Hands the relay a crafted client handshake; the verdict is answered, closed, or neither. */
static void relay_handshake_vector(const char *name, const char *label, void (*spoil)(uint8_t *hello, size_t *len))
{
    char l[128];
    uint8_t sk[KEY], pk[KEY], tsk[KEY], tpk[KEY], base[NONCE], nonce[NONCE], shared[KEY], plain[56], hello[160];
    keys_of(label, "secret-key", sk, pk);
    keys_of(label, "temp-secret-key", tsk, tpk);
    label_of(l, sizeof l, label, "base-nonce");
    seeded(l, base, NONCE);
    label_of(l, sizeof l, label, "handshake-nonce");
    seeded(l, nonce, NONCE);
    CHECK(encrypt_precompute(relay_pk, sk, shared) == 0, "precompute");
    memcpy(plain, tpk, KEY);
    memcpy(plain + KEY, base, NONCE);
    memcpy(hello, pk, KEY);
    memcpy(hello + KEY, nonce, NONCE);
    CHECK(encrypt_data_symmetric(shared, nonce, plain, 56, hello + KEY + NONCE) == 72, "encrypt");
    size_t len = 128;
    if (spoil != NULL) {
        spoil(hello, &len);
    }
    const int sock = sock_new(false);
    accept_queue[accept_tail++] = sock;
    sock_write(sock, hello, len);
    Relay_Draws d;
    relay_draws(&d, label);
    pump(NULL, 0, 3);
    const int end = socks[sock].peer;
    const bool answered = socks[end].out_len == 96;
    const bool closed = socks[end].closed;
    CHECK(!(answered && closed), "answered and closed");
    if (answered) {
        script_expect_used(&random_script, name);
        script_expect_used(&sodium_script, name);
    } else {
        random_script.pos = random_script.len = 0;
        sodium_script.pos = sodium_script.len = 0;
    }
    Json *o = &hs_out;
    vector_begin(o, name);
    kv_str(o, "side", "relay");
    kv_hex(o, "packet", hello, len);
    kv_hex(o, "relay_secret_key", relay_sk, KEY);
    vector_expected(o);
    kv_str(o, "c_toxcore", answered ? "answered" : closed ? "closed" : "waits");
    if (answered) {
        kv_hex(o, "client_public_key", pk, KEY);
        kv_hex(o, "temp_public_key", tpk, KEY);
        kv_hex(o, "base_nonce", base, NONCE);
    } else {
        kv_str(o, "error", len < 128 ? "truncated" : "bad-mac");
    }
    vector_end(o);
}

static void spoil_mac(uint8_t *hello, size_t *len)
{
    UNUSED(len);
    hello[KEY + NONCE] ^= 1;
}
static void spoil_key(uint8_t *hello, size_t *len)
{
    UNUSED(len);
    hello[0] ^= 0x40;
}
static void spoil_short(uint8_t *hello, size_t *len)
{
    UNUSED(hello);
    *len = 127;
}
static void spoil_zero(uint8_t *hello, size_t *len)
{
    UNUSED(len);
    memset(hello, 0, 128);
}

/* Answers a c-toxcore client with a crafted relay handshake; the verdict is connected or not. */
static void client_handshake_vector(const char *name, const char *label, bool spoil)
{
    Client c;
    Session s;
    /* Build the good answer the way fake_connect does, then maybe spoil it. */
    char l[128];
    uint8_t temp_sk[KEY], temp_pk[KEY], base[NONCE], nonce[NONCE], answer[96], shared[KEY], plain[56];
    keys_of(label, "fake-relay-temp-secret-key", temp_sk, temp_pk);
    label_of(l, sizeof l, label, "fake-relay-base-nonce");
    seeded(l, base, NONCE);
    label_of(l, sizeof l, label, "fake-relay-handshake-nonce");
    seeded(l, nonce, NONCE);
    uint8_t csk[KEY], cpk[KEY];
    keys_of(label, "secret-key", csk, cpk);
    CHECK(encrypt_precompute(cpk, fake_sk, shared) == 0, "precompute");
    memcpy(plain, temp_pk, KEY);
    memcpy(plain + KEY, base, NONCE);
    memcpy(answer, nonce, NONCE);
    CHECK(encrypt_data_symmetric(shared, nonce, plain, 56, answer + NONCE) == 72, "encrypt");
    if (spoil) {
        answer[NONCE + 3] ^= 0x10;
    }
    const bool connected = fake_connect(&c, &s, label, spoil ? answer : NULL);
    CHECK(connected == !spoil, "%s: connected %d", name, connected);
    Json *o = &hs_out;
    vector_begin(o, name);
    kv_str(o, "side", "client");
    kv_hex(o, "packet", answer, 96);
    kv_hex(o, "client_secret_key", c.sk, KEY);
    kv_hex(o, "relay_public_key", fake_pk, KEY);
    vector_expected(o);
    kv_str(o, "c_toxcore", connected ? "connected" : "disconnected");
    if (connected) {
        kv_hex(o, "temp_public_key", temp_pk, KEY);
        kv_hex(o, "base_nonce", base, NONCE);
    } else {
        kv_str(o, "error", "bad-mac");
    }
    vector_end(o);
    kill_TCP_connection(c.con);
}

static void gen_handshake_verdicts(void)
{
    relay_handshake_vector("at the relay: a good handshake is answered", "hs-good", NULL);
    relay_handshake_vector("at the relay: a flipped MAC byte closes the connection", "hs-mac", spoil_mac);
    relay_handshake_vector("at the relay: another client key (the box does not open) closes it", "hs-key", spoil_key);
    relay_handshake_vector("at the relay: all zero closes it", "hs-zero", spoil_zero);
    relay_handshake_vector("at the relay: 127 bytes are neither answered nor closed (c-toxcore waits for ever)",
                           "hs-short", spoil_short);
    client_handshake_vector("at the client: a good relay handshake connects", "hs-client-good", false);
    client_handshake_vector("at the client: a flipped byte disconnects", "hs-client-bad", true);
}

/* ---------------------------------------------------------------------------------------
 * Frames and packets c-toxcore takes and refuses.
 * ------------------------------------------------------------------------------------ */

/* A frame decode vector at the relay: `bytes` after a confirmed raw client's handshake. */
static void frame_decode_vector(const char *name, const char *label, const uint8_t *bytes, size_t len,
                                const char *error, const uint8_t *const *plains, const size_t *plain_lens, int n_plains)
{
    Raw r;
    raw_connect(&r, label, true);
    Json *o = &frame_out;
    vector_begin(o, name);
    kv_hex(o, "shared_key", r.s.key, KEY);
    kv_hex(o, "nonce", r.s.c_nonce, NONCE);
    /* Crafted frames are made from this raw client's key and nonce by the caller's builder. */
    uint8_t wire[8192];
    size_t wire_len = 0;
    for (size_t i = 0; i < len;) {
        /* bytes is a script: 0xff 0xff, a plaintext length (2 bytes) and the plaintext mean
         * "seal this at the next nonce"; 0xfd 0xfd and 0xfe 0xfe are below; anything else is
         * copied as is. */
        if (i + 4 <= len && bytes[i] == 0xff && bytes[i + 1] == 0xff) {
            const size_t n = (size_t)bytes[i + 2] << 8 | bytes[i + 3];
            wire[wire_len] = (uint8_t)((n + MAC) >> 8);
            wire[wire_len + 1] = (uint8_t)((n + MAC) & 0xff);
            CHECK(encrypt_data_symmetric(r.s.key, r.s.c_nonce, bytes + i + 4, n, wire + wire_len + 2) == (int)(n + MAC),
                  "encrypt");
            increment_nonce(r.s.c_nonce);
            wire_len += 2 + n + MAC;
            i += 4 + n;
        } else if (i + 2 <= len && bytes[i] == 0xfd && bytes[i + 1] == 0xfd) {
            /* 0xfd 0xfd: flip a bit of the last sealed frame's MAC */
            size_t at = 0, last = 0;
            while (at < wire_len) {
                last = at;
                at += 2 + ((size_t)wire[at] << 8 | wire[at + 1]);
            }
            wire[last + 2] ^= 0x20;
            i += 2;
        } else if (i + 2 <= len && bytes[i] == 0xfe && bytes[i + 1] == 0xfe) {
            /* 0xfe 0xfe: the last sealed frame again (a replay) */
            CHECK(wire_len > 0, "nothing to replay");
            size_t at = 0, last = 0;
            while (at < wire_len) {
                last = at;
                at += 2 + ((size_t)wire[at] << 8 | wire[at + 1]);
            }
            memcpy(wire + wire_len, wire + last, at - last);
            wire_len += at - last;
            i += 2;
        } else {
            wire[wire_len++] = bytes[i++];
        }
    }
    raw_write(&r, wire, wire_len);
    pump(NULL, 0, 3);
    kv_hex(o, "bytes", wire, wire_len);
    vector_expected(o);
    kv_str(o, "c_toxcore", raw_open(&r) ? "open" : "closed");
    j_key(o, "frames");
    j_open(o, '[');
    for (int i = 0; i < n_plains; ++i) {
        j_hex(o, plains[i], plain_lens[i]);
    }
    j_close(o, ']');
    if (error != NULL) {
        kv_str(o, "error", error);
    }
    raw_replies(&r, o, "replies");
    vector_end(o);
    CHECK((error == NULL) == raw_open(&r), "%s: c-toxcore %s", name, raw_open(&r) ? "kept it open" : "closed it");
}

static void gen_frame_verdicts(void)
{
    static const uint8_t ping[] = {4, 9, 8, 7, 6, 5, 4, 3, 2};
    const uint8_t *p1[] = {ping};
    const size_t l1[] = {sizeof ping};
    uint8_t script[4096];
    size_t n = 0;
#define SEAL(plain, plen) do { script[n++] = 0xff; script[n++] = 0xff; script[n++] = (uint8_t)((plen) >> 8); \
        script[n++] = (uint8_t)((plen) & 0xff); memcpy(script + n, plain, plen); n += plen; } while (0)

    n = 0;
    SEAL(ping, sizeof ping);
    frame_decode_vector("a ping frame is read and answered", "frame-ok", script, n, NULL, p1, l1, 1);

    n = 0;
    script[n++] = 0x08;
    script[n++] = 0x01;
    frame_decode_vector("a length of 2049 closes the connection", "frame-2049", script, n, "too-long", NULL, NULL, 0);

    n = 0;
    script[n++] = 0;
    script[n++] = 16;
    memset(script + n, 0x55, 16);
    n += 16;
    frame_decode_vector("a length of 16 (no room for a byte after the MAC) closes it", "frame-16", script, n, "too-short",
                        NULL, NULL, 0);

    n = 0;
    script[n++] = 0;
    script[n++] = 0;
    SEAL(ping, sizeof ping);
    frame_decode_vector("a length of 0 is skipped without a word, and the next frame read", "frame-0", script, n, NULL,
                        p1, l1, 1);

    n = 0;
    SEAL(ping, sizeof ping);
    script[n++] = 0xfd;
    script[n++] = 0xfd;
    frame_decode_vector("a flipped MAC byte closes it", "frame-mac", script, n, "bad-mac", NULL, NULL, 0);

    n = 0;
    SEAL(ping, sizeof ping);
    script[n++] = 0xfe;
    script[n++] = 0xfe;
    frame_decode_vector("a frame replayed (under the next nonce it does not open) closes it", "frame-replay", script, n,
                        "bad-mac", p1, l1, 1);

    static uint8_t big[2032];
    big[0] = 8;
    seeded("toxlink/relay/biggest-frame", big + 1, sizeof big - 1);
    const uint8_t *p2[] = {big};
    const size_t l2[] = {sizeof big};
    n = 0;
    SEAL(big, sizeof big);
    frame_decode_vector("the largest frame (2048: an onion request of 2032 bytes, ignored without an onion) is read",
                        "frame-2048", script, n, NULL, p2, l2, 1);
#undef SEAL
}

/* Starts a relay-verdict vector: its input, and whether the receiver closed. */
static Json *verdict_begin(const char *name, const char *receiver, const char *state, const uint8_t *plain, size_t n,
                           bool closed)
{
    Json *o = &verdict_out;
    vector_begin(o, name);
    kv_str(o, "receiver", receiver);
    kv_str(o, "state", state);
    kv_hex(o, "plaintext", plain, n);
    vector_expected(o);
    kv_bool(o, "closed", closed);
    return o;
}

/* A verdict at the relay: a crafted plaintext from a confirmed raw client in state `state`. */
static void relay_verdict(const char *name, const char *label, const char *state, const uint8_t *plain, size_t n)
{
    char l[128];
    Raw r, peer;
    raw_connect(&r, label, true);
    bool has_peer = false;
    if (strcmp(state, "confirmed") != 0) {
        snprintf(l, sizeof l, "%s-peer", label);
        raw_connect(&peer, l, true);
        has_peer = true;
        uint8_t req[33] = {0};
        memcpy(req + 1, peer.pk, KEY);
        raw_send(&r, req, sizeof req);
        if (strcmp(state, "route-16-online") == 0) {
            memcpy(req + 1, r.pk, KEY);
            raw_send(&peer, req, sizeof req);
        }
        pump(NULL, 0, 3);
        Frame f;
        while (next_frame(&r.s, false, &f)) {
        }
        while (next_frame(&peer.s, false, &f)) {
        }
    }
    raw_send(&r, plain, n);
    pump(NULL, 0, 3);
    Json *o = verdict_begin(name, "relay", state, plain, n, !raw_open(&r));
    raw_replies(&r, o, "replies");
    if (has_peer) {
        raw_replies(&peer, o, "forwarded");
    }
    vector_end(o);
    random_script.pos = random_script.len = 0;
}

/* A verdict at a c-toxcore client: a crafted plaintext from the generator's relay. */
static void client_verdict(const char *name, const char *label, const char *state, const uint8_t *plain, size_t n)
{
    Client c;
    Session s;
    CHECK(fake_connect(&c, &s, label, NULL), "%s: not connected", name);
    Client *cs[1] = {&c};
    if (strcmp(state, "route-16-online") == 0) {
        uint8_t resp[34] = {1, 16};
        seeded("toxlink/relay/verdict-peer-key", resp + 2, KEY);
        fake_send(&s, resp, sizeof resp);
        const uint8_t note[2] = {2, 16};
        fake_send(&s, note, 2);
        pump(cs, 1, 2);
        CHECK(c.n_events == 2, "%s: route events", name);
        c.n_events = 0;
    }
    fake_send(&s, plain, n);
    pump(cs, 1, 2);
    Json *o = verdict_begin(name, "client", state, plain, n, tcp_con_status(c.con) == TCP_CLIENT_DISCONNECTED);
    j_key(o, "replies");
    j_open(o, '[');
    Frame f;
    while (next_frame(&s, true, &f)) {
        j_hex(o, f.plain, f.plain_len);
    }
    j_close(o, ']');
    client_events(&c, o);
    vector_end(o);
    kill_TCP_connection(c.con);
    random_script.pos = random_script.len = 0;
}

/* A short frame plaintext and the vector it makes: relay_verdict or client_verdict. */
typedef struct Verdict_Case {
    const char *name, *label, *state;
    uint8_t plain[12];
    size_t len;
} Verdict_Case;

typedef void verdict_fn(const char *name, const char *label, const char *state, const uint8_t *plain, size_t n);

static void run_verdicts(verdict_fn *verdict, const Verdict_Case *cases, size_t count)
{
    for (size_t i = 0; i < count; ++i) {
        verdict(cases[i].name, cases[i].label, cases[i].state, cases[i].plain, cases[i].len);
    }
}

#define RUN_VERDICTS(verdict, cases) run_verdicts(verdict, cases, sizeof cases / sizeof cases[0])

/* Notifications, pings and pongs a client sends the relay. */
static const Verdict_Case RELAY_CONTROL[] = {
    {"relay: a connect notification from a client is ignored", "rv-conn", "confirmed", {2, 16}, 2},
    {"relay: a connect notification for id 5 is ignored too", "rv-conn-5", "confirmed", {2, 5}, 2},
    {"relay: a disconnect notification for an unused id closes", "rv-disc-unused", "confirmed", {3, 16}, 2},
    {"relay: a disconnect notification for an online route tells the peer", "rv-disc", "route-16-online", {3, 16}, 2},
    {"relay: a disconnect notification for id 5 closes", "rv-disc-5", "confirmed", {3, 5}, 2},
    {"relay: a ping is answered with its id", "rv-ping", "confirmed", {4, 1, 1, 2, 3, 5, 8, 13, 21}, 9},
    {"relay: a ping with id 0 is answered with a pong of id 0", "rv-ping-0", "confirmed", {4, 0, 0, 0, 0, 0, 0, 0, 0}, 9},
    {"relay: a ping of 8 bytes closes", "rv-ping-8", "confirmed", {4, 1, 2, 3, 4, 5, 6, 7}, 8},
    {"relay: a pong with id 0 closes", "rv-pong-0", "confirmed", {5, 0, 0, 0, 0, 0, 0, 0, 0}, 9},
    {"relay: a pong that answers nothing is ignored", "rv-pong", "confirmed", {5, 9, 9, 9, 9, 9, 9, 9, 9}, 9},
};
/* Onion, forwarding, unassigned and data frames a client sends the relay. */
static const Verdict_Case RELAY_OTHER[] = {
    {"relay: an onion response from a client closes", "rv-onion-resp", "confirmed", {9, 0x84, 1, 2}, 4},
    {"relay: a forward request to a relay without forwarding closes", "rv-fwd", "confirmed", {10, 2, 127, 0, 0, 1, 0, 1, 1, 2, 3}, 11},
    {"relay: a forwarding frame from a client closes", "rv-fwding", "confirmed", {11, 1, 2, 3}, 4},
    {"relay: type 12 (unassigned) closes", "rv-12", "confirmed", {12, 1, 2, 3}, 4},
    {"relay: type 15 (unassigned) closes", "rv-15", "confirmed", {15, 1}, 2},
    {"relay: data for an unused id closes", "rv-data-unused", "confirmed", {20, 1, 2}, 3},
    {"relay: data on a route whose peer has not asked is dropped", "rv-data-waiting", "route-16-waiting", {16, 1, 2}, 3},
    {"relay: data on an online route is passed on", "rv-data", "route-16-online", {16, 0x1b, 2, 3}, 4},
    {"relay: data with no payload on an online route is passed on", "rv-data-empty", "route-16-online", {16}, 1},
};
/* Notifications, pings and pongs the relay sends a client. */
static const Verdict_Case CLIENT_CONTROL[] = {
    {"client: a connect notification for an id never given is ignored", "cv-conn-unknown", "confirmed", {2, 16}, 2},
    {"client: a connect notification for id 5 disconnects", "cv-conn-5", "confirmed", {2, 5}, 2},
    {"client: a disconnect notification for an online route is reported", "cv-disc", "route-16-online", {3, 16}, 2},
    {"client: a disconnect notification for id 5 disconnects", "cv-disc-5", "confirmed", {3, 5}, 2},
    {"client: a ping is answered with its id", "cv-ping", "confirmed", {4, 3, 1, 4, 1, 5, 9, 2, 6}, 9},
    {"client: a ping with id 0 is not answered", "cv-ping-0", "confirmed", {4, 0, 0, 0, 0, 0, 0, 0, 0}, 9},
    {"client: a pong with id 0 disconnects", "cv-pong-0", "confirmed", {5, 0, 0, 0, 0, 0, 0, 0, 0}, 9},
};
/* Data and onion responses the relay sends a client. */
static const Verdict_Case CLIENT_DATA[] = {
    {"client: data on an online route is reported", "cv-data", "route-16-online", {16, 0x1b, 7}, 3},
    {"client: data for an id never given is reported too", "cv-data-unknown", "confirmed", {16, 0x1b, 7}, 3},
    {"client: data with no payload disconnects", "cv-data-empty", "route-16-online", {16}, 1},
    {"client: an onion response is reported", "cv-onion", "confirmed", {9, 0x84, 1}, 3},
    {"client: an onion response with nothing in it disconnects", "cv-onion-empty", "confirmed", {9}, 1},
};
/* Frames only a client sends, from the relay. */
static const Verdict_Case CLIENT_RELAY_ONLY[] = {
    {"client: an onion request from the relay disconnects", "cv-onion-req", "confirmed", {8, 1, 2}, 3},
    {"client: a forward request from the relay disconnects", "cv-fwd", "confirmed", {10, 1, 2}, 3},
    {"client: a forwarding frame is taken", "cv-fwding", "confirmed", {11, 1, 2}, 3},
    {"client: type 12 disconnects", "cv-12", "confirmed", {12, 1}, 2},
};


static void gen_packet_verdicts(void)
{
    uint8_t p[1100] = {0}; /* zeroed: "rv-route-34" holds p[33] */
    uint8_t key[KEY];
    seeded("toxlink/relay/verdict-key", key, KEY);

    /* At the relay. */
    p[0] = 0;
    memcpy(p + 1, key, KEY);
    relay_verdict("relay: a routing request of 33 bytes is answered", "rv-route", "confirmed", p, 33);
    relay_verdict("relay: a routing request of 34 bytes closes", "rv-route-34", "confirmed", p, 34);
    relay_verdict("relay: a routing request of 32 bytes closes", "rv-route-32", "confirmed", p, 32);
    RUN_VERDICTS(relay_verdict, RELAY_CONTROL);
    p[0] = 6;
    memcpy(p + 1, key, KEY);
    relay_verdict("relay: an OOB send with no payload closes", "rv-oob-0", "confirmed", p, 33);
    memset(p + 33, 0x18, 1024);
    relay_verdict("relay: an OOB send of 1024 bytes to a key not connected is ignored", "rv-oob-1024", "confirmed", p,
                  33 + 1024);
    relay_verdict("relay: an OOB send of 1025 bytes closes", "rv-oob-1025", "confirmed", p, 33 + 1025);
    p[0] = 7;
    relay_verdict("relay: an OOB receive from a client closes", "rv-oob-recv", "confirmed", p, 40);
    p[0] = 1;
    p[1] = 16;
    relay_verdict("relay: a routing response from a client closes", "rv-resp", "confirmed", p, 34);
    p[0] = 8;
    memset(p + 1, 0x21, 200);
    relay_verdict("relay: an onion request to a relay without an onion is ignored", "rv-onion", "confirmed", p, 201);

    RUN_VERDICTS(relay_verdict, RELAY_OTHER);

    /* At the client. */
    p[0] = 1;
    p[1] = 16;
    memcpy(p + 2, key, KEY);
    client_verdict("client: a routing response is reported", "cv-resp", "confirmed", p, 34);
    p[1] = 0;
    client_verdict("client: a refusal (id 0) is not reported", "cv-resp-0", "confirmed", p, 34);
    p[1] = 5;
    client_verdict("client: a routing response with id 5 is ignored", "cv-resp-5", "confirmed", p, 34);
    p[1] = 16;
    client_verdict("client: a routing response of 33 bytes disconnects", "cv-resp-33", "confirmed", p, 33);
    RUN_VERDICTS(client_verdict, CLIENT_CONTROL);
    p[0] = 7;
    memcpy(p + 1, key, KEY);
    client_verdict("client: an OOB receive with no payload disconnects", "cv-oob-0", "confirmed", p, 33);
    memset(p + 33, 0x18, 1025);
    client_verdict("client: an OOB receive of 1 byte is reported", "cv-oob-1", "confirmed", p, 34);
    client_verdict("client: an OOB receive of 1025 bytes is reported", "cv-oob-1025", "confirmed", p, 33 + 1025);
    RUN_VERDICTS(client_verdict, CLIENT_DATA);
    p[0] = 0;
    memcpy(p + 1, key, KEY);
    client_verdict("client: a routing request from the relay disconnects", "cv-route", "confirmed", p, 33);
    p[0] = 6;
    client_verdict("client: an OOB send from the relay disconnects", "cv-oob-send", "confirmed", p, 40);
    RUN_VERDICTS(client_verdict, CLIENT_RELAY_ONLY);
}

/* --------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    gen_start(argc, argv, "gen-relay");
    CHECK(randombytes_set_implementation(&sodium_impl) == 0, "randombytes_set_implementation");
    CHECK(sodium_init() >= 0, "sodium_init failed");
    logger = logger_new();
    CHECK(logger != NULL, "logger_new failed");
    mono = mono_time_new(clock_cb, NULL);
    CHECK(mono != NULL, "mono_time_new failed");
    ((Mono_Time_Head *)mono)->base_time = 0;
    mono_time_update(mono);
    CHECK(mono_time_get(mono) == clock_ms / 1000, "c-toxcore's clock is not ours");

    keys_of("relay", "secret-key", relay_sk, relay_pk);
    keys_of("fake-relay", "secret-key", fake_sk, fake_pk);
    const uint16_t port = RELAY_PORT;
    relay = new_TCP_server(logger, &rng, &net, false, 1, &port, relay_sk, NULL, NULL);
    CHECK(relay != NULL && listen_sock >= 0, "new_TCP_server failed");

    suite_begin(&hs_out, "relay-handshake",
                "The TCP relay handshakes. Client (128 bytes): [client public key 32][nonce 24][box with the key of the "
                "client's secret key and the relay's public key: [temp public key 32][base nonce 24]]. Relay (96 bytes): "
                "[nonce 24][box with the same key: [temp public key 32][base nonce 24]]. Encode vectors ('side' says "
                "which) give the keys and draws, and the shared key and packet; the relay's also give the client's "
                "temp public key and expect the session key, the key of the two temp keys. Decode vectors give a packet and the receiver's keys, and c-toxcore's "
                "verdict ('answered', 'closed' or 'waits' at the relay; 'connected' or 'disconnected' at the client) "
                "with the fields, or an error: 'bad-mac' (the box does not open) or 'truncated'.",
                SOURCE " Encode vectors: new_TCP_connection (generate_handshake) and the relay's handle_TCP_handshake, "
                "with scripted draws. Decode vectors: handshakes crafted by the generator and given to a c-toxcore relay "
                "(do_TCP_server) or client (do_TCP_connection); the verdict is what it did.");
    suite_begin(&frame_out, "relay-frame",
                "The encrypted frame: [length u16 BE = plaintext + 16][box with the session key and the sender's next "
                "nonce]. Encode vectors give key, nonce and plaintext, and the frame c-toxcore wrote. Decode vectors "
                "give bytes sent after a confirmed client's first frame, with the session key and that client's next "
                "nonce, and what a c-toxcore relay did: 'open' or 'closed', the plaintexts the bytes hold up to where "
                "it stopped, the error that stopped it ('too-long', 'too-short', 'bad-mac'), and its replies.",
                SOURCE " Encode vectors: every frame of a session between two c-toxcore clients and a c-toxcore relay "
                "(write_packet_TCP_secure_connection), opened by the generator with the session key and the nonce it "
                "expected. Decode vectors: bytes crafted by the generator, given to the relay's "
                "read_packet_TCP_secure_connection.");
    suite_begin(&packet_out, "relay-packet",
                "Frame plaintexts c-toxcore built, with their fields: kind (routing-request, routing-response, "
                "connect-notification, disconnect-notification, ping, pong, oob-send, oob-receive, onion-request, "
                "data), public_key, connection_id, ping_id, data, nonce, payload as the kind has them. 'built_by' is "
                "the side ('client', 'relay') and 'function' the c-toxcore function that wrote it.",
                SOURCE " Every plaintext was written by c-toxcore during one session between two c-toxcore clients and "
                "a c-toxcore relay and opened by the generator. The onion response is missing: this relay has no onion.");
    suite_begin(&verdict_out, "relay-verdict",
                "What c-toxcore does with one frame plaintext. Input: the receiver ('relay' or 'client'), the state "
                "of the connection ('confirmed': handshake done, first frame sent, no routes; 'route-16-waiting': "
                "the client asked for a peer that has not asked back; 'route-16-online': both asked, the route is id "
                "16 at both ends) and the plaintext, sealed as the next frame. Expected: whether it closed the "
                "connection (at a client: went to TCP_CLIENT_DISCONNECTED), the frames it sent back ('replies'), at the "
                "relay what the route's peer got ('forwarded'), at a client the callbacks it made ('events').",
                SOURCE " A c-toxcore relay (new_TCP_server, no onion, no forwarding) given frames by a client the "
                "generator plays; a c-toxcore client (new_TCP_connection) given frames by a relay the generator plays.");

    gen_session();
    gen_handshake_verdicts();
    gen_frame_verdicts();
    gen_packet_verdicts();

    suite_end(&hs_out);
    suite_end(&frame_out);
    suite_end(&packet_out);
    suite_end(&verdict_out);
    printf("relay-handshake.json %d vectors\n", hs_out.count);
    printf("relay-frame.json %d vectors\n", frame_out.count);
    printf("relay-packet.json %d vectors\n", packet_out.count);
    printf("relay-verdict.json %d vectors\n", verdict_out.count);
    kill_TCP_connection(a.con);
    kill_TCP_connection(b.con);
    kill_TCP_server(relay);
    mono_time_free(mono);
    logger_kill(logger);
    return 0;
}
