/* Self-modifying code: instructions written to memory run after fence.i,
 * including rewriting code that already ran (stale decoded copies must be
 * dropped), compressed instructions, code patched just ahead of the
 * executing instruction in the same straight-line block, and code that
 * crosses a page boundary. */
#include "ops.h"

static volatile u32 code[2048] __attribute__((aligned(4096)));

#define ADDI_A0(imm) (0x00000513U | ((u32)(imm) << 20))
#define RET 0x00008067U

static u64 call(volatile void *p)
{
    return ((u64 (*)(void))(uintptr_t)p)();
}

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

int main(void)
{
    code[0] = ADDI_A0(1);
    code[1] = RET;
    fence_i();
    CHECK("first version", call(code), 1);
    for (int i = 2; i < 40; i++) {
        code[0] = ADDI_A0(i);
        fence_i();
        if (call(code) != (u64)i) {
            rt_printf("rewrite %d: stale\n", i);
            rt_failures++;
        }
    }
    CHECK("rewritten 38 times", call(code), 39);

    /* Compressed: c.li a0, 5; c.jr ra. */
    volatile uint16_t *h = (volatile uint16_t *)&code[4];
    h[0] = 0x4515;
    h[1] = 0x8082;
    fence_i();
    CHECK("compressed code", call(h), 5);
    h[0] = 0x4529; /* c.li a0, 10 */
    fence_i();
    CHECK("compressed rewritten", call(h), 10);

    /* A 32-bit instruction whose halves straddle a page boundary. */
    volatile uint16_t *edge = (volatile uint16_t *)((volatile char *)code + 4096 - 2);
    edge[-1] = 0x0001;                   /* c.nop at 4092 */
    edge[0] = (uint16_t)ADDI_A0(77);     /* low half at 4094 */
    edge[1] = (uint16_t)(ADDI_A0(77) >> 16);
    edge[2] = 0x8082;                    /* c.jr ra at 4098 */
    fence_i();
    CHECK("instruction across page boundary", call(edge - 1), 77);
    edge[1] = (uint16_t)(ADDI_A0(78) >> 16);
    fence_i();
    CHECK("rewritten upper half across page", call(edge - 1), 78);

    /* Patch the instruction right after the store, in the same block:
     * sw writes "addi a0, zero, 42" over the nop that follows fence.i. */
    u64 r;
    __asm__ volatile(
        "li a0, 0\n"
        "la t0, 1f\n"
        "li t1, %1\n"
        "sw t1, 0(t0)\n"
        "fence.i\n"
        ".option push\n .option norvc\n"
        "1: addi a0, zero, 1\n"
        ".option pop\n"
        "mv %0, a0\n"
        : "=r"(r) : "i"(ADDI_A0(42)) : "t0", "t1", "a0", "memory");
    CHECK("patched next instruction", r, 42);
    return 0;
}
