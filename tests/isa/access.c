/* Access faults: loads, stores and fetches to physical addresses where the
 * virt board has nothing (past the end of RAM, far above it) raise access
 * faults (5, 7, 1) with mtval = the address; RAM's last bytes are fine. */
#include "ops.h"

#define RAM_END (0x80000000UL + 128UL * 1024 * 1024)

void access_return(void);
__asm__(".globl access_return\n access_return:\n ret\n");

static void try_load(const char *name, u64 addr, u64 expect_cause)
{
    rt_expect_trap();
    u64 v;
    __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
    int n = rt_trap_count();
    rt_printf("%s: ", name);
    CHECK("cause", n ? rt_last_trap.cause : 0, expect_cause);
    if (n) {
        rt_printf("%s: ", name);
        CHECK("tval", rt_last_trap.tval, addr);
    }
}

static void try_store(const char *name, u64 addr, u64 expect_cause)
{
    rt_expect_trap();
    __asm__ volatile("sd zero, 0(%0)" :: "r"(addr) : "memory");
    int n = rt_trap_count();
    rt_printf("%s: ", name);
    CHECK("cause", n ? rt_last_trap.cause : 0, expect_cause);
    if (n) {
        rt_printf("%s: ", name);
        CHECK("tval", rt_last_trap.tval, addr);
    }
}

int main(void)
{
    try_load("load last RAM doubleword", RAM_END - 8, 0);
    try_store("store last RAM doubleword", RAM_END - 8, 0);
    try_load("load past RAM end", RAM_END, 5);
    try_store("store past RAM end", RAM_END + 0x1000, 7);
    try_load("load at 0x1000000000", 0x1000000000UL, 5);
    try_store("store at 0x1000000000", 0x1000000000UL, 7);
    try_load("load at top of address space", 0xfffffffffffff000UL, 5);
    /* Fetch: jalr to a hole; resume at access_return with ra intact. */
    rt_expect_trap_resume((u64)access_return);
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(RAM_END + 0x100) : "ra", "memory");
    rt_printf("fetch past RAM end: ");
    CHECK("cause", rt_trap_count() ? rt_last_trap.cause : 0, 1);
    rt_printf("fetch past RAM end: ");
    CHECK("tval", rt_last_trap.tval, RAM_END + 0x100);
    rt_printf("fetch past RAM end: ");
    CHECK("mepc", rt_last_trap.epc, RAM_END + 0x100);
    return 0;
}
