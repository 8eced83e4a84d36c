/* virtio-rng / entropy device (virtio 1.2 section 5.4). The bytes come from
 * the host, so they go through the replay log: a notification only marks
 * the queue pending, and the board fills the buffers at the next scheduler
 * round boundary (virtio_rng_service), where record logs them and replay
 * takes them from the trace at the same instruction count. */
#ifndef DEJA_VIRTIO_RNG_H
#define DEJA_VIRTIO_RNG_H

#include <stddef.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_RNG_DEVICE_ID 4
/* Bytes given per buffer at most (a larger buffer gets a partial fill). */
#define VIRTIO_RNG_MAX_FILL 4096u

typedef struct VirtioRng {
    VirtioDeviceOps ops;
    VirtioMmio *transport;
    bool pending; /* notified since the last service */
} VirtioRng;

/* Fills buf with host randomness: returns -1 (REPLAY_CONTINUE) on success
 * or the exit status to stop with (replay divergence). */
typedef int (*VirtioRngFillFn)(void *opaque, void *buf, size_t len);

void virtio_rng_init(VirtioRng *rng);
/* Round boundary: fills every available buffer. Returns -1 or a status. */
int virtio_rng_service(VirtioRng *rng, VirtioRngFillFn fill, void *opaque);

#endif
