/* The privileged architecture of the hart: Sv39/Sv48/Sv57 translation and
 * its faults, A/D updates, PMP, the software-TLB fill, CSR access rules and
 * WARL fields, trap delegation, interrupts and xRET.
 * Prints one line per failed check; exits 1 if any failed. */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu_internal.h"

#include "unit/check.h"


#define RAM_BASE 0x80000000ull
#define RAM_SIZE (16ull << 20)

enum { PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_G = 32, PTE_A = 64,
       PTE_D = 128 };
#define RWX (PTE_R | PTE_W | PTE_X)

static Bus bus;
static Hart hart;
static uint64_t next_table = RAM_BASE + 0x100000;

static uint64_t ram_read64(uint64_t paddr)
{
    uint64_t v;
    memcpy(&v, bus_ram_ptr(&bus, paddr, 8), 8);
    return v;
}
static void ram_write64(uint64_t paddr, uint64_t v) { memcpy(bus_ram_ptr(&bus, paddr, 8), &v, 8); }

static uint64_t alloc_table(void)
{
    uint64_t t = next_table;
    next_table += 4096;
    memset(bus_ram_ptr(&bus, t, 4096), 0, 4096);
    return t;
}

/* Maps vaddr -> paddr with a leaf at `leaf_level` (0 = 4 KiB) in a table
 * of `levels` levels rooted at root. Returns the PTE address. */
static uint64_t map(uint64_t root, int levels, uint64_t vaddr, uint64_t paddr, int leaf_level,
                    uint64_t flags)
{
    uint64_t table = root;
    for (int level = levels - 1;; level--) {
        uint64_t pte_addr = table + ((vaddr >> (12 + 9 * level)) & 0x1ff) * 8;
        if (level == leaf_level) {
            ram_write64(pte_addr, ((paddr >> 12) << 10) | flags | PTE_V);
            return pte_addr;
        }
        uint64_t pte = ram_read64(pte_addr);
        if (!(pte & PTE_V)) {
            uint64_t t = alloc_table();
            pte = ((t >> 12) << 10) | PTE_V;
            ram_write64(pte_addr, pte);
        }
        table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
}

static Exc csr(int num, int op, uint64_t src, bool write, uint64_t *old)
{
    uint64_t dummy;
    return csr_access(&hart, num, op, src, write, old ? old : &dummy);
}
static uint64_t csr_get(int num)
{
    uint64_t v = 0xdeadbeef;
    Exc e = csr(num, OP_CSRRS, 0, false, &v);
    if (e != EXC_NONE)
        printf("note: csr 0x%x read trapped\n", num);
    return v;
}
static Exc csr_set(int num, uint64_t v) { return csr(num, OP_CSRRW, v, true, NULL); }

static void pmp_allow_all(void)
{
    hart.priv = PRIV_M;
    memset(hart.pmpcfg, 0, sizeof hart.pmpcfg);
    memset(hart.pmpaddr, 0, sizeof hart.pmpaddr);
    CHECK_EQ(csr_set(0x3b0 + 15, (1ull << 54) - 1), EXC_NONE);
    CHECK_EQ(csr_set(0x3a2, 0x1full << 56), EXC_NONE); /* entry 15 NAPOT RWX */
}

static int code_writes;
static void note_code_write(void *opaque, uint64_t page) { code_writes++; }

static void reset_hart(void)
{
    HartEnv env = {0};
    hart_init(&hart, 0, &bus, NULL, env);
    next_table = RAM_BASE + 0x100000;
    pmp_allow_all();
}

static void set_satp(int mode, uint64_t root)
{
    hart.priv = PRIV_M;
    CHECK_EQ(csr_set(0x180, ((uint64_t)mode << 60) | (root >> 12)), EXC_NONE);
}

static void test_sv39_basic(void)
{
    reset_hart();
    uint64_t root = alloc_table();
    uint64_t va = 0x40001000, pa = RAM_BASE + 0x200000;
    uint64_t pte_addr = map(root, 3, va, pa, 0, PTE_R | PTE_W);
    set_satp(8, root);
    hart.priv = PRIV_S;
    ram_write64(pa + 8, 0x1122334455667788ull);
    uint64_t v = 0, paddr;
    CHECK_EQ(mmu_load_slow(&hart, va + 8, 8, &v), EXC_NONE);
    CHECK_EQ(v, 0x1122334455667788ull);
    CHECK_EQ(mmu_load_slow(&hart, va + 9, 2, &v), EXC_NONE);
    CHECK_EQ(v, 0x6677);
    CHECK(ram_read64(pte_addr) & PTE_A);
    CHECK(!(ram_read64(pte_addr) & PTE_D));
    /* The read TLB now maps the page; the write TLB does not yet. */
    CHECK(tlb_hit(hart.tlb_read, va + 8, 8) == bus_ram_ptr(&bus, pa + 8, 8));
    CHECK(tlb_hit(hart.tlb_read, va + 9, 2) == NULL); /* misaligned: no hit */
    CHECK(tlb_hit(hart.tlb_write, va, 8) == NULL);
    CHECK_EQ(mmu_store_slow(&hart, va + 16, 4, 0xcafef00d), EXC_NONE);
    CHECK_EQ(ram_read64(pa + 16) & 0xffffffff, 0xcafef00d);
    CHECK(ram_read64(pte_addr) & PTE_D);
    CHECK(tlb_hit(hart.tlb_write, va + 16, 4) == bus_ram_ptr(&bus, pa + 16, 4));
    hart_flush_write_tlb(&hart, pa);
    CHECK(tlb_hit(hart.tlb_write, va + 16, 4) == NULL);
    /* A store to a code page goes through bus_note_ram_write (which drops
     * the code bit and calls the hook) before any write entry exists. */
    *bus_page_flags(&bus, pa) |= BUS_PAGE_CODE;
    hart_flush_tlb(&hart);
    CHECK_EQ(mmu_store_slow(&hart, va + 16, 4, 1), EXC_NONE);
    CHECK(!(*bus_page_flags(&bus, pa) & BUS_PAGE_CODE));
    CHECK_EQ(code_writes, 1);
    /* Faults of each access type on an unmapped page. */
    CHECK_EQ(mmu_load_slow(&hart, 0x50000000, 8, &v), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_store_slow(&hart, 0x50000000, 8, 0), EXC_STORE_PAGE_FAULT);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x50000000, &paddr), EXC_INSN_PAGE_FAULT);
    /* Not executable. */
    CHECK_EQ(mmu_fetch_translate(&hart, va, &paddr), EXC_INSN_PAGE_FAULT);
    /* Non-canonical: bit 38 clear but bit 40 set, and the reverse. */
    CHECK_EQ(mmu_load_slow(&hart, va | (1ull << 40), 8, &v), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_translate(&hart, 0x4000000000ull, ACCESS_LOAD, &paddr), EXC_LOAD_PAGE_FAULT);
    /* M-mode is untranslated. */
    hart.priv = PRIV_M;
    CHECK_EQ(mmu_translate(&hart, pa, ACCESS_LOAD, &paddr), EXC_NONE);
    CHECK_EQ(paddr, pa);
    /* MPRV with MPP = S translates M's loads but not its fetches. */
    hart.mstatus |= MSTATUS_MPRV | (1ull << MSTATUS_MPP_SHIFT);
    hart_flush_tlb(&hart);
    CHECK_EQ(mmu_translate(&hart, va, ACCESS_LOAD, &paddr), EXC_NONE);
    CHECK_EQ(paddr, pa);
    CHECK_EQ(mmu_fetch_translate(&hart, pa, &paddr), EXC_NONE);
    CHECK_EQ(paddr, pa);
    hart.mstatus &= ~(MSTATUS_MPRV | MSTATUS_MPP);
}

