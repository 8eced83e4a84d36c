/* Device tree of the virt board, after the nodes of QEMU's hw/riscv/virt.c.
 * The board writes the root, /cpus, /memory, /chosen and the syscon
 * poweroff/reboot nodes; each device in the list writes its own node in
 * /soc (Device.cls->fdt_node). */
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

#include "board/virt.h"

#define FDT_INITIAL_SIZE (64 * 1024)

static const char isa_string[] = "rv64imafdc_zicsr_zifencei_zicntr";
static const char isa_extensions[] = "i\0m\0a\0f\0d\0c\0zicsr\0zifencei\0zicntr";

static int fdt_reg64(void *fdt, uint64_t base, uint64_t size)
{
    fdt32_t reg[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
                       cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size) };
    return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int fdt_cpu_nodes(void *fdt, const DevFdtContext *ctx, const uint32_t *cpu_phandle)
{
    int err;
    if ((err = fdt_begin_node(fdt, "cpus")) || (err = fdt_property_u32(fdt, "#address-cells", 1)) ||
        (err = fdt_property_u32(fdt, "#size-cells", 0)) ||
        (err = fdt_property_u32(fdt, "timebase-frequency", CLOCK_TIMEBASE_HZ)))
        return err;
    for (int h = 0; h < ctx->hart_count; h++) {
        char name[32];
        snprintf(name, sizeof(name), "cpu@%d", h);
        if ((err = fdt_begin_node(fdt, name)) ||
            (err = fdt_property_u32(fdt, "phandle", cpu_phandle[h])) ||
            (err = fdt_property_string(fdt, "device_type", "cpu")) ||
            (err = fdt_property_u32(fdt, "reg", (uint32_t)h)) ||
            (err = fdt_property_string(fdt, "status", "okay")) ||
            (err = fdt_property_string(fdt, "compatible", "riscv")) ||
            (err = fdt_property_string(fdt, "riscv,isa", isa_string)) ||
            (err = fdt_property_string(fdt, "riscv,isa-base", "rv64i")) ||
            (err = fdt_property(fdt, "riscv,isa-extensions", isa_extensions,
                                sizeof(isa_extensions))) ||
            (err = fdt_property_string(fdt, "mmu-type", "riscv,sv57")))
            return err;
        if ((err = fdt_begin_node(fdt, "interrupt-controller")) ||
            (err = fdt_property_u32(fdt, "#address-cells", 0)) ||
            (err = fdt_property_u32(fdt, "#interrupt-cells", 1)) ||
            (err = fdt_property(fdt, "interrupt-controller", NULL, 0)) ||
            (err = fdt_property_string(fdt, "compatible", "riscv,cpu-intc")) ||
            (err = fdt_property_u32(fdt, "phandle", ctx->cpu_intc_phandle[h])) ||
            (err = fdt_end_node(fdt)) || (err = fdt_end_node(fdt)))
            return err;
    }
    if ((err = fdt_begin_node(fdt, "cpu-map")) || (err = fdt_begin_node(fdt, "cluster0")))
        return err;
    for (int h = 0; h < ctx->hart_count; h++) {
        char name[32];
        snprintf(name, sizeof(name), "core%d", h);
        if ((err = fdt_begin_node(fdt, name)) ||
            (err = fdt_property_u32(fdt, "cpu", cpu_phandle[h])) || (err = fdt_end_node(fdt)))
            return err;
    }
    if ((err = fdt_end_node(fdt)) || (err = fdt_end_node(fdt)))
        return err;
    return fdt_end_node(fdt);
}

static int fdt_syscon_node(void *fdt, const char *name, const char *compatible, uint32_t regmap,
                           uint32_t value)
{
    int err;
    if ((err = fdt_begin_node(fdt, name)) || (err = fdt_property_u32(fdt, "value", value)) ||
        (err = fdt_property_u32(fdt, "offset", 0)) ||
        (err = fdt_property_u32(fdt, "regmap", regmap)) ||
        (err = fdt_property_string(fdt, "compatible", compatible)))
        return err;
    return fdt_end_node(fdt);
}

static int fdt_chosen_node(void *fdt, VirtMachine *m)
{
    int err;
    char stdout_path[64];
    snprintf(stdout_path, sizeof(stdout_path), "/soc/serial@%" PRIx64, m->uart.base);
    if ((err = fdt_begin_node(fdt, "chosen")))
        return err;
    if (m->config.append && *m->config.append &&
        (err = fdt_property_string(fdt, "bootargs", m->config.append)))
        return err;
    if (m->initrd_end > m->initrd_start) {
        if ((err = fdt_property_u64(fdt, "linux,initrd-end", m->initrd_end)) ||
            (err = fdt_property_u64(fdt, "linux,initrd-start", m->initrd_start)))
            return err;
    }
    if ((err = fdt_property_string(fdt, "stdout-path", stdout_path)))
        return err;
    return fdt_end_node(fdt);
}

