/* An interrupt line from a device to an interrupt controller (PLIC input)
 * or from a controller to a hart (mip bit). The tiny {set, opaque, n}
 * struct lets a device raise a line without knowing what is behind it. */
#ifndef DEJA_IRQ_H
#define DEJA_IRQ_H

#include <stdbool.h>

typedef struct IrqLine {
    void (*set)(void *opaque, int n, bool level);
    void *opaque;
    int n;
} IrqLine;

static inline void irq_set(IrqLine line, bool level)
{
    if (line.set)
        line.set(line.opaque, line.n, level);
}

#endif
