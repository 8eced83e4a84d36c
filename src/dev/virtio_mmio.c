/* virtio-mmio transport, version 2, and split virtqueues (virtio_mmio.h).
 * Register offsets: virtio 1.2 section 4.2.2; rings: section 2.7.
 * Guest memory is little-endian and so is every host deja supports; the
 * ring fields are assembled from bytes anyway so no alignment is assumed. */
#include "dev/virtio_mmio.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_QUEUE_RESET = 0x0c0,
    REG_CONFIG_GENERATION = 0x0fc,
};

/* Descriptor flags (2.7.5). */
#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u
#define DESC_SIZE 16u
/* avail.flags (2.7.6) */
#define AVAIL_F_NO_INTERRUPT 1u

#define TRANSPORT_FEATURES                                                                  \
    ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX) |                         \
     (1ull << VIRTIO_F_INDIRECT_DESC))

void virtio_mmio_init(VirtioMmio *slot, uint64_t base, uint32_t irq_number)
{
    memset(slot, 0, sizeof(*slot));
    slot->base = base;
    slot->irq_number = irq_number;
}

static void virtio_update_irq(VirtioMmio *t)
{
    irq_set(t->irq, t->interrupt_status != 0);
}

static void virtio_transport_reset(VirtioMmio *t)
{
    t->device_features_sel = 0;
    t->driver_features_sel = 0;
    t->queue_sel = 0;
    t->driver_features = 0;
    t->status = 0;
    t->interrupt_status = 0;
    memset(t->queues, 0, sizeof(t->queues));
    virtio_update_irq(t);
}

void virtio_mmio_attach(VirtioMmio *slot, Bus *bus, IrqLine irq, const VirtioDeviceOps *ops,
                        void *dev)
{
    slot->bus = bus;
    slot->irq = irq;
    slot->ops = ops;
    slot->dev = dev;
    slot->device_id = ops->device_id;
    virtio_transport_reset(slot);
}

uint64_t virtio_mmio_offered_features(const VirtioMmio *t)
{
    return t->ops ? t->ops->features | TRANSPORT_FEATURES : 0;
}

bool virtio_mmio_has_feature(const VirtioMmio *t, int bit)
{
    return (t->driver_features >> bit) & 1;
}

void virtio_mmio_needs_reset(VirtioMmio *t, const char *fmt, ...)
{
    if (!(t->status & VIRTIO_STATUS_NEEDS_RESET) && t->warnings < VIRTIO_MAX_WARNINGS) {
        t->warnings++;
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        fprintf(stderr, "deja: warning: %s@0x%llx: %s; device needs reset%s\n",
                t->ops ? t->ops->name : "virtio", (unsigned long long)t->base, msg,
                t->warnings == VIRTIO_MAX_WARNINGS ? " (further warnings suppressed)" : "");
    }
    t->status |= VIRTIO_STATUS_NEEDS_RESET;
    t->interrupt_status |= VIRTIO_INT_CONFIG_CHANGE;
    virtio_update_irq(t);
}

static VirtioQueue *virtio_selected_queue(VirtioMmio *t)
{
    return t->ops && t->queue_sel < (uint32_t)t->ops->queue_count ? &t->queues[t->queue_sel]
                                                                    : NULL;
}

static uint64_t set_low(uint64_t old, uint32_t v)
{
    return (old & ~0xffffffffull) | v;
}

static uint64_t set_high(uint64_t old, uint32_t v)
{
    return (old & 0xffffffffull) | ((uint64_t)v << 32);
}

/* Ring sizes (2.7): descriptor table 16*n (align 16), driver area
 * 6 + 2n (align 2), device area 6 + 8n (align 4). */
