/*
 * c-toxcore 0.2.18 internals that more than one generator uses, declared by us.
 *
 * c-toxcore's internal headers are not installed, so these prototypes and structs are
 * written from a reading of the v0.2.18 sources (toxcore/network.h, network.c, DHT.h,
 * crypto_core.h, logger.h, mono_time.h, mono_time.c, TCP_client.h, net_crypto.h) and their
 * layouts are pinned with static assertions; gen_start refuses any other library version,
 * and generate.sh checks the sizes of the library's own empty_ip_port and
 * empty_node_format objects. What only one generator uses is declared in that generator.
 */
#ifndef TOXCORE_INTERNAL_H
#define TOXCORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ---- network.h ---- */

typedef struct Family {
    uint8_t value;
} Family;

typedef union IP4 {
    uint32_t uint32;
    uint16_t uint16[2];
    uint8_t uint8[4];
} IP4;

typedef union IP6 {
    uint8_t uint8[16];
    uint16_t uint16[8];
    uint32_t uint32[4];
    uint64_t uint64[2];
} IP6;

typedef union IP_Union {
    IP4 v4;
    IP6 v6;
} IP_Union;

typedef struct IP {
    Family family;
    IP_Union ip;
} IP;

/* `port` is kept in network byte order, as c-toxcore keeps it. */
typedef struct IP_Port {
    IP ip;
    uint16_t port;
} IP_Port;

/* DHT.h */
typedef struct Node_format {
    uint8_t public_key[32];
    IP_Port ip_port;
} Node_format;

/* The in-memory family values of 0.2.18 (network.h). On the wire pack_ip_port writes 2, 10,
 * 130 and 138; in an IP_Port the TCP families are TCP_INET and TCP_INET6. */
enum {
    NET_FAMILY_IPV4 = 2,        /* TOX_AF_INET */
    NET_FAMILY_IPV6 = 10,       /* TOX_AF_INET6 */
    NET_FAMILY_TCP_CLIENT = 11, /* TCP_CLIENT_FAMILY = TOX_AF_INET6 + 1 */
    NET_FAMILY_TCP_IPV4 = 12,   /* TCP_INET = TOX_AF_INET6 + 2 */
    NET_FAMILY_TCP_IPV6 = 13,   /* TCP_INET6 = TOX_AF_INET6 + 3 */
};

/* Sizes derived from the 0.2.18 declarations on x86-64: IP6 has a uint64_t member, so
 * IP_Union is 16 bytes aligned to 8, IP puts it at offset 8 (24 bytes), IP_Port adds a
 * uint16_t at 24 and pads to 32, Node_format is a 32-byte key followed by it (64). */
_Static_assert(sizeof(Family) == 1, "Family");
_Static_assert(sizeof(IP4) == 4, "IP4");
_Static_assert(sizeof(IP6) == 16 && _Alignof(IP6) == 8, "IP6");
_Static_assert(sizeof(IP_Union) == 16, "IP_Union");
_Static_assert(sizeof(IP) == 24 && offsetof(IP, ip) == 8, "IP");
_Static_assert(sizeof(IP_Port) == 32 && offsetof(IP_Port, port) == 24, "IP_Port");
_Static_assert(sizeof(Node_format) == 64 && offsetof(Node_format, ip_port) == 32, "Node_format");

/* ---- logger.h ---- */

typedef struct Logger Logger;
Logger *logger_new(void);
void logger_kill(Logger *log);

/* ---- crypto_core.h ---- */

int32_t encrypt_precompute(const uint8_t *public_key, const uint8_t *secret_key, uint8_t *shared_key);
int32_t encrypt_data_symmetric(const uint8_t *shared_key, const uint8_t *nonce, const uint8_t *plain, size_t length,
                               uint8_t *encrypted);
int32_t decrypt_data_symmetric(const uint8_t *shared_key, const uint8_t *nonce, const uint8_t *encrypted, size_t length,
                               uint8_t *plain);
int32_t encrypt_data(const uint8_t *public_key, const uint8_t *secret_key, const uint8_t *nonce, const uint8_t *plain,
                     size_t length, uint8_t *encrypted);
int32_t decrypt_data(const uint8_t *public_key, const uint8_t *secret_key, const uint8_t *nonce,
                     const uint8_t *encrypted, size_t length, uint8_t *plain);
void increment_nonce(uint8_t *nonce);
void increment_nonce_number(uint8_t *nonce, uint32_t increment);

/* The random source every c-toxcore object draws from. The generators hand c-toxcore a
 * deterministic one, so nonces, ping ids and keys that c-toxcore draws are inputs. */
typedef void crypto_random_bytes_cb(void *obj, uint8_t *bytes, size_t length);
typedef uint32_t crypto_random_uniform_cb(void *obj, uint32_t upper_bound);
typedef struct Random_Funcs {
    crypto_random_bytes_cb *random_bytes;
    crypto_random_uniform_cb *random_uniform;
} Random_Funcs;
typedef struct Random {
    const Random_Funcs *funcs;
    void *obj;
} Random;

/* ---- network.h / network.c ---- */

