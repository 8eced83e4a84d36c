/* Misaligned loads and stores to RAM (every width and offset, FP too,
 * and across a page boundary). The spec lets an implementation either
 * perform them or trap; deja and QEMU 7.2 perform them. A trap is
 * reported as an [impl] line and the value check is then skipped. */
#include "ops.h"

static volatile uint8_t buffer[8192] __attribute__((aligned(4096)));

static u64 expected_le(u64 offset, int size)
{
    u64 v = 0;
    for (int i = size - 1; i >= 0; i--)
        v = (v << 8) | buffer[offset + i];
    return v;
}

static u64 sext(u64 v, int size)
{
    int shift = 64 - 8 * size;
    return (u64)((i64)(v << shift) >> shift);
}

#define LOAD_AT(insn, addr) ({ u64 r_; __asm__ volatile(insn " %0, 0(%1)" : "=r"(r_) : "r"(addr) : "memory"); r_; })
#define STORE_AT(insn, addr, v) __asm__ volatile(insn " %0, 0(%1)" :: "r"((u64)(v)), "r"(addr) : "memory")

static void report(const char *what, u64 offset, u64 got, u64 want)
{
    int traps = rt_trap_count();
    if (traps) {
        rt_printf("[impl] %s +%lu: trapped cause %lu\n", what, offset, rt_last_trap.cause);
        return;
    }
    rt_printf("%s +%lu: ", what, offset);
    CHECK("value", got, want);
}

int main(void)
{
    for (int i = 0; i < 8192; i++)
        buffer[i] = (uint8_t)(i * 37 + 0x81);
    volatile uint8_t *b = buffer;
    for (u64 off = 1; off < 8; off++) {
        rt_expect_trap();
        u64 v = LOAD_AT("lh", b + off);
        report("lh", off, v, sext(expected_le(off, 2), 2));
        rt_expect_trap();
        v = LOAD_AT("lhu", b + off);
        report("lhu", off, v, expected_le(off, 2));
        rt_expect_trap();
        v = LOAD_AT("lw", b + off);
        report("lw", off, v, sext(expected_le(off, 4), 4));
        rt_expect_trap();
        v = LOAD_AT("lwu", b + off);
        report("lwu", off, v, expected_le(off, 4));
        rt_expect_trap();
        v = LOAD_AT("ld", b + off);
        report("ld", off, v, expected_le(off, 8));
    }
    /* Across the page boundary at 4096. */
    rt_expect_trap();
    u64 v = LOAD_AT("ld", b + 4093);
    report("ld across page", 4093, v, expected_le(4093, 8));
    rt_expect_trap();
    v = LOAD_AT("lw", b + 4094);
    report("lw across page", 4094, v, sext(expected_le(4094, 4), 4));

    for (u64 off = 1; off < 8; off++) {
        volatile uint8_t *p = b + 64 * off + off;
        rt_expect_trap();
        STORE_AT("sd", p, 0x0102030405060708ULL);
        report("sd", off, expected_le(64 * off + off, 8), 0x0102030405060708ULL);
        rt_expect_trap();
        STORE_AT("sw", p + 16, 0xa1a2a3a4);
        report("sw", off, expected_le(64 * off + off + 16, 4), 0xa1a2a3a4);
        rt_expect_trap();
        STORE_AT("sh", p + 32, 0xb1b2);
        report("sh", off, expected_le(64 * off + off + 32, 2), 0xb1b2);
        CHECK("byte before sd untouched", buffer[64 * off + off - 1], (uint8_t)((64 * off + off - 1) * 37 + 0x81));
    }
    rt_expect_trap();
    STORE_AT("sd", b + 4092, 0x1122334455667788ULL);
    report("sd across page", 4092, expected_le(4092, 8), 0x1122334455667788ULL);

    /* FP. */
    u64 r;
    rt_expect_trap();
    __asm__ volatile("fld ft0, 0(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(b + 3) : "ft0", "memory");
    report("fld", 3, r, expected_le(3, 8));
    rt_expect_trap();
    __asm__ volatile("flw ft0, 0(%1)\n fmv.x.w %0, ft0" : "=r"(r) : "r"(b + 5) : "ft0", "memory");
    report("flw", 5, r, sext(expected_le(5, 4), 4));
    rt_expect_trap();
    __asm__ volatile("fmv.d.x ft0, %0\n fsd ft0, 0(%1)" :: "r"(0xcafebabedeadbeefULL), "r"(b + 1001) : "ft0", "memory");
    report("fsd", 1001, expected_le(1001, 8), 0xcafebabedeadbeefULL);
    /* Compressed loads/stores are covered by the same path; atomics must
     * trap (see rv64a). */
    return 0;
}
