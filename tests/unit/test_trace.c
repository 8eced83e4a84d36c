/* Trace file format: varints, header table, writer/reader round trips over
 * many chunks, corruption and truncation at every byte, hostile chunks
 * with valid checksums, a recorder killed with SIGKILL, image hashes. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xxhash.h>
#include <zstd.h>

#include "replay/trace.h"

static int failures;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static char dir[] = "/tmp/deja-test-trace.XXXXXX";
static char path_buf[256];

static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
    return path_buf;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        printf("FAIL cannot write %s\n", path);
        failures++;
        return;
    }
    fwrite(data, 1, len, f);
    fclose(f);
}

static void make_header(TraceHeader *h)
{
    memset(h, 0, sizeof(*h));
    trace_header_set_str(h, "machine", "virt");
    trace_header_set_str(h, "icount-shift", "2");
    uint8_t hash[16];
    trace_hash_buffer("firmware", 8, hash);
    trace_header_set(h, "hash:firmware", hash, 16);
}

/* Reads a whole trace: returns the number of events, -1 on open failure,
 * -2 on a read error; *truncated from the reader. */
static long read_all(const char *path, bool *truncated, char *msg, size_t msg_len)
{
    char err[400];
    TraceReader *r = trace_reader_open(path, err, sizeof(err));
    if (!r) {
        snprintf(msg, msg_len, "%s", err);
        return -1;
    }
    TraceEvent ev;
    long n = 0;
    int rc;
    while ((rc = trace_reader_next(r, &ev)) == 1)
        n++;
    *truncated = trace_reader_truncated(r);
    if (rc < 0)
        snprintf(msg, msg_len, "%s", trace_reader_error(r));
    trace_reader_close(r);
    return rc < 0 ? -2 : n;
}

static void test_varint(void)
{
    uint8_t buf[16];
    uint64_t v;
    static const uint64_t samples[] = {
        0,          1,         127,        128,        255,
        16383,      16384,     UINT32_MAX, 1ull << 35, (1ull << 63) - 1,
        1ull << 63, UINT64_MAX
    };
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        size_t n = trace_varint_put(buf, samples[i]);
        CHECK(n >= 1 && n <= TRACE_VARINT_MAX);
        CHECK(trace_varint_get(buf, n, &v) == n && v == samples[i]);
        CHECK(trace_varint_get(buf, n - 1, &v) == 0); /* cut short */
    }
    for (int i = 0; i < 100000; i++) {
        uint64_t x = rng() >> (rng() % 64);
        size_t n = trace_varint_put(buf, x);
        CHECK(trace_varint_get(buf, sizeof(buf), &v) == n && v == x);
    }
    CHECK(trace_varint_put(buf, UINT64_MAX) == 10);
    CHECK(trace_varint_get(buf, 0, &v) == 0);
    /* 11 continuation bytes: too long. */
    memset(buf, 0x80, sizeof(buf));
    CHECK(trace_varint_get(buf, sizeof(buf), &v) == 0);
    /* 10 bytes whose last carries more than bit 63. */
    memset(buf, 0xff, 9);
    buf[9] = 0x02;
    CHECK(trace_varint_get(buf, 10, &v) == 0);
    buf[9] = 0x01;
    CHECK(trace_varint_get(buf, 10, &v) == 10 && v == UINT64_MAX);
    /* Non-minimal encodings are accepted (the writer never makes them). */
    buf[0] = 0x81, buf[1] = 0x00;
    CHECK(trace_varint_get(buf, 2, &v) == 2 && v == 1);
}