static bool virtio_queue_check(VirtioMmio *t, const VirtioQueue *q, int index)
{
    if (q->num == 0 || q->num > VIRTIO_QUEUE_MAX_SIZE) {
        virtio_mmio_needs_reset(t, "queue %d: size %u not in 1..%u", index, q->num,
                                VIRTIO_QUEUE_MAX_SIZE);
        return false;
    }
    if ((q->desc & 15) || (q->driver & 1) || (q->device & 3)) {
        virtio_mmio_needs_reset(t, "queue %d: misaligned ring address", index);
        return false;
    }
    if (!bus_is_ram(t->bus, q->desc, (uint64_t)DESC_SIZE * q->num) ||
        !bus_is_ram(t->bus, q->driver, 6 + 2ull * q->num) ||
        !bus_is_ram(t->bus, q->device, 6 + 8ull * q->num)) {
        virtio_mmio_needs_reset(t, "queue %d: ring outside guest RAM", index);
        return false;
    }
    return true;
}

static bool virtio_accept_features(VirtioMmio *t)
{
    uint64_t offered = virtio_mmio_offered_features(t);
    /* A legacy-only driver or one asking for bits we did not offer cannot
     * be accepted (3.1.1 step 5: FEATURES_OK stays clear). */
    return (t->driver_features & ~offered) == 0 &&
           (t->driver_features & (1ull << VIRTIO_F_VERSION_1));
}

static void virtio_write_status(VirtioMmio *t, uint32_t value)
{
    if (value == 0) { /* 4.2.3.1: writing 0 resets the device */
        virtio_transport_reset(t);
        if (t->ops && t->ops->reset)
            t->ops->reset(t->dev);
        return;
    }
    value &= 0xff & ~VIRTIO_STATUS_NEEDS_RESET;
    if ((value & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK) &&
        !virtio_accept_features(t))
        value &= ~VIRTIO_STATUS_FEATURES_OK;
    t->status = value | (t->status & VIRTIO_STATUS_NEEDS_RESET);
}

