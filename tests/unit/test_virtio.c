/* virtio-mmio transport and virtio-blk: a driver written by hand on a bus
 * with RAM, good requests and crafted bad descriptor chains (outside RAM,
 * loops, zero length, wrong direction, index out of range): every bad one
 * must put the device in NEEDS_RESET with a config interrupt, never crash. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "guest_ram.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_rng.h"
#include "host/block.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)
#define QSIZE 8
#define DESC (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED (RAM_BASE + 0x3000)
#define HDR (RAM_BASE + 0x10000)
#define DATA (RAM_BASE + 0x11000)
#define STATUS_BYTE (RAM_BASE + 0x12000)
#define TABLE (RAM_BASE + 0x13000)

static Bus bus;
static VirtioMmio t;
static bool irq_level;
static uint16_t avail_idx;

static void set_irq(void *opaque, int n, bool level)
{
    irq_level = level;
}

static uint32_t reg(uint64_t off)
{
    uint64_t v = 0;
    virtio_mmio_read(&t, off, 4, &v);
    return (uint32_t)v;
}

static void wreg(uint64_t off, uint32_t v)
{
    virtio_mmio_write(&t, off, 4, v);
}

static void put(uint64_t addr, uint64_t v, int bytes) { ram_put(&bus, addr, v, bytes); }

static uint64_t get(uint64_t addr, int bytes) { return ram_get(&bus, addr, bytes); }

static void desc_at(uint64_t table, int i, uint64_t addr, uint32_t len, uint16_t flags,
                    uint16_t next)
{
    ram_put_desc(&bus, table, i, addr, len, flags, next);
}

static void desc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    desc_at(DESC, i, addr, len, flags, next);
}

static void submit(uint16_t head)
{
    put(AVAIL + 4 + 2 * (avail_idx % QSIZE), head, 2);
    avail_idx++;
    put(AVAIL + 2, avail_idx, 2);
    wreg(0x050, 0);
}

/* Driver initialisation (3.1.1); event_idx: negotiate VIRTIO_F_EVENT_IDX. */
static void driver_setup(bool event_idx)
{
    memset(bus.ram, 0, RAM_SIZE);
    avail_idx = 0;
    wreg(0x070, 0);
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wreg(0x014, 0);
    uint32_t low = reg(0x010);
    if (!event_idx)
        low &= ~(1u << VIRTIO_F_EVENT_IDX);
    wreg(0x024, 0);
    wreg(0x020, low);
    wreg(0x024, 1);
    wreg(0x020, 1); /* VERSION_1 */
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    CHECK(reg(0x070) & VIRTIO_STATUS_FEATURES_OK);
    wreg(0x030, 0);
    CHECK_EQ(reg(0x034), VIRTIO_QUEUE_MAX_SIZE);
    wreg(0x038, QSIZE);
    wreg(0x080, (uint32_t)DESC);
    wreg(0x084, (uint32_t)(DESC >> 32));
    wreg(0x090, (uint32_t)AVAIL);
    wreg(0x094, (uint32_t)(AVAIL >> 32));
    wreg(0x0a0, (uint32_t)USED);
    wreg(0x0a4, (uint32_t)(USED >> 32));
    wreg(0x044, 1);
    CHECK_EQ(reg(0x044), 1);
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                    VIRTIO_STATUS_DRIVER_OK);
}

static void request_header(uint32_t type, uint64_t sector)
{
    put(HDR, type, 4);
    put(HDR + 4, 0, 4);
    put(HDR + 8, sector, 8);
}

static int fill_calls;
static int fake_fill(void *opaque, void *buf, size_t len)
{
    fill_calls++;
    memset(buf, 0x42, len);
    return -1;
}

static int failing_fill(void *opaque, void *buf, size_t len)
{
    return 3; /* e.g. a replay divergence */
}

static bool needs_reset(void)
{
    return (reg(0x070) & VIRTIO_STATUS_NEEDS_RESET) && (reg(0x060) & VIRTIO_INT_CONFIG_CHANGE) &&
           irq_level;
}

