/* virtio-input (src/dev/virtio_input.c) driven by hand over virtio-mmio:
 * the config space answers (names, ids, EV_BITS, ABS_INFO) for keyboard,
 * mouse and tablet; events waiting in the device until the driver posts
 * buffers, in order, bounded; nothing kept without a driver; a bad buffer
 * puts the device in NEEDS_RESET; the status queue; save/load of the
 * waiting events; key name tables. */
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest_ram.h"
#include "dev/virtio_input.h"
#include "dev/virtio_mmio.h"
#include "host/frontend.h"
#include "host/keymap.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)
#define QSIZE 16
#define QBASE(q) (RAM_BASE + 0x1000 + 0x3000ull * (q))
#define DESC(q) QBASE(q)
#define AVAIL(q) (QBASE(q) + 0x1000)
#define USED(q) (QBASE(q) + 0x2000)
#define BUF(i) (RAM_BASE + 0x20000 + 0x10ull * (i))

static Bus bus;
static VirtioMmio t;
static VirtioInput in;
static uint16_t avail_idx[2], used_seen[2];
static int irq_raised;

static void set_irq(void *opaque, int n, bool level)
{
    if (level)
        irq_raised++;
}

static uint32_t reg(uint64_t off, int size)
{
    uint64_t v = 0;
    virtio_mmio_read(&t, off, size, &v);
    return (uint32_t)v;
}

