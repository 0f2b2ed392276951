/*
 * The fake UDP network of gen.c and gen-onion.c, and the c-toxcore DHT node they run on it.
 *
 * A Fake_Net is the `obj` of a Network whose functions (fake_network_funcs) are ours:
 * recvfrom hands c-toxcore the one packet the generator queued, sendto records what
 * c-toxcore sends instead of sending it, and the other calls succeed or fail without
 * touching the system. No socket is opened, no packet leaves the process.
 *
 * A Udp_Node is a real c-toxcore DHT object (new_networking_ex + new_dht) on such a
 * network, with a seeded key pair and a Det_Rng as its Random (det_random_funcs), so every
 * byte it draws is scripted or seeded. The generators embed it as their nodes' first
 * member `u`.
 */
#ifndef FAKE_NET_H
#define FAKE_NET_H

#include "gen-common.h"
#include "toxcore-internal.h"

#define PACKET_CAP 2048
#define FAKE_SOCKET 1000
#define FAKE_MAX_SENT 64

typedef struct Sent_Packet {
    uint8_t data[PACKET_CAP];
    size_t len;
    IP_Port to;
} Sent_Packet;

typedef struct Fake_Net {
    const uint8_t *in;
    size_t in_len;
    Network_Addr in_from;
    bool pending;
    Sent_Packet sent[FAKE_MAX_SENT];
    int n_sent;
} Fake_Net;

extern const Network_Funcs fake_network_funcs;

/* A Det_Rng as c-toxcore's Random (a uniform draw takes 4 bytes). */
extern const Random_Funcs det_random_funcs;

/* How a packet reaches a node: c-toxcore opens one dual-stack socket (bound to ::), so an
 * IPv4 sender arrives as ::ffff:a.b.c.d; IPV4_SOCKET hands it over as AF_INET instead. */
typedef enum Arrival { DUAL_STACK, IPV4_SOCKET } Arrival;

/* host (dotted quad or IPv6 text) and port as a UDP IP_Port. */
IP_Port ip_port_of(const char *host, uint16_t port);
void to_sockaddr(const IP_Port *ipp, Arrival how, Network_Addr *out);
/* The destination c-toxcore gave sendto, with IPv4-mapped IPv6 turned back into IPv4. */
IP_Port from_sockaddr(const Network_Addr *in);
bool same_ip_port(const IP_Port *a, const IP_Port *b);
/* format_ip of a UDP IP_Port (IPv4 or IPv6; dies on any other family). */
void format_ip_port(char *out, size_t size, const IP_Port *ipp);

/* Writes a node as {protocol, host, port, public_key}; a list of them under key `k`. */
void emit_node(Json *j, const Node_format *node);
void emit_nodes(Json *j, const char *k, const Node_format *nodes, int count);

typedef struct Udp_Node {
    char label[96];
    uint8_t pk[KEY_SIZE], sk[KEY_SIZE]; /* DHT key pair */
    IP_Port addr;                       /* where the other nodes see it */
    Det_Rng rng;
    Random random;
    Fake_Net fnet;
    Network ns;
    Mono_Time *mono_time;
    Networking_Core *net;
    DHT *dht;
} Udp_Node;

/* Seeds the key pair from "PREFIX/LABEL/secret-key" and the random stream from
 * "PREFIX/LABEL/rng", wires the Random and the Network, and sets the address. The caller
 * then makes u->mono_time and calls udp_node_open. */
void udp_node_init(Udp_Node *u, const char *prefix, const char *label, const char *host, uint16_t port);
/* Opens c-toxcore's networking on :: (a dual-stack socket, as Tox opens by default) and
 * its DHT with the node's keys. */
void udp_node_open(Udp_Node *u, const Logger *logger, bool lan_discovery_enabled);
/* Frees the DHT, the networking and the clock. */
void udp_node_close(Udp_Node *u);
/* Hands `packet` to the node as if it came from `from`, runs networking_poll (with
 * `userdata`) and returns how many packets the node sent while handling it. */
int udp_node_deliver(Udp_Node *u, const IP_Port *from, Arrival how, const uint8_t *packet, size_t len,
                     void *userdata);

#endif
