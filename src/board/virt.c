/* The virt board: devices, harts, boot, scheduler (virt.h). */
#include "board/virt.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board/loader.h"
#include "board/virt_input.h"
#include "board/virt_seek.h"
#include "board/virt_snapshot.h"
#include "monitor/hmp.h"
#include "monitor/qmp.h"
#include "gdb/gdbstub.h"
#include "util/message.h"

#define MiB (1ull << 20)
/* riscv_compute_fdt_addr: the tree goes below min(DRAM end, 3 GiB). */
#define VIRT_FDT_LIMIT 0xc0000000ull
#define VIRT_FDT_ALIGN (2 * MiB)
#define VIRT_KERNEL_ALIGN (2 * MiB)
#define VIRT_INITRD_MAX_OFFSET (128 * MiB)
/* fw_dynamic_info sits right after the 10 words of reset vector. */
#define VIRT_ROM_RESET_VECTOR_SIZE 40
#define FW_DYNAMIC_INFO_MAGIC 0x4942534full
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_INFO_NEXT_MODE_S 1

uint64_t virt_host_time_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- boot ROM -------------------------------------------------------- */

static uint32_t encode_i_type(uint32_t opcode, uint32_t rd, uint32_t funct3, uint32_t rs1,
                              int32_t imm)
{
    return ((uint32_t)imm << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void virt_write_boot_rom(uint8_t *rom, uint64_t start_addr, uint64_t fdt_addr, uint64_t next_addr)
{
    enum { T0 = 5, A0 = 10, A1 = 11, A2 = 12, CSR_MHARTID = 0xf14 };
    /* QEMU's reset vector (hw/riscv/boot.c): a0 = hartid, a1 = fdt,
     * a2 = &fw_dynamic_info, then jump to the firmware (or kernel). */
    const uint32_t code[6] = {
        0x17 | (T0 << 7),                                           /* auipc t0, 0 */
        encode_i_type(0x13, A2, 0, T0, VIRT_ROM_RESET_VECTOR_SIZE), /* addi a2, t0, 40 */
        encode_i_type(0x73, A0, 2, 0, CSR_MHARTID),                 /* csrr a0, mhartid */
        encode_i_type(0x03, A1, 3, T0, 32),                         /* ld a1, 32(t0) */
        encode_i_type(0x03, T0, 3, T0, 24),                         /* ld t0, 24(t0) */
        encode_i_type(0x67, 0, 0, T0, 0),                           /* jr t0 */
    };
    memset(rom, 0, VIRT_MROM_SIZE);
    for (int i = 0; i < 6; i++)
        put_le32(rom + 4 * i, code[i]);
    put_le64(rom + 24, start_addr);
    put_le64(rom + 32, fdt_addr);
    /* struct fw_dynamic_info (OpenSBI include/sbi/fw_dynamic.h), 6 longs. */
    uint8_t *info = rom + VIRT_ROM_RESET_VECTOR_SIZE;
    put_le64(info + 0, FW_DYNAMIC_INFO_MAGIC);
    put_le64(info + 8, FW_DYNAMIC_INFO_VERSION);
    put_le64(info + 16, next_addr);
    put_le64(info + 24, FW_DYNAMIC_INFO_NEXT_MODE_S);
    put_le64(info + 32, 0); /* options */
    put_le64(info + 40, 0); /* boot_hart */
}

/* ---- wiring callbacks ---------------------------------------------- */

static void virt_hart_irq(void *opaque, int irq, bool level)
{
    hart_set_interrupt(opaque, irq, level);
}

static IrqLine virt_hart_line(Hart *h, int irq)
{
    return (IrqLine){ .set = virt_hart_irq, .opaque = h, .n = irq };
}

static uint64_t virt_read_time(void *opaque, Hart *hart)
{
    VirtMachine *m = opaque;
    return clint_mtime_at(&m->clint, hart_machine_icount(hart));
}

static uint64_t virt_current_icount(void *opaque)
{
    VirtMachine *m = opaque;
    return m->running ? hart_machine_icount(m->running) : m->clock.machine_icount;
}

/* A device armed a timer: if it falls inside the running slice, end the
 * slice at this (MMIO) instruction so the next one is cut at the deadline. */
static void virt_deadline_changed(void *opaque)
{
    VirtMachine *m = opaque;
    if (m->running && clock_next_deadline_icount(&m->clock) < m->slice_end_icount)
        hart_request_stop(m->running);
}

static void virt_serial_flush(VirtSerialPort *port)
{
    if (port->output_len && port->chardev)
        chardev_write(port->chardev, port->output, port->output_len);
    port->output_len = 0;
}

static void virt_output_flush(VirtMachine *m)
{
    for (int i = 0; i < m->serial_port_count; i++)
        virt_serial_flush(&m->serial_ports[i]);
}

static void virt_uart_transmit(void *opaque, uint8_t byte)
{
    VirtSerialPort *port = opaque;
    if (port->output_len == sizeof(port->output))
        virt_serial_flush(port);
    port->output[port->output_len++] = byte;
}

static void virt_test_request(void *opaque, SifiveTestAction action, int status)
{
    VirtMachine *m = opaque;
    if (action == SIFIVE_TEST_POWEROFF) {
        m->poweroff = true;
        m->exit_status = status;
    } else {
        m->reboot = true;
    }
    m->stop = true;
    if (m->running)
        hart_request_stop(m->running);
}

/* ---- construction ---------------------------------------------------- */

static bool virt_add_device(VirtMachine *m, const DeviceClass *cls, void *state, uint64_t base,
                            uint64_t size)
{
    if (m->device_count >= VIRT_MAX_DEVICES ||
        !bus_add_region(&m->bus, base, size, state, cls->read, cls->write, cls->name)) {
        message_print_error("cannot map device %s at 0x%" PRIx64, cls->name, base);
        return false;
    }
    m->devices[m->device_count++] =
        (Device){ .cls = cls, .state = state, .base = base, .size = size };
    return true;
}

static bool virt_create_devices(VirtMachine *m)
{
    if (!bus_add_rom(&m->bus, VIRT_MROM_BASE, m->rom, VIRT_MROM_SIZE, "mrom")) {
        message_print_error("cannot map the boot ROM");
        return false;
    }
    if (!clint_init(&m->clint, CLINT_BASE, m->hart_count, &m->clock)) {
        message_print_error("too many timers");
        return false;
    }
    plic_init(&m->plic, PLIC_BASE, m->hart_count);
    for (int h = 0; h < m->hart_count; h++) {
        clint_connect(&m->clint, h, virt_hart_line(m->harts[h], IRQ_M_SOFT),
                      virt_hart_line(m->harts[h], IRQ_M_TIMER));
        plic_connect(&m->plic, 2 * h, virt_hart_line(m->harts[h], IRQ_M_EXT));
        plic_connect(&m->plic, 2 * h + 1, virt_hart_line(m->harts[h], IRQ_S_EXT));
    }
    m->serial_port_count = m->config.serial_count > 0 ? m->config.serial_count : 1;
    for (int i = 0; i < m->serial_port_count; i++) {
        VirtSerialPort *port = &m->serial_ports[i];
        port->machine = m;
        port->index = i;
        port->uart = i == 0 ? &m->uart : &m->extra_uarts[i - 1];
        port->chardev = m->config.serial_count > 0 ? m->config.serials[i] : m->config.serial;
        uint64_t base = UART0_BASE + VIRT_SERIAL_STRIDE * (uint64_t)i;
        uint32_t irq = i == 0 ? UART0_IRQ : (uint32_t)(VIRT_SERIAL_EXTRA_FIRST_IRQ + i - 1);
        uart16550_init(port->uart, base, irq, plic_input(&m->plic, irq), virt_uart_transmit, port);
    }
    sifive_test_init(&m->test, SIFIVE_TEST_BASE, virt_test_request, m);
    if (!goldfish_rtc_init(&m->rtc, GOLDFISH_RTC_BASE, GOLDFISH_RTC_IRQ,
                           plic_input(&m->plic, GOLDFISH_RTC_IRQ), &m->clock,
                           virt_host_time_ns())) {
        message_print_error("too many timers");
        return false;
    }
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++)
        virtio_mmio_init(&m->virtio[i], VIRTIO_MMIO_BASE + (uint64_t)i * VIRTIO_MMIO_SLOT_SIZE,
                         (uint32_t)(VIRTIO_MMIO_FIRST_IRQ + i));

    bool ok =
        virt_add_device(m, &sifive_test_class, &m->test, SIFIVE_TEST_BASE, SIFIVE_TEST_SIZE) &&
        virt_add_device(m, &goldfish_rtc_class, &m->rtc, GOLDFISH_RTC_BASE, GOLDFISH_RTC_SIZE) &&
        virt_add_device(m, &clint_class, &m->clint, CLINT_BASE, CLINT_SIZE) &&
        virt_add_device(m, &plic_class, &m->plic, PLIC_BASE, PLIC_SIZE) &&
        virt_add_device(m, &uart16550_class, &m->uart, UART0_BASE, UART0_SIZE);
    for (int i = 1; ok && i < m->serial_port_count; i++)
        ok = virt_add_device(m, &uart16550_class, m->serial_ports[i].uart,
                             m->serial_ports[i].uart->base, UART0_SIZE);
    for (int i = 0; ok && i < VIRTIO_MMIO_SLOTS; i++)
        ok = virt_add_device(m, &virtio_mmio_class, &m->virtio[i], m->virtio[i].base,
                             VIRTIO_MMIO_SLOT_SIZE);
    return ok && virt_block_create(m) && virt_net_create(m);
}

/* Records an image piece (copied, zero-extended to memsz) to be written
 * into RAM now and again at each reset. */
static bool virt_add_blob(VirtMachine *m, const char *what, uint64_t addr, const uint8_t *data,
                          uint64_t filesz, uint64_t memsz)
{
    if (!bus_is_ram(&m->bus, addr, memsz)) {
        message_print_error("%s: [0x%" PRIx64 ", 0x%" PRIx64 ") is outside RAM [0x%" PRIx64 ", 0x%" PRIx64
                   "); try a larger -m",
                   what, addr, addr + memsz, m->bus.ram_base, m->bus.ram_base + m->bus.ram_size);
        return false;
    }
    for (int i = 0; i < m->blob_count; i++) {
        const VirtBlob *b = &m->blobs[i];
        if (memsz && addr < b->addr + b->size && b->addr < addr + memsz) {
            message_print_error("%s at [0x%" PRIx64 ", 0x%" PRIx64 ") overlaps %s at [0x%" PRIx64
                       ", 0x%" PRIx64 ")",
                       what, addr, addr + memsz, b->what, b->addr, b->addr + b->size);
            return false;
        }
    }
    if (m->blob_count >= VIRT_MAX_BLOBS) {
        message_print_error("%s: too many segments", what);
        return false;
    }
    uint8_t *copy = calloc(1, memsz ? memsz : 1);
    if (!copy) {
        message_print_error("%s: out of memory", what);
        return false;
    }
    memcpy(copy, data, filesz);
    m->blobs[m->blob_count++] =
        (VirtBlob){ .what = what, .addr = addr, .data = copy, .size = memsz };
    return true;
}

typedef struct ElfLoadContext {
    VirtMachine *m;
    const char *what;
} ElfLoadContext;

static bool virt_elf_segment(void *opaque, uint64_t paddr, const uint8_t *data, uint64_t filesz,
                             uint64_t memsz, char *err, size_t err_size)
{
    ElfLoadContext *ctx = opaque;
    if (!virt_add_blob(ctx->m, ctx->what, paddr, data, filesz, memsz)) {
        err[0] = 0; /* already reported */
        return false;
    }
    return true;
}

static bool virt_load_elf(VirtMachine *m, const char *path, const uint8_t *data, uint64_t size,
                          uint64_t *entry, uint64_t *low, uint64_t *high)
{
    char err[256] = "";
    ElfLoadContext ctx = { .m = m, .what = path };
    if (!loader_load_elf(data, size, virt_elf_segment, &ctx, entry, low, high, err, sizeof(err))) {
        if (err[0])
            message_print_error("%s: %s", path, err);
        return false;
    }
    return true;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Firmware: [DRAM base, *firmware_end); start_addr = its entry. */
static bool virt_load_firmware(VirtMachine *m, uint64_t *firmware_end)
{
    const char *bios = m->config.bios;
    *firmware_end = m->bus.ram_base;
    m->start_addr = m->bus.ram_base;
    if (bios && strcmp(bios, "none") == 0)
        return true;
    if (!bios) {
        bios = VIRT_DEFAULT_BIOS;
        if (access(bios, R_OK) != 0) {
            message_print_error("default firmware %s not found: install the Debian package 'opensbi', "
                       "or pass -bios FILE or -bios none",
                       bios);
            return false;
        }
    }
    uint8_t *data;
    uint64_t size;
    char err[256];
    if (!loader_read_file(bios, &data, &size, err, sizeof(err))) {
        message_print_error("-bios: %s", err);
        return false;
    }
    bool ok;
    if (loader_is_elf(data, size)) {
        uint64_t entry, low, high;
        ok = virt_load_elf(m, bios, data, size, &entry, &low, &high);
        m->start_addr = entry;
        *firmware_end = high;
    } else {
        ok = size > 0 && virt_add_blob(m, bios, m->bus.ram_base, data, size, size);
        if (size == 0)
            message_print_error("-bios: '%s' is empty", bios);
        *firmware_end = m->bus.ram_base + size;
    }
    free(data);
    return ok;
}

static bool virt_load_kernel(VirtMachine *m, uint64_t firmware_end)
{
    const char *path = m->config.kernel;
    uint8_t *data;
    uint64_t size;
    char err[256];
    if (!loader_read_file(path, &data, &size, err, sizeof(err))) {
        message_print_error("-kernel: %s", err);
        return false;
    }
    bool ok = true;
    if (loader_is_elf(data, size)) {
        ok = virt_load_elf(m, path, data, size, &m->kernel_entry, &m->kernel_start, &m->kernel_end);
    } else if (loader_is_riscv_image(data, size)) {
        /* riscv_calc_kernel_start_addr: first 2 MiB boundary after the
         * firmware (RAM base without firmware). */
        m->kernel_start = align_up(firmware_end, VIRT_KERNEL_ALIGN);
        m->kernel_entry = m->kernel_start;
        m->kernel_end = m->kernel_start + size;
        ok = virt_add_blob(m, path, m->kernel_start, data, size, size);
    } else {
        message_print_error("-kernel: '%s' is neither an ELF file nor a RISC-V Linux Image "
                   "(no \"RSC\\x05\" magic at offset 0x38)",
                   path);
        ok = false;
    }
    free(data);
    return ok;
}

static bool virt_load_initrd(VirtMachine *m)
{
    const char *path = m->config.initrd;
    uint8_t *data;
    uint64_t size;
    char err[256];
    if (!loader_read_file(path, &data, &size, err, sizeof(err))) {
        message_print_error("-initrd: %s", err);
        return false;
    }
    /* riscv_load_initrd: far enough above the kernel not to be clobbered
     * when it unpacks, yet inside small RAMs. */
    uint64_t offset = m->bus.ram_size / 2;
    if (offset > VIRT_INITRD_MAX_OFFSET)
        offset = VIRT_INITRD_MAX_OFFSET;
    uint64_t start = m->kernel_entry + offset;
    bool ok = bus_is_ram(&m->bus, start, size);
    if (!ok)
        message_print_error("-initrd: '%s' (%" PRIu64 " bytes) does not fit in RAM at 0x%" PRIx64
                   "; try a larger -m",
                   path, size, start);
    else
        ok = virt_add_blob(m, path, start, data, size, size);
    if (ok) {
        m->initrd_start = start;
        m->initrd_end = start + size;
    }
    free(data);
    return ok;
}

/* -dtb FILE: the user's tree, with /chosen updated like QEMU does. */
static void *virt_load_user_fdt(VirtMachine *m)
{
    uint8_t *data;
    uint64_t size;
    char err[256];
    const char *path = m->config.dtb;
    if (!loader_read_file(path, &data, &size, err, sizeof(err))) {
        message_print_error("-dtb: %s", err);
        return NULL;
    }
    if (size < sizeof(struct fdt_header) || fdt_check_header(data) != 0 ||
        fdt_totalsize(data) > size) {
        message_print_error("-dtb: '%s' is not a valid flattened device tree", path);
        free(data);
        return NULL;
    }
    size_t append_len = m->config.append ? strlen(m->config.append) : 0;
    int new_size = (int)(fdt_totalsize(data) + append_len + 4096);
    void *fdt = malloc((size_t)new_size);
    int res = fdt ? fdt_open_into(data, fdt, new_size) : -FDT_ERR_NOSPACE;
    free(data);
    int chosen = res < 0 ? res : fdt_path_offset(fdt, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND)
        chosen = fdt_add_subnode(fdt, 0, "chosen");
    if (chosen >= 0 && append_len)
        res = fdt_setprop_string(fdt, chosen, "bootargs", m->config.append);
    if (chosen >= 0 && res >= 0 && m->initrd_end > m->initrd_start) {
        res = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", m->initrd_start);
        if (res >= 0)
            res = fdt_setprop_u64(fdt, chosen, "linux,initrd-end", m->initrd_end);
    }
    if (chosen < 0 || res < 0) {
        message_print_error("-dtb: cannot update /chosen in '%s': %s", path,
                   fdt_strerror(chosen < 0 ? chosen : res));
        free(fdt);
        return NULL;
    }
    fdt_pack(fdt);
    return fdt;
}

static bool virt_place_fdt(VirtMachine *m)
{
    m->fdt = m->config.dtb ? virt_load_user_fdt(m) : virt_build_fdt(m);
    if (!m->fdt)
        return false;
    uint64_t size = fdt_totalsize(m->fdt);
    uint64_t end = m->bus.ram_base + m->bus.ram_size;
    if (m->bus.ram_base < VIRT_FDT_LIMIT && end > VIRT_FDT_LIMIT)
        end = VIRT_FDT_LIMIT;
    if (size > end - m->bus.ram_base) {
        message_print_error("the device tree does not fit in RAM");
        return false;
    }
    m->fdt_addr = (end - size) & ~(VIRT_FDT_ALIGN - 1);
    if (m->fdt_addr < m->bus.ram_base)
        m->fdt_addr = m->bus.ram_base;
    if (m->initrd_end > m->initrd_start && m->initrd_end > m->fdt_addr &&
        m->initrd_start < m->fdt_addr + size) {
        message_print_error("the initrd overlaps the device tree at 0x%" PRIx64 "; try a larger -m",
                   m->fdt_addr);
        return false;
    }
    return virt_add_blob(m, "device tree", m->fdt_addr, m->fdt, size, size);
}

static void virt_reset_harts(VirtMachine *m)
{
    for (int h = 0; h < m->hart_count; h++) {
        Hart *hart = m->harts[h];
        /* As on QEMU, every hart starts in the ROM's reset vector, whose
         * six instructions set a0 = hartid, a1 = fdt, a2 = &fw_dynamic_info
         * and jump to start_addr (virt_write_boot_rom). */
        hart_reset(hart, VIRT_MROM_BASE);
    }
}

void virt_reset(VirtMachine *m)
{
    for (int i = 0; i < m->blob_count; i++)
        bus_dma_write(&m->bus, m->blobs[i].addr, m->blobs[i].data, m->blobs[i].size);
    if (m->code_cache)
        code_cache_flush(m->code_cache);
    virt_reset_harts(m);
    for (int i = 0; i < m->device_count; i++)
        if (m->devices[i].cls->reset)
            m->devices[i].cls->reset(m->devices[i].state);
    m->stop = m->poweroff = m->reboot = false;
}

VirtMachine *virt_create(const VirtConfig *config)
{
    if (config->hart_count < 1 || config->hart_count > VIRT_MAX_HARTS) {
        message_print_error("-smp: %d harts requested, the virt board supports 1 to %d", config->hart_count,
                   VIRT_MAX_HARTS);
        return NULL;
    }
    if ((config->initrd || config->append) && !config->kernel) {
        message_print_error("%s needs -kernel", config->initrd ? "-initrd" : "-append");
        return NULL;
    }
    if (config->serial_count < 0 || config->serial_count > VIRT_MAX_SERIALS) {
        message_print_error("-serial: %d serial ports requested, the virt board supports at most %d",
                   config->serial_count, VIRT_MAX_SERIALS);
        return NULL;
    }
    VirtMachine *m = calloc(1, sizeof(*m));
    if (!m) {
        message_print_error("out of memory");
        return NULL;
    }
    m->config = *config;
    m->hart_count = config->hart_count;
    m->replay_break = UINT64_MAX;
    if (!bus_init(&m->bus, VIRT_DRAM_BASE, config->ram_size)) {
        message_print_error("cannot allocate %" PRIu64 " MiB of guest RAM: %s", config->ram_size >> 20,
                   strerror(errno));
        free(m);
        return NULL;
    }
    clock_init(&m->clock, config->icount_shift);
    m->clock.current_icount = virt_current_icount;
    m->clock.current_icount_opaque = m;
    m->clock.deadline_changed = virt_deadline_changed;
    m->clock.deadline_changed_opaque = m;

    m->code_cache = code_cache_create(&m->bus);
    if (!m->code_cache) {
        message_print_error("out of memory");
        goto fail;
    }
    HartEnv env = { .opaque = m, .read_time = virt_read_time };
    for (int h = 0; h < m->hart_count; h++) {
        m->harts[h] = calloc(1, sizeof(Hart));
        if (!m->harts[h]) {
            message_print_error("out of memory");
            goto fail;
        }
        hart_init(m->harts[h], (uint64_t)h, &m->bus, m->code_cache, env);
    }
    for (int h = 0; h < m->hart_count; h++)
        m->harts[h]->next_in_machine = m->harts[(h + 1) % m->hart_count];

    if (!virt_create_devices(m))
        goto fail;
    uint64_t firmware_end;
    if (!virt_load_firmware(m, &firmware_end))
        goto fail;
    if (m->config.kernel) {
        if (!virt_load_kernel(m, firmware_end))
            goto fail;
        bool no_firmware = m->config.bios && strcmp(m->config.bios, "none") == 0;
        if (no_firmware)
            m->start_addr = m->kernel_entry; /* M-mode straight into the kernel */
    }
    if (m->config.initrd && !virt_load_initrd(m))
        goto fail;
    if (!virt_place_fdt(m))
        goto fail;
    virt_write_boot_rom(m->rom, m->start_addr, m->fdt_addr, m->kernel_entry);
    virt_reset(m);
    return m;
fail:
    virt_destroy(m);
    return NULL;
}

void virt_destroy(VirtMachine *m)
{
    if (!m)
        return;
    replay_close(m->replay);
    virt_seek_free(m);
    virt_block_destroy(m);
    virt_net_destroy(m);
    for (int h = 0; h < VIRT_MAX_HARTS; h++)
        free(m->harts[h]);
    if (m->code_cache)
        code_cache_destroy(m->code_cache);
    for (int i = 0; i < m->blob_count; i++)
        free(m->blobs[i].data);
    free(m->fdt);
    bus_free(&m->bus);
    free(m);
}

bool virt_dump_fdt(const VirtMachine *m, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        message_print_error("dumpdtb: cannot create '%s': %s", path, strerror(errno));
        return false;
    }
    size_t size = fdt_totalsize(m->fdt);
    bool ok = fwrite(m->fdt, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        message_print_error("dumpdtb: cannot write '%s'", path);
    return ok;
}

/* ---- scheduler ------------------------------------------------------- */

/* Host input reaches a UART only here, between slices (DESIGN.md rule 1),
 * and only as fast as its FIFO has room (the rest waits in the chardev). */
static void virt_deliver_input_buffered(VirtMachine *m)
{
    for (int i = 0; i < m->serial_port_count; i++) {
        VirtSerialPort *port = &m->serial_ports[i];
        Chardev *chr = port->chardev;
        uint8_t delivered[64]; /* record: what the UART took, logged at this icount */
        size_t n = 0;
        while (chr && chardev_input_available(chr) && uart16550_can_receive(port->uart) > 0) {
            uint8_t byte = chardev_input_pop(chr);
            uart16550_receive(port->uart, byte);
            if (!m->replay)
                continue;
            delivered[n++] = byte;
            if (n == sizeof(delivered)) {
                replay_log_serial_input(m->replay, m->clock.machine_icount, (uint32_t)i,
                                        delivered, n);
                n = 0;
            }
        }
        if (n)
            replay_log_serial_input(m->replay, m->clock.machine_icount, (uint32_t)i, delivered, n);
    }
}

static void virt_deliver_input(VirtMachine *m)
{
    for (int i = 0; i < m->serial_port_count; i++) {
        if (m->serial_ports[i].chardev)
            chardev_poll(m->serial_ports[i].chardev);
    }
    virt_deliver_input_buffered(m);
}

/* Some chardev holds input its UART had no room for yet. */
static bool virt_input_pending(const VirtMachine *m)
{
    for (int i = 0; i < m->serial_port_count; i++) {
        const Chardev *chr = m->serial_ports[i].chardev;
        if (chr && chardev_input_available(chr))
            return true;
    }
    return false;
}

/* Ctrl-A x on a multiplexed stdio. */
static bool virt_quit_requested(const VirtMachine *m)
{
    for (int i = 0; i < m->serial_port_count; i++) {
        const Chardev *chr = m->serial_ports[i].chardev;
        if (chr && chr->quit_requested)
            return true;
    }
    return false;
}

/* The ports' chardevs, for chardev_wait_any; true if one can give input. */
static bool virt_input_sources(VirtMachine *m, Chardev **chrs)
{
    bool any = false;
    for (int i = 0; i < m->serial_port_count; i++) {
        chrs[i] = m->serial_ports[i].chardev;
        if (chrs[i] && chardev_has_input_source(chrs[i]))
            any = true;
    }
    return any;
}

/* Idle wait with network backends: their sockets, in short slices so the
 * consoles (chrs, NULL if none can give input) are not starved. True if a
 * frame or console input arrived. */
static bool virt_idle_wait_net(VirtMachine *m, Chardev **chrs, int chr_count, uint64_t ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t spent = (uint64_t)(now.tv_sec - start.tv_sec) * 1000 +
                         (uint64_t)((now.tv_nsec - start.tv_nsec) / 1000000);
        if (spent >= ms)
            return false;
        uint64_t slice = ms - spent < 20 ? ms - spent : 20;
        if (virt_net_idle_wait(m, (int)slice))
            return true;
        if (chrs && chardev_wait_any(chrs, chr_count, 0))
            return true;
    }
}

/* All harts idle in wfi: skip to the next timer deadline, sleeping in real
 * time meanwhile (icount sleep=on) so an idle guest does not spin the host;
 * input arriving during the sleep is delivered first. */
static void virt_idle(VirtMachine *m)
{
    Chardev *chrs[VIRT_MAX_SERIALS + 4];
    int chr_count = m->serial_port_count;
    /* Undelivered input (UART full) must not make the wait return at once. */
    bool can_wait_input = virt_input_sources(m, chrs) && !virt_input_pending(m);
    if (m->monitor) { /* a monitor command also ends the wait */
        chrs[chr_count++] = hmp_chardev(m->monitor);
        can_wait_input = !virt_input_pending(m);
    }
    if (m->qmp && qmp_chardev(m->qmp)) { /* so does a QMP request */
        chrs[chr_count++] = qmp_chardev(m->qmp);
        can_wait_input = !virt_input_pending(m);
    }
    if (m->gdb) { /* and gdb's Ctrl-C */
        chrs[chr_count++] = gdb_chardev(m->gdb);
        can_wait_input = !virt_input_pending(m);
    }
    if (virt_input_wake_chardev(m)) { /* and input from the window / VNC */
        chrs[chr_count++] = virt_input_wake_chardev(m);
        can_wait_input = !virt_input_pending(m);
    }
    uint64_t deadline = clock_next_deadline_ns(&m->clock);
    if (deadline == CLOCK_NEVER) {
        /* A guest hang (nothing armed): wait for the host, never spin. */
        if (virt_net_active(m))
            virt_idle_wait_net(m, can_wait_input ? chrs : NULL, chr_count, 1000);
        else
            chardev_wait_any(chrs, chr_count, can_wait_input ? 1000 : -1);
        return;
    }
    uint64_t now = clock_now_ns(&m->clock);
    if (m->config.icount_sleep && deadline > now) {
        /* Rounded up: a deadline under a millisecond away still sleeps, so
         * an idle guest with a fast tick does not spin the host (and log a
         * warp per spin when recording). */
        uint64_t ms = (deadline - now + 999999) / 1000000;
        if (ms > 1000) {
            /* Far deadline: sleep and skip one second at a time, so that
             * virtual time keeps pace with real time and Ctrl-A x works. */
            ms = 1000;
            deadline = now + 1000 * 1000000ull;
        }
        if (ms > 0 && virt_net_active(m)) {
            if (virt_idle_wait_net(m, can_wait_input ? chrs : NULL, chr_count, ms))
                return; /* a frame or input first, at this icount */
        } else if (ms > 0) {
            if (can_wait_input) {
                if (chardev_wait_any(chrs, chr_count, (int)ms))
                    return; /* input first; the UART interrupt may wake a hart */
            } else {
                struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
                nanosleep(&ts, NULL);
            }
        }
    }
    clock_warp_to_ns(&m->clock, deadline);
    clock_run_timers(&m->clock);
}

/* A record/replay signal seen while paused, for virt_check_host_requests. */
static int virt_stashed_signal;
static void virt_monitor_wait(VirtMachine *m);

/* The turn under gdb (breakpoints, watchpoints, steps, reverse scans): one
 * instruction at a time through gdb_run_hart, pausing where it stops like
 * at a replay_break, then the rest of the turn. */
static HartStop virt_run_slice_gdb(VirtMachine *m, Hart *h, uint64_t end)
{
    for (;;) {
        bool hit = false;
        uint64_t left = end - hart_machine_icount(h);
        HartStop why = gdb_run_hart(m->gdb, h, left, &hit);
        if (!hit)
            return why;
        m->running = NULL;
        m->clock.machine_icount = hart_machine_icount(h);
        m->in_slice = true;
        virt_monitor_wait(m);
        m->in_slice = false;
        m->running = h;
        if (m->paused || m->monitor_request || virt_stashed_signal || virt_quit_requested(m) ||
            virt_seek_pending(m))
            return why;
        if (why != HART_STOP_BUDGET || hart_machine_icount(h) >= end)
            return why;
    }
}

/* One hart's turn of `budget` instructions from icount now. A replay_break
 * inside it splits it in two hart_run calls with the monitor paused in
 * between: the slice still ends where it would have (slice_end_icount and
 * timer cuts unchanged, no extra round boundary), so the replay stays on
 * the recorded schedule and `cont` resumes the rest of this hart's
 * quantum, then the other harts in their order. */
static HartStop virt_run_slice(VirtMachine *m, Hart *h, uint64_t now, uint64_t budget)
{
    if (m->gdb && gdb_stepping(m->gdb))
        return virt_run_slice_gdb(m, h, now + budget);
    uint64_t brk = m->replay_break;
    if ((!m->monitor && !m->qmp && !m->gdb) || brk == UINT64_MAX || brk <= now || brk - now > budget)
        return hart_run(h, budget);
    uint64_t first = brk - now;
    HartStop why = hart_run(h, first);
    if (hart_machine_icount(h) != brk)
        return why; /* the turn ended early (wfi, stop request): as without the break */
    m->running = NULL;
    m->clock.machine_icount = brk;
    m->replay_break = UINT64_MAX;
    m->paused = true;
    m->in_slice = true;
    virt_monitor_wait(m);
    m->in_slice = false;
    m->running = h;
    if (m->paused || m->monitor_request || virt_stashed_signal || virt_quit_requested(m) ||
        virt_seek_pending(m))
        return why; /* leaving: the rest of the turn never runs */
    if (budget == first || why != HART_STOP_BUDGET)
        return why; /* the turn ended at the break anyway */
    if (m->gdb && gdb_stepping(m->gdb)) /* gdb resumed with breakpoints or a scan */
        return virt_run_slice_gdb(m, h, now + budget);
    return hart_run(h, budget - first);
}

static bool virt_run_harts(VirtMachine *m)
{
    bool any_ran = false;
    for (int i = 0; i < m->hart_count && !m->stop && !virt_seek_pending(m); i++) {
        Hart *h = m->harts[i];
        clock_run_timers(&m->clock);
        if (h->wfi && !hart_wakeup_pending(h))
            continue;
        uint64_t now = m->clock.machine_icount;
        uint64_t budget = VIRT_QUANTUM;
        uint64_t deadline = clock_next_deadline_icount(&m->clock);
        if (deadline > now && deadline - now < budget)
            budget = deadline - now;
        h->icount_offset = now - h->instret;
        m->running = h;
        m->slice_end_icount = now + budget;
        HartStop why = virt_run_slice(m, h, now, budget);
        m->running = NULL;
        uint64_t retired = hart_machine_icount(h) - now;
        m->clock.machine_icount = now + retired;
        if (retired > 0 || why != HART_STOP_WFI)
            any_ran = true;
    }
    virt_output_flush(m);
    clock_run_timers(&m->clock);
    return any_ran;
}

/* After a guest poweroff with -no-shutdown: stay paused until the user
 * quits (Ctrl-A x) or a signal ends the process. */
static void virt_wait_paused(VirtMachine *m)
{
    Chardev *chrs[VIRT_MAX_SERIALS];
    while (!virt_quit_requested(m)) {
        bool any_source = virt_input_sources(m, chrs);
        chardev_wait_any(chrs, m->serial_port_count, any_source ? 1000 : -1);
        for (int i = 0; i < m->serial_port_count; i++) {
            if (chrs[i]) {
                chardev_poll(chrs[i]);
                chrs[i]->input_count = 0; /* a stopped guest reads nothing */
            }
        }
    }
}

/* Host input is polled every this many scheduler rounds (and whenever the
 * machine idles): a poll() per 10000-instruction slice would cost more
 * than it buys, ~1 ms of latency does not matter to a console. */
#define VIRT_INPUT_POLL_ROUNDS 16

/* ---- record/replay at the round boundary ----------------------------- */

static bool virt_replaying(const VirtMachine *m)
{
    return m->replay && replay_mode(m->replay) == REPLAY_PLAY;
}

static void virt_replay_serial_input(void *opaque, uint32_t port, const uint8_t *data, size_t len)
{
    VirtMachine *m = opaque;
    if (port >= (uint32_t)m->serial_port_count)
        return; /* the header check makes the port counts equal */
    for (size_t i = 0; i < len; i++)
        uart16550_receive(m->serial_ports[port].uart, data[i]);
}

static void virt_replay_host_request(void *opaque, uint32_t request)
{
    VirtMachine *m = opaque;
    m->replay_request = request;
}

/* Replay ignores host input, but the live Ctrl-A x still stops deja. */
static void virt_replay_poll_host(VirtMachine *m)
{
    for (int i = 0; i < m->serial_port_count; i++) {
        Chardev *chr = m->serial_ports[i].chardev;
        if (chr && chardev_has_input_source(chr)) {
            chardev_poll(chr);
            chr->input_count = 0;
        }
    }
}

/* Acts on a host request (live in a plain run or record, logged in
 * replay) the same way in every mode, so the replay ends like the
 * recording. Returns the exit status. */
static int virt_host_request_exit(VirtMachine *m, uint32_t request)
{
    virt_output_flush(m);
    if (request == TRACE_REQ_RESET) {
        /* system_reset: the machine restarts, deja keeps running. */
        virt_reset(m);
        if (m->qmp)
            qmp_reset_event(m->qmp, false);
        return -1;
    }
    if (request == TRACE_REQ_POWERDOWN) {
        /* system_powerdown: virt has no power button device for an ACPI
         * style event, so the host powers the machine off at once
         * (docs/monitor.md). */
        fprintf(stderr, "\ndeja: powered down by the host\n");
        return 0;
    }
    if (request == TRACE_REQ_SIGINT || request == TRACE_REQ_SIGTERM)
        fprintf(stderr, "\ndeja: terminating on signal %d\n",
                request == TRACE_REQ_SIGINT ? SIGINT : SIGTERM);
    else
        fprintf(stderr, "\ndeja: terminated\n");
    return 0;
}

/* Paused by the monitor (stop, -S, replay_break): only the monitor runs,
 * until cont or a request that ends or resets the machine. Serial input
 * stays in the chardevs (a paused guest reads nothing); Ctrl-A x works. */
static void virt_monitor_wait(VirtMachine *m)
{
    virt_output_flush(m);
    Chardev *chrs[VIRT_MAX_SERIALS + 3];
    while (m->paused && !m->monitor_request && !virt_quit_requested(m)) {
        if (m->gdb) {
            gdb_poll(m->gdb);
            if (!m->paused || m->monitor_request)
                break;
        }
        if (m->replay && !virt_stashed_signal)
            virt_stashed_signal = replay_take_signal();
        if (virt_stashed_signal)
            break;
        virt_input_sources(m, chrs);
        for (int i = 0; i < m->serial_port_count; i++)
            if (chrs[i] && chardev_input_available(chrs[i]))
                chrs[i] = NULL; /* buffered input would end every wait at once */
        chrs[m->serial_port_count] = m->monitor ? hmp_chardev(m->monitor) : NULL;
        chrs[m->serial_port_count + 1] = m->qmp ? qmp_chardev(m->qmp) : NULL;
        chrs[m->serial_port_count + 2] = m->gdb ? gdb_chardev(m->gdb) : NULL;
        /* Commands held during a replay_seek are already buffered. */
        bool held = (m->monitor && chardev_input_available(hmp_chardev(m->monitor))) ||
                    (m->qmp && qmp_chardev(m->qmp) &&
                     chardev_input_available(qmp_chardev(m->qmp)));
        chardev_wait_any(chrs, m->serial_port_count + 3, held ? 0 : 200);
        for (int i = 0; i < m->serial_port_count; i++) {
            Chardev *chr = m->serial_ports[i].chardev;
            if (chr && chardev_has_input_source(chr)) {
                chardev_poll(chr);
                if (virt_replaying(m))
                    chr->input_count = 0; /* replay ignores host input */
            }
        }
        if (m->monitor)
            hmp_poll(m->monitor);
        if (m->qmp)
            qmp_poll(m->qmp);
        if (m->input) /* closing the window quits a paused machine too */
            virt_input_check_quit(m);
    }
}

/* Record: a live host request becomes a HOST_REQUEST event at this icount.
 * Replay: a live one interrupts the replay; a logged one acts as in the
 * recording. Returns -1 to keep running, else the exit status. */
static int virt_check_host_requests(VirtMachine *m)
{
    int sig = m->replay ? replay_take_signal() : 0;
    if (!sig)
        sig = virt_stashed_signal;
    virt_stashed_signal = 0;
    /* The monitor's quit acts like Ctrl-A x; in replay the monitor refuses
     * the other requests (they come from the trace). */
    uint32_t monitor = m->monitor_request;
    m->monitor_request = 0;
    bool quit = virt_quit_requested(m) || monitor == TRACE_REQ_QUIT;
    if (virt_replaying(m)) {
        if (sig || quit || monitor) {
            virt_output_flush(m);
            fprintf(stderr, "\ndeja: replay interrupted by the user at instruction %" PRIu64 "\n",
                    m->clock.machine_icount);
            m->replay_aborted = true;
            return REPLAY_EXIT_ERROR;
        }
        if (m->replay_request) {
            uint32_t request = m->replay_request;
            m->replay_request = 0;
            return virt_host_request_exit(m, request);
        }
        return -1;
    }
    if (!sig && !quit && !monitor)
        return -1;
    uint32_t request = sig == SIGINT    ? TRACE_REQ_SIGINT
                       : sig == SIGTERM ? TRACE_REQ_SIGTERM
                       : quit           ? TRACE_REQ_QUIT
                                        : monitor;
    if (m->replay)
        replay_log_host_request(m->replay, m->clock.machine_icount, request);
    return virt_host_request_exit(m, request);
}

/* Replay: all harts idle; apply the logged warp (no real-time sleep: a
 * replay runs as fast as it can). Returns -1 or an exit status. */
static int virt_replay_idle(VirtMachine *m)
{
    /* A deadline already reached: virt_idle fires it without a warp, so
     * nothing was logged; do the same. */
    uint64_t deadline = clock_next_deadline_ns(&m->clock);
    if (deadline != CLOCK_NEVER && deadline <= clock_now_ns(&m->clock)) {
        clock_run_timers(&m->clock);
        return -1;
    }
    uint64_t warp_ns;
    int status = replay_idle(m->replay, m->clock.machine_icount, &warp_ns);
    if (status != REPLAY_CONTINUE)
        return status;
    if (warp_ns) {
        clock_warp_to_ns(&m->clock, clock_now_ns(&m->clock) + warp_ns);
        clock_run_timers(&m->clock);
    }
    return -1;
}

bool virt_replay_start(VirtMachine *m)
{
    const VirtConfig *c = &m->config;
    if (c->replay.mode == REPLAY_OFF)
        return true;
    TraceHeader header = { 0 };
    char text[64];
    trace_header_set_str(&header, "machine", "virt");
    snprintf(text, sizeof(text), "%" PRIu64, c->ram_size);
    trace_header_set_str(&header, "ram-size", text);
    snprintf(text, sizeof(text), "%d", m->hart_count);
    trace_header_set_str(&header, "smp", text);
    snprintf(text, sizeof(text), "%u", c->icount_shift);
    trace_header_set_str(&header, "icount-shift", text);
    snprintf(text, sizeof(text), "%d", m->serial_port_count);
    trace_header_set_str(&header, "serial-ports", text);
    bool no_firmware = c->bios && strcmp(c->bios, "none") == 0;
    const char *bios = no_firmware ? NULL : c->bios ? c->bios : VIRT_DEFAULT_BIOS;
    const struct {
        const char *what, *path;
    } files[] = { { "firmware", bios }, { "kernel", c->kernel }, { "initrd", c->initrd } };
    trace_header_set_str(&header, "has:bios", bios ? "1" : "0");
    trace_header_set_str(&header, "has:kernel", c->kernel ? "1" : "0");
    trace_header_set_str(&header, "has:initrd", c->initrd ? "1" : "0");
    trace_header_set_str(&header, "has:dtb", c->dtb ? "1" : "0");
    trace_header_set_str(&header, "has:append", c->append ? "1" : "0");
    if (c->append && strlen(c->append) < sizeof(header.entries[0].value)) {
        trace_header_set_str(&header, "append", c->append);
    } else if (c->append) {
        uint8_t hash[16];
        trace_hash_buffer(c->append, strlen(c->append), hash);
        trace_header_set(&header, "hash:append", hash, sizeof(hash));
    }
    char err[512];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (!files[i].path)
            continue;
        uint8_t hash[16];
        char key[32];
        if (!trace_hash_file(files[i].path, hash, err, sizeof(err))) {
            message_print_error("%s: cannot hash '%s': %s", c->replay.mode == REPLAY_PLAY ? "replay" : "record",
                       files[i].path, err);
            return false;
        }
        snprintf(key, sizeof(key), "hash:%s", files[i].what);
        trace_header_set(&header, key, hash, sizeof(hash));
        snprintf(key, sizeof(key), "path:%s", files[i].what);
        trace_header_set_str(&header, key, files[i].path);
    }
    /* The tree the guest sees (generated or -dtb with /chosen updated):
     * it also covers -append and the initrd placement. */
    uint8_t dtb_hash[16];
    trace_hash_buffer(m->fdt, fdt_totalsize(m->fdt), dtb_hash);
    trace_header_set(&header, "hash:dtb", dtb_hash, sizeof(dtb_hash));
    if (c->dtb)
        trace_header_set_str(&header, "path:dtb", c->dtb);
    if (!virt_block_header(m, &header) || !virt_net_header(m, &header))
        return false;

    ReplayMachine view = {
        .harts = m->harts,
        .hart_count = m->hart_count,
        .devices = m->devices,
        .device_count = m->device_count,
        .bus = &m->bus,
        .clock = &m->clock,
    };
    ReplaySink sink = {
        .opaque = m,
        .serial_input = virt_replay_serial_input,
        .host_request = virt_replay_host_request,
        .net_frame = virt_net_replay_frame,
        .input_event = virt_input_replay_event,
        .loadvm = virt_snapshot_replay_loadvm,
    };
    m->replay = replay_open(&c->replay, &header, &view, &sink, err, sizeof(err));
    if (!m->replay) {
        message_print_error("%s: %s", c->replay.mode == REPLAY_PLAY ? "replay" : "record", err);
        return false;
    }
    replay_install_signal_handlers();
    /* The goldfish RTC's base: the only host clock read that reaches the
     * guest (DESIGN.md rule 2). */
    m->rtc.base_ns = replay_host_time(m->replay, m->clock.machine_icount, 0, m->rtc.base_ns);
    return true;
}

