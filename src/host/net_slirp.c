/* -netdev user on libslirp (net_slirp.h). */
#include "host/net_slirp.h"
#include "util/message.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slirp/libslirp.h>

#define NET_SLIRP_MAX_TIMERS 32
#define NET_SLIRP_MAX_FDS 256

typedef struct NetSlirpTimer {
    bool used, armed;
    int64_t expire_ms;
    SlirpTimerCb cb;
    void *cb_opaque;
} NetSlirpTimer;

struct NetSlirp {
    Slirp *slirp;
    NetReceiveFn receive;
    void *opaque;
    bool received;
    NetSlirpTimer timers[NET_SLIRP_MAX_TIMERS];
    struct pollfd fds[NET_SLIRP_MAX_FDS];
    int fd_count;
};

static int64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    NetSlirp *s = opaque;
    s->received = true;
    s->receive(s->opaque, buf, len);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "deja: -netdev user: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return host_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    NetSlirp *s = opaque;
    for (int i = 0; i < NET_SLIRP_MAX_TIMERS; i++) {
        if (!s->timers[i].used) {
            s->timers[i] = (NetSlirpTimer){ .used = true, .cb = cb, .cb_opaque = cb_opaque };
            return &s->timers[i];
        }
    }
    fprintf(stderr, "deja: -netdev user: out of timers\n");
    abort(); /* slirp does not check for NULL */
}

static void cb_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    NetSlirpTimer *t = timer;
    t->used = t->armed = false;
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    NetSlirpTimer *t = timer;
    t->armed = true;
    t->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_register_poll_fd,
    .notify = cb_notify,
};

/* "10.0.2.0/24" or "10.0.2.0" (then /24). */
static bool parse_net(const char *text, struct in_addr *net, struct in_addr *mask, char *err,
                      size_t err_len)
{
    char addr[64];
    unsigned bits = 24;
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    if (n >= sizeof(addr))
        goto bad;
    memcpy(addr, text, n);
    addr[n] = 0;
    if (slash) {
        char *end;
        unsigned long b = strtoul(slash + 1, &end, 10);
        if (*end || b < 1 || b > 30)
            goto bad;
        bits = (unsigned)b;
    }
    if (!inet_aton(addr, net))
        goto bad;
    mask->s_addr = htonl(~0u << (32 - bits));
    net->s_addr &= mask->s_addr;
    return true;
bad:
    message_format(err, err_len, "net=%s: expected an IPv4 network like 10.0.2.0/24", text);
    return false;
}

/* "[ADDR]:PORT" with an optional empty address. */
static bool parse_addr_port(const char *text, size_t len, struct in_addr *addr, int *port)
{
    char buf[64];
    if (len >= sizeof(buf))
        return false;
    memcpy(buf, text, len);
    buf[len] = 0;
    char *colon = strrchr(buf, ':');
    if (!colon)
        return false;
    *colon = 0;
    if (buf[0] && !inet_aton(buf, addr))
        return false;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535)
        return false;
    *port = (int)p;
    return true;
}

static bool add_hostfwd(NetSlirp *s, const char *spec, struct in_addr guest_net, char *err,
                        size_t err_len)
{
    bool udp;
    const char *rest;
    if (!strncmp(spec, "tcp:", 4)) {
        udp = false;
        rest = spec + 4;
    } else if (!strncmp(spec, "udp:", 4)) {
        udp = true;
        rest = spec + 4;
    } else if (spec[0] == ':') {
        udp = false;
        rest = spec + 1;
    } else {
        goto bad;
    }
    const char *dash = strchr(rest, '-');
    if (!dash)
        goto bad;
    /* Host forwards listen on loopback unless an address is given. */
    struct in_addr host = { htonl(INADDR_LOOPBACK) };
    /* Default guest: the first DHCP address (x.x.x.15). */
    struct in_addr guest = { htonl(ntohl(guest_net.s_addr) | 15) };
    int host_port, guest_port;
    if (!parse_addr_port(rest, (size_t)(dash - rest), &host, &host_port) ||
        !parse_addr_port(dash + 1, strlen(dash + 1), &guest, &guest_port))
        goto bad;
    if (slirp_add_hostfwd(s->slirp, udp, host, host_port, guest, guest_port) < 0) {
        message_format(err, err_len, "hostfwd=%s: could not set up host forwarding (port in use?)",
                spec);
        return false;
    }
    return true;
bad:
    message_format(err, err_len,
            "hostfwd=%s: expected tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", spec);
    return false;
}

