/* Privileged architecture: M/S/U transitions with mret/sret, ecall causes
 * from each mode, exception delegation with medeleg, illegal privileged
 * accesses from lower modes, TSR/TW/TVM traps, wfi, direct and vectored
 * interrupts (machine timer, machine software), and supervisor timer and
 * software interrupts delegated with mideleg. */
#include "ops.h"

extern char priv_vector_table[];
extern volatile u64 priv_vector_hit[2];

static volatile u64 s_status_seen;
static volatile int interrupts_seen;
static volatile u64 interrupt_cause;

static long current_mode_probe(long arg)
{
    /* Returns arg + 1 when run; the mode is checked by what traps. */
    return arg + 1;
}

static long do_ecall(long arg)
{
    register long a7 __asm__("a7") = 0;
    register long a0 __asm__("a0") = arg;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

static long read_mstatus(long arg) { return (long)csr_read(mstatus); }
static long read_sstatus(long arg) { return (long)csr_read(sstatus); }
static long write_satp(long arg) { csr_write(satp, 0); return 0; }
static long do_sfence(long arg) { __asm__ volatile("sfence.vma" ::: "memory"); return 0; }
static long do_wfi(long arg) { __asm__ volatile("wfi"); return 0; }

static long do_sret(long arg)
{
    /* sret with SPP = S and sepc = the next instruction: returns here. */
    __asm__ volatile("la t0, 1f\n csrw sepc, t0\n li t0, 0x100\n csrs sstatus, t0\n"
                     "sret\n 1:" ::: "t0", "memory");
    return 5;
}

static long do_sret_status(long arg)
{
    /* SPIE = 0 before sret, so SIE must become 0 and SPIE 1. */
    __asm__ volatile("la t0, 1f\n csrw sepc, t0\n li t0, 0x100\n csrs sstatus, t0\n"
                     "li t0, 0x20\n csrc sstatus, t0\n li t0, 2\n csrs sstatus, t0\n"
                     "sret\n 1:" ::: "t0", "memory");
    return (long)csr_read(sstatus);
}

static long do_mret(long arg)
{
    __asm__ volatile("mret" ::: "memory");
    return 0;
}

/* S-mode hook used by the delegation tests: records sstatus and defers to
 * the default expected-trap handling. */
static int s_hook_record(struct rt_frame *f)
{
    s_status_seen = f->status;
    return 0;
}

static void ecalls_and_modes(void)
{
    CHECK("run in S", rt_run_lower(1, current_mode_probe, 41, 0), 42);
    CHECK("run in U", rt_run_lower(0, current_mode_probe, 9, 0), 10);
    rt_expect_trap();
    rt_run_lower(0, do_ecall, 0, 0);
    CHECK("ecall from U cause", rt_last_trap.cause, 8);
    CHECK("ecall from U taken in M", rt_last_trap.mode, 3);
    rt_expect_trap();
    rt_run_lower(1, do_ecall, 0, 0);
    CHECK("ecall from S cause", rt_last_trap.cause, 9);
    rt_expect_trap();
    do_ecall(0);
    CHECK("ecall from M cause", rt_last_trap.cause, 11);
    CHECK("ecall from M mepc", rt_trap_count() == 1 && rt_last_trap.epc != 0, 1);
    CHECK("ecall tval is 0", rt_last_trap.tval, 0);
    rt_expect_trap();
    __asm__ volatile("ebreak");
    CHECK("ebreak cause", rt_last_trap.cause, 3);
    rt_trap_count();
}

static void delegation(void)
{
    csr_write(stvec, (u64)rt_trap_entry_s);
    csr_write(medeleg, 1UL << 8); /* ecall from U */
    rt_hook_s = s_hook_record;
    rt_expect_trap();
    rt_run_lower(0, do_ecall, 0, 0);
    CHECK("delegated U ecall traps once", rt_trap_count(), 1);
    CHECK("delegated U ecall cause", rt_last_trap.cause, 8);
    CHECK("delegated U ecall taken in S", rt_last_trap.mode, 1);
    CHECK("sstatus.SPP = U", s_status_seen & MSTATUS_SPP, 0);
    /* Not delegated: ecall from S still goes to M. */
    rt_expect_trap();
    rt_run_lower(1, do_ecall, 0, 0);
    CHECK("S ecall with only bit 8 delegated goes to M", rt_last_trap.mode, 3);
    /* Delegate illegal instruction: U reading mstatus traps into S. */
    csr_write(medeleg, (1UL << 8) | (1UL << 2));
    rt_expect_trap();
    rt_run_lower(0, read_mstatus, 0, 0);
    CHECK("delegated illegal from U taken in S", rt_last_trap.mode, 1);
    CHECK("delegated illegal cause", rt_last_trap.cause, 2);
    /* Traps from S with delegation stay in S (sstatus.SPP = S). */
    rt_expect_trap();
    rt_run_lower(1, read_mstatus, 0, 0);
    CHECK("S illegal delegated taken in S", rt_last_trap.mode, 1);
    CHECK("sstatus.SPP = S", (s_status_seen & MSTATUS_SPP) != 0, 1);
    /* Traps from M are never delegated. */
    rt_expect_trap();
    __asm__ volatile(".4byte 0" ::: "memory");
    CHECK("M illegal stays in M", rt_last_trap.mode, 3);
    rt_trap_count();
    csr_write(medeleg, 0);
    rt_hook_s = 0;
}

static void illegal_from_lower(void)
{
    rt_expect_trap();
    rt_run_lower(0, read_mstatus, 0, 0);
    CHECK("U reads mstatus: illegal", rt_last_trap.cause, 2);
    rt_expect_trap();
    rt_run_lower(0, read_sstatus, 0, 0);
    CHECK("U reads sstatus: illegal", rt_last_trap.cause, 2);
    rt_expect_trap();
    rt_run_lower(1, read_mstatus, 0, 0);
    CHECK("S reads mstatus: illegal", rt_last_trap.cause, 2);
    rt_expect_trap();
    rt_run_lower(1, read_sstatus, 0, 0);
    CHECK("S reads sstatus: no trap", rt_trap_count(), 0);
    rt_expect_trap();
    rt_run_lower(0, do_sret, 0, 0);
    CHECK("U sret: illegal", rt_last_trap.cause, 2);
    rt_expect_trap();
    rt_run_lower(1, do_mret, 0, 0);
    CHECK("S mret: illegal", rt_last_trap.cause, 2);
    rt_trap_count();
    CHECK("S sret to S works", rt_run_lower(1, do_sret, 0, 0), 5);
    csr_set(mstatus, MSTATUS_TSR);
    rt_expect_trap();
    rt_run_lower(1, do_sret, 0, 0);
    CHECK("S sret with TSR traps", rt_trap_count() >= 1, 1);
    CHECK("S sret with TSR cause", rt_last_trap.cause, 2);
    csr_clear(mstatus, MSTATUS_TSR);
    csr_set(mstatus, MSTATUS_TVM);
    rt_expect_trap();
    rt_run_lower(1, write_satp, 0, 0);
    CHECK("S satp write with TVM traps", rt_trap_count(), 1);
    rt_expect_trap();
    rt_run_lower(1, do_sfence, 0, 0);
    CHECK("S sfence.vma with TVM traps", rt_trap_count(), 1);
    csr_clear(mstatus, MSTATUS_TVM);
    rt_expect_trap();
    rt_run_lower(1, do_sfence, 0, 0);
    CHECK("S sfence.vma without TVM ok", rt_trap_count(), 0);
    rt_expect_trap();
    rt_run_lower(0, do_sfence, 0, 0);
    CHECK("U sfence.vma illegal", rt_trap_count(), 1);
    csr_set(mstatus, MSTATUS_TW);
    rt_expect_trap();
    rt_run_lower(1, do_wfi, 0, 0);
    CHECK("S wfi with TW traps", rt_trap_count(), 1);
    CHECK("S wfi with TW cause", rt_last_trap.cause, 2);
    csr_clear(mstatus, MSTATUS_TW);
}

static int m_interrupt_hook(struct rt_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT))
        return 0;
    u64 code = f->cause & ~CAUSE_INTERRUPT;
    interrupt_cause = f->cause;
    interrupts_seen++;
    if (code == 7) {
        mmio_write64(CLINT_MTIMECMP, ~0ULL);
        /* Hand the tick to S when it is delegated (the usual SBI flow). */
        if (csr_read(mideleg) & (1UL << 5))
            csr_set(mip, 1UL << 5);
    } else if (code == 3) {
        mmio_write32(CLINT_MSIP, 0);
    } else {
        return 0;
    }
    return 1;
}

