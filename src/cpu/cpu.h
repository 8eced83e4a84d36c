/* The RISC-V hart: RV64IMAFDC + Zicsr + Zifencei + Zicntr, M/S/U modes,
 * Sv39/Sv48/Sv57, PMP with 16 entries.
 *
 * The hart reaches memory only through the bus (src/bus/bus.h) and knows
 * nothing of devices or replay. Devices change its interrupt lines with
 * hart_set_interrupt(); the board's scheduler runs it with hart_run() for an
 * exact number of instructions.
 *
 * Exactness contract (DESIGN.md rules 3 and 5):
 *  - hart_run(h, n) retires at most n instructions and stops exactly after
 *    the n-th unless it stops earlier (wfi, stop request).
 *  - h->instret counts retired instructions. An instruction that traps does
 *    not retire (ecall, ebreak, faults, illegal instructions).
 *  - Interrupts are taken only at points defined by the instruction stream
 *    and the scheduler: at the start of hart_run and right after any
 *    instruction that may change what is pending or enabled (CSR access,
 *    MMIO access, mret/sret, wfi). Never at a place that depends on how the
 *    code happened to be split into decoded blocks.
 *  - Before any call out of the interpreter (MMIO, time read), h->pc and
 *    h->instret are exact for the instruction making the call. */
#ifndef DEJA_CPU_H
#define DEJA_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"

#define HART_TLB_SIZE 1024

/* Privilege levels as encoded in mstatus.MPP. */
enum { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* mip/mie bits (privileged spec 3.1.9). */
enum {
    IRQ_S_SOFT = 1,
    IRQ_M_SOFT = 3,
    IRQ_S_TIMER = 5,
    IRQ_M_TIMER = 7,
    IRQ_S_EXT = 9,
    IRQ_M_EXT = 11,
};

/* Why hart_run returned. */
typedef enum HartStop {
    HART_STOP_BUDGET,  /* retired the requested number of instructions */
    HART_STOP_WFI,     /* executing wfi with nothing pending: idle */
    HART_STOP_REQUEST, /* hart_request_stop() was called (device, host) */
    HART_STOP_TRAP,    /* took an exception with h->stop_at_trap set (gdb) */
} HartStop;

/* hart_run gives up its slice (HART_STOP_WFI, h->wfi unchanged) after this
 * many exceptions in a row without retiring an instruction. */
#define HART_STUCK_TRAP_LIMIT 65536

/* One software-TLB entry: a hit when (vaddr & tag_mask_for_size) == tag;
 * the host address is vaddr + addend. tag is -1 when empty. */
typedef struct HartTlbEntry {
    uint64_t tag;
    uintptr_t addend;
} HartTlbEntry;

/* The software TLB of one translation context (mmu.c): the entries of the
 * three access types for one privilege (and, for S, one value of
 * mstatus.SUM), so that traps and xRET switch sets instead of flushing. */
typedef struct HartTlbSet {
    HartTlbEntry read[HART_TLB_SIZE];
    HartTlbEntry write[HART_TLB_SIZE];
    HartTlbEntry fetch[HART_TLB_SIZE];
} HartTlbSet;

/* Sets: U, S with SUM=0, S with SUM=1, M (mmu.c, tlb_set_index). */
#define HART_TLB_SETS 4

typedef struct CodeCache CodeCache;
typedef struct Hart Hart;

/* What the hart needs from the board, as callbacks (cpu/ must not know
 * devices). read_time returns the current value of mtime (the time CSR),
 * computed from hart_machine_icount() of the calling hart. */
typedef struct HartEnv {
    void *opaque;
    uint64_t (*read_time)(void *opaque, Hart *hart);
} HartEnv;

struct Hart {
    /* --- hot: touched by nearly every instruction --- */
    uint64_t x[32];
    uint64_t pc;
    uint64_t instret;
    /* The TLB set of the current context (points into tlb_sets; chosen
     * by hart_flush_tlb and mmu_select_tlb). */
    HartTlbEntry *tlb_read;
    HartTlbEntry *tlb_write;
    HartTlbEntry *tlb_fetch;
    uint64_t f[32]; /* FP registers, raw bits; singles are NaN-boxed */
    uint8_t priv;   /* current privilege level */
    bool stop_request;
    bool wfi;       /* idle in wfi until an interrupt is pending */
    uint8_t frm;    /* fcsr.frm */
    uint8_t fflags; /* fcsr.fflags */
    /* Set by the gdb stub around hart_run(h, 1): return HART_STOP_TRAP
     * right after an exception is taken (pc at the handler, nothing of
     * it executed) instead of running on into the handler. */
    bool stop_at_trap;

    /* --- warm: interrupts and the machine clock --- */
    uint64_t mip; /* software-visible pending bits incl. device lines */
    uint64_t mie;
    uint64_t icount_offset; /* machine icount = instret + icount_offset */
    uint64_t reservation;   /* LR/SC reserved physical address */
    uint64_t reservation_value; /* value LR read (SC checks it, execute.c) */
    bool reservation_valid;
    /* mip.SEIP is the OR of a software-writable bit and the PLIC line
     * (privileged spec 3.1.9); h->mip holds the OR, these the two parts. */
    bool seip_software;
    bool seip_line;

