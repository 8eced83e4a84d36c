/* PMP: TOR, NAPOT and NA4 regions allowing/denying S and U accesses,
 * execute permission, priority of lower-numbered entries, M-mode being
 * unaffected by unlocked entries and bound by locked ones, and locked
 * entries ignoring writes. crt0 leaves entry 15 as an allow-all NAPOT. */
#include "ops.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_TOR 0x08
#define PMP_NA4 0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

static volatile u64 region_a[1024] __attribute__((aligned(8192)));
static volatile u64 region_b[512] __attribute__((aligned(4096)));
static volatile u64 region_c[512] __attribute__((aligned(4096)));
static volatile u64 region_locked[512] __attribute__((aligned(4096)));
extern char pmp_exec_page[];

void pmp_return_dead(void);
__asm__(".globl pmp_return_dead\n pmp_return_dead:\n li a0, 0xdead\n li a7, 0x5245\n ecall\n");

static long load(long addr) { return (long)*(volatile u64 *)addr; }
static long store(long addr) { *(volatile u64 *)addr = 0x99; return 1; }
static long load32(long addr) { return (long)*(volatile u32 *)addr; }
static long store32(long addr) { *(volatile u32 *)addr = 0x99; return 1; }
static long jump(long addr) { return ((long (*)(void))addr)(); }

/* Sets the configuration byte of entry i (0..7) in pmpcfg0. */
static void set_cfg(int i, u64 cfg)
{
    u64 v = csr_read(pmpcfg0);
    v &= ~(0xffUL << (8 * i));
    v |= cfg << (8 * i);
    csr_write(pmpcfg0, v);
    __asm__ volatile("sfence.vma" ::: "memory");
}

static u64 napot(u64 base, u64 size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

#define ACCESS(name, mode, fn, addr, expect_cause) do { \
    rt_expect_trap_resume((u64)pmp_return_dead); \
    rt_run_lower(mode, fn, (long)(addr), 0); \
    int n_ = rt_trap_count(); \
    rt_printf("%s: ", name); \
    if (expect_cause) { \
        CHECK("cause", n_ ? rt_last_trap.cause : 0, expect_cause); \
        rt_printf("%s: ", name); \
        CHECK("tval", rt_last_trap.tval, (u64)(addr)); \
    } else { \
        CHECK("allowed", n_, 0); \
    } \
} while (0)

int main(void)
{
    csr_write(pmpcfg0, 0);
    /* TOR over region_a: read-only for S/U. */
    csr_write(pmpaddr0, (u64)region_a >> 2);
    csr_write(pmpaddr1, ((u64)region_a + sizeof region_a) >> 2);
    set_cfg(1, PMP_TOR | PMP_R);
    CHECK("pmpaddr1 readback", csr_read(pmpaddr1), ((u64)region_a + sizeof region_a) >> 2);
    ACCESS("S load TOR R", 1, load, &region_a[10], 0);
    ACCESS("S store TOR R", 1, store, &region_a[10], 7);
    ACCESS("U store TOR R", 0, store, &region_a[1023], 7);
    ACCESS("U load TOR R", 0, load, &region_a[1023], 0);
    ACCESS("S store just past TOR", 1, store, &region_b[0], 0);
    rt_expect_trap();
    region_a[5] = 1;
    CHECK("M store ignores unlocked TOR", rt_trap_count(), 0);

    /* NAPOT 4 KiB over region_b: no permissions. */
    csr_write(pmpaddr2, napot((u64)region_b, 4096));
    set_cfg(2, PMP_NAPOT);
    CHECK("pmpcfg0 readback", csr_read(pmpcfg0) & 0xffffff00, ((u64)PMP_NAPOT << 16) | ((PMP_TOR | PMP_R) << 8));
    ACCESS("S load NAPOT none", 1, load, &region_b[100], 5);
    ACCESS("U store NAPOT none", 0, store, &region_b[511], 7);
    ACCESS("S load next page", 1, load, &region_c[0], 0);

    /* NA4 over one word of region_c, read-only; the neighbour is fine. */
    csr_write(pmpaddr3, (u64)&region_c[4] >> 2);
    set_cfg(3, PMP_NA4 | PMP_R);
    volatile char *word = (volatile char *)&region_c[4];
    ACCESS("S store NA4 R word", 1, store32, word, 7);
    ACCESS("S load NA4 R word", 1, load32, word, 0);
    ACCESS("S store next word", 1, store32, word + 4, 0);
    ACCESS("S store previous word", 1, store32, word - 4, 0);
    /* An access that only partly matches an entry fails. */
    ACCESS("S doubleword load over NA4 + next", 1, load, word, 5);

    /* Priority: entry 0 (lower number) wins over entry 2 on region_b. */
    csr_write(pmpaddr0, napot((u64)region_b, 4096));
    set_cfg(0, PMP_NAPOT | PMP_R | PMP_W);
    set_cfg(1, 0);
    ACCESS("S load region_b via entry 0", 1, load, &region_b[1], 0);
    set_cfg(0, 0);
    ACCESS("S load region_b via entry 2 again", 1, load, &region_b[1], 5);

    /* Execute permission. */
    csr_write(pmpaddr4, napot((u64)pmp_exec_page, 4096));
    set_cfg(4, PMP_NAPOT | PMP_R | PMP_X);
    CHECK("S exec X page", rt_run_lower(1, jump, (long)pmp_exec_page, 0), 0x77);
    set_cfg(4, PMP_NAPOT | PMP_R);
    ACCESS("S exec non-X page", 1, jump, pmp_exec_page, 1);
    ACCESS("U exec non-X page", 0, jump, pmp_exec_page, 1);
    set_cfg(4, 0);

    /* Reserved R=0 W=1 combination. */
    set_cfg(5, PMP_NAPOT | PMP_W);
    rt_impl("pmpcfg W-only readback", (csr_read(pmpcfg0) >> 40) & 0xff);
    set_cfg(5, 0);
    /* Granularity: all-ones pmpaddr with A = OFF. */
    csr_write(pmpaddr6, ~0UL);
    rt_impl("pmpaddr all ones", csr_read(pmpaddr6));
    csr_write(pmpaddr6, 0);

    /* Locked entry: applies to M too, and ignores later writes. */
    csr_write(pmpaddr7, napot((u64)region_locked, 4096));
    region_locked[0] = 0;
    set_cfg(7, PMP_NAPOT | PMP_R | PMP_L);
    rt_expect_trap();
    region_locked[1] = 5;
    CHECK("M store to locked R region faults", rt_trap_count(), 1);
    CHECK("M store locked cause", rt_last_trap.cause, 7);
    CHECK("M store locked tval", rt_last_trap.tval, (u64)&region_locked[1]);
    rt_expect_trap();
    u64 v = region_locked[2];
    CHECK("M load locked R region ok", rt_trap_count(), 0);
    (void)v;
    set_cfg(7, PMP_NAPOT | PMP_R | PMP_W);
    CHECK("locked cfg ignores writes", (csr_read(pmpcfg0) >> 56) & 0xff, PMP_NAPOT | PMP_R | PMP_L);
    csr_write(pmpaddr7, 0);
    CHECK("locked addr ignores writes", csr_read(pmpaddr7), napot((u64)region_locked, 4096));
    return 0;
}
