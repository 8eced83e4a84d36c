/* F and D extensions: rounding modes (static and dynamic) with fflags,
 * NaN boxing, canonical NaNs, fmin/fmax with signed zeros and NaNs, fcvt
 * saturation, fclass, the fused multiply-add family, sign injection,
 * comparisons and their flags, fmv, FP loads/stores, fcsr aliases, and the
 * traps for reserved rounding modes and mstatus.FS = Off.
 * Flag bits: NV 0x10, DZ 0x08, OF 0x04, UF 0x02, NX 0x01. */
#include "ops.h"

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

#define D_ONE 0x3ff0000000000000ULL
#define D_TWO 0x4000000000000000ULL
#define D_THREE 0x4008000000000000ULL
#define D_MONE 0xbff0000000000000ULL
#define D_ZERO 0x0ULL
#define D_MZERO 0x8000000000000000ULL
#define D_INF 0x7ff0000000000000ULL
#define D_MINF 0xfff0000000000000ULL
#define D_QNAN 0x7ff8000000000000ULL
#define D_QNAN_PAYLOAD 0x7ff8000000000123ULL
#define D_SNAN 0x7ff0000000000001ULL
#define S_ONE 0x3f800000U
#define S_MONE 0xbf800000U
#define S_QNAN 0x7fc00000U
#define S_SNAN 0x7f800001U
#define BOXED(s) (0xffffffff00000000ULL | (u32)(s))

static u64 take_flags(void)
{
    u64 f;
    __asm__ volatile("csrrw %0, fflags, zero" : "=r"(f));
    return f;
}

/* Double-precision ops on bit patterns; results as raw 64-bit patterns. */
#define D2(insn, a, b) ({ u64 r_; __asm__ volatile( \
    "fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n " insn " ft2, ft0, ft1\n fmv.x.d %0, ft2" \
    : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1", "ft2"); r_; })
#define D3(insn, a, b, c) ({ u64 r_; __asm__ volatile( \
    "fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n fmv.d.x ft3, %3\n " insn " ft2, ft0, ft1, ft3\n fmv.x.d %0, ft2" \
    : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c)) : "ft0", "ft1", "ft2", "ft3"); r_; })
#define D1(insn, a) ({ u64 r_; __asm__ volatile( \
    "fmv.d.x ft0, %1\n " insn " ft2, ft0\n fmv.x.d %0, ft2" \
    : "=r"(r_) : "r"((u64)(a)) : "ft0", "ft2"); r_; })
/* FP -> integer register (fcvt to int, fclass, compares). */
#define D2X(insn, a) ({ u64 r_; __asm__ volatile( \
    "fmv.d.x ft0, %1\n " insn " %0, ft0" : "=r"(r_) : "r"((u64)(a)) : "ft0"); r_; })
#define DCMP(insn, a, b) ({ u64 r_; __asm__ volatile( \
    "fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n " insn " %0, ft0, ft1" \
    : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1"); r_; })
/* integer -> FP (fcvt from int); result raw 64-bit register. */
#define X2D(insn, a) ({ u64 r_; __asm__ volatile( \
    insn " ft2, %1\n fmv.x.d %0, ft2" : "=r"(r_) : "r"((u64)(a)) : "ft2"); r_; })

/* Single-precision: operands are NaN-boxed by fmv.w.x; the result is the
 * whole 64-bit register so NaN boxing of results is checked too. */
#define S2(insn, a, b) ({ u64 r_; __asm__ volatile( \
    "fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n " insn " ft2, ft0, ft1\n fmv.x.d %0, ft2" \
    : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1", "ft2"); r_; })
#define S3(insn, a, b, c) ({ u64 r_; __asm__ volatile( \
    "fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n fmv.w.x ft3, %3\n " insn " ft2, ft0, ft1, ft3\n fmv.x.d %0, ft2" \
    : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c)) : "ft0", "ft1", "ft2", "ft3"); r_; })
#define S1(insn, a) ({ u64 r_; __asm__ volatile( \
    "fmv.w.x ft0, %1\n " insn " ft2, ft0\n fmv.x.d %0, ft2" \
    : "=r"(r_) : "r"((u64)(a)) : "ft0", "ft2"); r_; })
#define S2X(insn, a) ({ u64 r_; __asm__ volatile( \
    "fmv.w.x ft0, %1\n " insn " %0, ft0" : "=r"(r_) : "r"((u64)(a)) : "ft0"); r_; })
#define SCMP(insn, a, b) ({ u64 r_; __asm__ volatile( \
    "fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n " insn " %0, ft0, ft1" \
    : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)) : "ft0", "ft1"); r_; })

