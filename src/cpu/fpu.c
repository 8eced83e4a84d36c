/* F and D computational instructions (unprivileged spec chapters 11 and
 * 12 in the 2019 numbering: "F" and "D"). Loads and stores are executed
 * by execute.c; everything else with an FP major opcode arrives here as
 * OP_FP and is decoded from the raw encoding. Arithmetic is softfloat.c. */
#include "cpu/cpu_internal.h"
#include "cpu/softfloat.h"

enum {
    OPCODE_MADD = 0x43,
    OPCODE_MSUB = 0x47,
    OPCODE_NMSUB = 0x4b,
    OPCODE_NMADD = 0x4f,
    OPCODE_OP_FP = 0x53,
};

/* fmt field (funct7[1:0] or R4 bits 26:25). H and Q are not implemented. */
enum { FMT_S = 0, FMT_D = 1 };

/* OP-FP funct5 values (funct7[6:2]). */
enum {
    FUNCT5_ADD = 0x00,
    FUNCT5_SUB = 0x01,
    FUNCT5_MUL = 0x02,
    FUNCT5_DIV = 0x03,
    FUNCT5_SGNJ = 0x04,
    FUNCT5_MINMAX = 0x05,
    FUNCT5_CVT_FMT = 0x08,
    FUNCT5_SQRT = 0x0b,
    FUNCT5_COMPARE = 0x14,
    FUNCT5_CVT_TO_INT = 0x18,
    FUNCT5_CVT_FROM_INT = 0x1a,
    FUNCT5_MV_X_CLASS = 0x1c,
    FUNCT5_MV_FROM_X = 0x1e,
};

/* The rounding mode for an instruction's rm field: 7 selects fcsr.frm;
 * 5, 6 and an invalid frm make the instruction illegal (spec 11.2).
 * Returns -1 when illegal. */
static inline int resolve_rounding(const Hart *h, uint32_t rm)
{
    if (rm == 7)
        rm = h->frm;
    return rm <= SOFTFLOAT_RMM ? (int)rm : -1;
}

static inline uint32_t read_single(const Hart *h, int reg)
{
    return fpu_unbox32(h->f[reg]);
}

static inline void write_single(Hart *h, int reg, uint32_t value)
{
    h->f[reg] = fpu_box32(value);
}

static inline void write_int(Hart *h, int reg, uint64_t value)
{
    if (reg != 0)
        h->x[reg] = value;
}

static inline uint64_t sign_extend_32(uint32_t v)
{
    return (uint64_t)(int64_t)(int32_t)v;
}

static Exc execute_fused(Hart *h, uint32_t raw, int opcode, int rd, int rs1, int rs2, int rs3,
                         int rm)
{
    int fmt = (raw >> 25) & 3;
    bool negate_product = opcode == OPCODE_NMSUB || opcode == OPCODE_NMADD;
    bool negate_addend = opcode == OPCODE_MSUB || opcode == OPCODE_NMADD;
    uint8_t flags = 0;
    if (fmt == FMT_S) {
        uint32_t r =
            softfloat_f32_fma(read_single(h, rs1), read_single(h, rs2), read_single(h, rs3),
                              negate_product, negate_addend, rm, &flags);
        write_single(h, rd, r);
    } else if (fmt == FMT_D) {
        h->f[rd] = softfloat_f64_fma(h->f[rs1], h->f[rs2], h->f[rs3], negate_product, negate_addend,
                                     rm, &flags);
    } else {
        return EXC_ILLEGAL_INSN;
    }
    h->fflags |= flags;
    fpu_mark_dirty(h);
    return EXC_NONE;
}

/* Instructions that use funct3 as a rounding mode. */
static bool funct5_has_rounding(int funct5)
{
    switch (funct5) {
    case FUNCT5_ADD:
    case FUNCT5_SUB:
    case FUNCT5_MUL:
    case FUNCT5_DIV:
    case FUNCT5_SQRT:
    case FUNCT5_CVT_FMT:
    case FUNCT5_CVT_TO_INT:
    case FUNCT5_CVT_FROM_INT:
        return true;
    default:
        return false;
    }
}