    /* --- CSRs --- */
    uint64_t mstatus; /* full mstatus; sstatus is a view of it */
    uint64_t misa;
    uint64_t medeleg, mideleg;
    uint64_t mtvec, stvec;
    uint64_t mscratch, sscratch;
    uint64_t mepc, sepc;
    uint64_t mcause, scause;
    uint64_t mtval, stval;
    uint64_t satp;
    uint32_t mcounteren, scounteren, mcountinhibit;
    uint64_t menvcfg, senvcfg;
    uint64_t stimecmp; /* Sstc, used only if implemented (see csr.c) */
    uint8_t pmpcfg[16];
    uint64_t pmpaddr[16];
    uint64_t mhartid;
    uint64_t cycle_offset; /* mcycle = instret + cycle_offset (writes) */
    uint64_t instret_write_offset;
    /* A load/store crossing a page whose second page faulted: the trap
     * must report the second page's address (privileged spec 3.1.16), but
     * the slow path returns only the cause and its caller passes the start
     * address; trap_exception substitutes it (mmu.c, trap.c). */
    bool split_fault;
    uint64_t split_fault_vaddr, split_fault_portion;

    /* --- cold: wiring --- */
    Bus *bus;
    CodeCache *code_cache;
    HartEnv env;
    Hart *next_in_machine; /* for SMP TLB shootdown of code pages */

    /* --- software TLB storage (mmu.c), not architectural --- */
    uint8_t tlb_set;        /* index of the set tlb_read/... point into */
    uint8_t tlb_sets_used;  /* bit per set filled since its last flush */
    /* Virtual range holding every superpage translated since the last
     * full flush (empty: first > last): sfence.vma of an address inside
     * it must drop the other 4 KiB entries of that superpage too. */
    uint64_t tlb_superpage_first, tlb_superpage_last;
    /* Where the write entries of RAM pages are, hashed by physical page
     * number (mmu.c, hart_flush_write_tlb): 0 none, 1 + set * size + index
     * the only one, HART_TLB_REV_MANY unknown (scan them all). */
    uint16_t tlb_write_rev[HART_TLB_SIZE];
    HartTlbSet tlb_sets[HART_TLB_SETS];
};

/* A code cache holds decoded blocks keyed by physical address; one per
 * machine, shared by its harts. */
CodeCache *code_cache_create(Bus *bus);
void code_cache_destroy(CodeCache *cache);
/* Drops every decoded block (fence.i on any hart, snapshot load). */
void code_cache_flush(CodeCache *cache);

/* Sets up a hart in reset state: priv M, pc = reset_pc, mhartid = id. */
void hart_init(Hart *h, uint64_t hartid, Bus *bus, CodeCache *cache, HartEnv env);
void hart_reset(Hart *h, uint64_t reset_pc);

/* Runs up to budget instructions (see the exactness contract above). */
HartStop hart_run(Hart *h, uint64_t budget);

/* Asks a running hart to return from hart_run at the next instruction
 * boundary where it checks (after MMIO accesses and CSR instructions). */
static inline void hart_request_stop(Hart *h) { h->stop_request = true; }

/* Device interrupt lines: sets or clears mip bit `irq` (IRQ_*). */
void hart_set_interrupt(Hart *h, int irq, bool level);

/* True if an enabled interrupt is pending for the current privilege
 * (would be taken now), or, for wfi, if any interrupt in mip & mie is set. */
bool hart_interrupt_pending(const Hart *h);
bool hart_wakeup_pending(const Hart *h);
/* Takes the interrupt that hart_run would take on entry, if any (for the
 * gdb stub, which checks breakpoints between the two): true if taken. */
bool hart_take_interrupt(Hart *h);

static inline uint64_t hart_machine_icount(const Hart *h) { return h->instret + h->icount_offset; }

/* Drops all TLB entries (satp write, sfence.vma, PMP change, mstatus
 * changes of MPRV/MPP/MXR) and selects the TLB set for the current
 * privilege and mstatus.SUM: also to be called after loading priv or
 * mstatus from outside (snapshot restore). */
void hart_flush_tlb(Hart *h);
/* sfence.vma with rs1 != x0: drops the translations of the page of vaddr
 * (all of them if vaddr may lie in a cached superpage). */
void hart_flush_tlb_page(Hart *h, uint64_t vaddr);
/* Drops write-TLB entries that map the RAM page at page_paddr (code
 * protection) or all of them if page_paddr is UINT64_MAX (dirty clear). */
void hart_flush_write_tlb(Hart *h, uint64_t page_paddr);

/* Debug/monitor address translation: walks the page tables for vaddr at
 * the hart's current privilege without side effects (no A/D updates, no
 * TLB fill, no PMP check, no fault; privileged spec 4.3.2 with the side
 * effects left out). M mode and the bare mode see physical addresses;
 * mstatus.MPRV is ignored (the debugger looks at what the hart fetches).
 * False if the address does not translate. */
bool hart_debug_translate(const Hart *h, uint64_t vaddr, uint64_t *paddr);
/* Debug/monitor access: CSR by number without privilege checks; false if
 * the CSR does not exist. */
bool hart_csr_read_debug(Hart *h, int csr, uint64_t *value);

#endif
