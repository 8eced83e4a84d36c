/* Input devices and display front-ends of the virt board (virt_input.h). */
#include "board/virt_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/virt.h"
#include "board/virt_display.h"
#include "dev/plic.h"
#include "dev/virtio_input.h"
#include "host/chardev.h"
#include "replay/replay.h"
#include "util/message.h"

/* Events from the monitor waiting for the next round boundary. */
#define HOST_QUEUE_MAX 1024
/* Front-end events taken per round boundary (the rest wait). */
#define FRONTEND_TAKE_MAX 256
/* Events per INPUT trace event at most. */
#define BATCH_MAX 64
/* The front-ends' picture is refreshed at most this often (ms). */
#define REFRESH_MS 20

typedef struct VirtInputState {
    VirtioInput *devs[VIRT_MAX_INPUTS];
    int count;
    DisplayInputEvent queue[HOST_QUEUE_MAX];
    size_t head, queued;
    DisplayFrontends *fe;
    Chardev wake; /* a stand-in chardev over the front-ends' wake pipe */
    struct timespec last_refresh;
    bool quit_sent;
} VirtInputState;

static bool replaying(const VirtMachine *m)
{
    return m->config.replay.mode == REPLAY_PLAY;
}

static VirtInputState *input_state(VirtMachine *m)
{
    if (!m->input)
        m->input = calloc(1, sizeof(*m->input));
    return m->input;
}

bool virt_input_parse_kind(const char *name, int *kind)
{
    VirtioInputKind k;
    if (!virtio_input_kind_from_name(name, &k))
        return false;
    *kind = (int)k;
    return true;
}

bool virt_input_attach(VirtMachine *m, int kind, VirtioMmio *slot)
{
    VirtInputState *s = input_state(m);
    if (!s) {
        message_print_error("out of memory");
        return false;
    }
    if (s->count == VIRT_MAX_INPUTS) {
        message_print_error("-device %s-device: at most %d input devices",
                            virtio_input_kind_name((VirtioInputKind)kind), VIRT_MAX_INPUTS);
        return false;
    }
    VirtioInput *in = calloc(1, sizeof(*in));
    if (!in) {
        message_print_error("out of memory");
        return false;
    }
    virtio_input_init(in, (VirtioInputKind)kind, s->count);
    virtio_mmio_attach(slot, &m->bus, plic_input(&m->plic, slot->irq_number), &in->ops, in);
    virtio_input_set_transport(in, slot);
    s->devs[s->count++] = in;
    return true;
}

static VirtioInput *device_of_kind(const VirtMachine *m, int kind, uint32_t *index)
{
    const VirtInputState *s = m->input;
    for (int i = 0; s && i < s->count; i++) {
        if ((int)s->devs[i]->kind == kind) {
            if (index)
                *index = (uint32_t)i;
            return s->devs[i];
        }
    }
    return NULL;
}

bool virt_input_has(const VirtMachine *m, int kind)
{
    return device_of_kind(m, kind, NULL) != NULL;
}

bool virt_input_open_frontends(VirtMachine *m, const DisplayOptions *o)
{
    if (!display_options_any(o))
        return true;
    VirtInputState *s = input_state(m);
    if (!s) {
        message_print_error("out of memory");
        return false;
    }
    char err[768];
    s->fe = display_frontends_open(o, err, sizeof(err));
    if (!s->fe) {
        message_print_error("%s", err); /* names the option */
        return false;
    }
    display_frontends_set_pointer(s->fe, virt_input_has(m, DISPLAY_INPUT_MOUSE),
                                  virt_input_has(m, DISPLAY_INPUT_TABLET));
    display_frontends_set_input_enabled(s->fe, !replaying(m));
    s->wake = (Chardev){ .kind = CHARDEV_NULL, .in_fd = display_frontends_wake_fd(s->fe),
                         .out_fd = -1, .listen_fd = -1, .pty_slave_fd = -1 };
    display_frontends_update(s->fe, virt_display_surface(m));
    return true;
}

void virt_input_destroy(VirtMachine *m)
{
    VirtInputState *s = m->input;
    if (!s)
        return;
    display_frontends_close(s->fe);
    for (int i = 0; i < s->count; i++)
        free(s->devs[i]);
    free(s);
    m->input = NULL;
}

bool virt_input_queue(VirtMachine *m, const DisplayInputEvent *events, size_t count, char *err,
                      size_t err_len)
{
    if (replaying(m)) {
        message_format(err, err_len, "the machine is replaying: its input comes from the "
                                     "recording");
        return false;
    }
    VirtInputState *s = m->input;
    for (size_t i = 0; i < count; i++) {
        static const char *const what[] = { "keyboard (-device virtio-keyboard-device)",
                                            "mouse (-device virtio-mouse-device)",
                                            "tablet (-device virtio-tablet-device)" };
        if (events[i].device > DISPLAY_INPUT_TABLET ||
            !device_of_kind(m, events[i].device, NULL)) {
            message_format(err, err_len, "the machine has no %s",
                           events[i].device <= DISPLAY_INPUT_TABLET ? what[events[i].device]
                                                                    : "such input device");
            return false;
        }
    }
    if (!s || HOST_QUEUE_MAX - s->queued < count) {
        message_format(err, err_len, "too many input events waiting for the guest");
        return false;
    }
    for (size_t i = 0; i < count; i++)
        s->queue[(s->head + s->queued++) % HOST_QUEUE_MAX] = events[i];
    return true;
}

