/* The machine's virtual clock: see clock.h. */
#include "replay/clock.h"

#include <string.h>

void clock_init(VirtClock *clock, unsigned shift)
{
    memset(clock, 0, sizeof(*clock));
    clock->shift = shift > CLOCK_MAX_SHIFT ? CLOCK_MAX_SHIFT : shift;
}

void clock_reset(VirtClock *clock)
{
    clock->warp_ns = 0;
    clock->machine_icount = 0;
    for (int i = 0; i < clock->timer_count; i++)
        clock->timers[i].deadline_ns = CLOCK_NEVER;
}

uint64_t clock_icount(const VirtClock *clock)
{
    if (clock->current_icount)
        return clock->current_icount(clock->current_icount_opaque);
    return clock->machine_icount;
}

uint64_t clock_icount_to_ns(const VirtClock *clock, uint64_t icount)
{
    return (icount << clock->shift) + clock->warp_ns;
}

uint64_t clock_now_ns(const VirtClock *clock)
{
    return clock_icount_to_ns(clock, clock_icount(clock));
}

uint64_t clock_now_mtime(const VirtClock *clock)
{
    return clock_now_ns(clock) / CLOCK_NS_PER_MTIME;
}

uint64_t clock_mtime_at(const VirtClock *clock, uint64_t icount)
{
    return clock_icount_to_ns(clock, icount) / CLOCK_NS_PER_MTIME;
}

uint64_t clock_ns_to_icount(const VirtClock *clock, uint64_t deadline_ns)
{
    if (deadline_ns == CLOCK_NEVER)
        return CLOCK_NEVER;
    if (deadline_ns <= clock->warp_ns)
        return 0;
    uint64_t ns = deadline_ns - clock->warp_ns;
    uint64_t step = 1ull << clock->shift;
    return ns / step + (ns % step != 0); /* round up: first icount reaching it */
}

uint64_t clock_mtime_to_ns(uint64_t mtime)
{
    if (mtime > CLOCK_NEVER / CLOCK_NS_PER_MTIME - 1)
        return CLOCK_NEVER;
    return mtime * CLOCK_NS_PER_MTIME;
}

uint64_t clock_mtime_to_icount(const VirtClock *clock, uint64_t target_mtime)
{
    return clock_ns_to_icount(clock, clock_mtime_to_ns(target_mtime));
}

ClockTimerId clock_timer_new(VirtClock *clock, ClockTimerFn fn, void *opaque)
{
    if (clock->timer_count >= CLOCK_MAX_TIMERS)
        return -1;
    clock->timers[clock->timer_count] =
        (ClockTimer){ .deadline_ns = CLOCK_NEVER, .fn = fn, .opaque = opaque };
    return clock->timer_count++;
}

void clock_timer_arm_ns(VirtClock *clock, ClockTimerId id, uint64_t deadline_ns)
{
    if (id < 0 || id >= clock->timer_count)
        return;
    uint64_t before = clock_next_deadline_ns(clock);
    clock->timers[id].deadline_ns = deadline_ns;
    if (deadline_ns < before && clock->deadline_changed)
        clock->deadline_changed(clock->deadline_changed_opaque);
}

void clock_timer_disarm(VirtClock *clock, ClockTimerId id)
{
    if (id >= 0 && id < clock->timer_count)
        clock->timers[id].deadline_ns = CLOCK_NEVER;
}

uint64_t clock_next_deadline_ns(const VirtClock *clock)
{
    uint64_t best = CLOCK_NEVER;
    for (int i = 0; i < clock->timer_count; i++)
        if (clock->timers[i].deadline_ns < best)
            best = clock->timers[i].deadline_ns;
    return best;
}

uint64_t clock_next_deadline_icount(const VirtClock *clock)
{
    return clock_ns_to_icount(clock, clock_next_deadline_ns(clock));
}

int clock_run_timers(VirtClock *clock)
{
    int fired = 0;
    /* Bounded: each pass fires the earliest expired timer; a callback that
     * re-arms in the past would otherwise loop forever. */
    for (int pass = 0; pass < 4 * CLOCK_MAX_TIMERS; pass++) {
        uint64_t now = clock_now_ns(clock);
        int earliest = -1;
        for (int i = 0; i < clock->timer_count; i++) {
            uint64_t d = clock->timers[i].deadline_ns;
            if (d <= now && (earliest < 0 || d < clock->timers[earliest].deadline_ns))
                earliest = i;
        }
        if (earliest < 0)
            break;
        ClockTimer *t = &clock->timers[earliest];
        t->deadline_ns = CLOCK_NEVER;
        t->fn(t->opaque);
        fired++;
    }
    return fired;
}

void clock_warp_to_ns(VirtClock *clock, uint64_t deadline_ns)
{
    uint64_t now = clock_now_ns(clock);
    if (deadline_ns != CLOCK_NEVER && deadline_ns > now)
        clock->warp_ns += deadline_ns - now;
}
