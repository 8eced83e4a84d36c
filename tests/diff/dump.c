/* Register dump for the random differential programs (gen.py): prints
 * every integer and FP register and fflags, one per line, then exits. */
#include "rt.h"

u64 diff_saved_sp;
u64 diff_saved_x[32];
u64 diff_saved_f[32];
u64 diff_saved_fflags;

__attribute__((noreturn)) void diff_dump(void)
{
    for (int i = 1; i < 32; i++)
        rt_printf("x%d 0x%016lx\n", i, diff_saved_x[i]);
    for (int i = 0; i < 32; i++)
        rt_printf("f%d 0x%016lx\n", i, diff_saved_f[i]);
    rt_printf("fflags 0x%lx\n", diff_saved_fflags);
    rt_puts("END\n");
    rt_exit_status(0);
}

/* Paging setup for the programs gen.py emits in supervisor/Sv39 mode:
 * identity gigapages for the devices (0..1 GiB) and RAM (2..3 GiB), and
 * the 8 KiB data area at DIFF_DATA_VA mapped with 4 KiB pages in swapped
 * order (VA page 0 -> PA page 1, VA page 1 -> PA page 0), so an access
 * crossing the middle of the data area touches two unrelated frames.
 * Returns the satp value; the generated code writes it and mrets to S. */
#define DIFF_DATA_VA 0x2000000000UL
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80

static u64 diff_tables[3][512] __attribute__((aligned(4096)));
extern char diff_data[];

static u64 table_pte(const void *table)
{
    return (((u64)table >> 12) << 10) | PTE_V;
}

u64 diff_setup_vm(void)
{
    u64 *root = diff_tables[0], *mid = diff_tables[1], *leaf = diff_tables[2];
    const u64 rw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
    root[0] = (0UL << 10) | rw;
    root[2] = ((0x80000000UL >> 12) << 10) | rw | PTE_X;
    root[(DIFF_DATA_VA >> 30) & 511] = table_pte(mid);
    mid[(DIFF_DATA_VA >> 21) & 511] = table_pte(leaf);
    u64 data = (u64)diff_data;
    leaf[(DIFF_DATA_VA >> 12) & 511] = (((data + 4096) >> 12) << 10) | rw;
    leaf[((DIFF_DATA_VA >> 12) + 1) & 511] = ((data >> 12) << 10) | rw;
    return (8UL << 60) | ((u64)root >> 12);
}
