/*
 * The fake UDP network and the DHT nodes on it (see fake-net.h). Our own code.
 */
#include "fake-net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Addresses.
 * ------------------------------------------------------------------------------------ */

IP_Port ip_port_of(const char *host, uint16_t port)
{
    IP_Port ipp;
    memset(&ipp, 0, sizeof ipp);
    if (strchr(host, ':') != NULL) {
        CHECK(inet_pton(AF_INET6, host, ipp.ip.ip.v6.uint8) == 1, "bad IPv6 %s", host);
        ipp.ip.family.value = NET_FAMILY_IPV6;
    } else {
        CHECK(inet_pton(AF_INET, host, ipp.ip.ip.v4.uint8) == 1, "bad IPv4 %s", host);
        ipp.ip.family.value = NET_FAMILY_IPV4;
    }
    ipp.port = htons(port);
    return ipp;
}

void to_sockaddr(const IP_Port *ipp, Arrival how, Network_Addr *out)
{
    memset(out, 0, sizeof *out);
    if (ipp->ip.family.value == NET_FAMILY_IPV4 && how == IPV4_SOCKET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&out->addr;
        a->sin_family = AF_INET;
        a->sin_port = ipp->port;
        memcpy(&a->sin_addr, ipp->ip.ip.v4.uint8, 4);
        out->size = sizeof *a;
        return;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = ipp->port;
    uint8_t *b = (uint8_t *)&a->sin6_addr;
    if (ipp->ip.family.value == NET_FAMILY_IPV4) {
        b[10] = b[11] = 0xff;
        memcpy(b + 12, ipp->ip.ip.v4.uint8, 4);
    } else {
        memcpy(b, ipp->ip.ip.v6.uint8, 16);
    }
    out->size = sizeof *a;
}

IP_Port from_sockaddr(const Network_Addr *in)
{
    IP_Port ipp;
    memset(&ipp, 0, sizeof ipp);
    if (in->addr.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&in->addr;
        ipp.ip.family.value = NET_FAMILY_IPV4;
        memcpy(ipp.ip.ip.v4.uint8, &a->sin_addr, 4);
        ipp.port = a->sin_port;
        return ipp;
    }
    CHECK(in->addr.ss_family == AF_INET6, "sendto with address family %d", in->addr.ss_family);
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&in->addr;
    const uint8_t *b = (const uint8_t *)&a->sin6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
        ipp.ip.family.value = NET_FAMILY_IPV4;
        memcpy(ipp.ip.ip.v4.uint8, b + 12, 4);
    } else {
        ipp.ip.family.value = NET_FAMILY_IPV6;
        memcpy(ipp.ip.ip.v6.uint8, b, 16);
    }
    ipp.port = a->sin6_port;
    return ipp;
}

bool same_ip_port(const IP_Port *a, const IP_Port *b)
{
    if (a->ip.family.value != b->ip.family.value || a->port != b->port) {
        return false;
    }
    const bool v6 = a->ip.family.value == NET_FAMILY_IPV6 || a->ip.family.value == NET_FAMILY_TCP_IPV6;
    return memcmp(&a->ip.ip, &b->ip.ip, v6 ? 16 : 4) == 0;
}

void format_ip_port(char *out, size_t size, const IP_Port *ipp)
{
    const uint8_t family = ipp->ip.family.value;
    CHECK(family == NET_FAMILY_IPV4 || family == NET_FAMILY_IPV6, "format_ip of family %u", family);
    const bool v6 = family == NET_FAMILY_IPV6;
    format_ip(out, size, v6, v6 ? ipp->ip.ip.v6.uint8 : ipp->ip.ip.v4.uint8);
}

