/* HMP display commands (hmp_display.c), dispatched from hmp_execute. */
#ifndef DEJA_HMP_DISPLAY_H
#define DEJA_HMP_DISPLAY_H

#include "monitor/hmp.h"

/* screendump FILENAME: the guest's screen as PNG (name ends in .png) or
 * PPM. `line` is the whole command line (hmp_execute would take a path
 * starting with '/' for an x/fmt format). */
void hmp_screendump(Hmp *mon, const char *line);

#endif