static void test_pte_rules(void)
{
    reset_hart();
    uint64_t root = alloc_table();
    uint64_t pa = RAM_BASE + 0x300000;
    uint64_t ro = map(root, 3, 0x10000, pa, 0, PTE_R | PTE_A);
    map(root, 3, 0x11000, pa, 0, PTE_W | PTE_A | PTE_D); /* W without R */
    map(root, 3, 0x12000, pa, 0, PTE_X | PTE_A);         /* execute-only */
    map(root, 3, 0x13000, pa, 0, RWX | PTE_U | PTE_A | PTE_D);
    uint64_t reserved = map(root, 3, 0x14000, pa, 0, PTE_R | PTE_A | (1ull << 61)); /* PBMT */
    (void)ro;
    (void)reserved;
    set_satp(8, root);
    hart.priv = PRIV_S;
    uint64_t v, paddr;
    CHECK_EQ(mmu_load_slow(&hart, 0x10000, 8, &v), EXC_NONE);
    CHECK_EQ(mmu_store_slow(&hart, 0x10000, 8, 0), EXC_STORE_PAGE_FAULT);
    CHECK_EQ(mmu_load_slow(&hart, 0x11000, 8, &v), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_store_slow(&hart, 0x11000, 8, 0), EXC_STORE_PAGE_FAULT);
    CHECK_EQ(mmu_load_slow(&hart, 0x12000, 8, &v), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x12000, &paddr), EXC_NONE);
    CHECK_EQ(mmu_load_slow(&hart, 0x14000, 8, &v), EXC_LOAD_PAGE_FAULT);
    /* MXR makes execute-only readable. */
    hart.priv = PRIV_M;
    CHECK_EQ(csr_set(0x300, csr_get(0x300) | MSTATUS_MXR), EXC_NONE);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, 0x12000, 8, &v), EXC_NONE);
    /* User page from S: only with SUM, never executable. */
    CHECK_EQ(mmu_load_slow(&hart, 0x13000, 8, &v), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_store_slow(&hart, 0x13000, 8, 0), EXC_STORE_PAGE_FAULT);
    CHECK_EQ(csr_set(0x100, csr_get(0x100) | MSTATUS_SUM), EXC_NONE); /* via sstatus */
    CHECK(hart.mstatus & MSTATUS_SUM);
    CHECK_EQ(mmu_load_slow(&hart, 0x13000, 8, &v), EXC_NONE);
    CHECK_EQ(mmu_store_slow(&hart, 0x13000, 8, 0), EXC_NONE);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x13000, &paddr), EXC_INSN_PAGE_FAULT);
    /* U: user page fine, supervisor page never. */
    trap_set_priv(&hart, PRIV_U);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x13000, &paddr), EXC_NONE);
    CHECK_EQ(mmu_load_slow(&hart, 0x10000, 8, &v), EXC_LOAD_PAGE_FAULT);
    /* Non-leaf PTE with A set is reserved -> page fault. */
    hart.priv = PRIV_S;
    uint64_t root_pte = root + ((0x10000ull >> 30) & 0x1ff) * 8;
    ram_write64(root_pte, ram_read64(root_pte) | PTE_A);
    hart_flush_tlb(&hart);
    CHECK_EQ(mmu_load_slow(&hart, 0x10000, 8, &v), EXC_LOAD_PAGE_FAULT);
    ram_write64(root_pte, ram_read64(root_pte) & ~(uint64_t)PTE_A);
    /* A pointer at level 0 is a page fault. */
    uint64_t leaf = map(root, 3, 0x15000, pa, 0, 0);
    ram_write64(leaf, ((pa >> 12) << 10) | PTE_V);
    CHECK_EQ(mmu_load_slow(&hart, 0x15000, 8, &v), EXC_LOAD_PAGE_FAULT);
    /* PTE outside RAM -> access fault of the access type. */
    uint64_t root_pte2 = root + ((0x1c0000000ull >> 30) & 0x1ff) * 8;
    ram_write64(root_pte2, ((0x10000000ull >> 12) << 10) | PTE_V); /* table at 0x10000000 */
    CHECK_EQ(mmu_load_slow(&hart, 0x1c0000000ull, 8, &v), EXC_LOAD_ACCESS);
    CHECK_EQ(mmu_store_slow(&hart, 0x1c0000000ull, 8, 0), EXC_STORE_ACCESS);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x1c0000000ull, &paddr), EXC_INSN_ACCESS);
}