/* Runs of events for one device, logged as one INPUT event each. */
typedef struct Batch {
    int device; /* -1: empty */
    size_t n;
    uint8_t bytes[BATCH_MAX * VIRTIO_INPUT_EVENT_SIZE];
} Batch;

static void batch_flush(VirtMachine *m, Batch *b)
{
    if (b->device >= 0 && b->n && m->replay)
        replay_log_input(m->replay, m->clock.machine_icount, (uint32_t)b->device, b->bytes,
                         b->n * VIRTIO_INPUT_EVENT_SIZE);
    b->device = -1;
    b->n = 0;
}

static void put_event(uint8_t *p, uint16_t type, uint16_t code, uint32_t value)
{
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)(type >> 8);
    p[2] = (uint8_t)code;
    p[3] = (uint8_t)(code >> 8);
    for (int i = 0; i < 4; i++)
        p[4 + i] = (uint8_t)(value >> (8 * i));
}

/* One host event: to the first device of its kind, logged. Events the
 * device does not report (a code it has no bit for) are not delivered. */
static void deliver(VirtMachine *m, Batch *b, const DisplayInputEvent *ev)
{
    uint32_t index;
    VirtioInput *in = device_of_kind(m, ev->device, &index);
    if (!in || !virtio_input_supports(in, ev->type, ev->code))
        return;
    if (b->device != (int)index || b->n == BATCH_MAX)
        batch_flush(m, b);
    b->device = (int)index;
    put_event(b->bytes + b->n * VIRTIO_INPUT_EVENT_SIZE, ev->type, ev->code, (uint32_t)ev->value);
    b->n++;
    virtio_input_send(in, ev->type, ev->code, (uint32_t)ev->value);
}

static bool refresh_due(VirtInputState *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (int64_t)(now.tv_sec - s->last_refresh.tv_sec) * 1000 +
                 (now.tv_nsec - s->last_refresh.tv_nsec) / 1000000;
    if (ms < REFRESH_MS)
        return false;
    s->last_refresh = now;
    return true;
}

void virt_input_check_quit(VirtMachine *m)
{
    VirtInputState *s = m->input;
    if (s && s->fe && !s->quit_sent && display_frontends_quit_requested(s->fe)) {
        s->quit_sent = true; /* the window was closed: like the monitor's quit */
        if (!m->monitor_request)
            m->monitor_request = TRACE_REQ_QUIT;
    }
}

void virt_input_round(VirtMachine *m, bool poll, bool idle)
{
    VirtInputState *s = m->input;
    if (!s || (!s->queued && !(poll && s->fe)))
        return;
    Batch b;
    b.device = -1;
    b.n = 0;
    bool play = replaying(m);
    while (s->queued) {
        if (!play)
            deliver(m, &b, &s->queue[s->head]);
        s->head = (s->head + 1) % HOST_QUEUE_MAX;
        s->queued--;
    }
    if (poll && s->fe) {
        DisplayInputEvent events[FRONTEND_TAKE_MAX];
        size_t n = display_frontends_take_input(s->fe, events, FRONTEND_TAKE_MAX);
        for (size_t i = 0; i < n && !play; i++)
            deliver(m, &b, &events[i]);
        virt_input_check_quit(m);
        /* An idle machine draws nothing more: show its last picture now. */
        if (refresh_due(s) || idle)
            display_frontends_update(s->fe, virt_display_surface(m));
    }
    batch_flush(m, &b);
}

Chardev *virt_input_wake_chardev(VirtMachine *m)
{
    VirtInputState *s = m->input;
    return s && s->fe ? &s->wake : NULL;
}

void virt_input_replay_event(void *machine, uint32_t device, const uint8_t *payload, size_t len)
{
    VirtMachine *m = machine;
    VirtInputState *s = m->input;
    /* The header check makes the device layouts equal. */
    if (!s || device >= (uint32_t)s->count || len % VIRTIO_INPUT_EVENT_SIZE)
        return;
    VirtioInput *in = s->devs[device];
    for (size_t off = 0; off < len; off += VIRTIO_INPUT_EVENT_SIZE) {
        const uint8_t *p = payload + off;
        uint16_t type = (uint16_t)(p[0] | p[1] << 8);
        uint16_t code = (uint16_t)(p[2] | p[3] << 8);
        uint32_t value = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                         (uint32_t)p[7] << 24;
        virtio_input_send(in, type, code, value);
    }
}
