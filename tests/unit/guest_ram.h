/* What the virtio unit tests' hand-written drivers share: little-endian
 * loads and stores at guest physical addresses in a test bus's RAM, and
 * writing a split-virtqueue descriptor (virtio 1.2, 2.7.5). Addresses
 * are the test's own constants, inside RAM by construction. */
#ifndef DEJA_TEST_GUEST_RAM_H
#define DEJA_TEST_GUEST_RAM_H

#include <stdint.h>

#include "bus/bus.h"

static inline void ram_put(Bus *bus, uint64_t addr, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        bus->ram[addr - bus->ram_base + i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t ram_get(const Bus *bus, uint64_t addr, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | bus->ram[addr - bus->ram_base + i];
    return v;
}

/* Descriptor i of the table at `table`. */
static inline void ram_put_desc(Bus *bus, uint64_t table, int i, uint64_t addr, uint32_t len,
                                uint16_t flags, uint16_t next)
{
    uint64_t d = table + 16ull * i;
    ram_put(bus, d, addr, 8);
    ram_put(bus, d + 8, len, 4);
    ram_put(bus, d + 12, flags, 2);
    ram_put(bus, d + 14, next, 2);
}

#endif
