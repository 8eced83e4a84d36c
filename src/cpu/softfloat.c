/* IEEE 754 binary32/binary64 arithmetic in integers (see softfloat.h).
 *
 * One generic implementation serves both formats: a Format describes the
 * field widths, values are carried as uint64_t bit patterns, and every
 * finite result goes through round_pack(), which takes an exact (or
 * sticky-jammed) significand in an unsigned __int128 and rounds it once.
 *
 * Conventions used throughout:
 *  - An unpacked finite nonzero operand is sig * 2^(exp - 63) with the top
 *    bit of the 64-bit sig set, i.e. the value sig/2^63 * 2^exp in [1,2).
 *  - round_pack() takes a 128-bit significand and an exponent meaning the
 *    value sig * 2^(exp - 127). Bits shifted out of a significand before it
 *    gets there are ORed into bit 0 ("jamming"): the result then rounds the
 *    same as the exact value because bit 0 is far below the round bit. */
#include "cpu/softfloat.h"

#include <stddef.h>

typedef unsigned __int128 u128;

typedef struct Format {
    int frac_bits; /* stored fraction bits: 23 or 52 */
    int exp_bits;  /* exponent field bits: 8 or 11 */
} Format;

static const Format FORMAT_F32 = { 23, 8 };
static const Format FORMAT_F64 = { 52, 11 };

static inline int format_bias(const Format *f)
{
    return (1 << (f->exp_bits - 1)) - 1;
}
static inline uint64_t format_sign_bit(const Format *f)
{
    return 1ull << (f->frac_bits + f->exp_bits);
}
static inline uint64_t format_exp_max_field(const Format *f)
{
    return (1ull << f->exp_bits) - 1;
}
static inline uint64_t format_canonical_nan(const Format *f)
{
    return (format_exp_max_field(f) << f->frac_bits) | (1ull << (f->frac_bits - 1));
}
static inline uint64_t format_infinity(const Format *f, bool sign)
{
    return (sign ? format_sign_bit(f) : 0) | (format_exp_max_field(f) << f->frac_bits);
}
static inline uint64_t format_zero(const Format *f, bool sign)
{
    return sign ? format_sign_bit(f) : 0;
}

typedef enum Class {
    CLASS_ZERO,
    CLASS_FINITE, /* normal or subnormal, nonzero */
    CLASS_INF,
    CLASS_QNAN,
    CLASS_SNAN,
} Class;

typedef struct Unpacked {
    Class cls;
    bool sign;
    int32_t exp;  /* finite: value = sig/2^63 * 2^exp */
    uint64_t sig; /* finite: normalized, bit 63 set */
} Unpacked;

static inline bool is_nan(const Unpacked *u)
{
    return u->cls >= CLASS_QNAN;
}

static Unpacked unpack(const Format *f, uint64_t bits)
{
    Unpacked u;
    uint64_t frac = bits & ((1ull << f->frac_bits) - 1);
    uint64_t field = (bits >> f->frac_bits) & format_exp_max_field(f);
    u.sign = (bits & format_sign_bit(f)) != 0;
    u.exp = 0;
    u.sig = 0;
    if (field == format_exp_max_field(f)) {
        if (frac == 0)
            u.cls = CLASS_INF;
        else /* the fraction's top bit distinguishes quiet NaNs (spec 11.3) */
            u.cls = (frac >> (f->frac_bits - 1)) ? CLASS_QNAN : CLASS_SNAN;
    } else if (field == 0) {
        if (frac == 0) {
            u.cls = CLASS_ZERO;
        } else {
            uint64_t sig = frac << (63 - f->frac_bits);
            int lead = __builtin_clzll(sig);
            u.cls = CLASS_FINITE;
            u.sig = sig << lead;
            u.exp = 1 - format_bias(f) - lead;
        }
    } else {
        u.cls = CLASS_FINITE;
        u.sig = (frac | (1ull << f->frac_bits)) << (63 - f->frac_bits);
        u.exp = (int32_t)field - format_bias(f);
    }
    return u;
}

