/* Helpers that run one instruction on register operands. The expected
 * values in the tests are C expressions on constants, folded by the host
 * compiler, so they do not depend on the emulator under test. */
#ifndef OPS_H
#define OPS_H
#include "rt.h"

#define OP_RR(insn, a, b) ({ u64 r_; \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b))); r_; })
#define OP_RI(insn, a, imm) ({ u64 r_; \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((u64)(a)), "i"(imm)); r_; })
#define OP_R(insn, a) ({ u64 r_; \
    __asm__ volatile(insn " %0, %1" : "=r"(r_) : "r"((u64)(a))); r_; })

/* Bit patterns of floats and doubles. */
static inline u64 d_bits(double d) { union { double d; u64 u; } x = { .d = d }; return x.u; }
static inline u32 f_bits(float f) { union { float f; u32 u; } x = { .f = f }; return x.u; }

#define CHECK(name, got, expected) rt_check(name, (u64)(got), (u64)(expected))
#endif
