/* The replay engine's sync points and reports (src/replay/replay.c) on a
 * minimal machine: RAM, one hart, no devices. A recording, then a replay
 * that matches, then replays whose RAM page or register differs: the
 * report must name the page or the register. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "replay/replay.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)

static Bus bus;
static Hart hart;
static Hart *harts[1] = { &hart };
static VirtClock clock_;
static char trace_path[64];
static uint8_t received[64];
static size_t received_len;

static void sink_serial(void *opaque, uint32_t port, const uint8_t *data, size_t len)
{
    memcpy(received + received_len, data, len);
    received_len += len;
}

static Replay *open_replay(ReplayMode mode)
{
    TraceHeader header = { 0 };
    trace_header_set_str(&header, "machine", "test");
    ReplayOptions options = { .mode = mode, .path = trace_path, .sync_interval = 1000 };
    ReplayMachine machine = { .harts = harts, .hart_count = 1, .bus = &bus, .clock = &clock_ };
    ReplaySink sink = { .serial_input = sink_serial };
    char err[256];
    Replay *r = replay_open(&options, &header, &machine, &sink, err, sizeof(err));
    if (!r)
        printf("replay_open: %s\n", err);
    return r;
}

static void reset_machine(void)
{
    memset(bus.ram, 0, RAM_SIZE);
    memset(bus.page_flags, 0, RAM_SIZE >> BUS_PAGE_SHIFT);
    memset(&hart, 0, sizeof(hart));
    hart.x[10] = 42;
    clock_init(&clock_, 2);
    received_len = 0;
}

/* The run: a write to page 3 before the first sync point, input at 1000,
 * end at 2500 with status 7. `page_value` and `flip_a0` perturb it. */
static int run(Replay *r, uint64_t page_value, bool flip_a0)
{
    bus_write(&bus, RAM_BASE + 3 * BUS_PAGE_SIZE + 8, 8, page_value);
    int status = replay_round(r, 500);
    if (status != REPLAY_CONTINUE)
        return status;
    if (flip_a0)
        hart.x[10] ^= 1;
    /* At a round boundary: the sync point first, then the inputs. */
    status = replay_round(r, 1000);
    if (status != REPLAY_CONTINUE)
        return status;
    if (replay_mode(r) == REPLAY_RECORD)
        replay_log_serial_input(r, 1000, 0, (const uint8_t *)"hi", 2);
    status = replay_round(r, 2000);
    if (status != REPLAY_CONTINUE)
        return status;
    return replay_finish(r, 2500, 7);
}

/* Runs a replay with stderr captured into `report`. */
/* stderr goes to a temporary file between capture_begin and capture_end,
 * which copies what was written into report (if not NULL). */
typedef struct Capture {
    int saved;
    FILE *file;
} Capture;

static Capture capture_begin(void)
{
    fflush(stderr);
    Capture c = { dup(2), tmpfile() };
    dup2(fileno(c.file), 2);
    return c;
}

static void capture_end(Capture c, char *report, size_t size)
{
    fflush(stderr);
    dup2(c.saved, 2);
    close(c.saved);
    if (report) {
        rewind(c.file);
        size_t n = fread(report, 1, size - 1, c.file);
        report[n] = 0;
    }
    fclose(c.file);
}

static int replay_captured(uint64_t page_value, bool flip_a0, char *report, size_t size)
{
    reset_machine();
    Capture c = capture_begin();
    Replay *r = open_replay(REPLAY_PLAY);
    int status = r ? run(r, page_value, flip_a0) : -2;
    replay_close(r);
    capture_end(c, report, size);
    return status;
}

/* A round that logged a pulled event (RANDOM) before pushed input at the
 * same icount: replay_round stops at the RANDOM, the device takes it, and
 * replay_round_end then delivers the input. With `rebased`, the same
 * round after a loadvm logged in the recording (machine icount 900 is
 * trace icount 1500): replay_round_end must look for the held input at
 * the trace icount too. */