static void test_header_table(void)
{
    TraceHeader h;
    memset(&h, 0, sizeof(h));
    CHECK(trace_header_set_str(&h, "machine", "virt"));
    CHECK(trace_header_set_str(&h, "machine", "virt2")); /* replaces */
    CHECK(h.count == 1);
    const TraceHeaderEntry *e = trace_header_get(&h, "machine");
    CHECK(e && e->len == 5 && memcmp(e->value, "virt2", 5) == 0);
    CHECK(!trace_header_get(&h, "smp"));
    CHECK(!trace_header_set_str(&h, "", "x"));
    CHECK(!trace_header_set_str(&h, "has space", "x"));
    char long_key[60];
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = 0;
    CHECK(!trace_header_set_str(&h, long_key, "x"));
    long_key[47] = 0;
    CHECK(trace_header_set_str(&h, long_key, "x")); /* 47 chars is the maximum */
    uint8_t big[300] = { 0 };
    CHECK(!trace_header_set(&h, "big", big, 257));
    CHECK(trace_header_set(&h, "big", big, 256));
    while (h.count < TRACE_MAX_HEADER_ENTRIES) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", h.count);
        CHECK(trace_header_set_str(&h, key, key));
    }
    CHECK(!trace_header_set_str(&h, "one-more", "x"));
    CHECK(trace_header_set_str(&h, "machine", "virt")); /* replacing still works when full */
}