static inline int clz128(u128 v)
{
    uint64_t high = (uint64_t)(v >> 64);
    return high ? __builtin_clzll(high) : 64 + __builtin_clzll((uint64_t)v);
}

/* Shifts right by `count`, ORing the lost bits into bit 0. */
static inline u128 shift_right_jam(u128 v, int count)
{
    if (count <= 0)
        return v;
    if (count >= 128)
        return v != 0;
    return (v >> count) | ((v & (((u128)1 << count) - 1)) != 0);
}

/* Drops the low `shift` bits of sig (shift >= 1), rounding the rest as the
 * mode says for a value of the given sign. Sets *inexact if anything
 * nonzero was dropped. */
static u128 round_shift(u128 sig, int shift, bool sign, int rm, bool *inexact)
{
    if (shift > 128) { /* everything is below the round bit: only sticky */
        sig = sig != 0;
        shift = 128;
    }
    u128 kept = shift == 128 ? 0 : sig >> shift;
    u128 rest = shift == 128 ? sig : sig & (((u128)1 << shift) - 1);
    u128 half = (u128)1 << (shift - 1);
    bool increment = false;
    *inexact = rest != 0;
    switch (rm) {
    case SOFTFLOAT_RNE:
        increment = rest > half || (rest == half && (kept & 1));
        break;
    case SOFTFLOAT_RTZ:
        break;
    case SOFTFLOAT_RDN:
        increment = sign && rest != 0;
        break;
    case SOFTFLOAT_RUP:
        increment = !sign && rest != 0;
        break;
    case SOFTFLOAT_RMM:
        increment = rest >= half;
        break;
    }
    return kept + increment;
}

/* Rounds sign * sig * 2^(exp - 127) (sig != 0) to the format. */
static uint64_t round_pack(const Format *f, bool sign, int32_t exp, u128 sig, int rm,
                           uint8_t *flags)
{
    int lead = clz128(sig);
    sig <<= lead;
    exp -= lead; /* now value = sig/2^127 * 2^exp, in [1,2) * 2^exp */

    int precision = f->frac_bits + 1;
    int bias = format_bias(f);
    int32_t exp_min = 1 - bias, exp_max = bias;
    int shift = 128 - precision;
    bool tiny = false, inexact;

    if (exp < exp_min) {
        /* RISC-V detects tininess after rounding (one of IEEE 754's two
         * options, chosen in the F chapter's fflags description): tiny
         * unless rounding to full precision with an unbounded exponent
         * reaches 2^exp_min. UF is then raised only if also inexact. */
        if (exp == exp_min - 1) {
            u128 unbounded = round_shift(sig, shift, sign, rm, &inexact);
            tiny = (unbounded >> precision) == 0;
        } else {
            tiny = true;
        }
        shift += exp_min - exp;
        exp = exp_min;
    }
    u128 kept = round_shift(sig, shift, sign, rm, &inexact);
    if (kept >> precision) { /* rounding carried into a new top bit */
        kept >>= 1;
        exp++;
    }
    if (exp > exp_max) {
        *flags |= SOFTFLOAT_OF | SOFTFLOAT_NX;
        bool to_infinity = rm == SOFTFLOAT_RNE || rm == SOFTFLOAT_RMM ||
                           (rm == SOFTFLOAT_RDN && sign) || (rm == SOFTFLOAT_RUP && !sign);
        if (to_infinity)
            return format_infinity(f, sign);
        return format_infinity(f, sign) - 1; /* largest finite */
    }
    if (inexact) {
        *flags |= SOFTFLOAT_NX;
        if (tiny)
            *flags |= SOFTFLOAT_UF;
    }
    /* A subnormal has exp == exp_min and no implicit bit, so the field
     * (exp + bias - 1) is 0; the implicit bit of a normal adds the 1 back,
     * and a subnormal that rounded up to 2^exp_min becomes normal. */
    return format_zero(f, sign) + ((uint64_t)(exp + bias - 1) << f->frac_bits) + (uint64_t)kept;
}