/* With several serial ports, /aliases fixes which is ttyS0, ttyS1...:
 * Linux's of_serial numbers ports by their serialN alias. QEMU's virt has
 * one port and no aliases, so a one-port tree stays identical to QEMU's. */
static int fdt_aliases_node(void *fdt, VirtMachine *m)
{
    if (m->serial_port_count < 2)
        return 0;
    int err;
    if ((err = fdt_begin_node(fdt, "aliases")))
        return err;
    for (int i = 0; i < m->serial_port_count; i++) {
        char name[16], path[64];
        snprintf(name, sizeof(name), "serial%d", i);
        snprintf(path, sizeof(path), "/soc/serial@%" PRIx64, m->serial_ports[i].uart->base);
        if ((err = fdt_property_string(fdt, name, path)))
            return err;
    }
    return fdt_end_node(fdt);
}

static int fdt_write_tree(void *fdt, int size, VirtMachine *m)
{
    DevFdtContext ctx = { .fdt = fdt, .hart_count = m->hart_count };
    uint32_t cpu_phandle[VIRT_MAX_HARTS];
    uint32_t next_phandle = 1;
    for (int h = 0; h < m->hart_count; h++) {
        cpu_phandle[h] = next_phandle++;
        ctx.cpu_intc_phandle[h] = next_phandle++;
    }
    ctx.plic_phandle = next_phandle++;
    ctx.test_phandle = next_phandle++;

    int err;
    if ((err = fdt_create(fdt, size)) || (err = fdt_finish_reservemap(fdt)) ||
        (err = fdt_begin_node(fdt, "")) || (err = fdt_property_u32(fdt, "#address-cells", 2)) ||
        (err = fdt_property_u32(fdt, "#size-cells", 2)) ||
        (err = fdt_property_string(fdt, "compatible", "riscv-virtio")) ||
        (err = fdt_property_string(fdt, "model", "riscv-virtio,qemu")))
        return err;
    if ((err = fdt_syscon_node(fdt, "poweroff", "syscon-poweroff", ctx.test_phandle,
                               SIFIVE_TEST_PASS)) ||
        (err =
             fdt_syscon_node(fdt, "reboot", "syscon-reboot", ctx.test_phandle, SIFIVE_TEST_RESET)))
        return err;
    if ((err = fdt_chosen_node(fdt, m)) || (err = fdt_aliases_node(fdt, m)))
        return err;
    char memory[32];
    snprintf(memory, sizeof(memory), "memory@%" PRIx64, m->bus.ram_base);
    if ((err = fdt_begin_node(fdt, memory)) ||
        (err = fdt_property_string(fdt, "device_type", "memory")) ||
        (err = fdt_reg64(fdt, m->bus.ram_base, m->bus.ram_size)) || (err = fdt_end_node(fdt)))
        return err;
    if ((err = fdt_cpu_nodes(fdt, &ctx, cpu_phandle)))
        return err;
    if ((err = fdt_begin_node(fdt, "soc")) || (err = fdt_property(fdt, "ranges", NULL, 0)) ||
        (err = fdt_property_string(fdt, "compatible", "simple-bus")) ||
        (err = fdt_property_u32(fdt, "#size-cells", 2)) ||
        (err = fdt_property_u32(fdt, "#address-cells", 2)))
        return err;
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        if (d->cls->fdt_node && (err = d->cls->fdt_node(d->state, &ctx)))
            return err;
    }
    if ((err = fdt_end_node(fdt)) || (err = fdt_end_node(fdt)))
        return err;
    return fdt_finish(fdt);
}

void *virt_build_fdt(VirtMachine *m)
{
    for (int size = FDT_INITIAL_SIZE; size <= (1 << 24); size *= 2) {
        void *fdt = malloc((size_t)size);
        if (!fdt)
            return NULL;
        int err = fdt_write_tree(fdt, size, m);
        if (err == 0)
            return fdt;
        free(fdt);
        if (err != -FDT_ERR_NOSPACE) {
            fprintf(stderr, "deja: building the device tree: %s\n", fdt_strerror(err));
            return NULL;
        }
    }
    return NULL;
}