static Exc execute_single(Hart *h, int funct5, int funct3, int rd, int rs1, int rs2, int rm)
{
    uint8_t flags = 0;
    uint32_t a = read_single(h, rs1);
    uint32_t b = read_single(h, rs2);
    uint32_t mask;

    switch (funct5) {
    case FUNCT5_ADD:
        write_single(h, rd, softfloat_f32_add(a, b, rm, &flags));
        break;
    case FUNCT5_SUB:
        write_single(h, rd, softfloat_f32_sub(a, b, rm, &flags));
        break;
    case FUNCT5_MUL:
        write_single(h, rd, softfloat_f32_mul(a, b, rm, &flags));
        break;
    case FUNCT5_DIV:
        write_single(h, rd, softfloat_f32_div(a, b, rm, &flags));
        break;
    case FUNCT5_SQRT:
        if (rs2 != 0)
            return EXC_ILLEGAL_INSN;
        write_single(h, rd, softfloat_f32_sqrt(a, rm, &flags));
        break;
    case FUNCT5_SGNJ:
        /* Sign injection never raises flags and works on the unboxed bits. */
        if (funct3 == 0)
            mask = b & 0x80000000u;
        else if (funct3 == 1)
            mask = ~b & 0x80000000u;
        else if (funct3 == 2)
            mask = (a ^ b) & 0x80000000u;
        else
            return EXC_ILLEGAL_INSN;
        write_single(h, rd, (a & 0x7fffffffu) | mask);
        break;
    case FUNCT5_MINMAX:
        if (funct3 == 0)
            write_single(h, rd, softfloat_f32_min(a, b, &flags));
        else if (funct3 == 1)
            write_single(h, rd, softfloat_f32_max(a, b, &flags));
        else
            return EXC_ILLEGAL_INSN;
        break;
    case FUNCT5_CVT_FMT: /* fcvt.s.d: source format in rs2 */
        if (rs2 != FMT_D)
            return EXC_ILLEGAL_INSN;
        write_single(h, rd, softfloat_f64_to_f32(h->f[rs1], rm, &flags));
        break;
    case FUNCT5_COMPARE: {
        bool r;
        if (funct3 == 2)
            r = softfloat_f32_eq(a, b, &flags);
        else if (funct3 == 1)
            r = softfloat_f32_lt(a, b, &flags);
        else if (funct3 == 0)
            r = softfloat_f32_le(a, b, &flags);
        else
            return EXC_ILLEGAL_INSN;
        write_int(h, rd, r);
        break;
    }
    case FUNCT5_CVT_TO_INT: {
        uint64_t r;
        switch (rs2) {
        case 0:
            r = sign_extend_32((uint32_t)softfloat_f32_to_i32(a, rm, &flags));
            break;
        case 1:
            r = sign_extend_32(softfloat_f32_to_u32(a, rm, &flags));
            break;
        case 2:
            r = (uint64_t)softfloat_f32_to_i64(a, rm, &flags);
            break;
        case 3:
            r = softfloat_f32_to_u64(a, rm, &flags);
            break;
        default:
            return EXC_ILLEGAL_INSN;
        }
        write_int(h, rd, r);
        break;
    }
    case FUNCT5_CVT_FROM_INT: {
        uint64_t v = h->x[rs1];
        uint32_t r;
        switch (rs2) {
        case 0:
            r = softfloat_i64_to_f32((int32_t)v, rm, &flags);
            break;
        case 1:
            r = softfloat_u64_to_f32((uint32_t)v, rm, &flags);
            break;
        case 2:
            r = softfloat_i64_to_f32((int64_t)v, rm, &flags);
            break;
        case 3:
            r = softfloat_u64_to_f32(v, rm, &flags);
            break;
        default:
            return EXC_ILLEGAL_INSN;
        }
        write_single(h, rd, r);
        break;
    }
    case FUNCT5_MV_X_CLASS:
        if (rs2 != 0)
            return EXC_ILLEGAL_INSN;
        if (funct3 == 0) /* fmv.x.w: the raw low 32 bits, not unboxed */
            write_int(h, rd, sign_extend_32((uint32_t)h->f[rs1]));
        else if (funct3 == 1)
            write_int(h, rd, softfloat_f32_class(a));
        else
            return EXC_ILLEGAL_INSN;
        return EXC_NONE; /* no FP state changes */
    case FUNCT5_MV_FROM_X:
        if (rs2 != 0 || funct3 != 0)
            return EXC_ILLEGAL_INSN;
        write_single(h, rd, (uint32_t)h->x[rs1]);
        break;
    default:
        return EXC_ILLEGAL_INSN;
    }
    h->fflags |= flags;
    return EXC_NONE;
}