/* NaN operands: NV if any is signalling; the result is always canonical. */
static uint64_t nan_result(const Format *f, const Unpacked *a, const Unpacked *b, uint8_t *flags)
{
    if (a->cls == CLASS_SNAN || (b && b->cls == CLASS_SNAN))
        *flags |= SOFTFLOAT_NV;
    return format_canonical_nan(f);
}

static uint64_t invalid_result(const Format *f, uint8_t *flags)
{
    *flags |= SOFTFLOAT_NV;
    return format_canonical_nan(f);
}

static uint64_t generic_add(const Format *f, uint64_t a_bits, uint64_t b_bits, bool subtract,
                            int rm, uint8_t *flags)
{
    if (subtract)
        b_bits ^= format_sign_bit(f);
    Unpacked a = unpack(f, a_bits), b = unpack(f, b_bits);
    if (is_nan(&a) || is_nan(&b))
        return nan_result(f, &a, &b, flags);
    if (a.cls == CLASS_INF) {
        if (b.cls == CLASS_INF && a.sign != b.sign)
            return invalid_result(f, flags);
        return a_bits;
    }
    if (b.cls == CLASS_INF)
        return b_bits;
    if (a.cls == CLASS_ZERO && b.cls == CLASS_ZERO) /* IEEE 754 6.3 */
        return format_zero(f, a.sign == b.sign ? a.sign : rm == SOFTFLOAT_RDN);
    if (a.cls == CLASS_ZERO)
        return b_bits;
    if (b.cls == CLASS_ZERO)
        return a_bits;

    if (a.exp < b.exp) {
        Unpacked t = a;
        a = b;
        b = t;
    }
    /* Both at bit 125 (two bits of headroom), the smaller one aligned. */
    u128 big = (u128)a.sig << 62;
    u128 small = shift_right_jam((u128)b.sig << 62, a.exp - b.exp);
    bool sign = a.sign;
    u128 sum;
    if (a.sign == b.sign) {
        sum = big + small;
    } else if (big >= small) {
        sum = big - small;
    } else {
        sum = small - big;
        sign = !sign;
    }
    if (sum == 0)
        return format_zero(f, rm == SOFTFLOAT_RDN);
    return round_pack(f, sign, a.exp + 2, sum, rm, flags);
}

static uint64_t generic_mul(const Format *f, uint64_t a_bits, uint64_t b_bits, int rm,
                            uint8_t *flags)
{
    Unpacked a = unpack(f, a_bits), b = unpack(f, b_bits);
    bool sign = a.sign != b.sign;
    if (is_nan(&a) || is_nan(&b))
        return nan_result(f, &a, &b, flags);
    if (a.cls == CLASS_INF || b.cls == CLASS_INF) {
        if (a.cls == CLASS_ZERO || b.cls == CLASS_ZERO)
            return invalid_result(f, flags);
        return format_infinity(f, sign);
    }
    if (a.cls == CLASS_ZERO || b.cls == CLASS_ZERO)
        return format_zero(f, sign);
    /* sig_a * sig_b * 2^(exp_a + exp_b - 126): exact. */
    return round_pack(f, sign, a.exp + b.exp + 1, (u128)a.sig * b.sig, rm, flags);
}

static uint64_t generic_div(const Format *f, uint64_t a_bits, uint64_t b_bits, int rm,
                            uint8_t *flags)
{
    Unpacked a = unpack(f, a_bits), b = unpack(f, b_bits);
    bool sign = a.sign != b.sign;
    if (is_nan(&a) || is_nan(&b))
        return nan_result(f, &a, &b, flags);
    if (a.cls == CLASS_INF) {
        if (b.cls == CLASS_INF)
            return invalid_result(f, flags);
        return format_infinity(f, sign);
    }
    if (b.cls == CLASS_INF)
        return format_zero(f, sign);
    if (b.cls == CLASS_ZERO) {
        if (a.cls == CLASS_ZERO)
            return invalid_result(f, flags);
        *flags |= SOFTFLOAT_DZ;
        return format_infinity(f, sign);
    }
    if (a.cls == CLASS_ZERO)
        return format_zero(f, sign);
    /* At least 64 quotient bits; a nonzero remainder becomes sticky. */
    u128 dividend = (u128)a.sig << 64;
    u128 quotient = dividend / b.sig;
    bool remainder = (dividend - quotient * b.sig) != 0;
    return round_pack(f, sign, a.exp - b.exp + 63, quotient | remainder, rm, flags);
}

