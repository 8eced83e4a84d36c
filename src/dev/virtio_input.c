/* virtio-input devices (virtio_input.h), virtio 1.2 section 5.8. */
#include "dev/virtio_input.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#define EVENT_QUEUE 0
#define STATUS_QUEUE 1
#define SAVE_VERSION 1

/* Bus type BUS_VIRTUAL, vendor and product ids as QEMU's devices report
 * them, so that guest rules written for QEMU match. */
#define INPUT_BUS_VIRTUAL 0x06
#define INPUT_VENDOR 0x0627

static const char *const kind_names[] = {
    [VIRTIO_INPUT_KEYBOARD] = "virtio-keyboard",
    [VIRTIO_INPUT_MOUSE] = "virtio-mouse",
    [VIRTIO_INPUT_TABLET] = "virtio-tablet",
};

static const char *const id_names[] = {
    [VIRTIO_INPUT_KEYBOARD] = "QEMU Virtio Keyboard",
    [VIRTIO_INPUT_MOUSE] = "QEMU Virtio Mouse",
    [VIRTIO_INPUT_TABLET] = "QEMU Virtio Tablet",
};

bool virtio_input_kind_from_name(const char *name, VirtioInputKind *kind)
{
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(kind_names[k]);
        if (!strncmp(name, kind_names[k], n) && !strcmp(name + n, "-device")) {
            *kind = (VirtioInputKind)k;
            return true;
        }
    }
    return false;
}

const char *virtio_input_kind_name(VirtioInputKind kind)
{
    return (unsigned)kind < 3 ? kind_names[kind] : "virtio-input";
}

