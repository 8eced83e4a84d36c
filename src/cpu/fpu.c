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

static inline uint64_t read_double(const Hart *h, int reg)
{
    return h->f[reg];
}

static inline void write_double(Hart *h, int reg, uint64_t value)
{
    h->f[reg] = value;
}

/* fcvt.s.d and fcvt.d.s: the source is the other format, named in rs2. */
static inline uint32_t convert_to_single(const Hart *h, int rs1, int rm, uint8_t *flags)
{
    return softfloat_f64_to_f32(h->f[rs1], rm, flags);
}

static inline uint64_t convert_to_double(const Hart *h, int rs1, int rm, uint8_t *flags)
{
    (void)rm; /* exact, but the encoding still carries rm */
    return softfloat_f32_to_f64(read_single(h, rs1), flags);
}

/* fmv.x.w and fmv.x.d move the raw register bits (not unboxed); fmv.x.w
 * sign-extends the low 32. */
static inline uint64_t raw_bits_single(const Hart *h, int reg)
{
    return sign_extend_32((uint32_t)h->f[reg]);
}

static inline uint64_t raw_bits_double(const Hart *h, int reg)
{
    return h->f[reg];
}

/* One OP-FP executor per format, from one body: T is the format's bit
 * type, SF the softfloat prefix (f32, f64), FMT its name in read_/write_/
 * convert_to_/raw_bits_ helpers, SIGN its sign bit and OTHER the fmt code
 * fcvt between formats expects in rs2. A macro rather than a runtime
 * switch on the format keeps each instruction one direct call. */
#define DEFINE_EXECUTE_FORMAT(NAME, T, SF, FMT, SIGN, OTHER)                                      \
    static Exc NAME(Hart *h, int funct5, int funct3, int rd, int rs1, int rs2, int rm)           \
    {                                                                                             \
        uint8_t flags = 0;                                                                        \
        T a = read_##FMT(h, rs1);                                                                 \
        T b = read_##FMT(h, rs2);                                                                 \
        T sign;                                                                                   \
        uint64_t r;                                                                               \
        uint64_t v = h->x[rs1];                                                                   \
                                                                                                  \
        switch (funct5) {                                                                         \
        case FUNCT5_ADD: write_##FMT(h, rd, softfloat_##SF##_add(a, b, rm, &flags)); break;       \
        case FUNCT5_SUB: write_##FMT(h, rd, softfloat_##SF##_sub(a, b, rm, &flags)); break;       \
        case FUNCT5_MUL: write_##FMT(h, rd, softfloat_##SF##_mul(a, b, rm, &flags)); break;       \
        case FUNCT5_DIV: write_##FMT(h, rd, softfloat_##SF##_div(a, b, rm, &flags)); break;       \
        case FUNCT5_SQRT:                                                                         \
            if (rs2 != 0)                                                                         \
                return EXC_ILLEGAL_INSN;                                                          \
            write_##FMT(h, rd, softfloat_##SF##_sqrt(a, rm, &flags));                             \
            break;                                                                                \
        case FUNCT5_SGNJ: /* never raises flags; works on the unboxed bits */                    \
            if (funct3 == 0)                                                                      \
                sign = b & (SIGN);                                                                \
            else if (funct3 == 1)                                                                 \
                sign = ~b & (SIGN);                                                               \
            else if (funct3 == 2)                                                                 \
                sign = (a ^ b) & (SIGN);                                                          \
            else                                                                                  \
                return EXC_ILLEGAL_INSN;                                                          \
            write_##FMT(h, rd, (a & ~(T)(SIGN)) | sign);                                          \
            break;                                                                                \
        case FUNCT5_MINMAX:                                                                       \
            if (funct3 > 1)                                                                       \
                return EXC_ILLEGAL_INSN;                                                          \
            write_##FMT(h, rd,                                                                    \
                        funct3 ? softfloat_##SF##_max(a, b, &flags)                               \
                               : softfloat_##SF##_min(a, b, &flags));                             \
            break;                                                                                \
        case FUNCT5_CVT_FMT:                                                                      \
            if (rs2 != (OTHER))                                                                   \
                return EXC_ILLEGAL_INSN;                                                          \
            write_##FMT(h, rd, convert_to_##FMT(h, rs1, rm, &flags));                             \
            break;                                                                                \
        case FUNCT5_COMPARE:                                                                      \
            if (funct3 == 2)                                                                      \
                r = softfloat_##SF##_eq(a, b, &flags);                                            \
            else if (funct3 == 1)                                                                 \
                r = softfloat_##SF##_lt(a, b, &flags);                                            \
            else if (funct3 == 0)                                                                 \
                r = softfloat_##SF##_le(a, b, &flags);                                            \
            else                                                                                  \
                return EXC_ILLEGAL_INSN;                                                          \
            write_int(h, rd, r);                                                                  \
            break;                                                                                \
        case FUNCT5_CVT_TO_INT:                                                                   \
            switch (rs2) {                                                                        \
            case 0: r = sign_extend_32((uint32_t)softfloat_##SF##_to_i32(a, rm, &flags)); break;  \
            case 1: r = sign_extend_32(softfloat_##SF##_to_u32(a, rm, &flags)); break;            \
            case 2: r = (uint64_t)softfloat_##SF##_to_i64(a, rm, &flags); break;                  \
            case 3: r = softfloat_##SF##_to_u64(a, rm, &flags); break;                            \
            default: return EXC_ILLEGAL_INSN;                                                     \
            }                                                                                     \
            write_int(h, rd, r);                                                                  \
            break;                                                                                \
        case FUNCT5_CVT_FROM_INT:                                                                 \
            switch (rs2) {                                                                        \
            case 0: r = softfloat_i64_to_##SF((int32_t)v, rm, &flags); break;                     \
            case 1: r = softfloat_u64_to_##SF((uint32_t)v, rm, &flags); break;                    \
            case 2: r = softfloat_i64_to_##SF((int64_t)v, rm, &flags); break;                     \
            case 3: r = softfloat_u64_to_##SF(v, rm, &flags); break;                              \
            default: return EXC_ILLEGAL_INSN;                                                     \
            }                                                                                     \
            write_##FMT(h, rd, (T)r);                                                             \
            break;                                                                                \
        case FUNCT5_MV_X_CLASS:                                                                   \
            if (rs2 != 0 || funct3 > 1)                                                           \
                return EXC_ILLEGAL_INSN;                                                          \
            write_int(h, rd, funct3 ? softfloat_##SF##_class(a) : raw_bits_##FMT(h, rs1));        \
            return EXC_NONE; /* no FP state changes */                                            \
        case FUNCT5_MV_FROM_X:                                                                    \
            if (rs2 != 0 || funct3 != 0)                                                          \
                return EXC_ILLEGAL_INSN;                                                          \
            write_##FMT(h, rd, (T)v);                                                             \
            break;                                                                                \
        default:                                                                                  \
            return EXC_ILLEGAL_INSN;                                                              \
        }                                                                                         \
        h->fflags |= flags;                                                                       \
        return EXC_NONE;                                                                          \
    }

DEFINE_EXECUTE_FORMAT(execute_single, uint32_t, f32, single, 0x80000000u, FMT_D)
DEFINE_EXECUTE_FORMAT(execute_double, uint64_t, f64, double, 1ull << 63, FMT_S)

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
