/*
 * c-toxcore's side of bench/dht.ts: a real c-toxcore 0.2.18 DHT node (new_networking_ex +
 * new_dht, linked from the Debian libtoxcore.a) handles the very packets toxlink's DhtNode
 * was timed on, and this prints one JSON line per figure, as bench/dht.ts does.
 *
 *   usage: dht-bench WORKLOAD_FILE SECONDS_PER_FIGURE
 *
 * The workload file is written by bench/dht.ts (layout below). Its packets are sealed for
 * the DHT key pair it names, which this program gives the node. No socket is opened: the
 * node's Network is a table of our own functions. recvfrom hands networking_poll the next
 * packets of the workload, so c-toxcore's own dispatch and handlers (handle_ping_request,
 * handle_getnodes) run on them; sendto counts the answers instead of sending them.
 *
 * c-toxcore's internal headers are not installed, so the few internal functions and
 * structs used here are declared below from a reading of the v0.2.18 sources (network.h,
 * crypto_core.h, mono_time.h, DHT.h, logger.h), with their sizes pinned by static
 * assertions; the program refuses any other library version (struct layouts are private).
 *
 * Linked with -Wl,--wrap=encrypt_precompute, so that the X25519 computations c-toxcore's
 * shared-key cache (get_shared_key) could not avoid are counted.
 */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- c-toxcore 0.2.18 internals, declared by us ------------------------------------- */

typedef struct { uint8_t value; } Tox_Family;
typedef union { uint8_t b[16]; uint64_t q[2]; } Tox_Ip_Union; /* IP6 (16 bytes, 8-aligned) or IP4 */
typedef struct { Tox_Family family; Tox_Ip_Union u; } Tox_Ip;
typedef struct { Tox_Ip ip; uint16_t port; /* network order */ } Tox_Ip_Port;
_Static_assert(sizeof(Tox_Ip) == 24 && sizeof(Tox_Ip_Port) == 32 && offsetof(Tox_Ip_Port, port) == 24, "IP_Port");
enum { FAMILY_IPV4 = 2, FAMILY_IPV6 = 10 };

/* network.c: what the socket calls pass addresses in. */
typedef struct { struct sockaddr_storage addr; size_t size; } Net_Addr;

/* network.h: every socket call c-toxcore makes goes through this table, in this order. */
typedef struct {
    int (*close)(void *obj, int sock);
    int (*accept)(void *obj, int sock);
    int (*bind)(void *obj, int sock, const Net_Addr *addr);
    int (*listen)(void *obj, int sock, int backlog);
    int (*recvbuf)(void *obj, int sock);
    int (*recv)(void *obj, int sock, uint8_t *buf, size_t len);
    int (*recvfrom)(void *obj, int sock, uint8_t *buf, size_t len, Net_Addr *addr);
    int (*send)(void *obj, int sock, const uint8_t *buf, size_t len);
    int (*sendto)(void *obj, int sock, const uint8_t *buf, size_t len, const Net_Addr *addr);
    int (*socket)(void *obj, int domain, int type, int proto);
    int (*socket_nonblock)(void *obj, int sock, bool nonblock);
    int (*getsockopt)(void *obj, int sock, int level, int optname, void *optval, size_t *optlen);
    int (*setsockopt)(void *obj, int sock, int level, int optname, const void *optval, size_t optlen);
    int (*getaddrinfo)(void *obj, int family, Net_Addr **addrs);
    int (*freeaddrinfo)(void *obj, Net_Addr *addrs);
} Net_Funcs;
typedef struct { const Net_Funcs *funcs; void *obj; } Net_Table;
_Static_assert(sizeof(Net_Funcs) == 15 * sizeof(void *) && sizeof(Net_Table) == 16, "Network");

/* tox.h (public, but declared here so the header need not be installed) */
uint32_t tox_version_major(void);
uint32_t tox_version_minor(void);
uint32_t tox_version_patch(void);

typedef struct Logger Logger;
typedef struct Random Random;
typedef struct Mono_Time Mono_Time;
typedef struct Networking_Core Networking_Core;
typedef struct DHT DHT;

Logger *logger_new(void);
const Random *system_random(void);
Mono_Time *mono_time_new(uint64_t (*current_time)(void *user_data), void *user_data);
Networking_Core *new_networking_ex(const Logger *log, const Net_Table *ns, const Tox_Ip *ip, uint16_t port_from,
                                   uint16_t port_to, unsigned int *error);
void networking_poll(const Networking_Core *net, void *userdata);
DHT *new_dht(const Logger *log, const Random *rng, const Net_Table *ns, Mono_Time *mono_time, Networking_Core *net,
             bool hole_punching_enabled, bool lan_discovery_enabled);