static Exc execute_double(Hart *h, int funct5, int funct3, int rd, int rs1, int rs2, int rm)
{
    uint8_t flags = 0;
    uint64_t a = h->f[rs1];
    uint64_t b = h->f[rs2];
    uint64_t mask;

    switch (funct5) {
    case FUNCT5_ADD:
        h->f[rd] = softfloat_f64_add(a, b, rm, &flags);
        break;
    case FUNCT5_SUB:
        h->f[rd] = softfloat_f64_sub(a, b, rm, &flags);
        break;
    case FUNCT5_MUL:
        h->f[rd] = softfloat_f64_mul(a, b, rm, &flags);
        break;
    case FUNCT5_DIV:
        h->f[rd] = softfloat_f64_div(a, b, rm, &flags);
        break;
    case FUNCT5_SQRT:
        if (rs2 != 0)
            return EXC_ILLEGAL_INSN;
        h->f[rd] = softfloat_f64_sqrt(a, rm, &flags);
        break;
    case FUNCT5_SGNJ:
        if (funct3 == 0)
            mask = b & (1ull << 63);
        else if (funct3 == 1)
            mask = ~b & (1ull << 63);
        else if (funct3 == 2)
            mask = (a ^ b) & (1ull << 63);
        else
            return EXC_ILLEGAL_INSN;
        h->f[rd] = (a & ~(1ull << 63)) | mask;
        break;
    case FUNCT5_MINMAX:
        if (funct3 == 0)
            h->f[rd] = softfloat_f64_min(a, b, &flags);
        else if (funct3 == 1)
            h->f[rd] = softfloat_f64_max(a, b, &flags);
        else
            return EXC_ILLEGAL_INSN;
        break;
    case FUNCT5_CVT_FMT: /* fcvt.d.s: exact, but still takes rm */
        if (rs2 != FMT_S)
            return EXC_ILLEGAL_INSN;
        h->f[rd] = softfloat_f32_to_f64(read_single(h, rs1), &flags);
        break;
    case FUNCT5_COMPARE: {
        bool r;
        if (funct3 == 2)
            r = softfloat_f64_eq(a, b, &flags);
        else if (funct3 == 1)
            r = softfloat_f64_lt(a, b, &flags);
        else if (funct3 == 0)
            r = softfloat_f64_le(a, b, &flags);
        else
            return EXC_ILLEGAL_INSN;
        write_int(h, rd, r);
        break;
    }
    case FUNCT5_CVT_TO_INT: {
        uint64_t r;
        switch (rs2) {
        case 0:
            r = sign_extend_32((uint32_t)softfloat_f64_to_i32(a, rm, &flags));
            break;
        case 1:
            r = sign_extend_32(softfloat_f64_to_u32(a, rm, &flags));
            break;
        case 2:
            r = (uint64_t)softfloat_f64_to_i64(a, rm, &flags);
            break;
        case 3:
            r = softfloat_f64_to_u64(a, rm, &flags);
            break;
        default:
            return EXC_ILLEGAL_INSN;
        }
        write_int(h, rd, r);
        break;
    }
    case FUNCT5_CVT_FROM_INT: {
        uint64_t v = h->x[rs1];
        uint64_t r;
        switch (rs2) {
        case 0:
            r = softfloat_i64_to_f64((int32_t)v, rm, &flags);
            break;
        case 1:
            r = softfloat_u64_to_f64((uint32_t)v, rm, &flags);
            break;
        case 2:
            r = softfloat_i64_to_f64((int64_t)v, rm, &flags);
            break;
        case 3:
            r = softfloat_u64_to_f64(v, rm, &flags);
            break;
        default:
            return EXC_ILLEGAL_INSN;
        }
        h->f[rd] = r;
        break;
    }
    case FUNCT5_MV_X_CLASS:
        if (rs2 != 0)
            return EXC_ILLEGAL_INSN;
        if (funct3 == 0)
            write_int(h, rd, a);
        else if (funct3 == 1)
            write_int(h, rd, softfloat_f64_class(a));
        else
            return EXC_ILLEGAL_INSN;
        return EXC_NONE;
    case FUNCT5_MV_FROM_X:
        if (rs2 != 0 || funct3 != 0)
            return EXC_ILLEGAL_INSN;
        h->f[rd] = h->x[rs1];
        break;
    default:
        return EXC_ILLEGAL_INSN;
    }
    h->fflags |= flags;
    return EXC_NONE;
}