/* The POSIX socket calls c-toxcore makes, as a table (fifteen function pointers in the
 * header's order). The generators give it tables of their own, so no packet leaves the
 * process. Network_Addr is defined in network.c; this is its layout. */
typedef struct Network_Addr {
    struct sockaddr_storage addr;
    size_t size;
} Network_Addr;
typedef struct Network_Funcs {
    int (*close)(void *obj, int sock);
    int (*accept)(void *obj, int sock);
    int (*bind)(void *obj, int sock, const Network_Addr *addr);
    int (*listen)(void *obj, int sock, int backlog);
    int (*recvbuf)(void *obj, int sock);
    int (*recv)(void *obj, int sock, uint8_t *buf, size_t len);
    int (*recvfrom)(void *obj, int sock, uint8_t *buf, size_t len, Network_Addr *addr);
    int (*send)(void *obj, int sock, const uint8_t *buf, size_t len);
    int (*sendto)(void *obj, int sock, const uint8_t *buf, size_t len, const Network_Addr *addr);
    int (*socket)(void *obj, int domain, int type, int proto);
    int (*socket_nonblock)(void *obj, int sock, bool nonblock);
    int (*getsockopt)(void *obj, int sock, int level, int optname, void *optval, size_t *optlen);
    int (*setsockopt)(void *obj, int sock, int level, int optname, const void *optval, size_t optlen);
    int (*getaddrinfo)(void *obj, int family, Network_Addr **addrs);
    int (*freeaddrinfo)(void *obj, Network_Addr *addrs);
} Network_Funcs;
typedef struct Network {
    const Network_Funcs *funcs;
    void *obj;
} Network;
_Static_assert(sizeof(Random) == 16 && sizeof(Network) == 16 && sizeof(Network_Funcs) == 15 * sizeof(void *),
               "Random / Network");

typedef struct Networking_Core Networking_Core;
Networking_Core *new_networking_ex(const Logger *log, const Network *ns, const IP *ip, uint16_t port_from,
                                   uint16_t port_to, unsigned int *error);
void networking_poll(const Networking_Core *net, void *userdata);
void kill_networking(Networking_Core *net);

/* ---- mono_time.h / mono_time.c ----
 *
 * mono_time_new anchors its seconds to the wall clock by setting `base_time` (the second
 * field of struct Mono_Time on every non-Windows build) from time(). A generator that owns
 * the clock sets base_time to 0 and calls mono_time_update, so c-toxcore's seconds are
 * exactly its own, and checks the result with mono_time_get. */
typedef struct Mono_Time Mono_Time;
typedef uint64_t mono_time_current_time_cb(void *user_data);
typedef struct Mono_Time_Head {
    uint64_t cur_time;
    uint64_t base_time;
} Mono_Time_Head;
Mono_Time *mono_time_new(mono_time_current_time_cb *current_time_callback, void *user_data);
void mono_time_free(Mono_Time *mono_time);
void mono_time_update(Mono_Time *mono_time);
uint64_t mono_time_get(const Mono_Time *mono_time);

/* ---- DHT.h ---- */

typedef struct DHT DHT;
typedef int cryptopacket_handler_cb(void *object, const IP_Port *ip_port, const uint8_t *source_pubkey,
                                    const uint8_t *data, uint16_t len, void *userdata);
DHT *new_dht(const Logger *log, const Random *rng, const Network *ns, Mono_Time *mono_time, Networking_Core *net,
             bool hole_punching_enabled, bool lan_discovery_enabled);
void kill_dht(DHT *dht);
void dht_set_self_public_key(DHT *dht, const uint8_t *key);
void dht_set_self_secret_key(DHT *dht, const uint8_t *key);
uint32_t addto_lists(DHT *dht, const IP_Port *ip_port, const uint8_t *public_key);
int pack_nodes(const Logger *logger, uint8_t *data, uint16_t length, const Node_format *nodes, uint16_t number);
int unpack_nodes(Node_format *nodes, uint16_t max_num_nodes, uint16_t *processed_data_len, const uint8_t *data,
                 uint16_t length, bool tcp_enabled);
int create_request(const Random *rng, const uint8_t *send_public_key, const uint8_t *send_secret_key, uint8_t *packet,
                   const uint8_t *recv_public_key, const uint8_t *data, uint32_t data_length, uint8_t request_id);

/* ---- TCP_client.h: no proxy is type 0 ---- */

typedef struct TCP_Proxy_Info {
    IP_Port ip_port;
    uint8_t proxy_type;
} TCP_Proxy_Info;
_Static_assert(sizeof(TCP_Proxy_Info) == 40, "TCP_Proxy_Info");

/* ---- net_crypto.h ---- */

typedef struct Net_Crypto Net_Crypto;
Net_Crypto *new_net_crypto(const Logger *log, const Random *rng, const Network *ns, Mono_Time *mono_time, DHT *dht,
                           const TCP_Proxy_Info *proxy_info);
void kill_net_crypto(Net_Crypto *c);
void load_secret_key(Net_Crypto *c, const uint8_t *sk);
const uint8_t *nc_get_self_public_key(const Net_Crypto *c);

#endif
