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
#include "board/virt_block.h"
#include "board/virt_net.h"
#include "board/virt_audio.h"
#include "host/chardev.h"
#include "replay/clock.h"
#include "replay/replay.h"

#define VIRT_DRAM_BASE 0x80000000ull
#define VIRT_MROM_BASE 0x1000ull
#define VIRT_MROM_SIZE 0xf000ull
#define VIRT_MAX_HARTS DEV_MAX_HARTS
#define VIRT_MAX_DEVICES 32
#define VIRT_MAX_BLOBS 64
/* Instructions a hart runs before the next one gets its turn. */
#define VIRT_QUANTUM 10000
/* Serial ports (one 16550 each): QEMU's limit, and the number of ports
 * Debian's 8250 driver registers (CONFIG_SERIAL_8250_RUNTIME_UARTS=4).
 * Port 0 is QEMU's UART0 (0x10000000, IRQ 10); port i > 0 sits at
 * 0x10000000 + 0x100 * i with IRQ 11 + i (free on virt: 11 is the RTC,
 * virtio uses 1-8, PCIe 32-35). */
#define VIRT_MAX_SERIALS 4
#define VIRT_SERIAL_STRIDE 0x100ull
#define VIRT_SERIAL_EXTRA_FIRST_IRQ 12
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
    Chardev *serial; /* serial port 0; same as serials[0] when serial_count > 0 */
    Chardev *serials[VIRT_MAX_SERIALS]; /* port i's backend (NULL: disconnected) */
    int serial_count; /* UARTs on the board; 0 means 1 (port 0 on serial) */
    ReplayOptions replay; /* -icount rr=record|replay,rrfile=F,rrsync=N */
    const char *snapshot_dir; /* -snapshot-dir; NULL: RRFILE.snapshots under record/replay */
    const char *rrsnapshot;   /* -icount rrsnapshot=NAME (virt_snapshot.h) */
    VirtBlockConfig block; /* -drive, -device virtio-*-device, -snapshot */
    VirtNetConfig net;     /* -netdev, -object filter-replay|filter-dump */
    VirtAudioConfig audio; /* -audiodev */
} VirtConfig;

struct VirtMachine;

/* A UART and its host side: the chardev and the output not yet written. */
typedef struct VirtSerialPort {
    struct VirtMachine *machine;
    int index;
    Uart16550 *uart;
    Chardev *chardev; /* NULL: output dropped, no input */
    uint8_t output[4096];
    size_t output_len;
} VirtSerialPort;

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
    Uart16550 uart; /* serial port 0 */
    Uart16550 extra_uarts[VIRT_MAX_SERIALS - 1];
    VirtSerialPort serial_ports[VIRT_MAX_SERIALS];
    int serial_port_count;
    SifiveTest test;
    GoldfishRtc rtc;
    VirtioMmio virtio[VIRTIO_MMIO_SLOTS];
    VirtBlockState block; /* disks and virtio devices in the slots */
    struct VirtNetState *net; /* netdevs and NICs (virt_net.c), NULL without */
    struct VirtInputState *input; /* input devices, front-ends (virt_input.c), NULL without */
    struct VirtAudioState *audio; /* virtio-sound (virt_audio.c), NULL without */
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

    /* Record/replay (NULL: plain run). */
    Replay *replay;
    uint32_t replay_request; /* host request taken from the trace, 0 if none */
    bool replay_aborted;     /* stopped by a replay error: no END check */

    /* Human monitor (src/monitor/hmp.h; NULL: none). paused: stop/-S, the
     * harts do not run until cont. monitor_request: quit, system_reset or
     * system_powerdown from the monitor (a TraceHostRequest, 0 if none),
     * handled and recorded at the round boundary. replay_break: replay
     * pauses when the machine icount reaches it (UINT64_MAX: none). */
    struct Hmp *monitor;
    struct Qmp *qmp; /* QMP (src/monitor/qmp.h; NULL: none), polled like the HMP */
    struct GdbStub *gdb; /* gdb stub (src/gdb/gdbstub.h; NULL: none), polled like the HMP */
    bool paused;
    uint32_t monitor_request;
    uint64_t replay_break;
    struct VirtSeek *seek; /* checkpoints and replay_seek (virt_seek.c), NULL: none yet */
    bool in_slice; /* paused at a replay_break inside a hart's turn (no savevm/loadvm there) */

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

/* With config.replay.mode set: writes (record) or checks (replay) the
 * trace header and takes the RTC base time through the replay log. Call
 * after virt_create, before virt_run. Prints a message and returns false
 * on failure (exit status 1). */
bool virt_replay_start(VirtMachine *m);

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