static void wreg(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static void put(uint64_t addr, uint64_t v, int bytes) { ram_put(&bus, addr, v, bytes); }

static uint64_t get(uint64_t addr, int bytes) { return ram_get(&bus, addr, bytes); }

static void desc(int q, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    ram_put_desc(&bus, DESC(q), i, addr, len, flags, next);
}

static void post(int q, uint16_t head, bool notify)
{
    put(AVAIL(q) + 4 + 2 * (avail_idx[q] % QSIZE), head, 2);
    avail_idx[q]++;
    put(AVAIL(q) + 2, avail_idx[q], 2);
    if (notify)
        wreg(0x050, (uint32_t)q);
}

/* Used entries added since the last call. */
static int used_new(int q)
{
    uint16_t idx = (uint16_t)get(USED(q) + 2, 2);
    int n = (uint16_t)(idx - used_seen[q]);
    used_seen[q] = idx;
    return n;
}

static void driver_setup(bool driver_ok)
{
    memset(bus.ram, 0, RAM_SIZE);
    memset(avail_idx, 0, sizeof(avail_idx));
    memset(used_seen, 0, sizeof(used_seen));
    wreg(0x070, 0);
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wreg(0x024, 1);
    wreg(0x020, 1); /* VERSION_1 */
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    for (int q = 0; q < 2; q++) {
        wreg(0x030, (uint32_t)q);
        wreg(0x038, QSIZE);
        wreg(0x080, (uint32_t)DESC(q));
        wreg(0x084, (uint32_t)(DESC(q) >> 32));
        wreg(0x090, (uint32_t)AVAIL(q));
        wreg(0x094, (uint32_t)(AVAIL(q) >> 32));
        wreg(0x0a0, (uint32_t)USED(q));
        wreg(0x0a4, (uint32_t)(USED(q) >> 32));
        wreg(0x044, 1);
    }
    if (driver_ok)
        wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                        VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void attach(VirtioInputKind kind)
{
    virtio_input_init(&in, kind, 3);
    memset(&t, 0, sizeof(t));
    virtio_mmio_init(&t, 0x10008000, 8);
    virtio_mmio_attach(&t, &bus, (IrqLine){ set_irq, NULL, 8 }, &in.ops, &in);
    virtio_input_set_transport(&in, &t);
}

/* Config query: select/subsel written as bytes, returns size; the union
 * is read byte by byte into out. */
static uint8_t query(uint8_t select, uint8_t subsel, uint8_t *out)
{
    virtio_mmio_write(&t, 0x100, 1, select);
    virtio_mmio_write(&t, 0x101, 1, subsel);
    CHECK_EQ(reg(0x100, 1), select);
    CHECK_EQ(reg(0x101, 1), subsel);
    uint8_t size = (uint8_t)reg(0x102, 1);
    for (int i = 0; i < 128; i++)
        out[i] = (uint8_t)reg(0x108 + (uint64_t)i, 1);
    return size;
}

static bool bit(const uint8_t *map, unsigned n) { return map[n / 8] & (1u << (n % 8)); }

static void test_config(void)
{
    uint8_t u[128];
    attach(VIRTIO_INPUT_KEYBOARD);
    CHECK_EQ(reg(0x008, 4), VIRTIO_INPUT_DEVICE_ID);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("QEMU Virtio Keyboard"));
    CHECK(!memcmp(u, "QEMU Virtio Keyboard", 20));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), strlen("deja-input-3"));
    CHECK(!memcmp(u, "deja-input-3", 12));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u), 8);
    CHECK_EQ(u[0] | u[1] << 8, 0x06); /* BUS_VIRTUAL */
    CHECK_EQ(u[4] | u[5] << 8, 1);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_KEY, u), (KEY_MICMUTE / 8) + 1);
    CHECK(bit(u, KEY_A) && bit(u, KEY_ESC) && bit(u, KEY_LEFTCTRL) && bit(u, KEY_F12));
    CHECK(!bit(u, 0) && !bit(u, BTN_LEFT));
    CHECK(query(VIRTIO_INPUT_CFG_EV_BITS, EV_REP, u) > 0);
    CHECK(query(VIRTIO_INPUT_CFG_EV_BITS, EV_LED, u) > 0 && bit(u, LED_CAPSL));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_REL, u), 0);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_ABS, u), 0);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ABS_INFO, ABS_X, u), 0);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_PROP_BITS, 0, u), 0);
    CHECK_EQ(query(0x77, 0, u), 0); /* unknown select */
    CHECK_EQ(query(VIRTIO_INPUT_CFG_UNSET, 0, u), 0);
    /* A 4-byte read of the header: select, subsel, size, reserved. */
    query(VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u);
    CHECK_EQ(reg(0x100, 4), VIRTIO_INPUT_CFG_ID_DEVIDS | 8u << 16);
    /* Writes past select/subsel are ignored; reads past the end are 0. */
    virtio_mmio_write(&t, 0x102, 1, 0x55);
    CHECK_EQ(reg(0x102, 1), 8);
    CHECK_EQ(reg(0x100 + 200, 4), 0);

    attach(VIRTIO_INPUT_MOUSE);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("QEMU Virtio Mouse"));
    CHECK(query(VIRTIO_INPUT_CFG_EV_BITS, EV_KEY, u) > 0);
    CHECK(bit(u, BTN_LEFT) && bit(u, BTN_RIGHT) && bit(u, BTN_MIDDLE) && !bit(u, KEY_A));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_REL, u), 2);
    CHECK(bit(u, REL_X) && bit(u, REL_Y) && bit(u, REL_WHEEL));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_ABS, u), 0);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_REP, u), 0);

    attach(VIRTIO_INPUT_TABLET);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("QEMU Virtio Tablet"));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_ABS, u), 1);
    CHECK(bit(u, ABS_X) && bit(u, ABS_Y) && !bit(u, 2));
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ABS_INFO, ABS_X, u), 20);
    CHECK_EQ(u[0] | u[1] << 8 | u[2] << 16 | (uint32_t)u[3] << 24, 0);
    CHECK_EQ(u[4] | u[5] << 8 | u[6] << 16 | (uint32_t)u[7] << 24, 32767);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ABS_INFO, ABS_Y, u), 20);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_ABS_INFO, ABS_Z, u), 0);
    CHECK_EQ(query(VIRTIO_INPUT_CFG_EV_BITS, EV_REL, u), 2);
    CHECK(bit(u, REL_WHEEL) && !bit(u, REL_X));
}

static void read_event(int i, uint16_t *type, uint16_t *code, uint32_t *value)
{
    *type = (uint16_t)get(BUF(i), 2);
    *code = (uint16_t)get(BUF(i) + 2, 2);
    *value = (uint32_t)get(BUF(i) + 4, 4);
}

