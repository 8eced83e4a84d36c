/* virtio-mmio transport slots of QEMU virt: 8 windows of 0x1000 at
 * 0x10001000 + 0x1000*i, IRQs 1..8. Version 2 (modern) register layout of
 * virtio 1.2 section 4.2.2, split virtqueues (2.7) with indirect
 * descriptors and event-index notification suppression.
 *
 * An empty slot (no backend attached) answers MagicValue, Version 2,
 * DeviceID 0 ("no device": drivers skip it), VendorID "QEMU"; every other
 * register reads 0. A device model (virtio_blk.c, virtio_rng.c) attaches
 * with virtio_mmio_attach and a VirtioDeviceOps table; the transport owns
 * feature negotiation, status, queues and interrupts and hands the device
 * validated descriptor chains.
 *
 * Every value the guest gives (ring addresses, sizes, descriptor indices,
 * chain lengths, directions) is checked. A violation puts the device in
 * DEVICE_NEEDS_RESET (status bit 64, spec 2.1.2) with a configuration
 * change interrupt and one warning line on stderr; the device then ignores
 * notifications until the driver resets it. Guest memory is reached only
 * through bus_dma_read / bus_dma_write. */
#ifndef DEJA_VIRTIO_MMIO_H
#define DEJA_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "dev/device.h"
#include "dev/irq.h"

#define VIRTIO_MMIO_BASE 0x10001000ull
#define VIRTIO_MMIO_SLOT_SIZE 0x1000ull
#define VIRTIO_MMIO_SLOTS 8
#define VIRTIO_MMIO_FIRST_IRQ 1
#define VIRTIO_MMIO_MAGIC 0x74726976u
#define VIRTIO_MMIO_VENDOR_QEMU 0x554d4551u
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MAX_QUEUES 4
#define VIRTIO_QUEUE_MAX_SIZE 256
/* A chain (direct, or the table of an indirect descriptor) never has more
 * elements than this: a longer walk is a loop. */
#define VIRTIO_CHAIN_MAX VIRTIO_QUEUE_MAX_SIZE
/* Bound on the bytes one chain may describe. */
#define VIRTIO_CHAIN_MAX_BYTES (256ull << 20)
/* Warnings a slot prints before it goes quiet (a guest resetting and
 * repeating a violation must not flood stderr). */
#define VIRTIO_MAX_WARNINGS 20

/* Feature bits (virtio 1.2 section 6). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_INT_USED_BUFFER 1u
#define VIRTIO_INT_CONFIG_CHANGE 2u

struct VirtioMmio;

/* One buffer of a chain, already checked to lie inside guest RAM. */
typedef struct VirtioSegment {
    uint64_t addr;
    uint32_t len;
    bool device_writes;
} VirtioSegment;

/* A validated descriptor chain: readable segments first, then writable
 * ones (2.7.4.2). */
typedef struct VirtioChain {
    uint16_t head;
    int count;
    uint64_t readable_len, writable_len;
    VirtioSegment segments[VIRTIO_CHAIN_MAX];
} VirtioChain;

/* What a device model gives the transport. */
typedef struct VirtioDeviceOps {
    const char *name; /* "virtio-blk", for messages */
    uint32_t device_id;
    uint64_t features; /* device-specific bits; the transport adds its own */
    int queue_count;
    /* Config space reads/writes at offset (from 0x100), size 1, 2 or 4. */
    uint32_t (*config_read)(void *dev, uint64_t offset, int size);
    void (*config_write)(void *dev, uint64_t offset, int size, uint32_t value);
    /* The driver notified `queue` (DRIVER_OK, queue ready, no pending reset). */
    void (*queue_notify)(void *dev, struct VirtioMmio *t, int queue);
    void (*reset)(void *dev);
    void (*save)(void *dev, StateWriter *w);
    /* Restores what save wrote (same contract as DeviceClass.load in
     * device.h; t is the slot, for models that keep a pointer to it).
     * NULL: save is NULL too. */
    bool (*load)(void *dev, struct VirtioMmio *t, StateReader *r);
} VirtioDeviceOps;

typedef struct VirtioQueue {
    uint32_t num; /* QueueNum */
    bool ready;
    uint64_t desc, driver, device;
    uint16_t last_avail; /* next avail ring entry the device takes */
    uint16_t used_idx;
    uint16_t signalled_used; /* used_idx at the last interrupt decision */
} VirtioQueue;

typedef struct VirtioMmio {
    uint64_t base;
    uint32_t irq_number;
    uint32_t device_id; /* 0: empty slot */
    Bus *bus;
    IrqLine irq;
    const VirtioDeviceOps *ops;
    void *dev;
    /* Registers. */
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint64_t driver_features;
    uint32_t status;
    uint32_t interrupt_status;
    uint32_t config_generation;
    VirtioQueue queues[VIRTIO_MAX_QUEUES];
    uint32_t warnings; /* printed so far (host side only, not guest state) */
} VirtioMmio;

extern const DeviceClass virtio_mmio_class;

void virtio_mmio_init(VirtioMmio *slot, uint64_t base, uint32_t irq_number);
/* Plugs a device model into an empty slot. */
void virtio_mmio_attach(VirtioMmio *slot, Bus *bus, IrqLine irq, const VirtioDeviceOps *ops,
                        void *dev);
bool virtio_mmio_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool virtio_mmio_write(void *opaque, uint64_t offset, int size, uint64_t value);

/* All feature bits the slot offers (transport + device). */
uint64_t virtio_mmio_offered_features(const VirtioMmio *t);
bool virtio_mmio_has_feature(const VirtioMmio *t, int bit);

/* Takes the next available chain of `queue`: 1 and *chain filled, 0 if the
 * ring is empty, -1 if the guest broke the rules (the device is then in
 * NEEDS_RESET). */
int virtio_queue_pop(VirtioMmio *t, int queue, VirtioChain *chain);
/* Puts a processed chain on the used ring with `written` bytes (nothing if
 * the driver has cleared QueueReady since the chain was taken). */
void virtio_queue_push(VirtioMmio *t, int queue, const VirtioChain *chain, uint32_t written);
/* After a batch of pushes: raises the used-buffer interrupt unless the
 * driver suppressed it (flags or used_event), and publishes avail_event. */
void virtio_queue_notify_guest(VirtioMmio *t, int queue);
/* Copies from the readable part / into the writable part of a chain, at a
 * byte offset within that part. false if it does not fit. */
bool virtio_chain_read(VirtioMmio *t, const VirtioChain *chain, uint64_t offset, void *dst,
                       uint64_t len);
bool virtio_chain_write(VirtioMmio *t, const VirtioChain *chain, uint64_t offset,
                        const void *src, uint64_t len);
/* A guest rule violation: NEEDS_RESET, config interrupt, one warning. */
void virtio_mmio_needs_reset(VirtioMmio *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