bool virtio_mmio_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    VirtioMmio *t = opaque;
    uint64_t v = 0;
    if (offset >= VIRTIO_MMIO_CONFIG) {
        /* Device config space: 1, 2 and 4-byte accesses (8 is split by
         * drivers, 4.2.2.2); offsets past the device's config read 0. */
        if (t->ops && t->ops->config_read && size <= 4)
            v = t->ops->config_read(t->dev, offset - VIRTIO_MMIO_CONFIG, size);
        *value = v;
        return true;
    }
    if (size != 4) { /* registers are 32-bit only (4.2.2.2) */
        *value = 0;
        return true;
    }
    VirtioQueue *q = virtio_selected_queue(t);
    switch (offset) {
    case REG_MAGIC:
        v = VIRTIO_MMIO_MAGIC;
        break;
    case REG_VERSION:
        v = 2;
        break;
    case REG_DEVICE_ID:
        v = t->device_id;
        break;
    case REG_VENDOR_ID:
        v = VIRTIO_MMIO_VENDOR_QEMU;
        break;
    default:
        if (!t->ops)
            break; /* empty slot: everything else reads 0 */
        switch (offset) {
        case REG_DEVICE_FEATURES:
            v = t->device_features_sel < 2
                    ? (uint32_t)(virtio_mmio_offered_features(t) >> (32 * t->device_features_sel))
                    : 0;
            break;
        case REG_QUEUE_NUM_MAX:
            v = q ? VIRTIO_QUEUE_MAX_SIZE : 0;
            break;
        case REG_QUEUE_READY:
            v = q ? q->ready : 0;
            break;
        case REG_INTERRUPT_STATUS:
            v = t->interrupt_status;
            break;
        case REG_STATUS:
            v = t->status;
            break;
        case REG_CONFIG_GENERATION:
            v = t->config_generation;
            break;
        case REG_SHM_LEN_LOW:
        case REG_SHM_LEN_HIGH:
        case REG_SHM_BASE_LOW:
        case REG_SHM_BASE_HIGH:
            v = 0xffffffffu; /* no shared memory regions */
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
    VirtioMmio *t = opaque;
    if (!t->ops)
        return true;
    uint32_t v = (uint32_t)value;
    if (offset >= VIRTIO_MMIO_CONFIG) {
        if (t->ops->config_write && size <= 4)
            t->ops->config_write(t->dev, offset - VIRTIO_MMIO_CONFIG, size, v);
        return true;
    }
    if (size != 4)
        return true;
    VirtioQueue *q = virtio_selected_queue(t);
    switch (offset) {
    case REG_DEVICE_FEATURES_SEL:
        t->device_features_sel = v;
        break;
    case REG_DRIVER_FEATURES:
        if (t->status & VIRTIO_STATUS_FEATURES_OK)
            break; /* features are fixed once accepted */
        if (t->driver_features_sel == 0)
            t->driver_features = set_low(t->driver_features, v);
        else if (t->driver_features_sel == 1)
            t->driver_features = set_high(t->driver_features, v);
        break;
    case REG_DRIVER_FEATURES_SEL:
        t->driver_features_sel = v;
        break;
    case REG_QUEUE_SEL:
        t->queue_sel = v;
        break;
    case REG_QUEUE_NUM:
        if (q && !q->ready)
            q->num = v;
        break;
    case REG_QUEUE_READY:
        if (!q)
            break;
        if ((v & 1) && !q->ready) {
            if (virtio_queue_check(t, q, (int)t->queue_sel)) {
                q->ready = true;
                q->last_avail = q->used_idx = q->signalled_used = 0;
            }
        } else if (!(v & 1)) {
            q->ready = false;
        }
        break;
    case REG_QUEUE_NOTIFY:
        if (v < (uint32_t)t->ops->queue_count && t->queues[v].ready &&
            (t->status & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_NEEDS_RESET) &&
            t->ops->queue_notify)
            t->ops->queue_notify(t->dev, t, (int)v);
        break;
    case REG_INTERRUPT_ACK:
        t->interrupt_status &= ~v;
        virtio_update_irq(t);
        break;
    case REG_STATUS:
        virtio_write_status(t, v);
        break;
    case REG_QUEUE_DESC_LOW:
        if (q && !q->ready)
            q->desc = set_low(q->desc, v);
        break;
    case REG_QUEUE_DESC_HIGH:
        if (q && !q->ready)
            q->desc = set_high(q->desc, v);
        break;
    case REG_QUEUE_DRIVER_LOW:
        if (q && !q->ready)
            q->driver = set_low(q->driver, v);
        break;
    case REG_QUEUE_DRIVER_HIGH:
        if (q && !q->ready)
            q->driver = set_high(q->driver, v);
        break;
    case REG_QUEUE_DEVICE_LOW:
        if (q && !q->ready)
            q->device = set_low(q->device, v);
        break;
    case REG_QUEUE_DEVICE_HIGH:
        if (q && !q->ready)
            q->device = set_high(q->device, v);
        break;
    default:
        break;
    }
    return true;
}

/* ---- split virtqueue ---- */

static bool guest_u16(VirtioMmio *t, uint64_t addr, uint16_t *out)
{
    uint8_t b[2];
    if (!bus_dma_read(t->bus, addr, b, 2))
        return false;
    *out = (uint16_t)(b[0] | b[1] << 8);
    return true;
}

static bool guest_put_u16(VirtioMmio *t, uint64_t addr, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    return bus_dma_write(t->bus, addr, b, 2);
}

typedef struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} Desc;

static bool guest_desc(VirtioMmio *t, uint64_t addr, Desc *d)
{
    uint8_t b[DESC_SIZE];
    if (!bus_dma_read(t->bus, addr, b, DESC_SIZE))
        return false;
    d->addr = 0;
    for (int i = 7; i >= 0; i--)
        d->addr = d->addr << 8 | b[i];
    d->len = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
    d->flags = (uint16_t)(b[12] | b[13] << 8);
    d->next = (uint16_t)(b[14] | b[15] << 8);
    return true;
}