/* Checks a result and the flags it raised (flags are cleared after). */
static void check_op(const char *name, u64 got, u64 expected, u64 expected_flags)
{
    u64 flags = take_flags();
    rt_printf("%s: 0x%lx flags 0x%lx", name, got, flags);
    if (got != expected || flags != expected_flags) {
        rt_printf("  MISMATCH expected 0x%lx flags 0x%lx", expected, expected_flags);
        rt_failures++;
    }
    rt_putc('\n');
}

static void rounding_static(void)
{
    take_flags();
    /* 1 + 2^-24 is halfway between 1 and 1 + 2^-23 (even: 1). */
    const u32 tiny = 0x33800000; /* 2^-24 */
    check_op("fadd.s rne tie even", S2("fadd.s ft2, ft0, ft1, rne #", S_ONE, tiny), BOXED(S_ONE), NX);
    check_op("fadd.s rtz", S2("fadd.s ft2, ft0, ft1, rtz #", S_ONE, tiny), BOXED(S_ONE), NX);
    check_op("fadd.s rdn", S2("fadd.s ft2, ft0, ft1, rdn #", S_ONE, tiny), BOXED(S_ONE), NX);
    check_op("fadd.s rup", S2("fadd.s ft2, ft0, ft1, rup #", S_ONE, tiny), BOXED(0x3f800001), NX);
    check_op("fadd.s rmm", S2("fadd.s ft2, ft0, ft1, rmm #", S_ONE, tiny), BOXED(0x3f800001), NX);
    /* (1 + 2^-23) + 2^-24: tie with an odd lower neighbour. */
    check_op("fadd.s rne tie odd", S2("fadd.s ft2, ft0, ft1, rne #", 0x3f800001, tiny), BOXED(0x3f800002), NX);
    check_op("fadd.s rtz odd", S2("fadd.s ft2, ft0, ft1, rtz #", 0x3f800001, tiny), BOXED(0x3f800001), NX);
    /* Negative: -1 - 2^-24. */
    const u32 mtiny = 0xb3800000;
    check_op("fadd.s neg rne", S2("fadd.s ft2, ft0, ft1, rne #", S_MONE, mtiny), BOXED(S_MONE), NX);
    check_op("fadd.s neg rtz", S2("fadd.s ft2, ft0, ft1, rtz #", S_MONE, mtiny), BOXED(S_MONE), NX);
    check_op("fadd.s neg rdn", S2("fadd.s ft2, ft0, ft1, rdn #", S_MONE, mtiny), BOXED(0xbf800001), NX);
    check_op("fadd.s neg rup", S2("fadd.s ft2, ft0, ft1, rup #", S_MONE, mtiny), BOXED(S_MONE), NX);
    check_op("fadd.s neg rmm", S2("fadd.s ft2, ft0, ft1, rmm #", S_MONE, mtiny), BOXED(0xbf800001), NX);
    check_op("fadd.s exact", S2("fadd.s", S_ONE, S_ONE), BOXED(0x40000000), 0);
    /* Double: 1 + 2^-53. */
    const u64 dtiny = 0x3ca0000000000000ULL;
    check_op("fadd.d rne", D2("fadd.d ft2, ft0, ft1, rne #", D_ONE, dtiny), D_ONE, NX);
    check_op("fadd.d rup", D2("fadd.d ft2, ft0, ft1, rup #", D_ONE, dtiny), D_ONE + 1, NX);
    check_op("fadd.d rmm", D2("fadd.d ft2, ft0, ft1, rmm #", D_ONE, dtiny), D_ONE + 1, NX);
    check_op("fadd.d rdn", D2("fadd.d ft2, ft0, ft1, rdn #", D_ONE, dtiny), D_ONE, NX);
    check_op("fsub.d", D2("fsub.d", D_ONE, D_THREE), 0xc000000000000000ULL, 0);
    check_op("fsub.d x-x rdn is -0", D2("fsub.d ft2, ft0, ft1, rdn #", D_THREE, D_THREE), D_MZERO, 0);
    check_op("fsub.d x-x rne is +0", D2("fsub.d ft2, ft0, ft1, rne #", D_THREE, D_THREE), D_ZERO, 0);
    check_op("fmul.d", D2("fmul.d", D_THREE, D_MONE), 0xc008000000000000ULL, 0);
    check_op("fdiv.d 1/3", D2("fdiv.d", D_ONE, D_THREE), 0x3fd5555555555555ULL, NX);
    check_op("fdiv.d 1/3 rup", D2("fdiv.d ft2, ft0, ft1, rup #", D_ONE, D_THREE), 0x3fd5555555555556ULL, NX);
    check_op("fdiv.s 1/3", S2("fdiv.s", S_ONE, 0x40400000), BOXED(0x3eaaaaab), NX);
    check_op("fdiv.s 1/3 rtz", S2("fdiv.s ft2, ft0, ft1, rtz #", S_ONE, 0x40400000), BOXED(0x3eaaaaaa), NX);
    /* fcvt.w.d of +-2.5 in every mode. */
    const u64 p25 = 0x4004000000000000ULL, m25 = 0xc004000000000000ULL;
    check_op("fcvt.w.d 2.5 rne", D2X("fcvt.w.d %0, ft0, rne #", p25), 2, NX);
    check_op("fcvt.w.d 2.5 rtz", D2X("fcvt.w.d %0, ft0, rtz #", p25), 2, NX);
    check_op("fcvt.w.d 2.5 rdn", D2X("fcvt.w.d %0, ft0, rdn #", p25), 2, NX);
    check_op("fcvt.w.d 2.5 rup", D2X("fcvt.w.d %0, ft0, rup #", p25), 3, NX);
    check_op("fcvt.w.d 2.5 rmm", D2X("fcvt.w.d %0, ft0, rmm #", p25), 3, NX);
    check_op("fcvt.w.d -2.5 rne", D2X("fcvt.w.d %0, ft0, rne #", m25), (u64)-2, NX);
    check_op("fcvt.w.d -2.5 rtz", D2X("fcvt.w.d %0, ft0, rtz #", m25), (u64)-2, NX);
    check_op("fcvt.w.d -2.5 rdn", D2X("fcvt.w.d %0, ft0, rdn #", m25), (u64)-3, NX);
    check_op("fcvt.w.d -2.5 rup", D2X("fcvt.w.d %0, ft0, rup #", m25), (u64)-2, NX);
    check_op("fcvt.w.d -2.5 rmm", D2X("fcvt.w.d %0, ft0, rmm #", m25), (u64)-3, NX);
    check_op("fcvt.l.d 3.0 exact", D2X("fcvt.l.d %0, ft0, rtz #", D_THREE), 3, 0);
    check_op("fcvt.s.w 2^24+1 rne", X2D("fcvt.s.w ft2, %1, rne #", 16777217), BOXED(0x4b800000), NX);
    check_op("fcvt.s.w 2^24+1 rup", X2D("fcvt.s.w ft2, %1, rup #", 16777217), BOXED(0x4b800001), NX);
    check_op("fcvt.s.d 1+2^-24 rne", D1("fcvt.s.d ft2, ft0, rne #", 0x3ff0000010000000ULL), BOXED(S_ONE), NX);
    check_op("fcvt.s.d 1+2^-24 rup", D1("fcvt.s.d ft2, ft0, rup #", 0x3ff0000010000000ULL), BOXED(0x3f800001), NX);
}