static void test_header_round_trip(void)
{
    TraceHeader h;
    memset(&h, 0, sizeof(h));
    uint8_t value[256];
    for (int i = 0; i < TRACE_MAX_HEADER_ENTRIES; i++) {
        char key[48];
        snprintf(key, sizeof(key), "key-%02d-%.*s", i, i % 30, "abcdefghijklmnopqrstuvwxyz0123");
        for (int j = 0; j < 256; j++)
            value[j] = (uint8_t)(i * 7 + j);
        CHECK(trace_header_set(&h, key, value, (uint32_t)(i * 4) % 257));
    }
    char err[400];
    const char *path = tmp_path("header.trace");
    TraceWriter *w = trace_writer_open(path, &h, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK(trace_writer_close(w));
    TraceReader *r = trace_reader_open(path, err, sizeof(err));
    CHECK(r != NULL);
    if (!r) {
        printf("  %s\n", err);
        return;
    }
    const TraceHeader *got = trace_reader_header(r);
    CHECK(got->version == TRACE_VERSION);
    CHECK(got->count == h.count);
    for (int i = 0; i < h.count && i < got->count; i++) {
        CHECK(strcmp(got->entries[i].key, h.entries[i].key) == 0);
        CHECK(got->entries[i].len == h.entries[i].len);
        CHECK(memcmp(got->entries[i].value, h.entries[i].value, h.entries[i].len) == 0);
    }
    TraceEvent ev;
    CHECK(trace_reader_next(r, &ev) == 0);
    CHECK(!trace_reader_truncated(r));
    CHECK(trace_reader_chunk_count(r) == 1);
    trace_reader_close(r);

    /* An empty header works too. */
    memset(&h, 0, sizeof(h));
    w = trace_writer_open(path, &h, err, sizeof(err));
    CHECK(w && trace_writer_close(w));
    r = trace_reader_open(path, err, sizeof(err));
    CHECK(r && trace_reader_header(r)->count == 0);
    trace_reader_close(r);
}

typedef struct Expected {
    uint64_t icount;
    uint32_t kind, channel, len;
    uint64_t seed;
} Expected;

static void fill_payload(uint8_t *buf, uint32_t len, uint64_t seed)
{
    for (uint32_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((seed >> (i % 8 * 8)) + i * 31);
}

static void test_round_trip(void)
{
    enum { EVENTS = 3000 };
    static Expected expect[EVENTS];
    static uint8_t payload[100 * 1024 + 1];
    TraceHeader h;
    make_header(&h);
    char err[400];
    const char *path = tmp_path("round.trace");
    TraceWriter *w = trace_writer_open(path, &h, err, sizeof(err));
    CHECK(w != NULL);
    if (!w) {
        printf("  %s\n", err);
        return;
    }
    uint64_t icount = 0;
    for (int i = 0; i < EVENTS; i++) {
        Expected *e = &expect[i];
        /* Mostly small payloads, some large; equal icounts happen too. */
        uint64_t shape = rng() % 100;
        e->len = shape < 5    ? (uint32_t)(rng() % (sizeof(payload)))
                 : shape < 20 ? 0
                              : (uint32_t)(rng() % 64);
        icount += shape < 30 ? 0 : rng() % 1000000;
        if (i == EVENTS - 1)
            icount += 1ull << 62; /* large deltas */
        e->icount = icount;
        e->kind = 1 + (uint32_t)(rng() % 7);
        e->channel = (uint32_t)(rng() % 4);
        if (i == 17)
            e->channel = UINT32_MAX;
        if (i == 18)
            e->kind = 1000; /* unknown kinds pass through */
        e->seed = rng();
        fill_payload(payload, e->len, e->seed);
        CHECK(trace_writer_event(w, e->icount, e->kind, e->channel, payload, e->len));
        if (i == EVENTS / 2)
            CHECK(trace_writer_flush(w));
    }
    CHECK(trace_writer_bytes(w) > 12);
    CHECK(trace_writer_close(w));

    TraceReader *r = trace_reader_open(path, err, sizeof(err));
    CHECK(r != NULL);
    if (!r) {
        printf("  %s\n", err);
        return;
    }
    const TraceHeaderEntry *machine = trace_header_get(trace_reader_header(r), "machine");
    CHECK(machine && machine->len == 4 && memcmp(machine->value, "virt", 4) == 0);
    TraceEvent ev;
    int i = 0, rc;
    while ((rc = trace_reader_next(r, &ev)) == 1) {
        if (i >= EVENTS) {
            i++;
            continue;
        }
        Expected *e = &expect[i++];
        fill_payload(payload, e->len, e->seed);
        if (ev.icount != e->icount || ev.kind != e->kind || ev.channel != e->channel ||
            ev.len != e->len || (e->len && memcmp(ev.payload, payload, e->len) != 0)) {
            printf("FAIL %s:%d: event %d differs (icount %" PRIu64 "/%" PRIu64 ")\n", __FILE__,
                   __LINE__, i - 1, ev.icount, e->icount);
            failures++;
            break;
        }
    }
    CHECK(rc == 0);
    CHECK(i == EVENTS);
    CHECK(!trace_reader_truncated(r));
    CHECK(trace_reader_event_count(r) == EVENTS);
    CHECK(trace_reader_last_icount(r) == expect[EVENTS - 1].icount);
    CHECK(trace_reader_chunk_count(r) > 5);
    CHECK(trace_reader_raw_bytes(r) > trace_reader_stored_bytes(r));
    CHECK(trace_reader_next(r, &ev) == 0); /* stays at the end */
    trace_reader_close(r);
}

static void test_writer_rules(void)
{
    TraceHeader h;
    make_header(&h);
    char err[400];
    TraceWriter *w = trace_writer_open(tmp_path("rules.trace"), &h, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK(strcmp(trace_writer_error(w), "") == 0);
    CHECK(trace_writer_event(w, 100, TRACE_EV_WARP, 0, "x", 1));
    CHECK(!trace_writer_event(w, 99, TRACE_EV_WARP, 0, "x", 1)); /* backwards */
    CHECK(strstr(trace_writer_error(w), "must not decrease") != NULL);
    CHECK(!trace_writer_event(w, 200, TRACE_EV_WARP, 0, "x", 1)); /* sticky */
    CHECK(!trace_writer_close(w));

    CHECK(trace_writer_open("/nonexistent-dir/x.trace", &h, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "No such file") != NULL);

    /* tick writes a pending chunk once a second has passed, not before. */
    const char *path = tmp_path("tick.trace");
    w = trace_writer_open(path, &h, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return;
    uint64_t before = trace_writer_bytes(w);
    CHECK(trace_writer_tick(w) && trace_writer_bytes(w) == before); /* nothing pending */
    usleep(1100 * 1000);
    CHECK(trace_writer_event(w, 5, TRACE_EV_SERIAL_INPUT, 0, "a", 1));
    CHECK(trace_writer_tick(w) && trace_writer_bytes(w) > before); /* > 1 s since the last */
    before = trace_writer_bytes(w);
    CHECK(trace_writer_event(w, 6, TRACE_EV_SERIAL_INPUT, 0, "b", 1));
    CHECK(trace_writer_tick(w) && trace_writer_bytes(w) == before); /* just flushed */
    usleep(1100 * 1000);
    CHECK(trace_writer_tick(w) && trace_writer_bytes(w) > before);
    CHECK(trace_writer_close(w));
}

/* A small trace of a few chunks, as bytes. */
static uint8_t *small_trace(size_t *len, long *events)
{
    TraceHeader h;
    make_header(&h);
    char err[400];
    const char *path = tmp_path("small.trace");
    TraceWriter *w = trace_writer_open(path, &h, err, sizeof(err));
    if (!w)
        return NULL;
    long n = 0;
    for (int chunk = 0; chunk < 3; chunk++) {
        for (int i = 0; i < 3; i++, n++)
            trace_writer_event(w, (uint64_t)n * 1000, 1 + (uint32_t)(n % 7), 0, "hello", 5);
        trace_writer_flush(w);
    }
    trace_writer_close(w);
    *events = n;
    return read_file(path, len);
}

static void test_corruption(void)
{
    size_t len;
    long events;
    uint8_t *data = small_trace(&len, &events);
    CHECK(data != NULL);
    if (!data)
        return;
    const char *path = tmp_path("flip.trace");
    char msg[400];
    bool truncated;
    write_file(path, data, len);
    CHECK(read_all(path, &truncated, msg, sizeof(msg)) == events && !truncated);

    /* Every single-byte change anywhere is detected: by open, or by a read
     * error that names the chunk and offset. */
    int undetected = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            data[i] ^= (uint8_t)(1u << bit);
            write_file(path, data, len);
            msg[0] = 0;
            long n = read_all(path, &truncated, msg, sizeof(msg));
            data[i] ^= (uint8_t)(1u << bit);
            if (n >= 0) {
                if (undetected++ < 5)
                    printf("FAIL %s:%d: flip of bit %d at offset %zu not detected\n", __FILE__,
                           __LINE__, bit, i);
                failures++;
            } else if (n == -2 && (!strstr(msg, "chunk ") || !strstr(msg, "offset "))) {
                printf("FAIL %s:%d: error does not name chunk and offset: %s\n", __FILE__, __LINE__,
                       msg);
                failures++;
            }
        }
    }
    /* The message for a flipped payload byte of the last chunk. */
    data[len - 3] ^= 0x10;
    write_file(path, data, len);
    CHECK(read_all(path, &truncated, msg, sizeof(msg)) == -2);
    CHECK(strstr(msg, "chunk 3 at offset") && strstr(msg, "checksum mismatch"));
    data[len - 3] ^= 0x10;

    /* Truncation at every length: never an error once the header is
     * whole; whole chunks are read and the cut is reported. */
    int first_readable = -1;
    for (size_t cut = 0; cut <= len; cut++) {
        write_file(path, data, cut);
        long n = read_all(path, &truncated, msg, sizeof(msg));
        if (n == -2) {
            printf("FAIL %s:%d: cut at %zu gives a read error: %s\n", __FILE__, __LINE__, cut, msg);
            failures++;
        } else if (n >= 0) {
            if (first_readable < 0)
                first_readable = (int)cut;
            CHECK(n % 3 == 0 && n <= events);
            if (cut < len)
                CHECK(truncated || n < events);
            if (cut == len)
                CHECK(n == events && !truncated);
        } else if (first_readable >= 0) {
            printf("FAIL %s:%d: cut at %zu fails to open after %d opened\n", __FILE__, __LINE__,
                   cut, first_readable);
            failures++;
        }
    }
    CHECK(first_readable > 12);
    free(data);
}

/* Exact truncation semantics: cut at a chunk boundary is a clean end;
 * cut inside a chunk is truncated, with the last icount of the whole ones. */
static void test_truncation_flags(void)
{
    TraceHeader h;
    make_header(&h);
    char err[400];
    const char *path = tmp_path("cut.trace");
    TraceWriter *w = trace_writer_open(path, &h, err, sizeof(err));
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK(trace_writer_event(w, 10, TRACE_EV_SERIAL_INPUT, 0, "a", 1));
    CHECK(trace_writer_flush(w));
    uint64_t boundary = trace_writer_bytes(w);
    CHECK(trace_writer_event(w, 20, TRACE_EV_SERIAL_INPUT, 0, "b", 1));
    CHECK(trace_writer_close(w));
    size_t len;
    uint8_t *data = read_file(path, &len);
    CHECK(data != NULL);
    if (!data)
        return;
    write_file(path, data, boundary);
    TraceReader *r = trace_reader_open(path, err, sizeof(err));
    TraceEvent ev;
    CHECK(r && trace_reader_next(r, &ev) == 1 && trace_reader_next(r, &ev) == 0);
    CHECK(r && !trace_reader_truncated(r));
    trace_reader_close(r);
    write_file(path, data, len - 1);
    r = trace_reader_open(path, err, sizeof(err));
    CHECK(r && trace_reader_next(r, &ev) == 1 && ev.icount == 10);
    CHECK(r && trace_reader_next(r, &ev) == 0 && trace_reader_truncated(r));
    CHECK(r && trace_reader_last_icount(r) == 10 && trace_reader_chunk_count(r) == 2);
    trace_reader_close(r);
    /* Bytes after the last chunk that are not the start of a chunk are
     * garbage, not a truncation. */
    {
        uint8_t *junk = malloc(boundary + 3);
        memcpy(junk, data, boundary);
        memcpy(junk + boundary, "XYZ", 3);
        write_file(path, junk, boundary + 3);
        free(junk);
        bool truncated;
        char msg[400];
        CHECK(read_all(path, &truncated, msg, sizeof(msg)) == -2 && strstr(msg, "garbage"));
    }
    write_file(path, data, boundary + 5); /* inside the frame */
    r = trace_reader_open(path, err, sizeof(err));
    CHECK(r && trace_reader_next(r, &ev) == 1 && trace_reader_next(r, &ev) == 0);
    CHECK(r && trace_reader_truncated(r));
    trace_reader_close(r);
    free(data);
}

/* A recorder killed with SIGKILL: everything flushed before the kill reads
 * back, the rest is reported as truncated. */
static void test_sigkill(void)
{
    const char *path = tmp_path("killed.trace");
    pid_t pid = fork();
    if (pid == 0) {
        TraceHeader h;
        make_header(&h);
        char err[400];
        TraceWriter *w = trace_writer_open(path, &h, err, sizeof(err));
        if (!w)
            _exit(3);
        for (int i = 0; i < 100; i++)
            trace_writer_event(w, (uint64_t)i, TRACE_EV_SERIAL_INPUT, 0, "x", 1);
        trace_writer_flush(w);
        for (int i = 100; i < 150; i++)
            trace_writer_event(w, (uint64_t)i, TRACE_EV_SERIAL_INPUT, 0, "x", 1);
        raise(SIGKILL);
        _exit(4);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    bool truncated;
    char msg[400];
    CHECK(read_all(path, &truncated, msg, sizeof(msg)) == 100);
}

/* Builds a chunk with valid checksums around arbitrary raw bytes. */
static size_t craft_chunk(uint8_t *out, uint8_t type, const void *raw, size_t raw_len,
                          uint32_t claimed_raw, uint64_t first_icount)
{
    size_t stored = ZSTD_compress(out + 33, ZSTD_compressBound(raw_len), raw, raw_len, 1);
    memcpy(out, "CHNK", 4);
    out[4] = type;
    for (int i = 0; i < 4; i++) {
        out[5 + i] = (uint8_t)(stored >> (8 * i));
        out[9 + i] = (uint8_t)(claimed_raw >> (8 * i));
    }
    for (int i = 0; i < 8; i++)
        out[13 + i] = (uint8_t)(first_icount >> (8 * i));
    uint32_t frame_check = (uint32_t)XXH3_64bits(out, 21);
    uint64_t sum = XXH3_64bits(out + 33, stored);
    for (int i = 0; i < 4; i++)
        out[21 + i] = (uint8_t)(frame_check >> (8 * i));
    for (int i = 0; i < 8; i++)
        out[25 + i] = (uint8_t)(sum >> (8 * i));
    return 33 + stored;
}

/* Writes prefix + header chunk (empty header) + one crafted events chunk and
 * expects a read error containing `expect`. */
static void expect_hostile(const char *what, uint8_t type, const void *raw, size_t raw_len,
                           int64_t claimed_raw, uint64_t first_icount, const char *expect)
{
    static uint8_t file[1 << 20];
    size_t n = 0;
    memcpy(file, "DEJATRCE\x01\0\0\0", 12);
    n = 12;
    uint8_t empty_header = 0;
    n += craft_chunk(file + n, 1, &empty_header, 1, 1, 0);
    n += craft_chunk(file + n, type, raw, raw_len,
                     claimed_raw < 0 ? (uint32_t)raw_len : (uint32_t)claimed_raw, first_icount);
    const char *path = tmp_path("hostile.trace");
    write_file(path, file, n);
    bool truncated;
    char msg[400] = "";
    long got = read_all(path, &truncated, msg, sizeof(msg));
    if (got != -2 || !strstr(msg, expect)) {
        printf("FAIL %s:%d: %s: got %ld \"%s\", wanted an error with \"%s\"\n", __FILE__, __LINE__,
               what, got, msg, expect);
        failures++;
    }
}

static void test_hostile_chunks(void)
{
    uint8_t raw[64];
    size_t n;
    /* delta 0, kind 1, channel 0, len 10, but only 2 payload bytes. */
    n = 0;
    raw[n++] = 0, raw[n++] = 1, raw[n++] = 0, raw[n++] = 10, raw[n++] = 'a', raw[n++] = 'b';
    expect_hostile("payload past end", 2, raw, n, -1, 0, "runs past the chunk end");
    /* Varint cut by the chunk end. */
    n = 0;
    raw[n++] = 0, raw[n++] = 1, raw[n++] = 0x80;
    expect_hostile("varint past end", 2, raw, n, -1, 0, "channel runs past");
    /* icount overflow: first icount near the top plus a big delta. */
    n = trace_varint_put(raw, 1000);
    raw[n++] = 1, raw[n++] = 0, raw[n++] = 0;
    expect_hostile("icount overflow", 2, raw, n, -1, UINT64_MAX - 10, "overflows");
    /* Kind 0 and kind beyond 32 bits. */
    n = 0;
    raw[n++] = 0, raw[n++] = 0, raw[n++] = 0, raw[n++] = 0;
    expect_hostile("kind 0", 2, raw, n, -1, 0, "invalid kind");
    n = 0;
    raw[n++] = 0;
    n += trace_varint_put(raw + n, 1ull << 40);
    raw[n++] = 0, raw[n++] = 0;
    expect_hostile("kind 2^40", 2, raw, n, -1, 0, "invalid kind");
    /* Raw size field disagreeing with the zstd frame, or absurd. */
    n = 0;
    raw[n++] = 0, raw[n++] = 1, raw[n++] = 0, raw[n++] = 0;
    expect_hostile("raw size mismatch", 2, raw, n, 3, 0, "does not match");
    expect_hostile("raw size huge", 2, raw, n, 0xffffffff, 0, "exceeds the limit");
    expect_hostile("unknown type", 9, raw, n, -1, 0, "unknown chunk type");
    expect_hostile("second header", 1, raw, n, -1, 0, "second header");
}

static void test_garbage(void)
{
    const char *path = tmp_path("garbage.trace");
    char err[400];
    write_file(path, "", 0);
    CHECK(trace_reader_open(path, err, sizeof(err)) == NULL && strstr(err, "not a deja trace"));
    write_file(path, "DEJATRCE\x02\0\0\0", 12);
    CHECK(trace_reader_open(path, err, sizeof(err)) == NULL && strstr(err, "version 2"));
    write_file(path, "DEJATRCE\x01\0\0\0", 12);
    CHECK(trace_reader_open(path, err, sizeof(err)) == NULL && strstr(err, "header"));
    CHECK(trace_reader_open(tmp_path("missing"), err, sizeof(err)) == NULL);
    CHECK(trace_reader_open(dir, err, sizeof(err)) == NULL); /* a directory */

    /* Random bytes after a valid prefix, and a valid header followed by
     * random bytes: never a crash, never a clean read of garbage chunks. */
    static uint8_t buf[4096];
    size_t len;
    long events;
    uint8_t *good = small_trace(&len, &events);
    for (int round = 0; round < 2000; round++) {
        size_t n = 12 + rng() % (sizeof(buf) - 12);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rng();
        memcpy(buf, "DEJATRCE\x01\0\0\0", 12);
        if (round % 2 && good && len < sizeof(buf)) {
            /* keep the real header chunk (up to the first event chunk) */
            size_t keep = len / 3;
            memcpy(buf, good, keep);
            if (n < keep)
                n = keep;
        }
        if (round % 5 == 0)
            memcpy(buf + 12 + rng() % 40, "CHNK", 4);
        write_file(path, buf, n);
        bool truncated;
        char msg[400];
        read_all(path, &truncated, msg, sizeof(msg));
    }
    free(good);
}

static void test_hash(void)
{
    uint8_t a[16], b[16];
    char err[400];
    /* XXH3-128 of the empty input, canonical form (xxhash's test vector). */
    static const uint8_t empty[16] = { 0x99, 0xaa, 0x06, 0xd3, 0x01, 0x47, 0x98, 0xd8,
                                       0x60, 0x01, 0xc3, 0x24, 0x46, 0x8d, 0x49, 0x7f };
    trace_hash_buffer("", 0, a);
    CHECK(memcmp(a, empty, 16) == 0);
    char hex[33];
    trace_hash_to_hex(a, hex);
    CHECK(strcmp(hex, "99aa06d3014798d86001c324468d497f") == 0);
    const char *path = tmp_path("image.bin");
    write_file(path, "", 0);
    CHECK(trace_hash_file(path, b, err, sizeof(err)) && memcmp(b, empty, 16) == 0);

    /* Several 1 MiB blocks plus a tail: the streaming hash equals the
     * one-shot hash of the same bytes. */
    size_t len = 3 * (1u << 20) + 12345;
    uint8_t *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)rng();
    write_file(path, data, len);
    trace_hash_buffer(data, len, a);
    CHECK(trace_hash_file(path, b, err, sizeof(err)) && memcmp(a, b, 16) == 0);
    data[len / 2] ^= 1;
    trace_hash_buffer(data, len, b);
    CHECK(memcmp(a, b, 16) != 0);
    free(data);

    CHECK(!trace_hash_file(tmp_path("missing"), a, err, sizeof(err)));
    CHECK(strstr(err, "No such file") != NULL);
}

static void test_kind_names(void)
{
    CHECK(strcmp(trace_event_kind_name(TRACE_EV_SERIAL_INPUT), "SERIAL_INPUT") == 0);
    CHECK(strcmp(trace_event_kind_name(TRACE_EV_END), "END") == 0);
    CHECK(strcmp(trace_event_kind_name(0), "UNKNOWN") == 0);
    CHECK(strcmp(trace_event_kind_name(9999), "UNKNOWN") == 0);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_varint();
    test_header_table();
    test_header_round_trip();
    test_round_trip();
    test_writer_rules();
    test_corruption();
    test_truncation_flags();
    test_sigkill();
    test_hostile_chunks();
    test_garbage();
    test_hash();
    test_kind_names();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", dir);
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("test_trace: all passed\n");
    return 0;
}