static int virt_run_loop(VirtMachine *m)
{
    unsigned round = 0;
    bool idle = true;
    bool replaying = virt_replaying(m);
    for (;;) {
        if (virt_seek_pending(m))
            virt_seek_tick(m); /* replay_seek: restore first (drops a pending stop) */
        if (m->stop) {
            virt_output_flush(m);
            if (m->poweroff) {
                if (m->config.no_shutdown) {
                    if (!replaying)
                        virt_wait_paused(m);
                    return 0;
                }
                return m->exit_status;
            }
            if (m->reboot) {
                if (m->config.no_reboot)
                    return 0;
                virt_reset(m);
                if (m->qmp)
                    qmp_reset_event(m->qmp, true);
                continue;
            }
            m->stop = false;
        }
        /* Round boundary: the only place host values enter the guest. */
        if (replaying)
            virt_seek_tick(m); /* checkpoints, and a pending replay_seek's restore */
        if (m->replay) {
            int status = replay_round(m->replay, m->clock.machine_icount);
            if (status != REPLAY_CONTINUE) {
                virt_output_flush(m);
                m->replay_aborted = true;
                return status;
            }
        }
        if (replaying) {
            if (idle || ++round % VIRT_INPUT_POLL_ROUNDS == 0)
                virt_replay_poll_host(m);
        } else if (idle || ++round % VIRT_INPUT_POLL_ROUNDS == 0) {
            virt_deliver_input(m);
        } else if (virt_input_pending(m)) {
            virt_deliver_input_buffered(m);
        }
        if (m->input) /* keyboard/mouse events and the front-ends' picture */
            virt_input_round(m, idle || round % VIRT_INPUT_POLL_ROUNDS == 0, idle);
        if (m->monitor || m->qmp || m->gdb) {
            if (m->gdb && (idle || round % VIRT_INPUT_POLL_ROUNDS == 0))
                gdb_poll(m->gdb);
            if (m->monitor && (idle || round % VIRT_INPUT_POLL_ROUNDS == 0))
                hmp_poll(m->monitor);
            if (m->qmp && (idle || round % VIRT_INPUT_POLL_ROUNDS == 0))
                qmp_poll(m->qmp);
            if (m->paused)
                virt_monitor_wait(m);
        }
        if (virt_seek_pending(m))
            continue; /* replay_seek: restored at the top of the loop */
        if (m->replay || virt_quit_requested(m) || m->monitor_request || virt_stashed_signal) {
            int status = virt_check_host_requests(m);
            if (status >= 0)
                return status;
        }
        /* virtio-rng requests get their host bytes here, through the
         * replay log, at a round-boundary icount (docs/block.md). */
        if (m->block.rng) {
            int status = virt_block_round(m);
            if (status != REPLAY_CONTINUE) {
                virt_output_flush(m);
                m->replay_aborted = true;
                return status;
            }
        }
        /* Frames from the network backends enter here too, logged
         * (docs/network.md); under replay they come from replay_round. */
        if (!replaying)
            virt_net_round(m, idle || round % VIRT_INPUT_POLL_ROUNDS == 0);
        /* virtio-sound messages complete here at virtual-time pace;
         * capture samples go through the replay log (docs/audio.md).
         * After the network: replay_round delivers the logged frames of
         * this icount before it stops at the AUDIO events taken here. */
        if (m->audio) {
            int status = virt_audio_round(m);
            if (status != REPLAY_CONTINUE) {
                virt_output_flush(m);
                m->replay_aborted = true;
                return status;
            }
        }
        if (replaying) {
            int status = replay_round_end(m->replay, m->clock.machine_icount);
            if (status != REPLAY_CONTINUE) {
                virt_output_flush(m);
                m->replay_aborted = true;
                return status;
            }
        }
        idle = !virt_run_harts(m);
        if (m->monitor_request || virt_stashed_signal) {
            /* quit from a replay_break pause: before any other round work. */
            int status = virt_check_host_requests(m);
            if (status >= 0)
                return status;
        }
        if (idle && !m->stop) {
            if (replaying) {
                int status = virt_replay_idle(m);
                if (status >= 0) {
                    virt_output_flush(m);
                    m->replay_aborted = true;
                    return status;
                }
            } else {
                uint64_t warp_before = m->clock.warp_ns;
                virt_idle(m);
                if (m->replay)
                    replay_log_warp(m->replay, m->clock.machine_icount,
                                    m->clock.warp_ns - warp_before);
            }
        }
    }
}

int virt_run(VirtMachine *m)
{
    int status = virt_run_loop(m);
    if (m->replay && !m->replay_aborted)
        status = replay_finish(m->replay, m->clock.machine_icount, status);
    return status;
}
