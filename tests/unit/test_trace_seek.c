/* Trace reader repositioning (trace_reader_tell / trace_reader_seek), the
 * base of replay seeking, checkpoints and loadvm in a replay: a trace of
 * many chunks is read once recording the position before every event;
 * then the reader jumps to those positions in a scrambled order (forwards,
 * backwards, inside the current chunk, across chunks, to the end) and
 * each time the next events and the counters must be what they were. A
 * position with a damaged offset or event offset is refused cleanly, and
 * a fresh reader of the same file accepts positions from another. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "replay/trace.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct Expected {
    uint64_t icount;
    uint32_t kind, channel, len;
    uint8_t first; /* first payload byte */
} Expected;

#define EVENTS 3000

static Expected expected[EVENTS + 1];
static TraceReaderPos positions[EVENTS + 1]; /* before event i; [EVENTS]: at the end */
static uint64_t chunk_counts[EVENTS + 1];

/* Reads `count` events from r and checks them against expected[from...]. */
static void check_next(TraceReader *r, int from, int count)
{
    for (int i = from; i < from + count && i <= EVENTS; i++) {
        TraceEvent ev;
        int rc = trace_reader_next(r, &ev);
        if (i == EVENTS) {
            CHECK_EQ(rc, 0);
            return;
        }
        CHECK_EQ(rc, 1);
        if (rc != 1) {
            printf("  at event %d: %s\n", i, trace_reader_error(r));
            return;
        }
        CHECK_EQ(ev.icount, expected[i].icount);
        CHECK_EQ(ev.kind, expected[i].kind);
        CHECK_EQ(ev.channel, expected[i].channel);
        CHECK_EQ(ev.len, expected[i].len);
        if (ev.len)
            CHECK_EQ(ev.payload[0], expected[i].first);
        CHECK_EQ(trace_reader_event_count(r), (uint64_t)i + 1);
    }
}

int main(void)
{
    char dir[] = "/tmp/deja-test-trace-seek.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[256];
    snprintf(path, sizeof(path), "%s/t.rr", dir);

    TraceHeader h = { 0 };
    trace_header_set_str(&h, "machine", "virt");
    char err[256];
    TraceWriter *w = trace_writer_open(path, &h, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return 1;
    uint64_t icount = 0;
    static uint8_t payload[9000];
    for (int i = 0; i < EVENTS; i++) {
        icount += rng() % 3 == 0 ? 0 : rng() % 100000;
        uint32_t len = rng() % 7 == 0 ? (uint32_t)(rng() % sizeof(payload)) : (uint32_t)(rng() % 40);
        for (uint32_t j = 0; j < len; j++)
            payload[j] = (uint8_t)(i + j);
        expected[i] = (Expected){ icount, 1 + (uint32_t)(rng() % 7), (uint32_t)(rng() % 4), len,
                                  (uint8_t)i };
        CHECK(trace_writer_event(w, icount, expected[i].kind, expected[i].channel, payload, len));
        if (rng() % 97 == 0)
            CHECK(trace_writer_flush(w)); /* small chunks too */
    }
    CHECK(trace_writer_close(w));

    TraceReader *r = trace_reader_open(path, err, sizeof(err));
    CHECK(r != NULL);
    if (!r)
        return 1;
    for (int i = 0; i <= EVENTS; i++) {
        trace_reader_tell(r, &positions[i]);
        chunk_counts[i] = trace_reader_chunk_count(r);
        check_next(r, i, 1);
    }
    CHECK(trace_reader_chunk_count(r) > 10);

    /* Jumps in a scrambled order, each followed by a few events. */
    for (int n = 0; n < 2000; n++) {
        int target = (int)(rng() % (EVENTS + 1));
        if (n % 10 == 0)
            target = EVENTS; /* the end */
        CHECK_EQ(trace_reader_seek(r, &positions[target]), 1);
        CHECK_EQ(trace_reader_event_count(r), (uint64_t)target);
        CHECK_EQ(trace_reader_chunk_count(r), chunk_counts[target]);
        check_next(r, target, 1 + (int)(rng() % 20));
    }

    /* A second reader of the same file takes the first one's positions. */
    TraceReader *r2 = trace_reader_open(path, err, sizeof(err));
    CHECK(r2 != NULL);
    if (r2) {
        for (int i = EVENTS; i >= 0; i -= 37) {
            CHECK_EQ(trace_reader_seek(r2, &positions[i]), 1);
            check_next(r2, i, 3);
        }
        /* Damaged positions are refused with a message, not followed. */
        TraceReaderPos bad = positions[EVENTS / 2];
        bad.chunk_loaded = true;
        bad.chunk_offset += 5;
        CHECK_EQ(trace_reader_seek(r2, &bad), -1);
        CHECK(strlen(trace_reader_error(r2)) > 0);
        bad = positions[EVENTS / 2];
        bad.chunk_loaded = true;
        bad.pos = 1u << 30;
        CHECK_EQ(trace_reader_seek(r2, &bad), -1);
        bad.chunk_offset = 3;
        CHECK_EQ(trace_reader_seek(r2, &bad), -1);
        bad = positions[EVENTS / 2];
        bad.chunk_loaded = true;
        bad.chunk_offset = (uint64_t)1 << 40; /* past the end of the file */
        CHECK_EQ(trace_reader_seek(r2, &bad), -1);
        /* and the reader still works from a good position afterwards */
        CHECK_EQ(trace_reader_seek(r2, &positions[17]), 1);
        check_next(r2, 17, 5);
        trace_reader_close(r2);
    }
    trace_reader_close(r);
    unlink(path);
    rmdir(dir);
    if (failures == 0)
        printf("test_trace_seek: all passed\n");
    return failures != 0;
}
