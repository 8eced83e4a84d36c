/* Virtual memory: Sv39, Sv48 and Sv57 (each mode the hart accepts) with
 * identity gigapages, a user alias of the image in a 2 MiB megapage, 4 KiB
 * pages, a high-half gigapage; page-fault causes and tval for load, store
 * and fetch; SUM and MXR; hardware A/D updates; misaligned superpages;
 * non-canonical addresses; satp WARL; page-fault delegation to S. */
#include "ops.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

#define RAM_BASE 0x80000000UL
#define USER_BASE 0x1000000000UL     /* image alias, U, 2 MiB page */
#define SMALL_BASE 0x2000000000UL    /* 4 KiB pages */
#define MISALIGNED_BASE 0x3000000000UL
#define HIGH_BASE 0xffffffc000000000UL /* gigapage alias of RAM */
#define MISALIGNED_GIGA 0xffffffff80000000UL
#define ASID_VA (SMALL_BASE + 0x8000)
#define CODE_VA (SMALL_BASE + 0xa000)   /* two pages; the second mapped later */

#define USER(p) ((u64)(p) - RAM_BASE + USER_BASE)

static u64 page_pool[64][512] __attribute__((aligned(4096)));
static int pool_used;
static u64 *root;
static int levels;

static volatile u64 data_word[512] __attribute__((aligned(4096)));
static volatile u64 ro_page[512] __attribute__((aligned(4096)));
static volatile u64 xo_page[512] __attribute__((aligned(4096)));
static volatile u64 ad_page[512] __attribute__((aligned(4096)));
static u64 user_stack[512] __attribute__((aligned(16)));
static volatile uint16_t code_page_1[2048] __attribute__((aligned(4096)));
static volatile uint16_t code_page_2[2048] __attribute__((aligned(4096)));
static volatile u64 asid_page_a[512] __attribute__((aligned(4096)));
static volatile u64 asid_page_b[512] __attribute__((aligned(4096)));

static u64 *alloc_table(void)
{
    u64 *t = page_pool[pool_used++];
    for (int i = 0; i < 512; i++)
        t[i] = 0;
    return t;
}

/* Maps va -> pa with a leaf at leaf_level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB);
 * returns the address of the leaf PTE. */
static u64 *map(u64 va, u64 pa, int leaf_level, u64 flags)
{
    u64 *table = root;
    for (int level = levels - 1; level > leaf_level; level--) {
        u64 *pte = &table[(va >> (12 + 9 * level)) & 511];
        if (!(*pte & PTE_V))
            *pte = (((u64)alloc_table() >> 12) << 10) | PTE_V;
        table = (u64 *)((*pte >> 10) << 12);
    }
    u64 *leaf = &table[(va >> (12 + 9 * leaf_level)) & 511];
    *leaf = ((pa >> 12) << 10) | flags | PTE_V;
    return leaf;
}

static u64 *ad_pte, *small_ro_pte;