static void test_superpages(void)
{
    reset_hart();
    uint64_t root = alloc_table();
    /* 2 MiB page at VA 0x200000 -> RAM_BASE + 0x400000 */
    map(root, 3, 0x200000, RAM_BASE + 0x400000, 1, RWX | PTE_A | PTE_D);
    /* 1 GiB page at VA 0xc0000000 -> RAM_BASE */
    map(root, 3, 0xc0000000ull, RAM_BASE, 2, RWX | PTE_A | PTE_D);
    /* misaligned 2 MiB superpage */
    map(root, 3, 0x600000, RAM_BASE + 0x401000, 1, RWX | PTE_A | PTE_D);
    /* misaligned 1 GiB superpage */
    map(root, 3, 0x100000000ull, RAM_BASE + 0x200000, 2, RWX | PTE_A | PTE_D);
    set_satp(8, root);
    hart.priv = PRIV_S;
    uint64_t paddr, v;
    CHECK_EQ(mmu_translate(&hart, 0x3ff123, ACCESS_LOAD, &paddr), EXC_NONE);
    CHECK_EQ(paddr, RAM_BASE + 0x5ff123);
    CHECK_EQ(mmu_translate(&hart, 0xc0abc123ull, ACCESS_STORE, &paddr), EXC_NONE);
    CHECK_EQ(paddr, RAM_BASE + 0xabc123);
    CHECK_EQ(mmu_translate(&hart, 0x600000, ACCESS_LOAD, &paddr), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x600000, &paddr), EXC_INSN_PAGE_FAULT);
    CHECK_EQ(mmu_load_slow(&hart, 0x100000000ull, 8, &v), EXC_LOAD_PAGE_FAULT);
}

static void test_sv48_sv57(void)
{
    reset_hart();
    uint64_t root48 = alloc_table();
    uint64_t va48 = 0x00007f1234567000ull; /* bit 47 clear, uses top level */
    uint64_t va48_high = 0xffff900000001000ull;
    map(root48, 4, va48, RAM_BASE + 0x500000, 0, PTE_R | PTE_W);
    map(root48, 4, va48_high, RAM_BASE + 0x501000, 0, PTE_R);
    set_satp(9, root48);
    CHECK_EQ(hart.satp >> 60, 9);
    hart.priv = PRIV_S;
    uint64_t paddr;
    CHECK_EQ(mmu_translate(&hart, va48 + 0x10, ACCESS_LOAD, &paddr), EXC_NONE);
    CHECK_EQ(paddr, RAM_BASE + 0x500010);
    CHECK_EQ(mmu_translate(&hart, va48_high + 8, ACCESS_LOAD, &paddr), EXC_NONE);
    CHECK_EQ(paddr, RAM_BASE + 0x501008);
    CHECK_EQ(mmu_translate(&hart, va48_high ^ (1ull << 50), ACCESS_LOAD, &paddr),
             EXC_LOAD_PAGE_FAULT);

    uint64_t root57 = alloc_table();
    uint64_t va57 = 0x00ff123456789000ull;  /* bit 56 clear, bit 55 set */
    uint64_t va57_high = 0xff00000000002000ull;
    map(root57, 5, va57, RAM_BASE + 0x502000, 0, PTE_R | PTE_X);
    map(root57, 5, va57_high, RAM_BASE + 0x503000, 3, RWX | PTE_A | PTE_D); /* misaligned 512G */
    set_satp(10, root57);
    CHECK_EQ(hart.satp >> 60, 10);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_fetch_translate(&hart, va57 + 0x20, &paddr), EXC_NONE);
    CHECK_EQ(paddr, RAM_BASE + 0x502020);
    CHECK_EQ(mmu_translate(&hart, va57_high, ACCESS_LOAD, &paddr), EXC_LOAD_PAGE_FAULT);
    CHECK_EQ(mmu_translate(&hart, va57 | (1ull << 60), ACCESS_LOAD, &paddr), EXC_LOAD_PAGE_FAULT);
}

