/* What every device model exposes to the board: MMIO callbacks, reset and
 * its own device-tree node. The board is a list of Device entries (one per
 * instance, with its address window), not a wall of fdt calls. */
#ifndef DEJA_DEVICE_H
#define DEJA_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "snapshot/state.h"

#define DEV_MAX_HARTS 8

/* Shared state while the board writes the device tree with libfdt's
 * sequential-write API: a device's fdt_node is called inside /soc and
 * must open and close exactly one node. Phandles are assigned by the board
 * before any node is written, so references can be made in any order. */
typedef struct DevFdtContext {
    void *fdt;
    int hart_count;
    uint32_t cpu_intc_phandle[DEV_MAX_HARTS];
    uint32_t plic_phandle;
    uint32_t test_phandle;
} DevFdtContext;

typedef struct DeviceClass {
    const char *name;
    BusReadFn read;
    BusWriteFn write;
    void (*reset)(void *state);
    /* Returns 0 or a negative libfdt error code. */
    int (*fdt_node)(void *state, DevFdtContext *ctx);
    /* Writes the guest-visible state (registers, FIFOs, latches; not the
     * wiring) for replay digests and snapshots. NULL: stateless. */
    void (*save)(void *state, StateWriter *w);
    /* Restores what save wrote (loadvm, replay checkpoints). Contract:
     *  - read exactly the fields save wrote, in the same order; the board
     *    frames each device's record, so a reader that stops early or
     *    reads past the end is a malformed record;
     *  - validate every value before using it (indices, counts, sizes
     *    against this instance's configuration) and return false, with
     *    the device left as it was or in a state its reset would fix,
     *    if anything is out of range: the state file may be hostile;
     *  - restore fields only: no irq_set, no DMA, no host I/O, no timer
     *    arming. The board restores the harts (mip), the PLIC (line
     *    levels), the virtual clock (timer deadlines) and RAM around the
     *    device loads, so every side is already consistent;
     *  - wiring (base, irq numbers, backends, callbacks) is not state: a
     *    mismatch with the saved configuration is refused earlier by
     *    virt_state_config_id.
     * NULL only for devices whose save is NULL or writes nothing. */
    bool (*load)(void *state, StateReader *r);
} DeviceClass;

typedef struct Device {
    const DeviceClass *cls;
    void *state;
    uint64_t base, size;
} Device;

/* Helpers for fdt nodes: "name@base" and a reg of <0 base 0 size>. */
int dev_fdt_begin_node(DevFdtContext *ctx, const char *name, uint64_t base);
int dev_fdt_reg(DevFdtContext *ctx, uint64_t base, uint64_t size);
/* interrupt-parent = <&plic>, interrupts = <irq>. */
int dev_fdt_plic_irq(DevFdtContext *ctx, uint32_t irq);

#endif
