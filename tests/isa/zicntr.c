/* Zicntr: cycle/time/instret readable and monotonic, instret delta across
 * a known instruction sequence, time against the CLINT's mtime, and
 * mcounteren/scounteren gating of the user-level counters. Timing values
 * are implementation-specific and printed with [impl]. */
#include "ops.h"

static long read_cycle(long unused)
{
    u64 v;
    __asm__ volatile("rdcycle %0" : "=r"(v));
    return (long)v;
}

static long read_time(long unused)
{
    u64 v;
    __asm__ volatile("rdtime %0" : "=r"(v));
    return (long)v;
}

static long read_instret(long unused)
{
    u64 v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return (long)v;
}

int main(void)
{
    u64 c0, c1, i0, i1, t0, t1;
    __asm__ volatile("rdcycle %0" : "=r"(c0));
    __asm__ volatile("rdinstret %0" : "=r"(i0));
    __asm__ volatile("rdtime %0" : "=r"(t0));
    for (volatile int k = 0; k < 1000; k++)
        ;
    __asm__ volatile("rdcycle %0" : "=r"(c1));
    __asm__ volatile("rdinstret %0" : "=r"(i1));
    __asm__ volatile("rdtime %0" : "=r"(t1));
    CHECK("cycle increases", c1 > c0, 1);
    CHECK("instret increases", i1 > i0, 1);
    CHECK("time does not go back", t1 >= t0, 1);
    CHECK("mcycle == cycle view", csr_read(mcycle) >= c1, 1);
    CHECK("minstret == instret view", csr_read(minstret) >= i1, 1);

    /* 100 nops between two reads: delta is 101 (the first read retires
     * too). Exact only where instret counts instructions (deja; QEMU
     * only with -icount). */
    __asm__ volatile("rdinstret %0\n .rept 100\n nop\n .endr\n rdinstret %1"
                     : "=r"(i0), "=r"(i1));
    rt_impl("instret delta over 100 nops", i1 - i0);
    CHECK("instret delta over 100 nops >= 1", i1 - i0 >= 1, 1);

    /* rdtime and the CLINT's mtime are the same clock. */
    u64 mt0 = mmio_read64(CLINT_MTIME);
    __asm__ volatile("rdtime %0" : "=r"(t0));
    u64 mt1 = mmio_read64(CLINT_MTIME);
    CHECK("mtime <= time <= mtime", mt0 <= t0 && t0 <= mt1, 1);
    rt_impl("time - mtime", t0 - mt0);

    /* minstret is writable from M. */
    csr_write(minstret, 1000000);
    __asm__ volatile("rdinstret %0" : "=r"(i0));
    CHECK("minstret written then read >= value", i0 >= 1000000, 1);
    rt_impl("instret after writing 1000000", i0);

    /* U mode: counters need mcounteren (and scounteren for U). */
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    rt_expect_trap();
    rt_run_lower(0, read_cycle, 0, 0);
    CHECK("U rdcycle without mcounteren traps", rt_trap_count(), 1);
    CHECK("U rdcycle cause", rt_last_trap.cause, 2);
    csr_write(mcounteren, 7);
    rt_expect_trap();
    rt_run_lower(0, read_time, 0, 0);
    CHECK("U rdtime with mcounteren only traps", rt_trap_count(), 1);
    csr_write(scounteren, 7);
    rt_expect_trap();
    u64 u_cycle = (u64)rt_run_lower(0, read_cycle, 0, 0);
    u64 u_time = (u64)rt_run_lower(0, read_time, 0, 0);
    u64 u_instret = (u64)rt_run_lower(0, read_instret, 0, 0);
    CHECK("U counters with both enables do not trap", rt_trap_count(), 0);
    CHECK("U cycle nonzero", u_cycle != 0, 1);
    CHECK("U instret nonzero", u_instret != 0, 1);
    CHECK("U time >= earlier time", u_time >= t0, 1);
    csr_write(mcounteren, 5);  /* CY, IR but not TM */
    rt_expect_trap();
    rt_run_lower(1, read_time, 0, 0);
    CHECK("S rdtime without mcounteren.TM traps", rt_trap_count(), 1);
    rt_expect_trap();
    rt_run_lower(1, read_instret, 0, 0);
    CHECK("S rdinstret with mcounteren.IR ok", rt_trap_count(), 0);
    return 0;
}
