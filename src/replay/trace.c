/* The replay trace file: writer, reader, header table, varints and image
 * hashes. docs/trace-format.md is the specification of the bytes; this file
 * must stay in step with it.
 *
 * The reader treats the file as hostile: every size is checked against a
 * fixed bound before anything is allocated, every chunk is checksummed
 * before it is decompressed, and every event is checked to lie inside its
 * chunk. A file that simply stops (a recorder killed mid-write) is not an
 * error: it reads up to the last whole chunk and reports the truncation. */
#include "replay/trace.h"
#include "util/message.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

/* Chunk frame, little endian (docs/trace-format.md "Chunks"):
 *   0  magic "CHNK"      4
 *   4  type              1
 *   5  stored size       4
 *   9  raw size          4
 *  13  first icount      8
 *  21  frame check       4   low 32 bits of XXH3-64 of bytes 0..20
 *  25  stored checksum   8   XXH3-64 of the stored bytes
 *  33  stored bytes
 * The frame check lets the reader trust the sizes before reading the
 * payload, so a damaged size field is reported as corruption, not mistaken
 * for a file that was cut short. */
#define CHUNK_MAGIC "CHNK"
#define CHUNK_FRAME_SIZE 33
#define CHUNK_CHECKED_FRAME 21
#define FILE_PREFIX_SIZE 12

#define CHUNK_TYPE_HEADER 1
#define CHUNK_TYPE_EVENTS 2

#define COMPRESSION_LEVEL 3
#define FLUSH_INTERVAL_NS 1000000000ull
#define HASH_BLOCK_SIZE (1u << 20)

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* ---- varints ---- */

size_t trace_varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t trace_varint_get(const uint8_t *in, size_t len, uint64_t *v)
{
    uint64_t value = 0;
    for (size_t i = 0; i < len && i < TRACE_VARINT_MAX; i++) {
        uint64_t group = in[i] & 0x7f;
        /* The tenth byte carries only bit 63: anything more overflows. */
        if (i == TRACE_VARINT_MAX - 1 && group > 1)
            return 0;
        value |= group << (7 * i);
        if (!(in[i] & 0x80)) {
            *v = value;
            return i + 1;
        }
    }
    return 0;
}

/* ---- header table ---- */

static bool header_key_valid(const char *key, size_t n)
{
    if (n == 0 || n >= sizeof(((TraceHeaderEntry *)0)->key))
        return false;
    for (size_t i = 0; i < n; i++)
        if (key[i] <= 0x20 || key[i] >= 0x7f)
            return false;
    return true;
}

bool trace_header_set(TraceHeader *h, const char *key, const void *value, uint32_t len)
{
    size_t key_len = strlen(key);
    if (!header_key_valid(key, key_len) || len > TRACE_HEADER_VALUE_MAX)
        return false;
    TraceHeaderEntry *e = (TraceHeaderEntry *)trace_header_get(h, key);
    if (!e) {
        if (h->count < 0 || h->count >= TRACE_MAX_HEADER_ENTRIES)
            return false;
        e = &h->entries[h->count++];
        memset(e, 0, sizeof(*e));
        memcpy(e->key, key, key_len + 1);
    }
    if (len)
        memcpy(e->value, value, len);
    e->len = len;
    return true;
}

bool trace_header_set_str(TraceHeader *h, const char *key, const char *value)
{
    size_t len = strlen(value);
    if (len > TRACE_HEADER_VALUE_MAX)
        return false;
    return trace_header_set(h, key, value, (uint32_t)len);
}

const TraceHeaderEntry *trace_header_get(const TraceHeader *h, const char *key)
{
    for (int i = 0; i < h->count && i < TRACE_MAX_HEADER_ENTRIES; i++)
        if (strcmp(h->entries[i].key, key) == 0)
            return &h->entries[i];
    return NULL;
}

/* ---- hashing ---- */

void trace_hash_buffer(const void *data, size_t len, uint8_t out[16])
{
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits(data, len));
    memcpy(out, canonical.digest, 16);
}

