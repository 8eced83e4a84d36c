/* The physical address space of the machine: one RAM block and a list of
 * MMIO regions. The hart reaches memory only through this interface
 * (DESIGN.md: cpu -> bus only). Devices register an address range with a
 * read and a write function.
 *
 * RAM pages carry two bits each:
 *  - code: a decoded block exists for the page; a write to it must invalidate
 *    the decoded blocks (self-modifying code, DMA into code, page reuse);
 *  - dirty: the page was written since the last bus_clear_dirty (used for
 *    replay sync digests and incremental checkpoints).
 * Fast-path stores (the hart's write TLB) are only allowed to pages that
 * are dirty and not code, so the slow path sees every first write. */
#ifndef DEJA_BUS_H
#define DEJA_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_PAGE_SHIFT 12
#define BUS_PAGE_SIZE  (1ull << BUS_PAGE_SHIFT)
#define BUS_MAX_REGIONS 64

/* MMIO callbacks. offset is relative to the region base; size is 1, 2, 4
 * or 8 and the access is naturally aligned (the bus splits or refuses
 * others). A read returns the value zero-extended. Returning false from
 * an access means "no such register": the hart takes an access fault. */
typedef bool (*BusReadFn)(void *opaque, uint64_t offset, int size, uint64_t *value);
typedef bool (*BusWriteFn)(void *opaque, uint64_t offset, int size, uint64_t value);

typedef struct BusRegion {
    uint64_t base, size;
    void *opaque;
    BusReadFn read;
    BusWriteFn write;
    const char *name;
    const uint8_t *rom; /* host bytes of a ROM region (bus_add_rom), else NULL */
} BusRegion;

typedef struct Bus Bus;

/* Called when a write hits a RAM page that holds decoded code. */
typedef void (*BusCodeWriteFn)(void *opaque, uint64_t page_paddr);

struct Bus {
    /* hot: RAM window */
    uint8_t *ram;
    uint64_t ram_base, ram_size;
    uint8_t *page_flags; /* one byte per RAM page: BUS_PAGE_* bits */
    /* cold */
    BusRegion regions[BUS_MAX_REGIONS];
    int region_count;
    BusCodeWriteFn code_write;
    void *code_write_opaque;
};

enum { BUS_PAGE_CODE = 1, BUS_PAGE_DIRTY = 2 };

/* ram_size must be a multiple of the page size. Returns false (with errno
 * set) if the host cannot allocate it. */
bool bus_init(Bus *bus, uint64_t ram_base, uint64_t ram_size);
void bus_free(Bus *bus);

/* Registers an MMIO region. Regions must not overlap RAM or each other;
 * returns false if they do or if the table is full. */
bool bus_add_region(Bus *bus, uint64_t base, uint64_t size, void *opaque, BusReadFn read,
                    BusWriteFn write, const char *name);

/* Registers a read-only region backed by `size` host bytes at `data`,
 * which must outlive the bus (the bus does not copy them: the owner may
 * rewrite them, e.g. before a reset). Reads work like MMIO reads (naturally
 * aligned); writes are access faults. Unlike MMIO, harts may fetch
 * instructions from it (bus_rom_ptr). Same placement rules as
 * bus_add_region. */
bool bus_add_rom(Bus *bus, uint64_t base, const uint8_t *data, uint64_t size, const char *name);

/* Host pointer for [paddr, paddr+len) if it lies wholly inside one ROM
 * region, else NULL (RAM and MMIO included). Read-only. Slow (scans the
 * region table): for the hart's instruction fetch outside RAM. */
const uint8_t *bus_rom_ptr(const Bus *bus, uint64_t paddr, uint64_t len);

static inline bool bus_is_ram(const Bus *bus, uint64_t paddr, uint64_t len)
{
    return paddr >= bus->ram_base && len <= bus->ram_size &&
           paddr - bus->ram_base <= bus->ram_size - len;
}

/* Host pointer for [paddr, paddr+len) if it lies wholly inside RAM, else
 * NULL. Use only for reads (or for writes through bus_note_ram_write). */
static inline uint8_t *bus_ram_ptr(const Bus *bus, uint64_t paddr, uint64_t len)
{
    return bus_is_ram(bus, paddr, len) ? bus->ram + (paddr - bus->ram_base) : NULL;
}

/* Guest-physical access of 1, 2, 4 or 8 bytes (any alignment for RAM;
 * MMIO accesses must be naturally aligned). false = access fault. */
bool bus_read(Bus *bus, uint64_t paddr, int size, uint64_t *value);
bool bus_write(Bus *bus, uint64_t paddr, int size, uint64_t value);

/* Bulk copies for device DMA and loaders; false if any byte is outside RAM
 * (nothing is copied then). Writes update code and dirty bits. */
bool bus_dma_read(Bus *bus, uint64_t paddr, void *dst, uint64_t len);
bool bus_dma_write(Bus *bus, uint64_t paddr, const void *src, uint64_t len);

/* Marks [paddr, paddr+len) (inside RAM) written: sets dirty, and if a page
 * held code, clears its code bit and calls the code-write hook. */
void bus_note_ram_write(Bus *bus, uint64_t paddr, uint64_t len);

/* Page-flag helpers for the hart's TLB and the code cache. */
static inline uint8_t *bus_page_flags(const Bus *bus, uint64_t paddr)
{
    return &bus->page_flags[(paddr - bus->ram_base) >> BUS_PAGE_SHIFT];
}

void bus_set_code_write_hook(Bus *bus, BusCodeWriteFn fn, void *opaque);

/* Clears every dirty bit. Callers must also drop write-TLB entries of all
 * harts (hart_flush_write_tlb) so that the next writes are seen again. */
void bus_clear_dirty(Bus *bus);

#endif