/* floor(sqrt(n)) for n < 2^(2 * pairs) by the digit-by-digit method: one
 * root bit per pair of n's bits. The partial remainder stays below
 * 2 * root + 1, so 64-bit arithmetic suffices for roots under 2^61.
 * *remainder_nonzero tells whether n was not a perfect square. */
static uint64_t isqrt(u128 n, int pairs, bool *remainder_nonzero)
{
    uint64_t root = 0, remainder = 0;
    for (int i = pairs - 1; i >= 0; i--) {
        remainder = (remainder << 2) | ((uint64_t)(n >> (2 * i)) & 3);
        uint64_t trial = (root << 2) | 1;
        root <<= 1;
        if (remainder >= trial) {
            remainder -= trial;
            root |= 1;
        }
    }
    *remainder_nonzero = remainder != 0;
    return root;
}

static uint64_t generic_sqrt(const Format *f, uint64_t a_bits, int rm, uint8_t *flags)
{
    Unpacked a = unpack(f, a_bits);
    if (is_nan(&a))
        return nan_result(f, &a, NULL, flags);
    if (a.cls == CLASS_ZERO) /* sqrt(-0) = -0 */
        return a_bits;
    if (a.sign)
        return invalid_result(f, flags);
    if (a.cls == CLASS_INF)
        return a_bits;
    /* value = sig * 2^e with e = exp - 63. Take the integer N = sig * 2^k
     * with e - k even, so sqrt(value) = sqrt(N) * 2^((e - k) / 2), and k
     * chosen to give a root of precision + 2 or + 3 bits: enough for the
     * round bit, with the remainder as sticky. For binary32 k is negative,
     * which drops only zero bits (sig has 40 trailing zeros). */
    int32_t e = a.exp - 63;
    int root_bits = f->frac_bits + 4;
    int k = 2 * root_bits - 65;
    if ((e - k) & 1)
        k++;
    u128 n = k >= 0 ? (u128)a.sig << k : shift_right_jam(a.sig, -k);
    bool sticky;
    uint64_t root = isqrt(n, root_bits, &sticky);
    return round_pack(f, false, (e - k) / 2 + 127, (u128)root | sticky, rm, flags);
}

