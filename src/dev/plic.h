/* SiFive PLIC as on QEMU virt: 96 sources (source 0 reserved, so the
 * device tree says riscv,ndev = 95), 3 priority bits (values 0..7, as
 * QEMU's virt), two contexts per hart: 2h = hart h M-mode (IRQ_M_EXT),
 * 2h+1 = S-mode (IRQ_S_EXT). Sources are level-triggered through a
 * gateway: a claimed source is not pending again until completed. */
#ifndef DEJA_PLIC_H
#define DEJA_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/device.h"
#include "dev/irq.h"

#define PLIC_BASE 0xc000000ull
#define PLIC_SIZE 0x600000ull
#define PLIC_SOURCES 96
#define PLIC_WORDS (PLIC_SOURCES / 32)
#define PLIC_MAX_PRIORITY 7
#define PLIC_MAX_CONTEXTS (2 * DEV_MAX_HARTS)

#define PLIC_PRIORITY 0x0
#define PLIC_PENDING 0x1000
#define PLIC_ENABLE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000

typedef struct Plic {
    uint64_t base;
    int hart_count, context_count;
    uint32_t priority[PLIC_SOURCES];
    uint32_t level[PLIC_WORDS]; /* input line levels */
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS]; /* gateway closed until completion */
    uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
    uint32_t threshold[PLIC_MAX_CONTEXTS];
    bool output[PLIC_MAX_CONTEXTS];
    IrqLine context_line[PLIC_MAX_CONTEXTS];
} Plic;

extern const DeviceClass plic_class;

void plic_init(Plic *plic, uint64_t base, int hart_count);
/* Context 2h -> hart h IRQ_M_EXT, 2h+1 -> IRQ_S_EXT. */
void plic_connect(Plic *plic, int context, IrqLine line);
/* The IrqLine a device uses for source `source` (1..95). */
IrqLine plic_input(Plic *plic, int source);
void plic_set_source(Plic *plic, int source, bool level);
void plic_reset(Plic *plic);
bool plic_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool plic_write(void *opaque, uint64_t offset, int size, uint64_t value);

#endif
