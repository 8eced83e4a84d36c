/* SiFive PLIC (plic.h), after the RISC-V PLIC specification 1.0.0. */
#include "dev/plic.h"

#include <libfdt.h>
#include <string.h>

static bool bit_get(const uint32_t *words, int n)
{
    return (words[n / 32] >> (n % 32)) & 1;
}

static void bit_put(uint32_t *words, int n, bool v)
{
    if (v)
        words[n / 32] |= 1u << (n % 32);
    else
        words[n / 32] &= ~(1u << (n % 32));
}

/* Highest-priority pending, enabled source above the threshold; ties go
 * to the lowest id (PLIC spec: "ties broken by lower ID"). 0 if none. */
static int plic_best_source(const Plic *plic, int context)
{
    int best = 0;
    uint32_t best_priority = plic->threshold[context];
    for (int w = 0; w < PLIC_WORDS; w++) {
        uint32_t bits = plic->pending[w] & plic->enable[context][w];
        while (bits) {
            int source = w * 32 + __builtin_ctz(bits);
            bits &= bits - 1;
            if (plic->priority[source] > best_priority) {
                best_priority = plic->priority[source];
                best = source;
            }
        }
    }
    return best;
}

static void plic_update(Plic *plic)
{
    for (int c = 0; c < plic->context_count; c++) {
        bool level = plic_best_source(plic, c) != 0;
        if (level != plic->output[c]) {
            plic->output[c] = level;
            irq_set(plic->context_line[c], level);
        }
    }
}

void plic_set_source(Plic *plic, int source, bool level)
{
    if (source <= 0 || source >= PLIC_SOURCES)
        return;
    bit_put(plic->level, source, level);
    /* Level-triggered gateway: a high line becomes pending unless a claim
     * is outstanding; a line going low withdraws a not-yet-claimed request. */
    if (!bit_get(plic->claimed, source))
        bit_put(plic->pending, source, level);
    plic_update(plic);
}

static void plic_irq_handler(void *opaque, int n, bool level)
{
    plic_set_source(opaque, n, level);
}

IrqLine plic_input(Plic *plic, int source)
{
    return (IrqLine){ .set = plic_irq_handler, .opaque = plic, .n = source };
}

void plic_init(Plic *plic, uint64_t base, int hart_count)
{
    memset(plic, 0, sizeof(*plic));
    plic->base = base;
    plic->hart_count = hart_count > DEV_MAX_HARTS ? DEV_MAX_HARTS : hart_count;
    plic->context_count = 2 * plic->hart_count;
}

void plic_connect(Plic *plic, int context, IrqLine line)
{
    if (context >= 0 && context < plic->context_count)
        plic->context_line[context] = line;
}

void plic_reset(Plic *plic)
{
    memset(plic->priority, 0, sizeof(plic->priority));
    memset(plic->pending, 0, sizeof(plic->pending));
    memset(plic->claimed, 0, sizeof(plic->claimed));
    memset(plic->enable, 0, sizeof(plic->enable));
    memset(plic->threshold, 0, sizeof(plic->threshold));
    /* Input levels survive: they belong to the devices, which reset too. */
    for (int s = 1; s < PLIC_SOURCES; s++)
        if (bit_get(plic->level, s))
            bit_put(plic->pending, s, true);
    /* The harts' mip was cleared by their reset: drive every output again. */
    for (int c = 0; c < plic->context_count; c++) {
        plic->output[c] = false;
        irq_set(plic->context_line[c], false);
    }
    plic_update(plic);
}

static uint32_t plic_claim(Plic *plic, int context)
{
    int source = plic_best_source(plic, context);
    if (source) {
        bit_put(plic->pending, source, false);
        bit_put(plic->claimed, source, true);
        plic_update(plic);
    }
    return (uint32_t)source;
}

static void plic_complete(Plic *plic, int context, uint32_t source)
{
    /* PLIC spec 1.0.0: a completion for a source not enabled for this
     * context is ignored. */
    if (source == 0 || source >= PLIC_SOURCES || !bit_get(plic->enable[context], (int)source))
        return;
    bit_put(plic->claimed, (int)source, false);
    if (bit_get(plic->level, (int)source))
        bit_put(plic->pending, (int)source, true);
    plic_update(plic);
}