/* Whether an OP-FP instruction writes an FP register (as opposed to x[rd]). */
static bool funct5_writes_fp_register(int funct5)
{
    return funct5 != FUNCT5_COMPARE && funct5 != FUNCT5_CVT_TO_INT && funct5 != FUNCT5_MV_X_CLASS;
}

Exc fpu_execute(Hart *h, const DecodedInsn *insn)
{
    uint32_t raw = insn->raw;
    int opcode = raw & 0x7f;
    int rd = (raw >> 7) & 31;
    int funct3 = (raw >> 12) & 7;
    int rs1 = (raw >> 15) & 31;
    int rs2 = (raw >> 20) & 31;

    if (!fpu_enabled(h))
        return EXC_ILLEGAL_INSN;

    if (opcode == OPCODE_MADD || opcode == OPCODE_MSUB || opcode == OPCODE_NMSUB ||
        opcode == OPCODE_NMADD) {
        int rm = resolve_rounding(h, (uint32_t)funct3);
        if (rm < 0)
            return EXC_ILLEGAL_INSN;
        return execute_fused(h, raw, opcode, rd, rs1, rs2, (int)(raw >> 27), rm);
    }
    if (opcode != OPCODE_OP_FP)
        return EXC_ILLEGAL_INSN;

    int funct7 = (int)(raw >> 25);
    int fmt = funct7 & 3;
    int funct5 = funct7 >> 2;
    int rm = SOFTFLOAT_RNE;
    if (funct5_has_rounding(funct5)) {
        rm = resolve_rounding(h, (uint32_t)funct3);
        if (rm < 0)
            return EXC_ILLEGAL_INSN;
    }

    uint8_t old_flags = h->fflags;
    Exc exc;
    if (fmt == FMT_S)
        exc = execute_single(h, funct5, funct3, rd, rs1, rs2, rm);
    else if (fmt == FMT_D)
        exc = execute_double(h, funct5, funct3, rd, rs1, rs2, rm);
    else
        return EXC_ILLEGAL_INSN;
    if (exc != EXC_NONE)
        return exc;
    /* FS becomes Dirty when an FP register or fflags changes (privileged
     * spec 3.1.6.6); an unchanged fflags after an integer-result
     * instruction leaves FS alone. */
    if (funct5_writes_fp_register(funct5) || h->fflags != old_flags)
        fpu_mark_dirty(h);
    return EXC_NONE;
}
