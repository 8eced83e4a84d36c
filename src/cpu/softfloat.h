/* IEEE 754 binary32 and binary64 arithmetic in integer C, as RISC-V's F and
 * D extensions define it (unprivileged spec chapters "F" and "D").
 *
 * Results are bit-identical on every host: no host floating point is used,
 * which record/replay depends on (a recording made on one machine replays
 * on another). Values are passed as raw bit patterns (uint32_t / uint64_t).
 *
 * RISC-V specifics built in:
 *  - every NaN result is the canonical NaN (no payload propagation);
 *  - tininess is detected after rounding;
 *  - conversions to integer saturate (NaN -> largest value);
 *  - min/max are IEEE 754-2019 minimumNumber/maximumNumber (-0 < +0).
 *
 * Every operation takes a rounding mode where it rounds and ORs the IEEE
 * exception flags it raises into *flags, using the fcsr.fflags layout. */
#ifndef DEJA_CPU_SOFTFLOAT_H
#define DEJA_CPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* Rounding modes, encoded as in the rm field / fcsr.frm (spec 11.2). */
typedef enum SoftfloatRounding {
    SOFTFLOAT_RNE = 0, /* to nearest, ties to even */
    SOFTFLOAT_RTZ = 1, /* towards zero */
    SOFTFLOAT_RDN = 2, /* down (towards -infinity) */
    SOFTFLOAT_RUP = 3, /* up (towards +infinity) */
    SOFTFLOAT_RMM = 4, /* to nearest, ties to max magnitude */
} SoftfloatRounding;

/* Exception flags, bit positions of fcsr.fflags. */
enum {
    SOFTFLOAT_NX = 1 << 0, /* inexact */
    SOFTFLOAT_UF = 1 << 1, /* underflow */
    SOFTFLOAT_OF = 1 << 2, /* overflow */
    SOFTFLOAT_DZ = 1 << 3, /* divide by zero */
    SOFTFLOAT_NV = 1 << 4, /* invalid operation */
};

#define SOFTFLOAT_F32_CANONICAL_NAN 0x7fc00000u
#define SOFTFLOAT_F64_CANONICAL_NAN 0x7ff8000000000000ull

/* Arithmetic. fma computes (a*b)+c with one rounding; negate_product and
 * negate_addend give fmsub (0,1), fnmsub (1,0) and fnmadd (1,1). */
uint32_t softfloat_f32_add(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t softfloat_f32_sub(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t softfloat_f32_mul(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t softfloat_f32_div(uint32_t a, uint32_t b, int rm, uint8_t *flags);
uint32_t softfloat_f32_sqrt(uint32_t a, int rm, uint8_t *flags);
uint32_t softfloat_f32_fma(uint32_t a, uint32_t b, uint32_t c, bool negate_product,
                           bool negate_addend, int rm, uint8_t *flags);
uint64_t softfloat_f64_add(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t softfloat_f64_sub(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t softfloat_f64_mul(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t softfloat_f64_div(uint64_t a, uint64_t b, int rm, uint8_t *flags);
uint64_t softfloat_f64_sqrt(uint64_t a, int rm, uint8_t *flags);
uint64_t softfloat_f64_fma(uint64_t a, uint64_t b, uint64_t c, bool negate_product,
                           bool negate_addend, int rm, uint8_t *flags);

/* minimumNumber / maximumNumber. */
uint32_t softfloat_f32_min(uint32_t a, uint32_t b, uint8_t *flags);
uint32_t softfloat_f32_max(uint32_t a, uint32_t b, uint8_t *flags);
uint64_t softfloat_f64_min(uint64_t a, uint64_t b, uint8_t *flags);
uint64_t softfloat_f64_max(uint64_t a, uint64_t b, uint8_t *flags);

/* Comparisons: eq is quiet (NV only for signalling NaNs), lt/le signal
 * NV for any NaN. All return false when an operand is NaN. */
bool softfloat_f32_eq(uint32_t a, uint32_t b, uint8_t *flags);
bool softfloat_f32_lt(uint32_t a, uint32_t b, uint8_t *flags);
bool softfloat_f32_le(uint32_t a, uint32_t b, uint8_t *flags);
bool softfloat_f64_eq(uint64_t a, uint64_t b, uint8_t *flags);
bool softfloat_f64_lt(uint64_t a, uint64_t b, uint8_t *flags);
bool softfloat_f64_le(uint64_t a, uint64_t b, uint8_t *flags);

/* fclass: the 10-bit mask of spec table 11.5. */
uint32_t softfloat_f32_class(uint32_t a);
uint32_t softfloat_f64_class(uint64_t a);

/* Format conversions. */
uint64_t softfloat_f32_to_f64(uint32_t a, uint8_t *flags);
uint32_t softfloat_f64_to_f32(uint64_t a, int rm, uint8_t *flags);

/* Float to integer, rounding with rm and saturating as spec table 11.4:
 * NaN and too-large positive values give the largest integer, too-large
 * negative ones the smallest (0 for unsigned); those raise NV only.
 * The 32-bit forms return the 32-bit value (callers sign-extend). */
int32_t softfloat_f32_to_i32(uint32_t a, int rm, uint8_t *flags);
uint32_t softfloat_f32_to_u32(uint32_t a, int rm, uint8_t *flags);
int64_t softfloat_f32_to_i64(uint32_t a, int rm, uint8_t *flags);
uint64_t softfloat_f32_to_u64(uint32_t a, int rm, uint8_t *flags);
int32_t softfloat_f64_to_i32(uint64_t a, int rm, uint8_t *flags);
uint32_t softfloat_f64_to_u32(uint64_t a, int rm, uint8_t *flags);
int64_t softfloat_f64_to_i64(uint64_t a, int rm, uint8_t *flags);
uint64_t softfloat_f64_to_u64(uint64_t a, int rm, uint8_t *flags);

/* Integer to float. */
uint32_t softfloat_i64_to_f32(int64_t v, int rm, uint8_t *flags);
uint32_t softfloat_u64_to_f32(uint64_t v, int rm, uint8_t *flags);
uint64_t softfloat_i64_to_f64(int64_t v, int rm, uint8_t *flags);
uint64_t softfloat_u64_to_f64(uint64_t v, int rm, uint8_t *flags);

#endif
