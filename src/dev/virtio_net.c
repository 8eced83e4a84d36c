/* virtio-net device (virtio_net.h), virtio 1.2 section 5.1. */
#include "dev/virtio_net.h"

#include <string.h>

#define RX_QUEUE 0
#define TX_QUEUE 1

/* Config space (5.1.4): mac[6], status (le16). */
static uint32_t net_config_read(void *dev, uint64_t offset, int size)
{
    const VirtioNet *n = dev;
    uint8_t config[8];
    memcpy(config, n->mac, 6);
    config[6] = VIRTIO_NET_S_LINK_UP;
    config[7] = 0;
    uint32_t value = 0;
    for (int i = 0; i < size; i++)
        if (offset + (uint64_t)i < sizeof(config))
            value |= (uint32_t)config[offset + i] << (8 * i);
    return value;
}

/* The driver may write the mac only with VIRTIO_NET_F_CTRL_MAC_ADDR or on
 * legacy devices (5.1.4.2): neither applies, writes are ignored. */
static void net_config_write(void *dev, uint64_t offset, int size, uint32_t value)
{
    (void)dev;
    (void)offset;
    (void)size;
    (void)value;
}

static void net_transmit_all(VirtioNet *n, VirtioMmio *t)
{
    uint8_t frame[VIRTIO_NET_MAX_FRAME];
    int st;
    while ((st = virtio_queue_pop(t, TX_QUEUE, &n->chain)) > 0) {
        const VirtioChain *c = &n->chain;
        if (c->writable_len) {
            virtio_mmio_needs_reset(t, "transmit buffer has device-writable parts");
            return;
        }
        /* 5.1.6.2: header then frame; a frame too large for a device
         * without GSO, or a chain shorter than the header, is dropped. */
        if (c->readable_len >= VIRTIO_NET_HDR_SIZE &&
            c->readable_len - VIRTIO_NET_HDR_SIZE <= sizeof(frame)) {
            size_t len = (size_t)(c->readable_len - VIRTIO_NET_HDR_SIZE);
            if (len && virtio_chain_read(t, c, VIRTIO_NET_HDR_SIZE, frame, len) && n->transmit)
                n->transmit(n->opaque, frame, len);
        }
        virtio_queue_push(t, TX_QUEUE, c, 0);
    }
    virtio_queue_notify_guest(t, TX_QUEUE);
}

static void net_queue_notify(void *dev, VirtioMmio *t, int queue)
{
    VirtioNet *n = dev;
    n->transport = t;
    if (queue == TX_QUEUE)
        net_transmit_all(n, t);
    /* Receive buffers are used at the next round boundary. */
}

static void net_reset(void *dev)
{
    (void)dev;
}

static void net_save(void *dev, StateWriter *w)
{
    const VirtioNet *n = dev;
    state_put_bytes(w, n->mac, sizeof(n->mac));
}

static bool net_load(void *dev, VirtioMmio *t, StateReader *r)
{
    VirtioNet *n = dev;
    uint8_t mac[6];
    if (!state_get_bytes(r, mac, sizeof(mac)) || memcmp(mac, n->mac, sizeof(mac)) != 0)
        return false;
    n->transport = t;
    return true;
}

void virtio_net_init(VirtioNet *n, const uint8_t mac[6], VirtioNetTransmitFn transmit,
                     void *opaque)
{
    memset(n, 0, sizeof(*n));
    memcpy(n->mac, mac, 6);
    n->transmit = transmit;
    n->opaque = opaque;
    n->ops = (VirtioDeviceOps){
        .name = "virtio-net",
        .device_id = VIRTIO_NET_DEVICE_ID,
        .features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
        .queue_count = 2,
        .config_read = net_config_read,
        .config_write = net_config_write,
        .queue_notify = net_queue_notify,
        .reset = net_reset,
        .save = net_save,
        .load = net_load,
    };
}

void virtio_net_set_transport(VirtioNet *n, VirtioMmio *t)
{
    n->transport = t;
}

bool virtio_net_receive(VirtioNet *n, const uint8_t *frame, size_t len)
{
    VirtioMmio *t = n->transport;
    if (!t || !(t->status & VIRTIO_STATUS_DRIVER_OK))
        return false;
    if (virtio_queue_pop(t, RX_QUEUE, &n->chain) <= 0)
        return false;
    const VirtioChain *c = &n->chain;
    if (c->readable_len || c->writable_len < VIRTIO_NET_HDR_SIZE) {
        virtio_mmio_needs_reset(t, "receive buffer is not device-writable or shorter than the "
                                   "header");
        return true; /* the frame is lost with the device */
    }
    /* 5.1.6.4: flags 0, gso_type NONE, num_buffers 1 (VERSION_1). */
    uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { 0 };
    hdr[10] = 1;
    uint64_t room = c->writable_len - VIRTIO_NET_HDR_SIZE;
    size_t n_bytes = len < room ? len : (size_t)room; /* truncated if the buffer is short */
    virtio_chain_write(t, c, 0, hdr, sizeof(hdr));
    virtio_chain_write(t, c, VIRTIO_NET_HDR_SIZE, frame, n_bytes);
    virtio_queue_push(t, RX_QUEUE, c, (uint32_t)(VIRTIO_NET_HDR_SIZE + n_bytes));
    virtio_queue_notify_guest(t, RX_QUEUE);
    return true;
}
