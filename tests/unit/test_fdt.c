/* The virt board's device tree, boot ROM and loaders. */
#include <elf.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board/loader.h"
#include "board/virt.h"

#include "unit/check.h"


static bool has_compatible(const void *fdt, const char *path, const char *compat)
{
    int node = fdt_path_offset(fdt, path);
    return node >= 0 && fdt_node_check_compatible(fdt, node, compat) == 0;
}

static uint32_t get_u32(const void *fdt, const char *path, const char *prop)
{
    int node = fdt_path_offset(fdt, path);
    int len;
    const fdt32_t *p = node >= 0 ? fdt_getprop(fdt, node, prop, &len) : NULL;
    return p && len >= 4 ? fdt32_to_cpu(p[0]) : 0xffffffffu;
}

static const char *get_str(const void *fdt, const char *path, const char *prop)
{
    int node = fdt_path_offset(fdt, path);
    return node >= 0 ? fdt_getprop(fdt, node, prop, NULL) : NULL;
}

static bool segment_ok(void *opaque, uint64_t paddr, const uint8_t *data, uint64_t filesz,
                       uint64_t memsz, char *err, size_t err_size)
{
    (*(int *)opaque)++;
    return true;
}

static void test_elf_validation(void)
{
    uint8_t file[512];
    memset(file, 0, sizeof(file));
    Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_type = ET_EXEC;
    eh->e_machine = 243;
    eh->e_entry = 0xffffffff80000800ull;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 1;
    Elf64_Phdr *ph = (Elf64_Phdr *)(file + sizeof(Elf64_Ehdr));
    ph->p_type = PT_LOAD;
    ph->p_offset = 256;
    ph->p_filesz = 256;
    ph->p_memsz = 4096;
    ph->p_vaddr = 0xffffffff80000000ull;
    ph->p_paddr = 0x80200000;
    uint64_t entry, lo, hi;
    char err[128];
    int segments = 0;
    CHECK(loader_load_elf(file, sizeof(file), segment_ok, &segments, &entry, &lo, &hi, err,
                          sizeof(err)));
    CHECK(segments == 1 && entry == 0x80200800 && lo == 0x80200000 && hi == 0x80201000);
    ph->p_filesz = 257; /* past the end of the file */
    CHECK(!loader_load_elf(file, sizeof(file), segment_ok, &segments, &entry, &lo, &hi, err,
                           sizeof(err)));
    ph->p_filesz = 256;
    eh->e_phnum = 1000; /* table past the end */
    CHECK(!loader_load_elf(file, sizeof(file), segment_ok, &segments, &entry, &lo, &hi, err,
                           sizeof(err)));
    eh->e_phnum = 1;
    eh->e_machine = 62;
    CHECK(!loader_load_elf(file, sizeof(file), segment_ok, &segments, &entry, &lo, &hi, err,
                           sizeof(err)));
    CHECK(!loader_load_elf(file, 10, segment_ok, &segments, &entry, &lo, &hi, err, sizeof(err)));
}

