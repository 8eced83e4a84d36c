/* The guest's screen as the front-ends see it (-display sdl, -vnc) and as
 * screendump writes it. The display device (virtio-gpu, src/dev/) owns the
 * pixels, which are guest-visible state; the board hands the front-ends a
 * read-only view, refreshed on the machine thread. Screen output is not
 * logged: it is a function of the guest state.
 *
 * Input goes the other way: a front-end queues host input events
 * (DisplayInputEvent) and the board delivers them to the virtio-input
 * devices through the replay API at a round boundary (DESIGN.md rule 2). */
#ifndef DEJA_DISPLAY_H
#define DEJA_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pixels are 32-bit XRGB (0x00RRGGBB in a host uint32_t). width == 0:
 * no scanout configured yet (front-ends show a blank window). `serial`
 * grows every time the guest changes the picture or its size, so a
 * front-end redraws only when it moved. */
typedef struct DisplaySurface {
    uint32_t width, height;
    size_t stride; /* in pixels */
    const uint32_t *pixels;
    uint64_t serial;
} DisplaySurface;

/* Linux evdev event (type EV_KEY/EV_REL/EV_ABS/EV_SYN, code, value), the
 * form virtio-input carries. `device` picks the target: 0 keyboard,
 * 1 mouse (relative), 2 tablet (absolute 0..32767). */
typedef struct DisplayInputEvent {
    uint8_t device;
    uint16_t type, code;
    int32_t value;
} DisplayInputEvent;

enum { DISPLAY_INPUT_KEYBOARD = 0, DISPLAY_INPUT_MOUSE = 1, DISPLAY_INPUT_TABLET = 2 };

/* Writes the surface as PNG (name ends in .png) or binary PPM (anything
 * else). False and a message in err on failure (no scanout, I/O error). */
bool display_screendump(const DisplaySurface *s, const char *path, char *err, size_t err_len);
/* The same with the format chosen by the caller (QMP/HMP format=png|ppm). */
bool display_screendump_as(const DisplaySurface *s, const char *path, bool png, char *err,
                           size_t err_len);

#endif
