/* The physical address space: one RAM block plus MMIO regions (bus.h). */
#include "bus/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

bool bus_init(Bus *bus, uint64_t ram_base, uint64_t ram_size)
{
    memset(bus, 0, sizeof(*bus));
    if (ram_size == 0 || ram_size % BUS_PAGE_SIZE != 0 || ram_base % BUS_PAGE_SIZE != 0 ||
        ram_base + ram_size < ram_base) {
        errno = EINVAL;
        return false;
    }
    /* mmap rather than calloc: untouched guest RAM costs no host memory
     * and reads as zero, and the block is page aligned for the TLB. */
    void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED)
        return false;
    uint8_t *flags = calloc(ram_size >> BUS_PAGE_SHIFT, 1);
    if (!flags) {
        munmap(ram, ram_size);
        errno = ENOMEM;
        return false;
    }
    bus->ram = ram;
    bus->ram_base = ram_base;
    bus->ram_size = ram_size;
    bus->page_flags = flags;
    return true;
}

void bus_free(Bus *bus)
{
    if (bus->ram)
        munmap(bus->ram, bus->ram_size);
    free(bus->page_flags);
    memset(bus, 0, sizeof(*bus));
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

bool bus_add_region(Bus *bus, uint64_t base, uint64_t size, void *opaque, BusReadFn read,
                    BusWriteFn write, const char *name)
{
    if (size == 0 || base + size < base || bus->region_count >= BUS_MAX_REGIONS)
        return false;
    if (bus->ram_size && ranges_overlap(base, size, bus->ram_base, bus->ram_size))
        return false;
    for (int i = 0; i < bus->region_count; i++)
        if (ranges_overlap(base, size, bus->regions[i].base, bus->regions[i].size))
            return false;
    bus->regions[bus->region_count++] = (BusRegion){
        .base = base, .size = size, .opaque = opaque, .read = read, .write = write, .name = name
    };
    return true;
}

static bool bus_rom_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    const uint8_t *data = opaque;
    uint64_t v = 0;
    memcpy(&v, data + offset, (size_t)size); /* little-endian host */
    *value = v;
    return true;
}

bool bus_add_rom(Bus *bus, uint64_t base, const uint8_t *data, uint64_t size, const char *name)
{
    if (!data)
        return false;
    /* The read callback gets the bytes as opaque; the bus checks bounds
     * before calling it. No write callback: writes are access faults. */
    if (!bus_add_region(bus, base, size, (void *)data, bus_rom_read, NULL, name))
        return false;
    bus->regions[bus->region_count - 1].rom = data;
    return true;
}

const uint8_t *bus_rom_ptr(const Bus *bus, uint64_t paddr, uint64_t len)
{
    for (int i = 0; i < bus->region_count; i++) {
        const BusRegion *r = &bus->regions[i];
        if (r->rom && paddr >= r->base && paddr - r->base < r->size &&
            len <= r->size - (paddr - r->base))
            return r->rom + (paddr - r->base);
    }
    return NULL;
}

static BusRegion *bus_find_region(Bus *bus, uint64_t paddr, int size)
{
    for (int i = 0; i < bus->region_count; i++) {
        BusRegion *r = &bus->regions[i];
        if (paddr >= r->base && paddr - r->base < r->size &&
            (uint64_t)size <= r->size - (paddr - r->base))
            return r;
    }
    return NULL;
}

static bool bus_size_valid(int size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

bool bus_read(Bus *bus, uint64_t paddr, int size, uint64_t *value)
{
    if (!bus_size_valid(size))
        return false;
    if (bus_is_ram(bus, paddr, (uint64_t)size)) {
        uint64_t v = 0;
        memcpy(&v, bus->ram + (paddr - bus->ram_base), (size_t)size); /* little-endian host */
        *value = v;
        return true;
    }
    if (paddr & (uint64_t)(size - 1))
        return false;
    BusRegion *r = bus_find_region(bus, paddr, size);
    if (!r || !r->read)
        return false;
    uint64_t v = 0;
    if (!r->read(r->opaque, paddr - r->base, size, &v))
        return false;
    if (size < 8)
        v &= (1ull << (8 * size)) - 1;
    *value = v;
    return true;
}

bool bus_write(Bus *bus, uint64_t paddr, int size, uint64_t value)
{
    if (!bus_size_valid(size))
        return false;
    if (bus_is_ram(bus, paddr, (uint64_t)size)) {
        bus_note_ram_write(bus, paddr, (uint64_t)size);
        memcpy(bus->ram + (paddr - bus->ram_base), &value, (size_t)size);
        return true;
    }
    if (paddr & (uint64_t)(size - 1))
        return false;
    BusRegion *r = bus_find_region(bus, paddr, size);
    if (!r || !r->write)
        return false;
    if (size < 8)
        value &= (1ull << (8 * size)) - 1;
    return r->write(r->opaque, paddr - r->base, size, value);
}

bool bus_dma_read(Bus *bus, uint64_t paddr, void *dst, uint64_t len)
{
    if (len == 0)
        return true;
    const uint8_t *src = bus_ram_ptr(bus, paddr, len);
    if (!src)
        return false;
    memcpy(dst, src, len);
    return true;
}

bool bus_dma_write(Bus *bus, uint64_t paddr, const void *src, uint64_t len)
{
    if (len == 0)
        return true;
    uint8_t *dst = bus_ram_ptr(bus, paddr, len);
    if (!dst)
        return false;
    /* Note first: the code-write hook invalidates decoded blocks, which
     * must not survive the new bytes. */
    bus_note_ram_write(bus, paddr, len);
    memcpy(dst, src, len);
    return true;
}

void bus_note_ram_write(Bus *bus, uint64_t paddr, uint64_t len)
{
    if (len == 0 || !bus_is_ram(bus, paddr, len))
        return;
    uint64_t first = (paddr - bus->ram_base) >> BUS_PAGE_SHIFT;
    uint64_t last = (paddr - bus->ram_base + len - 1) >> BUS_PAGE_SHIFT;
    for (uint64_t page = first; page <= last; page++) {
        uint8_t flags = bus->page_flags[page];
        if (flags & BUS_PAGE_CODE) {
            bus->page_flags[page] = (uint8_t)((flags & ~BUS_PAGE_CODE) | BUS_PAGE_DIRTY);
            if (bus->code_write)
                bus->code_write(bus->code_write_opaque, bus->ram_base + (page << BUS_PAGE_SHIFT));
        } else {
            bus->page_flags[page] = flags | BUS_PAGE_DIRTY;
        }
    }
}

void bus_set_code_write_hook(Bus *bus, BusCodeWriteFn fn, void *opaque)
{
    bus->code_write = fn;
    bus->code_write_opaque = opaque;
}

void bus_clear_dirty(Bus *bus)
{
    uint64_t pages = bus->ram_size >> BUS_PAGE_SHIFT;
    for (uint64_t i = 0; i < pages; i++)
        bus->page_flags[i] &= (uint8_t)~BUS_PAGE_DIRTY;
}