static uint64_t generic_fma(const Format *f, uint64_t a_bits, uint64_t b_bits, uint64_t c_bits,
                            bool negate_product, bool negate_addend, int rm, uint8_t *flags)
{
    Unpacked a = unpack(f, a_bits), b = unpack(f, b_bits), c = unpack(f, c_bits);
    bool product_sign = (a.sign != b.sign) != negate_product;
    bool addend_sign = c.sign != negate_addend;
    bool product_inf = a.cls == CLASS_INF || b.cls == CLASS_INF;
    bool product_zero = a.cls == CLASS_ZERO || b.cls == CLASS_ZERO;

    if (a.cls == CLASS_SNAN || b.cls == CLASS_SNAN || c.cls == CLASS_SNAN)
        *flags |= SOFTFLOAT_NV;
    /* inf * 0 is invalid even when the addend is a quiet NaN (spec 11.6). */
    if (product_inf && product_zero)
        return invalid_result(f, flags);
    if (is_nan(&a) || is_nan(&b) || is_nan(&c))
        return format_canonical_nan(f);
    if (product_inf) {
        if (c.cls == CLASS_INF && addend_sign != product_sign)
            return invalid_result(f, flags);
        return format_infinity(f, product_sign);
    }
    if (c.cls == CLASS_INF)
        return format_infinity(f, addend_sign);
    if (product_zero) {
        if (c.cls == CLASS_ZERO)
            return format_zero(f, product_sign == addend_sign ? product_sign : rm == SOFTFLOAT_RDN);
        return c_bits ^ (negate_addend ? format_sign_bit(f) : 0);
    }
    u128 product = (u128)a.sig * b.sig; /* * 2^(exp_a + exp_b - 126) */
    if (c.cls == CLASS_ZERO)
        return round_pack(f, product_sign, a.exp + b.exp + 1, product, rm, flags);

    /* Product at bit 124 or 125, addend at bit 125, each scaled by 2^(lsb
     * exponent); the one with the smaller lsb exponent is shifted right to
     * match. When the shift is 0 or 1 nothing is lost (both have many low
     * zero bits); when it is larger the other operand dominates, so at most
     * one bit cancels and the jammed sticky bit stays far below rounding. */
    u128 p = shift_right_jam(product, 2);
    int32_t p_lsb = a.exp + b.exp - 124;
    u128 q = (u128)c.sig << 62;
    int32_t q_lsb = c.exp - 125;
    int32_t lsb;
    if (p_lsb >= q_lsb) {
        q = shift_right_jam(q, p_lsb - q_lsb);
        lsb = p_lsb;
    } else {
        p = shift_right_jam(p, q_lsb - p_lsb);
        lsb = q_lsb;
    }
    bool sign = product_sign;
    u128 sum;
    if (product_sign == addend_sign) {
        sum = p + q;
    } else if (p >= q) {
        sum = p - q;
    } else {
        sum = q - p;
        sign = addend_sign;
    }
    if (sum == 0)
        return format_zero(f, rm == SOFTFLOAT_RDN);
    return round_pack(f, sign, lsb + 127, sum, rm, flags);
}

/* minimumNumber / maximumNumber (IEEE 754-2019 9.6, RISC-V spec 11.6). */
static uint64_t generic_min_max(const Format *f, uint64_t a_bits, uint64_t b_bits, bool max,
                                uint8_t *flags)
{
    Unpacked a = unpack(f, a_bits), b = unpack(f, b_bits);
    if (a.cls == CLASS_SNAN || b.cls == CLASS_SNAN)
        *flags |= SOFTFLOAT_NV;
    if (is_nan(&a) && is_nan(&b))
        return format_canonical_nan(f);
    if (is_nan(&a))
        return b_bits;
    if (is_nan(&b))
        return a_bits;
    if (a.cls == CLASS_ZERO && b.cls == CLASS_ZERO) /* -0 < +0 here */
        return max ? (a_bits & b_bits) : (a_bits | b_bits);
    /* Ordered keys: sign-magnitude mapped onto two's complement. */
    uint64_t magnitude_mask = format_sign_bit(f) - 1;
    int64_t key_a =
        a.sign ? -(int64_t)(a_bits & magnitude_mask) : (int64_t)(a_bits & magnitude_mask);
    int64_t key_b =
        b.sign ? -(int64_t)(b_bits & magnitude_mask) : (int64_t)(b_bits & magnitude_mask);
    bool a_less = key_a < key_b;
    return (a_less != max) ? a_bits : b_bits;
}

typedef enum Comparison { COMPARE_EQ, COMPARE_LT, COMPARE_LE } Comparison;

