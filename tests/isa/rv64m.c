/* RV64M: multiply (low and the three high forms), divide and remainder
 * including division by zero and signed overflow (RISC-V unpriv spec,
 * "Division Operations" table), and the W forms' sign extension. */
#include "ops.h"

#define MIN64 0x8000000000000000ULL
#define NEG1 0xffffffffffffffffULL
#define X 0x123456789abcdef1ULL
#define Y 0xfedcba9876543211ULL

static u64 mulh_ref(i64 a, i64 b) { return (u64)(((__int128)a * b) >> 64); }
static u64 mulhu_ref(u64 a, u64 b) { return (u64)(((unsigned __int128)a * b) >> 64); }
static u64 mulhsu_ref(i64 a, u64 b) { return (u64)(((__int128)a * (__int128)(unsigned __int128)b) >> 64); }

int main(void)
{
    CHECK("mul", OP_RR("mul", X, Y), X * Y);
    CHECK("mul neg", OP_RR("mul", NEG1, 7), (u64)-7);
    CHECK("mulh", OP_RR("mulh", X, Y), mulh_ref((i64)X, (i64)Y));
    CHECK("mulh min*min", OP_RR("mulh", MIN64, MIN64), 0x4000000000000000ULL);
    CHECK("mulh -1*1", OP_RR("mulh", NEG1, 1), NEG1);
    CHECK("mulhu", OP_RR("mulhu", X, Y), mulhu_ref(X, Y));
    CHECK("mulhu max*max", OP_RR("mulhu", NEG1, NEG1), 0xfffffffffffffffeULL);
    CHECK("mulhsu", OP_RR("mulhsu", Y, X), mulhsu_ref((i64)Y, X));
    CHECK("mulhsu -1*max", OP_RR("mulhsu", NEG1, NEG1), NEG1);
    CHECK("mulhsu 1*max", OP_RR("mulhsu", 1, NEG1), 0);
    CHECK("mulhsu min*max", OP_RR("mulhsu", MIN64, NEG1), 0x8000000000000000ULL);
    CHECK("mulw", OP_RR("mulw", 0x10000, 0x8000), 0xffffffff80000000ULL);
    CHECK("mulw high ignored", OP_RR("mulw", 0xffffffff00000003ULL, 0x7fffffff00000005ULL), 15);

    CHECK("div", OP_RR("div", (u64)-100, 7), (u64)-14);
    CHECK("div rounds toward zero", OP_RR("div", 100, (u64)-7), (u64)-14);
    CHECK("divu", OP_RR("divu", NEG1, 7), NEG1 / 7);
    CHECK("rem", OP_RR("rem", (u64)-100, 7), (u64)-2);
    CHECK("rem sign of dividend", OP_RR("rem", 100, (u64)-7), 2);
    CHECK("remu", OP_RR("remu", NEG1, 7), NEG1 % 7);
    CHECK("div by zero", OP_RR("div", X, 0), NEG1);
    CHECK("divu by zero", OP_RR("divu", X, 0), NEG1);
    CHECK("rem by zero", OP_RR("rem", X, 0), X);
    CHECK("remu by zero", OP_RR("remu", X, 0), X);
    CHECK("div overflow", OP_RR("div", MIN64, NEG1), MIN64);
    CHECK("rem overflow", OP_RR("rem", MIN64, NEG1), 0);

    CHECK("divw", OP_RR("divw", 0xffffffff80000000ULL, 2), 0xffffffffc0000000ULL);
    CHECK("divw high ignored", OP_RR("divw", 0x12345678fffffff0ULL, 0xaaaaaaaa00000004ULL), (u64)-4);
    CHECK("divw by zero", OP_RR("divw", 5, 0x100000000ULL), NEG1);
    CHECK("divw overflow", OP_RR("divw", 0x80000000ULL, NEG1), 0xffffffff80000000ULL);
    CHECK("divuw", OP_RR("divuw", 0xffffffff80000000ULL, 1), 0xffffffff80000000ULL);
    CHECK("divuw big", OP_RR("divuw", 0xfffffffeULL, 2), 0x7fffffff);
    CHECK("divuw by zero", OP_RR("divuw", 5, 0), NEG1);
    CHECK("remw", OP_RR("remw", (u64)-7, 3), (u64)-1);
    CHECK("remw by zero sext", OP_RR("remw", 0x0000000080000001ULL, 0), 0xffffffff80000001ULL);
    CHECK("remw overflow", OP_RR("remw", 0x80000000ULL, NEG1), 0);
    CHECK("remuw", OP_RR("remuw", 0xffffffffULL, 0x10), 0xf);
    CHECK("remuw by zero sext", OP_RR("remuw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK("remuw sext result", OP_RR("remuw", 0xfffffffeULL, 0xffffffffULL), 0xfffffffffffffffeULL);
    return 0;
}