bool trace_hash_file(const char *path, uint8_t out[16], char *err, size_t err_len)
{
    FILE *f = fopen(path, "rbe");
    if (!f) {
        message_format(err, err_len, "%s", strerror(errno));
        return false;
    }
    uint8_t *block = malloc(HASH_BLOCK_SIZE);
    XXH3_state_t *state = XXH3_createState();
    bool ok = block && state && XXH3_128bits_reset(state) == XXH_OK;
    if (!ok)
        message_format(err, err_len, "out of memory while hashing");
    while (ok) {
        size_t n = fread(block, 1, HASH_BLOCK_SIZE, f);
        if (n > 0 && XXH3_128bits_update(state, block, n) != XXH_OK) {
            message_format(err, err_len, "hashing failed");
            ok = false;
        }
        if (n < HASH_BLOCK_SIZE) {
            if (ferror(f)) {
                message_format(err, err_len, "read error: %s", strerror(errno));
                ok = false;
            }
            break;
        }
    }
    if (ok) {
        XXH128_canonical_t canonical;
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state));
        memcpy(out, canonical.digest, 16);
    }
    XXH3_freeState(state);
    free(block);
    fclose(f);
    return ok;
}

void trace_hash_to_hex(const uint8_t hash[16], char out[33])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = digits[hash[i] >> 4];
        out[2 * i + 1] = digits[hash[i] & 15];
    }
    out[32] = 0;
}

/* ---- names ---- */

static const char *const kind_names[TRACE_EV_KIND_COUNT] = {
    [TRACE_EV_SERIAL_INPUT] = "SERIAL_INPUT",
    [TRACE_EV_HOST_TIME] = "HOST_TIME",
    [TRACE_EV_RANDOM] = "RANDOM",
    [TRACE_EV_HOST_REQUEST] = "HOST_REQUEST",
    [TRACE_EV_WARP] = "WARP",
    [TRACE_EV_SYNC] = "SYNC",
    [TRACE_EV_END] = "END",
    [TRACE_EV_NET_FRAME] = "NET_FRAME",
    [TRACE_EV_AUDIO] = "AUDIO",
    [TRACE_EV_INPUT] = "INPUT",
    [TRACE_EV_LOADVM] = "LOADVM",
};

const char *trace_event_kind_name(uint32_t kind)
{
    if (kind < TRACE_EV_KIND_COUNT && kind_names[kind])
        return kind_names[kind];
    return "UNKNOWN";
}

/* ---- writer ---- */