/* Builds a complete set of tables from the pool and makes it current. */
static u64 *build_tables(void)
{
    root = alloc_table();
    map(0, 0, 2, PTE_R | PTE_W | PTE_A | PTE_D);  /* devices */
    map(RAM_BASE, RAM_BASE, 2, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    map(USER_BASE, RAM_BASE, 1, PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
    map(HIGH_BASE, RAM_BASE, 2, PTE_R | PTE_W | PTE_A | PTE_D);
    map(SMALL_BASE, (u64)data_word, 0, PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    map(SMALL_BASE + 0x5000, (u64)data_word, 0, PTE_R | PTE_W | PTE_A | PTE_D);
    small_ro_pte = map(SMALL_BASE + 0x1000, (u64)ro_page, 0, PTE_R | PTE_U | PTE_A);
    map(SMALL_BASE + 0x2000, (u64)xo_page, 0, PTE_X | PTE_A);
    ad_pte = map(SMALL_BASE + 0x3000, (u64)ad_page, 0, PTE_R | PTE_W);
    map(SMALL_BASE + 0x4000, (u64)data_word, 0, PTE_W | PTE_A | PTE_D); /* W without R: reserved */
    map(MISALIGNED_BASE, RAM_BASE + 0x1000, 1, PTE_R | PTE_W | PTE_A | PTE_D);
    map(MISALIGNED_GIGA, RAM_BASE + 0x200000, 2, PTE_R | PTE_W | PTE_A | PTE_D);
    map(SMALL_BASE + 0x6000, (u64)data_word, 0, 0); /* V only at the last level */
    return root;
}

#define USER_RETURN(v) do { \
    register long a0_ __asm__("a0") = (long)(v); \
    register long a7_ __asm__("a7") = RT_ECALL_RETURN; \
    __asm__ volatile("ecall" :: "r"(a0_), "r"(a7_) : "memory"); \
    __builtin_unreachable(); \
} while (0)

/* Resume point after a fetch fault: returns 0xdead to rt_run_lower. */
void vm_return_dead(void);
__asm__(".globl vm_return_dead\n vm_return_dead:\n li a0, 0xdead\n li a7, 0x5245\n ecall\n");

static long load(long addr) { USER_RETURN(*(volatile u64 *)addr); }
static long store(long addr) { *(volatile u64 *)addr = 0x77; USER_RETURN(1); }
static long jump(long addr) { ((void (*)(void))addr)(); USER_RETURN(2); }
static long call(long addr) { USER_RETURN(((long (*)(void))addr)()); }
static long sfence(long unused) { __asm__ volatile("sfence.vma" ::: "memory"); USER_RETURN(3); }

#define EXPECT_FAULT(name, mode, fn, arg, cause_, tval_) do { \
    rt_expect_trap_resume(mode ? (u64)vm_return_dead : USER(vm_return_dead)); \
    rt_run_lower(mode, mode ? fn : (long (*)(long))USER(fn), (long)(arg), \
                 mode ? 0 : USER(&user_stack[512])); \
    rt_printf("%s: ", name); \
    CHECK("cause", rt_last_trap.cause, cause_); \
    rt_printf("%s: ", name); \
    CHECK("tval", rt_last_trap.tval, (u64)(tval_)); \
    rt_trap_count(); \
} while (0)

#define RUN_OK(name, mode, fn, arg, expect) do { \
    rt_expect_trap(); \
    long r_ = rt_run_lower(mode, mode ? fn : (long (*)(long))USER(fn), (long)(arg), \
                           mode ? 0 : USER(&user_stack[512])); \
    rt_printf("%s: ", name); \
    CHECK("value", r_, expect); \
    rt_printf("%s: ", name); \
    CHECK("traps", rt_trap_count(), 0); \
} while (0)

