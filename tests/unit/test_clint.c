/* Virtual clock and CLINT: mtime from icount, MTIP at exact icounts,
 * msip, 32-bit halves, mtime writes; goldfish RTC alarm. */
#include <stdio.h>

#include "dev/clint.h"
#include "dev/goldfish_rtc.h"
#include "replay/clock.h"

#include "unit/check.h"


static bool level[2][16];
static void line(void *opaque, int n, bool l)
{
    level[(long)opaque][n] = l;
}
static bool rtc_irq;
static void rtc_line(void *opaque, int n, bool l)
{
    rtc_irq = l;
}

static uint64_t rd(Clint *c, uint64_t off, int size)
{
    uint64_t v = 0;
    clint_read(c, off, size, &v);
    return v;
}

int main(void)
{
    VirtClock clock;
    clock_init(&clock, 2);
    /* shift 2: 4 ns per instruction, 25 instructions per mtime tick */
    CHECK(clock_icount_to_ns(&clock, 1000) == 4000);
    CHECK(clock_mtime_at(&clock, 1000) == 40);
    CHECK(clock_mtime_to_icount(&clock, 40) == 1000);
    CHECK(clock_mtime_to_icount(&clock, 41) == 1025);
    CHECK(clock_ns_to_icount(&clock, 4001) == 1001);
    CHECK(clock_mtime_to_icount(&clock, UINT64_MAX) == CLOCK_NEVER);

    Clint c;
    CHECK(clint_init(&c, CLINT_BASE, 2, &clock));
    for (long h = 0; h < 2; h++)
        clint_connect(&c, (int)h, (IrqLine){ line, (void *)h, 3 }, (IrqLine){ line, (void *)h, 7 });

    clock.machine_icount = 2500; /* mtime 100 */
    CHECK(rd(&c, CLINT_MTIME, 8) == 100);
    CHECK(rd(&c, CLINT_MTIME, 4) == 100 && rd(&c, CLINT_MTIME + 4, 4) == 0);
    CHECK(rd(&c, CLINT_MTIMECMP, 8) == UINT64_MAX);

    /* mtimecmp written as two halves, as 32-bit software does */
    clint_write(&c, CLINT_MTIMECMP + 8 + 4, 4, 0);
    clint_write(&c, CLINT_MTIMECMP + 8, 4, 200);
    CHECK(rd(&c, CLINT_MTIMECMP + 8, 8) == 200);
    CHECK(!level[1][7]);
    CHECK(clock_next_deadline_icount(&clock) == 5000);
    clock.machine_icount = 4999;
    CHECK(clock_run_timers(&clock) == 0 && !level[1][7]);
    clock.machine_icount = 5000;
    CHECK(clock_run_timers(&clock) == 1 && level[1][7]);
    CHECK(!level[0][7]);
    /* moving mtimecmp into the future clears MTIP */
    clint_write(&c, CLINT_MTIMECMP + 8, 8, 1000);
    CHECK(!level[1][7]);
    /* writing mtime forward reaches it at once */
    clint_write(&c, CLINT_MTIME, 8, 5000);
    CHECK(rd(&c, CLINT_MTIME, 8) == 5000 && level[1][7]);
    clint_write(&c, CLINT_MTIME, 8, 200);
    CHECK(!level[1][7]);
    CHECK(clock_next_deadline_icount(&clock) == 5000 + 800 * 25);

    /* msip: bit 0 only, raises the soft line */
    clint_write(&c, 4, 4, 0xffffffff);
    CHECK(rd(&c, 4, 4) == 1 && level[1][3] && !level[0][3]);
    clint_write(&c, 4, 4, 0);
    CHECK(!level[1][3]);
    /* garbage: beyond the harts, odd sizes */
    uint64_t v;
    CHECK(clint_write(&c, 4 * 7, 4, 1) && rd(&c, 4 * 7, 4) == 0);
    CHECK(!clint_read(&c, 0, 1, &v));
    clint_write(&c, CLINT_MTIMECMP + 8 * 100, 8, 0);
    CHECK(clint_write(&c, 0xc000, 4, 5) && rd(&c, 0xc000, 4) == 0); /* past mtime */
    CHECK(rd(&c, 0xfffc, 4) == 0);

    /* warp: idle skip to the next deadline */
    uint64_t deadline = clock_next_deadline_ns(&clock);
    clock_warp_to_ns(&clock, deadline);
    CHECK(clock_now_ns(&clock) == deadline);
    CHECK(clock_run_timers(&clock) == 1 && level[1][7]);

    /* goldfish RTC: base + virtual ns; alarm at an exact time */
    clock_init(&clock, 2);
    GoldfishRtc rtc;
    CHECK(goldfish_rtc_init(&rtc, GOLDFISH_RTC_BASE, 11, (IrqLine){ rtc_line, NULL, 11 }, &clock,
                            1000000000ull));
    clock.machine_icount = 250; /* 1000 ns */
    goldfish_rtc_read(&rtc, GOLDFISH_RTC_TIME_LOW, 4, &v);
    CHECK(v == (uint32_t)1000001000ull);
    goldfish_rtc_read(&rtc, GOLDFISH_RTC_TIME_HIGH, 4, &v);
    CHECK(v == 0);
    goldfish_rtc_write(&rtc, GOLDFISH_RTC_IRQ_ENABLED, 4, 1);
    goldfish_rtc_write(&rtc, GOLDFISH_RTC_ALARM_HIGH, 4, 0);
    goldfish_rtc_write(&rtc, GOLDFISH_RTC_ALARM_LOW, 4, 1000002000u);
    goldfish_rtc_read(&rtc, GOLDFISH_RTC_ALARM_STATUS, 4, &v);
    CHECK(v == 1 && !rtc_irq);
    CHECK(clock_next_deadline_icount(&clock) == 500);
    clock.machine_icount = 500;
    clock_run_timers(&clock);
    CHECK(rtc_irq);
    goldfish_rtc_read(&rtc, GOLDFISH_RTC_ALARM_STATUS, 4, &v);
    CHECK(v == 0);
    goldfish_rtc_write(&rtc, GOLDFISH_RTC_CLEAR_INTERRUPT, 4, 1);
    CHECK(!rtc_irq);
    /* an alarm in the past fires at once */
    goldfish_rtc_write(&rtc, GOLDFISH_RTC_ALARM_LOW, 4, 5);
    CHECK(rtc_irq);

    if (failures)
        printf("test_clint: %d failure(s)\n", failures);
    return failures != 0;
}