static volatile u64 first_cause;

static int m_first_interrupt_hook(struct rt_frame *f)
{
    if (!interrupts_seen)
        first_cause = f->cause;
    return m_interrupt_hook(f);
}

static int wait_for_interrupt(void)
{
    for (long i = 0; i < 20000000 && !interrupts_seen; i++)
        __asm__ volatile("nop");
    return interrupts_seen;
}

static void machine_interrupts(void)
{
    rt_hook_m = m_interrupt_hook;
    /* Machine software interrupt, direct mode. */
    interrupts_seen = 0;
    csr_write(mie, 1UL << 3);
    mmio_write32(CLINT_MSIP, 1);
    CHECK("msip pending in mip", (csr_read(mip) >> 3) & 1, 1);
    CHECK("no interrupt while MIE = 0", interrupts_seen, 0);
    csr_set(mstatus, MSTATUS_MIE);
    wait_for_interrupt();
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK("msi taken", interrupts_seen, 1);
    CHECK("msi cause", interrupt_cause, CAUSE_INTERRUPT | 3);
    CHECK("msip cleared", (csr_read(mip) >> 3) & 1, 0);
    /* Machine timer interrupt, direct mode. */
    interrupts_seen = 0;
    csr_write(mie, 1UL << 7);
    mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + 1000);
    csr_set(mstatus, MSTATUS_MIE);
    wait_for_interrupt();
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK("mti taken", interrupts_seen, 1);
    CHECK("mti cause", interrupt_cause, CAUSE_INTERRUPT | 7);
    CHECK("mtip cleared", (csr_read(mip) >> 7) & 1, 0);
    /* wfi wakes up on a pending enabled interrupt even with MIE = 0. */
    mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + 100);
    __asm__ volatile("wfi");
    CHECK("wfi returned, mtip pending", (csr_read(mip) >> 7) & 1, 1);
    mmio_write64(CLINT_MTIMECMP, ~0ULL);
    /* Vectored: timer goes to entry 7, software to entry 3. */
    u64 saved = csr_read(mtvec);
    csr_write(mtvec, (u64)priv_vector_table | 1);
    CHECK("mtvec vectored readback", csr_read(mtvec), (u64)priv_vector_table | 1);
    mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + 1000);
    csr_set(mstatus, MSTATUS_MIE);
    for (long i = 0; i < 20000000 && priv_vector_hit[0] == ~0ULL; i++)
        __asm__ volatile("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK("vectored timer entry", priv_vector_hit[0], 7);
    CHECK("vectored timer mcause", priv_vector_hit[1], CAUSE_INTERRUPT | 7);
    priv_vector_hit[0] = ~0ULL;
    csr_write(mie, 1UL << 3);
    mmio_write32(CLINT_MSIP, 1);
    csr_set(mstatus, MSTATUS_MIE);
    for (long i = 0; i < 20000000 && priv_vector_hit[0] == ~0ULL; i++)
        __asm__ volatile("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK("vectored software entry", priv_vector_hit[0], 3);
    /* Exceptions still use the base address. */
    rt_expect_trap();
    __asm__ volatile("ebreak");
    CHECK("vectored mode exception at base", rt_trap_count(), 1);
    csr_write(mtvec, saved);
    csr_write(mie, 0);
}

static volatile int s_interrupts;
static volatile u64 s_interrupt_cause;

static int s_interrupt_hook(struct rt_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT))
        return 0;
    s_interrupt_cause = f->cause;
    s_interrupts++;
    u64 code = f->cause & ~CAUSE_INTERRUPT;
    if (code == 1) {
        csr_clear(sip, 1UL << 1);
    } else if (code == 5) {
        /* STIP is read-only in S: ask M (ecall a7 = 1) to clear it. */
        register long a7 __asm__("a7") = 1;
        __asm__ volatile("ecall" :: "r"(a7) : "memory");
    }
    return 1;
}