static void test_satp_warl(void)
{
    reset_hart();
    CHECK_EQ(csr_set(0x180, (8ull << 60) | (0xffffull << 44) | 0x80123), EXC_NONE);
    uint64_t good = csr_get(0x180);
    CHECK_EQ(good, (8ull << 60) | (0xffffull << 44) | 0x80123);
    CHECK_EQ(csr_set(0x180, (11ull << 60) | 5), EXC_NONE); /* Sv64: ignored entirely */
    CHECK_EQ(csr_get(0x180), good);
    CHECK_EQ(csr_set(0x180, (1ull << 60) | 5), EXC_NONE);
    CHECK_EQ(csr_get(0x180), good);
    CHECK_EQ(csr_set(0x180, 0), EXC_NONE);
    CHECK_EQ(csr_get(0x180), 0);
    /* TVM makes satp illegal from S. */
    hart.mstatus |= MSTATUS_TVM;
    hart.priv = PRIV_S;
    CHECK_EQ(csr(0x180, OP_CSRRS, 0, false, NULL), EXC_ILLEGAL_INSN);
    hart.priv = PRIV_M;
    CHECK_EQ(csr(0x180, OP_CSRRS, 0, false, NULL), EXC_NONE);
}

static bool dummy_mmio_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    *value = 0x1234 + offset;
    return offset < 0x100;
}
static bool dummy_mmio_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    return offset < 0x100;
}

static void test_misaligned_and_mmio(void)
{
    reset_hart();
    uint64_t root = alloc_table();
    map(root, 3, 0x20000, RAM_BASE + 0x600000, 0, PTE_R | PTE_W | PTE_A | PTE_D);
    map(root, 3, 0x21000, RAM_BASE + 0x700000, 0, PTE_R | PTE_W | PTE_A | PTE_D);
    map(root, 3, 0x30000, 0x10000000, 0, PTE_R | PTE_W | PTE_A | PTE_D);
    set_satp(8, root);
    hart.priv = PRIV_S;
    uint64_t v;
    CHECK_EQ(mmu_store_slow(&hart, 0x20ffd, 8, 0x0807060504030201ull), EXC_NONE);
    CHECK_EQ(*bus_ram_ptr(&bus, RAM_BASE + 0x600fff, 1), 3);
    CHECK_EQ(*bus_ram_ptr(&bus, RAM_BASE + 0x700000, 1), 4);
    CHECK_EQ(mmu_load_slow(&hart, 0x20ffd, 8, &v), EXC_NONE);
    CHECK_EQ(v, 0x0807060504030201ull);
    CHECK_EQ(mmu_load_slow(&hart, 0x20fff, 4, &v), EXC_NONE);
    CHECK_EQ(v, 0x06050403);
    /* Second page unmapped: page fault. */
    CHECK_EQ(mmu_load_slow(&hart, 0x21ffe, 4, &v), EXC_LOAD_PAGE_FAULT);
    /* ... and the trap reports the second page's address. */
    hart.pc = 0x100;
    trap_exception(&hart, EXC_LOAD_PAGE_FAULT, 0x21ffe);
    CHECK_EQ(hart.mtval, 0x22000);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_store_slow(&hart, 0x1ffe, 4, 0), EXC_STORE_PAGE_FAULT); /* first page */
    trap_exception(&hart, EXC_STORE_PAGE_FAULT, 0x1ffe);
    CHECK_EQ(hart.mtval, 0x1ffe);
    hart.priv = PRIV_S;
    /* MMIO: aligned works, misaligned raises misaligned, missing reg faults. */
    CHECK(bus_add_region(&bus, 0x10000000, 0x1000, NULL, dummy_mmio_read, dummy_mmio_write,
                         "dummy"));
    CHECK_EQ(mmu_load_slow(&hart, 0x30008, 4, &v), EXC_NONE);
    CHECK_EQ(v, 0x123c);
    CHECK_EQ(mmu_load_slow(&hart, 0x30009, 4, &v), EXC_LOAD_MISALIGNED);
    CHECK_EQ(mmu_store_slow(&hart, 0x30002, 4, 0), EXC_STORE_MISALIGNED);
    CHECK_EQ(mmu_store_slow(&hart, 0x30800, 4, 0), EXC_STORE_ACCESS);
    CHECK(tlb_hit(hart.tlb_read, 0x30008, 4) == NULL);
    /* Unmapped physical address in M: access fault. */
    hart.priv = PRIV_M;
    CHECK_EQ(mmu_load_slow(&hart, 0x20000000, 4, &v), EXC_LOAD_ACCESS);
    CHECK_EQ(mmu_store_slow(&hart, 0x20000000, 4, 0), EXC_STORE_ACCESS);
}

