/* Device-tree helpers shared by the device models (device.h). */
#include "dev/device.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>

int dev_fdt_begin_node(DevFdtContext *ctx, const char *name, uint64_t base)
{
    char node[64];
    snprintf(node, sizeof(node), "%s@%" PRIx64, name, base);
    return fdt_begin_node(ctx->fdt, node);
}

int dev_fdt_reg(DevFdtContext *ctx, uint64_t base, uint64_t size)
{
    fdt32_t reg[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
                       cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size) };
    return fdt_property(ctx->fdt, "reg", reg, sizeof(reg));
}

int dev_fdt_plic_irq(DevFdtContext *ctx, uint32_t irq)
{
    int err = fdt_property_u32(ctx->fdt, "interrupt-parent", ctx->plic_phandle);
    if (err)
        return err;
    return fdt_property_u32(ctx->fdt, "interrupts", irq);
}
