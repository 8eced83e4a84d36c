/* Networking of the virt board (virt_net.h, docs/network.md). */
#include "board/virt_net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "dev/plic.h"
#include "dev/virtio_net.h"
#include "replay/replay.h"
#include "util/message.h"

/* Frames a netdev holds for the guest before it drops new ones (a NIC
 * whose driver posts no buffers must not make deja grow without bound;
 * TCP recovers from the drops). */
#define NET_QUEUE_MAX 512

typedef struct NetFrame {
    size_t len;
    uint8_t data[];
} NetFrame;

typedef struct VirtNetdev {
    struct VirtMachine *machine;
    int index;
    VirtNetdevConfig *config;
    NetSlirp *slirp; /* NULL under replay */
    VirtioNet *nic;  /* NULL until a -device uses it */
    FILE *pcap;
    NetFrame *queue[NET_QUEUE_MAX];
    int head, count;
} VirtNetdev;

typedef struct VirtNetState {
    VirtNetdev netdevs[VIRT_MAX_NETDEVS];
    int nic_count;
} VirtNetState;

static VirtNetdevConfig *find_netdev(VirtNetConfig *c, const char *id)
{
    for (int i = 0; i < c->netdev_count; i++)
        if (!strcmp(c->netdevs[i].id, id))
            return &c->netdevs[i];
    return NULL;
}

static bool copy_id(char *dst, const char *value, char *err, size_t err_len)
{
    if (!*value || strlen(value) >= VIRT_NETDEV_ID_MAX) {
        message_format(err, err_len, "id must be 1 to %d characters", VIRT_NETDEV_ID_MAX - 1);
        return false;
    }
    strcpy(dst, value);
    return true;
}

/* ---- options --------------------------------------------------------- */

bool virt_net_parse_netdev(VirtNetConfig *c, const char *spec, char *err, size_t err_len)
{
    size_t type_len = strcspn(spec, ",");
    if (type_len != 4 || strncmp(spec, "user", 4)) {
        message_format(err, err_len, "%.*s: backend not supported (use -netdev user)", (int)type_len,
                spec);
        return false;
    }
    if (c->netdev_count == VIRT_MAX_NETDEVS) {
        message_format(err, err_len, "at most %d netdevs", VIRT_MAX_NETDEVS);
        return false;
    }
    VirtNetdevConfig d = { .spec = strdup(spec) };
    if (!d.spec) {
        message_format(err, err_len, "out of memory");
        return false;
    }
    char *save = NULL;
    char *item = strtok_r(d.spec, ",", &save); /* "user" */
    while ((item = strtok_r(NULL, ",", &save))) {
        char *eq = strchr(item, '=');
        if (!eq) {
            message_format(err, err_len, "Invalid parameter '%s' (expected key=value)", item);
            goto fail;
        }
        *eq = 0;
        const char *value = eq + 1;
        if (!strcmp(item, "id")) {
            if (!copy_id(d.id, value, err, err_len))
                goto fail;
        } else if (!strcmp(item, "net")) {
            d.slirp.net = value;
        } else if (!strcmp(item, "restrict")) {
            if (!strcmp(value, "on") || !strcmp(value, "yes") || !strcmp(value, "true"))
                d.slirp.restricted = true;
            else if (!strcmp(value, "off") || !strcmp(value, "no") || !strcmp(value, "false"))
                d.slirp.restricted = false;
            else {
                message_format(err, err_len, "Parameter 'restrict' expects 'on' or 'off'");
                goto fail;
            }
        } else if (!strcmp(item, "hostfwd")) {
            if (d.slirp.hostfwd_count == NET_SLIRP_MAX_HOSTFWD) {
                message_format(err, err_len, "at most %d hostfwd", NET_SLIRP_MAX_HOSTFWD);
                goto fail;
            }
            d.slirp.hostfwd[d.slirp.hostfwd_count++] = value;
        } else {
            message_format(err, err_len, "Invalid parameter '%s'", item);
            goto fail;
        }
    }
    if (!d.id[0]) {
        message_format(err, err_len, "Parameter 'id' is missing");
        goto fail;
    }
    if (find_netdev(c, d.id)) {
        message_format(err, err_len, "Duplicate ID '%s' for netdev", d.id);
        goto fail;
    }
    c->netdevs[c->netdev_count++] = d;
    return true;
fail:
    free(d.spec);
    return false;
}