static void test_pmp(void)
{
    reset_hart();
    uint64_t v, paddr;
    memset(hart.pmpcfg, 0, sizeof hart.pmpcfg);
    memset(hart.pmpaddr, 0, sizeof hart.pmpaddr);
    /* No entry: M succeeds, S fails. */
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE, 8, &v), EXC_NONE);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE, 8, &v), EXC_LOAD_ACCESS);
    CHECK_EQ(mmu_fetch_translate(&hart, RAM_BASE, &paddr), EXC_INSN_ACCESS);
    hart.priv = PRIV_M;
    /* Entry 0 TOR [0, RAM_BASE+1M) R; entry 1 NA4 at RAM_BASE+1M RW;
     * entry 2 NAPOT 64 KiB at RAM_BASE+2M X. */
    CHECK_EQ(csr_set(0x3b0, (RAM_BASE + 0x100000) >> 2), EXC_NONE);
    CHECK_EQ(csr_set(0x3b1, (RAM_BASE + 0x100000) >> 2), EXC_NONE);
    CHECK_EQ(csr_set(0x3b2, ((RAM_BASE + 0x200000) >> 2) | 0x1fff), EXC_NONE);
    CHECK_EQ(csr_set(0x3a0, 0x08 | 0x01 | (uint64_t)(0x10 | 0x03) << 8 |
                                (uint64_t)(0x18 | 0x04) << 16),
             EXC_NONE);
    CHECK_EQ(csr_get(0x3a0), 0x1c1309);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE + 0x1000, 8, &v), EXC_NONE);
    CHECK_EQ(mmu_store_slow(&hart, RAM_BASE + 0x1000, 8, 0), EXC_STORE_ACCESS);
    CHECK_EQ(mmu_fetch_translate(&hart, RAM_BASE + 0x1000, &paddr), EXC_INSN_ACCESS);
    CHECK_EQ(mmu_store_slow(&hart, RAM_BASE + 0x100000, 4, 0), EXC_NONE);
    CHECK_EQ(mmu_store_slow(&hart, RAM_BASE + 0x100000, 8, 0), EXC_STORE_ACCESS); /* partial */
    /* Straddling entry 0's end: fails within a page; a page-crossing
     * access is checked per page piece (spec: misaligned accesses may be
     * decomposed), and here each piece is allowed. */
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE + 0x0ffffe, 4, &v), EXC_NONE);
    hart.priv = PRIV_M;
    CHECK_EQ(csr_set(0x3b0, (RAM_BASE + 0xff800) >> 2), EXC_NONE);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE + 0xff7fc, 8, &v), EXC_LOAD_ACCESS);
    hart.priv = PRIV_M;
    CHECK_EQ(csr_set(0x3b0, (RAM_BASE + 0x100000) >> 2), EXC_NONE);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_fetch_translate(&hart, RAM_BASE + 0x20fffe, &paddr), EXC_NONE);
    CHECK_EQ(mmu_fetch_translate(&hart, RAM_BASE + 0x210000, &paddr), EXC_INSN_ACCESS);
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE + 0x200000, 8, &v), EXC_LOAD_ACCESS);
    /* Unlocked entries do not restrict M. */
    hart.priv = PRIV_M;
    CHECK_EQ(mmu_store_slow(&hart, RAM_BASE + 0x1000, 8, 0), EXC_NONE);
    /* Lock entry 0 (TOR): M now obeys it, and pmpcfg0 byte 0 and pmpaddr0
     * (its own bound) ignore writes. Entry 1 is NA4 so pmpaddr0 would only
     * be locked by entry 1 if it were a locked TOR entry. */
    CHECK_EQ(csr(0x3a0, OP_CSRRS, 0x80, true, NULL), EXC_NONE);
    CHECK_EQ(mmu_store_slow(&hart, RAM_BASE + 0x1000, 8, 0), EXC_STORE_ACCESS);
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE + 0x1000, 8, &v), EXC_NONE);
    CHECK_EQ(csr(0x3a0, OP_CSRRC, 0xff, true, NULL), EXC_NONE);
    CHECK_EQ(csr_get(0x3a0) & 0xff, 0x89);
    CHECK_EQ(csr_set(0x3b0, 0), EXC_NONE);
    CHECK_EQ(csr_get(0x3b0), (RAM_BASE + 0x100000) >> 2);
    /* A locked TOR entry 4 locks pmpaddr3. */
    CHECK_EQ(csr_set(0x3b3, 0x100), EXC_NONE);
    CHECK_EQ(csr_set(0x3b4, 0x200), EXC_NONE);
    CHECK_EQ(csr_set(0x3a0, csr_get(0x3a0) | (0x88ull << 32)), EXC_NONE);
    CHECK_EQ(csr_set(0x3b3, 0x150), EXC_NONE);
    CHECK_EQ(csr_get(0x3b3), 0x100);
    CHECK_EQ(csr_set(0x3b4, 0x250), EXC_NONE);
    CHECK_EQ(csr_get(0x3b4), 0x200);
    /* R=0 W=1 is reserved: the entry keeps its old value. */
    CHECK_EQ(csr_set(0x3a2, 0x0a), EXC_NONE);
    CHECK_EQ(csr_get(0x3a2) & 0xff, 0);
    /* WARL ranges: pmpaddr16+ and pmpcfg4+ read-only zero; odd pmpcfg trap. */
    CHECK_EQ(csr_set(0x3b0 + 20, 0x1234), EXC_NONE);
    CHECK_EQ(csr_get(0x3b0 + 20), 0);
    CHECK_EQ(csr_set(0x3a4, 0x1f), EXC_NONE);
    CHECK_EQ(csr_get(0x3a4), 0);
    CHECK_EQ(csr(0x3a1, OP_CSRRS, 0, false, NULL), EXC_ILLEGAL_INSN);
    CHECK_EQ(csr(0x3a3, OP_CSRRS, 0, false, NULL), EXC_ILLEGAL_INSN);
    CHECK_EQ(csr_set(0x3bf, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x3bf), (1ull << 54) - 1);
    /* PMP applies to page-table walks as S-mode accesses. */
    reset_hart();
    uint64_t root = alloc_table();
    map(root, 3, 0x1000, RAM_BASE + 0x800000, 0, RWX | PTE_A | PTE_D);
    set_satp(8, root);
    /* Entry 0: the page tables (root..+64K) NAPOT, no permission. */
    CHECK_EQ(csr_set(0x3b0, (root >> 2) | 0x1fff), EXC_NONE);
    CHECK_EQ(csr_set(0x3a0, 0x18), EXC_NONE);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, 0x1000, 8, &v), EXC_LOAD_ACCESS);
    CHECK_EQ(mmu_fetch_translate(&hart, 0x1000, &paddr), EXC_INSN_ACCESS);
    /* Read-only page tables: walks work, but the A/D update write fails. */
    hart.priv = PRIV_M;
    CHECK_EQ(csr_set(0x3a0, 0x19), EXC_NONE);
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, 0x1000, 8, &v), EXC_NONE);
    uint64_t leaf = map(root, 3, 0x2000, RAM_BASE + 0x800000, 0, RWX);
    CHECK_EQ(mmu_load_slow(&hart, 0x2000, 8, &v), EXC_LOAD_ACCESS);
    CHECK(!(ram_read64(leaf) & PTE_A));
    /* TLB fill only when the whole page is allowed the same way. */
    reset_hart();
    CHECK_EQ(csr_set(0x3b0, (RAM_BASE + 0x800) >> 2), EXC_NONE);
    CHECK_EQ(csr_set(0x3a0, 0x0f), EXC_NONE); /* TOR [0, RAM_BASE+0x800) RWX */
    hart.priv = PRIV_S;
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE, 8, &v), EXC_NONE);
    CHECK(tlb_hit(hart.tlb_read, RAM_BASE, 8) == NULL);
    CHECK_EQ(mmu_load_slow(&hart, RAM_BASE + 0x1000, 8, &v), EXC_NONE); /* catch-all */
    CHECK(tlb_hit(hart.tlb_read, RAM_BASE + 0x1000, 8) != NULL);
}

