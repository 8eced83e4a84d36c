/* Instruction decoder: raw bits -> DecodedInsn.
 *
 * 32-bit encodings follow the unprivileged spec chapter 2 (RV32I base
 * formats), chapter 5 (RV64I), 7 (M), 8 (A), 9/10 (Zicsr, Zifencei) and
 * the privileged spec chapter 3.3 (mret, sret, wfi) and 4.2.1 (sfence.vma).
 * Decoding is strict: every bit pattern the spec marks reserved in a field
 * we look at decodes to OP_ILLEGAL, so the guest sees an illegal
 * instruction exception rather than some other instruction.
 *
 * Compressed instructions (unprivileged spec chapter 16, RV64C) are first
 * expanded to their 32-bit equivalent, which is then decoded by the same
 * code; `raw` then holds the expansion (useful for traces and for fpu.c),
 * except for reserved compressed encodings, whose 16 original bits are
 * kept so that mtval reports what the guest executed. */
#include "cpu/cpu_internal.h"

/* --- field extraction ------------------------------------------------- */

static inline uint32_t bits(uint32_t value, int hi, int lo)
{
    return (value >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sign_extend(uint32_t value, int width)
{
    return (int32_t)(value << (32 - width)) >> (32 - width);
}

static int32_t imm_i(uint32_t raw) { return (int32_t)raw >> 20; }

static int32_t imm_s(uint32_t raw)
{
    return sign_extend((bits(raw, 31, 25) << 5) | bits(raw, 11, 7), 12);
}

static int32_t imm_b(uint32_t raw)
{
    uint32_t v = (bits(raw, 31, 31) << 12) | (bits(raw, 7, 7) << 11) | (bits(raw, 30, 25) << 5) |
                 (bits(raw, 11, 8) << 1);
    return sign_extend(v, 13);
}

static int32_t imm_j(uint32_t raw)
{
    uint32_t v = (bits(raw, 31, 31) << 20) | (bits(raw, 19, 12) << 12) | (bits(raw, 20, 20) << 11) |
                 (bits(raw, 30, 21) << 1);
    return sign_extend(v, 21);
}

/* --- 32-bit encoders used by the compressed expansion ---------------- */

enum {
    MAJOR_LOAD = 0x03,
    MAJOR_LOAD_FP = 0x07,
    MAJOR_MISC_MEM = 0x0f,
    MAJOR_OP_IMM = 0x13,
    MAJOR_AUIPC = 0x17,
    MAJOR_OP_IMM_32 = 0x1b,
    MAJOR_STORE = 0x23,
    MAJOR_STORE_FP = 0x27,
    MAJOR_AMO = 0x2f,
    MAJOR_OP = 0x33,
    MAJOR_LUI = 0x37,
    MAJOR_OP_32 = 0x3b,
    MAJOR_MADD = 0x43,
    MAJOR_MSUB = 0x47,
    MAJOR_NMSUB = 0x4b,
    MAJOR_NMADD = 0x4f,
    MAJOR_OP_FP = 0x53,
    MAJOR_BRANCH = 0x63,
    MAJOR_JALR = 0x67,
    MAJOR_JAL = 0x6f,
    MAJOR_SYSTEM = 0x73,
};

static uint32_t enc_r(uint32_t major, uint32_t f3, uint32_t f7, uint32_t rd, uint32_t rs1,
                      uint32_t rs2)
{
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | major;
}

static uint32_t enc_i(uint32_t major, uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
    return ((uint32_t)imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | major;
}

static uint32_t enc_s(uint32_t major, uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (bits(u, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (bits(u, 4, 0) << 7) |
           major;
}

static uint32_t enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (bits(u, 12, 12) << 31) | (bits(u, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | (bits(u, 4, 1) << 8) | (bits(u, 11, 11) << 7) | MAJOR_BRANCH;
}

static uint32_t enc_j(uint32_t rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (bits(u, 20, 20) << 31) | (bits(u, 10, 1) << 21) | (bits(u, 11, 11) << 20) |
           (bits(u, 19, 12) << 12) | (rd << 7) | MAJOR_JAL;
}

/* --- 32-bit decoding --------------------------------------------------- */

static const uint16_t load_ops[8] = {OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL};
static const uint16_t store_ops[8] = {OP_SB, OP_SH, OP_SW, OP_SD,
                                      OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL};
static const uint16_t branch_ops[8] = {OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL,
                                       OP_BLT, OP_BGE, OP_BLTU, OP_BGEU};
static const uint16_t csr_ops[8] = {OP_ILLEGAL, OP_CSRRW, OP_CSRRS, OP_CSRRC,
                                    OP_ILLEGAL, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI};
static const uint16_t op_base[8] = {OP_ADD, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_OR, OP_AND};
static const uint16_t op_mul[8] = {OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU,
                                   OP_DIV, OP_DIVU, OP_REM, OP_REMU};
static const uint16_t op32_mul[8] = {OP_MULW, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
                                     OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW};

static uint16_t decode_amo(uint32_t raw)
{
    uint32_t f3 = bits(raw, 14, 12), f5 = bits(raw, 31, 27);
    bool dword;
    if (f3 == 2)
        dword = false;
    else if (f3 == 3)
        dword = true;
    else
        return OP_ILLEGAL;
    switch (f5) {
    case 0x02: /* lr: rs2 must be 0 (unprivileged spec 8.2) */
        if (bits(raw, 24, 20) != 0)
            return OP_ILLEGAL;
        return dword ? OP_LR_D : OP_LR_W;
    case 0x03: return dword ? OP_SC_D : OP_SC_W;
    case 0x01: return dword ? OP_AMOSWAP_D : OP_AMOSWAP_W;
    case 0x00: return dword ? OP_AMOADD_D : OP_AMOADD_W;
    case 0x04: return dword ? OP_AMOXOR_D : OP_AMOXOR_W;
    case 0x0c: return dword ? OP_AMOAND_D : OP_AMOAND_W;
    case 0x08: return dword ? OP_AMOOR_D : OP_AMOOR_W;
    case 0x10: return dword ? OP_AMOMIN_D : OP_AMOMIN_W;
    case 0x14: return dword ? OP_AMOMAX_D : OP_AMOMAX_W;
    case 0x18: return dword ? OP_AMOMINU_D : OP_AMOMINU_W;
    case 0x1c: return dword ? OP_AMOMAXU_D : OP_AMOMAXU_W;
    default: return OP_ILLEGAL;
    }
}

static uint16_t decode_system(uint32_t raw)
{
    uint32_t f3 = bits(raw, 14, 12);
    if (f3 != 0)
        return csr_ops[f3];
    switch (raw) {
    case 0x00000073: return OP_ECALL;
    case 0x00100073: return OP_EBREAK;
    case 0x30200073: return OP_MRET;
    case 0x10200073: return OP_SRET;
    case 0x10500073: return OP_WFI;
    default: break;
    }
    /* sfence.vma rs1, rs2: funct7 0001001, rd = 0 (privileged spec 4.2.1) */
    if (bits(raw, 31, 25) == 0x09 && bits(raw, 11, 7) == 0)
        return OP_SFENCE_VMA;
    return OP_ILLEGAL;
}

/* Returns the op id and fills the register/immediate fields of `out`. */
static uint16_t decode_32(uint32_t raw, DecodedInsn *out)
{
    uint32_t f3 = bits(raw, 14, 12), f7 = bits(raw, 31, 25);
    out->rd = bits(raw, 11, 7);
    out->rs1 = bits(raw, 19, 15);
    out->rs2 = bits(raw, 24, 20);
    out->rs3 = bits(raw, 31, 27);
    out->imm = 0;

    switch (raw & 0x7f) {
    case MAJOR_LUI:
        out->imm = (int32_t)(raw & 0xfffff000u);
        return OP_LUI;
    case MAJOR_AUIPC:
        out->imm = (int32_t)(raw & 0xfffff000u);
        return OP_AUIPC;
    case MAJOR_JAL:
        out->imm = imm_j(raw);
        return OP_JAL;
    case MAJOR_JALR:
        out->imm = imm_i(raw);
        return f3 == 0 ? OP_JALR : OP_ILLEGAL;
    case MAJOR_BRANCH:
        out->imm = imm_b(raw);
        return branch_ops[f3];
    case MAJOR_LOAD:
        out->imm = imm_i(raw);
        return load_ops[f3];
    case MAJOR_STORE:
        out->imm = imm_s(raw);
        return store_ops[f3];
    case MAJOR_LOAD_FP:
        out->imm = imm_i(raw);
        return f3 == 2 ? OP_FLW : f3 == 3 ? OP_FLD : OP_ILLEGAL;
    case MAJOR_STORE_FP:
        out->imm = imm_s(raw);
        return f3 == 2 ? OP_FSW : f3 == 3 ? OP_FSD : OP_ILLEGAL;
    case MAJOR_OP_IMM:
        out->imm = imm_i(raw);
        switch (f3) {
        case 0: return OP_ADDI;
        case 2: return OP_SLTI;
        case 3: return OP_SLTIU;
        case 4: return OP_XORI;
        case 6: return OP_ORI;
        case 7: return OP_ANDI;
        case 1: /* RV64: 6-bit shamt, funct6 = 0 (unprivileged spec 5.2.1) */
            out->imm = bits(raw, 25, 20);
            return bits(raw, 31, 26) == 0 ? OP_SLLI : OP_ILLEGAL;
        default: /* 5 */
            out->imm = bits(raw, 25, 20);
            if (bits(raw, 31, 26) == 0x00)
                return OP_SRLI;
            if (bits(raw, 31, 26) == 0x10)
                return OP_SRAI;
            return OP_ILLEGAL;
        }
    case MAJOR_OP_IMM_32:
        out->imm = imm_i(raw);
        switch (f3) {
        case 0: return OP_ADDIW;
        case 1:
            out->imm = bits(raw, 24, 20);
            return f7 == 0 ? OP_SLLIW : OP_ILLEGAL;
        case 5:
            out->imm = bits(raw, 24, 20);
            return f7 == 0 ? OP_SRLIW : f7 == 0x20 ? OP_SRAIW : OP_ILLEGAL;
        default: return OP_ILLEGAL;
        }
    case MAJOR_OP:
        if (f7 == 0)
            return op_base[f3];
        if (f7 == 1)
            return op_mul[f3];
        if (f7 == 0x20)
            return f3 == 0 ? OP_SUB : f3 == 5 ? OP_SRA : OP_ILLEGAL;
        return OP_ILLEGAL;
    case MAJOR_OP_32:
        if (f7 == 0)
            return f3 == 0 ? OP_ADDW : f3 == 1 ? OP_SLLW : f3 == 5 ? OP_SRLW : OP_ILLEGAL;
        if (f7 == 1)
            return op32_mul[f3];
        if (f7 == 0x20)
            return f3 == 0 ? OP_SUBW : f3 == 5 ? OP_SRAW : OP_ILLEGAL;
        return OP_ILLEGAL;
    case MAJOR_MISC_MEM:
        /* fence: the fm/pred/succ fields and the reserved rd/rs1 are
         * ignored, as the spec asks of implementations (2.7). */
        if (f3 == 0)
            return OP_FENCE;
        if (f3 == 1)
            return OP_FENCE_I;
        return OP_ILLEGAL;
    case MAJOR_SYSTEM:
        out->imm = (int32_t)bits(raw, 31, 20);
        return decode_system(raw);
    case MAJOR_AMO:
        return decode_amo(raw);
    case MAJOR_MADD:
    case MAJOR_MSUB:
    case MAJOR_NMSUB:
    case MAJOR_NMADD:
    case MAJOR_OP_FP:
        return OP_FP; /* fpu.c checks fmt, funct and rounding mode */
    default:
        return OP_ILLEGAL;
    }
}

/* --- compressed expansion (unprivileged spec 16.8 tables) ------------- */

/* Registers x8..x15 named by the 3-bit fields. */
static inline uint32_t creg(uint32_t field) { return 8 + field; }

/* Returns the 32-bit expansion of a 16-bit instruction, or 0 for a
 * reserved/illegal encoding (0 is itself not a valid 32-bit expansion). */
static uint32_t expand_compressed(uint32_t c)
{
    uint32_t f3 = bits(c, 15, 13);
    uint32_t rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    uint32_t rdp = creg(bits(c, 4, 2)), rs1p = creg(bits(c, 9, 7));
    /* 6-bit signed immediate imm[5] = bit 12, imm[4:0] = bits 6:2 */
    int32_t imm6 = sign_extend((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
    uint32_t shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);

    switch (bits(c, 1, 0)) {
    case 0:
        switch (f3) {
        case 0: { /* c.addi4spn */
            uint32_t imm = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bits(c, 6, 6) << 2) |
                           (bits(c, 5, 5) << 3);
            if (imm == 0)
                return 0; /* includes the all-zero instruction */
            return enc_i(MAJOR_OP_IMM, 0, rdp, 2, (int32_t)imm);
        }
        case 1: /* c.fld */
        case 3: { /* c.ld */
            uint32_t imm = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
            return enc_i(f3 == 1 ? MAJOR_LOAD_FP : MAJOR_LOAD, 3, rdp, rs1p, (int32_t)imm);
        }
        case 2: { /* c.lw */
            uint32_t imm = (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6);
            return enc_i(MAJOR_LOAD, 2, rdp, rs1p, (int32_t)imm);
        }
        case 5: /* c.fsd */
        case 7: { /* c.sd */
            uint32_t imm = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
            return enc_s(f3 == 5 ? MAJOR_STORE_FP : MAJOR_STORE, 3, rs1p, rdp, (int32_t)imm);
        }
        case 6: { /* c.sw */
            uint32_t imm = (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6);
            return enc_s(MAJOR_STORE, 2, rs1p, rdp, (int32_t)imm);
        }
        default: /* 4: reserved */
            return 0;
        }
    case 1:
        switch (f3) {
        case 0: /* c.addi, c.nop (rd = 0 forms are hints) */
            return enc_i(MAJOR_OP_IMM, 0, rd, rd, imm6);
        case 1: /* c.addiw; rd = 0 reserved */
            if (rd == 0)
                return 0;
            return enc_i(MAJOR_OP_IMM_32, 0, rd, rd, imm6);
        case 2: /* c.li */
            return enc_i(MAJOR_OP_IMM, 0, rd, 0, imm6);
        case 3:
            if (rd == 2) { /* c.addi16sp */
                uint32_t v = (bits(c, 12, 12) << 9) | (bits(c, 6, 6) << 4) | (bits(c, 5, 5) << 6) |
                             (bits(c, 4, 3) << 7) | (bits(c, 2, 2) << 5);
                if (v == 0)
                    return 0;
                return enc_i(MAJOR_OP_IMM, 0, 2, 2, sign_extend(v, 10));
            }
            /* c.lui; nzimm = 0 reserved */
            if (imm6 == 0)
                return 0;
            return ((uint32_t)imm6 << 12) | (rd << 7) | MAJOR_LUI;
        case 4:
            switch (bits(c, 11, 10)) {
            case 0: /* c.srli */
                return enc_i(MAJOR_OP_IMM, 5, rs1p, rs1p, (int32_t)shamt);
            case 1: /* c.srai */
                return enc_i(MAJOR_OP_IMM, 5, rs1p, rs1p, (int32_t)(shamt | 0x400));
            case 2: /* c.andi */
                return enc_i(MAJOR_OP_IMM, 7, rs1p, rs1p, imm6);
            default: {
                static const uint8_t f3_of[4] = {0, 4, 6, 7}; /* sub xor or and */
                uint32_t sel = bits(c, 6, 5);
                if (!bits(c, 12, 12))
                    return enc_r(MAJOR_OP, f3_of[sel], sel == 0 ? 0x20 : 0, rs1p, rs1p, rdp);
                if (sel == 0) /* c.subw */
                    return enc_r(MAJOR_OP_32, 0, 0x20, rs1p, rs1p, rdp);
                if (sel == 1) /* c.addw */
                    return enc_r(MAJOR_OP_32, 0, 0, rs1p, rs1p, rdp);
                return 0; /* reserved */
            }
            }
        case 5: { /* c.j */
            uint32_t v = (bits(c, 12, 12) << 11) | (bits(c, 11, 11) << 4) | (bits(c, 10, 9) << 8) |
                         (bits(c, 8, 8) << 10) | (bits(c, 7, 7) << 6) | (bits(c, 6, 6) << 7) |
                         (bits(c, 5, 3) << 1) | (bits(c, 2, 2) << 5);
            return enc_j(0, sign_extend(v, 12));
        }
        default: { /* 6 c.beqz, 7 c.bnez */
            uint32_t v = (bits(c, 12, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) |
                         (bits(c, 4, 3) << 1) | (bits(c, 2, 2) << 5);
            return enc_b(f3 == 6 ? 0 : 1, rs1p, 0, sign_extend(v, 9));
        }
        }
    case 2:
        switch (f3) {
        case 0: /* c.slli (rd = 0 hint) */
            return enc_i(MAJOR_OP_IMM, 1, rd, rd, (int32_t)shamt);
        case 1: /* c.fldsp */
        case 3: { /* c.ldsp; rd = 0 reserved for ldsp only */
            uint32_t imm = (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
            if (f3 == 3 && rd == 0)
                return 0;
            return enc_i(f3 == 1 ? MAJOR_LOAD_FP : MAJOR_LOAD, 3, rd, 2, (int32_t)imm);
        }
        case 2: { /* c.lwsp; rd = 0 reserved */
            uint32_t imm = (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
            if (rd == 0)
                return 0;
            return enc_i(MAJOR_LOAD, 2, rd, 2, (int32_t)imm);
        }
        case 4:
            if (!bits(c, 12, 12)) {
                if (rs2 == 0) { /* c.jr; rs1 = 0 reserved */
                    if (rd == 0)
                        return 0;
                    return enc_i(MAJOR_JALR, 0, 0, rd, 0);
                }
                return enc_r(MAJOR_OP, 0, 0, rd, 0, rs2); /* c.mv */
            }
            if (rs2 == 0) {
                if (rd == 0)
                    return 0x00100073; /* c.ebreak */
                return enc_i(MAJOR_JALR, 0, 1, rd, 0); /* c.jalr */
            }
            return enc_r(MAJOR_OP, 0, 0, rd, rd, rs2); /* c.add */
        case 5: /* c.fsdsp */
        case 7: { /* c.sdsp */
            uint32_t imm = (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);
            return enc_s(f3 == 5 ? MAJOR_STORE_FP : MAJOR_STORE, 3, 2, rs2, (int32_t)imm);
        }
        default: { /* 6: c.swsp */
            uint32_t imm = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);
            return enc_s(MAJOR_STORE, 2, 2, rs2, (int32_t)imm);
        }
        }
    default:
        return 0; /* not a compressed instruction */
    }
}

/* --- entry points ------------------------------------------------------ */

static bool op_ends_block(uint16_t op)
{
    switch (op) {
    case OP_ILLEGAL:
    case OP_JAL: case OP_JALR:
    case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE: case OP_BLTU: case OP_BGEU:
    case OP_FENCE_I: case OP_ECALL: case OP_EBREAK:
    case OP_CSRRW: case OP_CSRRS: case OP_CSRRC: case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
    case OP_MRET: case OP_SRET: case OP_WFI: case OP_SFENCE_VMA:
    case OP_FP:
        return true;
    default:
        return false;
    }
}

bool decode_insn(uint32_t raw, DecodedInsn *out)
{
    uint32_t full;
    out->op = NULL;
    out->pad = 0;
    if ((raw & 3) != 3) {
        uint16_t half = (uint16_t)raw;
        out->len = 2;
        full = expand_compressed(half);
        if (full == 0) {
            out->op_id = OP_ILLEGAL;
            out->raw = half;
            out->pad = half;
            out->rd = out->rs1 = out->rs2 = out->rs3 = 0;
            out->imm = 0;
            return true;
        }
    } else {
        out->len = 4;
        full = raw;
        /* bits 4:2 = 111 announce 48-bit and longer encodings (1.5) */
        if ((raw & 0x1c) == 0x1c) {
            out->op_id = OP_ILLEGAL;
            out->raw = raw;
            out->rd = out->rs1 = out->rs2 = out->rs3 = 0;
            out->imm = 0;
            return true;
        }
    }
    out->raw = full;
    /* pad keeps the original 16 bits of a compressed instruction: an
     * instruction that is legal to decode but illegal to execute (c.fld
     * with mstatus.FS = Off) reports them in mtval (privileged spec
     * 3.1.16), not the expansion. */
    if (out->len == 2)
        out->pad = (uint16_t)raw;
    out->op_id = decode_32(full, out);
    if (out->op_id == OP_ILLEGAL && out->len == 2)
        out->raw = raw & 0xffff; /* cannot happen for valid expansions; kept for safety */
    return op_ends_block(out->op_id);
}

static const char *const op_names[OP_COUNT] = {
    [OP_ILLEGAL] = "illegal",
    [OP_LUI] = "lui", [OP_AUIPC] = "auipc", [OP_JAL] = "jal", [OP_JALR] = "jalr",
    [OP_BEQ] = "beq", [OP_BNE] = "bne", [OP_BLT] = "blt", [OP_BGE] = "bge",
    [OP_BLTU] = "bltu", [OP_BGEU] = "bgeu",
    [OP_LB] = "lb", [OP_LH] = "lh", [OP_LW] = "lw", [OP_LD] = "ld",
    [OP_LBU] = "lbu", [OP_LHU] = "lhu", [OP_LWU] = "lwu",
    [OP_SB] = "sb", [OP_SH] = "sh", [OP_SW] = "sw", [OP_SD] = "sd",
    [OP_ADDI] = "addi", [OP_SLTI] = "slti", [OP_SLTIU] = "sltiu", [OP_XORI] = "xori",
    [OP_ORI] = "ori", [OP_ANDI] = "andi", [OP_SLLI] = "slli", [OP_SRLI] = "srli",
    [OP_SRAI] = "srai",
    [OP_ADD] = "add", [OP_SUB] = "sub", [OP_SLL] = "sll", [OP_SLT] = "slt",
    [OP_SLTU] = "sltu", [OP_XOR] = "xor", [OP_SRL] = "srl", [OP_SRA] = "sra",
    [OP_OR] = "or", [OP_AND] = "and",
    [OP_ADDIW] = "addiw", [OP_SLLIW] = "slliw", [OP_SRLIW] = "srliw", [OP_SRAIW] = "sraiw",
    [OP_ADDW] = "addw", [OP_SUBW] = "subw", [OP_SLLW] = "sllw", [OP_SRLW] = "srlw",
    [OP_SRAW] = "sraw",
    [OP_FENCE] = "fence", [OP_FENCE_I] = "fence.i",
    [OP_ECALL] = "ecall", [OP_EBREAK] = "ebreak",
    [OP_CSRRW] = "csrrw", [OP_CSRRS] = "csrrs", [OP_CSRRC] = "csrrc",
    [OP_CSRRWI] = "csrrwi", [OP_CSRRSI] = "csrrsi", [OP_CSRRCI] = "csrrci",
    [OP_MRET] = "mret", [OP_SRET] = "sret", [OP_WFI] = "wfi", [OP_SFENCE_VMA] = "sfence.vma",
    [OP_MUL] = "mul", [OP_MULH] = "mulh", [OP_MULHSU] = "mulhsu", [OP_MULHU] = "mulhu",
    [OP_DIV] = "div", [OP_DIVU] = "divu", [OP_REM] = "rem", [OP_REMU] = "remu",
    [OP_MULW] = "mulw", [OP_DIVW] = "divw", [OP_DIVUW] = "divuw", [OP_REMW] = "remw",
    [OP_REMUW] = "remuw",
    [OP_LR_W] = "lr.w", [OP_SC_W] = "sc.w", [OP_LR_D] = "lr.d", [OP_SC_D] = "sc.d",
    [OP_AMOSWAP_W] = "amoswap.w", [OP_AMOADD_W] = "amoadd.w", [OP_AMOXOR_W] = "amoxor.w",
    [OP_AMOAND_W] = "amoand.w", [OP_AMOOR_W] = "amoor.w", [OP_AMOMIN_W] = "amomin.w",
    [OP_AMOMAX_W] = "amomax.w", [OP_AMOMINU_W] = "amominu.w", [OP_AMOMAXU_W] = "amomaxu.w",
    [OP_AMOSWAP_D] = "amoswap.d", [OP_AMOADD_D] = "amoadd.d", [OP_AMOXOR_D] = "amoxor.d",
    [OP_AMOAND_D] = "amoand.d", [OP_AMOOR_D] = "amoor.d", [OP_AMOMIN_D] = "amomin.d",
    [OP_AMOMAX_D] = "amomax.d", [OP_AMOMINU_D] = "amominu.d", [OP_AMOMAXU_D] = "amomaxu.d",
    [OP_FLW] = "flw", [OP_FLD] = "fld", [OP_FSW] = "fsw", [OP_FSD] = "fsd",
    [OP_FP] = "fp",
    [OP_BLOCK_END] = "block_end",
};

const char *decode_op_name(OpId op)
{
    if ((unsigned)op >= OP_COUNT || op_names[op] == NULL)
        return "?";
    return op_names[op];
}
