/* The CSR file: which CSRs exist, who may access them, WARL masks and the
 * side effects of writes (privileged spec 1.12 chapters 2, 3 and 4).
 *
 * Every CSR that is not implemented here raises an illegal-instruction
 * exception: OpenSBI and Linux detect optional features by trapping, so a
 * read-as-zero would make them believe a feature exists. Not implemented
 * (trap): Sstc (stimecmp), Smstateen, Smepmp (mseccfg), Sdtrig (tselect,
 * tdata*), Sscofpmf (scountovf), AIA (mtopi...), the hypervisor, Zkr (seed),
 * the RV32-only high halves.
 *
 * Choices for WARL fields:
 *  - satp.ASID has 16 bits; the TLB is not tagged by ASID (every satp write
 *    flushes it), so any ASID behaviour the guest relies on is exact.
 *  - mstatus.MPP = 2 (reserved) keeps the previous MPP.
 *  - mtvec/stvec MODE >= 2 keeps the previous MODE.
 *  - mcountinhibit bits are stored but do not stop mcycle/minstret.
 *  - 16 PMP entries with 4-byte granularity; pmpaddr16..63 and the even
 *    pmpcfg4..14 are read-only zero so that software counts exactly 16.
 *  - hpmcounters and their events exist and are read-only zero. */
#include "cpu/cpu_internal.h"

/* RV64 (MXL=2) with I, M, A, F, D, C, S, U. */
#define MISA_VALUE 0x800000000014112dull

/* CSR numbers. */
enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a,
    CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142, CSR_STVAL = 0x143,
    CSR_SIP = 0x144,
    CSR_SATP = 0x180,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af,
    CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03, CSR_MHPMCOUNTER31 = 0xb1f,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
};

/* mstatus bits software may write through mstatus; the rest are fixed
 * (UXL = SXL = 2, little-endian, no V/X extension state). */
#define MSTATUS_WRITABLE                                                                   \
    (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |  \
     MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |     \
     MSTATUS_TSR)
#define MSTATUS_XLEN_FIELDS ((2ull << 32) | (2ull << 34))
/* sstatus is a restricted view of mstatus (spec 4.1.1). */
#define SSTATUS_VISIBLE                                                                    \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS |     \
     MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE                                                                   \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)
/* Fields whose change alters translation or permission checks. */

#define IRQ_BIT(n) (1ull << (n))
#define MIE_WRITABLE                                                                       \
    (IRQ_BIT(IRQ_S_SOFT) | IRQ_BIT(IRQ_M_SOFT) | IRQ_BIT(IRQ_S_TIMER) |                    \
     IRQ_BIT(IRQ_M_TIMER) | IRQ_BIT(IRQ_S_EXT) | IRQ_BIT(IRQ_M_EXT))
#define S_INTERRUPTS (IRQ_BIT(IRQ_S_SOFT) | IRQ_BIT(IRQ_S_TIMER) | IRQ_BIT(IRQ_S_EXT))
/* M-mode writes to mip: the S-level bits; MSIP/MTIP/MEIP mirror device
 * lines (CLINT, PLIC) and are read-only (spec 3.1.9). */
#define MIP_WRITABLE S_INTERRUPTS
/* Exceptions that can be delegated: all standard causes but ecall from M
 * (spec 3.1.8: medeleg[11] is read-only zero) and the reserved 10 and 14. */
#define MEDELEG_WRITABLE 0xb3ffull

#define SATP_MODE_SHIFT 60
#define SATP_ASID_MASK  (0xffffull << 44)
#define SATP_PPN_MASK   ((1ull << 44) - 1)
#define PMPADDR_MASK    ((1ull << 54) - 1)
#define ENVCFG_FIOM     1ull

#define PMP_LOCK 0x80
#define PMP_A    0x18
#define PMP_TOR  0x08

uint64_t csr_mstatus_read(const Hart *h)
{
    uint64_t value = (h->mstatus & ~(MSTATUS_SD | MSTATUS_UXL | MSTATUS_SXL)) |
                     MSTATUS_XLEN_FIELDS;
    if ((value & MSTATUS_FS) == MSTATUS_FS)
        value |= MSTATUS_SD;
    return value;
}