static void test_events(void)
{
    attach(VIRTIO_INPUT_KEYBOARD);
    /* No driver: events are not kept. */
    CHECK(!virtio_input_send(&in, EV_KEY, KEY_A, 1));
    CHECK_EQ(in.pending_count, 0);
    driver_setup(true);
    /* No buffers yet: the events wait, in order. */
    CHECK(virtio_input_send(&in, EV_KEY, KEY_A, 1));
    CHECK(virtio_input_send(&in, EV_SYN, SYN_REPORT, 0));
    CHECK(virtio_input_send(&in, EV_KEY, KEY_A, 0));
    CHECK_EQ(in.pending_count, 3);
    /* Two buffers posted without a notify: taken at the next event. */
    desc(0, 0, BUF(0), 8, 2, 0);
    desc(0, 1, BUF(1), 8, 2, 0);
    post(0, 0, false);
    post(0, 1, false);
    irq_raised = 0;
    CHECK(virtio_input_send(&in, EV_SYN, SYN_REPORT, 0));
    CHECK_EQ(used_new(0), 2);
    CHECK(irq_raised > 0);
    CHECK_EQ(in.pending_count, 2);
    uint16_t type, code;
    uint32_t value;
    read_event(0, &type, &code, &value);
    CHECK(type == EV_KEY && code == KEY_A && value == 1);
    read_event(1, &type, &code, &value);
    CHECK(type == EV_SYN && code == SYN_REPORT && value == 0);
    /* A notify with new buffers flushes the rest; a larger buffer is fine. */
    desc(0, 2, BUF(2), 16, 2, 0);
    desc(0, 3, BUF(3), 8, 2, 0);
    desc(0, 4, BUF(4), 8, 2, 0);
    post(0, 2, false);
    post(0, 3, false);
    post(0, 4, true);
    CHECK_EQ(used_new(0), 2);
    CHECK_EQ(in.pending_count, 0);
    read_event(2, &type, &code, &value);
    CHECK(type == EV_KEY && code == KEY_A && value == 0);
    CHECK_EQ(get(USED(0) + 4 + 8 * 2 + 4, 4), 8); /* written length */
    /* Buffer 4 is still posted: the next event goes straight in, and a
     * negative relative value keeps its bits. */
    CHECK(virtio_input_send(&in, EV_REL, REL_X, (uint32_t)-5));
    CHECK_EQ(used_new(0), 1);
    read_event(4, &type, &code, &value);
    CHECK(type == EV_REL && (int32_t)value == -5);

    /* Bounded: events beyond the queue are dropped. */
    for (int i = 0; i < VIRTIO_INPUT_QUEUE_MAX; i++)
        CHECK(virtio_input_send(&in, EV_KEY, KEY_B, (uint32_t)(i & 1)));
    CHECK(!virtio_input_send(&in, EV_KEY, KEY_C, 1));
    CHECK_EQ(in.pending_count, VIRTIO_INPUT_QUEUE_MAX);
    CHECK_EQ(in.dropped, 2); /* the one without a driver, and this one */

    /* Save, reset, load: the waiting events come back in order. */
    StateWriter w;
    state_writer_init(&w);
    in.ops.save(&in, &w);
    CHECK(!w.failed);
    in.ops.reset(&in);
    CHECK_EQ(in.pending_count, 0);
    StateReader r;
    state_reader_init(&r, w.data, w.len);
    CHECK(in.ops.load(&in, &t, &r));
    CHECK_EQ(in.pending_count, VIRTIO_INPUT_QUEUE_MAX);
    CHECK_EQ(in.pending[(in.pending_head + 1) % VIRTIO_INPUT_QUEUE_MAX].value, 1);
    /* A truncated record and a hostile count are refused. */
    StateReader shortr;
    state_reader_init(&shortr, w.data, w.len - 3);
    CHECK(!in.ops.load(&in, &t, &shortr));
    uint8_t evil[16] = { 1, 0, 0 };
    evil[3] = 0xff; evil[4] = 0xff; evil[5] = 0xff; evil[6] = 0x7f;
    StateReader evilr;
    state_reader_init(&evilr, evil, sizeof(evil));
    CHECK(!in.ops.load(&in, &t, &evilr));
    state_writer_free(&w);

    /* A device-readable event buffer: NEEDS_RESET, nothing written. */
    driver_setup(true);
    CHECK_EQ(in.pending_count, 0); /* the reset emptied the queue */
    desc(0, 0, BUF(0), 8, 0, 0);
    post(0, 0, true);
    CHECK(virtio_input_send(&in, EV_KEY, KEY_A, 1));
    CHECK(reg(0x070, 4) & VIRTIO_STATUS_NEEDS_RESET);
    /* A buffer shorter than an event: the same. */
    driver_setup(true);
    desc(0, 0, BUF(0), 4, 2, 0);
    post(0, 0, true);
    CHECK(virtio_input_send(&in, EV_KEY, KEY_A, 1));
    CHECK(reg(0x070, 4) & VIRTIO_STATUS_NEEDS_RESET);
    CHECK_EQ(get(BUF(0), 4), 0);
    /* Status queue: LED events are taken and returned. */
    driver_setup(true);
    put(BUF(5), EV_LED | LED_CAPSL << 16, 4);
    put(BUF(5) + 4, 1, 4);
    desc(1, 0, BUF(5), 8, 0, 0);
    post(1, 0, true);
    CHECK_EQ(used_new(1), 1);
    CHECK(!(reg(0x070, 4) & VIRTIO_STATUS_NEEDS_RESET));
}

