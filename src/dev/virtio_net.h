/* virtio-net (virtio 1.2 section 5.1): one receive queue (0) and one
 * transmit queue (1), the 12-byte virtio_net_hdr of VERSION_1, no
 * offloads (no checksum, GSO or mergeable-buffer features), features MAC
 * and STATUS (link always up).
 *
 * Transmit happens at the notification: each frame goes to the transmit
 * callback (the netdev backend, or nowhere under replay). Receive is
 * driven by the board: frames from the host are queued outside the device
 * and put into receive buffers with virtio_net_receive only at scheduler
 * round boundaries, through the replay log (docs/network.md). */
#ifndef DEJA_VIRTIO_NET_H
#define DEJA_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_NET_DEVICE_ID 1
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_HDR_SIZE 12
/* Largest frame taken from the guest or given to it: no GSO, so an
 * Ethernet frame with a VLAN tag fits; larger ones are dropped. */
#define VIRTIO_NET_MAX_FRAME 1522u

typedef void (*VirtioNetTransmitFn)(void *opaque, const uint8_t *frame, size_t len);

typedef struct VirtioNet {
    VirtioDeviceOps ops;
    VirtioMmio *transport;
    uint8_t mac[6];
    VirtioNetTransmitFn transmit;
    void *opaque;
    VirtioChain chain; /* scratch */
} VirtioNet;

void virtio_net_init(VirtioNet *n, const uint8_t mac[6], VirtioNetTransmitFn transmit,
                     void *opaque);
/* After virtio_mmio_attach: the slot the device sits in. */
void virtio_net_set_transport(VirtioNet *n, VirtioMmio *t);
/* Puts one frame into the next receive buffer and interrupts the guest.
 * false if the driver has no buffer ready (the frame was not taken). */
bool virtio_net_receive(VirtioNet *n, const uint8_t *frame, size_t len);

#endif