bool virt_net_parse_net(VirtNetConfig *c, const char *spec, char *err, size_t err_len)
{
    (void)c;
    if (!strcmp(spec, "none"))
        return true; /* deja has no default NIC: nothing to remove */
    message_format(err, err_len, "only -net none is supported (use -netdev user,id=ID -device "
                          "virtio-net-device,netdev=ID)");
    return false;
}

bool virt_net_parse_object(VirtNetConfig *c, const char *spec, char *err, size_t err_len)
{
    char *copy = strdup(spec);
    if (!copy) {
        message_format(err, err_len, "out of memory");
        return false;
    }
    bool ok = false;
    char *save = NULL;
    char *type = strtok_r(copy, ",", &save);
    const char *netdev = NULL, *file = NULL, *id = NULL;
    if (!type || (strcmp(type, "filter-replay") && strcmp(type, "filter-dump"))) {
        message_format(err, err_len, "object type '%s' is not supported (deja has filter-replay and "
                              "filter-dump)", type ? type : "");
        goto out;
    }
    bool dump = !strcmp(type, "filter-dump");
    char *item;
    while ((item = strtok_r(NULL, ",", &save))) {
        char *eq = strchr(item, '=');
        if (!eq) {
            message_format(err, err_len, "Invalid parameter '%s' (expected key=value)", item);
            goto out;
        }
        *eq = 0;
        if (!strcmp(item, "id"))
            id = eq + 1;
        else if (!strcmp(item, "netdev"))
            netdev = eq + 1;
        else if (dump && !strcmp(item, "file"))
            file = eq + 1;
        else if (!strcmp(item, "queue") && !strcmp(eq + 1, "all"))
            continue;
        else {
            message_format(err, err_len, "Property '%s' not found", item);
            goto out;
        }
    }
    if (!id || !netdev) {
        message_format(err, err_len, "Parameters 'id' and 'netdev' are required");
        goto out;
    }
    VirtNetdevConfig *d = find_netdev(c, netdev);
    if (!d) {
        message_format(err, err_len, "netdev '%s' not found (put -netdev before -object)", netdev);
        goto out;
    }
    if (dump) {
        if (!file) {
            message_format(err, err_len, "Parameter 'file' is missing");
            goto out;
        }
        if (d->dump_file) {
            message_format(err, err_len, "netdev '%s' already has a filter-dump", netdev);
            goto out;
        }
        d->dump_file = strdup(file);
        ok = d->dump_file != NULL;
    } else {
        d->replay_filter = true;
        ok = true;
    }
out:
    free(copy);
    return ok;
}

bool virt_net_parse_mac(const char *text, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (strlen(text) != 17 ||
        sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &tail) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return !(mac[0] & 1); /* a multicast address cannot be a NIC's */
}

/* ---- pcap (classic libpcap format, LINKTYPE_ETHERNET) ---------------- */

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* native order: the magic tells readers which */
}

static bool pcap_open(VirtNetdev *nd, const char *path)
{
    nd->pcap = fopen(path, "wb");
    if (!nd->pcap)
        return false;
    uint8_t h[24];
    put32(h, 0xa1b2c3d4u); /* microsecond timestamps */
    uint16_t major = 2, minor = 4;
    memcpy(h + 4, &major, 2);
    memcpy(h + 6, &minor, 2);
    put32(h + 8, 0);      /* thiszone */
    put32(h + 12, 0);     /* sigfigs */
    put32(h + 16, 65535); /* snaplen */
    put32(h + 20, 1);     /* LINKTYPE_ETHERNET */
    return fwrite(h, sizeof(h), 1, nd->pcap) == 1;
}

