/* RV64I base integer instructions: ALU ops, shifts (including the W forms
 * and shift-amount edges), comparisons, branches, loads and stores of every
 * width with sign/zero extension, lui/auipc, jal/jalr (bit 0 cleared). */
#include "ops.h"

static volatile u64 memory_area[4] __attribute__((aligned(16)));

#define A 0x8000000000000001ULL
#define B 0x00000000ffffffffULL
#define C 0x123456789abcdef0ULL
#define NEG5 0xfffffffffffffffbULL

static void alu(void)
{
    CHECK("add", OP_RR("add", A, B), A + B);
    CHECK("add wrap", OP_RR("add", ~0ULL, 2), 1);
    CHECK("sub", OP_RR("sub", 0, 1), ~0ULL);
    CHECK("sub big", OP_RR("sub", C, A), C - A);
    CHECK("and", OP_RR("and", C, B), C & B);
    CHECK("or", OP_RR("or", C, A), C | A);
    CHECK("xor", OP_RR("xor", C, ~0ULL), ~C);
    CHECK("slt neg<pos", OP_RR("slt", NEG5, 3), 1);
    CHECK("slt pos<neg", OP_RR("slt", 3, NEG5), 0);
    CHECK("slt equal", OP_RR("slt", 7, 7), 0);
    CHECK("sltu", OP_RR("sltu", 3, NEG5), 1);
    CHECK("sltu big", OP_RR("sltu", NEG5, 3), 0);
    CHECK("addi -1", OP_RI("addi", 0, -1), ~0ULL);
    CHECK("addi -2048", OP_RI("addi", 0x1000, -2048), 0x800);
    CHECK("addi 2047", OP_RI("addi", 1, 2047), 2048);
    CHECK("slti", OP_RI("slti", NEG5, -4), 1);
    CHECK("slti false", OP_RI("slti", NEG5, -6), 0);
    CHECK("sltiu -1 imm", OP_RI("sltiu", NEG5, -1), 1);
    CHECK("sltiu seqz", OP_RI("sltiu", 0, 1), 1);
    CHECK("xori -1", OP_RI("xori", C, -1), ~C);
    CHECK("ori", OP_RI("ori", 0x100, 0x0ff), 0x1ff);
    CHECK("andi sext", OP_RI("andi", C, -16), C & ~0xfULL);
    CHECK("andi", OP_RI("andi", C, 0x7ff), C & 0x7ff);
    CHECK("addw wrap", OP_RR("addw", 0x7fffffff, 1), 0xffffffff80000000ULL);
    CHECK("addw high ignored", OP_RR("addw", 0x1234567800000001ULL, 0x2), 3);
    CHECK("subw", OP_RR("subw", 0, 1), ~0ULL);
    CHECK("subw sext", OP_RR("subw", 0x80000000ULL, 1), 0x7fffffff);
    CHECK("addiw", OP_RI("addiw", 0x7fffffff, 1), 0xffffffff80000000ULL);
    CHECK("addiw sext.w", OP_RI("addiw", 0xabcdef0180000000ULL, 0), 0xffffffff80000000ULL);
}