void emit_node(Json *j, const Node_format *node)
{
    bool v6, tcp;
    switch (node->ip_port.ip.family.value) {
        case NET_FAMILY_IPV4: v6 = false; tcp = false; break;
        case NET_FAMILY_IPV6: v6 = true; tcp = false; break;
        case NET_FAMILY_TCP_IPV4: v6 = false; tcp = true; break;
        case NET_FAMILY_TCP_IPV6: v6 = true; tcp = true; break;
        default: die("unexpected node family %u", node->ip_port.ip.family.value);
    }
    char host[64];
    format_ip(host, sizeof host, v6, v6 ? node->ip_port.ip.ip.v6.uint8 : node->ip_port.ip.ip.v4.uint8);
    j_open(j, '{');
    kv_str(j, "protocol", tcp ? "tcp" : "udp");
    kv_str(j, "host", host);
    kv_u64(j, "port", ntohs(node->ip_port.port));
    kv_hex(j, "public_key", node->public_key, KEY_SIZE);
    j_close(j, '}');
}

void emit_nodes(Json *j, const char *k, const Node_format *nodes, int count)
{
    j_key(j, k);
    j_open(j, '[');
    for (int i = 0; i < count; ++i) {
        emit_node(j, &nodes[i]);
    }
    j_close(j, ']');
}

/* ---------------------------------------------------------------------------------------
 * The socket table.
 * ------------------------------------------------------------------------------------ */

static int fake_close(void *obj, int sock) { UNUSED(obj); UNUSED(sock); return 0; }
static int fake_accept(void *obj, int sock) { UNUSED(obj); UNUSED(sock); errno = EOPNOTSUPP; return -1; }
static int fake_bind(void *obj, int sock, const Network_Addr *addr) { UNUSED(obj); UNUSED(sock); UNUSED(addr); return 0; }
static int fake_listen(void *obj, int sock, int backlog)
{
    UNUSED(obj); UNUSED(sock); UNUSED(backlog);
    errno = EOPNOTSUPP;
    return -1;
}
static int fake_recvbuf(void *obj, int sock) { UNUSED(obj); UNUSED(sock); return 0; }
static int fake_recv(void *obj, int sock, uint8_t *buf, size_t len)
{
    UNUSED(obj); UNUSED(sock); UNUSED(buf); UNUSED(len);
    errno = EWOULDBLOCK;
    return -1;
}
static int fake_send(void *obj, int sock, const uint8_t *buf, size_t len)
{
    UNUSED(obj); UNUSED(sock); UNUSED(buf); UNUSED(len);
    errno = EOPNOTSUPP;
    return -1;
}
static int fake_socket(void *obj, int domain, int type, int proto)
{
    UNUSED(obj); UNUSED(domain); UNUSED(type); UNUSED(proto);
    return FAKE_SOCKET;
}
static int fake_socket_nonblock(void *obj, int sock, bool nonblock) { UNUSED(obj); UNUSED(sock); UNUSED(nonblock); return 0; }
static int fake_getsockopt(void *obj, int sock, int level, int optname, void *optval, size_t *optlen)
{
    UNUSED(obj); UNUSED(sock); UNUSED(level); UNUSED(optname);
    memset(optval, 0, *optlen);
    return 0;
}
static int fake_setsockopt(void *obj, int sock, int level, int optname, const void *optval, size_t optlen)
{
    UNUSED(obj); UNUSED(sock); UNUSED(level); UNUSED(optname); UNUSED(optval); UNUSED(optlen);
    return 0;
}
static int fake_getaddrinfo(void *obj, int family, Network_Addr **addrs)
{
    UNUSED(obj); UNUSED(family); UNUSED(addrs);
    return 0;
}
static int fake_freeaddrinfo(void *obj, Network_Addr *addrs) { UNUSED(obj); UNUSED(addrs); return 0; }

/* Hands c-toxcore the one packet udp_node_deliver() queued, then "would block". */
static int fake_recvfrom(void *obj, int sock, uint8_t *buf, size_t len, Network_Addr *addr)
{
    Fake_Net *f = (Fake_Net *)obj;
    CHECK(sock == FAKE_SOCKET, "recvfrom on socket %d", sock);
    if (!f->pending) {
        errno = EWOULDBLOCK;
        return -1;
    }
    CHECK(f->in_len <= len, "packet larger than c-toxcore's receive buffer");
    memcpy(buf, f->in, f->in_len);
    *addr = f->in_from;
    f->pending = false;
    return (int)f->in_len;
}