static void rounding_dynamic(void)
{
    static const char *const names[] = { "rne", "rtz", "rdn", "rup", "rmm" };
    static const u64 expect_pos[] = { 2, 2, 2, 3, 3 };
    static const u64 expect_neg[] = { (u64)-2, (u64)-2, (u64)-3, (u64)-2, (u64)-3 };
    for (int rm = 0; rm < 5; rm++) {
        csr_write(frm, rm);
        rt_printf("frm=%s ", names[rm]);
        check_op("fcvt.w.d dyn 2.5", D2X("fcvt.w.d %0, ft0, dyn #", 0x4004000000000000ULL), expect_pos[rm], NX);
        rt_printf("frm=%s ", names[rm]);
        check_op("fcvt.w.d default rm -2.5", D2X("fcvt.w.d", 0xc004000000000000ULL), expect_neg[rm], NX);
    }
    csr_write(frm, 3); /* rup */
    check_op("fadd.d dyn rup", D2("fadd.d ft2, ft0, ft1, dyn #", D_ONE, 0x3ca0000000000000ULL), D_ONE + 1, NX);
    CHECK("frm readback", csr_read(frm), 3);
    CHECK("fcsr has frm", csr_read(fcsr), 3 << 5);
    csr_write(frm, 0);

    /* Reserved rounding modes: frm = 5..7 with dyn, and static rm 5/6,
     * are illegal instructions. */
    csr_write(frm, 5);
    rt_expect_trap();
    D2("fadd.d ft2, ft0, ft1, dyn #", D_ONE, D_ONE);
    CHECK("dyn with frm=5 traps", rt_trap_count(), 1);
    CHECK("dyn with frm=5 cause", rt_last_trap.cause, 2);
    csr_write(frm, 7);
    rt_expect_trap();
    D2("fadd.d ft2, ft0, ft1, dyn #", D_ONE, D_ONE);
    CHECK("dyn with frm=7 traps", rt_trap_count(), 1);
    csr_write(frm, 0);
    rt_expect_trap();
    D2(".insn r 0x53, 5, 0x01, ft2, ft0, ft1 #", D_ONE, D_ONE);
    CHECK("static rm=5 traps", rt_trap_count(), 1);
    CHECK("static rm=5 cause", rt_last_trap.cause, 2);
    rt_impl("static rm=5 mtval", rt_last_trap.tval);
    rt_expect_trap();
    D2(".insn r 0x53, 6, 0x01, ft2, ft0, ft1 #", D_ONE, D_ONE);
    CHECK("static rm=6 traps", rt_trap_count(), 1);
    take_flags();
}