void kill_dht(DHT *dht);
void kill_networking(Networking_Core *net);
void mono_time_free(Mono_Time *mono_time);
void dht_set_self_public_key(DHT *dht, const uint8_t *key);
void dht_set_self_secret_key(DHT *dht, const uint8_t *key);
uint32_t addto_lists(DHT *dht, const Tox_Ip_Port *ip_port, const uint8_t *public_key);

/* The shared-key computation, wrapped (--wrap) to be counted. */
int32_t __real_encrypt_precompute(const uint8_t *public_key, const uint8_t *secret_key, uint8_t *shared_key);
int32_t __wrap_encrypt_precompute(const uint8_t *public_key, const uint8_t *secret_key, uint8_t *shared_key);
static uint64_t x25519_count;
int32_t __wrap_encrypt_precompute(const uint8_t *public_key, const uint8_t *secret_key, uint8_t *shared_key)
{
    ++x25519_count;
    return __real_encrypt_precompute(public_key, secret_key, shared_key);
}

/* ---- the workload ------------------------------------------------------------------ */

typedef struct {
    struct sockaddr_in from;
    const uint8_t *data;
    uint16_t len;
} Packet;

typedef struct {
    Packet *packets;
    uint32_t count;
} Packet_Set;

typedef struct {
    uint8_t secret_key[32], public_key[32];
    uint32_t close_count;
    uint8_t (*close_keys)[32];
    Tox_Ip_Port *close_addrs;
    Packet_Set warm, cold;
} Workload;

static void die(const char *what)
{
    printf("{\"name\":\"c-toxcore dht\",\"impl\":\"c-toxcore-0.2.18\",\"skipped\":\"%s\"}\n", what);
    exit(0);
}

static const uint8_t *cursor, *end;

static const uint8_t *take(size_t n)
{
    if ((size_t)(end - cursor) < n) die("workload file truncated");
    const uint8_t *p = cursor;
    cursor += n;
    return p;
}

static uint32_t take_u32(void)
{
    const uint8_t *p = take(4);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A set: u32 count, then per packet: IPv4 (4 bytes), port (2, network order), length (2,
 * little-endian), the packet. */
static Packet_Set take_set(void)
{
    Packet_Set s;
    s.count = take_u32();
    s.packets = calloc(s.count ? s.count : 1, sizeof *s.packets);
    if (s.packets == NULL) die("out of memory");
    for (uint32_t i = 0; i < s.count; ++i) {
        Packet *p = &s.packets[i];
        p->from.sin_family = AF_INET;
        memcpy(&p->from.sin_addr, take(4), 4);
        memcpy(&p->from.sin_port, take(2), 2);
        const uint8_t *l = take(2);
        p->len = (uint16_t)(l[0] | l[1] << 8);
        p->data = take(p->len);
    }
    return s;
}

/* File: "TLDHTW01", secret key, public key, u32 close-node count and per node key (32),
 * IPv4 (4), port (2, network order); then the warm set and the cold set. */
static Workload load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) die("cannot open the workload file");
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)size);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) die("cannot read the workload file");
    fclose(f);
    cursor = buf;
    end = buf + size;
    Workload w;
    if (memcmp(take(8), "TLDHTW01", 8) != 0) die("not a workload file");
    memcpy(w.secret_key, take(32), 32);
    memcpy(w.public_key, take(32), 32);
    w.close_count = take_u32();
    w.close_keys = calloc(w.close_count + 1, 32);
    w.close_addrs = calloc(w.close_count + 1, sizeof *w.close_addrs);
    for (uint32_t i = 0; i < w.close_count; ++i) {
        memcpy(w.close_keys[i], take(32), 32);
        w.close_addrs[i].ip.family.value = FAMILY_IPV4;
        memcpy(w.close_addrs[i].ip.u.b, take(4), 4);
        memcpy(&w.close_addrs[i].port, take(2), 2);
    }
    w.warm = take_set();
    w.cold = take_set();
    return w;
}

/* ---- the fake network -------------------------------------------------------------- */

enum { FAKE_SOCKET = 1000 };

typedef struct {
    const Packet *next, *stop; /* what recvfrom hands out before it "would block" */
    uint64_t answers;          /* ping responses (0x01) and nodes responses (0x04) sent */
    uint64_t other_sent;
    uint64_t bytes_sent;
} Fake_Net;

