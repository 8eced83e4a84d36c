/* virtio-mmio transport slots of QEMU virt: 8 windows of 0x1000 at
 * 0x10001000 + 0x1000*i, IRQs 1..8. For now every slot is empty: it
 * answers MagicValue "virt", Version 2 (modern, virtio 1.2 section 4.2.2),
 * DeviceID 0 ("no device": drivers skip the slot), VendorID "QEMU"; every
 * other register reads 0 and writes are ignored. */
#ifndef DEJA_VIRTIO_MMIO_H
#define DEJA_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/device.h"

#define VIRTIO_MMIO_BASE 0x10001000ull
#define VIRTIO_MMIO_SLOT_SIZE 0x1000ull
#define VIRTIO_MMIO_SLOTS 8
#define VIRTIO_MMIO_FIRST_IRQ 1
#define VIRTIO_MMIO_MAGIC 0x74726976u
#define VIRTIO_MMIO_VENDOR_QEMU 0x554d4551u

typedef struct VirtioMmio {
    uint64_t base;
    uint32_t irq_number;
    uint32_t device_id; /* 0: empty slot */
} VirtioMmio;

extern const DeviceClass virtio_mmio_class;

void virtio_mmio_init(VirtioMmio *slot, uint64_t base, uint32_t irq_number);
bool virtio_mmio_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool virtio_mmio_write(void *opaque, uint64_t offset, int size, uint64_t value);

#endif