static bool generic_compare(const Format *f, uint64_t a_bits, uint64_t b_bits, Comparison cmp,
                            uint8_t *flags)
{
    Unpacked a = unpack(f, a_bits), b = unpack(f, b_bits);
    if (is_nan(&a) || is_nan(&b)) {
        /* feq is a quiet comparison, flt/fle signalling (spec 11.8). */
        if (cmp != COMPARE_EQ || a.cls == CLASS_SNAN || b.cls == CLASS_SNAN)
            *flags |= SOFTFLOAT_NV;
        return false;
    }
    uint64_t magnitude_mask = format_sign_bit(f) - 1;
    /* Both zeros map to key 0, so -0 == +0. */
    int64_t key_a =
        a.sign ? -(int64_t)(a_bits & magnitude_mask) : (int64_t)(a_bits & magnitude_mask);
    int64_t key_b =
        b.sign ? -(int64_t)(b_bits & magnitude_mask) : (int64_t)(b_bits & magnitude_mask);
    switch (cmp) {
    case COMPARE_EQ:
        return key_a == key_b;
    case COMPARE_LT:
        return key_a < key_b;
    case COMPARE_LE:
        return key_a <= key_b;
    }
    return false;
}

static uint32_t generic_class(const Format *f, uint64_t bits)
{
    Unpacked u = unpack(f, bits);
    switch (u.cls) {
    case CLASS_INF:
        return u.sign ? 1u << 0 : 1u << 7;
    case CLASS_ZERO:
        return u.sign ? 1u << 3 : 1u << 4;
    case CLASS_FINITE: {
        bool subnormal = ((bits >> f->frac_bits) & format_exp_max_field(f)) == 0;
        if (u.sign)
            return subnormal ? 1u << 2 : 1u << 1;
        return subnormal ? 1u << 5 : 1u << 6;
    }
    case CLASS_SNAN:
        return 1u << 8;
    case CLASS_QNAN:
        return 1u << 9;
    }
    return 0;
}

static uint64_t generic_convert_format(const Format *to, const Format *from, uint64_t bits, int rm,
                                       uint8_t *flags)
{
    Unpacked u = unpack(from, bits);
    switch (u.cls) {
    case CLASS_QNAN:
    case CLASS_SNAN:
        return nan_result(to, &u, NULL, flags);
    case CLASS_INF:
        return format_infinity(to, u.sign);
    case CLASS_ZERO:
        return format_zero(to, u.sign);
    case CLASS_FINITE:
        break;
    }
    return round_pack(to, u.sign, u.exp + 64, u.sig, rm, flags);
}

/* Float to integer. `bits` is 32 or 64 and is_signed picks the type; the
 * result is returned as the integer's two's-complement bit pattern. */
static uint64_t generic_to_int(const Format *f, uint64_t a_bits, int bits, bool is_signed, int rm,
                               uint8_t *flags)
{
    Unpacked u = unpack(f, a_bits);
    uint64_t max_positive =
        is_signed ? (1ull << (bits - 1)) - 1 : (bits == 64 ? UINT64_MAX : (1ull << bits) - 1);
    uint64_t min_negative = is_signed ? (uint64_t) - (int64_t)(max_positive)-1 : 0;
    if (is_nan(&u)) { /* NaN converts like +infinity (spec table 11.4) */
        *flags |= SOFTFLOAT_NV;
        return max_positive;
    }
    if (u.cls == CLASS_ZERO)
        return 0;
    if (u.cls == CLASS_INF) {
        *flags |= SOFTFLOAT_NV;
        return u.sign ? min_negative : max_positive;
    }
    if (u.exp >= 64) {
        *flags |= SOFTFLOAT_NV;
        return u.sign ? min_negative : max_positive;
    }
    /* value = (sig << 64) * 2^(exp - 127); exp <= 63 so the shift is >= 64. */
    bool inexact;
    u128 magnitude = round_shift((u128)u.sig << 64, 127 - u.exp, u.sign, rm, &inexact);
    bool in_range;
    if (u.sign) {
        /* Unsigned: a negative value is valid only if it rounds to 0. */
        in_range = is_signed ? magnitude <= (u128)max_positive + 1 : magnitude == 0;
    } else {
        in_range = magnitude <= max_positive;
    }
    if (!in_range) {
        *flags |= SOFTFLOAT_NV;
        return u.sign ? min_negative : max_positive;
    }
    if (inexact)
        *flags |= SOFTFLOAT_NX;
    uint64_t m = (uint64_t)magnitude;
    return u.sign ? (uint64_t)0 - m : m;
}

