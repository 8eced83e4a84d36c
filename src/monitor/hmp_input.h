/* HMP input commands (hmp_input.c), dispatched from hmp_execute:
 * sendkey, mouse_move, mouse_button (docs/display.md). The events go to
 * the virtio-input devices through the board's host input queue, so they
 * are delivered at a round boundary and recorded like any host input
 * (refused while replaying). */
#ifndef DEJA_HMP_INPUT_H
#define DEJA_HMP_INPUT_H

#include "monitor/hmp.h"

/* sendkey KEYS [HOLD_MS]: KEYS is key names joined by '-' ("ctrl-alt-f1"),
 * pressed in order and released in reverse order. */
void hmp_sendkey(Hmp *mon, const char *args);
/* mouse_move DX DY [DZ] */
void hmp_mouse_move(Hmp *mon, const char *args);
/* mouse_button STATE (bit 0 left, bit 1 right, bit 2 middle) */
void hmp_mouse_button(Hmp *mon, const char *args);

#endif
