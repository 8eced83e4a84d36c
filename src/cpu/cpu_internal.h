/* Interfaces between the files of src/cpu/. Not for use outside cpu/.
 *
 *   decode.c   raw instruction bits -> DecodedInsn (compressed forms are
 *              expanded to the op of their 32-bit equivalent)
 *   execute.c  code cache (blocks keyed by physical address), threaded
 *              dispatch, integer/memory/atomic semantics, hart_run
 *   csr.c      CSR file: access rules, WARL masks, side effects
 *   trap.c     exceptions, interrupts, mret/sret, delegation
 *   mmu.c      Sv39/48/57 translation, PMP, TLB fill, slow-path accesses
 *   fpu.c      F and D computational instructions (on softfloat.c) */
#ifndef DEJA_CPU_INTERNAL_H
#define DEJA_CPU_INTERNAL_H

#include "cpu/cpu.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Exception causes (privileged spec table 3.6). Functions that can fault
 * return an Exc; EXC_NONE means success. */
typedef enum Exc {
    EXC_NONE = -1,
    EXC_INSN_MISALIGNED = 0,
    EXC_INSN_ACCESS = 1,
    EXC_ILLEGAL_INSN = 2,
    EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4,
    EXC_LOAD_ACCESS = 5,
    EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS = 7,
    EXC_ECALL_U = 8,
    EXC_ECALL_S = 9,
    EXC_ECALL_M = 11,
    EXC_INSN_PAGE_FAULT = 12,
    EXC_LOAD_PAGE_FAULT = 13,
    EXC_STORE_PAGE_FAULT = 15,
} Exc;

/* Access types for translation and PMP. */
typedef enum Access { ACCESS_FETCH = 0, ACCESS_LOAD = 1, ACCESS_STORE = 2 } Access;

/* mstatus fields (privileged spec 3.1.6). */
#define MSTATUS_SIE  (1ull << 1)
#define MSTATUS_MIE  (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE  (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP  (1ull << 8)
#define MSTATUS_VS   (3ull << 9)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP  (3ull << 11)
#define MSTATUS_FS   (3ull << 13)
#define MSTATUS_XS   (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM  (1ull << 18)
#define MSTATUS_MXR  (1ull << 19)
#define MSTATUS_TVM  (1ull << 20)
#define MSTATUS_TW   (1ull << 21)
#define MSTATUS_TSR  (1ull << 22)
#define MSTATUS_UXL  (3ull << 32)
#define MSTATUS_SXL  (3ull << 34)
#define MSTATUS_SD   (1ull << 63)

/* One pre-decoded instruction. `op` is the address of the handler label
 * in execute.c's dispatch function (filled in when a block is built);
 * `op_id` is the OpId decode produced. */
typedef struct DecodedInsn {
    const void *op;
    uint16_t op_id;
    uint8_t rd, rs1, rs2, rs3;
    uint8_t len;      /* 2 or 4: size of the original encoding */
    uint8_t index;    /* position in its block (instructions before it) */
    int32_t imm;      /* sign-extended immediate, or CSR number, or shamt */
    uint32_t raw;     /* 32-bit encoding (compressed forms: expanded, or the
                         16-bit bits for OP_ILLEGAL so mtval is right) */
    uint16_t pc_off;  /* byte offset of this instruction from block start */
    uint16_t pad;
} DecodedInsn;

/* Op ids. Compressed instructions decode to the op of their expansion.
 * FP computational instructions are all OP_FP (fpu.c decodes raw). */
typedef enum OpId {
    OP_ILLEGAL = 0,
    /* RV64I */
    OP_LUI, OP_AUIPC, OP_JAL, OP_JALR,
    OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
    OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU,
    OP_SB, OP_SH, OP_SW, OP_SD,
    OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI, OP_SLLI, OP_SRLI, OP_SRAI,
    OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA, OP_OR, OP_AND,
    OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW,
    OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
    OP_FENCE, OP_FENCE_I,
    OP_ECALL, OP_EBREAK,
    /* Zicsr: imm = CSR number; for the *I forms rs1 holds the uimm */
    OP_CSRRW, OP_CSRRS, OP_CSRRC, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
    /* privileged */
    OP_MRET, OP_SRET, OP_WFI, OP_SFENCE_VMA,
    /* M */
    OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
    OP_MULW, OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
    /* A: raw keeps aq/rl; funct5 selects the AMO */
    OP_LR_W, OP_SC_W, OP_LR_D, OP_SC_D,
    OP_AMOSWAP_W, OP_AMOADD_W, OP_AMOXOR_W, OP_AMOAND_W, OP_AMOOR_W,
    OP_AMOMIN_W, OP_AMOMAX_W, OP_AMOMINU_W, OP_AMOMAXU_W,
    OP_AMOSWAP_D, OP_AMOADD_D, OP_AMOXOR_D, OP_AMOAND_D, OP_AMOOR_D,
    OP_AMOMIN_D, OP_AMOMAX_D, OP_AMOMINU_D, OP_AMOMAXU_D,
    /* F/D memory (execute.c) and computation (fpu.c) */
    OP_FLW, OP_FLD, OP_FSW, OP_FSD,
    OP_FP,
    /* block control (execute.c internal) */
    OP_BLOCK_END, /* fall through to pc_off: end of a block */
    OP_COUNT
} OpId;