static uint64_t generic_from_int(const Format *f, uint64_t magnitude, bool sign, int rm,
                                 uint8_t *flags)
{
    if (magnitude == 0)
        return 0;
    return round_pack(f, sign, 127, magnitude, rm, flags);
}

/* --- public wrappers --- */

uint32_t softfloat_f32_add(uint32_t a, uint32_t b, int rm, uint8_t *flags)
{
    return (uint32_t)generic_add(&FORMAT_F32, a, b, false, rm, flags);
}
uint32_t softfloat_f32_sub(uint32_t a, uint32_t b, int rm, uint8_t *flags)
{
    return (uint32_t)generic_add(&FORMAT_F32, a, b, true, rm, flags);
}
uint32_t softfloat_f32_mul(uint32_t a, uint32_t b, int rm, uint8_t *flags)
{
    return (uint32_t)generic_mul(&FORMAT_F32, a, b, rm, flags);
}
uint32_t softfloat_f32_div(uint32_t a, uint32_t b, int rm, uint8_t *flags)
{
    return (uint32_t)generic_div(&FORMAT_F32, a, b, rm, flags);
}
uint32_t softfloat_f32_sqrt(uint32_t a, int rm, uint8_t *flags)
{
    return (uint32_t)generic_sqrt(&FORMAT_F32, a, rm, flags);
}
uint32_t softfloat_f32_fma(uint32_t a, uint32_t b, uint32_t c, bool negate_product,
                           bool negate_addend, int rm, uint8_t *flags)
{
    return (uint32_t)generic_fma(&FORMAT_F32, a, b, c, negate_product, negate_addend, rm, flags);
}
uint64_t softfloat_f64_add(uint64_t a, uint64_t b, int rm, uint8_t *flags)
{
    return generic_add(&FORMAT_F64, a, b, false, rm, flags);
}
uint64_t softfloat_f64_sub(uint64_t a, uint64_t b, int rm, uint8_t *flags)
{
    return generic_add(&FORMAT_F64, a, b, true, rm, flags);
}
uint64_t softfloat_f64_mul(uint64_t a, uint64_t b, int rm, uint8_t *flags)
{
    return generic_mul(&FORMAT_F64, a, b, rm, flags);
}
uint64_t softfloat_f64_div(uint64_t a, uint64_t b, int rm, uint8_t *flags)
{
    return generic_div(&FORMAT_F64, a, b, rm, flags);
}
uint64_t softfloat_f64_sqrt(uint64_t a, int rm, uint8_t *flags)
{
    return generic_sqrt(&FORMAT_F64, a, rm, flags);
}
uint64_t softfloat_f64_fma(uint64_t a, uint64_t b, uint64_t c, bool negate_product,
                           bool negate_addend, int rm, uint8_t *flags)
{
    return generic_fma(&FORMAT_F64, a, b, c, negate_product, negate_addend, rm, flags);
}

uint32_t softfloat_f32_min(uint32_t a, uint32_t b, uint8_t *flags)
{
    return (uint32_t)generic_min_max(&FORMAT_F32, a, b, false, flags);
}
uint32_t softfloat_f32_max(uint32_t a, uint32_t b, uint8_t *flags)
{
    return (uint32_t)generic_min_max(&FORMAT_F32, a, b, true, flags);
}
uint64_t softfloat_f64_min(uint64_t a, uint64_t b, uint8_t *flags)
{
    return generic_min_max(&FORMAT_F64, a, b, false, flags);
}
uint64_t softfloat_f64_max(uint64_t a, uint64_t b, uint8_t *flags)
{
    return generic_min_max(&FORMAT_F64, a, b, true, flags);
}

