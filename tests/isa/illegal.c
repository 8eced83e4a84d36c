/* Illegal and reserved encodings raise illegal instruction (cause 2) with
 * mtval = the instruction bits; valid look-alikes (fence, fence.i, the
 * hint encodings) execute without trapping. Reserved encodings that QEMU
 * 7.2 executes anyway (e.g. lr.d with rs2 != 0) are left out. */
#include "ops.h"

#define TRY32(name, bits) do { \
    rt_expect_trap(); \
    __asm__ volatile(".option push\n .option norvc\n .4byte " #bits "\n .option pop" ::: "memory"); \
    int n_ = rt_trap_count(); \
    rt_printf("%s (%s): ", name, #bits); \
    CHECK("traps", n_, 1); \
    if (n_) { \
        rt_printf("%s: ", name); \
        CHECK("cause", rt_last_trap.cause, 2); \
        rt_printf("%s: ", name); \
        CHECK("mtval", rt_last_trap.tval, (u32)(bits)); \
    } \
} while (0)

#define TRY16(name, bits) do { \
    rt_expect_trap(); \
    __asm__ volatile(".2byte " #bits ::: "memory"); \
    int n_ = rt_trap_count(); \
    rt_printf("%s (%s): ", name, #bits); \
    CHECK("traps", n_, 1); \
    if (n_) { \
        rt_printf("%s: ", name); \
        CHECK("cause", rt_last_trap.cause, 2); \
        rt_printf("%s: ", name); \
        CHECK("mtval", rt_last_trap.tval, (u32)(bits)); \
    } \
} while (0)

#define NO_TRAP(name, text) do { \
    rt_expect_trap(); \
    __asm__ volatile(text ::: "memory"); \
    rt_printf("%s: ", name); \
    CHECK("no trap", rt_trap_count(), 0); \
} while (0)

int main(void)
{
    TRY32("all ones", 0xffffffff);
    TRY32("OP funct7=2", 0x04000033);
    TRY32("OP-32 funct7=2", 0x0400003b);
    TRY32("slliw shamt[5]", 0x0200101b);
    TRY32("srliw shamt[5]", 0x0200501b);
    TRY32("slli funct6=0x10", 0x4000101b);
    TRY32("load funct3=7", 0x00007003);
    TRY32("store funct3=4", 0x00004023);
    TRY32("branch funct3=2", 0x00002063);
    TRY32("jalr funct3=1", 0x00001067);
    TRY32("fadd.q (no Q)", 0x06000053);
    TRY32("amo width .b", 0x0000002f);
    TRY32("amo funct5=0x1f", 0xf800302f);
    TRY32("opcode 0x0b custom-0", 0x0000000b);
    TRY32("fmv.x.w funct3=2", 0xe0002053);
    TRY32("system funct3=4", 0x00004073);
    TRY32("ecall with rd != 0", 0x000000f3);
    TRY16("all-zero halfword", 0x0000);
    TRY16("c.addi16sp imm=0", 0x6101);
    TRY16("c.lui imm=0", 0x6081);
    TRY16("c.lwsp rd=0", 0x4002);
    TRY16("c.ldsp rd=0", 0x6002);
    TRY16("c.jr rs1=0", 0x8002);
    TRY16("c.addiw rd=0", 0x2001);
    TRY16("c.addi4spn imm=0", 0x0004);
    TRY16("c.subw-group reserved", 0x9c41);
    NO_TRAP("fence", "fence rw, rw");
    NO_TRAP("fence.i", "fence.i");
    NO_TRAP("fence.tso", "fence.tso");
    NO_TRAP("addi x0 hint", "addi x0, x1, 5");
    NO_TRAP("c.nop hint with imm", ".2byte 0x0005");
    NO_TRAP("c.mv x0 hint", ".2byte 0x8006");
    NO_TRAP("slli x0 hint", "slli x0, x1, 3");
    NO_TRAP("pause (fence hint)", ".4byte 0x0100000f");
    return 0;
}
