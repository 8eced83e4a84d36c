/* virtio-gpu 2D: a driver written by hand on a bus with RAM sends good
 * control requests and crafted bad ones (unknown resource ids, rectangles
 * outside the resource or overflowing, backing outside RAM, huge sizes,
 * truncated requests, short response buffers): every bad one gets a
 * VIRTIO_GPU_RESP_ERR_* response, the device stays usable, nothing
 * crashes. Also the picture (DisplaySurface), fences, save/load, and
 * screendump as PPM and PNG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "guest_ram.h"
#include "dev/virtio_gpu.h"
#include "dev/virtio_mmio.h"
#include "host/display.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (4ull << 20)
#define QSIZE 8
#define DESC(q) (RAM_BASE + 0x1000 + 0x3000ull * (q))
#define AVAIL(q) (RAM_BASE + 0x2000 + 0x3000ull * (q))
#define USED(q) (RAM_BASE + 0x3000 + 0x3000ull * (q))
#define REQ (RAM_BASE + 0x10000)
#define RESP (RAM_BASE + 0x11000)
#define ENTRIES (RAM_BASE + 0x12000)
#define BACKING (RAM_BASE + 0x100000)
#define W 64
#define H 32

static Bus bus;
static VirtioMmio t;
static VirtioGpu gpu;
static uint16_t avail_idx[2];

static void set_irq(void *opaque, int n, bool level) {}

static uint32_t reg(uint64_t off)
{
    uint64_t v = 0;
    virtio_mmio_read(&t, off, 4, &v);
    return (uint32_t)v;
}

static void wreg(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static void put(uint64_t addr, uint64_t v, int bytes) { ram_put(&bus, addr, v, bytes); }

static uint64_t get(uint64_t addr, int bytes) { return ram_get(&bus, addr, bytes); }

static void driver_setup(void)
{
    memset(bus.ram, 0, RAM_SIZE);
    avail_idx[0] = avail_idx[1] = 0;
    wreg(0x070, 0);
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wreg(0x024, 0);
    wreg(0x020, 0);
    wreg(0x024, 1);
    wreg(0x020, 1); /* VERSION_1 */
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    for (int q = 0; q < 2; q++) {
        wreg(0x030, q);
        wreg(0x038, QSIZE);
        wreg(0x080, (uint32_t)DESC(q));
        wreg(0x084, (uint32_t)(DESC(q) >> 32));
        wreg(0x090, (uint32_t)AVAIL(q));
        wreg(0x094, (uint32_t)(AVAIL(q) >> 32));
        wreg(0x0a0, (uint32_t)USED(q));
        wreg(0x0a4, (uint32_t)(USED(q) >> 32));
        wreg(0x044, 1);
    }
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                    VIRTIO_STATUS_DRIVER_OK);
}

static void desc(int q, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    ram_put_desc(&bus, DESC(q), i, addr, len, flags, next);
}

static uint32_t last_written;

/* Sends req (req_len bytes, of which `readable` are in the chain) with a
 * response buffer of resp_len bytes (0: none) on queue q; returns the
 * response type (0 if none was written). */
static uint32_t send_raw(int q, const uint8_t *req, uint32_t req_len, uint32_t readable,
                         uint32_t resp_len)
{
    memcpy(bus.ram + (REQ - RAM_BASE), req, req_len);
    memset(bus.ram + (RESP - RAM_BASE), 0xee, 512);
    desc(q, 0, REQ, readable, resp_len ? 1 : 0, 1);
    if (resp_len)
        desc(q, 1, RESP, resp_len, 2, 0);
    uint16_t used_before = (uint16_t)get(USED(q) + 2, 2);
    put(AVAIL(q) + 4 + 2 * (avail_idx[q] % QSIZE), 0, 2);
    avail_idx[q]++;
    put(AVAIL(q) + 2, avail_idx[q], 2);
    wreg(0x050, q);
    uint16_t used_after = (uint16_t)get(USED(q) + 2, 2);
    CHECK_EQ((uint16_t)(used_after - used_before), 1);
    last_written = (uint32_t)get(USED(q) + 4 + 8 * (used_before % QSIZE) + 4, 4);
    return last_written >= 24 ? (uint32_t)get(RESP, 4) : 0;
}

static uint8_t req[256];

