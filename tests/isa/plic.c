/* External interrupts through the PLIC: the 16550's transmitter-empty
 * interrupt (source 10) raised by IER.ETBEI, seen as MEIP (context 0, hart
 * 0 M-mode) and SEIP (context 1, S-mode), priority/threshold masking, the
 * pending bits, claim/complete, and a taken machine external interrupt. */
#include "ops.h"

#define PLIC 0xc000000UL
#define PLIC_PRIORITY(src) (PLIC + 4 * (src))
#define PLIC_PENDING (PLIC + 0x1000)
#define PLIC_ENABLE(ctx) (PLIC + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC + 0x200004 + 0x1000 * (ctx))
#define UART_IRQ 10
#define MIP_SEIP (1UL << 9)
#define MIP_MEIP (1UL << 11)

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;
static volatile int externals_taken;
static volatile u32 claimed_in_handler;

/* Results are recorded and printed at the end: printing writes the
 * UART's THR, and with ETBEI set every transmitted character re-raises
 * the transmitter-empty interrupt, which would disturb the sequence. */
struct result { const char *name; u64 got, expected; };
static struct result results[32];
static int result_count;

static void record(const char *name, u64 got, u64 expected)
{
    if (result_count < 32)
        results[result_count++] = (struct result){ name, got, expected };
}

static void settle(void)
{
    for (volatile int i = 0; i < 1000; i++)
        ;
}

static int external_hook(struct rt_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | 11))
        return 0;
    u32 src = mmio_read32(PLIC_CLAIM(0));
    claimed_in_handler = src;
    uart[1] = 0; /* IER = 0: the source drops */
    mmio_write32(PLIC_CLAIM(0), src);
    externals_taken++;
    return 1;
}

int main(void)
{
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 1);
    record("priority readback", mmio_read32(PLIC_PRIORITY(UART_IRQ)), 1);
    mmio_write32(PLIC_ENABLE(0), 1U << UART_IRQ);
    record("enable readback", mmio_read32(PLIC_ENABLE(0)), 1U << UART_IRQ);
    mmio_write32(PLIC_THRESHOLD(0), 0);
    mmio_write32(PLIC_ENABLE(1), 0);
    record("no MEIP before IER", csr_read(mip) & MIP_MEIP, 0);

    /* Transmitter empty + ETBEI: the UART asserts its line. */
    uart[1] = 0x02;
    settle();
    record("UART source pending in PLIC", (mmio_read32(PLIC_PENDING) >> UART_IRQ) & 1, 1);
    record("MEIP set", (csr_read(mip) & MIP_MEIP) != 0, 1);

    /* Threshold >= priority masks it. */
    mmio_write32(PLIC_THRESHOLD(0), 1);
    settle();
    record("MEIP masked by threshold", csr_read(mip) & MIP_MEIP, 0);
    mmio_write32(PLIC_THRESHOLD(0), 0);
    settle();
    record("MEIP back", (csr_read(mip) & MIP_MEIP) != 0, 1);

    /* S context. */
    mmio_write32(PLIC_ENABLE(1), 1U << UART_IRQ);
    mmio_write32(PLIC_THRESHOLD(1), 0);
    settle();
    record("SEIP set through context 1", (csr_read(mip) & MIP_SEIP) != 0, 1);
    mmio_write32(PLIC_ENABLE(1), 0);
    settle();
    /* QEMU 7.2 leaves mip.SEIP set after the enable bit is cleared. */
    u64 seip_after_disable = csr_read(mip) & MIP_SEIP;

    /* Claim without taking the trap: returns the source, then nothing. */
    u32 src = mmio_read32(PLIC_CLAIM(0));
    record("claim returns UART source", src, UART_IRQ);
    record("claimed source no longer pending", (mmio_read32(PLIC_PENDING) >> UART_IRQ) & 1, 0);
    record("second claim returns 0", mmio_read32(PLIC_CLAIM(0)), 0);
    uart[1] = 0;
    mmio_write32(PLIC_CLAIM(0), src);
    settle();
    record("MEIP clear after IER = 0 and complete", csr_read(mip) & MIP_MEIP, 0);

    /* Take it as a machine external interrupt. */
    rt_hook_m = external_hook;
    csr_write(mie, 1UL << 11);
    csr_set(mstatus, MSTATUS_MIE);
    uart[1] = 0x02;
    for (int i = 0; i < 100000 && !externals_taken; i++)
        __asm__ volatile("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    record("external interrupt taken once", externals_taken, 1);
    record("handler claimed UART", claimed_in_handler, UART_IRQ);
    csr_write(mie, 0);
    rt_hook_m = 0;

    /* Priority 0 means never. */
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 0);
    uart[1] = 0x02;
    settle();
    record("priority 0 never interrupts", csr_read(mip) & MIP_MEIP, 0);
    uart[1] = 0;
    mmio_write32(PLIC_ENABLE(0), 0);
    for (int i = 0; i < result_count; i++)
        rt_check(results[i].name, results[i].got, results[i].expected);
    rt_impl("SEIP after context 1 disabled", seip_after_disable);
    return 0;
}