static void shifts(void)
{
    CHECK("sll", OP_RR("sll", 1, 63), 1ULL << 63);
    CHECK("sll shamt masked to 6 bits", OP_RR("sll", 1, 64 + 4), 16);
    CHECK("srl", OP_RR("srl", A, 63), 1);
    CHECK("srl masked", OP_RR("srl", A, 0x7f), 1);
    CHECK("sra", OP_RR("sra", A, 62), ~1ULL);
    CHECK("sra 63", OP_RR("sra", A, 63), ~0ULL);
    CHECK("slli 0", OP_RI("slli", C, 0), C);
    CHECK("slli 63", OP_RI("slli", 3, 63), 1ULL << 63);
    CHECK("srli 32", OP_RI("srli", C, 32), C >> 32);
    CHECK("srai 4", OP_RI("srai", 0xf000000000000000ULL, 4), 0xff00000000000000ULL);
    CHECK("srai 63", OP_RI("srai", C, 63), 0);
    CHECK("sllw", OP_RR("sllw", 1, 31), 0xffffffff80000000ULL);
    CHECK("sllw masked to 5 bits", OP_RR("sllw", 1, 32 + 3), 8);
    CHECK("srlw", OP_RR("srlw", 0xffffffff80000000ULL, 31), 1);
    CHECK("srlw 0 sext", OP_RR("srlw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK("srlw high ignored", OP_RR("srlw", 0xffffffff00000010ULL, 4), 1);
    CHECK("sraw", OP_RR("sraw", 0x80000000ULL, 4), 0xfffffffff8000000ULL);
    CHECK("sraw masked", OP_RR("sraw", 0x80000000ULL, 36), 0xfffffffff8000000ULL);
    CHECK("slliw", OP_RI("slliw", 0x00000000c0000001ULL, 1), 0xffffffff80000002ULL);
    CHECK("slliw 31", OP_RI("slliw", 3, 31), 0xffffffff80000000ULL);
    CHECK("srliw", OP_RI("srliw", 0xffffffff80000000ULL, 1), 0x40000000);
    CHECK("srliw 0", OP_RI("srliw", 0x0000000080000000ULL, 0), 0xffffffff80000000ULL);
    CHECK("sraiw", OP_RI("sraiw", 0x0000000080000000ULL, 31), ~0ULL);
}

static void lui_auipc(void)
{
    u64 r;
    __asm__ volatile("lui %0, 0x80000" : "=r"(r));
    CHECK("lui sext", r, 0xffffffff80000000ULL);
    __asm__ volatile("lui %0, 0x7ffff" : "=r"(r));
    CHECK("lui", r, 0x7ffff000);
    u64 here, there;
    __asm__ volatile("1: auipc %0, 0\n la %1, 1b" : "=r"(here), "=r"(there));
    CHECK("auipc 0 == pc", here - there, 0);
    __asm__ volatile("1: auipc %0, 1\n la %1, 1b" : "=r"(here), "=r"(there));
    CHECK("auipc 1", here - there, 0x1000);
    __asm__ volatile("1: auipc %0, 0xfffff\n la %1, 1b" : "=r"(here), "=r"(there));
    CHECK("auipc -1", here - there, (u64)-0x1000);
}

static void jumps(void)
{
    u64 link, target, after;
    __asm__ volatile("jal %0, 1f\n 2: nop\n 1: la %1, 2b" : "=r"(link), "=r"(after));
    CHECK("jal link", link - after, 0);
    /* jalr clears bit 0 of the target. */
    __asm__ volatile("la %1, 1f\n addi %1, %1, 1\n jalr %0, 0(%1)\n"
                     "li %1, 99\n 1: la %2, 1b" : "=r"(link), "=r"(target), "=r"(after));
    CHECK("jalr bit0 cleared target", target - after, 1);
    /* jalr with rd == rs1: target computed from the old value. */
    __asm__ volatile("la %0, 1f\n jalr %0, 0(%0)\n li %0, 0\n 1: nop" : "=r"(link));
    u64 expect_link;
    __asm__ volatile("la %0, 1f\n addi %0, %0, 8\n 1: nop" : "=r"(expect_link));
    (void)expect_link;
    CHECK("jalr rd==rs1 jumped", link != 0, 1);
    /* jalr with negative offset. */
    __asm__ volatile("la %1, 1f\n addi %1, %1, 16\n jalr %0, -16(%1)\n li %1, 0\n 1:"
                     : "=r"(link), "=r"(target));
    CHECK("jalr negative offset", target != 0, 1);
}

#define BR(insn, a, b) ({ u64 t_; __asm__ volatile( \
    "li %0, 1\n " insn " %1, %2, 1f\n li %0, 0\n 1:" : "=&r"(t_) : "r"((u64)(a)), "r"((u64)(b))); t_; })