bool plic_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    Plic *plic = opaque;
    if (size != 4)
        return false;
    *value = 0;
    if (offset < PLIC_PENDING) {
        if (offset / 4 < PLIC_SOURCES)
            *value = plic->priority[offset / 4];
    } else if (offset < PLIC_ENABLE) {
        uint64_t word = (offset - PLIC_PENDING) / 4;
        if (word < PLIC_WORDS)
            *value = plic->pending[word];
    } else if (offset < PLIC_CONTEXT) {
        uint64_t context = (offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
        uint64_t word = (offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
        if (context < (uint64_t)plic->context_count && word < PLIC_WORDS)
            *value = plic->enable[context][word];
    } else {
        uint64_t context = (offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
        uint64_t reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
        if (context < (uint64_t)plic->context_count) {
            if (reg == 0)
                *value = plic->threshold[context];
            else if (reg == 4)
                *value = plic_claim(plic, (int)context);
        }
    }
    return true;
}

bool plic_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    Plic *plic = opaque;
    if (size != 4)
        return false;
    uint32_t v = (uint32_t)value;
    if (offset < PLIC_PENDING) {
        uint64_t source = offset / 4;
        if (source > 0 && source < PLIC_SOURCES) {
            plic->priority[source] = v & PLIC_MAX_PRIORITY;
            plic_update(plic);
        }
    } else if (offset < PLIC_ENABLE) {
        /* Pending bits are read-only (driven by the gateways). */
    } else if (offset < PLIC_CONTEXT) {
        uint64_t context = (offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
        uint64_t word = (offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
        if (context < (uint64_t)plic->context_count && word < PLIC_WORDS) {
            plic->enable[context][word] = word == 0 ? v & ~1u : v; /* source 0 reserved */
            plic_update(plic);
        }
    } else {
        uint64_t context = (offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
        uint64_t reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
        if (context < (uint64_t)plic->context_count) {
            if (reg == 0) {
                plic->threshold[context] = v & PLIC_MAX_PRIORITY;
                plic_update(plic);
            } else if (reg == 4) {
                plic_complete(plic, (int)context, v);
            }
        }
    }
    return true;
}

static void plic_reset_opaque(void *state)
{
    plic_reset(state);
}

static int plic_fdt_node(void *state, DevFdtContext *ctx)
{
    Plic *plic = state;
    static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
    fdt32_t cells[DEV_MAX_HARTS * 4];
    int n = 0;
    for (int h = 0; h < ctx->hart_count && h < DEV_MAX_HARTS; h++) {
        cells[n++] = cpu_to_fdt32(ctx->cpu_intc_phandle[h]);
        cells[n++] = cpu_to_fdt32(11); /* M_EXT */
        cells[n++] = cpu_to_fdt32(ctx->cpu_intc_phandle[h]);
        cells[n++] = cpu_to_fdt32(9); /* S_EXT */
    }
    void *fdt = ctx->fdt;
    int err;
    if ((err = dev_fdt_begin_node(ctx, "plic", plic->base)) ||
        (err = fdt_property_u32(fdt, "phandle", ctx->plic_phandle)) ||
        (err = fdt_property_u32(fdt, "riscv,ndev", PLIC_SOURCES - 1)) ||
        (err = dev_fdt_reg(ctx, plic->base, PLIC_SIZE)) ||
        (err = fdt_property(fdt, "interrupts-extended", cells, n * sizeof(cells[0]))) ||
        (err = fdt_property(fdt, "interrupt-controller", NULL, 0)) ||
        (err = fdt_property(fdt, "compatible", compat, sizeof(compat))) ||
        (err = fdt_property_u32(fdt, "#address-cells", 0)) ||
        (err = fdt_property_u32(fdt, "#interrupt-cells", 1)))
        return err;
    return fdt_end_node(fdt);
}

static void plic_save(void *state, StateWriter *w)
{
    const Plic *plic = state;
    state_put_u32(w, (uint32_t)plic->context_count);
    for (int i = 0; i < PLIC_SOURCES; i++)
        state_put_u32(w, plic->priority[i]);
    for (int i = 0; i < PLIC_WORDS; i++) {
        state_put_u32(w, plic->level[i]);
        state_put_u32(w, plic->pending[i]);
        state_put_u32(w, plic->claimed[i]);
    }
    for (int c = 0; c < plic->context_count; c++) {
        for (int i = 0; i < PLIC_WORDS; i++)
            state_put_u32(w, plic->enable[c][i]);
        state_put_u32(w, plic->threshold[c]);
        state_put_bool(w, plic->output[c]);
    }
}

static bool plic_load(void *state, StateReader *r)
{
    Plic *plic = state;
    if (state_get_u32(r) != (uint32_t)plic->context_count)
        return false;
    Plic tmp = *plic;
    for (int i = 0; i < PLIC_SOURCES; i++)
        tmp.priority[i] = state_get_u32(r);
    for (int i = 0; i < PLIC_WORDS; i++) {
        tmp.level[i] = state_get_u32(r);
        tmp.pending[i] = state_get_u32(r);
        tmp.claimed[i] = state_get_u32(r);
    }
    for (int c = 0; c < plic->context_count; c++) {
        for (int i = 0; i < PLIC_WORDS; i++)
            tmp.enable[c][i] = state_get_u32(r);
        tmp.threshold[c] = state_get_u32(r);
        tmp.output[c] = state_get_bool(r);
    }
    if (r->failed)
        return false;
    *plic = tmp;
    return true;
}

const DeviceClass plic_class = {
    .name = "plic",
    .read = plic_read,
    .write = plic_write,
    .reset = plic_reset_opaque,
    .fdt_node = plic_fdt_node,
    .save = plic_save,
    .load = plic_load,
};
