/* virtio-input (virtio 1.2 section 5.8): virtio-keyboard-device,
 * virtio-mouse-device and virtio-tablet-device on virtio-mmio.
 *
 * Queue 0 (eventq) takes device-writable buffers that receive one 8-byte
 * virtio_input_event each (le16 type, le16 code, le32 value: Linux evdev
 * codes); queue 1 (statusq) carries events from the driver (LED state)
 * that the device takes and ignores. The config space answers the
 * select/subsel queries (ID_NAME, ID_SERIAL, ID_DEVIDS, PROP_BITS,
 * EV_BITS, ABS_INFO) that Linux's virtio_input driver makes to build the
 * evdev device:
 *   keyboard: EV_KEY (keys 1..248), EV_REP, EV_LED (num, caps, scroll)
 *   mouse:    EV_KEY (left, right, middle, side, extra), EV_REL (X, Y, wheel)
 *   tablet:   EV_KEY (the same buttons), EV_ABS (X, Y: 0..32767),
 *             EV_REL (wheel)
 *
 * Events come from the board at round boundaries (virtio_input_send,
 * after the replay log) and wait in the device, in order, until the driver
 * posts buffers; at most VIRTIO_INPUT_QUEUE_MAX wait (later ones are
 * dropped) and none are kept while no driver is running (DRIVER_OK
 * clear), as a keyboard nobody listens to. The waiting events are device
 * state (save/load). */
#ifndef DEJA_VIRTIO_INPUT_H
#define DEJA_VIRTIO_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_INPUT_DEVICE_ID 18
#define VIRTIO_INPUT_QUEUE_MAX 1024
#define VIRTIO_INPUT_EVENT_SIZE 8

/* Config select values (5.8.4). */
#define VIRTIO_INPUT_CFG_UNSET 0x00
#define VIRTIO_INPUT_CFG_ID_NAME 0x01
#define VIRTIO_INPUT_CFG_ID_SERIAL 0x02
#define VIRTIO_INPUT_CFG_ID_DEVIDS 0x03
#define VIRTIO_INPUT_CFG_PROP_BITS 0x10
#define VIRTIO_INPUT_CFG_EV_BITS 0x11
#define VIRTIO_INPUT_CFG_ABS_INFO 0x12
/* Offset of the union in the config space; it is 128 bytes long. */
#define VIRTIO_INPUT_CFG_UNION 8
#define VIRTIO_INPUT_CFG_UNION_SIZE 128
/* Absolute axes of the tablet span 0..this. */
#define VIRTIO_INPUT_ABS_MAX 32767

typedef enum VirtioInputKind {
    VIRTIO_INPUT_KEYBOARD = 0, /* = DISPLAY_INPUT_KEYBOARD */
    VIRTIO_INPUT_MOUSE = 1,
    VIRTIO_INPUT_TABLET = 2,
} VirtioInputKind;

typedef struct VirtioInputEvent {
    uint16_t type, code;
    uint32_t value; /* two's complement for relative moves */
} VirtioInputEvent;

typedef struct VirtioInput {
    VirtioDeviceOps ops;
    VirtioMmio *transport;
    VirtioInputKind kind;
    char serial[32];
    /* Guest-visible state. */
    uint8_t select, subsel;
    VirtioInputEvent pending[VIRTIO_INPUT_QUEUE_MAX];
    uint32_t pending_head, pending_count;
    /* Host side (not state): events dropped because the queue was full. */
    uint64_t dropped;
    VirtioChain chain; /* scratch */
} VirtioInput;

/* "virtio-keyboard-device" ... -> kind; false for another name. */
bool virtio_input_kind_from_name(const char *name, VirtioInputKind *kind);
const char *virtio_input_kind_name(VirtioInputKind kind); /* "virtio-keyboard" */

/* index: the device's number among the input devices (its ID_SERIAL). */
void virtio_input_init(VirtioInput *in, VirtioInputKind kind, int index);
/* After virtio_mmio_attach: the slot the device sits in. */
void virtio_input_set_transport(VirtioInput *in, VirtioMmio *t);
/* Queues one event and moves waiting events into free eventq buffers
 * (interrupting the guest if any was used). false if it was dropped (no
 * driver, or the queue is full). */
bool virtio_input_send(VirtioInput *in, uint16_t type, uint16_t code, uint32_t value);
/* Does the device report events of this type/code (EV_BITS)? */
bool virtio_input_supports(const VirtioInput *in, uint16_t type, uint16_t code);

#endif