bool virtio_input_supports(const VirtioInput *in, uint16_t type, uint16_t code)
{
    bool pointer = in->kind != VIRTIO_INPUT_KEYBOARD;
    switch (type) {
    case EV_SYN:
        return code == SYN_REPORT;
    case EV_KEY:
        if (pointer)
            return code >= BTN_LEFT && code <= BTN_EXTRA;
        return code >= KEY_ESC && code <= KEY_MICMUTE;
    case EV_REL:
        if (in->kind == VIRTIO_INPUT_MOUSE)
            return code == REL_X || code == REL_Y || code == REL_WHEEL;
        return in->kind == VIRTIO_INPUT_TABLET && code == REL_WHEEL;
    case EV_ABS:
        return in->kind == VIRTIO_INPUT_TABLET && (code == ABS_X || code == ABS_Y);
    case EV_LED:
        return !pointer && (code == LED_NUML || code == LED_CAPSL || code == LED_SCROLLL);
    case EV_REP:
        return !pointer && (code == REP_DELAY || code == REP_PERIOD);
    default:
        return false;
    }
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The answer to the current select/subsel: the union's bytes; returns
 * its size (0: no information). */
static uint8_t config_answer(const VirtioInput *in, uint8_t *u)
{
    memset(u, 0, VIRTIO_INPUT_CFG_UNION_SIZE);
    switch (in->select) {
    case VIRTIO_INPUT_CFG_ID_NAME: {
        size_t n = strlen(id_names[in->kind]);
        memcpy(u, id_names[in->kind], n);
        return (uint8_t)n;
    }
    case VIRTIO_INPUT_CFG_ID_SERIAL: {
        size_t n = strlen(in->serial);
        memcpy(u, in->serial, n);
        return (uint8_t)n;
    }
    case VIRTIO_INPUT_CFG_ID_DEVIDS:
        put_le16(u, INPUT_BUS_VIRTUAL);
        put_le16(u + 2, INPUT_VENDOR);
        put_le16(u + 4, (uint16_t)(in->kind + 1)); /* product */
        put_le16(u + 6, 1);                        /* version */
        return 8;
    case VIRTIO_INPUT_CFG_PROP_BITS:
        return 0;
    case VIRTIO_INPUT_CFG_EV_BITS: {
        if (in->subsel == EV_SYN)
            return 0; /* the driver does not ask; EV_SYN is implied */
        uint8_t size = 0;
        for (unsigned code = 0; code < VIRTIO_INPUT_CFG_UNION_SIZE * 8; code++) {
            if (virtio_input_supports(in, in->subsel, (uint16_t)code)) {
                u[code / 8] |= (uint8_t)(1u << (code % 8));
                size = (uint8_t)(code / 8 + 1);
            }
        }
        return size;
    }
    case VIRTIO_INPUT_CFG_ABS_INFO:
        if (in->kind != VIRTIO_INPUT_TABLET || (in->subsel != ABS_X && in->subsel != ABS_Y))
            return 0;
        put_le32(u, 0);                        /* min */
        put_le32(u + 4, VIRTIO_INPUT_ABS_MAX); /* max */
        /* fuzz, flat, res: 0 */
        return 20;
    default:
        return 0;
    }
}

static uint32_t input_config_read(void *dev, uint64_t offset, int size)
{
    const VirtioInput *in = dev;
    uint8_t config[VIRTIO_INPUT_CFG_UNION + VIRTIO_INPUT_CFG_UNION_SIZE] = { 0 };
    config[0] = in->select;
    config[1] = in->subsel;
    config[2] = config_answer(in, config + VIRTIO_INPUT_CFG_UNION);
    uint32_t value = 0;
    for (int i = 0; i < size; i++)
        if (offset + (uint64_t)i < sizeof(config))
            value |= (uint32_t)config[offset + i] << (8 * i);
    return value;
}

/* The driver writes select and subsel (5.8.5.1); everything else is
 * read-only and writes to it are ignored. */
static void input_config_write(void *dev, uint64_t offset, int size, uint32_t value)
{
    VirtioInput *in = dev;
    for (int i = 0; i < size; i++) {
        uint64_t at = offset + (uint64_t)i;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (at == 0)
            in->select = byte;
        else if (at == 1)
            in->subsel = byte;
    }
}

static bool driver_ready(const VirtioInput *in)
{
    const VirtioMmio *t = in->transport;
    return t && (t->status & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_NEEDS_RESET) &&
           t->queues[EVENT_QUEUE].ready;
}

/* Moves waiting events into eventq buffers, one event per buffer. */
static void flush_events(VirtioInput *in)
{
    if (!in->pending_count || !driver_ready(in))
        return;
    VirtioMmio *t = in->transport;
    bool used = false;
    while (in->pending_count) {
        int st = virtio_queue_pop(t, EVENT_QUEUE, &in->chain);
        if (st <= 0)
            break;
        const VirtioChain *c = &in->chain;
        if (c->readable_len || c->writable_len < VIRTIO_INPUT_EVENT_SIZE) {
            virtio_mmio_needs_reset(t, "event buffer is not device-writable or shorter than "
                                       "8 bytes");
            return;
        }
        const VirtioInputEvent *e = &in->pending[in->pending_head];
        uint8_t raw[VIRTIO_INPUT_EVENT_SIZE];
        put_le16(raw, e->type);
        put_le16(raw + 2, e->code);
        put_le32(raw + 4, e->value);
        virtio_chain_write(t, c, 0, raw, sizeof(raw));
        virtio_queue_push(t, EVENT_QUEUE, c, sizeof(raw));
        used = true;
        in->pending_head = (in->pending_head + 1) % VIRTIO_INPUT_QUEUE_MAX;
        in->pending_count--;
    }
    if (used)
        virtio_queue_notify_guest(t, EVENT_QUEUE);
}

/* Status events (LEDs) from the driver: taken and returned unread. */
static void drain_status(VirtioInput *in, VirtioMmio *t)
{
    int st;
    bool used = false;
    while ((st = virtio_queue_pop(t, STATUS_QUEUE, &in->chain)) > 0) {
        if (in->chain.writable_len) {
            virtio_mmio_needs_reset(t, "status buffer has device-writable parts");
            return;
        }
        virtio_queue_push(t, STATUS_QUEUE, &in->chain, 0);
        used = true;
    }
    if (used)
        virtio_queue_notify_guest(t, STATUS_QUEUE);
}

static void input_queue_notify(void *dev, VirtioMmio *t, int queue)
{
    VirtioInput *in = dev;
    in->transport = t;
    if (queue == EVENT_QUEUE)
        flush_events(in);
    else if (queue == STATUS_QUEUE)
        drain_status(in, t);
}

static void input_reset(void *dev)
{
    VirtioInput *in = dev;
    in->select = in->subsel = 0;
    in->pending_head = in->pending_count = 0;
}

static void input_save(void *dev, StateWriter *w)
{
    const VirtioInput *in = dev;
    state_put_u8(w, SAVE_VERSION);
    state_put_u8(w, in->select);
    state_put_u8(w, in->subsel);
    state_put_u32(w, in->pending_count);
    for (uint32_t i = 0; i < in->pending_count; i++) {
        const VirtioInputEvent *e = &in->pending[(in->pending_head + i) % VIRTIO_INPUT_QUEUE_MAX];
        state_put_u32(w, (uint32_t)e->type | (uint32_t)e->code << 16);
        state_put_u32(w, e->value);
    }
}

static bool input_load(void *dev, VirtioMmio *t, StateReader *r)
{
    VirtioInput *in = dev;
    if (state_get_u8(r) != SAVE_VERSION)
        return false;
    uint8_t select = state_get_u8(r);
    uint8_t subsel = state_get_u8(r);
    uint32_t count = state_get_u32(r);
    if (r->failed || count > VIRTIO_INPUT_QUEUE_MAX)
        return false;
    /* Read into the array from slot 0; on a short record the queue is
     * emptied (what a reset does). */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tc = state_get_u32(r);
        in->pending[i].type = (uint16_t)tc;
        in->pending[i].code = (uint16_t)(tc >> 16);
        in->pending[i].value = state_get_u32(r);
    }
    if (r->failed) {
        input_reset(in);
        return false;
    }
    in->transport = t;
    in->select = select;
    in->subsel = subsel;
    in->pending_head = 0;
    in->pending_count = count;
    return true;
}

void virtio_input_init(VirtioInput *in, VirtioInputKind kind, int index)
{
    memset(in, 0, sizeof(*in));
    in->kind = kind;
    snprintf(in->serial, sizeof(in->serial), "deja-input-%d", index);
    in->ops = (VirtioDeviceOps){
        .name = virtio_input_kind_name(kind),
        .device_id = VIRTIO_INPUT_DEVICE_ID,
        .features = 0,
        .queue_count = 2,
        .config_read = input_config_read,
        .config_write = input_config_write,
        .queue_notify = input_queue_notify,
        .reset = input_reset,
        .save = input_save,
        .load = input_load,
    };
}

void virtio_input_set_transport(VirtioInput *in, VirtioMmio *t)
{
    in->transport = t;
}

bool virtio_input_send(VirtioInput *in, uint16_t type, uint16_t code, uint32_t value)
{
    if (!driver_ready(in) || in->pending_count == VIRTIO_INPUT_QUEUE_MAX) {
        in->dropped++;
        return false;
    }
    in->pending[(in->pending_head + in->pending_count) % VIRTIO_INPUT_QUEUE_MAX] =
        (VirtioInputEvent){ .type = type, .code = code, .value = value };
    in->pending_count++;
    flush_events(in);
    return true;
}