/* Records what c-toxcore sends. */
static int fake_sendto(void *obj, int sock, const uint8_t *buf, size_t len, const Network_Addr *addr)
{
    Fake_Net *f = (Fake_Net *)obj;
    CHECK(sock == FAKE_SOCKET, "sendto on socket %d", sock);
    CHECK(f->n_sent < FAKE_MAX_SENT && len <= PACKET_CAP, "c-toxcore sent more than the fake network records");
    Sent_Packet *p = &f->sent[f->n_sent++];
    memcpy(p->data, buf, len);
    p->len = len;
    p->to = from_sockaddr(addr);
    return (int)len;
}

const Network_Funcs fake_network_funcs = {
    fake_close, fake_accept, fake_bind, fake_listen, fake_recvbuf, fake_recv, fake_recvfrom, fake_send,
    fake_sendto, fake_socket, fake_socket_nonblock, fake_getsockopt, fake_setsockopt, fake_getaddrinfo,
    fake_freeaddrinfo,
};

static void det_random_bytes(void *obj, uint8_t *bytes, size_t length) { det_fill((Det_Rng *)obj, bytes, length); }

static uint32_t det_random_uniform(void *obj, uint32_t upper_bound)
{
    uint32_t x;
    det_fill((Det_Rng *)obj, (uint8_t *)&x, sizeof x);
    return upper_bound == 0 ? 0 : x % upper_bound;
}

const Random_Funcs det_random_funcs = {det_random_bytes, det_random_uniform};

/* ---------------------------------------------------------------------------------------
 * DHT nodes.
 * ------------------------------------------------------------------------------------ */

void udp_node_init(Udp_Node *u, const char *prefix, const char *label, const char *host, uint16_t port)
{
    snprintf(u->label, sizeof u->label, "%s", label);
    seeded_f(u->sk, KEY_SIZE, "%s/%s/secret-key", prefix, label);
    CHECK(crypto_scalarmult_base(u->pk, u->sk) == 0, "scalarmult_base");
    seeded_f(u->rng.seed, sizeof u->rng.seed, "%s/%s/rng", prefix, label);
    u->random.funcs = &det_random_funcs;
    u->random.obj = &u->rng;
    u->ns.funcs = &fake_network_funcs;
    u->ns.obj = &u->fnet;
    u->addr = ip_port_of(host, port);
}

void udp_node_open(Udp_Node *u, const Logger *logger, bool lan_discovery_enabled)
{
    IP any; /* :: — a dual-stack socket */
    memset(&any, 0, sizeof any);
    any.family.value = NET_FAMILY_IPV6;
    const uint16_t port = ntohs(u->addr.port);
    unsigned int err = 99;
    u->net = new_networking_ex(logger, &u->ns, &any, port, port, &err);
    CHECK(u->net != NULL && err == 0, "%s: new_networking_ex failed (%u)", u->label, err);
    u->dht = new_dht(logger, &u->random, &u->ns, u->mono_time, u->net, false, lan_discovery_enabled);
    CHECK(u->dht != NULL, "%s: new_dht failed", u->label);
    dht_set_self_public_key(u->dht, u->pk);
    dht_set_self_secret_key(u->dht, u->sk);
}

void udp_node_close(Udp_Node *u)
{
    kill_dht(u->dht);
    kill_networking(u->net);
    mono_time_free(u->mono_time);
}

int udp_node_deliver(Udp_Node *u, const IP_Port *from, Arrival how, const uint8_t *packet, size_t len,
                     void *userdata)
{
    Fake_Net *f = &u->fnet;
    f->in = packet;
    f->in_len = len;
    to_sockaddr(from, how, &f->in_from);
    f->pending = true;
    f->n_sent = 0;
    networking_poll(u->net, userdata);
    CHECK(!f->pending, "networking_poll did not read the packet");
    return f->n_sent;
}
