/* The machine's virtual clock (DESIGN.md rule 3).
 *
 *   virtual ns = (machine icount << shift) + warp_ns
 *   mtime      = virtual ns / 100            (10 MHz timebase, as QEMU virt)
 *
 * The machine icount is the sum of instructions retired by all harts in
 * the round-robin order of the scheduler; while a hart runs, "now" is that
 * hart's exact machine icount (a callback supplied by the board). warp_ns
 * grows only when every hart idles in wfi and the board skips to the next
 * timer deadline; later these warps go through the replay log.
 *
 * With the default shift of 2 one instruction is 4 ns: the guest believes
 * it runs at ~250 MIPS whatever the host speed, so guest time is a pure
 * function of the instruction stream.
 *
 * Timers: a small list of (deadline, callback). Deadlines are kept in
 * virtual ns, not icount, because a warp changes the icount <-> ns mapping;
 * clock_next_deadline_icount converts the earliest one to the first
 * machine icount at which it is reached, which is what the scheduler uses
 * to bound a hart's slice so a timer fires at an exact instruction count. */
#ifndef DEJA_CLOCK_H
#define DEJA_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_DEFAULT_SHIFT 2
#define CLOCK_MAX_SHIFT 10
#define CLOCK_NS_PER_MTIME 100 /* 10 MHz */
#define CLOCK_TIMEBASE_HZ 10000000u
#define CLOCK_NEVER UINT64_MAX
#define CLOCK_MAX_TIMERS 32

typedef void (*ClockTimerFn)(void *opaque);

typedef struct ClockTimer {
    uint64_t deadline_ns; /* CLOCK_NEVER when disarmed */
    ClockTimerFn fn;
    void *opaque;
} ClockTimer;

typedef struct VirtClock {
    unsigned shift;
    uint64_t warp_ns;
    uint64_t machine_icount; /* advanced by the scheduler after each slice */
    /* Exact current icount while a hart runs; NULL means machine_icount. */
    uint64_t (*current_icount)(void *opaque);
    void *current_icount_opaque;
    /* Called when a timer is armed earlier than what the scheduler planned
     * (so a running hart can be asked to stop and the slice recomputed). */
    void (*deadline_changed)(void *opaque);
    void *deadline_changed_opaque;
    ClockTimer timers[CLOCK_MAX_TIMERS];
    int timer_count;
} VirtClock;

typedef int ClockTimerId;

void clock_init(VirtClock *clock, unsigned shift);
/* Clears time to 0 and disarms every timer (timers stay registered). */
void clock_reset(VirtClock *clock);

uint64_t clock_icount(const VirtClock *clock);
uint64_t clock_icount_to_ns(const VirtClock *clock, uint64_t icount);
uint64_t clock_now_ns(const VirtClock *clock);
uint64_t clock_now_mtime(const VirtClock *clock);
/* mtime at a given machine icount (for the time CSR of a running hart). */
uint64_t clock_mtime_at(const VirtClock *clock, uint64_t icount);
/* First machine icount at which virtual ns >= deadline_ns (CLOCK_NEVER if
 * it cannot be represented). */
uint64_t clock_ns_to_icount(const VirtClock *clock, uint64_t deadline_ns);
/* Virtual ns at which mtime reaches `mtime` (CLOCK_NEVER on overflow). */
uint64_t clock_mtime_to_ns(uint64_t mtime);
/* First machine icount at which mtime >= target. */
uint64_t clock_mtime_to_icount(const VirtClock *clock, uint64_t target_mtime);

/* Registers a timer (disarmed); returns its id or -1 if the table is full. */
ClockTimerId clock_timer_new(VirtClock *clock, ClockTimerFn fn, void *opaque);
void clock_timer_arm_ns(VirtClock *clock, ClockTimerId id, uint64_t deadline_ns);
void clock_timer_disarm(VirtClock *clock, ClockTimerId id);

/* Earliest armed deadline in ns / in machine icount (CLOCK_NEVER if none). */
uint64_t clock_next_deadline_ns(const VirtClock *clock);
uint64_t clock_next_deadline_icount(const VirtClock *clock);
/* Fires, in deadline order, every timer whose deadline is <= now. A
 * callback may re-arm timers. Returns the number fired. */
int clock_run_timers(VirtClock *clock);
/* Idle skip: moves virtual time forward to deadline_ns (no-op if it is in
 * the past). */
void clock_warp_to_ns(VirtClock *clock, uint64_t deadline_ns);

#endif
