/* The board's display: the picture of the display device (virtio-gpu) for
 * screendump and the front-ends (-display sdl, -vnc). See docs/display.md. */
#ifndef DEJA_VIRT_DISPLAY_H
#define DEJA_VIRT_DISPLAY_H

#include "host/display.h"

struct VirtMachine;

/* The current picture, read-only, valid until the machine runs again (call
 * on the machine thread, between rounds). NULL: the board has no display
 * device. A surface with width 0: the guest has not set a scanout yet. */
const DisplaySurface *virt_display_surface(struct VirtMachine *m);

/* Board wiring, used by virt_block.c. */
struct VirtVirtioConfig;
struct VirtioMmio;
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dev/irq.h"
/* xres=/yres= of -device virtio-gpu-device: 16..16384. */
bool virt_display_parse_res(const char *key, const char *value, uint32_t *out, char *err,
                            size_t err_len);
bool virt_display_attach_gpu(struct VirtMachine *m, const struct VirtVirtioConfig *c,
                             struct VirtioMmio *slot, IrqLine irq);
void virt_display_destroy(struct VirtMachine *m);

#endif