static void test_keymap_and_options(void)
{
    CHECK_EQ(keymap_from_name("a"), KEY_A);
    CHECK_EQ(keymap_from_name("ctrl"), KEY_LEFTCTRL);
    CHECK_EQ(keymap_from_name("f1"), KEY_F1);
    CHECK_EQ(keymap_from_name("ret"), KEY_ENTER);
    CHECK_EQ(keymap_from_name("0x1e"), KEY_A);
    CHECK_EQ(keymap_from_name("0x0"), 0);
    CHECK_EQ(keymap_from_name("0xzz"), 0);
    CHECK_EQ(keymap_from_name("nosuchkey"), 0);
    CHECK_EQ(keymap_from_name(""), 0);
    CHECK_EQ(keymap_from_hid_usage(4), KEY_A);        /* SDL_SCANCODE_A */
    CHECK_EQ(keymap_from_hid_usage(39), KEY_0);
    CHECK_EQ(keymap_from_hid_usage(40), KEY_ENTER);
    CHECK_EQ(keymap_from_hid_usage(82), KEY_UP);
    CHECK_EQ(keymap_from_hid_usage(224), KEY_LEFTCTRL);
    CHECK_EQ(keymap_from_hid_usage(231), KEY_RIGHTMETA);
    CHECK_EQ(keymap_from_hid_usage(500), 0);
    CHECK_EQ(keymap_from_keysym('v'), KEY_V);
    CHECK_EQ(keymap_from_keysym('V'), KEY_V);
    CHECK_EQ(keymap_from_keysym('!'), KEY_1);
    CHECK_EQ(keymap_from_keysym(0xff1b), KEY_ESC);
    CHECK_EQ(keymap_from_keysym(0xffc9), KEY_F12);
    CHECK_EQ(keymap_from_keysym(0x12345), 0);

    char err[256];
    DisplayOptions o = { 0 };
    CHECK(display_parse_display(&o, "sdl", err, sizeof(err)) && o.sdl);
    CHECK(display_parse_display(&o, "none", err, sizeof(err)) && !o.sdl);
    CHECK(display_parse_display(&o, "sdl,gl=off,show-cursor=on", err, sizeof(err)) && o.sdl);
    CHECK(!display_parse_display(&o, "gtk", err, sizeof(err)) && strstr(err, "gtk"));
    CHECK(!display_parse_display(&o, "sdl,gl=on", err, sizeof(err)));
    CHECK(!display_parse_display(&o, "sdl,bogus", err, sizeof(err)));
    CHECK(!display_parse_display(&o, "", err, sizeof(err)));
    CHECK(!display_parse_display(&o, "none,x=y", err, sizeof(err)));
    CHECK(display_parse_vnc(&o, ":3", err, sizeof(err)) && o.vnc && o.vnc_display == 3 &&
          !o.vnc_host[0]);
    CHECK(display_parse_vnc(&o, "0.0.0.0:12", err, sizeof(err)) && o.vnc_display == 12 &&
          !strcmp(o.vnc_host, "0.0.0.0"));
    CHECK(display_parse_vnc(&o, "none", err, sizeof(err)) && !o.vnc);
    CHECK(!display_parse_vnc(&o, "3", err, sizeof(err)));
    CHECK(!display_parse_vnc(&o, ":", err, sizeof(err)));
    CHECK(!display_parse_vnc(&o, ":-1", err, sizeof(err)));
    CHECK(!display_parse_vnc(&o, ":70000", err, sizeof(err)));
    CHECK(!display_parse_vnc(&o, ":1x", err, sizeof(err)));
    CHECK(!display_parse_vnc(&o, ":1,password=on", err, sizeof(err)));
    CHECK(!display_parse_vnc(&o, "[::1]:1", err, sizeof(err)));
}

int main(void)
{
    CHECK(bus_init(&bus, RAM_BASE, RAM_SIZE));
    test_config();
    test_events();
    test_keymap_and_options();
    if (!failures)
        printf("test_virtio_input: all passed\n");
    return failures != 0;
}