static void test_csr_rules(void)
{
    reset_hart();
    uint64_t v;
    /* Unimplemented CSRs trap, even from M. */
    static const int trapping[] = {0x7a0, 0x7a1, 0x14d, 0x747, 0xda0, 0xfb0, 0x30c, 0x015,
                                   0x310, 0xc80, 0x600, 0x5a8, 0x7b0, 0x321, 0x3a1};
    for (unsigned i = 0; i < sizeof trapping / sizeof trapping[0]; i++) {
        Exc e = csr(trapping[i], OP_CSRRS, 0, false, &v);
        if (e != EXC_ILLEGAL_INSN)
            printf("FAIL: csr 0x%x should trap\n", trapping[i]), failures++;
    }
    /* Read-only CSRs: reads fine, writes trap. */
    CHECK_EQ(csr(0xf14, OP_CSRRS, 0, false, &v), EXC_NONE);
    CHECK_EQ(csr(0xf14, OP_CSRRW, 0, true, &v), EXC_ILLEGAL_INSN);
    CHECK_EQ(csr(0xc00, OP_CSRRS, 1, true, &v), EXC_ILLEGAL_INSN);
    CHECK_EQ(csr_get(0x301), 0x800000000014112dull);
    CHECK_EQ(csr_set(0x301, 0), EXC_NONE);
    CHECK_EQ(csr_get(0x301), 0x800000000014112dull);
    /* Privilege from address bits. */
    hart.priv = PRIV_S;
    CHECK_EQ(csr(0x300, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    CHECK_EQ(csr(0x100, OP_CSRRS, 0, false, &v), EXC_NONE);
    hart.priv = PRIV_U;
    CHECK_EQ(csr(0x100, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    /* Counters: U needs mcounteren and scounteren, S needs mcounteren. */
    CHECK_EQ(csr(0xc00, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    hart.mcounteren = 7;
    CHECK_EQ(csr(0xc01, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    hart.scounteren = 2;
    CHECK_EQ(csr(0xc01, OP_CSRRS, 0, false, &v), EXC_NONE);
    CHECK_EQ(csr(0xc02, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    hart.priv = PRIV_S;
    CHECK_EQ(csr(0xc02, OP_CSRRS, 0, false, &v), EXC_NONE);
    CHECK_EQ(csr(0xc03, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    hart.priv = PRIV_M;
    CHECK_EQ(csr(0xc03, OP_CSRRS, 0, false, &v), EXC_NONE);
    CHECK_EQ(v, 0);
    /* mcycle/minstret writable; the next instruction reads the value. */
    hart.instret = 1000;
    CHECK_EQ(csr_set(0xb02, 5000), EXC_NONE);
    hart.instret++;
    CHECK_EQ(csr_get(0xb02), 5000);
    CHECK_EQ(csr_get(0xc02), 5000);
    CHECK_EQ(csr_set(0xb03, 77), EXC_NONE); /* mhpmcounter3: WARL 0 */
    CHECK_EQ(csr_get(0xb03), 0);
    CHECK_EQ(csr_set(0x323, 77), EXC_NONE);
    CHECK_EQ(csr_get(0x323), 0);
    CHECK_EQ(csr_set(0x320, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x320), 0xfffffffdull);
    /* FP CSRs: illegal when FS = Off; a write makes FS dirty. */
    hart.mstatus &= ~MSTATUS_FS;
    CHECK_EQ(csr(0x003, OP_CSRRS, 0, false, &v), EXC_ILLEGAL_INSN);
    hart.mstatus |= 1ull << 13;
    CHECK_EQ(csr_set(0x003, 0xff), EXC_NONE);
    CHECK_EQ(csr_get(0x001), 0x1f);
    CHECK_EQ(csr_get(0x002), 7);
    CHECK_EQ(hart.mstatus & MSTATUS_FS, MSTATUS_FS);
    CHECK(csr_get(0x300) & MSTATUS_SD);
    CHECK(csr_get(0x100) & MSTATUS_SD);
    /* mstatus WARL. */
    uint64_t ms = csr_get(0x300);
    CHECK_EQ((ms >> 32) & 0xf, 0xa);
    CHECK_EQ(csr_set(0x300, (ms & ~MSTATUS_MPP) | (1ull << 11)), EXC_NONE);
    CHECK_EQ(csr_set(0x300, (ms & ~MSTATUS_MPP) | (2ull << 11)), EXC_NONE);
    CHECK_EQ((csr_get(0x300) >> 11) & 3, 1);
    CHECK_EQ(csr_set(0x300, MSTATUS_XS | MSTATUS_VS | MSTATUS_UBE), EXC_NONE);
    CHECK_EQ(csr_get(0x300), 0xa00000000ull);
    /* Delegation registers. */
    CHECK_EQ(csr_set(0x302, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x302), 0xb3ff);
    CHECK_EQ(csr_set(0x303, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x303), 0x222);
    /* mie/mip and their S views. */
    CHECK_EQ(csr_set(0x304, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x304), 0xaaa);
    CHECK_EQ(csr_set(0x344, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x344), 0x222);
    hart_set_interrupt(&hart, IRQ_M_TIMER, true);
    hart_set_interrupt(&hart, IRQ_S_EXT, true);
    CHECK_EQ(csr_set(0x344, 0), EXC_NONE); /* clears software SEIP only */
    CHECK_EQ(csr_get(0x344), 0x280);
    hart_set_interrupt(&hart, IRQ_S_EXT, false);
    CHECK_EQ(csr_get(0x344), 0x080);
    CHECK_EQ(csr(0x344, OP_CSRRS, 0x200, true, NULL), EXC_NONE);
    hart_set_interrupt(&hart, IRQ_S_EXT, true);
    CHECK_EQ(csr(0x344, OP_CSRRC, 0x002, true, NULL), EXC_NONE);
    hart_set_interrupt(&hart, IRQ_S_EXT, false);
    CHECK_EQ(csr_get(0x344), 0x280); /* software SEIP survived the RMW */
    CHECK_EQ(csr_set(0x344, 0), EXC_NONE);
    hart_set_interrupt(&hart, IRQ_M_TIMER, false);
    CHECK_EQ(csr_set(0x303, 0x20), EXC_NONE); /* delegate STI only */
    CHECK_EQ(csr_get(0x104), 0x20);
    CHECK_EQ(csr_set(0x104, 0), EXC_NONE);
    CHECK_EQ(csr_get(0x304), 0xa8a);
    CHECK_EQ(csr_set(0x344, 0x22), EXC_NONE);
    CHECK_EQ(csr_get(0x144), 0x20);
    CHECK_EQ(csr_set(0x303, 0x222), EXC_NONE);
    CHECK_EQ(csr_set(0x144, 0), EXC_NONE); /* SSIP writable, STIP not */
    CHECK_EQ(csr_get(0x144), 0x20);
    /* tvec modes and epc alignment. */
    CHECK_EQ(csr_set(0x305, 0x80000001), EXC_NONE);
    CHECK_EQ(csr_set(0x305, 0x80000102), EXC_NONE);
    CHECK_EQ(csr_get(0x305), 0x80000101);
    CHECK_EQ(csr_set(0x341, 0x80000003), EXC_NONE);
    CHECK_EQ(csr_get(0x341), 0x80000002);
    /* Envcfg: FIOM only; counteren 32 bits. */
    CHECK_EQ(csr_set(0x30a, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x30a), 1);
    CHECK_EQ(csr_set(0x10a, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x10a), 1);
    CHECK_EQ(csr_set(0x306, ~0ull), EXC_NONE);
    CHECK_EQ(csr_get(0x306), 0xffffffffull);
    /* Debug read: no privilege checks, false for missing CSRs. */
    hart.priv = PRIV_U;
    CHECK(hart_csr_read_debug(&hart, 0x300, &v));
    CHECK(!hart_csr_read_debug(&hart, 0x7a0, &v));
}

static void test_traps(void)
{
    reset_hart();
    hart.stvec = 0x80001000;
    hart.mtvec = 0x80002001; /* vectored */
    hart.medeleg = 1u << EXC_ECALL_U | 1u << EXC_LOAD_PAGE_FAULT;
    hart.mideleg = 0x222;
    /* ecall from U goes to S. */
    trap_set_priv(&hart, PRIV_U);
    hart.mstatus |= MSTATUS_SIE;
    hart.pc = 0x1234;
    hart.reservation_valid = true;
    hart.wfi = true;
    trap_exception(&hart, EXC_ECALL_U, 0);
    CHECK_EQ(hart.priv, PRIV_S);
    CHECK_EQ(hart.pc, 0x80001000);
    CHECK_EQ(hart.sepc, 0x1234);
    CHECK_EQ(hart.scause, 8);
    CHECK(!(hart.mstatus & MSTATUS_SPP));
    CHECK(hart.mstatus & MSTATUS_SPIE);
    CHECK(!(hart.mstatus & MSTATUS_SIE));
    CHECK(!hart.reservation_valid);
    CHECK(!hart.wfi);
    /* Delegated page fault in S stays in S, SPP = S. */
    hart.pc = 0x5678;
    trap_exception(&hart, EXC_LOAD_PAGE_FAULT, 0xdead);
    CHECK_EQ(hart.stval, 0xdead);
    CHECK(hart.mstatus & MSTATUS_SPP);
    /* Non-delegated from S goes to M (exceptions ignore vectoring). */
    hart.mstatus |= MSTATUS_MIE;
    trap_exception(&hart, EXC_ILLEGAL_INSN, 0x13);
    CHECK_EQ(hart.priv, PRIV_M);
    CHECK_EQ(hart.pc, 0x80002000);
    CHECK_EQ(hart.mcause, 2);
    CHECK_EQ(hart.mtval, 0x13);
    CHECK_EQ((hart.mstatus >> 11) & 3, PRIV_S);
    CHECK(hart.mstatus & MSTATUS_MPIE);
    CHECK(!(hart.mstatus & MSTATUS_MIE));
    /* Delegated exceptions raised in M stay in M. */
    trap_exception(&hart, EXC_LOAD_PAGE_FAULT, 0);
    CHECK_EQ(hart.mcause, 13);
    CHECK_EQ((hart.mstatus >> 11) & 3, PRIV_M);
    /* mret back to S; MPRV cleared. */
    hart.mstatus = (hart.mstatus & ~MSTATUS_MPP) | (1ull << 11) | MSTATUS_MPRV | MSTATUS_MPIE;
    hart.mepc = 0x4000;
    CHECK(trap_mret(&hart));
    CHECK_EQ(hart.priv, PRIV_S);
    CHECK_EQ(hart.pc, 0x4000);
    CHECK(!(hart.mstatus & MSTATUS_MPRV));
    CHECK(hart.mstatus & MSTATUS_MIE);
    CHECK_EQ((hart.mstatus >> 11) & 3, PRIV_U);
    CHECK(!trap_mret(&hart));
    /* sret: TSR, and illegal in U. */
    hart.mstatus |= MSTATUS_TSR;
    CHECK(!trap_sret(&hart));
    hart.mstatus &= ~MSTATUS_TSR;
    hart.mstatus &= ~MSTATUS_SPP;
    hart.sepc = 0x9000;
    CHECK(trap_sret(&hart));
    CHECK_EQ(hart.priv, PRIV_U);
    CHECK_EQ(hart.pc, 0x9000);
    CHECK(!trap_sret(&hart));

    /* Interrupts. In U, a delegated STI goes to S (stvec vectored). */
    hart.stvec = 0x80001001;
    hart.mie = 0xaaa;
    hart.mstatus &= ~(MSTATUS_SIE | MSTATUS_MIE);
    hart_set_interrupt(&hart, IRQ_S_TIMER, true);
    CHECK(hart_interrupt_pending(&hart));
    CHECK(trap_check_interrupts(&hart));
    CHECK_EQ(hart.priv, PRIV_S);
    CHECK_EQ(hart.scause, (1ull << 63) | 5);
    CHECK_EQ(hart.pc, 0x80001000 + 4 * 5);
    /* In S with SIE = 0: not taken; SIE = 1: taken. */
    CHECK(!trap_check_interrupts(&hart));
    CHECK(hart_wakeup_pending(&hart));
    hart.mstatus |= MSTATUS_SIE;
    CHECK(hart_interrupt_pending(&hart));
    /* M-level interrupts win over S-level ones, whatever MIE in S. */
    hart_set_interrupt(&hart, IRQ_M_TIMER, true);
    hart_set_interrupt(&hart, IRQ_M_SOFT, true);
    CHECK(trap_check_interrupts(&hart));
    CHECK_EQ(hart.priv, PRIV_M);
    CHECK_EQ(hart.mcause, (1ull << 63) | 3);
    CHECK_EQ(hart.pc, 0x80002000 + 4 * 3);
    /* In M with MIE = 0 nothing is taken; delegated ones never in M. */
    CHECK(!hart_interrupt_pending(&hart));
    hart_set_interrupt(&hart, IRQ_M_TIMER, false);
    hart_set_interrupt(&hart, IRQ_M_SOFT, false);
    hart.mstatus |= MSTATUS_MIE | MSTATUS_SIE;
    CHECK(!hart_interrupt_pending(&hart));
    CHECK(hart_wakeup_pending(&hart));
    hart_set_interrupt(&hart, IRQ_M_EXT, true);
    hart_set_interrupt(&hart, IRQ_M_TIMER, true);
    CHECK(trap_check_interrupts(&hart));
    CHECK_EQ(hart.mcause, (1ull << 63) | 11);
    hart_set_interrupt(&hart, IRQ_M_EXT, false);
    hart_set_interrupt(&hart, IRQ_M_TIMER, false);
    /* S-level order: SEI, SSI, STI; taken from U whatever SIE. */
    trap_set_priv(&hart, PRIV_U);
    hart.mstatus &= ~MSTATUS_SIE;
    hart_set_interrupt(&hart, IRQ_S_EXT, true);
    hart.mip |= 1u << IRQ_S_SOFT;
    CHECK(trap_check_interrupts(&hart));
    CHECK_EQ(hart.scause, (1ull << 63) | 9);
    hart_set_interrupt(&hart, IRQ_S_EXT, false);
    trap_set_priv(&hart, PRIV_U);
    CHECK(trap_check_interrupts(&hart));
    CHECK_EQ(hart.scause, (1ull << 63) | 1);
    /* mie gates everything, including wfi wake-up. */
    hart.mie = 0;
    trap_set_priv(&hart, PRIV_U);
    CHECK(!hart_interrupt_pending(&hart));
    CHECK(!hart_wakeup_pending(&hart));
}

int main(void)
{
    if (!bus_init(&bus, RAM_BASE, RAM_SIZE)) {
        printf("FAIL: bus_init\n");
        return 1;
    }
    bus_set_code_write_hook(&bus, note_code_write, NULL);
    test_sv39_basic();
    test_pte_rules();
    test_superpages();
    test_sv48_sv57();
    test_satp_warl();
    test_misaligned_and_mmio();
    test_pmp();
    test_csr_rules();
    test_traps();
    bus_free(&bus);
    if (failures) {
        printf("test_mmu: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_mmu: ok\n");
    return 0;
}