static void mstatus_write(Hart *h, uint64_t value)
{
    uint64_t old = h->mstatus;
    uint64_t next = (old & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE);
    if (((next & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
        next = (next & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    next = (next & ~(MSTATUS_SD | MSTATUS_UXL | MSTATUS_SXL | MSTATUS_XS | MSTATUS_VS |
                     MSTATUS_UBE)) |
           MSTATUS_XLEN_FIELDS;
    h->mstatus = next;
    /* SUM alone selects another TLB set (S has one per SUM value); MPP and
     * SUM matter to M's entries only under MPRV; MPRV and MXR change what
     * every set may hold (mmu.c). */
    uint64_t changed = old ^ next;
    bool mprv = ((old | next) & MSTATUS_MPRV) != 0;
    if ((changed & (MSTATUS_MPRV | MSTATUS_MXR)) ||
        (mprv && (changed & (MSTATUS_MPP | MSTATUS_SUM))))
        hart_flush_tlb(h);
    else if (changed & MSTATUS_SUM)
        mmu_select_tlb(h);
}

/* mip as read by a CSR instruction: SEIP is the OR of the software bit and
 * the interrupt line. For the read-modify-write of CSRRS/CSRRC only the
 * software bit is used (spec 3.1.9). */
static uint64_t mip_for_modify(const Hart *h)
{
    uint64_t value = h->mip & ~IRQ_BIT(IRQ_S_EXT);
    if (h->seip_software)
        value |= IRQ_BIT(IRQ_S_EXT);
    return value;
}

static void mip_write(Hart *h, uint64_t value, uint64_t writable)
{
    h->mip = (h->mip & ~writable) | (value & writable);
    if (writable & IRQ_BIT(IRQ_S_EXT))
        h->seip_software = (value >> IRQ_S_EXT) & 1;
    if (h->seip_software || h->seip_line)
        h->mip |= IRQ_BIT(IRQ_S_EXT);
    else
        h->mip &= ~IRQ_BIT(IRQ_S_EXT);
}

static uint64_t tvec_write(uint64_t old, uint64_t value)
{
    uint64_t mode = value & 3;
    if (mode >= 2)
        mode = old & 3;
    return (value & ~3ull) | mode;
}

static void satp_write(Hart *h, uint64_t value)
{
    uint64_t mode = value >> SATP_MODE_SHIFT;
    /* Bare, Sv39, Sv48, Sv57. Other modes: the whole write is ignored
     * (spec 4.1.11), which is how Linux probes the widest mode. */
    if (mode != 0 && mode != 8 && mode != 9 && mode != 10)
        return;
    h->satp = (mode << SATP_MODE_SHIFT) | (value & (SATP_ASID_MASK | SATP_PPN_MASK));
    hart_flush_tlb(h);
}

static bool pmp_entry_locked(const Hart *h, int i) { return (h->pmpcfg[i] & PMP_LOCK) != 0; }

/* pmpaddr[i] is also locked when entry i+1 is a locked TOR entry, since
 * pmpaddr[i] is its lower bound (spec 3.7.1). */
static bool pmpaddr_locked(const Hart *h, int i)
{
    if (pmp_entry_locked(h, i))
        return true;
    return i + 1 < 16 && pmp_entry_locked(h, i + 1) && (h->pmpcfg[i + 1] & PMP_A) == PMP_TOR;
}

static uint64_t pmpcfg_read(const Hart *h, int csr)
{
    int index = csr - CSR_PMPCFG0;
    if (index >= 4)
        return 0;
    uint64_t value = 0;
    for (int b = 0; b < 8; b++)
        value |= (uint64_t)h->pmpcfg[index * 4 + b] << (8 * b);
    return value;
}

static void pmpcfg_write(Hart *h, int csr, uint64_t value)
{
    int index = csr - CSR_PMPCFG0;
    if (index >= 4)
        return;
    for (int b = 0; b < 8; b++) {
        int entry = index * 4 + b;
        uint8_t cfg = (uint8_t)(value >> (8 * b)) & 0x9f; /* bits 6:5 are WPRI */
        if (pmp_entry_locked(h, entry))
            continue;
        /* R=0, W=1 is reserved: keep the entry as it was. */
        if ((cfg & 3) == 2)
            continue;
        h->pmpcfg[entry] = cfg;
    }
    hart_flush_tlb(h);
}

/* Zicntr/Zihpm access from below M (spec 3.1.11, 4.1.5): S needs the
 * mcounteren bit, U needs both mcounteren and scounteren bits. */
static bool counter_accessible(const Hart *h, int csr)
{
    uint32_t bit = 1u << (csr & 31);
    if (h->priv == PRIV_M)
        return true;
    if (!(h->mcounteren & bit))
        return false;
    return h->priv == PRIV_S || (h->scounteren & bit);
}

static uint64_t read_time(Hart *h)
{
    return h->env.read_time ? h->env.read_time(h->env.opaque, h) : hart_machine_icount(h);
}

/* Reads a CSR. Returns false if the CSR does not exist or the current
 * privilege may not reach it (beyond the generic address-based rule). When
 * `checked` is false (debugger) only existence matters. */
static bool csr_read(Hart *h, int csr, uint64_t *value, bool checked)
{
    switch (csr) {
    case CSR_FFLAGS:
    case CSR_FRM:
    case CSR_FCSR:
        if (checked && !fpu_enabled(h))
            return false;
        *value = csr == CSR_FFLAGS ? h->fflags
                 : csr == CSR_FRM  ? h->frm
                                   : (uint64_t)(h->frm << 5 | h->fflags);
        return true;
    case CSR_CYCLE:
    case CSR_TIME:
    case CSR_INSTRET:
        if (checked && !counter_accessible(h, csr))
            return false;
        *value = csr == CSR_TIME    ? read_time(h)
                 : csr == CSR_CYCLE ? h->instret + h->cycle_offset
                                    : h->instret + h->instret_write_offset;
        return true;
    case CSR_SSTATUS: *value = csr_mstatus_read(h) & SSTATUS_VISIBLE; return true;
    case CSR_SIE: *value = h->mie & h->mideleg & S_INTERRUPTS; return true;
    case CSR_SIP: *value = h->mip & h->mideleg & S_INTERRUPTS; return true;
    case CSR_STVEC: *value = h->stvec; return true;
    case CSR_SCOUNTEREN: *value = h->scounteren; return true;
    case CSR_SENVCFG: *value = h->senvcfg; return true;
    case CSR_SSCRATCH: *value = h->sscratch; return true;
    case CSR_SEPC: *value = h->sepc; return true;
    case CSR_SCAUSE: *value = h->scause; return true;
    case CSR_STVAL: *value = h->stval; return true;
    case CSR_SATP:
        if (checked && h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
            return false;
        *value = h->satp;
        return true;
    case CSR_MSTATUS: *value = csr_mstatus_read(h); return true;
    case CSR_MISA: *value = MISA_VALUE; return true;
    case CSR_MEDELEG: *value = h->medeleg; return true;
    case CSR_MIDELEG: *value = h->mideleg; return true;
    case CSR_MIE: *value = h->mie; return true;
    case CSR_MTVEC: *value = h->mtvec; return true;
    case CSR_MCOUNTEREN: *value = h->mcounteren; return true;
    case CSR_MENVCFG: *value = h->menvcfg; return true;
    case CSR_MCOUNTINHIBIT: *value = h->mcountinhibit; return true;
    case CSR_MSCRATCH: *value = h->mscratch; return true;
    case CSR_MEPC: *value = h->mepc; return true;
    case CSR_MCAUSE: *value = h->mcause; return true;
    case CSR_MTVAL: *value = h->mtval; return true;
    case CSR_MIP: *value = h->mip; return true;
    case CSR_MCYCLE: *value = h->instret + h->cycle_offset; return true;
    case CSR_MINSTRET: *value = h->instret + h->instret_write_offset; return true;
    case CSR_MVENDORID:
    case CSR_MARCHID:
    case CSR_MIMPID:
    case CSR_MCONFIGPTR: *value = 0; return true;
    case CSR_MHARTID: *value = h->mhartid; return true;
    default: break;
    }
    if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
        if (checked && !counter_accessible(h, csr))
            return false;
        *value = 0;
        return true;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *value = 0;
        return true;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        if (csr & 1) /* RV64: odd pmpcfg registers do not exist */
            return false;
        *value = pmpcfg_read(h, csr);
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        int index = csr - CSR_PMPADDR0;
        *value = index < 16 ? h->pmpaddr[index] : 0;
        return true;
    }
    return false;
}

/* Writes a CSR that csr_read accepted. Read-only CSRs never get here. */
static void csr_write(Hart *h, int csr, uint64_t value)
{
    switch (csr) {
    case CSR_FFLAGS:
        h->fflags = value & 0x1f;
        fpu_mark_dirty(h);
        return;
    case CSR_FRM:
        h->frm = value & 7;
        fpu_mark_dirty(h);
        return;
    case CSR_FCSR:
        h->fflags = value & 0x1f;
        h->frm = (value >> 5) & 7;
        fpu_mark_dirty(h);
        return;
    case CSR_SSTATUS:
        mstatus_write(h, (h->mstatus & ~SSTATUS_WRITABLE) | (value & SSTATUS_WRITABLE));
        return;
    case CSR_SIE: {
        uint64_t writable = h->mideleg & S_INTERRUPTS;
        h->mie = (h->mie & ~writable) | (value & writable);
        return;
    }
    case CSR_SIP:
        /* Only SSIP is writable from S (spec 4.1.3); STIP and SEIP are
         * controlled by M-mode / the interrupt controller. */
        mip_write(h, value, h->mideleg & IRQ_BIT(IRQ_S_SOFT));
        return;
    case CSR_STVEC: h->stvec = tvec_write(h->stvec, value); return;
    case CSR_SCOUNTEREN: h->scounteren = (uint32_t)value; return;
    case CSR_SENVCFG: h->senvcfg = value & ENVCFG_FIOM; return;
    case CSR_SSCRATCH: h->sscratch = value; return;
    case CSR_SEPC: h->sepc = value & ~1ull; return;
    case CSR_SCAUSE: h->scause = value; return;
    case CSR_STVAL: h->stval = value; return;
    case CSR_SATP: satp_write(h, value); return;
    case CSR_MSTATUS: mstatus_write(h, value); return;
    case CSR_MISA: return; /* WARL: the extension set is fixed */
    case CSR_MEDELEG: h->medeleg = value & MEDELEG_WRITABLE; return;
    case CSR_MIDELEG: h->mideleg = value & S_INTERRUPTS; return;
    case CSR_MIE: h->mie = value & MIE_WRITABLE; return;
    case CSR_MTVEC: h->mtvec = tvec_write(h->mtvec, value); return;
    case CSR_MCOUNTEREN: h->mcounteren = (uint32_t)value; return;
    case CSR_MENVCFG: h->menvcfg = value & ENVCFG_FIOM; return;
    case CSR_MCOUNTINHIBIT:
        /* CY, IR and HPM3..31; bit 1 (TM) is read-only zero. */
        h->mcountinhibit = (uint32_t)value & ~2u;
        return;
    case CSR_MSCRATCH: h->mscratch = value; return;
    case CSR_MEPC: h->mepc = value & ~1ull; return;
    case CSR_MCAUSE: h->mcause = value; return;
    case CSR_MTVAL: h->mtval = value; return;
    case CSR_MIP: mip_write(h, value, MIP_WRITABLE); return;
    /* The counters advance when the writing instruction retires; offset so
     * that the next instruction reads exactly the written value. */
    case CSR_MCYCLE: h->cycle_offset = value - (h->instret + 1); return;
    case CSR_MINSTRET: h->instret_write_offset = value - (h->instret + 1); return;
    default: break;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        pmpcfg_write(h, csr, value);
        return;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        int index = csr - CSR_PMPADDR0;
        if (index < 16 && !pmpaddr_locked(h, index)) {
            h->pmpaddr[index] = value & PMPADDR_MASK;
            hart_flush_tlb(h);
        }
        return;
    }
    /* mhpmcounterN, mhpmeventN: read-only zero (WARL), writes ignored. */
}

Exc csr_access(Hart *h, int csr, int op, uint64_t src, bool write_intent, uint64_t *old)
{
    csr &= 0xfff;
    /* Address-based rules (spec 2.1): bits 9:8 give the lowest privilege
     * that may access the CSR, bits 11:10 == 3 mark it read-only. */
    if (h->priv < ((csr >> 8) & 3))
        return EXC_ILLEGAL_INSN;
    if (write_intent && (csr >> 10) == 3)
        return EXC_ILLEGAL_INSN;
    uint64_t value;
    if (!csr_read(h, csr, &value, true))
        return EXC_ILLEGAL_INSN;
    if (write_intent) {
        uint64_t base = csr == CSR_MIP ? mip_for_modify(h) : value;
        uint64_t next;
        switch (op) {
        case OP_CSRRW:
        case OP_CSRRWI: next = src; break;
        case OP_CSRRS:
        case OP_CSRRSI: next = base | src; break;
        case OP_CSRRC:
        case OP_CSRRCI: next = base & ~src; break;
        default: return EXC_ILLEGAL_INSN;
        }
        csr_write(h, csr, next);
    }
    *old = value;
    return EXC_NONE;
}

bool hart_csr_read_debug(Hart *h, int csr, uint64_t *value)
{
    if (csr < 0 || csr > 0xfff)
        return false;
    return csr_read(h, csr, value, false);
}
