/* Regression tests for the hostile-input review: each case is a bug that
 * was found by review or by fuzzing, in trace.c, replay.c, chardev.c,
 * uart16550.c and goldfish_rtc.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "check.h"
#include "dev/goldfish_rtc.h"
#include "dev/uart16550.h"
#include "host/chardev.h"
#include "replay/replay.h"
#include "replay/trace.h"

static char trace_path[64];

/* ---- trace.c: an event payload over TRACE_MAX_EVENT_PAYLOAD ---- */

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Appends a correctly framed event chunk (docs/trace-format.md "Chunks"). */
static void append_event_chunk(const char *path, const uint8_t *raw, size_t raw_len)
{
    size_t bound = ZSTD_compressBound(raw_len);
    uint8_t *stored = malloc(bound);
    size_t stored_len = ZSTD_compress(stored, bound, raw, raw_len, 1);
    uint8_t frame[33];
    memcpy(frame, "CHNK", 4);
    frame[4] = 2;
    put_le(frame + 5, stored_len, 4);
    put_le(frame + 9, raw_len, 4);
    put_le(frame + 13, 0, 8);
    put_le(frame + 21, (uint32_t)XXH3_64bits(frame, 21), 4);
    put_le(frame + 25, XXH3_64bits(stored, stored_len), 8);
    FILE *f = fopen(path, "ab");
    CHECK(f != NULL);
    if (f) {
        fwrite(frame, 1, sizeof(frame), f);
        fwrite(stored, 1, stored_len, f);
        fclose(f);
    }
    free(stored);
}