static int m_clear_stip_hook(struct rt_frame *f)
{
    if (f->cause == 9 && f->regs[17] == 1) {
        csr_clear(mip, 1UL << 5);
        f->epc += 4;
        return 1;
    }
    return m_interrupt_hook(f);
}

static long s_wait_interrupt(long arg)
{
    csr_set(sie, arg);
    csr_set(sstatus, MSTATUS_SIE);
    if (arg & 2)
        csr_set(sip, 1UL << 1);
    for (long i = 0; i < 20000000 && !s_interrupts; i++)
        __asm__ volatile("nop");
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sie, arg);
    return s_interrupts;
}

static void supervisor_interrupts(void)
{
    csr_write(stvec, (u64)rt_trap_entry_s);
    rt_hook_s = s_interrupt_hook;
    rt_hook_m = m_clear_stip_hook;
    csr_write(mideleg, (1UL << 1) | (1UL << 5));
    /* Supervisor software interrupt raised by S itself through sip. */
    s_interrupts = 0;
    CHECK("S software interrupt taken", rt_run_lower(1, s_wait_interrupt, 1UL << 1, 0), 1);
    CHECK("S software interrupt cause", s_interrupt_cause, CAUSE_INTERRUPT | 1);
    /* Supervisor timer: the machine timer fires in M (MTIE), M sets STIP,
     * the delegated STI is taken in S, S asks M to clear STIP. */
    s_interrupts = 0;
    interrupts_seen = 0;
    csr_write(mie, (1UL << 7) | (1UL << 5) | (1UL << 1));
    mmio_write64(CLINT_MTIMECMP, mmio_read64(CLINT_MTIME) + 1000);
    CHECK("S timer interrupt taken", rt_run_lower(1, s_wait_interrupt, 1UL << 5, 0), 1);
    CHECK("S timer interrupt cause", s_interrupt_cause, CAUSE_INTERRUPT | 5);
    CHECK("M timer interrupt came first", interrupts_seen, 1);
    CHECK("STIP cleared", (csr_read(mip) >> 5) & 1, 0);
    /* A delegated interrupt pending while in U is taken in S even with
     * sstatus.SIE = 0 (U always has S interrupts enabled). */
    s_interrupts = 0;
    csr_set(mip, 1UL << 5);
    csr_write(sie, 1UL << 5);
    rt_run_lower(0, current_mode_probe, 0, 0);
    CHECK("S timer taken from U with SIE = 0", s_interrupts, 1);
    csr_write(sie, 0);
    csr_write(mie, 0);
    csr_write(mideleg, 0);
    rt_hook_s = 0;
    rt_hook_m = 0;
}