static int f_ok(void *obj, int sock) { (void)obj; (void)sock; return 0; }
static int f_unsupported(void *obj, int sock) { (void)obj; (void)sock; errno = EOPNOTSUPP; return -1; }
static int f_bind(void *obj, int sock, const Net_Addr *addr) { (void)obj; (void)sock; (void)addr; return 0; }
static int f_listen(void *obj, int sock, int backlog) { (void)obj; (void)sock; (void)backlog; errno = EOPNOTSUPP; return -1; }
static int f_recv(void *obj, int sock, uint8_t *buf, size_t len)
{
    (void)obj; (void)sock; (void)buf; (void)len;
    errno = EWOULDBLOCK;
    return -1;
}
static int f_send(void *obj, int sock, const uint8_t *buf, size_t len)
{
    (void)obj; (void)sock; (void)buf; (void)len;
    errno = EOPNOTSUPP;
    return -1;
}
static int f_socket(void *obj, int domain, int type, int proto) { (void)obj; (void)domain; (void)type; (void)proto; return FAKE_SOCKET; }
static int f_nonblock(void *obj, int sock, bool nonblock) { (void)obj; (void)sock; (void)nonblock; return 0; }
static int f_getsockopt(void *obj, int sock, int level, int name, void *value, size_t *len)
{
    (void)obj; (void)sock; (void)level; (void)name;
    memset(value, 0, *len);
    return 0;
}
static int f_setsockopt(void *obj, int sock, int level, int name, const void *value, size_t len)
{
    (void)obj; (void)sock; (void)level; (void)name; (void)value; (void)len;
    return 0;
}
static int f_getaddrinfo(void *obj, int family, Net_Addr **addrs) { (void)obj; (void)family; (void)addrs; return 0; }
static int f_freeaddrinfo(void *obj, Net_Addr *addrs) { (void)obj; (void)addrs; return 0; }

static int f_recvfrom(void *obj, int sock, uint8_t *buf, size_t len, Net_Addr *addr)
{
    Fake_Net *f = obj;
    (void)sock;
    if (f->next == f->stop) {
        errno = EWOULDBLOCK;
        return -1;
    }
    const Packet *p = f->next++;
    if (p->len > len) die("packet larger than c-toxcore's receive buffer");
    memcpy(buf, p->data, p->len);
    memset(addr, 0, sizeof *addr);
    memcpy(&addr->addr, &p->from, sizeof p->from);
    addr->size = sizeof p->from;
    return p->len;
}

static int f_sendto(void *obj, int sock, const uint8_t *buf, size_t len, const Net_Addr *addr)
{
    Fake_Net *f = obj;
    (void)sock; (void)addr;
    if (len > 0 && (buf[0] == 0x01 || buf[0] == 0x04)) ++f->answers;
    else ++f->other_sent;
    f->bytes_sent += len;
    return (int)len;
}

static const Net_Funcs fake_funcs = {
    f_ok, f_unsupported, f_bind, f_listen, f_ok, f_recv, f_recvfrom, f_send,
    f_sendto, f_socket, f_nonblock, f_getsockopt, f_setsockopt, f_getaddrinfo, f_freeaddrinfo,
};

/* ---- the node ---------------------------------------------------------------------- */

typedef struct {
    Fake_Net fake;
    Net_Table ns;
    Mono_Time *mono_time;
    Networking_Core *net;
    DHT *dht;
} Node;

static Logger *logger;

/* A fresh node with the workload's key pair and its close list filled with the workload's
 * known nodes (addto_lists, as if each had answered). Its clock is the system clock, read
 * once here: nothing times out while the bench runs, on either side. */
static void node_init(Node *n, const Workload *w)
{
    memset(n, 0, sizeof *n);
    n->ns.funcs = &fake_funcs;
    n->ns.obj = &n->fake;
    n->mono_time = mono_time_new(NULL, NULL);
    Tox_Ip any; /* "::", a dual-stack socket as Tox opens by default */
    memset(&any, 0, sizeof any);
    any.family.value = FAMILY_IPV6;
    unsigned int err = 99;
    n->net = new_networking_ex(logger, &n->ns, &any, 33445, 33445, &err);
    if (n->mono_time == NULL || n->net == NULL || err != 0) die("new_networking_ex failed");
    n->dht = new_dht(logger, system_random(), &n->ns, n->mono_time, n->net, true, true);
    if (n->dht == NULL) die("new_dht failed");
    dht_set_self_public_key(n->dht, w->public_key);
    dht_set_self_secret_key(n->dht, w->secret_key);
    for (uint32_t i = 0; i < w->close_count; ++i) addto_lists(n->dht, &w->close_addrs[i], w->close_keys[i]);
}

