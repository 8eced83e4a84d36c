/* virtio-rng (virtio_rng.h), virtio 1.2 section 5.4: one request queue of
 * device-writable buffers. */
#include "dev/virtio_rng.h"

#include <stdlib.h>
#include <string.h>

static void rng_queue_notify(void *dev, VirtioMmio *t, int queue)
{
    VirtioRng *rng = dev;
    rng->transport = t;
    rng->pending = true;
}

static void rng_reset(void *dev)
{
    VirtioRng *rng = dev;
    rng->pending = false;
}

static void rng_save(void *dev, StateWriter *w)
{
    const VirtioRng *rng = dev;
    state_put_bool(w, rng->pending);
}

static bool rng_load(void *dev, VirtioMmio *t, StateReader *r)
{
    VirtioRng *rng = dev;
    bool pending = state_get_bool(r);
    if (r->failed)
        return false;
    rng->pending = pending;
    rng->transport = t; /* set by the first notify in a live run */
    return true;
}

void virtio_rng_init(VirtioRng *rng)
{
    memset(rng, 0, sizeof(*rng));
    rng->ops = (VirtioDeviceOps){
        .name = "virtio-rng",
        .device_id = VIRTIO_RNG_DEVICE_ID,
        .features = 0,
        .queue_count = 1,
        .queue_notify = rng_queue_notify,
        .reset = rng_reset,
        .save = rng_save,
        .load = rng_load,
    };
}

int virtio_rng_service(VirtioRng *rng, VirtioRngFillFn fill, void *opaque)
{
    if (!rng->pending)
        return -1;
    rng->pending = false;
    VirtioMmio *t = rng->transport;
    VirtioChain *c = malloc(sizeof(*c));
    if (!c)
        return -1;
    uint8_t buf[VIRTIO_RNG_MAX_FILL];
    int status = -1;
    while (virtio_queue_pop(t, 0, c) > 0) {
        if (c->readable_len || !c->writable_len) {
            virtio_mmio_needs_reset(t, "request buffer is not device-writable");
            break;
        }
        size_t n = c->writable_len < sizeof(buf) ? (size_t)c->writable_len : sizeof(buf);
        status = fill(opaque, buf, n);
        if (status != -1)
            break;
        virtio_chain_write(t, c, 0, buf, n);
        virtio_queue_push(t, 0, c, (uint32_t)n);
    }
    free(c);
    virtio_queue_notify_guest(t, 0);
    return status;
}