static void exceptions(void)
{
    check_op("fdiv.d 1/0", D2("fdiv.d", D_ONE, D_ZERO), D_INF, DZ);
    check_op("fdiv.d -1/0", D2("fdiv.d", D_MONE, D_ZERO), D_MINF, DZ);
    check_op("fdiv.d 0/0", D2("fdiv.d", D_ZERO, D_ZERO), D_QNAN, NV);
    check_op("fdiv.s 0/0", S2("fdiv.s", 0, 0), BOXED(S_QNAN), NV);
    check_op("fsub.d inf-inf", D2("fsub.d", D_INF, D_INF), D_QNAN, NV);
    check_op("fmul.d 0*inf", D2("fmul.d", D_ZERO, D_INF), D_QNAN, NV);
    check_op("fadd.d qnan payload", D2("fadd.d", D_QNAN_PAYLOAD, D_ONE), D_QNAN, 0);
    check_op("fadd.d snan", D2("fadd.d", D_SNAN, D_ONE), D_QNAN, NV);
    check_op("fadd.s snan", S2("fadd.s", S_SNAN, S_ONE), BOXED(S_QNAN), NV);
    check_op("fmul.d overflow", D2("fmul.d", 0x7fefffffffffffffULL, D_TWO), D_INF, OF | NX);
    check_op("fmul.d overflow rtz", D2("fmul.d ft2, ft0, ft1, rtz #", 0x7fefffffffffffffULL, D_TWO),
             0x7fefffffffffffffULL, OF | NX);
    check_op("fmul.d overflow rdn neg", D2("fmul.d ft2, ft0, ft1, rdn #", 0xffefffffffffffffULL, D_TWO),
             D_MINF, OF | NX);
    check_op("fmul.s overflow", S2("fmul.s", 0x7f7fffff, 0x40000000), BOXED(0x7f800000), OF | NX);
    check_op("fmul.d underflow to 0", D2("fmul.d", 1, 0x3fe0000000000000ULL), 0, UF | NX);
    check_op("fmul.d underflow rup", D2("fmul.d ft2, ft0, ft1, rup #", 1, 0x3fe0000000000000ULL), 1, UF | NX);
    check_op("fmul.d exact subnormal", D2("fmul.d", 0x0010000000000000ULL, 0x3fe0000000000000ULL),
             0x0008000000000000ULL, 0);
    check_op("fsqrt.d 4", D1("fsqrt.d", 0x4010000000000000ULL), D_TWO, 0);
    check_op("fsqrt.d 2", D1("fsqrt.d", D_TWO), 0x3ff6a09e667f3bcdULL, NX);
    check_op("fsqrt.d -1", D1("fsqrt.d", D_MONE), D_QNAN, NV);
    check_op("fsqrt.d -0", D1("fsqrt.d", D_MZERO), D_MZERO, 0);
    check_op("fsqrt.s 2", S1("fsqrt.s", 0x40000000), BOXED(0x3fb504f3), NX);
    check_op("fsqrt.s -inf", S1("fsqrt.s", 0xff800000), BOXED(S_QNAN), NV);
    /* Accumulation: flags OR together until cleared. */
    D2("fdiv.d", D_ONE, D_ZERO);
    D2("fdiv.d", D_ONE, D_THREE);
    CHECK("fflags accumulate", csr_read(fflags), DZ | NX);
    CHECK("fcsr shows flags", csr_read(fcsr) & 0x1f, DZ | NX);
    take_flags();
    csr_write(fcsr, 0xff);
    CHECK("fcsr write frm", csr_read(frm), 7);
    CHECK("fcsr write fflags", csr_read(fflags), 0x1f);
    csr_write(fcsr, 0);
}