static void hdr(uint32_t type)
{
    memset(req, 0, sizeof(req));
    for (int i = 0; i < 4; i++)
        req[i] = (uint8_t)(type >> (8 * i));
}

static void field(int off, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        req[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t send(uint32_t len) { return send_raw(0, req, len, len, 512); }

static uint32_t create(uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
    field(24, id, 4);
    field(28, format, 4);
    field(32, w, 4);
    field(36, h, 4);
    return send(40);
}

/* ATTACH_BACKING with entries {addr, len} placed after the 32-byte header. */
static uint32_t attach(uint32_t id, uint32_t count, const uint64_t *addr, const uint32_t *len,
                       uint32_t entries_sent)
{
    hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
    field(24, id, 4);
    field(28, count, 4);
    for (uint32_t i = 0; i < entries_sent; i++) {
        field(32 + 16 * i, addr[i], 8);
        field(32 + 16 * i + 8, len[i], 4);
    }
    return send(32 + 16 * entries_sent);
}

static void rect(int off, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    field(off, x, 4);
    field(off + 4, y, 4);
    field(off + 8, w, 4);
    field(off + 12, h, 4);
}

static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                         uint64_t offset)
{
    hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
    rect(24, x, y, w, h);
    field(40, offset, 8);
    field(48, id, 4);
    return send(56);
}

static uint32_t set_scanout(uint32_t scanout, uint32_t id, uint32_t x, uint32_t y, uint32_t w,
                            uint32_t h)
{
    hdr(VIRTIO_GPU_CMD_SET_SCANOUT);
    rect(24, x, y, w, h);
    field(40, scanout, 4);
    field(44, id, 4);
    return send(48);
}

static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH);
    rect(24, x, y, w, h);
    field(40, id, 4);
    return send(48);
}

static uint32_t simple(uint32_t type, uint32_t id)
{
    hdr(type);
    field(24, id, 4);
    return send(32);
}

/* The guest's framebuffer: B8G8R8X8, pixel (x, y) = R x*4, G y*8, B 0x55. */
static void fill_backing(uint8_t blue)
{
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint64_t a = BACKING + (y * W + x) * 4;
            put(a, blue, 1);
            put(a + 1, y * 8, 1);
            put(a + 2, x * 4, 1);
            put(a + 3, 0xff, 1);
        }
}

