/* User-mode networking (-netdev user) on libslirp: a NAT'ed IPv4 network
 * (10.0.2.0/24 by default: gateway 10.0.2.2, DNS 10.0.2.3, DHCP from
 * 10.0.2.15) whose outbound connections become host sockets.
 *
 * Host side only: it never touches guest state. Frames the guest sends go
 * in with net_slirp_send; frames slirp produces for the guest are handed
 * to the receive callback (the board queues them and delivers them at a
 * round boundary, through the replay log). Its sockets and timers are
 * served by net_slirp_poll, on host monotonic time. */
#ifndef DEJA_NET_SLIRP_H
#define DEJA_NET_SLIRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_SLIRP_MAX_HOSTFWD 16

typedef struct NetSlirpOptions {
    const char *net;      /* "10.0.2.0/24" form; NULL: the default */
    bool restricted;      /* restrict=on: no outbound connections */
    const char *hostfwd[NET_SLIRP_MAX_HOSTFWD]; /* "tcp:[HOST]:PORT-[GUEST]:PORT" */
    int hostfwd_count;
} NetSlirpOptions;

typedef void (*NetReceiveFn)(void *opaque, const uint8_t *frame, size_t len);

typedef struct NetSlirp NetSlirp;

/* NULL and a message in err on failure (bad option, port in use). */
NetSlirp *net_slirp_open(const NetSlirpOptions *options, NetReceiveFn receive, void *opaque,
                         char *err, size_t err_len);
void net_slirp_close(NetSlirp *s);
/* A frame from the guest. */
void net_slirp_send(NetSlirp *s, const uint8_t *frame, size_t len);
/* Serves the sockets (waiting up to timeout_ms for one to be ready, 0: no
 * wait) and the expired timers. Returns true if a frame was received. */
bool net_slirp_poll(NetSlirp *s, int timeout_ms);

#endif
