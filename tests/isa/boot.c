/* Boot contract of the virt board for a bare-metal -kernel ELF: entry in
 * M-mode with a0 = hart id and a1 = the device tree, and the device tree
 * describing the board as QEMU's virt does (memory, timebase, UART, CLINT,
 * PLIC, test finisher, RTC, virtio-mmio slots, /chosen stdout-path). */
#include "ops.h"

static u32 be32(const void *p)
{
    const uint8_t *b = p;
    return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static int str_starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* True if the string list (NUL-separated, len bytes) contains want. */
static int list_has(const char *list, u32 len, const char *want)
{
    for (u32 i = 0; i < len;) {
        if (str_eq(list + i, want))
            return 1;
        i += (u32)str_len(list + i) + 1;
    }
    return 0;
}

struct findings {
    int root_compatible, memory_reg, timebase, serial, serial_compatible, clint, plic;
    int test_dev, rtc, virtio_slots, stdout_path, cpu0, cpus;
    const char *isa;
    const char *mmu_type;
};

static void walk(const uint8_t *fdt, struct findings *f)
{
    const uint8_t *structs = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    const char *path[16] = { 0 };
    int depth = -1;
    const uint8_t *p = structs;
    for (;;) {
        u32 token = be32(p);
        p += 4;
        if (token == 1) { /* begin node */
            const char *name = (const char *)p;
            depth++;
            if (depth < 16)
                path[depth] = name;
            p += (str_len(name) + 4) & ~3UL;
            if (depth == 1 && str_eq(name, "cpus"))
                f->cpus = 1;
            if (depth == 2 && str_eq(name, "cpu@0") && str_eq(path[1], "cpus"))
                f->cpu0 = 1;
            if (str_eq(name, "serial@10000000"))
                f->serial = 1;
            if (str_starts(name, "clint@2000000"))
                f->clint = 1;
            if (str_starts(name, "plic@c000000") || str_starts(name, "interrupt-controller@c000000"))
                f->plic = 1;
            if (str_eq(name, "test@100000"))
                f->test_dev = 1;
            if (str_eq(name, "rtc@101000"))
                f->rtc = 1;
            if (str_starts(name, "virtio_mmio@1000"))
                f->virtio_slots++;
        } else if (token == 2) {
            depth--;
        } else if (token == 3) {
            u32 len = be32(p), nameoff = be32(p + 4);
            const char *prop = strings + nameoff;
            const uint8_t *value = p + 8;
            p += 8 + ((len + 3) & ~3U);
            const char *node = depth >= 0 && depth < 16 ? path[depth] : "";
            if (depth == 0 && str_eq(prop, "compatible"))
                f->root_compatible = list_has((const char *)value, len, "riscv-virtio");
            if (depth == 1 && str_eq(node, "memory@80000000") && str_eq(prop, "reg") && len == 16)
                f->memory_reg = be32(value) == 0 && be32(value + 4) == 0x80000000 &&
                                be32(value + 8) == 0 && be32(value + 12) == 0x08000000;
            if (depth == 1 && str_eq(node, "cpus") && str_eq(prop, "timebase-frequency"))
                f->timebase = (int)be32(value);
            if (str_eq(node, "serial@10000000") && str_eq(prop, "compatible"))
                f->serial_compatible = list_has((const char *)value, len, "ns16550a");
            if (str_eq(node, "chosen") && str_eq(prop, "stdout-path"))
                f->stdout_path = str_starts((const char *)value, "/soc/serial@10000000");
            if (str_eq(node, "cpu@0") && str_eq(prop, "riscv,isa"))
                f->isa = (const char *)value;
            if (str_eq(node, "cpu@0") && str_eq(prop, "mmu-type"))
                f->mmu_type = (const char *)value;
        } else if (token == 4) {
            continue;
        } else {
            break; /* 9 = end, anything else = malformed */
        }
    }
}

/* crt0 leaves a0..a2 as the reset-vector ROM at 0x1000 set them: a2 is
 * the ROM's auipc result + 40, the fw_dynamic_info that follows its code. */
int main(u64 hartid, u64 fdt_address, u64 rom_a2)
{
    CHECK("a0 = hart id 0", hartid, 0);
    CHECK("a2 = &fw_dynamic_info (0x1000 + 40)", rom_a2, 0x1028);
    if (rom_a2 == 0x1028) {
        const volatile u64 *info = (const volatile u64 *)rom_a2;
        CHECK("fw_dynamic_info magic", info[0], 0x4942534f);
        CHECK("fw_dynamic_info version", info[1], 2);
        CHECK("fw_dynamic_info next_mode = S", info[3], 1);
    }
    rt_impl("device tree address", fdt_address);
    const uint8_t *fdt = (const uint8_t *)fdt_address;
    CHECK("a1 points at an FDT (magic)", be32(fdt), 0xd00dfeed);
    if (be32(fdt) != 0xd00dfeed)
        rt_exit();
    u32 total = be32(fdt + 4);
    CHECK("FDT size plausible", total > 256 && total < 0x100000, 1);
    CHECK("FDT version >= 17", be32(fdt + 20) >= 17, 1);
    struct findings f = { 0 };
    walk(fdt, &f);
    CHECK("root compatible has riscv-virtio", f.root_compatible, 1);
    CHECK("memory@80000000 reg = 128 MiB", f.memory_reg, 1);
    CHECK("cpus timebase-frequency", f.timebase, 10000000);
    CHECK("cpus/cpu@0 present", f.cpus && f.cpu0, 1);
    CHECK("serial@10000000 present", f.serial, 1);
    CHECK("serial compatible ns16550a", f.serial_compatible, 1);
    CHECK("clint@2000000 present", f.clint, 1);
    CHECK("plic at 0xc000000 present", f.plic, 1);
    CHECK("test@100000 present", f.test_dev, 1);
    CHECK("rtc@101000 present", f.rtc, 1);
    CHECK("8 virtio_mmio slots", f.virtio_slots, 8);
    CHECK("chosen stdout-path is the UART", f.stdout_path, 1);
    CHECK("riscv,isa starts with rv64imafdc", f.isa && str_starts(f.isa, "rv64imafdc"), 1);
    if (f.isa)
        rt_printf("[impl] riscv,isa: %s\n", f.isa);
    if (f.mmu_type)
        rt_printf("[impl] mmu-type: %s\n", f.mmu_type);
    return 0;
}
