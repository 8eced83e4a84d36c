/* The replay trace file (rrfile): reading and writing its format. Shared by
 * deja (src/replay/replay.c) and the deja-trace tool. docs/trace-format.md
 * is the specification; this header is its C face.
 *
 * Layout: an 8-byte magic "DEJATRCE", a u32 format version (little
 * endian), then a sequence of chunks. Each chunk is framed (magic, sizes,
 * XXH3-64 checksum of the stored bytes) and zstd-compressed; the first
 * chunk holds the header (machine configuration and image hashes), the
 * others hold events. A recording flushes a chunk at least every second,
 * so a recorder killed with SIGKILL leaves a trace that reads up to its
 * last whole chunk.
 *
 * An event is: varint icount delta (from the previous event), varint
 * kind, varint channel, varint payload length, payload bytes. Kind ids are
 * stable: new kinds get new numbers, existing numbers never change. */
#ifndef DEJA_TRACE_H
#define DEJA_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "DEJATRCE"
#define TRACE_VERSION 1

/* Limits of the format (docs/trace-format.md "Limits"). The writer never
 * exceeds them and the reader rejects files that do. */
#define TRACE_VARINT_MAX 10                 /* bytes in a u64 varint */
#define TRACE_HEADER_VALUE_MAX 256          /* = sizeof(TraceHeaderEntry.value) */
#define TRACE_MAX_EVENT_PAYLOAD (16u << 20) /* bytes in one event's payload */
#define TRACE_MAX_CHUNK_RAW (64u << 20)     /* uncompressed bytes in one chunk */
#define TRACE_CHUNK_TARGET_RAW (256u << 10) /* the writer ends a chunk past this */

typedef enum TraceEventKind {
    TRACE_EV_SERIAL_INPUT = 1, /* channel: serial port index; payload: bytes delivered */
    TRACE_EV_HOST_TIME = 2,    /* channel: source (0 = RTC base); payload: varint ns */
    TRACE_EV_RANDOM = 3,       /* channel: source (0 = dtb rng-seed, 1 = virtio-rng); bytes */
    TRACE_EV_HOST_REQUEST = 4, /* payload: varint TraceHostRequest */
    TRACE_EV_WARP = 5,         /* payload: varint ns added to virtual time (idle skip) */
    TRACE_EV_SYNC = 6,         /* payload: a sync-point digest record (replay.c) */
    TRACE_EV_END = 7,          /* payload: varint exit status + final digest record */
    TRACE_EV_NET_FRAME = 8,    /* channel: netdev index; payload: frame delivered to the guest */
    TRACE_EV_AUDIO = 9,        /* channel: sound stream id; payload: capture samples delivered */
    TRACE_EV_INPUT = 10,       /* channel: input device index; payload: 8-byte virtio_input_events */
    TRACE_EV_LOADVM = 11,      /* payload: snapshot name; from here on the trace's icount is the
                                  machine's plus (this icount - the snapshot's) */
    TRACE_EV_KIND_COUNT
} TraceEventKind;

typedef enum TraceHostRequest {
    TRACE_REQ_QUIT = 1,      /* user quit (Ctrl-A x, monitor quit) */
    TRACE_REQ_RESET = 2,     /* system_reset from the host */
    TRACE_REQ_POWERDOWN = 3, /* system_powerdown from the host */
    TRACE_REQ_SIGINT = 4,
    TRACE_REQ_SIGTERM = 5,
} TraceHostRequest;

/* Header: ordered (key, value) pairs. Keys are short ASCII names; values
 * are bytes (text for configuration, raw 16-byte XXH3-128 for hashes).
 * Conventional keys: "deja-version", "machine", "ram-size", "smp",
 * "icount-shift", "serial-ports", "hash:firmware", "hash:kernel",
 * "hash:initrd", "hash:dtb", later "hash:drive:ID". */
#define TRACE_MAX_HEADER_ENTRIES 64
typedef struct TraceHeaderEntry {
    char key[48];
    uint8_t value[256];
    uint32_t len;
} TraceHeaderEntry;

typedef struct TraceHeader {
    uint32_t version; /* filled by the reader */
    int count;
    TraceHeaderEntry entries[TRACE_MAX_HEADER_ENTRIES];
} TraceHeader;

/* Adds or replaces an entry; false if the table is full or too long. */
bool trace_header_set(TraceHeader *h, const char *key, const void *value, uint32_t len);
bool trace_header_set_str(TraceHeader *h, const char *key, const char *value);
const TraceHeaderEntry *trace_header_get(const TraceHeader *h, const char *key);

typedef struct TraceEvent {
    uint64_t icount; /* absolute machine instruction count */
    uint32_t kind;
    uint32_t channel;
    const uint8_t *payload; /* valid until the next trace_reader_next */
    uint32_t len;
} TraceEvent;

typedef struct TraceWriter TraceWriter;
typedef struct TraceReader TraceReader;

/* Creates (truncates) path and writes the magic, version and header
 * chunk. On failure returns NULL and writes a message into err. */
TraceWriter *trace_writer_open(const char *path, const TraceHeader *header, char *err,
                               size_t err_len);