/* Timestamps are virtual time, so a replay writes the same file. */
static void pcap_write(VirtNetdev *nd, const uint8_t *frame, size_t len)
{
    if (!nd->pcap)
        return;
    uint64_t ns = clock_now_ns(&nd->machine->clock);
    uint8_t h[16];
    put32(h, (uint32_t)(ns / 1000000000u));
    put32(h + 4, (uint32_t)(ns % 1000000000u / 1000u));
    put32(h + 8, (uint32_t)len);
    put32(h + 12, (uint32_t)len);
    fwrite(h, sizeof(h), 1, nd->pcap);
    fwrite(frame, 1, len, nd->pcap);
}

/* ---- devices --------------------------------------------------------- */

static bool replaying(const VirtMachine *m)
{
    return m->config.replay.mode == REPLAY_PLAY;
}

static VirtNetState *net_state(VirtMachine *m)
{
    if (!m->net) {
        m->net = calloc(1, sizeof(*m->net));
        if (!m->net)
            return NULL;
        for (int i = 0; i < VIRT_MAX_NETDEVS; i++) {
            m->net->netdevs[i].machine = m;
            m->net->netdevs[i].index = i;
            if (i < m->config.net.netdev_count)
                m->net->netdevs[i].config = &m->config.net.netdevs[i];
        }
    }
    return m->net;
}

/* The guest sent a frame (during a slice, at the notify). */
static void nic_transmit(void *opaque, const uint8_t *frame, size_t len)
{
    VirtNetdev *nd = opaque;
    pcap_write(nd, frame, len);
    if (nd->slirp)
        net_slirp_send(nd->slirp, frame, len);
}

/* slirp produced a frame for the guest: queued until a round boundary. */
static void backend_receive(void *opaque, const uint8_t *frame, size_t len)
{
    VirtNetdev *nd = opaque;
    if (nd->count == NET_QUEUE_MAX || !nd->nic)
        return;
    NetFrame *f = malloc(sizeof(*f) + len);
    if (!f)
        return;
    f->len = len;
    memcpy(f->data, frame, len);
    nd->queue[(nd->head + nd->count++) % NET_QUEUE_MAX] = f;
}

bool virt_net_attach_nic(VirtMachine *m, const char *netdev, const char *mac_text,
                         VirtioMmio *slot)
{
    VirtNetdevConfig *d = find_netdev(&m->config.net, netdev);
    if (!d) {
        message_print_error("-device virtio-net-device: Property 'netdev' can't find value '%s'", netdev);
        return false;
    }
    VirtNetState *s = net_state(m);
    if (!s) {
        message_print_error("out of memory");
        return false;
    }
    VirtNetdev *nd = &s->netdevs[d - m->config.net.netdevs];
    if (nd->nic) {
        message_print_error("-device virtio-net-device,netdev=%s: netdev '%s' is already in use", netdev,
                 netdev);
        return false;
    }
    uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + s->nic_count) };
    if (mac_text && !virt_net_parse_mac(mac_text, mac)) {
        message_print_error("-device virtio-net-device: mac=%s: expected a unicast address like "
                 "52:54:00:12:34:56", mac_text);
        return false;
    }
    nd->nic = calloc(1, sizeof(*nd->nic));
    if (!nd->nic) {
        message_print_error("out of memory");
        return false;
    }
    virtio_net_init(nd->nic, mac, nic_transmit, nd);
    virtio_mmio_attach(slot, &m->bus, plic_input(&m->plic, slot->irq_number), &nd->nic->ops,
                       nd->nic);
    virtio_net_set_transport(nd->nic, slot);
    s->nic_count++;
    return true;
}

bool virt_net_create(VirtMachine *m)
{
    VirtNetConfig *c = &m->config.net;
    if (c->netdev_count == 0)
        return true;
    VirtNetState *s = net_state(m);
    if (!s) {
        message_print_error("out of memory");
        return false;
    }
    const char *mode = replaying(m) ? "replay" : "record";
    for (int i = 0; i < c->netdev_count; i++) {
        VirtNetdev *nd = &s->netdevs[i];
        VirtNetdevConfig *d = &c->netdevs[i];
        if (!nd->nic) {
            message_print_error("-netdev %s: no -device virtio-net-device,netdev=%s uses it", d->id, d->id);
            return false;
        }
        if (m->config.replay.mode != REPLAY_OFF && !d->replay_filter) {
            message_print_error("%s: netdev '%s' must have a replay filter to be recorded; add:\n"
                     "    -object filter-replay,id=replay,netdev=%s",
                     mode, d->id, d->id);
            return false;
        }
        if (d->dump_file && !pcap_open(nd, d->dump_file)) {
            message_print_error("-object filter-dump: cannot write '%s'", d->dump_file);
            return false;
        }
        if (replaying(m))
            continue; /* the frames come from the trace: no sockets, no ports */
        char err[512];
        nd->slirp = net_slirp_open(&d->slirp, backend_receive, nd, err, sizeof(err));
        if (!nd->slirp) {
            message_print_error("-netdev user,id=%s: %s", d->id, err);
            return false;
        }
    }
    return true;
}

