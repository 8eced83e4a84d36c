/* SiFive CLINT: software and timer interrupts (clint.h). */
#include "dev/clint.h"

#include <libfdt.h>
#include <string.h>

uint64_t clint_mtime(const Clint *clint)
{
    return clock_now_mtime(clint->clock) + clint->mtime_offset;
}

uint64_t clint_mtime_at(const Clint *clint, uint64_t icount)
{
    return clock_mtime_at(clint->clock, icount) + clint->mtime_offset;
}

/* Sets MTIP from the comparison and, if not yet reached, arms the timer
 * for the first instruction at which mtime >= mtimecmp. */
static void clint_update_timer(Clint *clint, int hart)
{
    uint64_t now = clint_mtime(clint);
    bool level = now >= clint->mtimecmp[hart];
    ClockTimerId timer = clint->timers[hart].timer;
    if (level) {
        clock_timer_disarm(clint->clock, timer);
    } else {
        /* Deadline in clock mtime; mtime_offset shifts the guest's view. */
        uint64_t target = clint->mtimecmp[hart] - clint->mtime_offset;
        clock_timer_arm_ns(clint->clock, timer, clock_mtime_to_ns(target));
    }
    if (level != clint->mtip[hart]) {
        clint->mtip[hart] = level;
        irq_set(clint->timer_line[hart], level);
    }
}

static void clint_timer_fired(void *opaque)
{
    ClintHartTimer *t = opaque;
    clint_update_timer(t->clint, t->hart);
}

bool clint_init(Clint *clint, uint64_t base, int hart_count, VirtClock *clock)
{
    memset(clint, 0, sizeof(*clint));
    clint->clock = clock;
    clint->base = base;
    clint->hart_count = hart_count > DEV_MAX_HARTS ? DEV_MAX_HARTS : hart_count;
    for (int h = 0; h < clint->hart_count; h++) {
        clint->timers[h] = (ClintHartTimer){ .clint = clint, .hart = h };
        clint->timers[h].timer = clock_timer_new(clock, clint_timer_fired, &clint->timers[h]);
        if (clint->timers[h].timer < 0)
            return false;
    }
    clint_reset(clint);
    return true;
}

void clint_connect(Clint *clint, int hart, IrqLine soft, IrqLine timer)
{
    if (hart < 0 || hart >= clint->hart_count)
        return;
    clint->soft_line[hart] = soft;
    clint->timer_line[hart] = timer;
}

void clint_reset(Clint *clint)
{
    clint->mtime_offset = 0;
    for (int h = 0; h < clint->hart_count; h++) {
        clint->msip[h] = 0;
        irq_set(clint->soft_line[h], false);
        /* mtimecmp resets to all ones (QEMU does the same): no timer
         * interrupt until the firmware programs it. */
        clint->mtimecmp[h] = UINT64_MAX;
        clint->mtip[h] = false;
        irq_set(clint->timer_line[h], false);
        clock_timer_disarm(clint->clock, clint->timers[h].timer);
    }
}

/* Reads/writes a 32- or 64-bit piece of a 64-bit register. */
static uint64_t piece_read(uint64_t reg, uint64_t offset_in_reg, int size)
{
    return size == 8 ? reg : (uint32_t)(reg >> (8 * offset_in_reg));
}

static uint64_t piece_write(uint64_t reg, uint64_t offset_in_reg, int size, uint64_t value)
{
    if (size == 8)
        return value;
    unsigned shift = (unsigned)(8 * offset_in_reg);
    return (reg & ~(0xffffffffull << shift)) | ((uint64_t)(uint32_t)value << shift);
}

bool clint_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    Clint *clint = opaque;
    if (size != 4 && size != 8)
        return false;
    *value = 0;
    if (offset < CLINT_MTIMECMP) {
        uint64_t hart = offset / 4;
        if (size == 4 && hart < (uint64_t)clint->hart_count)
            *value = clint->msip[hart];
    } else if (offset >= CLINT_MTIME) {
        if (offset < CLINT_MTIME + 8)
            *value = piece_read(clint_mtime(clint), offset - CLINT_MTIME, size);
    } else {
        uint64_t hart = (offset - CLINT_MTIMECMP) / 8;
        if (hart < (uint64_t)clint->hart_count)
            *value = piece_read(clint->mtimecmp[hart], offset & 7, size);
    }
    return true;
}