static uint32_t expect_pixel(uint32_t x, uint32_t y, uint8_t blue)
{
    return (x * 4) << 16 | (y * 8) << 8 | blue;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    CHECK(bus_init(&bus, RAM_BASE, RAM_SIZE));
    CHECK(virtio_gpu_init(&gpu, 0, 0, 0));
    virtio_mmio_init(&t, 0x10008000, 8);
    virtio_mmio_attach(&t, &bus, (IrqLine){ set_irq, NULL, 8 }, &gpu.ops, &gpu);
    gpu.transport = &t;
    CHECK_EQ(reg(0x008), VIRTIO_GPU_DEVICE_ID);
    CHECK_EQ(reg(0x100 + 8), 1); /* num_scanouts */
    CHECK_EQ(reg(0x100 + 12), 0); /* num_capsets */
    driver_setup();
    CHECK_EQ(virtio_gpu_surface(&gpu)->width, 0);

    /* Display info: one enabled 1280x800 scanout. */
    hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    CHECK_EQ(send(24), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    CHECK_EQ(last_written, 24 + 16 * 24);
    CHECK_EQ(get(RESP + 24 + 8, 4), 1280);
    CHECK_EQ(get(RESP + 24 + 12, 4), 800);
    CHECK_EQ(get(RESP + 24 + 16, 4), 1);
    CHECK_EQ(get(RESP + 24 + 24 + 16, 4), 0); /* scanout 1 absent */
    /* ... with a response buffer too small for it: a bare error header. */
    CHECK_EQ(send_raw(0, req, 24, 24, 24), VIRTIO_GPU_RESP_ERR_UNSPEC);
    /* ... with no response buffer at all: consumed, nothing written. */
    CHECK_EQ(send_raw(0, req, 24, 24, 0), 0);
    CHECK_EQ(last_written, 0);

    /* Fences are echoed. */
    hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    field(4, VIRTIO_GPU_FLAG_FENCE, 4);
    field(8, 0x123456789abcull, 8);
    CHECK_EQ(send(24), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
    CHECK_EQ(get(RESP + 4, 4), VIRTIO_GPU_FLAG_FENCE);
    CHECK_EQ(get(RESP + 8, 8), 0x123456789abcull);

    /* Truncated and unknown requests. */
    CHECK_EQ(send_raw(0, req, 8, 8, 64), VIRTIO_GPU_RESP_ERR_UNSPEC); /* shorter than a header */
    create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);                /* (fills req) */
    CHECK_EQ(simple(VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), VIRTIO_GPU_RESP_OK_NODATA);
    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
    field(24, 1, 4);
    field(28, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 4);
    field(32, W, 4);
    field(36, H, 4);
    CHECK_EQ(send_raw(0, req, 40, 36, 64), VIRTIO_GPU_RESP_ERR_UNSPEC); /* 4 bytes short */
    hdr(0x0999);
    CHECK_EQ(send(64), VIRTIO_GPU_RESP_ERR_UNSPEC);
    hdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO); /* 3D: not offered */
    CHECK_EQ(send(32), VIRTIO_GPU_RESP_ERR_UNSPEC);
    hdr(VIRTIO_GPU_CMD_MOVE_CURSOR); /* a cursor command on the control queue */
    CHECK_EQ(send(56), VIRTIO_GPU_RESP_ERR_UNSPEC);

    /* RESOURCE_CREATE_2D. */
    CHECK_EQ(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H),
             VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID); /* duplicate */
    CHECK_EQ(create(0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H),
             VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ(create(2, 999, W, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, H),
             VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0xffffffffu, 0xffffffffu),
             VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16384, 16384),
             VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY); /* 1 GiB > the cap */
    CHECK_EQ(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16384, 4096),
             VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY); /* exactly the cap, with 8 KiB used */
    CHECK_EQ(gpu.memory_used, W * H * 4);

    /* RESOURCE_ATTACH_BACKING: two entries split inside a row. */
    uint64_t addrs[2] = { BACKING, BACKING + 3000 };
    uint32_t lens[2] = { 3000, W * H * 4 - 3000 };
    CHECK_EQ(attach(9, 2, addrs, lens, 2), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ(attach(1, 100, addrs, lens, 2), VIRTIO_GPU_RESP_ERR_UNSPEC); /* list truncated */
    CHECK_EQ(attach(1, 0, addrs, lens, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(attach(1, 0x7fffffff, addrs, lens, 2), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    uint64_t bad_addrs[2] = { BACKING, RAM_BASE + RAM_SIZE - 100 }; /* runs off RAM */
    CHECK_EQ(attach(1, 2, bad_addrs, lens, 2), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    uint64_t wrap[1] = { 0xfffffffffffff000ull };
    uint32_t wrap_len[1] = { 0x2000 };
    CHECK_EQ(attach(1, 1, wrap, wrap_len, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    uint64_t mmio[1] = { 0x10000000 };
    CHECK_EQ(attach(1, 1, mmio, wrap_len, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    uint32_t zero_len[2] = { 0, 16 };
    CHECK_EQ(attach(1, 2, addrs, zero_len, 2), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK(!gpu.resources[0]->has_backing);
    /* No backing yet: a transfer is refused. */
    CHECK_EQ(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
    CHECK_EQ(attach(1, 2, addrs, lens, 2), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(attach(1, 2, addrs, lens, 2), VIRTIO_GPU_RESP_ERR_UNSPEC); /* already attached */

    /* TRANSFER_TO_HOST_2D. */
    fill_backing(0x55);
    CHECK_EQ(transfer(7, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ(transfer(1, 60, 0, 10, H, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(transfer(1, 0, 1, W, H, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(transfer(1, 0xffffffffu, 0, 2, 1, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(transfer(1, 0, 0xfffffff0u, W, 0x20, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(transfer(1, 0, 0, W, H, 4), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER); /* past the end */
    CHECK_EQ(transfer(1, 0, 0, W, H, 0xffffffffffffff00ull),
             VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);

    /* SET_SCANOUT and the picture. */
    CHECK_EQ(set_scanout(1, 1, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
    CHECK_EQ(set_scanout(0, 5, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ(set_scanout(0, 1, 1, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(set_scanout(0, 1, 0, 0, 0, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(virtio_gpu_surface(&gpu)->width, 0);
    CHECK_EQ(set_scanout(0, 1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    const DisplaySurface *s = virtio_gpu_surface(&gpu);
    CHECK_EQ(s->width, W);
    CHECK_EQ(s->height, H);
    CHECK_EQ(s->stride, W);
    CHECK_EQ(s->pixels[0], expect_pixel(0, 0, 0x55));
    CHECK_EQ(s->pixels[5 * W + 7], expect_pixel(7, 5, 0x55));
    CHECK_EQ(s->pixels[(H - 1) * W + W - 1], expect_pixel(W - 1, H - 1, 0x55));

    /* A partial transfer (offset = the rect's place in the backing) and a
     * flush: only the flushed part changes. */
    fill_backing(0xaa);
    CHECK_EQ(transfer(1, 8, 4, 16, 8, (4 * W + 8) * 4), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(s->pixels[5 * W + 9], expect_pixel(9, 5, 0x55)); /* not flushed yet */
    uint64_t serial = s->serial;
    CHECK_EQ(flush(9, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ(flush(1, 0, 0, W + 1, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
    CHECK_EQ(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK(s->serial != serial);
    CHECK_EQ(s->pixels[5 * W + 9], expect_pixel(9, 5, 0xaa));
    CHECK_EQ(s->pixels[3 * W + 9], expect_pixel(9, 3, 0x55)); /* outside the transfer */
    CHECK_EQ(s->pixels[5 * W + 24], expect_pixel(24, 5, 0x55));

    /* Another format: X8R8G8B8 (bytes X R G B). */
    CHECK_EQ(create(3, VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 4, 1), VIRTIO_GPU_RESP_OK_NODATA);
    uint64_t a3[1] = { BACKING + 0x10000 };
    uint32_t l3[1] = { 16 };
    CHECK_EQ(attach(3, 1, a3, l3, 1), VIRTIO_GPU_RESP_OK_NODATA);
    put(a3[0], 0x332211ff, 4); /* X=ff R=11 G=22 B=33 */
    CHECK_EQ(transfer(3, 0, 0, 1, 1, 0), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(set_scanout(0, 3, 0, 0, 1, 1), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(s->width, 1);
    CHECK_EQ(s->pixels[0], 0x112233);
    CHECK_EQ(set_scanout(0, 1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(s->width, W);

    /* Cursor queue: accepted; a response only when the driver gives room. */
    hdr(VIRTIO_GPU_CMD_UPDATE_CURSOR);
    field(24, 0, 4);
    field(28, 10, 4);
    field(32, 20, 4);
    field(40, 3, 4);
    CHECK_EQ(send_raw(1, req, 56, 56, 0), 0);
    CHECK_EQ(gpu.cursor_resource, 3);
    CHECK_EQ(gpu.cursor_x, 10);
    field(40, 77, 4);
    CHECK_EQ(send_raw(1, req, 56, 56, 64), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    field(24, 4, 4);
    CHECK_EQ(send_raw(1, req, 56, 56, 64), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
    CHECK_EQ(send_raw(1, req, 20, 20, 64), VIRTIO_GPU_RESP_ERR_UNSPEC);

    /* Save, reset, load: the same state and picture come back. */
    StateWriter w1, w2;
    state_writer_init(&w1);
    state_writer_init(&w2);
    gpu.ops.save(&gpu, &w1);
    CHECK(!w1.failed);
    gpu.ops.reset(&gpu);
    CHECK_EQ(virtio_gpu_surface(&gpu)->width, 0);
    CHECK_EQ(gpu.resource_count, 0);
    CHECK_EQ(gpu.memory_used, 0);
    StateReader r;
    state_reader_init(&r, w1.data, w1.len);
    CHECK(gpu.ops.load(&gpu, &t, &r));
    CHECK(state_reader_at_end(&r));
    gpu.ops.save(&gpu, &w2);
    CHECK_EQ(w1.len, w2.len);
    CHECK(w1.len == w2.len && !memcmp(w1.data, w2.data, w1.len));
    CHECK_EQ(s->width, W);
    CHECK_EQ(s->pixels[5 * W + 9], expect_pixel(9, 5, 0xaa));
    /* Truncated or corrupt state is refused (device left reset), never
     * half-loaded. */
    for (size_t cut = 0; cut < w1.len; cut += w1.len / 7 + 1) {
        state_reader_init(&r, w1.data, cut);
        CHECK(!gpu.ops.load(&gpu, &t, &r));
        CHECK_EQ(gpu.resource_count, 0);
    }
    uint8_t *bad = malloc(w1.len);
    memcpy(bad, w1.data, w1.len);
    bad[43] = 0xff; /* first resource's width: 0xff000040 */
    state_reader_init(&r, bad, w1.len);
    CHECK(!gpu.ops.load(&gpu, &t, &r));
    free(bad);
    state_reader_init(&r, w1.data, w1.len);
    CHECK(gpu.ops.load(&gpu, &t, &r));
    /* A transfer not flushed yet: the picture differs from the resource
     * and is saved with its own pixels. */
    fill_backing(0x11);
    CHECK_EQ(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
    state_writer_clear(&w1);
    gpu.ops.save(&gpu, &w1);
    CHECK(w1.len > w2.len); /* carries the picture */
    gpu.ops.reset(&gpu);
    state_reader_init(&r, w1.data, w1.len);
    CHECK(gpu.ops.load(&gpu, &t, &r));
    CHECK(state_reader_at_end(&r));
    CHECK_EQ(s->pixels[5 * W + 9], expect_pixel(9, 5, 0xaa));
    CHECK_EQ(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(s->pixels[5 * W + 9], expect_pixel(9, 5, 0x11));
    fill_backing(0xaa);
    CHECK_EQ(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);

    /* screendump: PPM header and bytes; PNG signature. */
    char dir[] = "/tmp/deja-test-gpu-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char ppm[128], png[128], err[256];
    snprintf(ppm, sizeof(ppm), "%s/s.ppm", dir);
    snprintf(png, sizeof(png), "%s/s.png", dir);
    CHECK(display_screendump(s, ppm, err, sizeof(err)));
    CHECK(display_screendump(s, png, err, sizeof(err)));
    FILE *f = fopen(ppm, "rb");
    char head[32] = "";
    uint8_t px[3] = { 0 };
    if (f) {
        CHECK(fread(head, 1, 13, f) == 13);
        fseek(f, 13 + (5 * W + 9) * 3, SEEK_SET);
        CHECK(fread(px, 1, 3, f) == 3);
        fclose(f);
    }
    CHECK(!memcmp(head, "P6\n64 32\n255\n", 13));
    CHECK_EQ(px[0], 9 * 4);
    CHECK_EQ(px[1], 5 * 8);
    CHECK_EQ(px[2], 0xaa);
    f = fopen(png, "rb");
    uint8_t sig[8] = { 0 };
    if (f) {
        CHECK(fread(sig, 1, 8, f) == 8);
        fclose(f);
    }
    CHECK(!memcmp(sig, "\x89PNG\r\n\x1a\n", 8));
    CHECK(!display_screendump(s, "/nonexistent-dir/x.ppm", err, sizeof(err)));
    CHECK(strstr(err, "nonexistent") != NULL);
    CHECK(!display_screendump(NULL, ppm, err, sizeof(err)));
    unlink(ppm);
    unlink(png);
    rmdir(dir);

    /* DETACH, UNREF (of the scanout resource: the scanout goes blank). */
    CHECK_EQ(simple(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(simple(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1), VIRTIO_GPU_RESP_ERR_UNSPEC);
    CHECK_EQ(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
    CHECK_EQ(simple(VIRTIO_GPU_CMD_RESOURCE_UNREF, 8), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
    CHECK_EQ(simple(VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(s->width, 0);
    CHECK_EQ(simple(VIRTIO_GPU_CMD_RESOURCE_UNREF, 3), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(gpu.memory_used, 0);
    CHECK(!display_screendump(s, ppm, err, sizeof(err))); /* no scanout */

    /* Random requests (fixed seed): known command types with random
     * fields and lengths; small ids and sizes so that some succeed. Each
     * gets a response; nothing crashes (run under ASan by the CI). */
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int n = 0; n < 3000; n++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t rnd = seed >> 11;
        static const uint32_t types[] = {
            VIRTIO_GPU_CMD_GET_DISPLAY_INFO,        VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
            VIRTIO_GPU_CMD_RESOURCE_UNREF,          VIRTIO_GPU_CMD_SET_SCANOUT,
            VIRTIO_GPU_CMD_RESOURCE_FLUSH,          VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
            VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
        };
        hdr(types[rnd % 8]);
        for (int off = 24; off < 128; off += 4) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t v = (uint32_t)(seed >> 33);
            switch (seed >> 61) {
            case 0: v = 0; break;
            case 1: v = 0xffffffffu - (v & 3); break;
            case 2: case 3: case 4: v = 1 + (v & 3); break; /* ids, counts, coordinates */
            case 5: v &= 63; break;
            case 6: v = (uint32_t)BACKING + (v & 0xffff); break;
            default: break;
            }
            field(off, v, 4);
        }
        if (types[rnd % 8] == VIRTIO_GPU_CMD_RESOURCE_CREATE_2D && (rnd >> 40) & 3) {
            static const uint32_t formats[] = { 1, 2, 3, 4, 67, 68, 121, 134 };
            field(28, formats[(rnd >> 42) % 8], 4);
        }
        if (types[rnd % 8] == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING) {
            field(28, (rnd >> 8) % 5, 4);
            for (int e = 0; e < 4; e++) /* entries: mostly in RAM */
                if ((rnd >> (44 + e)) & 1) {
                    field(32 + 16 * e, BACKING + 4096 * e, 8);
                    field(40 + 16 * e, 1 + ((rnd >> (20 + 4 * e)) & 0xfff), 4);
                }
        }
        uint32_t len = 1 + (uint32_t)((rnd >> 16) % 139); /* 0 would break the transport */
        uint32_t type = send_raw(0, req, 128, len, (rnd >> 24) & 1 ? 512 : 16);
        CHECK(type == 0 || type == VIRTIO_GPU_RESP_OK_NODATA ||
              type == VIRTIO_GPU_RESP_OK_DISPLAY_INFO ||
              (type >= VIRTIO_GPU_RESP_ERR_UNSPEC &&
               type <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER));
        CHECK(gpu.memory_used <= gpu.memory_cap);
    }
    const DisplaySurface *fs = virtio_gpu_surface(&gpu);
    if (fs->width)
        CHECK(display_screendump(fs, ppm, err, sizeof(err)));
    unlink(ppm);
    gpu.ops.reset(&gpu);
    CHECK_EQ(gpu.memory_used, 0);

    /* Hostile state files (fixed seed): a saved state with a scanout, a
     * backing and an unflushed picture, with random bytes changed. A load
     * either fails (device left reset) or gives a state that works. */
    CHECK_EQ(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(attach(1, 2, addrs, lens, 2), VIRTIO_GPU_RESP_OK_NODATA);
    CHECK_EQ(set_scanout(0, 1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
    fill_backing(0x22);
    CHECK_EQ(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
    state_writer_clear(&w1);
    gpu.ops.save(&gpu, &w1);
    uint8_t *mut = malloc(w1.len);
    int loaded = 0;
    for (int n = 0; n < 2000 && mut; n++) {
        memcpy(mut, w1.data, w1.len);
        for (int k = 0; k < 1 + n % 4; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (size_t)(seed >> 20) % (n & 1 ? w1.len : 120);
            mut[at] = (seed >> 60) & 1 ? (uint8_t)(seed >> 8) : (uint8_t)(mut[at] ^ (1u << ((seed >> 12) & 7)));
        }
        state_reader_init(&r, mut, w1.len);
        if (!gpu.ops.load(&gpu, &t, &r)) {
            CHECK_EQ(gpu.resource_count, 0);
            continue;
        }
        loaded++;
        CHECK(gpu.memory_used <= gpu.memory_cap);
        transfer(1, 0, 0, W, H, 0);
        flush(1, 0, 0, W, H);
        state_writer_clear(&w2);
        gpu.ops.save(&gpu, &w2);
    }
    free(mut);
    CHECK(loaded > 100); /* pixel bytes changed: loads, and runs on */
    gpu.ops.reset(&gpu);

    /* The device never went to NEEDS_RESET: all of the above were answers. */
    CHECK(!(reg(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    state_writer_free(&w1);
    state_writer_free(&w2);
    virtio_gpu_free(&gpu);
    bus_free(&bus);
    printf("test_virtio_gpu: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