static void run_mode_tests(const char *mode_name, u64 mode)
{
    rt_printf("== %s\n", mode_name);
    pool_used = 0;
    build_tables();
    csr_write(satp, (mode << 60) | ((u64)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    rt_alias_va = USER_BASE;
    rt_alias_pa = RAM_BASE;
    rt_alias_size = 0x200000;
    data_word[0] = 0x1122334455667788ULL;
    ro_page[0] = 0xabcd;
    xo_page[0] = 0x5151;

    RUN_OK("S load identity", 1, load, &data_word[0], 0x1122334455667788ULL);
    RUN_OK("S load via 4K page", 1, load, SMALL_BASE + 0x5000, 0x1122334455667788ULL);
    RUN_OK("S load via high gigapage", 1, load, (u64)&data_word[0] - RAM_BASE + HIGH_BASE,
           0x1122334455667788ULL);
    RUN_OK("U load via user alias", 0, load, USER(&data_word[0]), 0x1122334455667788ULL);
    RUN_OK("U load via 4K U page", 0, load, SMALL_BASE, 0x1122334455667788ULL);
    RUN_OK("U load read-only page", 0, load, SMALL_BASE + 0x1000, 0xabcd);
    EXPECT_FAULT("U store read-only page", 0, store, SMALL_BASE + 0x1000 + 8, 15, SMALL_BASE + 0x1008);
    EXPECT_FAULT("U load S page", 0, load, &data_word[0], 13, &data_word[0]);
    EXPECT_FAULT("U store S page", 0, store, &data_word[1], 15, &data_word[1]);
    EXPECT_FAULT("U fetch S page", 0, jump, (u64)vm_return_dead, 12, (u64)vm_return_dead);
    EXPECT_FAULT("U load unmapped", 0, load, SMALL_BASE + 0x10000, 13, SMALL_BASE + 0x10000);
    EXPECT_FAULT("U fetch unmapped", 0, jump, SMALL_BASE + 0x10000, 12, SMALL_BASE + 0x10000);
    EXPECT_FAULT("U fetch non-executable U page", 0, jump, SMALL_BASE, 12, SMALL_BASE);
    EXPECT_FAULT("U sfence.vma illegal", 0, sfence, 0, 2, 0x12000073);

    /* SUM: S access to U pages. Fetch from U pages faults in S always. */
    EXPECT_FAULT("S load U page without SUM", 1, load, SMALL_BASE + 8, 13, SMALL_BASE + 8);
    EXPECT_FAULT("S store U page without SUM", 1, store, SMALL_BASE + 16, 15, SMALL_BASE + 16);
    csr_set(mstatus, MSTATUS_SUM);
    RUN_OK("S load U page with SUM", 1, load, SMALL_BASE, 0x1122334455667788ULL);
    EXPECT_FAULT("S fetch U page with SUM", 1, jump, USER(vm_return_dead), 12, USER(vm_return_dead));
    csr_clear(mstatus, MSTATUS_SUM);

    /* MXR: loads from an execute-only page. */
    EXPECT_FAULT("S load X-only page", 1, load, SMALL_BASE + 0x2000, 13, SMALL_BASE + 0x2000);
    csr_set(mstatus, MSTATUS_MXR);
    RUN_OK("S load X-only page with MXR", 1, load, SMALL_BASE + 0x2000, 0x5151);
    csr_clear(mstatus, MSTATUS_MXR);
    EXPECT_FAULT("S store X-only page", 1, store, SMALL_BASE + 0x2000, 15, SMALL_BASE + 0x2000);

    /* Reserved encodings and bad superpages. */
    EXPECT_FAULT("S load W-without-R page", 1, load, SMALL_BASE + 0x4000, 13, SMALL_BASE + 0x4000);
    EXPECT_FAULT("S load misaligned megapage", 1, load, MISALIGNED_BASE, 13, MISALIGNED_BASE);
    u64 noncanonical = 1UL << (12 + 9 * levels);
    EXPECT_FAULT("S load non-canonical", 1, load, noncanonical, 13, noncanonical);
    EXPECT_FAULT("S store non-canonical", 1, store, noncanonical + 8, 15, noncanonical + 8);
    EXPECT_FAULT("S fetch non-canonical", 1, jump, noncanonical, 12, noncanonical);

    EXPECT_FAULT("S load misaligned gigapage", 1, load, MISALIGNED_GIGA + 16, 13, MISALIGNED_GIGA + 16);
    EXPECT_FAULT("S load pointer PTE at last level", 1, load, SMALL_BASE + 0x6000, 13, SMALL_BASE + 0x6000);

    /* Hardware A/D updates (deja and QEMU set them instead of faulting). */
    ad_page[0] = 0x4444;
    RUN_OK("S load A=0 page", 1, load, SMALL_BASE + 0x3000, 0x4444);
    CHECK("A set by load", (*ad_pte & PTE_A) != 0, 1);
    CHECK("D still clear", (*ad_pte & PTE_D) != 0, 0);
    RUN_OK("S store D=0 page", 1, store, SMALL_BASE + 0x3000 + 8, 1);
    CHECK("D set by store", (*ad_pte & PTE_D) != 0, 1);
    CHECK("store landed", ad_page[1], 0x77);
    /* A store to a page whose PTE lacks W does not set D. */
    u64 before = *small_ro_pte;
    csr_set(mstatus, MSTATUS_SUM);
    EXPECT_FAULT("S store read-only U page", 1, store, SMALL_BASE + 0x1000, 15, SMALL_BASE + 0x1000);
    csr_clear(mstatus, MSTATUS_SUM);
    CHECK("faulting store left the PTE alone", *small_ro_pte, before);

    /* Changing a PTE takes effect after sfence.vma. */
    map(SMALL_BASE + 0x1000, (u64)data_word, 0, PTE_R | PTE_U | PTE_A);
    __asm__ volatile("sfence.vma" ::: "memory");
    RUN_OK("remapped page after sfence.vma", 0, load, SMALL_BASE + 0x1000, 0x1122334455667788ULL);

    /* A misaligned load/store whose second part falls on a faulting page
     * (SMALL_BASE + 0x6000 has a pointer PTE at the last level): a page
     * fault; tval is "the portion that caused the fault" or the start of
     * the access depending on the implementation. */
    {
        u64 at = SMALL_BASE + 0x5000 + 4092;
        rt_expect_trap_resume((u64)vm_return_dead);
        rt_run_lower(1, load, (long)at, 0);
        CHECK("misaligned load into faulting page traps", rt_trap_count(), 1);
        CHECK("misaligned load into faulting page cause", rt_last_trap.cause, 13);
        CHECK("its tval is start or page boundary",
              rt_last_trap.tval == at || rt_last_trap.tval == SMALL_BASE + 0x6000, 1);
        rt_impl("misaligned load into faulting page tval", rt_last_trap.tval);
        data_word[511] = 0x5a5a5a5a5a5a5a5aULL;
        rt_expect_trap_resume((u64)vm_return_dead);
        rt_run_lower(1, store, (long)at, 0);
        CHECK("misaligned store into faulting page cause", rt_last_trap.cause, 15);
        rt_impl("misaligned store into faulting page tval", rt_last_trap.tval);
        rt_impl("first page after faulting misaligned store", data_word[511]);
        rt_trap_count();
    }

    /* A 32-bit instruction straddling two pages: with the second page
     * unmapped the fetch faults with tval = the second page and epc = the
     * instruction; once mapped (to an unrelated frame) it runs. */
    const u32 addi = 0x12300513; /* addi a0, zero, 0x123 */
    code_page_1[2047] = (uint16_t)addi;
    code_page_2[0] = (uint16_t)(addi >> 16);
    code_page_2[1] = 0x8082; /* c.jr ra */
    __asm__ volatile("fence.i" ::: "memory");
    map(CODE_VA, (u64)code_page_1, 0, PTE_R | PTE_X | PTE_A);
    __asm__ volatile("sfence.vma" ::: "memory");
    EXPECT_FAULT("S fetch straddling into unmapped page", 1, call, CODE_VA + 4094, 12, CODE_VA + 4096);
    CHECK("straddling fetch fault epc", rt_last_trap.epc, CODE_VA + 4094);
    map(CODE_VA + 4096, (u64)code_page_2, 0, PTE_R | PTE_X | PTE_A);
    __asm__ volatile("sfence.vma" ::: "memory");
    RUN_OK("S run instruction straddling two pages", 1, call, CODE_VA + 4094, 0x123);

    /* ASIDs: two address spaces map ASID_VA to different frames; a satp
     * switch selects the right one without sfence.vma (the tables were
     * complete before the last fence), and sfence.vma on one address
     * picks up a changed PTE. */
    u64 *root_a = root;
    asid_page_a[0] = 0xaaaa;
    asid_page_b[0] = 0xbbbb;
    u64 *asid_pte_a = map(ASID_VA, (u64)asid_page_a, 0, PTE_R | PTE_W | PTE_A | PTE_D);
    u64 *root_b = build_tables();
    map(ASID_VA, (u64)asid_page_b, 0, PTE_R | PTE_W | PTE_A | PTE_D);
    root = root_a;
    csr_write(satp, (mode << 60) | (1UL << 44) | ((u64)root_a >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    RUN_OK("ASID 1 view", 1, load, ASID_VA, 0xaaaa);
    csr_write(satp, (mode << 60) | (2UL << 44) | ((u64)root_b >> 12));
    RUN_OK("ASID 2 view after satp write", 1, load, ASID_VA, 0xbbbb);
    csr_write(satp, (mode << 60) | (1UL << 44) | ((u64)root_a >> 12));
    RUN_OK("ASID 1 view again", 1, load, ASID_VA, 0xaaaa);
    *asid_pte_a = (((u64)asid_page_b >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    __asm__ volatile("sfence.vma %0, zero" :: "r"(ASID_VA) : "memory");
    RUN_OK("PTE change after sfence.vma va", 1, load, ASID_VA, 0xbbbb);
    csr_write(satp, (mode << 60) | ((u64)root_a >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");

    /* Page faults delegated to S: taken in S with stval. */
    csr_write(stvec, (u64)rt_trap_entry_s);
    csr_write(medeleg, (1UL << 12) | (1UL << 13) | (1UL << 15));
    csr_set(mstatus, MSTATUS_SUM);
    rt_expect_trap();
    rt_run_lower(0, (long (*)(long))USER(load), (long)&data_word[2], USER(&user_stack[512]));
    CHECK("delegated load fault mode", rt_last_trap.mode, 1);
    CHECK("delegated load fault cause", rt_last_trap.cause, 13);
    CHECK("delegated load fault stval", rt_last_trap.tval, (u64)&data_word[2]);
    rt_expect_trap();
    rt_run_lower(0, (long (*)(long))USER(store), SMALL_BASE + 0x1000, USER(&user_stack[512]));
    CHECK("delegated store fault cause", rt_last_trap.cause, 15);
    CHECK("delegated store fault mode", rt_last_trap.mode, 1);
    rt_trap_count();
    csr_write(medeleg, 0);
    csr_clear(mstatus, MSTATUS_SUM);

    /* M-mode with MPRV: loads use MPP's translation. */
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 1UL << 11);
    csr_set(mstatus, MSTATUS_MPRV);
    u64 v = *(volatile u64 *)(SMALL_BASE + 0x5000 + 8);
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK("M load with MPRV through S view", v, data_word[1]);
    csr_set(mstatus, MSTATUS_MPRV);
    rt_expect_trap();
    v = *(volatile u64 *)(SMALL_BASE + 0x1000);
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK("M load with MPRV, MPP = S, U page, SUM = 0 faults", rt_trap_count(), 1);
    CHECK("MPRV fault cause", rt_last_trap.cause, 13);
    CHECK("MPRV fault tval", rt_last_trap.tval, SMALL_BASE + 0x1000);
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    rt_alias_size = 0;
}

static void satp_warl(void)
{
    /* Writing an unsupported mode leaves satp unchanged (the whole write
     * has no effect, PPN included). M-mode is not translated, so a live
     * Sv39 value here is harmless. */
    const u64 live = (8UL << 60) | 0x80000UL;
    for (u64 mode = 1; mode <= 7; mode++) {
        csr_write(satp, live);
        csr_write(satp, (mode << 60) | 0x12345);
        rt_printf("satp mode %lu: ", mode);
        CHECK("ignored", csr_read(satp), live);
    }
    csr_write(satp, (15UL << 60) | 0x12345);
    CHECK("satp mode 15 ignored", csr_read(satp), live);
    csr_write(satp, 0);
    csr_write(satp, (11UL << 60) | 0x12345);
    CHECK("satp mode 11 ignored", csr_read(satp), 0);
    csr_write(satp, (8UL << 60) | 0x80000UL);
    CHECK("satp Sv39 mode accepted", csr_read(satp) >> 60, 8);
    CHECK("satp ppn", csr_read(satp) & ((1UL << 44) - 1), 0x80000);
    csr_write(satp, (8UL << 60) | (0xffffUL << 44) | 0x80000UL);
    rt_impl("satp ASID bits", (csr_read(satp) >> 44) & 0xffff);
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
}

int main(void)
{
    satp_warl();
    static const struct { const char *name; u64 mode; int levels; } modes[] = {
        { "Sv39", 8, 3 }, { "Sv48", 9, 4 }, { "Sv57", 10, 5 },
    };
    for (int i = 0; i < 3; i++) {
        csr_write(satp, modes[i].mode << 60);
        int supported = (csr_read(satp) >> 60) == modes[i].mode;
        csr_write(satp, 0);
        rt_printf("%s supported: %d\n", modes[i].name, supported);
        if (!supported)
            continue;
        levels = modes[i].levels;
        run_mode_tests(modes[i].name, modes[i].mode);
    }
    return 0;
}