void virt_net_destroy(VirtMachine *m)
{
    VirtNetState *s = m->net;
    if (s) {
        for (int i = 0; i < VIRT_MAX_NETDEVS; i++) {
            VirtNetdev *nd = &s->netdevs[i];
            net_slirp_close(nd->slirp);
            if (nd->pcap)
                fclose(nd->pcap);
            for (int k = 0; k < nd->count; k++)
                free(nd->queue[(nd->head + k) % NET_QUEUE_MAX]);
            free(nd->nic);
        }
        free(s);
        m->net = NULL;
    }
    VirtNetConfig *c = &m->config.net;
    for (int i = 0; i < c->netdev_count; i++) {
        free(c->netdevs[i].spec);
        free(c->netdevs[i].dump_file);
        c->netdevs[i].spec = c->netdevs[i].dump_file = NULL;
    }
}

bool virt_net_header(VirtMachine *m, TraceHeader *header)
{
    char text[32];
    snprintf(text, sizeof(text), "%d", m->config.net.netdev_count);
    if (!trace_header_set_str(header, "netdevs", text)) {
        message_print_error("%s: too many entries in the trace header", replaying(m) ? "replay" : "record");
        return false;
    }
    return true;
}

bool virt_net_active(const VirtMachine *m)
{
    return m->net && m->config.net.netdev_count > 0;
}

static void deliver(VirtNetdev *nd, const uint8_t *frame, size_t len)
{
    pcap_write(nd, frame, len);
    VirtMachine *m = nd->machine;
    if (m->replay && !replaying(m))
        replay_log_net_frame(m->replay, m->clock.machine_icount, (uint32_t)nd->index, frame, len);
}

void virt_net_round(VirtMachine *m, bool poll)
{
    if (!virt_net_active(m))
        return;
    for (int i = 0; i < m->config.net.netdev_count; i++) {
        VirtNetdev *nd = &m->net->netdevs[i];
        if (poll && nd->slirp)
            net_slirp_poll(nd->slirp, 0);
        while (nd->count) {
            NetFrame *f = nd->queue[nd->head];
            if (!virtio_net_receive(nd->nic, f->data, f->len))
                break;
            deliver(nd, f->data, f->len);
            free(f);
            nd->head = (nd->head + 1) % NET_QUEUE_MAX;
            nd->count--;
        }
    }
}

bool virt_net_idle_wait(VirtMachine *m, int timeout_ms)
{
    if (!virt_net_active(m))
        return false;
    bool any = false;
    int n = m->config.net.netdev_count;
    for (int i = 0; i < n; i++) {
        VirtNetdev *nd = &m->net->netdevs[i];
        /* One wait, shared: the first netdev waits, the others are polled. */
        /* Only a new frame ends the wait: one already queued for a NIC
         * without buffers must not keep an idle machine from advancing. */
        if (nd->slirp && net_slirp_poll(nd->slirp, i == 0 ? timeout_ms : 0))
            any = true;
    }
    return any;
}

void virt_net_replay_frame(void *machine, uint32_t netdev, const uint8_t *frame, size_t len)
{
    VirtMachine *m = machine;
    if (!virt_net_active(m) || netdev >= (uint32_t)m->config.net.netdev_count)
        return; /* the header check makes the netdev counts equal */
    VirtNetdev *nd = &m->net->netdevs[netdev];
    /* The recording delivered it here, so the buffer is there. */
    virtio_net_receive(nd->nic, frame, len);
    pcap_write(nd, frame, len);
}
