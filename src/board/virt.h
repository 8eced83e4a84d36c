/* The RISC-V virt board (QEMU's memory map, IRQs and device tree): a list
 * of devices on a bus, the harts, the virtual clock, the boot ROM and the
 * loaders, and the single-threaded round-robin scheduler. */
#ifndef DEJA_VIRT_H
#define DEJA_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "cpu/cpu.h"
#include "dev/clint.h"
#include "dev/device.h"
#include "dev/goldfish_rtc.h"
#include "dev/plic.h"
#include "dev/sifive_test.h"
#include "dev/uart16550.h"
#include "dev/virtio_mmio.h"
#include "host/chardev.h"
#include "replay/clock.h"

#define VIRT_DRAM_BASE 0x80000000ull
#define VIRT_MROM_BASE 0x1000ull
#define VIRT_MROM_SIZE 0xf000ull
#define VIRT_MAX_HARTS DEV_MAX_HARTS
#define VIRT_MAX_DEVICES 32
#define VIRT_MAX_BLOBS 64
/* Instructions a hart runs before the next one gets its turn. */
#define VIRT_QUANTUM 10000
#define VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

typedef struct VirtConfig {
    uint64_t ram_size;
    int hart_count;
    const char *bios;   /* NULL: default OpenSBI; "none": no firmware */
    const char *kernel; /* ELF or RISC-V Linux Image */
    const char *initrd;
    const char *append;
    const char *dtb;     /* replaces the generated tree */
    const char *dumpdtb; /* write the generated tree here and exit */
    unsigned icount_shift;
    bool icount_sleep; /* idle: sleep in real time for the skipped virtual time */
    bool no_reboot, no_shutdown;
    Chardev *serial;
} VirtConfig;

/* A file image copied into RAM; kept so that a reset can restore it. */
typedef struct VirtBlob {
    const char *what; /* file name or "device tree", for messages */
    uint64_t addr;
    uint8_t *data;
    uint64_t size;
} VirtBlob;

typedef struct VirtMachine {
    VirtConfig config;
    Bus bus;
    VirtClock clock;
    CodeCache *code_cache;
    Hart *harts[VIRT_MAX_HARTS];
    int hart_count;
    Hart *running; /* hart inside hart_run, or NULL */
    uint64_t slice_end_icount;

    Clint clint;
    Plic plic;
    Uart16550 uart;
    SifiveTest test;
    GoldfishRtc rtc;
    VirtioMmio virtio[VIRTIO_MMIO_SLOTS];
    Device devices[VIRT_MAX_DEVICES];
    int device_count;

    uint8_t rom[VIRT_MROM_SIZE];
    VirtBlob blobs[VIRT_MAX_BLOBS];
    int blob_count;
    uint64_t start_addr;   /* where the boot ROM jumps: firmware or kernel */
    uint64_t kernel_entry; /* next_addr of fw_dynamic_info */
    uint64_t kernel_start, kernel_end;
    uint64_t initrd_start, initrd_end;
    void *fdt;
    uint64_t fdt_addr;

    uint8_t output[4096]; /* UART bytes not yet written to the chardev */
    size_t output_len;

    /* Host requests, handled between slices. */
    bool stop;
    bool poweroff, reboot;
    int exit_status;
} VirtMachine;

/* Builds the machine: allocates RAM, creates devices and harts, loads
 * firmware, kernel, initrd and the device tree. On failure prints a
 * message ("deja: ...") to stderr and returns NULL. */
VirtMachine *virt_create(const VirtConfig *config);
void virt_destroy(VirtMachine *m);

/* Generates the flattened device tree for the current configuration
 * (also used by dumpdtb). Returns a malloc'ed blob or NULL. */
void *virt_build_fdt(VirtMachine *m);

/* Writes the machine's device tree (dumpdtb). */
bool virt_dump_fdt(const VirtMachine *m, const char *path);

/* Runs until the guest powers off or the user quits; returns the exit
 * status for the process. */
int virt_run(VirtMachine *m);

/* Resets harts, devices and RAM images (0x7777 on the finisher). */
void virt_reset(VirtMachine *m);

/* Wall-clock time in ns taken once at machine start: the goldfish RTC's
 * base. The only host time that reaches the guest (replay will log it). */
uint64_t virt_host_time_ns(void);

/* Exposed for unit tests: the boot ROM words and fw_dynamic_info. */
void virt_write_boot_rom(uint8_t *rom, uint64_t start_addr, uint64_t fdt_addr, uint64_t next_addr);

#endif