static void branches(void)
{
    CHECK("beq taken", BR("beq", C, C), 1);
    CHECK("beq not", BR("beq", C, A), 0);
    CHECK("bne taken", BR("bne", 1, 2), 1);
    CHECK("bne not", BR("bne", 2, 2), 0);
    CHECK("blt signed", BR("blt", NEG5, 1), 1);
    CHECK("blt not", BR("blt", 1, NEG5), 0);
    CHECK("bge equal", BR("bge", NEG5, NEG5), 1);
    CHECK("bge not", BR("bge", NEG5, 0), 0);
    CHECK("bltu", BR("bltu", 1, NEG5), 1);
    CHECK("bltu not", BR("bltu", NEG5, 1), 0);
    CHECK("bgeu", BR("bgeu", NEG5, 1), 1);
    CHECK("bgeu equal", BR("bgeu", 0, 0), 1);
    CHECK("bgeu not", BR("bgeu", 0, 1), 0);
    /* Backward branch loop. */
    u64 n;
    __asm__ volatile("li %0, 0\n li t0, 10\n 1: addi %0, %0, 3\n addi t0, t0, -1\n bnez t0, 1b"
                     : "=&r"(n) : : "t0");
    CHECK("backward loop", n, 30);
}

#define LOAD(insn, addr) ({ u64 r_; __asm__ volatile(insn " %0, 0(%1)" : "=r"(r_) : "r"(addr) : "memory"); r_; })
#define STORE(insn, addr, v) __asm__ volatile(insn " %0, 0(%1)" :: "r"((u64)(v)), "r"(addr) : "memory")

static void loads_stores(void)
{
    volatile uint8_t *p = (volatile uint8_t *)memory_area;
    memory_area[0] = 0x8182838485868788ULL;
    memory_area[1] = 0x0102030405060708ULL;
    CHECK("lb sext", LOAD("lb", p), 0xffffffffffffff88ULL);
    CHECK("lbu", LOAD("lbu", p), 0x88);
    CHECK("lb pos", LOAD("lb", p + 8), 0x08);
    CHECK("lh sext", LOAD("lh", p + 2), 0xffffffffffff8586ULL);
    CHECK("lhu", LOAD("lhu", p + 2), 0x8586);
    CHECK("lw sext", LOAD("lw", p + 4), 0xffffffff81828384ULL);
    CHECK("lwu", LOAD("lwu", p + 4), 0x81828384);
    CHECK("lw pos", LOAD("lw", p + 8), 0x05060708);
    CHECK("ld", LOAD("ld", p), 0x8182838485868788ULL);
    u64 r;
    __asm__ volatile("ld %0, -8(%1)" : "=r"(r) : "r"(p + 16) : "memory");
    CHECK("ld negative offset", r, 0x0102030405060708ULL);
    memory_area[2] = 0;
    STORE("sb", p + 16, 0x1234567890abcdefULL);
    CHECK("sb", memory_area[2], 0xef);
    STORE("sh", p + 18, 0xfedcba98);
    CHECK("sh", memory_area[2], 0xba9800ef);
    STORE("sw", p + 20, 0xdeadbeefcafef00dULL);
    CHECK("sw", memory_area[2], 0xcafef00dba9800efULL);
    STORE("sd", p + 24, C);
    CHECK("sd", memory_area[3], C);
    /* x0 as destination stays zero; loads into x0 still happen. */
    __asm__ volatile("li x0, 5\n addi x0, x0, 7\n lw x0, 0(%1)\n mv %0, x0" : "=r"(r) : "r"(p) : "memory");
    CHECK("x0 hardwired", r, 0);
}

int main(void)
{
    alu();
    shifts();
    lui_auipc();
    jumps();
    branches();
    loads_stores();
    return 0;
}
