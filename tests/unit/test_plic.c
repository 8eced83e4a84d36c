/* PLIC: priorities, enables, threshold, claim/complete, level gateway. */
#include <stdio.h>

#include "dev/plic.h"

#include "unit/check.h"


static bool line_level[4];
static void line_set(void *opaque, int n, bool level)
{
    line_level[n] = level;
}

static uint32_t rd(Plic *p, uint64_t off)
{
    uint64_t v = 0;
    if (!plic_read(p, off, 4, &v))
        return 0xdeadbeef;
    return (uint32_t)v;
}

static void wr(Plic *p, uint64_t off, uint32_t v)
{
    plic_write(p, off, 4, v);
}

int main(void)
{
    Plic plic;
    plic_init(&plic, PLIC_BASE, 2);
    for (int c = 0; c < 4; c++)
        plic_connect(&plic, c, (IrqLine){ line_set, NULL, c });
    plic_reset(&plic);

    /* priority is 3 bits; source 0 is reserved */
    wr(&plic, 4 * 10, 0xff);
    CHECK(rd(&plic, 4 * 10) == 7);
    wr(&plic, 0, 5);
    CHECK(rd(&plic, 0) == 0);
    CHECK(rd(&plic, 4 * 95) == 0);

    IrqLine uart = plic_input(&plic, 10);
    irq_set(uart, true);
    CHECK(rd(&plic, PLIC_PENDING) == 1u << 10);
    CHECK(!line_level[1]); /* not enabled yet */

    /* enable for context 1 (hart 0 S-mode) */
    wr(&plic, PLIC_ENABLE + PLIC_ENABLE_STRIDE * 1, (1u << 10) | 1u);
    CHECK(rd(&plic, PLIC_ENABLE + PLIC_ENABLE_STRIDE * 1) == 1u << 10); /* bit 0 read-only */
    CHECK(line_level[1] && !line_level[0]);

    /* threshold masks priorities <= threshold */
    wr(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1, 7);
    CHECK(!line_level[1]);
    CHECK(rd(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4) == 0); /* nothing claimable */
    wr(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1, 6);
    CHECK(line_level[1]);

    /* claim clears pending; the level source stays quiet until completed */
    CHECK(rd(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4) == 10);
    CHECK(rd(&plic, PLIC_PENDING) == 0);
    CHECK(!line_level[1]);
    irq_set(uart, true);
    CHECK(rd(&plic, PLIC_PENDING) == 0);
    /* complete with the line still high: pending again */
    wr(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4, 10);
    CHECK(rd(&plic, PLIC_PENDING) == 1u << 10);
    CHECK(line_level[1]);
    /* line drops before the claim: request withdrawn */
    irq_set(uart, false);
    CHECK(rd(&plic, PLIC_PENDING) == 0 && !line_level[1]);

    /* highest priority wins, ties go to the lower id */
    wr(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1, 0);
    wr(&plic, 4 * 3, 2);
    wr(&plic, 4 * 5, 2);
    wr(&plic, 4 * 40, 3);
    wr(&plic, PLIC_ENABLE + PLIC_ENABLE_STRIDE * 1, (1u << 3) | (1u << 5));
    wr(&plic, PLIC_ENABLE + PLIC_ENABLE_STRIDE * 1 + 4, 1u << (40 - 32));
    plic_set_source(&plic, 5, true);
    plic_set_source(&plic, 3, true);
    plic_set_source(&plic, 40, true);
    CHECK(rd(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4) == 40);
    CHECK(rd(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4) == 3);
    CHECK(rd(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4) == 5);
    CHECK(rd(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 1 + 4) == 0);
    /* completion of a source not enabled in that context is ignored */
    wr(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 0 + 4, 3);
    CHECK(rd(&plic, PLIC_PENDING) == 0);

    /* garbage: out-of-range contexts, odd sizes, never crash */
    uint64_t v;
    CHECK(plic_read(&plic, PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * 100 + 4, 4, &v) && v == 0);
    CHECK(plic_write(&plic, PLIC_ENABLE + PLIC_ENABLE_STRIDE * 99, 4, ~0u));
    CHECK(!plic_read(&plic, 0, 8, &v));
    plic_set_source(&plic, 0, true);
    plic_set_source(&plic, 96, true);
    plic_set_source(&plic, -1, true);

    if (failures)
        printf("test_plic: %d failure(s)\n", failures);
    return failures != 0;
}
