/* Exceptions, interrupts, delegation and the xRET instructions
 * (privileged spec 1.12, 3.1.6-3.1.9, 3.3.2, 4.1). */
#include "cpu/cpu_internal.h"

#define IRQ_BIT(n) (1ull << (n))
#define CAUSE_INTERRUPT (1ull << 63)

/* Interrupt priority, highest first (spec 3.1.9). */
static const int interrupt_priority[] = {
    IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER,
};

void trap_set_priv(Hart *h, int priv)
{
    if (h->priv != priv) {
        h->priv = (uint8_t)priv;
        /* TLB entries hold permissions checked for one privilege: each
         * privilege has its own set (mmu.c). */
        mmu_select_tlb(h);
    }
}

static uint64_t mpp(const Hart *h) { return (h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT; }

/* Enters the handler for `cause` (interrupt bit included) at privilege
 * `target` (S or M). epc is h->pc. */
static void trap_enter(Hart *h, uint64_t cause, uint64_t tval, int target)
{
    uint64_t status = h->mstatus;
    int from = h->priv;
    bool interrupt = (cause & CAUSE_INTERRUPT) != 0;
    uint64_t tvec;

    if (target == PRIV_S) {
        h->sepc = h->pc;
        h->scause = cause;
        h->stval = tval;
        status &= ~(MSTATUS_SPP | MSTATUS_SPIE);
        if (from == PRIV_S)
            status |= MSTATUS_SPP;
        if (status & MSTATUS_SIE)
            status |= MSTATUS_SPIE;
        status &= ~MSTATUS_SIE;
        tvec = h->stvec;
    } else {
        h->mepc = h->pc;
        h->mcause = cause;
        h->mtval = tval;
        status &= ~(MSTATUS_MPP | MSTATUS_MPIE);
        status |= (uint64_t)from << MSTATUS_MPP_SHIFT;
        if (status & MSTATUS_MIE)
            status |= MSTATUS_MPIE;
        status &= ~MSTATUS_MIE;
        tvec = h->mtvec;
    }
    /* With MPRV set, loads and stores in M use MPP, which just changed. */
    bool translation_changed = (status & MSTATUS_MPRV) && ((status ^ h->mstatus) & MSTATUS_MPP);
    h->mstatus = status;
    if (translation_changed)
        hart_flush_tlb(h);

    uint64_t base = tvec & ~3ull;
    if (interrupt && (tvec & 3) == 1)
        h->pc = base + 4 * (cause & ~CAUSE_INTERRUPT);
    else
        h->pc = base;
    h->wfi = false;
    h->reservation_valid = false;
    trap_set_priv(h, target);
}

static bool is_data_fault(Exc cause)
{
    return cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS ||
           cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT;
}

void trap_exception(Hart *h, Exc cause, uint64_t tval)
{
    if (unlikely(h->split_fault)) {
        if (is_data_fault(cause) && tval == h->split_fault_vaddr)
            tval = h->split_fault_portion;
        h->split_fault = false;
    }
    if (unlikely((unsigned)cause > 63))
        cause = EXC_ILLEGAL_INSN; /* a caller bug; never index by it */
    /* Delegated exceptions go to S only if they occur in S or U (3.1.8). */
    int target = PRIV_M;
    if (h->priv <= PRIV_S && ((h->medeleg >> cause) & 1))
        target = PRIV_S;
    trap_enter(h, (uint64_t)cause, tval, target);
}

/* The interrupt that would be taken now, or -1. */
static int pending_interrupt(const Hart *h)
{
    uint64_t pending = h->mip & h->mie;
    if (likely(pending == 0))
        return -1;
    uint64_t to_m = pending & ~h->mideleg;
    uint64_t to_s = pending & h->mideleg;
    bool m_enabled = h->priv < PRIV_M || (h->mstatus & MSTATUS_MIE);
    /* Delegated interrupts are never taken in M (3.1.9). */
    bool s_enabled = h->priv < PRIV_S || (h->priv == PRIV_S && (h->mstatus & MSTATUS_SIE));
    uint64_t enabled = (m_enabled ? to_m : 0) | (s_enabled ? to_s : 0);
    if (enabled == 0)
        return -1;
    /* M-level interrupts outrank S-level ones whatever their number. */
    uint64_t candidates = enabled & to_m ? enabled & to_m : enabled;
    for (unsigned i = 0; i < sizeof interrupt_priority / sizeof interrupt_priority[0]; i++)
        if (candidates & IRQ_BIT(interrupt_priority[i]))
            return interrupt_priority[i];
    return -1;
}

bool trap_check_interrupts(Hart *h)
{
    int irq = pending_interrupt(h);
    if (irq < 0)
        return false;
    int target = (h->mideleg >> irq) & 1 ? PRIV_S : PRIV_M;
    trap_enter(h, CAUSE_INTERRUPT | (uint64_t)irq, 0, target);
    return true;
}

bool trap_mret(Hart *h)
{
    if (h->priv < PRIV_M)
        return false;
    uint64_t status = h->mstatus;
    int target = (int)mpp(h);
    status &= ~(MSTATUS_MIE | MSTATUS_MPP);
    if (status & MSTATUS_MPIE)
        status |= MSTATUS_MIE;
    status |= MSTATUS_MPIE; /* MPP becomes U, the least privileged mode */
    if (target != PRIV_M)
        status &= ~MSTATUS_MPRV;
    bool translation_changed = (status ^ h->mstatus) & MSTATUS_MPRV;
    h->mstatus = status;
    h->pc = h->mepc;
    if (translation_changed)
        hart_flush_tlb(h);
    trap_set_priv(h, target);
    return true;
}

bool trap_sret(Hart *h)
{
    if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TSR)))
        return false;
    uint64_t status = h->mstatus;
    int target = (status & MSTATUS_SPP) ? PRIV_S : PRIV_U;
    status &= ~(MSTATUS_SIE | MSTATUS_SPP);
    if (status & MSTATUS_SPIE)
        status |= MSTATUS_SIE;
    status |= MSTATUS_SPIE;
    status &= ~MSTATUS_MPRV; /* SPP is never M (spec 3.1.6.1) */
    bool translation_changed = (status ^ h->mstatus) & MSTATUS_MPRV;
    h->mstatus = status;
    h->pc = h->sepc;
    if (translation_changed)
        hart_flush_tlb(h);
    trap_set_priv(h, target);
    return true;
}

void hart_set_interrupt(Hart *h, int irq, bool level)
{
    if (irq < 0 || irq > 63)
        return;
    if (irq == IRQ_S_EXT) {
        /* The PLIC line is ORed with the software-writable SEIP bit. */
        h->seip_line = level;
        level = level || h->seip_software;
    }
    if (level)
        h->mip |= IRQ_BIT(irq);
    else
        h->mip &= ~IRQ_BIT(irq);
}

bool hart_interrupt_pending(const Hart *h) { return pending_interrupt(h) >= 0; }

/* wfi resumes when any interrupt is pending and enabled in mie, whatever
 * the global enables and delegation (spec 3.3.3). */
bool hart_wakeup_pending(const Hart *h) { return (h->mip & h->mie) != 0; }