NetSlirp *net_slirp_open(const NetSlirpOptions *o, NetReceiveFn receive, void *opaque,
                         char *err, size_t err_len)
{
    struct in_addr net, mask;
    if (!parse_net(o->net ? o->net : "10.0.2.0/24", &net, &mask, err, err_len))
        return NULL;
    NetSlirp *s = calloc(1, sizeof(*s));
    if (!s) {
        message_format(err, err_len, "out of memory");
        return NULL;
    }
    s->receive = receive;
    s->opaque = opaque;
    uint32_t base = ntohl(net.s_addr);
    SlirpConfig cfg = {
        .version = 3,
        .restricted = o->restricted,
        .in_enabled = true,
        .vnetwork = net,
        .vnetmask = mask,
        .vhost = { htonl(base | 2) },
        .vdhcp_start = { htonl(base | 15) },
        .vnameserver = { htonl(base | 3) },
        .vhostname = "deja",
    };
    s->slirp = slirp_new(&cfg, &callbacks, s);
    if (!s->slirp) {
        message_format(err, err_len, "libslirp could not start");
        free(s);
        return NULL;
    }
    for (int i = 0; i < o->hostfwd_count; i++) {
        if (!add_hostfwd(s, o->hostfwd[i], net, err, err_len)) {
            net_slirp_close(s);
            return NULL;
        }
    }
    return s;
}

void net_slirp_close(NetSlirp *s)
{
    if (!s)
        return;
    slirp_cleanup(s->slirp);
    free(s);
}

void net_slirp_send(NetSlirp *s, const uint8_t *frame, size_t len)
{
    slirp_input(s->slirp, frame, (int)len);
}

static int add_poll(int fd, int events, void *opaque)
{
    NetSlirp *s = opaque;
    if (s->fd_count == NET_SLIRP_MAX_FDS)
        return -1;
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    s->fds[s->fd_count] = (struct pollfd){ .fd = fd, .events = ev };
    return s->fd_count++;
}

static int get_revents(int idx, void *opaque)
{
    NetSlirp *s = opaque;
    if (idx < 0 || idx >= s->fd_count)
        return 0;
    short r = s->fds[idx].revents;
    int out = 0;
    if (r & POLLIN)
        out |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        out |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        out |= SLIRP_POLL_PRI;
    if (r & (POLLERR | POLLNVAL))
        out |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        out |= SLIRP_POLL_HUP;
    return out;
}

static void run_timers(NetSlirp *s, int64_t now_ms)
{
    for (int i = 0; i < NET_SLIRP_MAX_TIMERS; i++) {
        NetSlirpTimer *t = &s->timers[i];
        if (t->used && t->armed && t->expire_ms <= now_ms) {
            t->armed = false;
            t->cb(t->cb_opaque);
        }
    }
}

bool net_slirp_poll(NetSlirp *s, int timeout_ms)
{
    s->received = false;
    s->fd_count = 0;
    uint32_t timeout = timeout_ms < 0 ? UINT32_MAX : (uint32_t)timeout_ms;
    slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
    int64_t now_ms = host_ns() / 1000000;
    for (int i = 0; i < NET_SLIRP_MAX_TIMERS; i++) {
        const NetSlirpTimer *t = &s->timers[i];
        if (t->used && t->armed) {
            int64_t left = t->expire_ms > now_ms ? t->expire_ms - now_ms : 0;
            if ((uint64_t)left < timeout)
                timeout = (uint32_t)left;
        }
    }
    if (timeout > (uint32_t)timeout_ms)
        timeout = (uint32_t)timeout_ms;
    int n = poll(s->fds, (nfds_t)s->fd_count, (int)timeout);
    slirp_pollfds_poll(s->slirp, n < 0 && errno != EINTR, get_revents, s);
    run_timers(s, host_ns() / 1000000);
    return s->received;
}
