/* virtio-sound (src/dev/virtio_snd.c) driven by hand over virtio-mmio:
 * config, JACK/PCM/CHMAP_INFO, the stream state machine, crafted bad
 * control requests (error statuses, never a crash or NEEDS_RESET),
 * playback and capture completing at the pace of virtual time. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest_ram.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_snd.h"
#include "replay/clock.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)
#define QSIZE 16
#define QBASE(q) (RAM_BASE + 0x1000 + 0x3000ull * (q))
#define DESC(q) QBASE(q)
#define AVAIL(q) (QBASE(q) + 0x1000)
#define USED(q) (QBASE(q) + 0x2000)
#define REQ (RAM_BASE + 0x20000)
#define RESP (RAM_BASE + 0x21000)
#define DATA (RAM_BASE + 0x30000)

static Bus bus;
static VirtioMmio t;
static VirtioSnd snd;
static uint16_t avail_idx[4], used_seen[4];

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

static void desc(int q, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    ram_put_desc(&bus, DESC(q), i, addr, len, flags, next);
}

static void submit(int q, uint16_t head)
{
    put(AVAIL(q) + 4 + 2 * (avail_idx[q] % QSIZE), head, 2);
    avail_idx[q]++;
    put(AVAIL(q) + 2, avail_idx[q], 2);
    wreg(0x050, (uint32_t)q);
}

/* Used entries added since the last call. */
static int used_new(int q, uint32_t *len)
{
    uint16_t idx = (uint16_t)get(USED(q) + 2, 2);
    int n = (uint16_t)(idx - used_seen[q]);
    if (n && len)
        *len = (uint32_t)get(USED(q) + 4 + 8 * ((idx - 1) % QSIZE) + 4, 4);
    used_seen[q] = idx;
    return n;
}