struct TraceWriter {
    FILE *file;
    ZSTD_CCtx *cctx;
    uint8_t *raw; /* events of the chunk being built */
    size_t raw_len;
    size_t raw_cap;
    uint8_t *stored; /* compression output, reused */
    size_t stored_cap;
    uint64_t chunk_first_icount;
    uint64_t last_icount; /* of the last event appended (delta base) */
    bool any_event;       /* last_icount is meaningful */
    uint64_t bytes_written;
    uint64_t last_flush_ns;
    bool failed;
    char error[256];
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool writer_fail(TraceWriter *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool writer_fail(TraceWriter *w, const char *fmt, ...)
{
    if (!w->failed) { /* keep the first cause */
        char what[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        snprintf(w->error, sizeof(w->error), "%s", what);
    }
    w->failed = true;
    return false;
}

static bool writer_reserve(TraceWriter *w, size_t extra)
{
    if (w->raw_len + extra <= w->raw_cap)
        return true;
    size_t cap = w->raw_cap ? w->raw_cap : TRACE_CHUNK_TARGET_RAW + 4096;
    while (cap < w->raw_len + extra)
        cap *= 2;
    uint8_t *p = realloc(w->raw, cap);
    if (!p)
        return writer_fail(w, "out of memory for the event buffer");
    w->raw = p;
    w->raw_cap = cap;
    return true;
}

static bool writer_put(TraceWriter *w, const void *data, size_t len)
{
    if (len && fwrite(data, 1, len, w->file) != len)
        return writer_fail(w, "write failed: %s", strerror(errno));
    w->bytes_written += len;
    return true;
}

/* Compresses raw_len bytes of w->raw into one chunk and writes it. */
static bool writer_emit_chunk(TraceWriter *w, uint8_t type, uint64_t first_icount)
{
    size_t bound = ZSTD_compressBound(w->raw_len);
    if (bound > w->stored_cap) {
        uint8_t *p = realloc(w->stored, bound);
        if (!p)
            return writer_fail(w, "out of memory for chunk compression");
        w->stored = p;
        w->stored_cap = bound;
    }
    size_t stored_len =
        ZSTD_compressCCtx(w->cctx, w->stored, w->stored_cap, w->raw, w->raw_len, COMPRESSION_LEVEL);
    if (ZSTD_isError(stored_len))
        return writer_fail(w, "zstd compression failed: %s", ZSTD_getErrorName(stored_len));

    uint8_t frame[CHUNK_FRAME_SIZE];
    memcpy(frame, CHUNK_MAGIC, 4);
    frame[4] = type;
    put_u32(frame + 5, (uint32_t)stored_len);
    put_u32(frame + 9, (uint32_t)w->raw_len);
    put_u64(frame + 13, first_icount);
    put_u32(frame + 21, (uint32_t)XXH3_64bits(frame, CHUNK_CHECKED_FRAME));
    put_u64(frame + 25, XXH3_64bits(w->stored, stored_len));

    if (!writer_put(w, frame, sizeof(frame)) || !writer_put(w, w->stored, stored_len))
        return false;
    /* fflush hands the bytes to the kernel, which keeps them if the
     * process is killed: that is all SIGKILL safety needs. */
    if (fflush(w->file) != 0)
        return writer_fail(w, "write failed: %s", strerror(errno));
    w->raw_len = 0;
    w->last_flush_ns = monotonic_ns();
    return true;
}

static bool writer_encode_header(TraceWriter *w, const TraceHeader *h)
{
    if (h->count < 0 || h->count > TRACE_MAX_HEADER_ENTRIES)
        return writer_fail(w, "header has %d entries (at most %d)", h->count,
                           TRACE_MAX_HEADER_ENTRIES);
    if (!writer_reserve(w, TRACE_VARINT_MAX))
        return false;
    w->raw_len += trace_varint_put(w->raw + w->raw_len, (uint64_t)h->count);
    for (int i = 0; i < h->count; i++) {
        const TraceHeaderEntry *e = &h->entries[i];
        size_t key_len = strnlen(e->key, sizeof(e->key));
        if (!header_key_valid(e->key, key_len) || e->len > TRACE_HEADER_VALUE_MAX)
            return writer_fail(w, "header entry %d has an invalid key or value length", i);
        for (int j = 0; j < i; j++)
            if (strcmp(h->entries[j].key, e->key) == 0)
                return writer_fail(w, "header key \"%s\" appears twice", e->key);
        if (!writer_reserve(w, 2 * TRACE_VARINT_MAX + key_len + e->len))
            return false;
        w->raw_len += trace_varint_put(w->raw + w->raw_len, key_len);
        memcpy(w->raw + w->raw_len, e->key, key_len);
        w->raw_len += key_len;
        w->raw_len += trace_varint_put(w->raw + w->raw_len, e->len);
        memcpy(w->raw + w->raw_len, e->value, e->len);
        w->raw_len += e->len;
    }
    return true;
}

TraceWriter *trace_writer_open(const char *path, const TraceHeader *header, char *err,
                               size_t err_len)
{
    TraceWriter *w = calloc(1, sizeof(*w));
    if (!w || !(w->cctx = ZSTD_createCCtx())) {
        message_format(err, err_len, "out of memory");
        goto fail;
    }
    w->file = fopen(path, "wbe"); /* e: close-on-exec */
    if (!w->file) {
        message_format(err, err_len, "%s", strerror(errno));
        goto fail;
    }
    uint8_t prefix[FILE_PREFIX_SIZE];
    memcpy(prefix, TRACE_MAGIC, 8);
    put_u32(prefix + 8, TRACE_VERSION);
    if (!writer_put(w, prefix, sizeof(prefix)) || !writer_encode_header(w, header) ||
        !writer_emit_chunk(w, CHUNK_TYPE_HEADER, 0)) {
        message_format(err, err_len, "%s", w->error);
        goto fail;
    }
    return w;
fail:
    if (w) {
        if (w->file)
            fclose(w->file);
        ZSTD_freeCCtx(w->cctx);
        free(w->raw);
        free(w->stored);
        free(w);
    }
    return NULL;
}

bool trace_writer_event(TraceWriter *w, uint64_t icount, uint32_t kind, uint32_t channel,
                        const void *payload, uint32_t len)
{
    if (w->failed)
        return false;
    if (w->any_event && icount < w->last_icount)
        return writer_fail(w,
                           "event at instruction %" PRIu64 " after one at %" PRIu64
                           " (icounts must not decrease)",
                           icount, w->last_icount);
    if (kind == 0)
        return writer_fail(w, "event kind 0 is reserved");
    if (len > TRACE_MAX_EVENT_PAYLOAD)
        return writer_fail(w, "event payload of %" PRIu32 " bytes (at most %u)", len,
                           TRACE_MAX_EVENT_PAYLOAD);
    if (!writer_reserve(w, 4 * TRACE_VARINT_MAX + len))
        return false;
    uint64_t base = icount;
    if (w->raw_len == 0)
        w->chunk_first_icount = icount;
    else
        base = w->last_icount;
    uint8_t *p = w->raw + w->raw_len;
    p += trace_varint_put(p, icount - base);
    p += trace_varint_put(p, kind);
    p += trace_varint_put(p, channel);
    p += trace_varint_put(p, len);
    if (len)
        memcpy(p, payload, len);
    p += len;
    w->raw_len = (size_t)(p - w->raw);
    w->last_icount = icount;
    w->any_event = true;
    if (w->raw_len >= TRACE_CHUNK_TARGET_RAW)
        return trace_writer_flush(w);
    return true;
}

bool trace_writer_flush(TraceWriter *w)
{
    if (w->failed)
        return false;
    if (w->raw_len == 0) {
        w->last_flush_ns = monotonic_ns();
        return true;
    }
    return writer_emit_chunk(w, CHUNK_TYPE_EVENTS, w->chunk_first_icount);
}

bool trace_writer_tick(TraceWriter *w)
{
    if (w->failed)
        return false;
    if (w->raw_len == 0)
        return true;
    if (monotonic_ns() - w->last_flush_ns < FLUSH_INTERVAL_NS)
        return true;
    return trace_writer_flush(w);
}

bool trace_writer_close(TraceWriter *w)
{
    if (!w)
        return false;
    bool ok = trace_writer_flush(w);
    if (fclose(w->file) != 0 && ok)
        ok = writer_fail(w, "close failed: %s", strerror(errno));
    ZSTD_freeCCtx(w->cctx);
    free(w->raw);
    free(w->stored);
    free(w);
    return ok;
}

uint64_t trace_writer_bytes(const TraceWriter *w)
{
    return w->bytes_written;
}

const char *trace_writer_error(const TraceWriter *w)
{
    return w->failed ? w->error : "";
}

/* ---- reader ---- */

struct TraceReader {
    FILE *file;
    uint64_t file_size; /* UINT64_MAX when unknown (not a regular file) */
    uint64_t offset;    /* of the next chunk */
    ZSTD_DCtx *dctx;
    TraceHeader header;

    uint8_t *stored;
    size_t stored_cap;
    uint8_t *raw;
    size_t raw_cap;
    size_t raw_len;        /* of the current event chunk */
    size_t pos;            /* next event within raw */
    uint64_t chunk_number; /* of the current chunk (0 = header) */
    uint64_t chunk_offset; /* file offset of the current chunk */
    uint64_t chunk_first_icount;
    bool chunk_has_event; /* an event of the current chunk was read */

    uint64_t last_icount;
    uint64_t events_read;
    uint64_t chunks_read;
    uint64_t stored_bytes;
    uint64_t raw_bytes;
    bool truncated;
    bool at_end;
    bool failed;
    char error[320];
};

static int reader_fail(TraceReader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reader_fail(TraceReader *r, const char *fmt, ...)
{
    char what[220];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(r->error, sizeof(r->error), "chunk %" PRIu64 " at offset %" PRIu64 ": %s",
             r->chunk_number, r->chunk_offset, what);
    r->failed = true;
    return -1;
}

/* Reads exactly n bytes; returns n, or fewer at end of file. */
static size_t reader_read(TraceReader *r, void *buf, size_t n)
{
    size_t got = fread(buf, 1, n, r->file);
    r->offset += got;
    return got;
}

static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    uint8_t *p = realloc(*buf, need);
    if (!p)
        return false;
    *buf = p;
    *cap = need;
    return true;
}

/* Reads, checks and decompresses the next chunk into r->raw.
 * Returns 1 on success, 0 at the end of the file (clean, or truncated with
 * r->truncated set), -1 on a corrupt chunk or I/O error. */
static int reader_load_chunk(TraceReader *r, uint8_t *type_out, uint64_t *first_icount_out)
{
    uint8_t frame[CHUNK_FRAME_SIZE];
    r->chunk_offset = r->offset;
    r->chunk_number = r->chunks_read;
    size_t got = reader_read(r, frame, sizeof(frame));
    if (got < sizeof(frame)) {
        if (ferror(r->file))
            return reader_fail(r, "read error: %s", strerror(errno));
        if (got > 0) {
            size_t magic_len = got < 4 ? got : 4;
            if (memcmp(frame, CHUNK_MAGIC, magic_len) != 0)
                return reader_fail(r, "%zu bytes of garbage after the last chunk", got);
            r->truncated = true; /* the recorder died while writing a frame */
        }
        return 0;
    }
    if (memcmp(frame, CHUNK_MAGIC, 4) != 0)
        return reader_fail(r, "bad chunk magic (not \"" CHUNK_MAGIC "\")");
    uint32_t frame_check = (uint32_t)XXH3_64bits(frame, CHUNK_CHECKED_FRAME);
    if (get_u32(frame + 21) != frame_check)
        return reader_fail(
            r, "chunk frame checksum mismatch (stored %08" PRIx32 ", computed %08" PRIx32 ")",
            get_u32(frame + 21), frame_check);
    uint8_t type = frame[4];
    uint32_t stored_len = get_u32(frame + 5);
    uint32_t raw_len = get_u32(frame + 9);
    uint64_t first_icount = get_u64(frame + 13);
    uint64_t checksum = get_u64(frame + 25);
    if (type != CHUNK_TYPE_HEADER && type != CHUNK_TYPE_EVENTS)
        return reader_fail(r, "unknown chunk type %u", type);
    if (raw_len > TRACE_MAX_CHUNK_RAW)
        return reader_fail(r, "raw size %" PRIu32 " exceeds the limit of %u bytes", raw_len,
                           TRACE_MAX_CHUNK_RAW);
    if (stored_len == 0 || stored_len > ZSTD_COMPRESSBOUND(TRACE_MAX_CHUNK_RAW))
        return reader_fail(r, "stored size %" PRIu32 " is impossible", stored_len);
    /* Do not allocate for bytes the file does not have: that is a
     * truncated chunk, not a reason to reserve up to 64 MiB. */
    if (r->file_size != UINT64_MAX && r->offset + stored_len > r->file_size) {
        struct stat st; /* the file may have grown (a recording in progress) */
        if (fstat(fileno(r->file), &st) == 0)
            r->file_size = (uint64_t)st.st_size;
        if (r->offset + stored_len > r->file_size) {
            r->truncated = true;
            return 0;
        }
    }
    if (!grow(&r->stored, &r->stored_cap, stored_len))
        return reader_fail(r, "out of memory for %" PRIu32 " stored bytes", stored_len);
    got = reader_read(r, r->stored, stored_len);
    if (got < stored_len) {
        if (ferror(r->file))
            return reader_fail(r, "read error: %s", strerror(errno));
        r->truncated = true;
        return 0;
    }

    uint64_t computed = XXH3_64bits(r->stored, stored_len);
    if (computed != checksum)
        return reader_fail(
            r, "payload checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64 ")",
            checksum, computed);

    size_t frame_len = ZSTD_findFrameCompressedSize(r->stored, stored_len);
    if (ZSTD_isError(frame_len) || frame_len != stored_len)
        return reader_fail(r, "stored bytes are not exactly one zstd frame");
    unsigned long long content = ZSTD_getFrameContentSize(r->stored, stored_len);
    if (content != raw_len)
        return reader_fail(r, "zstd frame content size does not match the raw size %" PRIu32,
                           raw_len);
    /* +1 so that an empty chunk still has a valid buffer pointer. */
    if (!grow(&r->raw, &r->raw_cap, (size_t)raw_len + 1))
        return reader_fail(r, "out of memory for %" PRIu32 " raw bytes", raw_len);
    size_t n = ZSTD_decompressDCtx(r->dctx, r->raw, raw_len, r->stored, stored_len);
    if (ZSTD_isError(n))
        return reader_fail(r, "decompression failed: %s", ZSTD_getErrorName(n));
    if (n != raw_len)
        return reader_fail(r, "decompressed %zu bytes, frame says %" PRIu32, n, raw_len);

    r->chunks_read++;
    r->stored_bytes += stored_len;
    r->raw_bytes += raw_len;
    r->raw_len = raw_len;
    r->pos = 0;
    *type_out = type;
    *first_icount_out = first_icount;
    return 1;
}

static int reader_parse_header(TraceReader *r)
{
    const uint8_t *p = r->raw;
    size_t left = r->raw_len;
    uint64_t count;
    size_t n = trace_varint_get(p, left, &count);
    if (n == 0)
        return reader_fail(r, "header: entry count missing");
    p += n, left -= n;
    if (count > TRACE_MAX_HEADER_ENTRIES)
        return reader_fail(r, "header: %" PRIu64 " entries (at most %d)", count,
                           TRACE_MAX_HEADER_ENTRIES);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t key_len, value_len;
        char key[sizeof(((TraceHeaderEntry *)0)->key)];
        n = trace_varint_get(p, left, &key_len);
        if (n == 0 || key_len >= sizeof(key) || key_len > left - n)
            return reader_fail(r, "header entry %" PRIu64 ": bad key length", i);
        p += n, left -= n;
        memcpy(key, p, key_len);
        key[key_len] = 0;
        if (!header_key_valid(key, key_len))
            return reader_fail(r, "header entry %" PRIu64 ": key is not printable ASCII", i);
        p += key_len, left -= key_len;
        n = trace_varint_get(p, left, &value_len);
        if (n == 0 || value_len > TRACE_HEADER_VALUE_MAX || value_len > left - n)
            return reader_fail(r, "header entry %" PRIu64 " (\"%s\"): bad value length", i, key);
        p += n, left -= n;
        if (trace_header_get(&r->header, key))
            return reader_fail(r, "header key \"%s\" appears twice", key);
        trace_header_set(&r->header, key, p, (uint32_t)value_len);
        p += value_len, left -= value_len;
    }
    if (left != 0)
        return reader_fail(r, "header: %zu bytes after the last entry", left);
    return 1;
}

TraceReader *trace_reader_open(const char *path, char *err, size_t err_len)
{
    TraceReader *r = calloc(1, sizeof(*r));
    if (!r || !(r->dctx = ZSTD_createDCtx())) {
        message_format(err, err_len, "out of memory");
        goto fail;
    }
    r->file = fopen(path, "rbe");
    if (!r->file) {
        message_format(err, err_len, "%s", strerror(errno));
        goto fail;
    }
    struct stat st;
    r->file_size = UINT64_MAX;
    if (fstat(fileno(r->file), &st) == 0 && S_ISREG(st.st_mode))
        r->file_size = (uint64_t)st.st_size;

    uint8_t prefix[FILE_PREFIX_SIZE];
    size_t got = reader_read(r, prefix, sizeof(prefix));
    if (got < 8 || memcmp(prefix, TRACE_MAGIC, 8) != 0) {
        message_format(err, err_len, "not a deja trace (no \"" TRACE_MAGIC "\" magic)");
        goto fail;
    }
    if (got < sizeof(prefix)) {
        message_format(err, err_len, "trace truncated inside the file header");
        goto fail;
    }
    r->header.version = get_u32(prefix + 8);
    if (r->header.version != TRACE_VERSION) {
        message_format(err, err_len,
                    "trace format version %" PRIu32 " is not supported (this build reads "
                    "version %d)",
                    r->header.version, TRACE_VERSION);
        goto fail;
    }
    uint8_t type;
    uint64_t first_icount;
    int rc = reader_load_chunk(r, &type, &first_icount);
    if (rc == 0) {
        message_format(err, err_len,
                    "trace ends before its header chunk is complete (the recording was "
                    "interrupted at its start)");
        goto fail;
    }
    if (rc > 0 && type != CHUNK_TYPE_HEADER)
        rc = reader_fail(r, "first chunk is not a header chunk (type %u)", type);
    if (rc > 0)
        rc = reader_parse_header(r);
    if (rc < 0) {
        message_format(err, err_len, "%s", r->error);
        goto fail;
    }
    r->raw_len = r->pos = 0;
    return r;
fail:
    trace_reader_close(r);
    return NULL;
}

const TraceHeader *trace_reader_header(const TraceReader *r)
{
    return &r->header;
}

int trace_reader_next(TraceReader *r, TraceEvent *ev)
{
    if (r->failed)
        return -1;
    while (r->pos >= r->raw_len) {
        if (r->at_end)
            return 0;
        uint8_t type;
        uint64_t first_icount;
        int rc = reader_load_chunk(r, &type, &first_icount);
        if (rc <= 0) {
            if (rc == 0)
                r->at_end = true;
            return rc;
        }
        if (type != CHUNK_TYPE_EVENTS)
            return reader_fail(r, "a second header chunk");
        if (r->events_read > 0 && first_icount < r->last_icount)
            return reader_fail(
                r, "chunk starts at instruction %" PRIu64 ", before the previous event at %" PRIu64,
                first_icount, r->last_icount);
        r->chunk_first_icount = first_icount;
        r->chunk_has_event = false;
    }

    const uint8_t *p = r->raw + r->pos;
    size_t left = r->raw_len - r->pos;
    uint64_t field[4]; /* delta, kind, channel, len */
    static const char *const field_names[4] = { "icount delta", "kind", "channel", "length" };
    for (int i = 0; i < 4; i++) {
        size_t n = trace_varint_get(p, left, &field[i]);
        if (n == 0)
            return reader_fail(r,
                               "event at raw offset %zu: %s runs past the chunk end or is "
                               "malformed",
                               r->pos, field_names[i]);
        p += n, left -= n;
    }
    uint64_t base = r->chunk_has_event ? r->last_icount : r->chunk_first_icount;
    if (field[0] > UINT64_MAX - base)
        return reader_fail(r, "event at raw offset %zu: icount overflows", r->pos);
    if (field[1] == 0 || field[1] > UINT32_MAX)
        return reader_fail(r, "event at raw offset %zu: invalid kind %" PRIu64, r->pos, field[1]);
    if (field[2] > UINT32_MAX)
        return reader_fail(r, "event at raw offset %zu: invalid channel %" PRIu64, r->pos,
                           field[2]);
    if (field[3] > TRACE_MAX_EVENT_PAYLOAD)
        return reader_fail(r, "event at raw offset %zu: payload of %" PRIu64 " bytes exceeds the "
                              "limit of %u bytes",
                           r->pos, field[3], TRACE_MAX_EVENT_PAYLOAD);
    if (field[3] > left)
        return reader_fail(
            r, "event at raw offset %zu: payload of %" PRIu64 " bytes runs past the chunk end",
            r->pos, field[3]);
    ev->icount = base + field[0];
    ev->kind = (uint32_t)field[1];
    ev->channel = (uint32_t)field[2];
    ev->len = (uint32_t)field[3];
    ev->payload = p;
    r->pos = (size_t)(p + field[3] - r->raw);
    r->last_icount = ev->icount;
    r->chunk_has_event = true;
    r->events_read++;
    return 1;
}

const char *trace_reader_error(const TraceReader *r)
{
    return r->failed ? r->error : "";
}

bool trace_reader_truncated(const TraceReader *r)
{
    return r->truncated;
}

uint64_t trace_reader_chunk_count(const TraceReader *r)
{
    return r->chunks_read;
}

uint64_t trace_reader_stored_bytes(const TraceReader *r)
{
    return r->stored_bytes;
}

uint64_t trace_reader_raw_bytes(const TraceReader *r)
{
    return r->raw_bytes;
}

uint64_t trace_reader_last_icount(const TraceReader *r)
{
    return r->last_icount;
}

uint64_t trace_reader_event_count(const TraceReader *r)
{
    return r->events_read;
}

uint64_t trace_reader_file_offset(const TraceReader *r)
{
    return r->offset;
}

void trace_reader_tell(const TraceReader *r, TraceReaderPos *p)
{
    memset(p, 0, sizeof(*p));
    p->chunk_first_icount = r->chunk_first_icount;
    p->last_icount = r->last_icount;
    p->events_read = r->events_read;
    p->chunk_has_event = r->chunk_has_event;
    p->stored_bytes = r->stored_bytes;
    p->raw_bytes = r->raw_bytes;
    if (r->pos < r->raw_len && r->chunk_number > 0) {
        p->chunk_loaded = true;
        p->chunk_offset = r->chunk_offset;
        p->pos = r->pos;
        p->chunks_read = r->chunk_number; /* chunks before this one */
    } else {
        p->chunk_offset = r->offset;
        p->chunks_read = r->chunks_read;
        p->at_end = r->at_end;
    }
}

int trace_reader_seek(TraceReader *r, const TraceReaderPos *p)
{
    if (p->chunk_loaded) {
        bool have = !r->failed && r->raw_len > 0 && r->chunk_number > 0 &&
                    r->chunk_offset == p->chunk_offset && r->chunk_number == p->chunks_read;
        if (!have) {
            if (p->chunk_offset < FILE_PREFIX_SIZE || p->chunks_read == 0 ||
                fseeko(r->file, (off_t)p->chunk_offset, SEEK_SET) != 0) {
                r->chunk_offset = p->chunk_offset;
                return reader_fail(r, "cannot reposition the trace to this offset");
            }
            r->failed = false;
            r->offset = p->chunk_offset;
            r->chunks_read = p->chunks_read;
            r->raw_len = r->pos = 0;
            uint8_t type;
            uint64_t first_icount;
            int rc = reader_load_chunk(r, &type, &first_icount);
            if (rc == 0) {
                r->raw_len = 0;
                return reader_fail(r, "the trace ends before this position");
            }
            if (rc < 0)
                return -1;
            if (type != CHUNK_TYPE_EVENTS || first_icount != p->chunk_first_icount) {
                r->raw_len = 0;
                return reader_fail(r, "the position does not match this trace's chunk");
            }
        }
        if (p->pos >= r->raw_len)
            return reader_fail(r, "event offset %" PRIu64 " is outside the chunk", p->pos);
        r->pos = (size_t)p->pos;
        r->at_end = false;
    } else {
        if (p->chunk_offset < FILE_PREFIX_SIZE ||
            fseeko(r->file, (off_t)p->chunk_offset, SEEK_SET) != 0) {
            r->chunk_offset = p->chunk_offset;
            return reader_fail(r, "cannot reposition the trace to this offset");
        }
        r->offset = p->chunk_offset;
        r->chunks_read = p->chunks_read;
        r->chunk_number = p->chunks_read;
        r->raw_len = r->pos = 0;
        r->at_end = p->at_end;
    }
    r->failed = false;
    r->error[0] = 0;
    r->chunk_first_icount = p->chunk_first_icount;
    r->last_icount = p->last_icount;
    r->events_read = p->events_read;
    r->chunk_has_event = p->chunk_has_event;
    r->stored_bytes = p->stored_bytes;
    r->raw_bytes = p->raw_bytes;
    return 1;
}

void trace_reader_close(TraceReader *r)
{
    if (!r)
        return;
    if (r->file)
        fclose(r->file);
    ZSTD_freeDCtx(r->dctx);
    free(r->stored);
    free(r->raw);
    free(r);
}