static void nan_boxing(void)
{
    u64 r;
    /* An improperly boxed single operand reads as the canonical NaN. */
    __asm__ volatile("fmv.d.x ft0, %1\n fmv.w.x ft1, %2\n fadd.s ft2, ft0, ft1\n fmv.x.d %0, ft2"
                     : "=r"(r) : "r"(0x000000003f800000ULL), "r"((u64)S_ONE) : "ft0", "ft1", "ft2");
    check_op("fadd.s unboxed operand", r, BOXED(S_QNAN), 0);
    __asm__ volatile("fmv.d.x ft0, %1\n fmv.w.x ft1, %2\n fsgnjn.s ft2, ft0, ft1\n fmv.x.d %0, ft2"
                     : "=r"(r) : "r"(0xfffffffe3f800000ULL), "r"((u64)S_ONE) : "ft0", "ft1", "ft2");
    check_op("fsgnjn.s unboxed operand", r, BOXED(0xffc00000), 0);
    __asm__ volatile("fmv.d.x ft0, %1\n fclass.s %0, ft0" : "=r"(r) : "r"(0x7fffffff00000000ULL) : "ft0");
    check_op("fclass.s unboxed is qnan", r, 0x200, 0);
    __asm__ volatile("fmv.d.x ft0, %1\n fcvt.d.s ft2, ft0\n fmv.x.d %0, ft2"
                     : "=r"(r) : "r"(0x00000000ffffffffULL) : "ft0", "ft2");
    check_op("fcvt.d.s unboxed", r, D_QNAN, 0);
    /* fmv.x.w moves the low 32 bits whatever the boxing (sign-extended). */
    __asm__ volatile("fmv.d.x ft0, %1\n fmv.x.w %0, ft0" : "=r"(r) : "r"(0x123456789abcdef0ULL) : "ft0");
    check_op("fmv.x.w of unboxed", r, 0xffffffff9abcdef0ULL, 0);
    /* Single results and fmv.w.x / flw write NaN-boxed values. */
    check_op("fmv.w.x boxes", S1("fsgnj.s ft2, ft0, ft0 #", 0x12345678), BOXED(0x12345678), 0);
    static volatile u64 mem[2] = { 0x11223344c0000000ULL, 0 };
    __asm__ volatile("flw ft0, 0(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(&mem[0]) : "ft0", "memory");
    check_op("flw boxes", r, BOXED(0xc0000000), 0);
    __asm__ volatile("flw ft0, 4(%1)\n fmv.x.w %0, ft0" : "=r"(r) : "r"(&mem[0]) : "ft0", "memory");
    check_op("flw offset 4 + fmv.x.w sext", r, 0x11223344, 0);
    __asm__ volatile("fmv.d.x ft0, %0\n fsw ft0, 8(%1)" :: "r"(0xaaaaaaaa55667788ULL), "r"(&mem[0]) : "ft0", "memory");
    check_op("fsw stores low word", mem[1], 0x55667788, 0);
    __asm__ volatile("fmv.d.x ft0, %0\n fsd ft0, 8(%1)" :: "r"(0xaaaaaaaa55667788ULL), "r"(&mem[0]) : "ft0", "memory");
    check_op("fsd", mem[1], 0xaaaaaaaa55667788ULL, 0);
    __asm__ volatile("fld ft0, 8(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(&mem[0]) : "ft0", "memory");
    check_op("fld", r, 0xaaaaaaaa55667788ULL, 0);
    check_op("fmv.x.w sign-extends", S2X("fmv.x.w", 0x80000000), 0xffffffff80000000ULL, 0);
    check_op("fmv.x.d/fmv.d.x", D1("fsgnj.d ft2, ft0, ft0 #", D_SNAN), D_SNAN, 0);
}

static void min_max(void)
{
    check_op("fmin.d -0,+0", D2("fmin.d", D_MZERO, D_ZERO), D_MZERO, 0);
    check_op("fmin.d +0,-0", D2("fmin.d", D_ZERO, D_MZERO), D_MZERO, 0);
    check_op("fmax.d -0,+0", D2("fmax.d", D_MZERO, D_ZERO), D_ZERO, 0);
    check_op("fmax.d +0,-0", D2("fmax.d", D_ZERO, D_MZERO), D_ZERO, 0);
    check_op("fmin.d qnan,1", D2("fmin.d", D_QNAN_PAYLOAD, D_ONE), D_ONE, 0);
    check_op("fmax.d 1,qnan", D2("fmax.d", D_ONE, D_QNAN_PAYLOAD), D_ONE, 0);
    check_op("fmin.d snan,1", D2("fmin.d", D_SNAN, D_ONE), D_ONE, NV);
    check_op("fmax.d qnan,qnan", D2("fmax.d", D_QNAN_PAYLOAD, D_QNAN_PAYLOAD), D_QNAN, 0);
    check_op("fmin.d snan,qnan", D2("fmin.d", D_SNAN, D_QNAN), D_QNAN, NV);
    check_op("fmin.d -1,1", D2("fmin.d", D_MONE, D_ONE), D_MONE, 0);
    check_op("fmax.d -inf,-1", D2("fmax.d", D_MINF, D_MONE), D_MONE, 0);
    check_op("fmin.s -0,+0", S2("fmin.s", 0x80000000, 0), BOXED(0x80000000), 0);
    check_op("fmax.s -0,+0", S2("fmax.s", 0x80000000, 0), BOXED(0), 0);
    check_op("fmin.s snan,1", S2("fmin.s", S_SNAN, S_ONE), BOXED(S_ONE), NV);
    check_op("fmax.s qnan,qnan", S2("fmax.s", 0x7fc00123, 0xffc00000), BOXED(S_QNAN), 0);
}

static void conversions(void)
{
    const u64 three_e9 = 0x41e65a0bc0000000ULL, five_e9 = 0x41f2a05f20000000ULL;
    check_op("fcvt.w.d 3e9 sat", D2X("fcvt.w.d %0, ft0, rtz #", three_e9), 0x7fffffff, NV);
    check_op("fcvt.w.d -3e9 sat", D2X("fcvt.w.d %0, ft0, rtz #", three_e9 | D_MZERO), 0xffffffff80000000ULL, NV);
    check_op("fcvt.w.d nan", D2X("fcvt.w.d %0, ft0, rtz #", D_QNAN), 0x7fffffff, NV);
    check_op("fcvt.w.d -nan", D2X("fcvt.w.d %0, ft0, rtz #", 0xfff8000000000000ULL), 0x7fffffff, NV);
    check_op("fcvt.w.d inf", D2X("fcvt.w.d %0, ft0, rtz #", D_INF), 0x7fffffff, NV);
    check_op("fcvt.w.d -inf", D2X("fcvt.w.d %0, ft0, rtz #", D_MINF), 0xffffffff80000000ULL, NV);
    check_op("fcvt.w.d -2^31 exact", D2X("fcvt.w.d %0, ft0, rtz #", 0xc1e0000000000000ULL), 0xffffffff80000000ULL, 0);
    check_op("fcvt.wu.d -1", D2X("fcvt.wu.d %0, ft0, rtz #", D_MONE), 0, NV);
    check_op("fcvt.wu.d -0.5 rtz", D2X("fcvt.wu.d %0, ft0, rtz #", 0xbfe0000000000000ULL), 0, NX);
    check_op("fcvt.wu.d -0.5 rdn", D2X("fcvt.wu.d %0, ft0, rdn #", 0xbfe0000000000000ULL), 0, NV);
    check_op("fcvt.wu.d nan", D2X("fcvt.wu.d %0, ft0, rtz #", D_QNAN), ~0ULL, NV);
    check_op("fcvt.wu.d 5e9", D2X("fcvt.wu.d %0, ft0, rtz #", five_e9), ~0ULL, NV);
    check_op("fcvt.wu.d 3e9 sext", D2X("fcvt.wu.d %0, ft0, rtz #", three_e9), 0xffffffffb2d05e00ULL, 0);
    check_op("fcvt.l.d nan", D2X("fcvt.l.d %0, ft0, rtz #", D_QNAN), 0x7fffffffffffffffULL, NV);
    check_op("fcvt.l.d -inf", D2X("fcvt.l.d %0, ft0, rtz #", D_MINF), 0x8000000000000000ULL, NV);
    check_op("fcvt.l.d 2^63", D2X("fcvt.l.d %0, ft0, rtz #", 0x43e0000000000000ULL), 0x7fffffffffffffffULL, NV);
    check_op("fcvt.l.d -2^63", D2X("fcvt.l.d %0, ft0, rtz #", 0xc3e0000000000000ULL), 0x8000000000000000ULL, 0);
    check_op("fcvt.lu.d -1", D2X("fcvt.lu.d %0, ft0, rtz #", D_MONE), 0, NV);
    check_op("fcvt.lu.d nan", D2X("fcvt.lu.d %0, ft0, rtz #", D_QNAN), ~0ULL, NV);
    check_op("fcvt.lu.d 2^64", D2X("fcvt.lu.d %0, ft0, rtz #", 0x43f0000000000000ULL), ~0ULL, NV);
    check_op("fcvt.lu.d 2^63", D2X("fcvt.lu.d %0, ft0, rtz #", 0x43e0000000000000ULL), 0x8000000000000000ULL, 0);
    check_op("fcvt.w.s nan", S2X("fcvt.w.s %0, ft0, rtz #", S_QNAN), 0x7fffffff, NV);
    check_op("fcvt.wu.s inf", S2X("fcvt.wu.s %0, ft0, rtz #", 0x7f800000), ~0ULL, NV);
    check_op("fcvt.l.s -inf", S2X("fcvt.l.s %0, ft0, rtz #", 0xff800000), 0x8000000000000000ULL, NV);
    check_op("fcvt.lu.s -1", S2X("fcvt.lu.s %0, ft0, rtz #", S_MONE), 0, NV);
    check_op("fcvt.l.s 1.5 rne", S2X("fcvt.l.s %0, ft0, rne #", 0x3fc00000), 2, NX);
    check_op("fcvt.d.l -1", X2D("fcvt.d.l", ~0ULL), D_MONE, 0);
    check_op("fcvt.d.lu max", X2D("fcvt.d.lu", ~0ULL), 0x43f0000000000000ULL, NX);
    check_op("fcvt.d.w low word", X2D("fcvt.d.w", 0x100000005ULL), 0x4014000000000000ULL, 0);
    check_op("fcvt.d.wu", X2D("fcvt.d.wu", 0xffffffffULL), 0x41efffffffe00000ULL, 0);
    check_op("fcvt.s.wu max", X2D("fcvt.s.wu", 0xffffffffULL), BOXED(0x4f800000), NX);
    check_op("fcvt.s.w -1", X2D("fcvt.s.w", ~0ULL), BOXED(S_MONE), 0);
    check_op("fcvt.s.l", X2D("fcvt.s.l", 0x8000000000000000ULL), BOXED(0xdf000000), 0);
    check_op("fcvt.s.lu", X2D("fcvt.s.lu", 0x8000000000000000ULL), BOXED(0x5f000000), 0);
    check_op("fcvt.d.s sNaN", S1("fcvt.d.s", S_SNAN), D_QNAN, NV);
    check_op("fcvt.d.s -1", S1("fcvt.d.s", S_MONE), D_MONE, 0);
    check_op("fcvt.d.s subnormal", S1("fcvt.d.s", 1), 0x36a0000000000000ULL, 0);
    check_op("fcvt.s.d qnan payload", D1("fcvt.s.d", D_QNAN_PAYLOAD), BOXED(S_QNAN), 0);
    check_op("fcvt.s.d overflow", D1("fcvt.s.d", 0x47f0000000000000ULL), BOXED(0x7f800000), OF | NX);
    check_op("fcvt.s.d underflow", D1("fcvt.s.d", 0x3690000000000000ULL), BOXED(0), UF | NX);
}

static void classify(void)
{
    static const u64 d_in[10] = { D_MINF, D_MONE, 0x8000000000000001ULL, D_MZERO, D_ZERO,
                                  1, D_ONE, D_INF, D_SNAN, D_QNAN };
    static const u32 s_in[10] = { 0xff800000, S_MONE, 0x80000001, 0x80000000, 0,
                                  1, S_ONE, 0x7f800000, S_SNAN, S_QNAN };
    static const char *const names[10] = { "-inf", "-normal", "-subnormal", "-0", "+0",
                                           "+subnormal", "+normal", "+inf", "snan", "qnan" };
    for (int i = 0; i < 10; i++) {
        rt_printf("%s ", names[i]);
        CHECK("fclass.d", D2X("fclass.d", d_in[i]), 1UL << i);
        rt_printf("%s ", names[i]);
        CHECK("fclass.s", S2X("fclass.s", s_in[i]), 1UL << i);
    }
    check_op("fclass no flags", 0, 0, 0);
}

static void fused(void)
{
    const u64 two = D_TWO, three = D_THREE, one = D_ONE;
    check_op("fmadd.d", D3("fmadd.d", two, three, one), 0x401c000000000000ULL, 0);
    check_op("fmsub.d", D3("fmsub.d", two, three, one), 0x4014000000000000ULL, 0);
    check_op("fnmsub.d", D3("fnmsub.d", two, three, one), 0xc014000000000000ULL, 0);
    check_op("fnmadd.d", D3("fnmadd.d", two, three, one), 0xc01c000000000000ULL, 0);
    /* Single rounding: (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105 exactly. */
    check_op("fmadd.d fused", D3("fmadd.d", 0x3ff0000000000001ULL, 0x3fefffffffffffffULL, D_MONE),
             0x3c9ffffffffffffeULL, 0);
    check_op("fmadd.d inf*0+qnan", D3("fmadd.d", D_INF, D_ZERO, D_QNAN), D_QNAN, NV);
    check_op("fmadd.d inf*1-inf", D3("fmadd.d", D_INF, D_ONE, D_MINF), D_QNAN, NV);
    check_op("fmadd.d qnan addend", D3("fmadd.d", D_ONE, D_ONE, D_QNAN_PAYLOAD), D_QNAN, 0);
    check_op("fmadd.d rup", D3("fmadd.d ft2, ft0, ft1, ft3, rup #", D_ONE, 0x3ca0000000000000ULL, D_ONE),
             D_ONE + 1, NX);
    check_op("fmadd.s", S3("fmadd.s", 0x40000000, 0x40400000, S_ONE), BOXED(0x40e00000), 0);
    check_op("fmsub.s", S3("fmsub.s", 0x40000000, 0x40400000, S_ONE), BOXED(0x40a00000), 0);
    check_op("fnmsub.s", S3("fnmsub.s", 0x40000000, 0x40400000, S_ONE), BOXED(0xc0a00000), 0);
    check_op("fnmadd.s", S3("fnmadd.s", 0x40000000, 0x40400000, S_ONE), BOXED(0xc0e00000), 0);
    check_op("fnmadd.s zero sign", S3("fnmadd.s", 0, S_ONE, 0), BOXED(0x80000000), 0);
}

static void sign_injection_compare(void)
{
    check_op("fsgnj.d", D2("fsgnj.d", D_ONE, D_MONE), D_MONE, 0);
    check_op("fsgnjn.d", D2("fsgnjn.d", D_ONE, D_MONE), D_ONE, 0);
    check_op("fsgnjx.d neg*neg", D2("fsgnjx.d", D_MONE, 0xc000000000000000ULL), D_ONE, 0);
    check_op("fsgnjx.d neg*pos", D2("fsgnjx.d", D_MONE, D_TWO), D_MONE, 0);
    check_op("fsgnj.d keeps snan payload", D2("fsgnj.d", D_SNAN, D_MONE), D_SNAN | D_MZERO, 0);
    check_op("fsgnj.s", S2("fsgnj.s", S_ONE, 0x80000000), BOXED(S_MONE), 0);
    check_op("fsgnjn.s (fneg)", S2("fsgnjn.s", S_MONE, S_MONE), BOXED(S_ONE), 0);
    check_op("fsgnjx.s (fabs)", S2("fsgnjx.s", S_MONE, S_MONE), BOXED(S_ONE), 0);
    check_op("feq.d qnan", DCMP("feq.d", D_QNAN, D_ONE), 0, 0);
    check_op("feq.d snan", DCMP("feq.d", D_SNAN, D_ONE), 0, NV);
    check_op("flt.d qnan", DCMP("flt.d", D_QNAN, D_ONE), 0, NV);
    check_op("fle.d qnan", DCMP("fle.d", D_ONE, D_QNAN), 0, NV);
    check_op("feq.d -0,+0", DCMP("feq.d", D_MZERO, D_ZERO), 1, 0);
    check_op("flt.d -0,+0", DCMP("flt.d", D_MZERO, D_ZERO), 0, 0);
    check_op("fle.d -0,+0", DCMP("fle.d", D_MZERO, D_ZERO), 1, 0);
    check_op("flt.d -1,1", DCMP("flt.d", D_MONE, D_ONE), 1, 0);
    check_op("fle.d 1,-1", DCMP("fle.d", D_ONE, D_MONE), 0, 0);
    check_op("feq.s", SCMP("feq.s", S_ONE, S_ONE), 1, 0);
    check_op("feq.s snan", SCMP("feq.s", S_SNAN, S_SNAN), 0, NV);
    check_op("flt.s", SCMP("flt.s", S_MONE, S_ONE), 1, 0);
    check_op("fle.s qnan", SCMP("fle.s", S_QNAN, S_ONE), 0, NV);
}

static void fs_off(void)
{
    csr_clear(mstatus, MSTATUS_FS);
    rt_expect_trap();
    D2("fadd.d", D_ONE, D_ONE);
    int traps = rt_trap_count();
    csr_set(mstatus, 1UL << 13);
    CHECK("FP with FS=Off traps", traps >= 1, 1);
    CHECK("FP with FS=Off cause", rt_last_trap.cause, 2);
    rt_expect_trap();
    csr_read(fcsr);
    traps = rt_trap_count();
    CHECK("fcsr with FS=Off: no trap once FS back on", traps, 0);
    D2("fadd.d", D_ONE, D_ONE);
    rt_impl("mstatus.FS after FP write", (csr_read(mstatus) >> 13) & 3);
    CHECK("mstatus.FS not Off", ((csr_read(mstatus) >> 13) & 3) != 0, 1);
}

int main(void)
{
    rounding_static();
    rounding_dynamic();
    exceptions();
    nan_boxing();
    min_max();
    conversions();
    classify();
    fused();
    sign_injection_compare();
    fs_off();
    return 0;
}