/* execute.c: true if a write of size bytes at paddr (RAM, within one page)
 * may overwrite instructions of a current decoded block. */
bool code_cache_write_hits_code(const CodeCache *cache, uint64_t paddr, int size);

/* decode.c: decodes one instruction. raw holds the 32 bits at pc (for a
 * 16-bit instruction only the low 16 bits matter). Always succeeds:
 * unknown encodings become OP_ILLEGAL. Returns true if the instruction
 * ends a block (control transfer, CSR, system, fence.i, FP/illegal). */
bool decode_insn(uint32_t raw, DecodedInsn *out);
const char *decode_op_name(OpId op); /* for traces and tests */

/* trap.c */
/* Takes exception `cause` with tval at h->pc (which must be the pc of the
 * faulting instruction); sets h->pc to the handler. */
void trap_exception(Hart *h, Exc cause, uint64_t tval);
/* If an interrupt is pending and enabled, takes it (h->pc = handler) and
 * returns true. h->pc must be the next instruction to execute. */
bool trap_check_interrupts(Hart *h);
/* mret/sret: false if illegal in the current mode (caller raises). */
bool trap_mret(Hart *h);
bool trap_sret(Hart *h);
/* Sets priv and flushes what depends on it. */
void trap_set_priv(Hart *h, int priv);

/* csr.c: performs a CSR instruction. op is OP_CSRRW..OP_CSRRCI; `src` is
 * the rs1 value or uimm; write_intent false for CSRRS/CSRRC with rs1 = x0
 * (and the uimm forms with 0), which must not write nor trap on read-only
 * CSRs. Returns EXC_NONE and the old value in *old, or EXC_ILLEGAL_INSN. */
Exc csr_access(Hart *h, int csr, int op, uint64_t src, bool write_intent, uint64_t *old);
/* Effective mstatus as read (SD computed from FS). */
uint64_t csr_mstatus_read(const Hart *h);

/* mmu.c */
/* Translates vaddr for an access at the effective privilege (MPRV
 * respected for loads/stores), checks PMP. Returns EXC_NONE or the fault.
 * *paddr is set on success. */
Exc mmu_translate(Hart *h, uint64_t vaddr, Access access, uint64_t *paddr);
/* The same, with the PMP check covering `size` bytes at *paddr (mmu_translate
 * checks 1 byte); for aligned AMOs and LR/SC, which must not straddle a PMP
 * boundary. */
Exc mmu_translate_size(Hart *h, uint64_t vaddr, int size, Access access, uint64_t *paddr);
/* Slow-path accesses: translate, PMP, RAM or MMIO, misaligned handling
 * (misaligned RAM accesses are performed, split per byte; misaligned MMIO
 * raises the misaligned exception), TLB fill. On a fault returns the cause
 * and the faulting address goes to tval = vaddr. */
Exc mmu_load_slow(Hart *h, uint64_t vaddr, int size, uint64_t *value);
Exc mmu_store_slow(Hart *h, uint64_t vaddr, int size, uint64_t value);
/* Fetch translation for the block builder: physical address of pc and
 * whether the page is RAM. Fills the fetch TLB. */
Exc mmu_fetch_translate(Hart *h, uint64_t vaddr, uint64_t *paddr);
/* Points tlb_read/write/fetch at the set for the current privilege and
 * mstatus.SUM (after a priv or SUM change; no flush). */
void mmu_select_tlb(Hart *h);
/* PMP check for a physical range; true if allowed. */
bool mmu_pmp_allows(const Hart *h, uint64_t paddr, uint64_t len, Access access, int priv);

/* Fast-path TLB probes, inlined into execute.c. The tag compare folds the
 * alignment check in: a misaligned access never hits. */
static inline uint8_t *tlb_hit(const HartTlbEntry *tlb, uint64_t vaddr, int size)
{
    const HartTlbEntry *e = &tlb[(vaddr >> 12) & (HART_TLB_SIZE - 1)];
    if (likely((vaddr & (~0xfffull | (uint64_t)(size - 1))) == e->tag))
        return (uint8_t *)(uintptr_t)(vaddr + e->addend);
    return NULL;
}

/* fpu.c: executes an OP_FP instruction (FS check, rounding mode, flags,
 * NaN boxing). Returns EXC_NONE or EXC_ILLEGAL_INSN. */
Exc fpu_execute(Hart *h, const DecodedInsn *insn);
/* FS != Off: FP instructions and FP CSRs are legal. */
static inline bool fpu_enabled(const Hart *h) { return (h->mstatus & MSTATUS_FS) != 0; }
static inline void fpu_mark_dirty(Hart *h) { h->mstatus |= MSTATUS_FS; }
/* NaN-boxing (spec 12.2): a single in a 64-bit register. */
static inline uint64_t fpu_box32(uint32_t v) { return 0xffffffff00000000ull | v; }
static inline uint32_t fpu_unbox32(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u; /* canonical NaN */
}

#endif