int main(void)
{
    CHECK(bus_init(&bus, RAM_BASE, RAM_SIZE));
    char path[] = "/tmp/deja-test-virtio-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    uint8_t image[64 * 1024];
    for (size_t i = 0; i < sizeof(image); i++)
        image[i] = (uint8_t)(i * 7 + i / 512);
    CHECK(write(fd, image, sizeof(image)) == (ssize_t)sizeof(image));
    char err[256];
    BlockOpenOptions o = { .path = path, .format = "raw" };
    BlockBackend *backend = block_open(&o, err, sizeof(err));
    CHECK(backend != NULL);
    if (!backend)
        return 1;
    VirtioBlk blk;
    CHECK(virtio_blk_init(&blk, backend, "serial-42"));

    /* An empty slot. */
    virtio_mmio_init(&t, 0x10008000, 8);
    CHECK_EQ(reg(0x000), VIRTIO_MMIO_MAGIC);
    CHECK_EQ(reg(0x004), 2);
    CHECK_EQ(reg(0x008), 0);
    CHECK_EQ(reg(0x034), 0);

    virtio_mmio_attach(&t, &bus, (IrqLine){ set_irq, NULL, 8 }, &blk.ops, &blk);
    CHECK_EQ(reg(0x008), VIRTIO_BLK_DEVICE_ID);
    /* Config space: capacity in sectors, blk_size. */
    CHECK_EQ(reg(0x100), sizeof(image) / 512);
    CHECK_EQ(reg(0x104), 0);
    CHECK_EQ(reg(0x100 + 20), 512);

    /* FEATURES_OK is refused without VERSION_1. */
    wreg(0x070, 0);
    wreg(0x070, 3);
    wreg(0x024, 0);
    wreg(0x020, 0);
    wreg(0x070, 3 | VIRTIO_STATUS_FEATURES_OK);
    CHECK(!(reg(0x070) & VIRTIO_STATUS_FEATURES_OK));

    /* A good read: sector 3 into DATA. */
    driver_setup(false);
    request_header(VIRTIO_BLK_T_IN, 3);
    desc(0, HDR, 16, 1, 1);
    desc(1, DATA, 1024, 1 | 2, 2);
    desc(2, STATUS_BYTE, 1, 2, 0);
    put(STATUS_BYTE, 0xff, 1);
    submit(0);
    CHECK_EQ(get(USED + 2, 2), 1);
    CHECK_EQ(get(USED + 4, 4), 0);
    CHECK_EQ(get(USED + 8, 4), 1025);
    CHECK_EQ(get(STATUS_BYTE, 1), VIRTIO_BLK_S_OK);
    CHECK(memcmp(bus.ram + (DATA - RAM_BASE), image + 3 * 512, 1024) == 0);
    CHECK_EQ(reg(0x060), VIRTIO_INT_USED_BUFFER);
    CHECK(irq_level);
    wreg(0x064, VIRTIO_INT_USED_BUFFER);
    CHECK(!irq_level);

    /* A write of sector 5, then GET_ID, then a read past the end. */
    memset(bus.ram + (DATA - RAM_BASE), 0xab, 512);
    request_header(VIRTIO_BLK_T_OUT, 5);
    desc(0, HDR, 16, 1, 1);
    desc(1, DATA, 512, 1, 2);
    desc(2, STATUS_BYTE, 1, 2, 0);
    submit(0);
    CHECK_EQ(get(STATUS_BYTE, 1), VIRTIO_BLK_S_OK);
    uint8_t sector[512];
    CHECK(pread(fd, sector, 512, 5 * 512) == 512);
    CHECK(sector[0] == 0xab && sector[511] == 0xab);
    request_header(VIRTIO_BLK_T_GET_ID, 0);
    desc(1, DATA, 20, 1 | 2, 2);
    submit(0);
    CHECK_EQ(get(STATUS_BYTE, 1), VIRTIO_BLK_S_OK);
    CHECK(memcmp(bus.ram + (DATA - RAM_BASE), "serial-42", 10) == 0);
    request_header(VIRTIO_BLK_T_IN, sizeof(image) / 512 - 1);
    desc(1, DATA, 1024, 1 | 2, 2);
    submit(0);
    CHECK_EQ(get(STATUS_BYTE, 1), VIRTIO_BLK_S_IOERR);
    request_header(99, 0);
    submit(0);
    CHECK_EQ(get(STATUS_BYTE, 1), VIRTIO_BLK_S_UNSUPP);
    CHECK_EQ(get(USED + 2, 2), 5);
    CHECK(!(reg(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    /* An indirect chain. */
    request_header(VIRTIO_BLK_T_IN, 1);
    desc_at(TABLE, 0, HDR, 16, 1, 1);
    desc_at(TABLE, 1, DATA, 512, 1 | 2, 2);
    desc_at(TABLE, 2, STATUS_BYTE, 1, 2, 0);
    desc(4, TABLE, 48, 4, 0);
    submit(4);
    CHECK_EQ(get(STATUS_BYTE, 1), VIRTIO_BLK_S_OK);
    CHECK(memcmp(bus.ram + (DATA - RAM_BASE), image + 512, 512) == 0);
    CHECK(!(reg(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    /* Event index: used_event far ahead suppresses the interrupt. */
    driver_setup(true);
    put(AVAIL + 4 + 2 * QSIZE, 100, 2);
    request_header(VIRTIO_BLK_T_IN, 0);
    desc(0, HDR, 16, 1, 1);
    desc(1, DATA, 512, 1 | 2, 2);
    desc(2, STATUS_BYTE, 1, 2, 0);
    submit(0);
    CHECK_EQ(get(USED + 2, 2), 1);
    CHECK_EQ(reg(0x060), 0);
    CHECK_EQ(get(USED + 4 + 8 * QSIZE, 2), 1); /* avail_event */
    put(AVAIL + 4 + 2 * QSIZE, 1, 2);          /* interrupt after used idx 1 -> 2 */
    submit(0);
    CHECK_EQ(reg(0x060), VIRTIO_INT_USED_BUFFER);

    fprintf(stderr, "(the warnings below are expected)\n");
    /* Buffer outside RAM. */
    driver_setup(false);
    desc(0, HDR, 16, 1, 1);
    desc(1, RAM_BASE + RAM_SIZE - 256, 512, 1 | 2, 2);
    desc(2, STATUS_BYTE, 1, 2, 0);
    submit(0);
    CHECK(needs_reset());
    CHECK_EQ(get(USED + 2, 2), 0);
    /* Notifications are ignored until reset. */
    desc(1, DATA, 512, 1 | 2, 2);
    submit(0);
    CHECK_EQ(get(USED + 2, 2), 0);

    /* A loop. */
    driver_setup(false);
    desc(0, HDR, 16, 1, 1);
    desc(1, DATA, 16, 1, 0);
    submit(0);
    CHECK(needs_reset());

    /* Zero length. */
    driver_setup(false);
    desc(0, HDR, 16, 1, 1);
    desc(1, DATA, 0, 1 | 2, 2);
    desc(2, STATUS_BYTE, 1, 2, 0);
    submit(0);
    CHECK(needs_reset());

    /* Readable after writable. */
    driver_setup(false);
    desc(0, HDR, 16, 1, 1);
    desc(1, STATUS_BYTE, 1, 1 | 2, 2);
    desc(2, DATA, 512, 0, 0);
    submit(0);
    CHECK(needs_reset());

    /* Head and next indices out of range. */
    driver_setup(false);
    submit(QSIZE + 1);
    CHECK(needs_reset());
    driver_setup(false);
    desc(0, HDR, 16, 1, 200);
    submit(0);
    CHECK(needs_reset());

    /* No status byte (header only). */
    driver_setup(false);
    desc(0, HDR, 16, 0, 0);
    submit(0);
    CHECK(needs_reset());

    /* Indirect: nested, bad size, looping. */
    driver_setup(false);
    desc_at(TABLE, 0, TABLE, 16, 4, 0);
    desc(0, TABLE, 16, 4, 0);
    submit(0);
    CHECK(needs_reset());
    driver_setup(false);
    desc(0, TABLE, 17, 4, 0);
    submit(0);
    CHECK(needs_reset());
    driver_setup(false);
    desc_at(TABLE, 0, HDR, 16, 1, 1);
    desc_at(TABLE, 1, HDR, 16, 1, 0);
    desc(0, TABLE, 32, 4, 0);
    submit(0);
    CHECK(needs_reset());

    /* avail idx jumping past the queue size. */
    driver_setup(false);
    put(AVAIL + 2, 50, 2);
    wreg(0x050, 0);
    CHECK(needs_reset());

    /* A ring outside RAM at QueueReady. */
    driver_setup(false);
    wreg(0x070, 0);
    wreg(0x030, 0);
    wreg(0x038, QSIZE);
    wreg(0x080, (uint32_t)(RAM_BASE + RAM_SIZE - 16));
    wreg(0x084, 0);
    wreg(0x044, 1);
    CHECK_EQ(reg(0x044), 0);
    CHECK(needs_reset());

    /* Random rings and tables: never a crash (run under make asan). */
    uint64_t seed = 0x2545f4914f6cdd1dull;
    for (int round = 0; round < 3000; round++) {
        driver_setup(round & 1);
        for (int i = 0; i < 64; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            uint64_t addr = (seed & 3) == 0 ? seed : RAM_BASE + (seed >> 8) % (RAM_SIZE + 4096);
            desc(i % QSIZE, addr, (uint32_t)(seed >> 40) % 70000, (uint16_t)(seed >> 20) & 7,
                 (uint16_t)(seed >> 24) % (QSIZE + 2));
            desc_at(TABLE, i % 16, addr ^ 0x40, (uint32_t)(seed >> 33) % 5000,
                    (uint16_t)(seed >> 50) & 7, (uint16_t)(seed >> 54) % 18);
        }
        request_header((uint32_t)(seed >> 30) % 16, (seed >> 12) % 200);
        for (int k = 0; k < 4; k++)
            submit((uint16_t)((seed >> (k * 5)) % (QSIZE + 1)));
    }
    /* Random register accesses on a live device. */
    for (int i = 0; i < 200000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        int size = 1 << (seed & 3);
        uint64_t off = ((seed >> 4) % 0x200) & ~(uint64_t)(size - 1);
        uint64_t v = seed >> 20;
        if ((seed >> 60) == 0)
            v = RAM_BASE + (v % RAM_SIZE); /* plausible ring addresses */
        if ((seed >> 2) & 1) {
            virtio_mmio_read(&t, off, size, &v);
        } else {
            if (off == 0x038)
                v %= 300;
            virtio_mmio_write(&t, off, size, v);
        }
    }
    irq_level = false;

    /* Reset clears it. */
    wreg(0x070, 0);
    CHECK_EQ(reg(0x070), 0);
    CHECK_EQ(reg(0x060), 0);
    CHECK(!irq_level);

    /* virtio-rng: a notification only marks the queue pending; the
     * buffers are filled by virtio_rng_service (at a round boundary). */
    VirtioRng rng;
    virtio_rng_init(&rng);
    virtio_mmio_init(&t, 0x10007000, 7);
    virtio_mmio_attach(&t, &bus, (IrqLine){ set_irq, NULL, 7 }, &rng.ops, &rng);
    CHECK_EQ(reg(0x008), VIRTIO_RNG_DEVICE_ID);
    driver_setup(true);
    CHECK_EQ(virtio_rng_service(&rng, fake_fill, NULL), -1);
    CHECK_EQ(fill_calls, 0);
    desc(0, DATA, 64, 2, 0);
    desc(1, DATA + 64, 8192, 2, 0);
    put(AVAIL + 4 + 2 * QSIZE, 0, 2); /* used_event: interrupt on the first */
    submit(0);
    submit(1);
    CHECK(rng.pending);
    CHECK_EQ(get(USED + 2, 2), 0);
    CHECK_EQ(virtio_rng_service(&rng, fake_fill, NULL), -1);
    CHECK_EQ(fill_calls, 2);
    CHECK_EQ(get(USED + 2, 2), 2);
    CHECK_EQ(get(USED + 8, 4), 64);
    CHECK_EQ(get(USED + 16, 4), VIRTIO_RNG_MAX_FILL);
    CHECK_EQ(get(DATA, 1), 0x42);
    CHECK_EQ(get(DATA + 63, 1), 0x42);
    CHECK_EQ(reg(0x060), VIRTIO_INT_USED_BUFFER);
    CHECK(!rng.pending);
    desc(0, DATA, 64, 2, 0);
    submit(0);
    CHECK_EQ(virtio_rng_service(&rng, failing_fill, NULL), 3);
    desc(0, DATA, 64, 0, 0); /* device-readable: a violation */
    submit(0);
    CHECK_EQ(virtio_rng_service(&rng, fake_fill, NULL), -1);
    CHECK(needs_reset());

    virtio_blk_free(&blk);
    block_close(backend);
    close(fd);
    unlink(path);
    bus_free(&bus);
    if (!failures)
        printf("test_virtio: all checks passed\n");
    return failures != 0;
}