static void driver_setup(void)
{
    memset(bus.ram, 0, RAM_SIZE);
    memset(avail_idx, 0, sizeof(avail_idx));
    memset(used_seen, 0, sizeof(used_seen));
    wreg(0x070, 0);
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wreg(0x024, 0);
    wreg(0x020, 0);
    wreg(0x024, 1);
    wreg(0x020, 1);
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    for (int q = 0; q < 4; q++) {
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
    wreg(0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                    VIRTIO_STATUS_DRIVER_OK);
}

/* One control request of req_len bytes at REQ, response of resp_len at
 * RESP; returns the status (0xdead if none was written). */
static uint32_t control(uint32_t req_len, uint32_t resp_len, uint32_t *written)
{
    put(RESP, 0xdead, 4);
    desc(0, 0, REQ, req_len, resp_len ? 1 : 0, 1);
    if (resp_len)
        desc(0, 1, RESP, resp_len, 2, 0);
    submit(0, 0);
    uint32_t len = 0;
    CHECK_EQ(used_new(0, &len), 1);
    if (written)
        *written = len;
    return (uint32_t)get(RESP, 4);
}

static uint32_t query(uint32_t code, uint32_t start, uint32_t count, uint32_t size,
                      uint32_t resp_len)
{
    put(REQ, code, 4);
    put(REQ + 4, start, 4);
    put(REQ + 8, count, 4);
    put(REQ + 12, size, 4);
    return control(16, resp_len, NULL);
}

static uint32_t pcm(uint32_t code, uint32_t stream)
{
    put(REQ, code, 4);
    put(REQ + 4, stream, 4);
    return control(8, 4, NULL);
}

static uint32_t set_params(uint32_t stream, uint32_t buffer, uint32_t period, uint8_t channels,
                           uint8_t format, uint8_t rate)
{
    memset(bus.ram + (REQ - RAM_BASE), 0, 24);
    put(REQ, VIRTIO_SND_R_PCM_SET_PARAMS, 4);
    put(REQ + 4, stream, 4);
    put(REQ + 8, buffer, 4);
    put(REQ + 12, period, 4);
    put(REQ + 20, channels, 1);
    put(REQ + 21, format, 1);
    put(REQ + 22, rate, 1);
    return control(24, 4, NULL);
}

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static uint8_t played[8192];
static size_t played_len;
static int captures;

static void fake_playback(void *opaque, const uint8_t *data, size_t len, uint32_t rate,
                          unsigned channels)
{
    if (played_len + len <= sizeof(played))
        memcpy(played + played_len, data, len);
    played_len += len;
}

static int fake_capture(void *opaque, uint8_t *buf, size_t len, uint32_t rate, unsigned channels)
{
    captures++;
    memset(buf, 0x5a, len);
    return -1;
}

/* An I/O message: tx {xfer hdr + data} -> status; rx xfer hdr -> {data +
 * status}. Descriptor slot `slot` (3 descriptors each). */
static void io_message(int q, int slot, uint32_t stream, uint64_t data, uint32_t bytes,
                       uint64_t status)
{
    int d = slot * 3;
    put(REQ + 0x100 + 8 * slot, stream, 4);
    desc(q, d, REQ + 0x100 + 8 * slot, 4, 1, (uint16_t)(d + 1));
    desc(q, d + 1, data, bytes, q == VIRTIO_SND_QUEUE_TX ? 1 : 1 | 2, (uint16_t)(d + 2));
    desc(q, d + 2, status, 8, 2, 0);
    put(status, 0xdead, 4);
    submit(q, (uint16_t)d);
}

int main(void)
{
    CHECK(bus_init(&bus, RAM_BASE, RAM_SIZE));
    VirtioSndHost host = { .playback = fake_playback, .capture = fake_capture };
    CHECK(virtio_snd_init(&snd, &host));
    virtio_mmio_init(&t, 0x10008000, 8);
    virtio_mmio_attach(&t, &bus, (IrqLine){ set_irq, NULL, 8 }, &snd.ops, &snd);
    virtio_snd_set_transport(&snd, &t);
    CHECK_EQ(reg(0x008), VIRTIO_SND_DEVICE_ID);
    CHECK_EQ(reg(0x100), 2); /* jacks */
    CHECK_EQ(reg(0x104), 2); /* streams */
    CHECK_EQ(reg(0x108), 2); /* chmaps */
    driver_setup();

    /* PCM_INFO for both streams. */
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 0, 2, 32, 4 + 64), VIRTIO_SND_S_OK);
    CHECK_EQ(get(RESP + 4 + 8, 8), 1ull << VIRTIO_SND_PCM_FMT_S16);
    CHECK_EQ(get(RESP + 4 + 16, 8),
             (1ull << VIRTIO_SND_PCM_RATE_44100) | (1ull << VIRTIO_SND_PCM_RATE_48000));
    CHECK_EQ(get(RESP + 4 + 24, 1), VIRTIO_SND_D_OUTPUT);
    CHECK_EQ(get(RESP + 4 + 32 + 24, 1), VIRTIO_SND_D_INPUT);
    CHECK_EQ(get(RESP + 4 + 32 + 25, 1), 1);
    CHECK_EQ(get(RESP + 4 + 32 + 26, 1), 2);
    /* A larger item size (newer driver) is fine: zero padded. */
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 1, 1, 40, 4 + 40), VIRTIO_SND_S_OK);
    CHECK_EQ(query(VIRTIO_SND_R_JACK_INFO, 0, 2, 24, 4 + 48), VIRTIO_SND_S_OK);
    CHECK_EQ(get(RESP + 4 + 16, 1), 1); /* connected */
    CHECK_EQ(query(VIRTIO_SND_R_CHMAP_INFO, 0, 2, 24, 4 + 48), VIRTIO_SND_S_OK);
    CHECK_EQ(get(RESP + 4 + 5, 1), 2);
    CHECK_EQ(get(RESP + 4 + 24 + 4, 1), VIRTIO_SND_D_INPUT);

    /* Malformed queries. */
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 0, 3, 32, 4 + 96), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 2, 1, 32, 4 + 32), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 0xffffffffu, 2, 32, 4 + 64), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 0, 2, 16, 4 + 64), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(query(VIRTIO_SND_R_PCM_INFO, 0, 2, 32, 4 + 63), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(query(VIRTIO_SND_R_JACK_INFO, 0, 0, 24, 4), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(query(VIRTIO_SND_R_CHMAP_INFO, 0, 1, 0x7fffffff, 4 + 24), VIRTIO_SND_S_BAD_MSG);
    put(REQ, VIRTIO_SND_R_PCM_INFO, 4);
    CHECK_EQ(control(8, 4, NULL), VIRTIO_SND_S_BAD_MSG); /* query too short */
    CHECK_EQ(control(2, 4, NULL), VIRTIO_SND_S_BAD_MSG); /* no header */
    put(REQ, 0x999, 4);
    CHECK_EQ(control(4, 4, NULL), VIRTIO_SND_S_NOT_SUPP);
    put(REQ, VIRTIO_SND_R_JACK_REMAP, 4);
    CHECK_EQ(control(16, 4, NULL), VIRTIO_SND_S_NOT_SUPP);
    uint32_t written = 99;
    put(REQ, VIRTIO_SND_R_PCM_INFO, 4);
    control(16, 0, &written); /* nowhere to answer: consumed, 0 bytes */
    CHECK_EQ(written, 0);
    CHECK(!(reg(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    /* Stream state machine and parameters. */
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_PREPARE, 0), VIRTIO_SND_S_BAD_MSG); /* no params */
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_START, 0), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_STOP, 1), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_START, 7), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(set_params(2, 16384, 4096, 2, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(set_params(0, 16384, 4096, 2, VIRTIO_SND_PCM_FMT_S16, 1 /* 8000 */),
             VIRTIO_SND_S_NOT_SUPP);
    CHECK_EQ(set_params(0, 16384, 4096, 2, 200, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_NOT_SUPP);
    CHECK_EQ(set_params(0, 16384, 4096, 3, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(set_params(0, 16384, 0, 2, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(set_params(0, 1024, 4096, 2, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_BAD_MSG);
    put(REQ, VIRTIO_SND_R_PCM_SET_PARAMS, 4);
    CHECK_EQ(control(12, 4, NULL), VIRTIO_SND_S_BAD_MSG); /* truncated */

    /* Playback: 1024 frames of 48 kHz stereo per message = 21333333 ns. */
    CHECK_EQ(set_params(0, 16384, 4096, 2, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_OK);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_PREPARE, 0), VIRTIO_SND_S_OK);
    for (int i = 0; i < 4096; i++)
        put(DATA + i, (uint8_t)(i * 3), 1);
    io_message(VIRTIO_SND_QUEUE_TX, 0, 0, DATA, 4096, RESP + 0x100);
    io_message(VIRTIO_SND_QUEUE_TX, 1, 0, DATA, 4096, RESP + 0x108);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 0); /* held until started */
    CHECK_EQ(virtio_snd_service(&snd, 1000), -1);
    CHECK_EQ(virtio_snd_next_deadline(&snd), CLOCK_NEVER);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_RELEASE, 0), VIRTIO_SND_S_OK);
    /* RELEASE of a prepared stream returned both messages. */
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 2);
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_OK);
    /* A message for an unprepared stream, a wrong stream, a bad size. */
    io_message(VIRTIO_SND_QUEUE_TX, 0, 0, DATA, 4096, RESP + 0x100);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 1);
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_PREPARE, 0), VIRTIO_SND_S_OK);
    io_message(VIRTIO_SND_QUEUE_TX, 0, 1, DATA, 4096, RESP + 0x100); /* capture id on txq */
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_BAD_MSG);
    io_message(VIRTIO_SND_QUEUE_TX, 0, 9, DATA, 4096, RESP + 0x100);
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_BAD_MSG);
    io_message(VIRTIO_SND_QUEUE_TX, 0, 0, DATA, 4095, RESP + 0x100); /* half a frame */
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_BAD_MSG);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 3);

    io_message(VIRTIO_SND_QUEUE_TX, 0, 0, DATA, 4096, RESP + 0x100);
    io_message(VIRTIO_SND_QUEUE_TX, 1, 0, DATA, 4096, RESP + 0x108);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_START, 0), VIRTIO_SND_S_OK);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_RELEASE, 0), VIRTIO_SND_S_BAD_MSG); /* running */
    uint64_t t0 = 5000000;
    CHECK_EQ(virtio_snd_service(&snd, t0), -1); /* anchors the run */
    CHECK_EQ(virtio_snd_next_deadline(&snd), t0 + 21333333);
    CHECK_EQ(virtio_snd_service(&snd, t0 + 21333332), -1);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 0);
    CHECK_EQ(played_len, 0);
    CHECK_EQ(virtio_snd_service(&snd, t0 + 21333333), -1);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, &written), 1);
    CHECK_EQ(written, 8);
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_OK);
    CHECK_EQ(played_len, 4096);
    CHECK(memcmp(played, bus.ram + (DATA - RAM_BASE), 4096) == 0);
    CHECK_EQ(virtio_snd_next_deadline(&snd), t0 + 42666666);
    CHECK_EQ(virtio_snd_service(&snd, t0 + 100000000), -1); /* late: completes the rest */
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 1);
    CHECK_EQ(played_len, 8192);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_STOP, 0), VIRTIO_SND_S_OK);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_RELEASE, 0), VIRTIO_SND_S_OK);

    /* Capture at 44100 mono: 882 frames = 20 ms. */
    CHECK_EQ(set_params(1, 1764 * 4, 1764, 1, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_44100),
             VIRTIO_SND_S_OK);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_PREPARE, 1), VIRTIO_SND_S_OK);
    memset(bus.ram + (DATA - RAM_BASE), 0, 4096);
    io_message(VIRTIO_SND_QUEUE_RX, 0, 1, DATA, 1764, RESP + 0x100);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_START, 1), VIRTIO_SND_S_OK);
    CHECK_EQ(virtio_snd_service(&snd, 0), -1);
    CHECK_EQ(virtio_snd_next_deadline(&snd), 20000000);
    CHECK_EQ(virtio_snd_service(&snd, 20000000), -1);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_RX, &written), 1);
    CHECK_EQ(written, 1764 + 8);
    CHECK_EQ(captures, 1);
    CHECK_EQ(get(DATA, 1), 0x5a);
    CHECK_EQ(get(DATA + 1763, 1), 0x5a);
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_OK); /* the status after the data */
    /* Save/load with a held message: the same state comes back; damaged
     * records are refused and leave the device as it was. */
    io_message(VIRTIO_SND_QUEUE_RX, 1, 1, DATA, 1764, RESP + 0x108);
    StateWriter w1, w2;
    state_writer_init(&w1);
    state_writer_init(&w2);
    snd.ops.save(&snd, &w1);
    VirtioSnd copy;
    CHECK(virtio_snd_init(&copy, &host));
    StateReader rd;
    state_reader_init(&rd, w1.data, w1.len);
    CHECK(copy.ops.load(&copy, &t, &rd));
    CHECK_EQ(rd.pos, w1.len);
    copy.ops.save(&copy, &w2);
    CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);
    CHECK_EQ(virtio_snd_next_deadline(&copy), virtio_snd_next_deadline(&snd));
    for (size_t cut = 0; cut < w1.len; cut += 7) { /* truncated */
        VirtioSnd victim;
        CHECK(virtio_snd_init(&victim, &host));
        state_reader_init(&rd, w1.data, cut);
        CHECK(!victim.ops.load(&victim, &t, &rd));
        CHECK_EQ(victim.streams[1].state, VIRTIO_SND_ST_IDLE);
        virtio_snd_free(&victim);
    }
    uint8_t *bad = malloc(w1.len);
    for (size_t i = 0; bad && i < w1.len; i++) { /* each byte flipped: never a crash */
        memcpy(bad, w1.data, w1.len);
        bad[i] ^= 0xa5;
        state_reader_init(&rd, bad, w1.len);
        VirtioSnd victim;
        CHECK(virtio_snd_init(&victim, &host));
        victim.ops.load(&victim, &t, &rd);
        virtio_snd_free(&victim);
    }
    free(bad);
    virtio_snd_free(&copy);
    state_writer_free(&w1);
    state_writer_free(&w2);
    CHECK_EQ(virtio_snd_service(&snd, 40000000), -1);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_RX, NULL), 1);

    /* An rx message with data in its readable part is malformed. */
    put(REQ + 0x100, 1, 4);
    desc(VIRTIO_SND_QUEUE_RX, 0, REQ + 0x100, 8, 1, 1);
    desc(VIRTIO_SND_QUEUE_RX, 1, RESP + 0x100, 8, 2, 0);
    submit(VIRTIO_SND_QUEUE_RX, 0);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_RX, NULL), 1);
    CHECK_EQ(get(RESP + 0x100, 4), VIRTIO_SND_S_BAD_MSG);
    /* A message with no room for a status: consumed, no write. */
    desc(VIRTIO_SND_QUEUE_RX, 0, REQ + 0x100, 4, 0, 0);
    submit(VIRTIO_SND_QUEUE_RX, 0);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_RX, &written), 1);
    CHECK_EQ(written, 0);
    CHECK(!(reg(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    /* Garbage: random control requests and I/O messages, with services at
     * random times, must only ever give error statuses. */
    driver_setup();
    uint32_t seed = 12345;
#define RND() rnd(&seed)
    uint64_t now = 0;
    for (int round = 0; round < 3000; round++) {
        for (int i = 0; i < 64; i++)
            put(REQ + i, RND() & 0xff, 1);
        if (RND() % 2)
            put(REQ, 0x100 + RND() % 7, 4); /* mostly PCM codes */
        if (RND() % 2)
            put(REQ + 4, RND() % 3, 4);
        put(REQ + 8, RND() % 3, 4);
        put(REQ + 12, RND() % 64, 4);
        /* Zero-length descriptors are a transport violation: not here. */
        uint32_t req_len = 1 + RND() % 40;
        uint32_t resp_len = RND() % 2 ? 4 + RND() % 100 : RND() % 4;
        uint32_t status = control(req_len, resp_len, NULL);
        CHECK(status == 0xdead || (status >= VIRTIO_SND_S_OK && status <= VIRTIO_SND_S_IO_ERR));
        int q = VIRTIO_SND_QUEUE_TX + (int)(RND() % 2);
        io_message(q, 0, RND() % 3, DATA, 1 + RND() % 5000, RESP + 0x100);
        now += RND() % 30000000;
        CHECK_EQ(virtio_snd_service(&snd, now), -1);
        used_new(VIRTIO_SND_QUEUE_TX, NULL);
        used_new(VIRTIO_SND_QUEUE_RX, NULL);
    }
    CHECK(!(reg(0x070) & VIRTIO_STATUS_NEEDS_RESET));

    /* The driver disables a queue (QueueReady 0) and sets its size to 0
     * while the device holds messages from it: RELEASE and the running
     * stream's completions must not touch that queue (no division by the
     * size 0, no used-ring write to a ring the driver took back). */
    driver_setup();
    CHECK_EQ(set_params(0, 16384, 4096, 2, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_OK);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_PREPARE, 0), VIRTIO_SND_S_OK);
    io_message(VIRTIO_SND_QUEUE_TX, 0, 0, DATA, 4096, RESP + 0x100);
    io_message(VIRTIO_SND_QUEUE_TX, 1, 0, DATA, 4096, RESP + 0x108);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 0);
    wreg(0x030, VIRTIO_SND_QUEUE_TX);
    wreg(0x044, 0);
    wreg(0x038, 0);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_RELEASE, 0), VIRTIO_SND_S_OK);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 0);
    driver_setup();
    CHECK_EQ(set_params(0, 16384, 4096, 2, VIRTIO_SND_PCM_FMT_S16, VIRTIO_SND_PCM_RATE_48000),
             VIRTIO_SND_S_OK);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_PREPARE, 0), VIRTIO_SND_S_OK);
    io_message(VIRTIO_SND_QUEUE_TX, 0, 0, DATA, 4096, RESP + 0x100);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_START, 0), VIRTIO_SND_S_OK);
    CHECK_EQ(virtio_snd_service(&snd, 1000), -1);
    wreg(0x030, VIRTIO_SND_QUEUE_TX);
    wreg(0x044, 0);
    wreg(0x038, 0);
    CHECK_EQ(virtio_snd_service(&snd, 1000000000), -1);
    CHECK_EQ(used_new(VIRTIO_SND_QUEUE_TX, NULL), 0);
    CHECK_EQ(pcm(VIRTIO_SND_R_PCM_STOP, 0), VIRTIO_SND_S_OK);

    /* Device reset clears the streams. */
    wreg(0x070, 0);
    CHECK_EQ(virtio_snd_next_deadline(&snd), CLOCK_NEVER);
    CHECK_EQ(snd.streams[1].state, VIRTIO_SND_ST_IDLE);

    virtio_snd_free(&snd);
    bus_free(&bus);
    return failures != 0;
}
