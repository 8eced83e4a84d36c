/* Input devices and display front-ends of the virt board
 * (docs/display.md): -device virtio-keyboard-device / virtio-mouse-device
 * / virtio-tablet-device, -display sdl, -vnc.
 *
 * Host input (front-ends, the monitor's sendkey/mouse_move/mouse_button,
 * QMP input-send-event) waits in host-side queues and reaches a device
 * only at a scheduler round boundary (virt_input_round): record logs each
 * run of events delivered to one device as an INPUT trace event at that
 * icount; replay ignores host input and delivers the logged events from
 * replay_round (virt_input_replay_event). The front-ends get the guest's
 * picture at round boundaries too. */
#ifndef DEJA_VIRT_INPUT_H
#define DEJA_VIRT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/display.h"
#include "host/frontend.h"

#define VIRT_MAX_INPUTS 4

struct VirtMachine;
struct VirtioMmio;
struct Chardev;

/* "virtio-keyboard-device" ... -> *kind (a VirtioInputKind). */
bool virt_input_parse_kind(const char *name, int *kind);
/* virt_block_create: an input device in `slot`. */
bool virt_input_attach(struct VirtMachine *m, int kind, struct VirtioMmio *slot);
/* After virt_create: opens the window / VNC server. Prints a message and
 * returns false on failure. Nothing to do without front-ends. */
bool virt_input_open_frontends(struct VirtMachine *m, const DisplayOptions *o);
void virt_input_destroy(struct VirtMachine *m);

/* Machine thread (monitor, QMP): queues host input for the next round
 * boundary. false and a message if refused (replay, no such device, queue
 * full). */
bool virt_input_queue(struct VirtMachine *m, const DisplayInputEvent *events, size_t count,
                      char *err, size_t err_len);
/* Is there an input device of this kind (DISPLAY_INPUT_*)? */
bool virt_input_has(const struct VirtMachine *m, int kind);

/* Round boundary: delivers queued host input (not under replay); with
 * poll, also takes front-end input and refreshes their picture (at most
 * every 20 ms of host time, or at once when the harts were idle). */
void virt_input_round(struct VirtMachine *m, bool poll, bool idle);
/* The window was closed: sets the monitor's quit request (also while
 * paused). */
void virt_input_check_quit(struct VirtMachine *m);
/* For the idle wait: readable when front-end input arrives; NULL if none. */
struct Chardev *virt_input_wake_chardev(struct VirtMachine *m);
/* Replay sink: events logged for input device `device` at this icount
 * (the payload: 8-byte virtio_input_event records). */
void virt_input_replay_event(void *machine, uint32_t device, const uint8_t *payload, size_t len);

#endif