static volatile u64 hook_status;

static int m_status_hook(struct rt_frame *f)
{
    if (f->cause != 11)
        return 0;
    hook_status = f->status;
    f->epc += 4;
    return 1;
}

/* Status-stack updates on trap entry and xRET (privileged spec 3.1.6.1,
 * 3.3.2), interrupt priority and mip/sip writability. */
static void status_stack(void)
{
    rt_hook_m = m_status_hook;
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile("li a7, 0\n ecall" ::: "a7", "memory");
    u64 after = csr_read(mstatus);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK("trap: MPIE = old MIE", (hook_status & MSTATUS_MPIE) != 0, 1);
    CHECK("trap: MIE cleared", hook_status & MSTATUS_MIE, 0);
    CHECK("trap: MPP = M", (hook_status >> 11) & 3, 3);
    CHECK("mret: MIE = MPIE", (after & MSTATUS_MIE) != 0, 1);
    CHECK("mret: MPIE = 1", (after & MSTATUS_MPIE) != 0, 1);
    CHECK("mret: MPP = U (least privileged)", (after >> 11) & 3, 0);
    rt_hook_m = 0;
    /* mret to S clears MPRV and leaves MPP = U. */
    csr_set(mstatus, MSTATUS_MPRV);
    rt_run_lower(1, current_mode_probe, 0, 0);
    /* Privileged spec 1.12 clears MPRV on an xRET to a mode below M;
     * QEMU 7.2 does not. */
    rt_impl("mret to S cleared MPRV", csr_read(mstatus) & MSTATUS_MPRV);
    csr_clear(mstatus, MSTATUS_MPRV);
    /* sret: SIE = SPIE, SPIE = 1, SPP = U. */
    u64 st = (u64)rt_run_lower(1, do_sret_status, 0, 0);
    CHECK("sret: SIE = SPIE (0)", st & MSTATUS_SIE, 0);
    CHECK("sret: SPIE = 1", (st & MSTATUS_SPIE) != 0, 1);
    CHECK("sret: SPP = U", st & MSTATUS_SPP, 0);

    /* Priority: with MSI and MTI both pending, MSI is taken first. */
    interrupts_seen = 0;
    interrupt_cause = 0;
    rt_hook_m = m_first_interrupt_hook;
    mmio_write32(CLINT_MSIP, 1);
    mmio_write64(CLINT_MTIMECMP, 0);
    csr_write(mie, (1UL << 3) | (1UL << 7));
    csr_set(mstatus, MSTATUS_MIE);
    __asm__ volatile("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK("MSI before MTI", first_cause, CAUSE_INTERRUPT | 3);
    CHECK("both taken", interrupts_seen, 2);
    csr_write(mie, 0);
    rt_hook_m = 0;

    /* mip: SSIP and STIP writable by M, MTIP read-only. */
    csr_set(mip, (1UL << 1) | (1UL << 5));
    CHECK("mip SSIP|STIP set by M", csr_read(mip) & 0x22, 0x22);
    csr_clear(mip, 0x22);
    CHECK("mip SSIP|STIP cleared", csr_read(mip) & 0x22, 0);
    mmio_write64(CLINT_MTIMECMP, 0);
    csr_clear(mip, 1UL << 7);
    CHECK("mip.MTIP not writable", (csr_read(mip) >> 7) & 1, 1);
    mmio_write64(CLINT_MTIMECMP, ~0ULL);
    CHECK("mip.MTIP follows mtimecmp", (csr_read(mip) >> 7) & 1, 0);
}

int main(void)
{
    status_stack();
    ecalls_and_modes();
    delegation();
    illegal_from_lower();
    machine_interrupts();
    supervisor_interrupts();
    return 0;
}