static bool chain_add(VirtioMmio *t, int queue, VirtioChain *c, const Desc *d)
{
    bool writes = d->flags & DESC_F_WRITE;
    if (c->count >= VIRTIO_CHAIN_MAX) {
        virtio_mmio_needs_reset(t, "queue %d: descriptor chain longer than %d (loop?)", queue,
                                VIRTIO_CHAIN_MAX);
        return false;
    }
    if (d->len == 0) {
        virtio_mmio_needs_reset(t, "queue %d: zero-length descriptor", queue);
        return false;
    }
    if (!bus_is_ram(t->bus, d->addr, d->len)) {
        virtio_mmio_needs_reset(t, "queue %d: buffer 0x%llx+%u outside guest RAM", queue,
                                (unsigned long long)d->addr, d->len);
        return false;
    }
    if (!writes && c->writable_len) { /* 2.7.4.2 */
        virtio_mmio_needs_reset(t, "queue %d: readable descriptor after a writable one", queue);
        return false;
    }
    if (c->readable_len + c->writable_len + d->len > VIRTIO_CHAIN_MAX_BYTES) {
        virtio_mmio_needs_reset(t, "queue %d: chain larger than %llu bytes", queue,
                                VIRTIO_CHAIN_MAX_BYTES);
        return false;
    }
    c->segments[c->count++] = (VirtioSegment){ d->addr, d->len, writes };
    if (writes)
        c->writable_len += d->len;
    else
        c->readable_len += d->len;
    return true;
}

/* Walks an indirect table (2.7.5.3): its own index space, no nesting. */
static bool chain_indirect(VirtioMmio *t, int queue, VirtioChain *c, const Desc *ind)
{
    if (!virtio_mmio_has_feature(t, VIRTIO_F_INDIRECT_DESC) || (ind->flags & DESC_F_NEXT)) {
        virtio_mmio_needs_reset(t, "queue %d: indirect descriptor not allowed here", queue);
        return false;
    }
    uint32_t n = ind->len / DESC_SIZE;
    if (ind->len % DESC_SIZE || n == 0 || n > VIRTIO_CHAIN_MAX ||
        !bus_is_ram(t->bus, ind->addr, ind->len)) {
        virtio_mmio_needs_reset(t, "queue %d: bad indirect table 0x%llx+%u", queue,
                                (unsigned long long)ind->addr, ind->len);
        return false;
    }
    uint32_t i = 0;
    for (uint32_t steps = 0;; steps++) {
        Desc d = { 0 };
        if (steps >= n) {
            virtio_mmio_needs_reset(t, "queue %d: indirect chain loops", queue);
            return false;
        }
        if (!guest_desc(t, ind->addr + (uint64_t)i * DESC_SIZE, &d))
            return false; /* cannot happen: table checked */
        if (d.flags & DESC_F_INDIRECT) {
            virtio_mmio_needs_reset(t, "queue %d: nested indirect descriptor", queue);
            return false;
        }
        if (!chain_add(t, queue, c, &d))
            return false;
        if (!(d.flags & DESC_F_NEXT))
            return true;
        if (d.next >= n) {
            virtio_mmio_needs_reset(t, "queue %d: indirect next index %u >= %u", queue, d.next,
                                    n);
            return false;
        }
        i = d.next;
    }
}

int virtio_queue_pop(VirtioMmio *t, int queue, VirtioChain *chain)
{
    if (queue < 0 || !t->ops || queue >= t->ops->queue_count)
        return 0;
    VirtioQueue *q = &t->queues[queue];
    if (!q->ready || (t->status & VIRTIO_STATUS_NEEDS_RESET))
        return 0;
    uint16_t avail_idx, head = 0;
    if (!guest_u16(t, q->driver + 2, &avail_idx))
        return 0;
    if (avail_idx == q->last_avail)
        return 0;
    if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
        virtio_mmio_needs_reset(t, "queue %d: avail index jumped by %u (size %u)", queue,
                                (uint16_t)(avail_idx - q->last_avail), q->num);
        return -1;
    }
    guest_u16(t, q->driver + 4 + 2ull * (q->last_avail % q->num), &head);
    if (head >= q->num) {
        virtio_mmio_needs_reset(t, "queue %d: descriptor index %u >= queue size %u", queue, head,
                                q->num);
        return -1;
    }
    chain->head = head;
    chain->count = 0;
    chain->readable_len = chain->writable_len = 0;
    uint16_t i = head;
    for (uint32_t steps = 0;; steps++) {
        Desc d = { 0 };
        if (steps >= q->num) {
            virtio_mmio_needs_reset(t, "queue %d: descriptor chain loops", queue);
            return -1;
        }
        guest_desc(t, q->desc + (uint64_t)i * DESC_SIZE, &d); /* ring checked at ready */
        if (d.flags & DESC_F_INDIRECT) {
            if (!chain_indirect(t, queue, chain, &d))
                return -1;
            break;
        }
        if (!chain_add(t, queue, chain, &d))
            return -1;
        if (!(d.flags & DESC_F_NEXT))
            break;
        if (d.next >= q->num) {
            virtio_mmio_needs_reset(t, "queue %d: next index %u >= queue size %u", queue, d.next,
                                    q->num);
            return -1;
        }
        i = d.next;
    }
    q->last_avail++;
    return 1;
}