static int run_pulled(Replay *r, bool rebased, uint8_t random_out[8])
{
    uint64_t at = 1500;
    if (rebased) {
        replay_rebase(r, 1000, 400);
        at = 900;
    }
    int status = replay_round(r, at);
    if (status != REPLAY_CONTINUE)
        return status;
    status = replay_random_bytes(r, at, 1, random_out, 8);
    if (status != REPLAY_CONTINUE)
        return status;
    if (replay_mode(r) == REPLAY_RECORD)
        replay_log_serial_input(r, at, 0, (const uint8_t *)"yo", 2);
    status = replay_round_end(r, at);
    if (status != REPLAY_CONTINUE)
        return status;
    CHECK_EQ(received_len, replay_mode(r) == REPLAY_PLAY ? 2 : 0);
    return replay_finish(r, at + 1000, 5);
}

static void test_pulled_then_pushed(bool rebased)
{
    uint8_t recorded[8], replayed[8];
    reset_machine();
    Replay *r = open_replay(REPLAY_RECORD);
    CHECK(r != NULL);
    CHECK_EQ(run_pulled(r, rebased, recorded), 5);
    replay_close(r);

    reset_machine();
    Capture c = capture_begin();
    r = open_replay(REPLAY_PLAY);
    int status = r ? run_pulled(r, rebased, replayed) : -2;
    replay_close(r);
    capture_end(c, NULL, 0);
    CHECK_EQ(status, 5);
    CHECK(memcmp(recorded, replayed, 8) == 0);
    CHECK_EQ(received_len, 2);
    CHECK(memcmp(received, "yo", 2) == 0);
}

/* After a loadvm logged in a recording (replay_rebase) the trace's sync
 * schedule is in trace icounts; replay_next_sync answers in the machine's,
 * which is what the checkpoints compare it with (virt_seek.c harvests the
 * dirty bits at the sync round, before replay_round clears them). */
static void test_next_sync_rebased(void)
{
    reset_machine();
    Replay *r = open_replay(REPLAY_RECORD);
    CHECK(r != NULL);
    CHECK_EQ(replay_round(r, 500), REPLAY_CONTINUE);
    CHECK_EQ(replay_next_sync(r), 1000);
    /* loadvm at machine 800 of a snapshot taken at 100: trace = machine + 700. */
    replay_rebase(r, 800, 100);
    CHECK_EQ(replay_next_sync(r), 300);
    bus_write(&bus, RAM_BASE + 5 * BUS_PAGE_SIZE, 8, 1);
    CHECK(bus.page_flags[5] & BUS_PAGE_DIRTY);
    /* Machine 300 is trace 1000: the sync round, which clears the bits. */
    CHECK_EQ(replay_round(r, 300), REPLAY_CONTINUE);
    CHECK(!(bus.page_flags[5] & BUS_PAGE_DIRTY));
    CHECK_EQ(replay_next_sync(r), 1300);
    replay_close(r);
    unlink(trace_path);
}

int main(void)
{
    snprintf(trace_path, sizeof(trace_path), "/tmp/deja-test-replay-%d.rr", (int)getpid());
    CHECK(bus_init(&bus, RAM_BASE, RAM_SIZE));
    reset_machine();
    Replay *r = open_replay(REPLAY_RECORD);
    CHECK(r != NULL);
    CHECK_EQ(run(r, 0x1234, false), 7);
    replay_close(r);

    static char report[4096];
    CHECK_EQ(replay_captured(0x1234, false, report, sizeof(report)), 7);
    CHECK(strstr(report, "replay finished at instruction 2500: end state matches") != NULL);
    CHECK_EQ(received_len, 2);
    CHECK(memcmp(received, "hi", 2) == 0);

    CHECK_EQ(replay_captured(0x1235, false, report, sizeof(report)), REPLAY_EXIT_DIVERGED);
    CHECK(strstr(report, "diverged from the recording at instruction 1000") != NULL);
    CHECK(strstr(report, "RAM page 0x80003000: contents differ") != NULL);
    if (failures)
        printf("%s", report);

    CHECK_EQ(replay_captured(0x1234, true, report, sizeof(report)), REPLAY_EXIT_DIVERGED);
    CHECK(strstr(report, "hart 0 register a0: recorded 0x000000000000002a, replayed "
                         "0x000000000000002b") != NULL);
    if (failures)
        printf("%s", report);

    test_pulled_then_pushed(false);
    test_pulled_then_pushed(true);
    test_next_sync_rebased();

    unlink(trace_path);
    bus_free(&bus);
    if (!failures)
        printf("test_replay: all passed\n");
    return failures != 0;
}