static void test_trace_payload_limit(void)
{
    TraceHeader header = { 0 };
    trace_header_set_str(&header, "machine", "test");
    char err[256];
    TraceWriter *w = trace_writer_open(trace_path, &header, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK(trace_writer_close(w));

    /* One SERIAL_INPUT event whose payload is one byte over the limit:
     * the chunk itself is within TRACE_MAX_CHUNK_RAW and checksums fine. */
    uint32_t len = TRACE_MAX_EVENT_PAYLOAD + 1;
    size_t raw_len = 4 * TRACE_VARINT_MAX + len;
    uint8_t *raw = calloc(1, raw_len);
    size_t n = 0;
    n += trace_varint_put(raw + n, 0);
    n += trace_varint_put(raw + n, TRACE_EV_SERIAL_INPUT);
    n += trace_varint_put(raw + n, 0);
    n += trace_varint_put(raw + n, len);
    append_event_chunk(trace_path, raw, n + len);
    free(raw);

    TraceReader *r = trace_reader_open(trace_path, err, sizeof(err));
    CHECK(r != NULL);
    if (!r)
        return;
    TraceEvent ev;
    CHECK(trace_reader_next(r, &ev) == -1);
    CHECK(strstr(trace_reader_error(r), "exceeds the limit") != NULL);
    trace_reader_close(r);
}

/* ---- replay.c: host time and huge sync intervals ---- */

static Bus bus;
static Hart hart;
static Hart *harts[1] = { &hart };
static VirtClock clock_;

static Replay *open_replay(ReplayMode mode, uint64_t sync_interval)
{
    TraceHeader header = { 0 };
    trace_header_set_str(&header, "machine", "test");
    ReplayOptions options = { .mode = mode, .path = trace_path, .sync_interval = sync_interval };
    ReplayMachine machine = { .harts = harts, .hart_count = 1, .bus = &bus, .clock = &clock_ };
    char err[256];
    Replay *r = replay_open(&options, &header, &machine, NULL, err, sizeof(err));
    if (!r)
        printf("replay_open: %s\n", err);
    return r;
}

static int count_events(uint32_t kind)
{
    char err[256];
    TraceReader *r = trace_reader_open(trace_path, err, sizeof(err));
    if (!r)
        return -1;
    int count = 0;
    TraceEvent ev;
    while (trace_reader_next(r, &ev) == 1)
        count += ev.kind == kind;
    trace_reader_close(r);
    return count;
}

static void test_replay_host_time_missing(void)
{
    clock_init(&clock_, 2);
    Replay *r = open_replay(REPLAY_RECORD, 1000);
    CHECK(r != NULL);
    if (!r)
        return;
    /* A recording without the RTC base time event. */
    CHECK_EQ(replay_finish(r, 10, 0), 0);
    replay_close(r);

    r = open_replay(REPLAY_PLAY, 0);
    CHECK(r != NULL);
    if (!r)
        return;
    /* Not the host's value: two replays of one trace must agree. */
    CHECK_EQ(replay_host_time(r, 0, 0, 123456789), 0);
    replay_close(r);
}

static void test_replay_huge_sync_interval(void)
{
    clock_init(&clock_, 2);
    const uint64_t interval = (1ull << 63) + 1;
    Replay *r = open_replay(REPLAY_RECORD, interval);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_EQ(replay_round(r, interval), REPLAY_CONTINUE); /* the one sync point */
    /* The next multiple does not exist in 64 bits: no more sync points
     * (it used to wrap to 2 and make every round one). */
    CHECK_EQ(replay_round(r, interval + 5), REPLAY_CONTINUE);
    CHECK_EQ(replay_round(r, interval + 9), REPLAY_CONTINUE);
    CHECK_EQ(replay_finish(r, interval + 9, 0), 0);
    replay_close(r);
    CHECK_EQ(count_events(TRACE_EV_SYNC), 1);
}

/* A header value with terminal escapes is shown defanged in the message
 * that refuses the trace. */
static void test_replay_header_escapes(void)
{
    TraceHeader header = { 0 };
    trace_header_set_str(&header, "machine", "\x1b]0;owned\x07\x1b[2J");
    trace_header_set_str(&header, "sync-interval", "1000");
    char err[256];
    TraceWriter *w = trace_writer_open(trace_path, &header, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK(trace_writer_close(w));
    TraceHeader config = { 0 };
    trace_header_set_str(&config, "machine", "test");
    ReplayOptions options = { .mode = REPLAY_PLAY, .path = trace_path };
    ReplayMachine machine = { .harts = harts, .hart_count = 1, .bus = &bus, .clock = &clock_ };
    err[0] = 0;
    Replay *r = replay_open(&options, &config, &machine, NULL, err, sizeof(err));
    CHECK(r == NULL);
    replay_close(r);
    CHECK(strstr(err, "differs") != NULL);
    for (const char *p = err; *p; p++)
        CHECK((unsigned char)*p >= 0x20);
}

/* ---- chardev.c: options longer than the item buffer ---- */

static void test_chardev_long_path(void)
{
    char long_path[1200];
    memset(long_path, 'a', sizeof(long_path) - 1);
    long_path[0] = '/';
    long_path[sizeof(long_path) - 1] = 0;
    char spec[1300];
    char err[256] = "";
    Chardev chr;

    snprintf(spec, sizeof(spec), "file,id=x,path=%s", long_path);
    CHECK(!chardev_open_definition(&chr, spec, err, sizeof(err)));
    CHECK(strstr(err, "too long") != NULL); /* not a file opened under a cut name */

    snprintf(spec, sizeof(spec), "unix:%s,server,nowait", long_path);
    err[0] = 0;
    CHECK(!chardev_open(&chr, spec, "serial0", false, err, sizeof(err)));
    CHECK(strstr(err, "too long") != NULL);

    /* Still fine: an ordinary definition. */
    CHECK(chardev_open_definition(&chr, "null,id=n", err, sizeof(err)));
    chardev_close(&chr);
}

/* A file: backend whose reader went away (a FIFO): the write fails with
 * EPIPE instead of killing the process with SIGPIPE. */
static void test_chardev_reader_gone(void)
{
    char fifo[64], spec[80], err[256] = "";
    snprintf(fifo, sizeof(fifo), "/tmp/deja-test-fifo-%d", (int)getpid());
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    CHECK(reader >= 0);
    snprintf(spec, sizeof(spec), "file:%s", fifo);
    Chardev chr;
    bool opened = chardev_open(&chr, spec, "serial0", false, err, sizeof(err));
    CHECK(opened);
    close(reader);
    if (opened) {
        chardev_write(&chr, (const uint8_t *)"lost", 4); /* used to die here */
        chardev_close(&chr);
    }
    struct sigaction now;
    CHECK(sigaction(SIGPIPE, NULL, &now) == 0 && now.sa_handler == SIG_IGN);
    unlink(fifo);
}

/* ---- uart16550.c: 16450 mode holds one byte ---- */

static void no_irq(void *opaque, int n, bool level) {}

static uint8_t uart_reg(Uart16550 *u, int reg)
{
    uint64_t v = 0;
    uart16550_read(u, (uint64_t)reg, 1, &v);
    return (uint8_t)v;
}

static void test_uart_16450_overrun(void)
{
    Uart16550 u;
    uart16550_init(&u, 0x10000000, 10, (IrqLine){ no_irq, NULL, 10 }, NULL, NULL);
    /* FIFO off (reset state), loopback on: a transmitted byte is received. */
    uart16550_write(&u, 4, 1, 0x10);
    uart16550_write(&u, 0, 1, 'a');
    uart16550_write(&u, 0, 1, 'b'); /* no room: overrun, 'a' stays */
    CHECK_EQ(uart16550_can_receive(&u), 0);
    uint8_t lsr = uart_reg(&u, 5);
    CHECK(lsr & 0x02); /* OE */
    CHECK(lsr & 0x01); /* DR */
    CHECK_EQ(uart_reg(&u, 0), 'a');
    CHECK_EQ(uart_reg(&u, 5) & 0x01, 0); /* nothing more */

    /* The same from the replay side: bytes past the room are overruns. */
    uart16550_write(&u, 4, 1, 0x00);
    uart16550_receive(&u, 'x');
    uart16550_receive(&u, 'y');
    CHECK_EQ(uart_reg(&u, 0), 'x');
    CHECK_EQ(uart_reg(&u, 5) & 0x01, 0);
}

/* ---- goldfish_rtc.c: an alarm far ahead must not fire at once ---- */

static int rtc_irq_level;
static void rtc_irq(void *opaque, int n, bool level) { rtc_irq_level = level; }

static void rtc_write(GoldfishRtc *rtc, uint64_t offset, uint32_t v)
{
    goldfish_rtc_write(rtc, offset, 4, v);
}

static void test_rtc_far_alarm(void)
{
    VirtClock clock;
    clock_init(&clock, 2);
    GoldfishRtc rtc;
    CHECK(goldfish_rtc_init(&rtc, GOLDFISH_RTC_BASE, GOLDFISH_RTC_IRQ,
                            (IrqLine){ rtc_irq, NULL, GOLDFISH_RTC_IRQ }, &clock, 0));
    goldfish_rtc_reset(&rtc);
    clock.machine_icount = 1000; /* virtual time 4000 ns */
    /* The guest sets the RTC back to 0 and the alarm to the far future:
     * alarm - now is then larger than what is left of the virtual clock. */
    rtc_write(&rtc, GOLDFISH_RTC_TIME_HIGH, 0);
    rtc_write(&rtc, GOLDFISH_RTC_TIME_LOW, 0);
    CHECK_EQ(goldfish_rtc_now(&rtc), 0);
    rtc_write(&rtc, GOLDFISH_RTC_IRQ_ENABLED, 1);
    rtc_write(&rtc, GOLDFISH_RTC_ALARM_HIGH, 0xffffffffu);
    rtc_write(&rtc, GOLDFISH_RTC_ALARM_LOW, 0xfffffff0u);
    clock_run_timers(&clock);
    CHECK_EQ(rtc_irq_level, 0);
    uint64_t status = 0;
    goldfish_rtc_read(&rtc, GOLDFISH_RTC_ALARM_STATUS, 4, &status);
    CHECK_EQ(status, 1);

    /* A near alarm still fires when its time comes. */
    rtc_write(&rtc, GOLDFISH_RTC_ALARM_HIGH, 0);
    rtc_write(&rtc, GOLDFISH_RTC_ALARM_LOW, 400);
    clock_run_timers(&clock);
    CHECK_EQ(rtc_irq_level, 0);
    clock.machine_icount = 1100;
    clock_run_timers(&clock);
    CHECK_EQ(rtc_irq_level, 1);
}

int main(void)
{
    snprintf(trace_path, sizeof(trace_path), "/tmp/deja-test-hostile-%d.rr", (int)getpid());
    if (!bus_init(&bus, 0x80000000ull, 1 << 20)) {
        printf("FAIL: bus_init\n");
        return 1;
    }
    test_trace_payload_limit();
    test_replay_host_time_missing();
    test_replay_huge_sync_interval();
    test_replay_header_escapes();
    test_chardev_long_path();
    test_chardev_reader_gone();
    test_uart_16450_overrun();
    test_rtc_far_alarm();
    unlink(trace_path);
    bus_free(&bus);
    return failures != 0;
}
