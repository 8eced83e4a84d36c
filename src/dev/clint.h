/* SiFive CLINT (core-local interruptor) as on QEMU virt: per-hart msip at
 * +0x0 (4 bytes each), mtimecmp at +0x4000 + 8*hart, mtime at +0xbff8.
 * MTIP is a level: mtime >= mtimecmp, recomputed on writes and at the
 * clock deadline armed for each hart. */
#ifndef DEJA_CLINT_H
#define DEJA_CLINT_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/device.h"
#include "dev/irq.h"
#include "replay/clock.h"

#define CLINT_BASE 0x2000000ull
#define CLINT_SIZE 0x10000ull
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8

typedef struct Clint Clint;

typedef struct ClintHartTimer {
    Clint *clint;
    int hart;
    ClockTimerId timer;
} ClintHartTimer;

struct Clint {
    VirtClock *clock;
    uint64_t base;
    int hart_count;
    uint64_t mtime_offset; /* mtime = clock mtime + offset (guest wrote mtime) */
    uint32_t msip[DEV_MAX_HARTS];
    uint64_t mtimecmp[DEV_MAX_HARTS];
    bool mtip[DEV_MAX_HARTS];
    IrqLine soft_line[DEV_MAX_HARTS];  /* to the hart's IRQ_M_SOFT */
    IrqLine timer_line[DEV_MAX_HARTS]; /* to the hart's IRQ_M_TIMER */
    ClintHartTimer timers[DEV_MAX_HARTS];
};

extern const DeviceClass clint_class;

/* Returns false if the clock's timer table is full. */
bool clint_init(Clint *clint, uint64_t base, int hart_count, VirtClock *clock);
void clint_connect(Clint *clint, int hart, IrqLine soft, IrqLine timer);
void clint_reset(Clint *clint);
uint64_t clint_mtime(const Clint *clint);
/* mtime as seen at a given machine icount (the time CSR). */
uint64_t clint_mtime_at(const Clint *clint, uint64_t icount);
bool clint_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool clint_write(void *opaque, uint64_t offset, int size, uint64_t value);

#endif
