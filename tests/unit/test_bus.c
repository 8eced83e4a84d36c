/* Bus: RAM access, MMIO dispatch and alignment, dirty/code page bits. */
#include <stdio.h>
#include <string.h>

#include "bus/bus.h"

#include "unit/check.h"


static uint64_t last_offset, last_value;
static int last_size, code_hook_calls;
static uint64_t code_hook_page;

static bool mmio_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    last_offset = offset;
    last_size = size;
    *value = 0xffffffffffffffffull; /* the bus must truncate to size */
    return offset < 0x100;
}

static bool mmio_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    last_offset = offset;
    last_size = size;
    last_value = value;
    return true;
}

static void code_hook(void *opaque, uint64_t page)
{
    code_hook_calls++;
    code_hook_page = page;
}

int main(void)
{
    Bus bus;
    CHECK(!bus_init(&bus, 0x80000000, 4097));
    CHECK(bus_init(&bus, 0x80000000, 1 << 20));
    uint64_t v;

    CHECK(bus_write(&bus, 0x80000000, 8, 0x1122334455667788ull));
    CHECK(bus_read(&bus, 0x80000000, 4, &v) && v == 0x55667788);
    CHECK(bus_read(&bus, 0x80000003, 2, &v) && v == 0x4455);   /* misaligned RAM is fine */
    CHECK(!bus_read(&bus, 0x80000000 + (1 << 20) - 4, 8, &v)); /* straddles the end */
    CHECK(!bus_read(&bus, 0x7ffffffc, 4, &v));
    CHECK(!bus_read(&bus, 0x80000000, 3, &v));

    CHECK(bus_add_region(&bus, 0x10000000, 0x1000, NULL, mmio_read, mmio_write, "dev"));
    CHECK(!bus_add_region(&bus, 0x10000800, 0x1000, NULL, mmio_read, mmio_write, "overlap"));
    CHECK(!bus_add_region(&bus, 0x80001000, 0x1000, NULL, mmio_read, mmio_write, "in RAM"));
    CHECK(bus_read(&bus, 0x10000010, 2, &v) && v == 0xffff && last_offset == 0x10 &&
          last_size == 2);
    CHECK(!bus_read(&bus, 0x10000011, 2, &v)); /* misaligned MMIO */
    CHECK(!bus_read(&bus, 0x10000200, 4, &v)); /* device says no such register */
    CHECK(!bus_read(&bus, 0x20000000, 4, &v)); /* unmapped */
    CHECK(bus_write(&bus, 0x10000008, 1, 0x1ff) && last_value == 0xff);

    /* dirty and code bits */
    bus_clear_dirty(&bus);
    CHECK(*bus_page_flags(&bus, 0x80002000) == 0);
    bus_set_code_write_hook(&bus, code_hook, NULL);
    *bus_page_flags(&bus, 0x80003000) |= BUS_PAGE_CODE;
    CHECK(bus_write(&bus, 0x80002ffe, 4, 0xdeadbeef)); /* crosses into the code page */
    CHECK(*bus_page_flags(&bus, 0x80002000) == BUS_PAGE_DIRTY);
    CHECK(*bus_page_flags(&bus, 0x80003000) == BUS_PAGE_DIRTY);
    CHECK(code_hook_calls == 1 && code_hook_page == 0x80003000);

    uint8_t buf[64];
    memset(buf, 0xab, sizeof(buf));
    CHECK(bus_dma_write(&bus, 0x80010000, buf, sizeof(buf)));
    CHECK(bus_read(&bus, 0x80010000, 1, &v) && v == 0xab);
    CHECK(!bus_dma_write(&bus, 0x80000000 + (1 << 20) - 8, buf, sizeof(buf)));
    CHECK(!bus_dma_read(&bus, 0x7ffffff0, buf, 32));
    CHECK(bus_dma_read(&bus, 0x80000000, buf, 8) && buf[0] == 0x88);

    /* ROM region: aligned reads, writes refused, host pointer for fetch */
    {
        uint8_t rom[0x100];
        for (int i = 0; i < (int)sizeof(rom); i++)
            rom[i] = (uint8_t)i;
        CHECK(!bus_add_rom(&bus, 0x80000000, rom, sizeof(rom), "rom-over-ram"));
        CHECK(!bus_add_rom(&bus, 0x10000800, rom, sizeof(rom), "rom-over-mmio"));
        CHECK(bus_add_rom(&bus, 0x1000, rom, sizeof(rom), "rom"));
        CHECK(bus_read(&bus, 0x1000, 4, &v) && v == 0x03020100);
        CHECK(bus_read(&bus, 0x10f8, 8, &v) && v == 0xfffefdfcfbfaf9f8ull);
        CHECK(bus_read(&bus, 0x1011, 1, &v) && v == 0x11);
        CHECK(!bus_read(&bus, 0x1001, 4, &v));  /* misaligned, like MMIO */
        CHECK(!bus_read(&bus, 0x1100, 1, &v));  /* past the end */
        CHECK(!bus_write(&bus, 0x1000, 4, 0));  /* read-only: access fault */
        CHECK(!bus_write(&bus, 0x1010, 1, 0));
        CHECK(rom[0] == 0 && rom[0x10] == 0x10);
        CHECK(bus_rom_ptr(&bus, 0x1000, 2) == rom);
        CHECK(bus_rom_ptr(&bus, 0x10fe, 2) == rom + 0xfe);
        CHECK(bus_rom_ptr(&bus, 0x10ff, 2) == NULL); /* straddles the end */
        CHECK(bus_rom_ptr(&bus, 0xffe, 2) == NULL);
        CHECK(bus_rom_ptr(&bus, 0x10000000, 2) == NULL); /* MMIO: never executable */
        CHECK(bus_rom_ptr(&bus, 0x80000000, 2) == NULL); /* RAM has bus_ram_ptr */
        CHECK(!bus_dma_read(&bus, 0x1000, buf, 4));      /* DMA reaches RAM only */
        rom[4] = 0x5a; /* the bus reads the owner's bytes, not a copy */
        CHECK(bus_read(&bus, 0x1004, 1, &v) && v == 0x5a);
    }

    bus_free(&bus);
    if (failures)
        printf("test_bus: %d failure(s)\n", failures);
    return failures != 0;
}
