/* A guest writing garbage to any device register never crashes deja:
 * random reads and writes of every size over every MMIO window of the
 * board (run it under `make asan`). */
#include <stdio.h>
#include <stdlib.h>

#include "board/virt.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

int main(void)
{
    VirtConfig config = {
        .ram_size = 16 << 20, .hart_count = 2, .bios = "none", .icount_shift = 2
    };
    VirtMachine *m = virt_create(&config);
    if (!m) {
        printf("FAIL: cannot create the machine\n");
        return 1;
    }
    for (int round = 0; round < 200000; round++) {
        const BusRegion *r = &m->bus.regions[next_random() % (uint64_t)m->bus.region_count];
        int size = 1 << (next_random() % 4);
        /* mostly the first registers, sometimes anywhere in the window */
        uint64_t span = (next_random() & 1) ? 0x40 : r->size;
        if (r->size < span)
            span = r->size;
        uint64_t addr = r->base + (next_random() % span & ~(uint64_t)(size - 1));
        uint64_t value = next_random();
        if (r->base == SIFIVE_TEST_BASE)
            continue; /* would power the machine off: covered elsewhere */
        if (next_random() & 1)
            bus_write(&m->bus, addr, size, value);
        else
            bus_read(&m->bus, addr, size, &value);
        if (round % 1000 == 0) {
            m->clock.machine_icount += next_random() % 100000;
            clock_run_timers(&m->clock);
        }
    }
    virt_destroy(m);
    return 0;
}