void virtio_queue_push(VirtioMmio *t, int queue, const VirtioChain *chain, uint32_t written)
{
    VirtioQueue *q = &t->queues[queue];
    /* A chain held across time (virtio-snd) may outlive its queue: the
     * driver can clear QueueReady (and then set QueueNum to 0) meanwhile.
     * The ring is the driver's again: nothing is written. */
    if (!q->ready)
        return;
    uint8_t elem[8];
    uint32_t id = chain->head;
    for (int k = 0; k < 4; k++) {
        elem[k] = (uint8_t)(id >> (8 * k));
        elem[4 + k] = (uint8_t)(written >> (8 * k));
    }
    bus_dma_write(t->bus, q->device + 4 + 8ull * (q->used_idx % q->num), elem, sizeof(elem));
    q->used_idx++;
    guest_put_u16(t, q->device + 2, q->used_idx);
}

void virtio_queue_notify_guest(VirtioMmio *t, int queue)
{
    VirtioQueue *q = &t->queues[queue];
    if (!q->ready)
        return;
    uint16_t old = q->signalled_used, now = q->used_idx;
    bool raise;
    if (virtio_mmio_has_feature(t, VIRTIO_F_EVENT_IDX)) {
        /* Ask to be notified of the next buffer (2.7.10), and interrupt
         * only if used_event lies in (old, now]. */
        guest_put_u16(t, q->device + 4 + 8ull * q->num, q->last_avail);
        uint16_t used_event = 0;
        guest_u16(t, q->driver + 4 + 2ull * q->num, &used_event);
        raise = (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
    } else {
        uint16_t flags = 0;
        guest_u16(t, q->driver, &flags);
        raise = now != old && !(flags & AVAIL_F_NO_INTERRUPT);
    }
    q->signalled_used = now;
    if (raise) {
        t->interrupt_status |= VIRTIO_INT_USED_BUFFER;
        virtio_update_irq(t);
    }
}

static bool chain_copy(VirtioMmio *t, const VirtioChain *c, bool writable, uint64_t offset,
                       void *buf, uint64_t len, bool to_guest)
{
    if (len > (writable ? c->writable_len : c->readable_len) ||
        offset > (writable ? c->writable_len : c->readable_len) - len)
        return false;
    uint8_t *p = buf;
    for (int i = 0; i < c->count && len; i++) {
        const VirtioSegment *s = &c->segments[i];
        if (s->device_writes != writable)
            continue;
        if (offset >= s->len) {
            offset -= s->len;
            continue;
        }
        uint64_t n = s->len - offset < len ? s->len - offset : len;
        bool ok = to_guest ? bus_dma_write(t->bus, s->addr + offset, p, n)
                           : bus_dma_read(t->bus, s->addr + offset, p, n);
        if (!ok)
            return false;
        p += n;
        len -= n;
        offset = 0;
    }
    return len == 0;
}

bool virtio_chain_read(VirtioMmio *t, const VirtioChain *chain, uint64_t offset, void *dst,
                       uint64_t len)
{
    return chain_copy(t, chain, false, offset, dst, len, false);
}

bool virtio_chain_write(VirtioMmio *t, const VirtioChain *chain, uint64_t offset,
                        const void *src, uint64_t len)
{
    return chain_copy(t, chain, true, offset, (void *)src, len, true);
}

/* ---- DeviceClass ---- */

static void virtio_mmio_reset(void *state)
{
    VirtioMmio *t = state;
    virtio_transport_reset(t);
    if (t->ops && t->ops->reset)
        t->ops->reset(t->dev);
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
    const VirtioMmio *t = state;
    state_put_u32(w, t->device_id);
    if (!t->ops)
        return;
    state_put_u32(w, t->device_features_sel);
    state_put_u32(w, t->driver_features_sel);
    state_put_u32(w, t->queue_sel);
    state_put_u64(w, t->driver_features);
    state_put_u32(w, t->status);
    state_put_u32(w, t->interrupt_status);
    state_put_u32(w, t->config_generation);
    for (int i = 0; i < t->ops->queue_count; i++) {
        const VirtioQueue *q = &t->queues[i];
        state_put_u32(w, q->num);
        state_put_bool(w, q->ready);
        state_put_u64(w, q->desc);
        state_put_u64(w, q->driver);
        state_put_u64(w, q->device);
        state_put_u32(w, q->last_avail);
        state_put_u32(w, q->used_idx);
        state_put_u32(w, q->signalled_used);
    }
    if (t->ops->save)
        t->ops->save(t->dev, w);
}

/* Queue addresses are checked as a QueueReady write would check them, but
 * without side effects: a bad state file is refused, never half-loaded. */
static bool virtio_queue_state_ok(const VirtioMmio *t, const VirtioQueue *q)
{
    if (q->num > VIRTIO_QUEUE_MAX_SIZE)
        return false;
    if (!q->ready)
        return true;
    return q->num != 0 && !(q->desc & 15) && !(q->driver & 1) && !(q->device & 3) &&
           bus_is_ram(t->bus, q->desc, (uint64_t)DESC_SIZE * q->num) &&
           bus_is_ram(t->bus, q->driver, 6 + 2ull * q->num) &&
           bus_is_ram(t->bus, q->device, 6 + 8ull * q->num);
}

static bool virtio_mmio_load(void *state, StateReader *r)
{
    VirtioMmio *t = state;
    if (state_get_u32(r) != t->device_id || r->failed)
        return false;
    if (!t->ops)
        return true;
    VirtioMmio tmp = *t;
    tmp.device_features_sel = state_get_u32(r);
    tmp.driver_features_sel = state_get_u32(r);
    tmp.queue_sel = state_get_u32(r);
    tmp.driver_features = state_get_u64(r);
    tmp.status = state_get_u32(r);
    tmp.interrupt_status = state_get_u32(r);
    tmp.config_generation = state_get_u32(r);
    for (int i = 0; i < t->ops->queue_count && i < VIRTIO_MAX_QUEUES; i++) {
        VirtioQueue *q = &tmp.queues[i];
        q->num = state_get_u32(r);
        q->ready = state_get_bool(r);
        q->desc = state_get_u64(r);
        q->driver = state_get_u64(r);
        q->device = state_get_u64(r);
        uint32_t last_avail = state_get_u32(r);
        uint32_t used_idx = state_get_u32(r);
        uint32_t signalled = state_get_u32(r);
        if (r->failed || last_avail > 0xffff || used_idx > 0xffff || signalled > 0xffff ||
            !virtio_queue_state_ok(t, q))
            return false;
        q->last_avail = (uint16_t)last_avail;
        q->used_idx = (uint16_t)used_idx;
        q->signalled_used = (uint16_t)signalled;
    }
    if (r->failed)
        return false;
    if (t->ops->load) {
        /* The model checks its own part; on failure nothing here changed. */
        if (!t->ops->load(t->dev, t, r))
            return false;
    } else if (t->ops->save) {
        return false; /* a model that saves must load */
    }
    tmp.warnings = t->warnings;
    *t = tmp;
    return true;
}

const DeviceClass virtio_mmio_class = {
    .name = "virtio_mmio",
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .reset = virtio_mmio_reset,
    .fdt_node = virtio_mmio_fdt_node,
    .save = virtio_mmio_save,
    .load = virtio_mmio_load,
};
