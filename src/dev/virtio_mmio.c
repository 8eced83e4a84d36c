/* Empty virtio-mmio slots (virtio_mmio.h). */
#include "dev/virtio_mmio.h"

#include <libfdt.h>

void virtio_mmio_init(VirtioMmio *slot, uint64_t base, uint32_t irq_number)
{
    slot->base = base;
    slot->irq_number = irq_number;
    slot->device_id = 0;
}

bool virtio_mmio_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    VirtioMmio *slot = opaque;
    uint64_t v = 0;
    if (size == 4) {
        switch (offset) {
        case 0x000:
            v = VIRTIO_MMIO_MAGIC;
            break;
        case 0x004:
            v = 2;
            break;
        case 0x008:
            v = slot->device_id;
            break;
        case 0x00c:
            v = VIRTIO_MMIO_VENDOR_QEMU;
            break;
        default:
            break;
        }
    }
    *value = v;
    return true;
}

bool virtio_mmio_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    return true;
}

static void virtio_mmio_reset(void *state)
{
}

static int virtio_mmio_fdt_node(void *state, DevFdtContext *ctx)
{
    VirtioMmio *slot = state;
    int err;
    if ((err = dev_fdt_begin_node(ctx, "virtio_mmio", slot->base)) ||
        (err = dev_fdt_plic_irq(ctx, slot->irq_number)) ||
        (err = dev_fdt_reg(ctx, slot->base, VIRTIO_MMIO_SLOT_SIZE)) ||
        (err = fdt_property_string(ctx->fdt, "compatible", "virtio,mmio")))
        return err;
    return fdt_end_node(ctx->fdt);
}

static void virtio_mmio_save(void *state, StateWriter *w)
{
    const VirtioMmio *dev = state;
    state_put_u32(w, dev->device_id);
}

const DeviceClass virtio_mmio_class = {
    .name = "virtio_mmio",
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .reset = virtio_mmio_reset,
    .fdt_node = virtio_mmio_fdt_node,
    .save = virtio_mmio_save,
};