bool softfloat_f32_eq(uint32_t a, uint32_t b, uint8_t *flags)
{
    return generic_compare(&FORMAT_F32, a, b, COMPARE_EQ, flags);
}
bool softfloat_f32_lt(uint32_t a, uint32_t b, uint8_t *flags)
{
    return generic_compare(&FORMAT_F32, a, b, COMPARE_LT, flags);
}
bool softfloat_f32_le(uint32_t a, uint32_t b, uint8_t *flags)
{
    return generic_compare(&FORMAT_F32, a, b, COMPARE_LE, flags);
}
bool softfloat_f64_eq(uint64_t a, uint64_t b, uint8_t *flags)
{
    return generic_compare(&FORMAT_F64, a, b, COMPARE_EQ, flags);
}
bool softfloat_f64_lt(uint64_t a, uint64_t b, uint8_t *flags)
{
    return generic_compare(&FORMAT_F64, a, b, COMPARE_LT, flags);
}
bool softfloat_f64_le(uint64_t a, uint64_t b, uint8_t *flags)
{
    return generic_compare(&FORMAT_F64, a, b, COMPARE_LE, flags);
}

uint32_t softfloat_f32_class(uint32_t a)
{
    return generic_class(&FORMAT_F32, a);
}
uint32_t softfloat_f64_class(uint64_t a)
{
    return generic_class(&FORMAT_F64, a);
}

uint64_t softfloat_f32_to_f64(uint32_t a, uint8_t *flags)
{
    return generic_convert_format(&FORMAT_F64, &FORMAT_F32, a, SOFTFLOAT_RNE, flags);
}
uint32_t softfloat_f64_to_f32(uint64_t a, int rm, uint8_t *flags)
{
    return (uint32_t)generic_convert_format(&FORMAT_F32, &FORMAT_F64, a, rm, flags);
}

int32_t softfloat_f32_to_i32(uint32_t a, int rm, uint8_t *flags)
{
    return (int32_t)generic_to_int(&FORMAT_F32, a, 32, true, rm, flags);
}
uint32_t softfloat_f32_to_u32(uint32_t a, int rm, uint8_t *flags)
{
    return (uint32_t)generic_to_int(&FORMAT_F32, a, 32, false, rm, flags);
}
int64_t softfloat_f32_to_i64(uint32_t a, int rm, uint8_t *flags)
{
    return (int64_t)generic_to_int(&FORMAT_F32, a, 64, true, rm, flags);
}
uint64_t softfloat_f32_to_u64(uint32_t a, int rm, uint8_t *flags)
{
    return generic_to_int(&FORMAT_F32, a, 64, false, rm, flags);
}
int32_t softfloat_f64_to_i32(uint64_t a, int rm, uint8_t *flags)
{
    return (int32_t)generic_to_int(&FORMAT_F64, a, 32, true, rm, flags);
}
uint32_t softfloat_f64_to_u32(uint64_t a, int rm, uint8_t *flags)
{
    return (uint32_t)generic_to_int(&FORMAT_F64, a, 32, false, rm, flags);
}
int64_t softfloat_f64_to_i64(uint64_t a, int rm, uint8_t *flags)
{
    return (int64_t)generic_to_int(&FORMAT_F64, a, 64, true, rm, flags);
}
uint64_t softfloat_f64_to_u64(uint64_t a, int rm, uint8_t *flags)
{
    return generic_to_int(&FORMAT_F64, a, 64, false, rm, flags);
}

uint32_t softfloat_i64_to_f32(int64_t v, int rm, uint8_t *flags)
{
    uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    return (uint32_t)generic_from_int(&FORMAT_F32, magnitude, v < 0, rm, flags);
}
uint32_t softfloat_u64_to_f32(uint64_t v, int rm, uint8_t *flags)
{
    return (uint32_t)generic_from_int(&FORMAT_F32, v, false, rm, flags);
}
uint64_t softfloat_i64_to_f64(int64_t v, int rm, uint8_t *flags)
{
    uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    return generic_from_int(&FORMAT_F64, magnitude, v < 0, rm, flags);
}
uint64_t softfloat_u64_to_f64(uint64_t v, int rm, uint8_t *flags)
{
    return generic_from_int(&FORMAT_F64, v, false, rm, flags);
}