int main(void)
{
    /* boot ROM: QEMU's reset vector words */
    uint8_t rom[VIRT_MROM_SIZE];
    virt_write_boot_rom(rom, 0x80000000, 0x87e00000, 0x80200000);
    static const uint32_t expected[6] = { 0x00000297, 0x02828613, 0xf1402573,
                                          0x0202b583, 0x0182b283, 0x00028067 };
    for (int i = 0; i < 6; i++) {
        uint32_t w;
        memcpy(&w, rom + 4 * i, 4);
        CHECK(w == expected[i]);
    }
    uint64_t q[8];
    memcpy(q, rom + 24, sizeof(q));
    CHECK(q[0] == 0x80000000 && q[1] == 0x87e00000);
    CHECK(q[2] == 0x4942534f && q[3] == 2 && q[4] == 0x80200000 && q[5] == 1 && q[6] == 0 &&
          q[7] == 0);

    test_elf_validation();

    /* a minimal RISC-V Linux Image and an initrd */
    char image[] = "/tmp/deja-test-image-XXXXXX";
    char initrd[] = "/tmp/deja-test-initrd-XXXXXX";
    int image_fd = mkstemp(image), initrd_fd = mkstemp(initrd);
    uint8_t header[64] = { 0 };
    memcpy(header + 0x38, "RSC\x05", 4);
    CHECK(image_fd >= 0 && write(image_fd, header, sizeof(header)) == sizeof(header));
    CHECK(initrd_fd >= 0 && write(initrd_fd, "0707", 4) == 4);
    close(image_fd);
    close(initrd_fd);

    VirtConfig config = {
        .kernel = image,
        .initrd = initrd,
        .ram_size = 128 << 20,
        .hart_count = 2,
        .bios = "none",
        .append = "console=ttyS0 earlycon",
        .icount_shift = 2,
    };
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL);
    if (!m)
        return 1;
    const void *fdt = m->fdt;
    CHECK(fdt_check_header(fdt) == 0);
    CHECK(m->fdt_addr == 0x87e00000);
    CHECK(strcmp(get_str(fdt, "/", "compatible"), "riscv-virtio") == 0);
    CHECK(get_u32(fdt, "/cpus", "timebase-frequency") == 10000000);
    CHECK(has_compatible(fdt, "/cpus/cpu@1", "riscv"));
    CHECK(strcmp(get_str(fdt, "/cpus/cpu@0", "riscv,isa"), "rv64imafdc_zicsr_zifencei_zicntr") ==
          0);
    CHECK(strcmp(get_str(fdt, "/cpus/cpu@0", "mmu-type"), "riscv,sv57") == 0);
    CHECK(has_compatible(fdt, "/cpus/cpu@1/interrupt-controller", "riscv,cpu-intc"));
    CHECK(fdt_path_offset(fdt, "/cpus/cpu@2") < 0);
    CHECK(has_compatible(fdt, "/soc/clint@2000000", "riscv,clint0"));
    CHECK(has_compatible(fdt, "/soc/plic@c000000", "riscv,plic0"));
    CHECK(get_u32(fdt, "/soc/plic@c000000", "riscv,ndev") == 95);
    CHECK(has_compatible(fdt, "/soc/serial@10000000", "ns16550a"));
    CHECK(get_u32(fdt, "/soc/serial@10000000", "interrupts") == 10);
    CHECK(has_compatible(fdt, "/soc/rtc@101000", "google,goldfish-rtc"));
    CHECK(get_u32(fdt, "/soc/rtc@101000", "interrupts") == 11);
    CHECK(has_compatible(fdt, "/soc/test@100000", "syscon"));
    CHECK(has_compatible(fdt, "/soc/virtio_mmio@10008000", "virtio,mmio"));
    CHECK(get_u32(fdt, "/soc/virtio_mmio@10008000", "interrupts") == 8);
    CHECK(has_compatible(fdt, "/poweroff", "syscon-poweroff"));
    CHECK(get_u32(fdt, "/poweroff", "value") == 0x5555);
    CHECK(get_u32(fdt, "/reboot", "value") == 0x7777);
    CHECK(get_u32(fdt, "/poweroff", "regmap") == get_u32(fdt, "/soc/test@100000", "phandle"));
    CHECK(get_u32(fdt, "/soc/serial@10000000", "interrupt-parent") ==
          get_u32(fdt, "/soc/plic@c000000", "phandle"));
    CHECK(strcmp(get_str(fdt, "/chosen", "bootargs"), "console=ttyS0 earlycon") == 0);
    CHECK(strcmp(get_str(fdt, "/chosen", "stdout-path"), "/soc/serial@10000000") == 0);
    CHECK(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "rng-seed", NULL) == NULL);
    {
        /* initrd at kernel + min(RAM/2, 128 MiB), as QEMU places it */
        int len;
        const fdt64_t *start =
            fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-start", &len);
        const fdt64_t *end =
            fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-end", NULL);
        CHECK(start && len == 8 && fdt64_ld(start) == 0x84000000);
        CHECK(end && fdt64_ld(end) == 0x84000004);
    }
    {
        int len;
        const fdt32_t *reg =
            fdt_getprop(fdt, fdt_path_offset(fdt, "/memory@80000000"), "reg", &len);
        CHECK(reg && len == 16 && fdt32_to_cpu(reg[1]) == 0x80000000 &&
              fdt32_to_cpu(reg[3]) == 128 << 20);
    }
    /* the tree is in guest RAM; the harts start at the ROM's reset vector,
     * whose six instructions leave a0 = hartid, a1 = fdt, a2 =
     * &fw_dynamic_info, t0 = start and jump there */
    uint32_t magic;
    CHECK(bus_dma_read(&m->bus, m->fdt_addr, &magic, 4) && magic == 0xedfe0dd0);
    CHECK(m->harts[1]->pc == 0x1000 && m->harts[1]->x[10] == 0 && m->harts[1]->instret == 0);
    CHECK(hart_run(m->harts[1], 6) == HART_STOP_BUDGET);
    CHECK(m->harts[1]->pc == 0x80000000 && m->harts[1]->x[10] == 1 &&
          m->harts[1]->x[11] == 0x87e00000 && m->harts[1]->x[12] == 0x1028 &&
          m->harts[1]->x[5] == 0x80000000 && m->harts[1]->instret == 6);
    uint64_t v;
    CHECK(bus_read(&m->bus, 0x1028, 8, &v) && v == 0x4942534f);
    CHECK(bus_read(&m->bus, 0x10001000, 4, &v) && v == 0x74726976);
    CHECK(bus_read(&m->bus, 0x10008008, 4, &v) && v == 0);

    /* dumpdtb output decompiles with dtc (skipped if dtc is missing) */
    char path[] = "/tmp/deja-test-fdt-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        CHECK(virt_dump_fdt(m, path));
        if (system("command -v dtc >/dev/null 2>&1") == 0) {
            char cmd[256];
            snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts %s >/dev/null", path);
            CHECK(system(cmd) == 0);
        }
        unlink(path);
    }
    virt_destroy(m);

    /* a -dtb that is not a device tree is refused */
    char bad[] = "/tmp/deja-test-baddtb-XXXXXX";
    fd = mkstemp(bad);
    if (fd >= 0) {
        CHECK(write(fd, "not a device tree at all", 24) == 24);
        close(fd);
        config.dtb = bad;
        fprintf(stderr, "(an error message about -dtb is expected here)\n");
        CHECK(virt_create(&config) == NULL);
        unlink(bad);
    }
    unlink(image);
    unlink(initrd);

    if (failures)
        printf("test_fdt: %d failure(s)\n", failures);
    return failures != 0;
}