/* Appends an event; icounts must not decrease. False on a write error. */
bool trace_writer_event(TraceWriter *w, uint64_t icount, uint32_t kind, uint32_t channel,
                        const void *payload, uint32_t len);
/* Ends the current chunk (compress, checksum, write, fflush). The writer
 * also does this by itself when the chunk grows large; the recorder calls
 * trace_writer_tick regularly so that a chunk is written at least every
 * second of wall time. */
bool trace_writer_flush(TraceWriter *w);
bool trace_writer_tick(TraceWriter *w);
/* Flushes and closes; false if anything failed. Frees w. */
bool trace_writer_close(TraceWriter *w);
uint64_t trace_writer_bytes(const TraceWriter *w); /* file size so far */
/* Why the last call returned false; "" if none did. Errors are sticky:
 * after one, every call returns false. Like every message of this module,
 * it does not repeat the file's path: callers prefix it. */
const char *trace_writer_error(const TraceWriter *w);

/* Opens a trace, checks magic and version and reads the header. NULL and a
 * message in err on failure (not a trace, version unsupported, corrupt
 * header chunk). */
TraceReader *trace_reader_open(const char *path, char *err, size_t err_len);
const TraceHeader *trace_reader_header(const TraceReader *r);
/* Next event: 1 = *ev filled; 0 = no more events (end of file after a
 * whole chunk); -1 = error (corrupt chunk, bad checksum, truncated event):
 * trace_reader_error() says what and where. A file that ends inside a
 * chunk (killed recorder) returns 0 after the last whole chunk and sets
 * trace_reader_truncated(). */
int trace_reader_next(TraceReader *r, TraceEvent *ev);
/* "chunk N at offset OFF: what" (without the path); "" if no error.
 * Chunks are numbered from 0 (the header chunk). */
const char *trace_reader_error(const TraceReader *r);
bool trace_reader_truncated(const TraceReader *r);
/* Instruction count of the last event returned (0 before the first): with
 * a truncated trace, where the recording stops. */
uint64_t trace_reader_last_icount(const TraceReader *r);
uint64_t trace_reader_event_count(const TraceReader *r); /* events returned so far */
uint64_t trace_reader_file_offset(const TraceReader *r); /* bytes consumed */
/* Statistics for deja-trace info. */
uint64_t trace_reader_chunk_count(const TraceReader *r);
/* Whole chunks read so far, header chunk included, and the sum of their
 * stored (compressed, frames excluded) and raw (uncompressed) sizes. */
uint64_t trace_reader_stored_bytes(const TraceReader *r); /* compressed */
uint64_t trace_reader_raw_bytes(const TraceReader *r);    /* uncompressed */
void trace_reader_close(TraceReader *r);

/* Repositioning (replay seek, checkpoints, loadvm): a reader's place in
 * the trace, taken before the next event. trace_reader_seek puts a reader
 * of the same file back there: the next trace_reader_next returns the
 * event that followed when the position was taken, and the counters
 * above read as they did then. Seeking re-reads (and re-checks) at most
 * one chunk. The fields are plain numbers so that callers can save them
 * in state files; a damaged position is refused (-1 and the error says
 * why) or, if it passes the chunk checks, yields a parse error later. */
typedef struct TraceReaderPos {
    uint64_t chunk_offset; /* file offset of the chunk holding the next event
                              (chunk_loaded) or of the next chunk to read */
    uint64_t pos;          /* next event's raw offset in that chunk (chunk_loaded) */
    uint64_t chunk_first_icount;
    uint64_t last_icount;
    uint64_t events_read;
    uint64_t chunks_read; /* whole chunks read before chunk_offset */
    uint64_t stored_bytes, raw_bytes;
    bool chunk_loaded;
    bool chunk_has_event;
    bool at_end;
} TraceReaderPos;

void trace_reader_tell(const TraceReader *r, TraceReaderPos *pos);
/* 1 on success, -1 on error (trace_reader_error). */
int trace_reader_seek(TraceReader *r, const TraceReaderPos *pos);

/* Varints (LEB128, unsigned). put returns bytes written (max 10); get
 * returns bytes read or 0 if the buffer ends first or the varint is too long. */
size_t trace_varint_put(uint8_t *out, uint64_t v);
size_t trace_varint_get(const uint8_t *in, size_t len, uint64_t *v);

/* XXH3-128 of a file, for the header's image hashes; false on I/O error.
 * out is the canonical (big-endian) form, the bytes whose hex is what
 * `xxhsum -H2` / `xxh128sum` prints. Reads 1 MiB at a time. */
bool trace_hash_file(const char *path, uint8_t out[16], char *err, size_t err_len);
void trace_hash_buffer(const void *data, size_t len, uint8_t out[16]);
/* 32 lower-case hex digits and a NUL, for messages ("kernel image differs:
 * trace has 4c3f..., file has ..."). */
void trace_hash_to_hex(const uint8_t hash[16], char out[33]);

/* "SERIAL_INPUT", ...; "UNKNOWN" for a number this build does not know. */
const char *trace_event_kind_name(uint32_t kind);

#endif