static void node_free(Node *n)
{
    kill_dht(n->dht);
    kill_networking(n->net);
    mono_time_free(n->mono_time);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { BATCH = 256 };

/* Hands packets [from, from + count) of `set` to networking_poll, BATCH per poll. */
static void feed(Node *n, const Packet_Set *set, uint32_t from, uint32_t count)
{
    for (uint32_t i = 0; i < count; i += BATCH) {
        const uint32_t k = count - i < BATCH ? count - i : BATCH;
        n->fake.next = &set->packets[from + i];
        n->fake.stop = n->fake.next + k;
        networking_poll(n->net, n);
        if (n->fake.next != n->fake.stop) die("networking_poll did not read every packet");
    }
}

static void emit(const char *name, uint64_t packets, double secs, const Node *n, uint64_t x25519)
{
    printf("{\"name\":\"%s\",\"impl\":\"c-toxcore-0.2.18\",\"value\":%.0f,\"unit\":\"packets/s\",\"seconds\":%.3f,"
           "\"packets\":%llu,\"answered\":%llu,\"otherSent\":%llu,\"bytesOut\":%llu,\"x25519\":%llu}\n",
           name, (double)packets / secs, secs, (unsigned long long)packets, (unsigned long long)n->fake.answers,
           (unsigned long long)n->fake.other_sent, (unsigned long long)n->fake.bytes_sent, (unsigned long long)x25519);
}

int main(int argc, char **argv)
{
    if (argc < 3) die("usage: dht-bench WORKLOAD_FILE SECONDS");
    if (tox_version_major() != 0 || tox_version_minor() != 2 || tox_version_patch() != 18) {
        die("libtoxcore is not 0.2.18; the internal struct layouts declared here are that version's");
    }
    const double budget = atof(argv[2]);
    const Workload w = load(argv[1]);
    logger = logger_new();
    if (logger == NULL) die("logger_new failed");
    if (w.warm.count % BATCH != 0 || w.warm.count == 0) die("warm set must be a multiple of 256 packets");

    /* Known senders: the warm set over and over (after one untimed pass that fills the
     * shared-key cache, as a node that has been up a while has it). */
    {
        Node n;
        node_init(&n, &w);
        feed(&n, &w.warm, 0, w.warm.count);
        n.fake.answers = n.fake.other_sent = n.fake.bytes_sent = 0;
        const uint64_t x0 = x25519_count;
        uint64_t done = 0;
        uint32_t at = 0;
        const double start = now_s();
        double t;
        do {
            feed(&n, &w.warm, at, BATCH);
            at = (at + BATCH) % w.warm.count;
            done += BATCH;
            t = now_s() - start;
        } while (t < budget);
        emit(argc > 3 ? argv[3] : "warm", done, t, &n, x25519_count - x0);
        node_free(&n);
    }
    /* Every sender new: one pass over the cold set (each packet from a key never seen
     * before), or as much of it as the budget allows. */
    {
        Node n;
        node_init(&n, &w);
        feed(&n, &w.warm, 0, w.warm.count); /* the same state as above to start from */
        n.fake.answers = n.fake.other_sent = n.fake.bytes_sent = 0;
        const uint64_t x0 = x25519_count;
        uint64_t done = 0;
        const double start = now_s();
        double t;
        do {
            const uint32_t k = w.cold.count - done < BATCH ? (uint32_t)(w.cold.count - done) : BATCH;
            feed(&n, &w.cold, (uint32_t)done, k);
            done += k;
            t = now_s() - start;
        } while (t < budget && done < w.cold.count);
        emit(argc > 4 ? argv[4] : "cold", done, t, &n, x25519_count - x0);
        node_free(&n);
    }
    /* Memory: what a node (Networking_Core + DHT, close list filled as above) holds on the C
     * heap, averaged over 100 of them. c-toxcore allocates its tables (close list, shared-key caches, ping arrays)
     * at their full size when the node is made, so traffic changes this little. */
    {
        enum { NODES = 100 };
        static Node nodes[NODES];
        const struct mallinfo2 before = mallinfo2();
        for (int i = 0; i < NODES; ++i) node_init(&nodes[i], &w);
        const struct mallinfo2 after = mallinfo2();
        const double used = (double)(after.uordblks + after.hblkhd) - (double)(before.uordblks + before.hblkhd);
        printf("{\"name\":\"%s\",\"impl\":\"c-toxcore-0.2.18\",\"value\":%.0f,\"unit\":\"bytes/node\","
               "\"nodes\":%d,\"note\":\"malloc'd by new_networking_ex + new_dht + addto_lists, no traffic\"}\n",
               argc > 5 ? argv[5] : "memory", used / NODES, NODES);
        for (int i = 0; i < NODES; ++i) node_free(&nodes[i]);
    }
    return 0;
}
