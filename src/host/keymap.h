/* Key names and host key codes -> Linux evdev key codes (KEY_*), the
 * codes virtio-input carries: QEMU's key names for the monitor's sendkey
 * (docs/display.md), SDL scancodes (USB HID usages) for -display sdl and
 * X11 keysyms for VNC clients. A US keyboard layout is assumed: a
 * character maps to the key that produces it (the client sends Shift). */
#ifndef DEJA_KEYMAP_H
#define DEJA_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

/* "a", "ctrl", "f1", "ret", ... or a number "0x1e" (an evdev code, which
 * equals the PC set-1 scancode for the main keys). 0 if unknown. */
int keymap_from_name(const char *name);
/* SDL_Scancode (= USB HID usage id) -> KEY_*; 0 if unmapped. */
int keymap_from_hid_usage(int usage);
/* X11 keysym (RFB KeyEvent) -> KEY_*; 0 if unmapped. */
int keymap_from_keysym(uint32_t keysym);

#endif