bool clint_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    Clint *clint = opaque;
    if (size != 4 && size != 8)
        return false;
    if (offset < CLINT_MTIMECMP) {
        uint64_t hart = offset / 4;
        if (size == 4 && hart < (uint64_t)clint->hart_count) {
            clint->msip[hart] = value & 1; /* only bit 0 is writable */
            irq_set(clint->soft_line[hart], clint->msip[hart] != 0);
        }
    } else if (offset >= CLINT_MTIME) {
        if (offset >= CLINT_MTIME + 8)
            return true; /* past mtime: nothing there */
        uint64_t now = clint_mtime(clint);
        uint64_t wanted = piece_write(now, offset - CLINT_MTIME, size, value);
        clint->mtime_offset += wanted - now;
        for (int h = 0; h < clint->hart_count; h++)
            clint_update_timer(clint, h);
    } else {
        uint64_t hart = (offset - CLINT_MTIMECMP) / 8;
        if (hart < (uint64_t)clint->hart_count) {
            clint->mtimecmp[hart] = piece_write(clint->mtimecmp[hart], offset & 7, size, value);
            clint_update_timer(clint, (int)hart);
        }
    }
    return true;
}

static void clint_reset_opaque(void *state)
{
    clint_reset(state);
}

static int clint_fdt_node(void *state, DevFdtContext *ctx)
{
    Clint *clint = state;
    static const char compat[] = "sifive,clint0\0riscv,clint0";
    fdt32_t cells[DEV_MAX_HARTS * 4];
    int n = 0;
    for (int h = 0; h < ctx->hart_count && h < DEV_MAX_HARTS; h++) {
        cells[n++] = cpu_to_fdt32(ctx->cpu_intc_phandle[h]);
        cells[n++] = cpu_to_fdt32(3); /* M_SOFT */
        cells[n++] = cpu_to_fdt32(ctx->cpu_intc_phandle[h]);
        cells[n++] = cpu_to_fdt32(7); /* M_TIMER */
    }
    int err;
    if ((err = dev_fdt_begin_node(ctx, "clint", clint->base)) ||
        (err = fdt_property(ctx->fdt, "interrupts-extended", cells, n * sizeof(cells[0]))) ||
        (err = dev_fdt_reg(ctx, clint->base, CLINT_SIZE)) ||
        (err = fdt_property(ctx->fdt, "compatible", compat, sizeof(compat))))
        return err;
    return fdt_end_node(ctx->fdt);
}

/* Timer deadlines live in the virtual clock (saved by the board). */
static void clint_save(void *state, StateWriter *w)
{
    const Clint *clint = state;
    state_put_u32(w, (uint32_t)clint->hart_count);
    state_put_u64(w, clint->mtime_offset);
    for (int h = 0; h < clint->hart_count; h++) {
        state_put_u32(w, clint->msip[h]);
        state_put_u64(w, clint->mtimecmp[h]);
        state_put_bool(w, clint->mtip[h]);
    }
}

static bool clint_load(void *state, StateReader *r)
{
    Clint *clint = state;
    if (state_get_u32(r) != (uint32_t)clint->hart_count)
        return false;
    uint64_t offset = state_get_u64(r);
    uint32_t msip[DEV_MAX_HARTS];
    uint64_t mtimecmp[DEV_MAX_HARTS];
    bool mtip[DEV_MAX_HARTS];
    for (int h = 0; h < clint->hart_count; h++) {
        msip[h] = state_get_u32(r);
        mtimecmp[h] = state_get_u64(r);
        mtip[h] = state_get_bool(r);
        if (msip[h] > 1)
            return false;
    }
    if (r->failed)
        return false;
    clint->mtime_offset = offset;
    for (int h = 0; h < clint->hart_count; h++) {
        clint->msip[h] = msip[h];
        clint->mtimecmp[h] = mtimecmp[h];
        clint->mtip[h] = mtip[h];
    }
    return true;
}

const DeviceClass clint_class = {
    .name = "clint",
    .read = clint_read,
    .write = clint_write,
    .reset = clint_reset_opaque,
    .fdt_node = clint_fdt_node,
    .save = clint_save,
    .load = clint_load,
};
