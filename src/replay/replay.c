/* Record/replay engine (replay.h). */
#include "replay/replay.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <xxhash.h>

#include "snapshot/hart_state.h"
#include "snapshot/state.h"
#include "util/message.h"

/* RAM is split into this many equal ranges in a digest, so that a
 * mismatch names an address range even when too many pages changed to
 * list them one by one. */
#define REPLAY_RAM_RANGES 64
/* Up to this many dirty pages, a sync point lists each page's hash. */
#define REPLAY_PAGE_LIST_MAX 256
/* At most this many lines of differences in a divergence report. */
#define REPLAY_REPORT_MAX_LINES 12

enum { DIGEST_RAM_DIRTY = 0, DIGEST_RAM_FULL = 1 };

struct Replay {
    ReplayMode mode;
    ReplayMachine machine;
    ReplaySink sink;
    char *path;
    uint64_t sync_interval;
    uint64_t next_sync;
    uint64_t sync_count;
    StateWriter digest;  /* scratch: the digest being built */
    StateWriter scratch; /* scratch: one device's state */
    uint64_t *page_hashes;     /* per RAM page, filled for the pages in a digest */

    /* record */
    TraceWriter *writer;
    bool write_failed;
    uint64_t events_written; /* positions: a snapshot taken while recording */
    /* trace icount = machine icount + icount_bias: a loadvm logged in a
     * recording (LOADVM event) moves the machine's count, not the trace's. */
    uint64_t icount_bias;

    /* replay */
    TraceReader *reader;
    TraceEvent peeked;
    int peek_status; /* 1 peeked, 0 end, -1 error; valid when have_peek */
    bool have_peek;
    TraceReaderPos peek_pos; /* the reader before the peeked event (positions) */
    uint8_t *payload; /* copy of the peeked event's payload */
    size_t payload_cap;
    uint64_t events_delivered;
    bool have_last;
    uint32_t last_kind, last_channel, last_len;
    uint64_t last_icount;
    uint64_t last_value; /* warp ns, request, first bytes of input */
    uint8_t last_bytes[16];

    /* DEJA_TEST_PERTURB=ICOUNT:REG (replay only) */
    bool perturb_pending;
    uint64_t perturb_icount;
    int perturb_field;
};

static void replay_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void replay_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("deja: replay: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *replay_request_name(uint32_t request)
{
    switch (request) {
    case TRACE_REQ_QUIT: return "quit";
    case TRACE_REQ_RESET: return "reset";
    case TRACE_REQ_POWERDOWN: return "powerdown";
    case TRACE_REQ_SIGINT: return "SIGINT";
    case TRACE_REQ_SIGTERM: return "SIGTERM";
    default: return "unknown request";
    }
}

/* ---- signals --------------------------------------------------------- */

static volatile sig_atomic_t replay_pending_signal;

static void replay_signal_handler(int sig) { replay_pending_signal = sig; }

void replay_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = replay_signal_handler;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking wait (poll, pause) returns so the
     * scheduler reaches its next round boundary. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int replay_take_signal(void)
{
    int sig = replay_pending_signal;
    if (sig)
        replay_pending_signal = 0;
    return sig;
}

/* ---- digests --------------------------------------------------------- */

static uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, len, seed);
}

/* The virtual clock is machine state too: warps and armed deadlines. */
static uint64_t replay_clock_hash(Replay *r)
{
    const VirtClock *clock = r->machine.clock;
    StateWriter *w = &r->scratch;
    state_writer_clear(w);
    state_put_u64(w, clock->warp_ns);
    state_put_u32(w, (uint32_t)clock->timer_count);
    for (int i = 0; i < clock->timer_count; i++)
        state_put_u64(w, clock->timers[i].deadline_ns);
    return hash64(w->data, w->len, 0);
}

/* Appends the digest of the current machine state to r->digest:
 *   varint hart count; per hart: varint length + hart_state_save record
 *   varint device count; per device: string name, u64 base, u64 hash
 *   u8 RAM mode (dirty pages since the last sync point / all of RAM)
 *   u64 ram size, varint pages included, u64 hash of them
 *   varint ranges listed; per range: varint index, u64 hash
 *   varint pages listed (0 if more than REPLAY_PAGE_LIST_MAX); per page:
 *   varint page index, u64 hash. */
static void replay_build_digest(Replay *r, int ram_mode)
{
    StateWriter *w = &r->digest;
    const ReplayMachine *m = &r->machine;

    state_put_varint(w, (uint64_t)m->hart_count);
    for (int i = 0; i < m->hart_count; i++) {
        StateWriter *s = &r->scratch;
        state_writer_clear(s);
        hart_state_save(m->harts[i], s);
        state_put_varint(w, s->len);
        state_put_bytes(w, s->data, s->len);
    }

    state_put_varint(w, (uint64_t)m->device_count + 1);
    state_put_string(w, "clock");
    state_put_u64(w, 0);
    state_put_u64(w, replay_clock_hash(r));
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        StateWriter *s = &r->scratch;
        state_writer_clear(s);
        if (d->cls->save)
            d->cls->save(d->state, s);
        state_put_string(w, d->cls->name);
        state_put_u64(w, d->base);
        state_put_u64(w, hash64(s->data, s->len, 0));
    }

    const Bus *bus = m->bus;
    uint64_t pages = bus->ram_size >> BUS_PAGE_SHIFT;
    uint64_t pages_per_range = (pages + REPLAY_RAM_RANGES - 1) / REPLAY_RAM_RANGES;
    uint64_t range_hash_input[2 * REPLAY_RAM_RANGES];
    uint64_t included = 0;
    int ranges_listed = 0;
    XXH3_state_t *range_state = XXH3_createState();
    if (!range_state) {
        w->failed = true;
        return;
    }
    for (int range = 0; range < REPLAY_RAM_RANGES; range++) {
        uint64_t first = (uint64_t)range * pages_per_range;
        uint64_t end = first + pages_per_range < pages ? first + pages_per_range : pages;
        bool any = false;
        XXH3_64bits_reset(range_state);
        for (uint64_t p = first; p < end; p++) {
            if (ram_mode == DIGEST_RAM_DIRTY && !(bus->page_flags[p] & BUS_PAGE_DIRTY))
                continue;
            uint64_t h = hash64(bus->ram + (p << BUS_PAGE_SHIFT), BUS_PAGE_SIZE, p);
            r->page_hashes[p] = h;
            uint64_t pair[2] = { p, h };
            XXH3_64bits_update(range_state, pair, sizeof(pair));
            any = true;
            included++;
        }
        if (any) {
            range_hash_input[2 * ranges_listed] = (uint64_t)range;
            range_hash_input[2 * ranges_listed + 1] = XXH3_64bits_digest(range_state);
            ranges_listed++;
        }
    }
    XXH3_freeState(range_state);
    state_put_u8(w, (uint8_t)ram_mode);
    state_put_u64(w, bus->ram_size);
    state_put_varint(w, included);
    state_put_u64(w, hash64(range_hash_input, (size_t)ranges_listed * 16, 0));
    state_put_varint(w, (uint64_t)ranges_listed);
    for (int i = 0; i < ranges_listed; i++) {
        state_put_varint(w, range_hash_input[2 * i]);
        state_put_u64(w, range_hash_input[2 * i + 1]);
    }
    if (ram_mode == DIGEST_RAM_DIRTY && included <= REPLAY_PAGE_LIST_MAX) {
        state_put_varint(w, included);
        for (uint64_t p = 0; p < pages; p++) {
            if (!(bus->page_flags[p] & BUS_PAGE_DIRTY))
                continue;
            state_put_varint(w, p);
            state_put_u64(w, r->page_hashes[p]);
        }
    } else {
        state_put_varint(w, 0);
    }
}

/* After a sync point: the next digest covers only pages written from now
 * on. Write-TLB entries must go too, or fast-path stores would not mark
 * their pages dirty again (bus.h). */
static void replay_clear_dirty(Replay *r)
{
    bus_clear_dirty(r->machine.bus);
    for (int i = 0; i < r->machine.hart_count; i++)
        hart_flush_write_tlb(r->machine.harts[i], UINT64_MAX);
}

/* A parsed digest (pointers into the payload). */
typedef struct DigestDevice {
    char name[32];
    uint64_t base, hash;
} DigestDevice;

typedef struct DigestEntry {
    uint64_t index, hash;
} DigestEntry;

typedef struct Digest {
    int hart_count;
    const uint8_t *hart_state[DEV_MAX_HARTS];
    size_t hart_len[DEV_MAX_HARTS];
    int device_count;
    DigestDevice devices[64];
    uint8_t ram_mode;
    uint64_t ram_size, pages_included, ram_hash;
    int range_count;
    DigestEntry ranges[REPLAY_RAM_RANGES];
    int page_count;
    DigestEntry pages[REPLAY_PAGE_LIST_MAX];
} Digest;

static bool digest_parse(StateReader *rd, Digest *d)
{
    memset(d, 0, sizeof(*d));
    uint64_t harts = state_get_varint(rd);
    if (rd->failed || harts > DEV_MAX_HARTS)
        return false;
    d->hart_count = (int)harts;
    for (int i = 0; i < d->hart_count; i++) {
        d->hart_len[i] = (size_t)state_get_varint(rd);
        d->hart_state[i] = state_get_span(rd, d->hart_len[i]);
        if (!d->hart_state[i])
            return false;
    }
    uint64_t devices = state_get_varint(rd);
    if (rd->failed || devices > 64)
        return false;
    d->device_count = (int)devices;
    for (int i = 0; i < d->device_count; i++) {
        state_get_string(rd, d->devices[i].name, sizeof(d->devices[i].name));
        d->devices[i].base = state_get_u64(rd);
        d->devices[i].hash = state_get_u64(rd);
    }
    d->ram_mode = state_get_u8(rd);
    d->ram_size = state_get_u64(rd);
    d->pages_included = state_get_varint(rd);
    d->ram_hash = state_get_u64(rd);
    uint64_t ranges = state_get_varint(rd);
    if (rd->failed || ranges > REPLAY_RAM_RANGES)
        return false;
    d->range_count = (int)ranges;
    for (int i = 0; i < d->range_count; i++) {
        d->ranges[i].index = state_get_varint(rd);
        d->ranges[i].hash = state_get_u64(rd);
    }
    uint64_t pages = state_get_varint(rd);
    if (rd->failed || pages > REPLAY_PAGE_LIST_MAX)
        return false;
    d->page_count = (int)pages;
    for (int i = 0; i < d->page_count; i++) {
        d->pages[i].index = state_get_varint(rd);
        d->pages[i].hash = state_get_u64(rd);
    }
    return !rd->failed;
}

static const DigestEntry *digest_find(const DigestEntry *list, int count, uint64_t index)
{
    for (int i = 0; i < count; i++)
        if (list[i].index == index)
            return &list[i];
    return NULL;
}

static void report_line(int *lines, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_line(int *lines, const char *fmt, ...)
{
    if (++*lines > REPLAY_REPORT_MAX_LINES) {
        if (*lines == REPLAY_REPORT_MAX_LINES + 1)
            fputs("  ... (more differences not shown)\n", stderr);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("  ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Lists every difference between two digests; returns the line count. */
static int digest_report_differences(Replay *r, const Digest *rec, const Digest *now)
{
    int lines = 0;
    if (rec->hart_count != now->hart_count)
        report_line(&lines, "hart count: recorded %d, replayed %d", rec->hart_count,
                    now->hart_count);
    for (int h = 0; h < rec->hart_count && h < now->hart_count; h++) {
        StateReader a, b;
        state_reader_init(&a, rec->hart_state[h], rec->hart_len[h]);
        state_reader_init(&b, now->hart_state[h], now->hart_len[h]);
        uint32_t na = state_get_u32(&a), nb = state_get_u32(&b);
        uint32_t n = na < nb ? na : nb;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t va = state_get_u64(&a), vb = state_get_u64(&b);
            if (va != vb)
                report_line(&lines,
                            "hart %d register %s: recorded 0x%016" PRIx64 ", replayed 0x%016" PRIx64,
                            h, hart_state_field_name((int)i), va, vb);
        }
    }
    int devices = rec->device_count < now->device_count ? rec->device_count : now->device_count;
    if (rec->device_count != now->device_count)
        report_line(&lines, "device count: recorded %d, replayed %d", rec->device_count,
                    now->device_count);
    for (int i = 0; i < devices; i++) {
        const DigestDevice *a = &rec->devices[i], *b = &now->devices[i];
        if (strcmp(a->name, b->name) != 0 || a->base != b->base)
            report_line(&lines, "device %d: recorded %s@0x%" PRIx64 ", replayed %s@0x%" PRIx64, i,
                        a->name, a->base, b->name, b->base);
        else if (a->hash != b->hash)
            report_line(&lines,
                        "device %s@0x%" PRIx64 ": state differs (recorded hash %016" PRIx64
                        ", replayed %016" PRIx64 ")",
                        a->name, a->base, a->hash, b->hash);
    }
    if (rec->ram_size != now->ram_size) {
        report_line(&lines, "RAM size: recorded %" PRIu64 ", replayed %" PRIu64, rec->ram_size,
                    now->ram_size);
        return lines;
    }
    if (rec->ram_hash == now->ram_hash && rec->pages_included == now->pages_included)
        return lines;
    const uint64_t base = r->machine.bus->ram_base;
    const char *what = rec->ram_mode == DIGEST_RAM_FULL ? "contents" : "pages written";
    if (rec->pages_included != now->pages_included)
        report_line(&lines, "RAM: %" PRIu64 " pages written since the previous sync point in "
                            "the recording, %" PRIu64 " in the replay",
                    rec->pages_included, now->pages_included);
    uint64_t pages = rec->ram_size >> BUS_PAGE_SHIFT;
    uint64_t range_bytes = ((pages + REPLAY_RAM_RANGES - 1) / REPLAY_RAM_RANGES) << BUS_PAGE_SHIFT;
    if (rec->page_count && now->page_count) {
        for (int i = 0; i < rec->page_count; i++) {
            const DigestEntry *o = digest_find(now->pages, now->page_count, rec->pages[i].index);
            if (!o || o->hash != rec->pages[i].hash)
                report_line(&lines, "RAM page 0x%" PRIx64 ": %s", base +
                            (rec->pages[i].index << BUS_PAGE_SHIFT),
                            o ? "contents differ" : "written in the recording only");
        }
        for (int i = 0; i < now->page_count; i++)
            if (!digest_find(rec->pages, rec->page_count, now->pages[i].index))
                report_line(&lines, "RAM page 0x%" PRIx64 ": written in the replay only",
                            base + (now->pages[i].index << BUS_PAGE_SHIFT));
        return lines;
    }
    for (int range = 0; range < REPLAY_RAM_RANGES; range++) {
        const DigestEntry *a = digest_find(rec->ranges, rec->range_count, (uint64_t)range);
        const DigestEntry *b = digest_find(now->ranges, now->range_count, (uint64_t)range);
        if (!a && !b)
            continue;
        if (a && b && a->hash == b->hash)
            continue;
        uint64_t start = base + (uint64_t)range * range_bytes;
        report_line(&lines, "RAM range [0x%" PRIx64 ", 0x%" PRIx64 "): %s%s", start,
                    start + range_bytes, !a || !b ? "pages written in the " : what,
                    !a ? "replay only" : !b ? "recording only" : " differ");
    }
    if (lines == 0)
        report_line(&lines, "RAM digest differs");
    return lines;
}

static void replay_describe_last_event(const Replay *r, char *out, size_t out_len)
{
    if (!r->have_last) {
        snprintf(out, out_len, "none");
        return;
    }
    const char *name = trace_event_kind_name(r->last_kind);
    switch (r->last_kind) {
    case TRACE_EV_SERIAL_INPUT: {
        char text[64];
        size_t n = 0;
        for (uint32_t i = 0; i < r->last_len && i < sizeof(r->last_bytes) && n + 5 < sizeof(text);
             i++) {
            uint8_t c = r->last_bytes[i];
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                text[n++] = (char)c;
            else
                n += (size_t)snprintf(text + n, sizeof(text) - n, "\\x%02x", c);
        }
        text[n] = 0;
        snprintf(out, out_len, "%s at instruction %" PRIu64 " (port %u, %u bytes \"%s%s\")", name,
                 r->last_icount, r->last_channel, r->last_len, text,
                 r->last_len > sizeof(r->last_bytes) ? "..." : "");
        break;
    }
    case TRACE_EV_WARP:
        snprintf(out, out_len, "%s at instruction %" PRIu64 " (+%" PRIu64 " ns)", name,
                 r->last_icount, r->last_value);
        break;
    case TRACE_EV_HOST_REQUEST:
        snprintf(out, out_len, "%s at instruction %" PRIu64 " (%s)", name, r->last_icount,
                 replay_request_name((uint32_t)r->last_value));
        break;
    default:
        snprintf(out, out_len, "%s at instruction %" PRIu64, name, r->last_icount);
        break;
    }
}

/* Prints the report header of a divergence; the caller adds detail lines. */
static int replay_diverged(Replay *r, uint64_t icount, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int replay_diverged(Replay *r, uint64_t icount, const char *fmt, ...)
{
    char last[160];
    replay_describe_last_event(r, last, sizeof(last));
    fflush(stdout);
    fprintf(stderr, "\ndeja: replay diverged from the recording at instruction %" PRIu64 ": ",
            icount);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  last event delivered: %s\n", last);
    return REPLAY_EXIT_DIVERGED;
}

/* Compares the recorded digest payload with the machine now. */
static int replay_check_digest(Replay *r, uint64_t icount, const uint8_t *recorded, size_t len,
                               int ram_mode, const char *where)
{
    state_writer_clear(&r->digest);
    replay_build_digest(r, ram_mode);
    if (r->digest.failed) {
        replay_message("out of memory computing a digest");
        return REPLAY_EXIT_ERROR;
    }
    if (r->digest.len == len && memcmp(r->digest.data, recorded, len) == 0)
        return REPLAY_CONTINUE;
    /* Parse both (the current one is copied: digest_parse keeps pointers). */
    static Digest rec, now;
    StateReader a, b;
    state_reader_init(&a, recorded, len);
    state_reader_init(&b, r->digest.data, r->digest.len);
    if (!digest_parse(&a, &rec)) {
        replay_message("the %s record at instruction %" PRIu64 " is malformed", where, icount);
        return REPLAY_EXIT_ERROR;
    }
    digest_parse(&b, &now);
    replay_diverged(r, icount, "%s differs", where);
    if (digest_report_differences(r, &rec, &now) == 0)
        fputs("  (the digests differ in encoding only)\n", stderr);
    return REPLAY_EXIT_DIVERGED;
}

/* ---- record ---------------------------------------------------------- */

static void replay_write(Replay *r, uint64_t icount, uint32_t kind, uint32_t channel,
                         const void *payload, size_t len)
{
    if (r->write_failed)
        return;
    if (trace_writer_event(r->writer, icount, kind, channel, payload, (uint32_t)len)) {
        r->events_written++;
    } else {
        r->write_failed = true;
        fprintf(stderr, "deja: record: cannot write %s event to '%s'; the recording stops here\n",
                trace_event_kind_name(kind), r->path);
    }
}

void replay_log_serial_input(Replay *r, uint64_t icount, uint32_t port, const uint8_t *data,
                             size_t len)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (len)
        replay_write(r, icount, TRACE_EV_SERIAL_INPUT, port, data, len);
}

static void replay_write_varint_event(Replay *r, uint64_t icount, uint32_t kind,
                                      uint32_t channel, uint64_t value)
{
    uint8_t buf[10];
    size_t n = trace_varint_put(buf, value);
    replay_write(r, icount, kind, channel, buf, n);
}

void replay_log_host_request(Replay *r, uint64_t icount, uint32_t request)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    replay_write_varint_event(r, icount, TRACE_EV_HOST_REQUEST, 0, request);
}

void replay_log_warp(Replay *r, uint64_t icount, uint64_t warp_ns)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (warp_ns)
        replay_write_varint_event(r, icount, TRACE_EV_WARP, 0, warp_ns);
}

void replay_log_net_frame(Replay *r, uint64_t icount, uint32_t netdev, const uint8_t *frame,
                          size_t len)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    replay_write(r, icount, TRACE_EV_NET_FRAME, netdev, frame, len);
}

void replay_log_input(Replay *r, uint64_t icount, uint32_t device, const uint8_t *events,
                      size_t len)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (len)
        replay_write(r, icount, TRACE_EV_INPUT, device, events, len);
}

/* ---- replay: reading events ----------------------------------------- */

static int replay_peek(Replay *r, const TraceEvent **ev)
{
    if (!r->have_peek) {
        trace_reader_tell(r->reader, &r->peek_pos);
        r->peek_status = trace_reader_next(r->reader, &r->peeked);
        if (r->peek_status == 1 && r->peeked.len) {
            if (r->peeked.len > r->payload_cap) {
                uint8_t *p = realloc(r->payload, r->peeked.len);
                if (!p) {
                    replay_message("out of memory");
                    exit(REPLAY_EXIT_ERROR);
                }
                r->payload = p;
                r->payload_cap = r->peeked.len;
            }
            memcpy(r->payload, r->peeked.payload, r->peeked.len);
            r->peeked.payload = r->payload;
        }
        r->have_peek = true;
    }
    *ev = &r->peeked;
    return r->peek_status;
}

static void replay_consume(Replay *r)
{
    const TraceEvent *ev = &r->peeked;
    r->have_last = true;
    r->last_kind = ev->kind;
    r->last_channel = ev->channel;
    r->last_len = ev->len;
    r->last_icount = ev->icount;
    r->last_value = 0;
    if (ev->kind == TRACE_EV_WARP || ev->kind == TRACE_EV_HOST_REQUEST ||
        ev->kind == TRACE_EV_HOST_TIME)
        trace_varint_get(ev->payload, ev->len, &r->last_value);
    memcpy(r->last_bytes, ev->payload,
           ev->len < sizeof(r->last_bytes) ? ev->len : sizeof(r->last_bytes));
    r->events_delivered++;
    r->have_peek = false;
}

/* The trace has no more events (or a broken chunk) while the replay
 * wants one. */
static int replay_trace_ended(Replay *r, int status, uint64_t icount)
{
    if (status < 0) {
        replay_message("%s: %s", r->path, trace_reader_error(r->reader));
        return REPLAY_EXIT_ERROR;
    }
    fflush(stdout);
    fprintf(stderr, "\ndeja: replay: trace ends at instruction %" PRIu64
                    " (recording was interrupted)\n",
            r->have_last ? r->last_icount : icount);
    return REPLAY_EXIT_ERROR;
}

static uint64_t payload_varint(const TraceEvent *ev)
{
    uint64_t v = 0;
    trace_varint_get(ev->payload, ev->len, &v);
    return v;
}

/* ---- open / close ---------------------------------------------------- */

static void format_hash(const uint8_t *value, uint32_t len, char *out, size_t out_len)
{
    size_t n = 0;
    for (uint32_t i = 0; i < len && n + 3 <= out_len; i++)
        n += (size_t)snprintf(out + n, out_len - n, "%02x", value[i]);
    if (len == 0 && out_len)
        out[0] = 0;
}

static void format_value(const char *key, const TraceHeaderEntry *e, char *out, size_t out_len)
{
    char text[260];
    size_t n = e->len < sizeof(text) - 1 ? e->len : sizeof(text) - 1;
    /* The value may come from a damaged or hostile trace: no control
     * characters (terminal escapes) reach the user's terminal. */
    for (size_t i = 0; i < n; i++)
        text[i] = e->value[i] < 0x20 || e->value[i] == 0x7f ? '?' : (char)e->value[i];
    text[n] = 0;
    if (strcmp(key, "ram-size") == 0) {
        uint64_t v = strtoull(text, NULL, 10);
        if (v && v % (1ull << 30) == 0)
            snprintf(out, out_len, "%" PRIu64 "G", v >> 30);
        else if (v && v % (1ull << 20) == 0)
            snprintf(out, out_len, "%" PRIu64 "M", v >> 20);
        else
            snprintf(out, out_len, "%s", text);
        return;
    }
    if (strcmp(key, "append") == 0)
        snprintf(out, out_len, "\"%s\"", text);
    else
        snprintf(out, out_len, "%s", text);
}

static const char *option_for_key(const char *key)
{
    static const struct {
        const char *key, *option;
    } names[] = {
        { "machine", "-M" },
        { "ram-size", "-m" },
        { "smp", "-smp" },
        { "icount-shift", "-icount shift" },
        { "serial-ports", "the number of serial ports" },
        { "append", "-append" },
        { "has:bios", "-bios" },
        { "has:kernel", "-kernel" },
        { "has:initrd", "-initrd" },
        { "has:dtb", "-dtb" },
        { "has:append", "-append" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].key, key) == 0)
            return names[i].option;
    return key;
}

/* Compares the trace's header with this run's configuration. */
static bool replay_check_header(const TraceHeader *trace, const TraceHeader *now, char *err,
                                size_t err_len)
{
    for (int i = 0; i < now->count; i++) {
        const TraceHeaderEntry *n = &now->entries[i];
        if (strncmp(n->key, "path:", 5) == 0 || strcmp(n->key, "deja-version") == 0 ||
            strcmp(n->key, "sync-interval") == 0)
            continue;
        const TraceHeaderEntry *t = trace_header_get(trace, n->key);
        if (t && t->len == n->len && memcmp(t->value, n->value, n->len) == 0)
            continue;
        if (strncmp(n->key, "hash:", 5) == 0) {
            const char *what = n->key + 5;
            char path_key[64];
            snprintf(path_key, sizeof(path_key), "path:%s", what);
            const TraceHeaderEntry *p = trace_header_get(now, path_key);
            char file[200] = "";
            if (p)
                snprintf(file, sizeof(file), " for %.*s", (int)(p->len < 180 ? p->len : 180),
                         (const char *)p->value);
            if (!t) {
                message_format(err, err_len, "%s: the recording has none, this run has one%s", what,
                          file);
                return false;
            }
            char a[40], b[40];
            format_hash(t->value, t->len, a, sizeof(a));
            format_hash(n->value, n->len, b, sizeof(b));
            message_format(err, err_len, "%s differs from the recording (trace: %s, now: %s%s)", what,
                      a, b, file);
            return false;
        }
        char a[300], b[300];
        format_value(n->key, n, b, sizeof(b));
        if (t)
            format_value(n->key, t, a, sizeof(a));
        else
            snprintf(a, sizeof(a), "none");
        message_format(err, err_len, "%s differs: recording %s, now %s", option_for_key(n->key), a, b);
        return false;
    }
    /* Something recorded that this run lacks (e.g. an -initrd). */
    for (int i = 0; i < trace->count; i++) {
        const TraceHeaderEntry *t = &trace->entries[i];
        if (strncmp(t->key, "path:", 5) == 0 || strcmp(t->key, "deja-version") == 0 ||
            strcmp(t->key, "sync-interval") == 0)
            continue;
        if (!trace_header_get(now, t->key)) {
            if (strncmp(t->key, "hash:", 5) == 0)
                message_format(err, err_len, "the recording has a %s, this run has none",
                          t->key + 5);
            else
                message_format(err, err_len, "%s: the recording has it, this run does not",
                          option_for_key(t->key));
            return false;
        }
    }
    return true;
}

static bool replay_parse_perturb(Replay *r, char *err, size_t err_len)
{
    const char *spec = getenv("DEJA_TEST_PERTURB");
    if (!spec || !*spec)
        return true;
    char *end;
    unsigned long long at = strtoull(spec, &end, 0);
    if (end == spec || *end != ':' || hart_state_field_find(end + 1) < 0) {
        message_format(err, err_len, "DEJA_TEST_PERTURB='%s': expected ICOUNT:REGISTER (e.g. 5000000:a0)",
                  spec);
        return false;
    }
    r->perturb_pending = true;
    r->perturb_icount = at;
    r->perturb_field = hart_state_field_find(end + 1);
    return true;
}

Replay *replay_open(const ReplayOptions *options, const TraceHeader *config,
                    const ReplayMachine *machine, const ReplaySink *sink, char *err,
                    size_t err_len)
{
    Replay *r = calloc(1, sizeof(*r));
    if (!r) {
        message_format(err, err_len, "out of memory");
        return NULL;
    }
    r->mode = options->mode;
    r->machine = *machine;
    if (sink)
        r->sink = *sink;
    r->path = strdup(options->path);
    state_writer_init(&r->digest);
    state_writer_init(&r->scratch);
    r->page_hashes = calloc((size_t)(machine->bus->ram_size >> BUS_PAGE_SHIFT) + 1,
                            sizeof(uint64_t));
    if (!r->path || !r->page_hashes) {
        message_format(err, err_len, "out of memory");
        goto fail;
    }
    if (r->mode == REPLAY_RECORD) {
        r->sync_interval = options->sync_interval ? options->sync_interval
                                                  : REPLAY_DEFAULT_SYNC_INTERVAL;
        TraceHeader header = *config;
        char interval[32];
        snprintf(interval, sizeof(interval), "%" PRIu64, r->sync_interval);
        trace_header_set_str(&header, "sync-interval", interval);
        char why[256] = "";
        r->writer = trace_writer_open(options->path, &header, why, sizeof(why));
        if (!r->writer) {
            message_format(err, err_len, "cannot create '%s': %s", options->path, why);
            goto fail;
        }
    } else {
        char why[256] = "";
        r->reader = trace_reader_open(options->path, why, sizeof(why));
        if (!r->reader) {
            message_format(err, err_len, "'%s': %s", options->path, why);
            goto fail;
        }
        const TraceHeader *trace = trace_reader_header(r->reader);
        if (!replay_check_header(trace, config, err, err_len))
            goto fail;
        /* The sync points must fall where the recording put them. */
        const TraceHeaderEntry *e = trace_header_get(trace, "sync-interval");
        char text[32] = "";
        if (e && e->len < sizeof(text))
            memcpy(text, e->value, e->len);
        r->sync_interval = strtoull(text, NULL, 10);
        if (options->sync_interval && options->sync_interval != r->sync_interval) {
            message_format(err, err_len, "rrsync differs: recording %" PRIu64 ", now %" PRIu64,
                      r->sync_interval, options->sync_interval);
            goto fail;
        }
        if (!r->sync_interval) {
            message_format(err, err_len, "'%s': the header has no valid sync-interval",
                      options->path);
            goto fail;
        }
        if (!replay_parse_perturb(r, err, err_len))
            goto fail;
    }
    r->next_sync = r->sync_interval;
    return r;
fail:
    replay_close(r);
    return NULL;
}

void replay_close(Replay *r)
{
    if (!r)
        return;
    if (r->writer)
        trace_writer_close(r->writer);
    if (r->reader)
        trace_reader_close(r->reader);
    state_writer_free(&r->digest);
    state_writer_free(&r->scratch);
    free(r->page_hashes);
    free(r->payload);
    free(r->path);
    free(r);
}

ReplayMode replay_mode(const Replay *r) { return r ? r->mode : REPLAY_OFF; }
uint64_t replay_sync_interval(const Replay *r) { return r->sync_interval; }

/* ---- the round boundary ---------------------------------------------- */

uint64_t replay_host_time(Replay *r, uint64_t icount, uint32_t source, uint64_t host_ns)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (r->mode == REPLAY_RECORD) {
        replay_write_varint_event(r, icount, TRACE_EV_HOST_TIME, source, host_ns);
        return host_ns;
    }
    const TraceEvent *ev;
    int st = replay_peek(r, &ev);
    if (st == 1 && ev->kind == TRACE_EV_HOST_TIME && ev->channel == source &&
        ev->icount == icount) {
        uint64_t v = payload_varint(ev);
        replay_consume(r);
        return v;
    }
    /* Not fatal here: the first round boundary or sync point reports the
     * mismatch. Until then the guest must not see the host clock, or two
     * replays of the same trace would differ. */
    return 0;
}

static void replay_host_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            /* No entropy source: still deterministic for replay, which
             * takes the logged bytes; zeros are what the guest gets. */
            memset(p, 0, len);
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* A value a device pulls from the host during a round (RANDOM, AUDIO):
 * record logs what the host gave (buf, already filled), replay copies the
 * logged one into buf and checks that the device asked for the same kind,
 * channel and size at the same icount. `what` names the request in a
 * divergence report. */
static int replay_pull(Replay *r, uint64_t icount, uint32_t kind, uint32_t channel, void *buf,
                       size_t len, const char *what)
{
    icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (r->mode == REPLAY_RECORD) {
        replay_write(r, icount, kind, channel, buf, len);
        return REPLAY_CONTINUE;
    }
    const TraceEvent *ev;
    int st = replay_peek(r, &ev);
    if (st != 1)
        return replay_trace_ended(r, st, icount);
    if (ev->kind != kind || ev->icount != icount || ev->channel != channel || ev->len != len)
        return replay_diverged(r, icount,
                               "%s (%zu bytes) here but the recording has %s at instruction "
                               "%" PRIu64,
                               what, len, trace_event_kind_name(ev->kind), ev->icount);
    memcpy(buf, ev->payload, len);
    replay_consume(r);
    return REPLAY_CONTINUE;
}

int replay_random_bytes(Replay *r, uint64_t icount, uint32_t channel, void *buf, size_t len)
{
    if (!r || r->mode != REPLAY_PLAY)
        replay_host_random(buf, len);
    if (!r || r->mode == REPLAY_OFF)
        return REPLAY_CONTINUE;
    return replay_pull(r, icount, TRACE_EV_RANDOM, channel, buf, len,
                       "the device asks for random bytes");
}

int replay_audio_capture(Replay *r, uint64_t icount, uint32_t channel, void *buf, size_t len)
{
    if (!r || r->mode == REPLAY_OFF)
        return REPLAY_CONTINUE;
    return replay_pull(r, icount, TRACE_EV_AUDIO, channel, buf, len,
                       "the sound device takes capture data");
}

static void replay_sync_advance(Replay *r, uint64_t icount)
{
    r->sync_count++;
    /* Saturates: with a huge interval (rrsync=, or a damaged header) the
     * next multiple may not exist in 64 bits; wrapping would make every
     * round a sync point. */
    uint64_t multiple = icount / r->sync_interval + 1;
    r->next_sync = multiple > UINT64_MAX / r->sync_interval ? UINT64_MAX
                                                             : multiple * r->sync_interval;
    replay_clear_dirty(r);
}

static void replay_perturb(Replay *r, uint64_t icount)
{
    Hart *h = r->machine.harts[0];
    int field = r->perturb_field;
    hart_state_field_set(h, field, hart_state_field_get(h, field) ^ 1);
    r->perturb_pending = false;
    fprintf(stderr, "deja: test: flipped bit 0 of hart 0 register %s at instruction %" PRIu64 "\n",
            hart_state_field_name(field), icount);
}

int replay_round(Replay *r, uint64_t icount)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (r->mode == REPLAY_RECORD) {
        if (icount >= r->next_sync) {
            state_writer_clear(&r->digest);
            replay_build_digest(r, DIGEST_RAM_DIRTY);
            if (r->digest.failed && !r->write_failed) {
                r->write_failed = true;
                fprintf(stderr, "deja: record: out of memory computing a sync point; the "
                                "recording stops here\n");
            }
            replay_write(r, icount, TRACE_EV_SYNC, 0, r->digest.data, r->digest.len);
            replay_sync_advance(r, icount);
        }
        if (!r->write_failed && !trace_writer_tick(r->writer)) {
            r->write_failed = true;
            fprintf(stderr, "deja: record: cannot write to '%s'; the recording stops here\n",
                    r->path);
        }
        return REPLAY_CONTINUE;
    }

    if (r->perturb_pending && icount >= r->perturb_icount)
        replay_perturb(r, icount);

    const TraceEvent *ev;
    int st = replay_peek(r, &ev);
    if (st == 1 && ev->icount < icount)
        return replay_diverged(r, icount,
                               "the recording has %s at instruction %" PRIu64
                               ", which the replay passed without meeting",
                               trace_event_kind_name(ev->kind), ev->icount);
    if (icount >= r->next_sync) {
        if (st != 1)
            return replay_trace_ended(r, st, icount);
        if (ev->kind != TRACE_EV_SYNC || ev->icount != icount)
            return replay_diverged(r, icount,
                                   "a sync point is due here but the recording has %s at "
                                   "instruction %" PRIu64,
                                   trace_event_kind_name(ev->kind), ev->icount);
        /* Compared before it counts as delivered, so a report names the
         * event before it. */
        int verdict = replay_check_digest(r, icount, ev->payload, ev->len, DIGEST_RAM_DIRTY,
                                          "the machine state at the sync point");
        if (verdict != REPLAY_CONTINUE)
            return verdict;
        replay_consume(r);
        replay_sync_advance(r, icount);
    }
    for (;;) {
        st = replay_peek(r, &ev);
        if (st != 1)
            return replay_trace_ended(r, st, icount);
        if (ev->icount != icount)
            return REPLAY_CONTINUE;
        switch (ev->kind) {
        case TRACE_EV_SERIAL_INPUT:
            if (r->sink.serial_input)
                r->sink.serial_input(r->sink.opaque, ev->channel, ev->payload, ev->len);
            replay_consume(r);
            break;
        case TRACE_EV_NET_FRAME:
            if (r->sink.net_frame)
                r->sink.net_frame(r->sink.opaque, ev->channel, ev->payload, ev->len);
            replay_consume(r);
            break;
        case TRACE_EV_INPUT:
            if (r->sink.input_event)
                r->sink.input_event(r->sink.opaque, ev->channel, ev->payload, ev->len);
            replay_consume(r);
            break;
        case TRACE_EV_HOST_REQUEST: {
            uint64_t request = payload_varint(ev);
            replay_consume(r);
            if (r->sink.host_request)
                r->sink.host_request(r->sink.opaque, (uint32_t)request);
            return REPLAY_CONTINUE; /* the board acts on it before anything else */
        }
        case TRACE_EV_WARP:
        case TRACE_EV_END:
            return REPLAY_CONTINUE; /* taken by replay_idle / replay_finish */
        case TRACE_EV_RANDOM:
            return REPLAY_CONTINUE; /* taken by replay_random_bytes later in the round */
        case TRACE_EV_AUDIO:
            return REPLAY_CONTINUE; /* taken by replay_audio_capture later in the round */
        case TRACE_EV_LOADVM: {
            /* The board loads the snapshot (machine only, the log stays)
             * and calls replay_rebase; the round's later events keep their
             * trace icount. */
            char name[128];
            size_t n = ev->len < sizeof(name) - 1 ? ev->len : sizeof(name) - 1;
            memcpy(name, ev->payload, n);
            name[n] = 0;
            replay_consume(r);
            if (!r->sink.loadvm)
                return replay_diverged(r, icount, "the recording loads snapshot '%s' here, "
                                                  "this machine cannot", name);
            char why[1024];
            if (!r->sink.loadvm(r->sink.opaque, name, why, sizeof(why))) {
                replay_message("the recording loads snapshot '%s' at instruction %" PRIu64
                               ", the replay cannot: %s", name, icount, why);
                return REPLAY_EXIT_ERROR;
            }
            break;
        }
        case TRACE_EV_SYNC:
            return replay_diverged(r, icount,
                                   "the recording has a sync point here, the replay expected "
                                   "the next one at instruction %" PRIu64,
                                   r->next_sync);
        default:
            return replay_diverged(r, icount, "unexpected %s event in the recording",
                                   trace_event_kind_name(ev->kind));
        }
    }
}

void replay_log_loadvm(Replay *r, uint64_t icount, const char *name)
{
    icount += r->icount_bias;
    if (r->mode == REPLAY_RECORD)
        replay_write(r, icount, TRACE_EV_LOADVM, 0, name, strlen(name));
}

void replay_rebase(Replay *r, uint64_t old_icount, uint64_t new_icount)
{
    r->icount_bias += old_icount - new_icount; /* modular: a load forward works too */
}

int replay_round_end(Replay *r, uint64_t icount)
{
    if (!r || r->mode != REPLAY_PLAY)
        return REPLAY_CONTINUE;
    icount += r->icount_bias; /* trace icount (loadvm while recording) */
    for (;;) {
        const TraceEvent *ev;
        if (replay_peek(r, &ev) != 1 || ev->icount != icount)
            return REPLAY_CONTINUE; /* the end of the trace is replay_round's to report */
        switch (ev->kind) {
        case TRACE_EV_SERIAL_INPUT:
            if (r->sink.serial_input)
                r->sink.serial_input(r->sink.opaque, ev->channel, ev->payload, ev->len);
            break;
        case TRACE_EV_NET_FRAME:
            if (r->sink.net_frame)
                r->sink.net_frame(r->sink.opaque, ev->channel, ev->payload, ev->len);
            break;
        case TRACE_EV_INPUT:
            if (r->sink.input_event)
                r->sink.input_event(r->sink.opaque, ev->channel, ev->payload, ev->len);
            break;
        default:
            return REPLAY_CONTINUE; /* warps, the end record: taken later */
        }
        replay_consume(r);
    }
}

int replay_idle(Replay *r, uint64_t icount, uint64_t *warp_ns)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    *warp_ns = 0;
    const TraceEvent *ev;
    int st = replay_peek(r, &ev);
    if (st != 1)
        return replay_trace_ended(r, st, icount);
    if (ev->icount == icount) {
        if (ev->kind == TRACE_EV_WARP) {
            *warp_ns = payload_varint(ev);
            replay_consume(r);
            return REPLAY_CONTINUE;
        }
        if (ev->kind == TRACE_EV_SERIAL_INPUT || ev->kind == TRACE_EV_HOST_REQUEST ||
            ev->kind == TRACE_EV_NET_FRAME || ev->kind == TRACE_EV_INPUT)
            return REPLAY_CONTINUE;
    }
    if (ev->kind == TRACE_EV_END && ev->icount == icount)
        return replay_diverged(r, icount,
                               "all harts are idle, but the recording ended here without a "
                               "host request");
    return replay_diverged(r, icount,
                           "all harts are idle (wfi), but the recording has %s at instruction "
                           "%" PRIu64,
                           trace_event_kind_name(ev->kind), ev->icount);
}

int replay_finish(Replay *r, uint64_t icount, int status)
{
    if (r)
        icount += r->icount_bias; /* trace icount (loadvm while recording) */
    if (r->mode == REPLAY_RECORD) {
        state_writer_clear(&r->digest);
        state_put_varint(&r->digest, (uint64_t)(uint32_t)status);
        replay_build_digest(r, DIGEST_RAM_FULL);
        replay_write(r, icount, TRACE_EV_END, 0, r->digest.data, r->digest.len);
        bool ok = !r->write_failed && trace_writer_close(r->writer);
        r->writer = NULL;
        if (!ok) {
            fprintf(stderr, "deja: record: writing '%s' failed; the trace is incomplete\n",
                    r->path);
            return status ? status : REPLAY_EXIT_ERROR;
        }
        return status;
    }
    const TraceEvent *ev;
    int st = replay_peek(r, &ev);
    if (st != 1)
        return replay_trace_ended(r, st, icount);
    if (ev->kind != TRACE_EV_END || ev->icount != icount) {
        if (ev->kind == TRACE_EV_END)
            return replay_diverged(r, icount,
                                   "the replay stopped (status %d) but the recording ended at "
                                   "instruction %" PRIu64,
                                   status, ev->icount);
        return replay_diverged(r, icount,
                               "the replay stopped (status %d) but the recording continues "
                               "with %s at instruction %" PRIu64,
                               status, trace_event_kind_name(ev->kind), ev->icount);
    }
    replay_consume(r);
    StateReader rd;
    state_reader_init(&rd, r->payload, r->last_len);
    uint64_t recorded_status = state_get_varint(&rd);
    if (rd.failed) {
        replay_message("the end record is malformed");
        return REPLAY_EXIT_ERROR;
    }
    int verdict = replay_check_digest(r, icount, rd.data + rd.pos, rd.len - rd.pos,
                                      DIGEST_RAM_FULL, "the end state");
    if (verdict != REPLAY_CONTINUE)
        return verdict;
    if ((int)(uint32_t)recorded_status != status) {
        replay_diverged(r, icount, "exit status: recorded %d, replayed %d",
                        (int)recorded_status, status);
        return REPLAY_EXIT_DIVERGED;
    }
    fprintf(stderr, "deja: replay finished at instruction %" PRIu64
                    ": end state matches the recording\n",
            icount);
    return status;
}

/* ---- positions (replay.h) ------------------------------------------ */

#define POSITION_MAGIC 0x534f5052u /* "RPOS" */
#define POSITION_VERSION 1

/* In machine icounts, as the board counts (next_sync is a trace icount:
 * after a recorded loadvm the two differ by icount_bias). */
uint64_t replay_next_sync(const Replay *r)
{
    return r->next_sync == UINT64_MAX ? UINT64_MAX : r->next_sync - r->icount_bias;
}
uint64_t replay_events_delivered(const Replay *r) { return r->events_delivered; }

/* u32 magic, u32 version, u8 mode, u64 sync_count, u64 next_sync; replay
 * adds: u64 events delivered, the last event delivered (for divergence
 * reports), the reader position before the next undelivered event, and
 * the RAM pages written since the previous sync point (the next sync
 * digest covers them): varint count, varint page-index deltas. */
void replay_position_save(const Replay *r, StateWriter *w)
{
    state_put_u32(w, POSITION_MAGIC);
    state_put_u32(w, POSITION_VERSION);
    state_put_u8(w, (uint8_t)r->mode);
    state_put_u64(w, r->sync_count);
    state_put_u64(w, r->next_sync);
    state_put_u64(w, r->icount_bias);
    if (r->mode == REPLAY_RECORD)
        state_put_u64(w, r->events_written); /* replay finds the spot by counting */
    if (r->mode != REPLAY_PLAY)
        return;
    state_put_u64(w, r->events_delivered);
    state_put_u8(w, r->have_last);
    state_put_u32(w, r->last_kind);
    state_put_u32(w, r->last_channel);
    state_put_u32(w, r->last_len);
    state_put_u64(w, r->last_icount);
    state_put_u64(w, r->last_value);
    state_put_bytes(w, r->last_bytes, sizeof(r->last_bytes));
    TraceReaderPos p;
    if (r->have_peek)
        p = r->peek_pos;
    else
        trace_reader_tell(r->reader, &p);
    state_put_u64(w, p.chunk_offset);
    state_put_u64(w, p.pos);
    state_put_u64(w, p.chunk_first_icount);
    state_put_u64(w, p.last_icount);
    state_put_u64(w, p.events_read);
    state_put_u64(w, p.chunks_read);
    state_put_u64(w, p.stored_bytes);
    state_put_u64(w, p.raw_bytes);
    state_put_u8(w, (uint8_t)(p.chunk_loaded | p.chunk_has_event << 1 | p.at_end << 2));
    const Bus *bus = r->machine.bus;
    uint64_t pages = bus->ram_size >> BUS_PAGE_SHIFT, dirty = 0;
    for (uint64_t i = 0; i < pages; i++)
        dirty += (bus->page_flags[i] & BUS_PAGE_DIRTY) != 0;
    state_put_varint(w, dirty);
    uint64_t prev = 0;
    for (uint64_t i = 0; i < pages; i++) {
        if (bus->page_flags[i] & BUS_PAGE_DIRTY) {
            state_put_varint(w, i - prev);
            prev = i;
        }
    }
}

/* The sync schedule saved with a position must be this trace's. */
static bool position_schedule_ok(const Replay *r, uint64_t next_sync, char *err, size_t err_len)
{
    if (next_sync == 0 || (next_sync != UINT64_MAX && next_sync % r->sync_interval != 0)) {
        message_format(err, err_len, "replay position: the sync schedule does not match this "
                                     "trace (sync interval %" PRIu64 ")", r->sync_interval);
        return false;
    }
    return true;
}

/* Puts the replay's reader at P and its sync counters where a saved
 * position had them; the caller sets the delivered-event fields. */
static bool position_seek(Replay *r, const TraceReaderPos *p, uint64_t sync_count,
                          uint64_t next_sync, uint64_t bias, char *err, size_t err_len)
{
    if (trace_reader_seek(r->reader, p) < 0) {
        message_format(err, err_len, "replay position: %s: %s", r->path,
                       trace_reader_error(r->reader));
        return false;
    }
    r->have_peek = false;
    r->sync_count = sync_count;
    r->icount_bias = bias;
    r->next_sync = next_sync;
    return true;
}

/* A position saved while recording holds the number of events written
 * before it: a second reader of the trace skips that many events and the
 * replay's reader is put where it stops. The RAM pages dirty since the
 * last sync point come with the machine state (virt_state.c). */
static bool replay_position_load_recorded(Replay *r, StateReader *rd, uint64_t sync_count,
                                          uint64_t next_sync, uint64_t bias, char *err,
                                          size_t err_len)
{
    uint64_t events = state_get_u64(rd);
    if (rd->failed) {
        message_format(err, err_len, "replay position: record truncated or damaged");
        return false;
    }
    if (!position_schedule_ok(r, next_sync, err, err_len))
        return false;
    char why[256];
    TraceReader *scan = trace_reader_open(r->path, why, sizeof(why));
    if (!scan) {
        message_format(err, err_len, "replay position: %s: %s", r->path, why);
        return false;
    }
    TraceEvent ev;
    uint64_t n = 0;
    int st = 1;
    while (n < events && (st = trace_reader_next(scan, &ev)) == 1)
        n++;
    if (n < events) {
        message_format(err, err_len, "replay position: the trace has %" PRIu64 " events, the "
                       "snapshot was taken after %" PRIu64 "%s%s", n, events,
                       st < 0 ? ": " : "", st < 0 ? trace_reader_error(scan) : "");
        trace_reader_close(scan);
        return false;
    }
    TraceReaderPos p;
    trace_reader_tell(scan, &p);
    trace_reader_close(scan);
    if (!position_seek(r, &p, sync_count, next_sync, bias, err, err_len))
        return false;
    r->events_delivered = events;
    r->have_last = false;
    return true;
}

bool replay_position_load(Replay *r, StateReader *rd, char *err, size_t err_len)
{
    uint32_t magic = state_get_u32(rd), version = state_get_u32(rd);
    uint8_t mode = state_get_u8(rd);
    uint64_t sync_count = state_get_u64(rd), next_sync = state_get_u64(rd);
    uint64_t bias = state_get_u64(rd);
    if (rd->failed || magic != POSITION_MAGIC) {
        message_format(err, err_len, "replay position: not a replay position record");
        return false;
    }
    if (version != POSITION_VERSION) {
        message_format(err, err_len, "replay position: version %u is not supported (this build "
                                     "reads version %d)", version, POSITION_VERSION);
        return false;
    }
    if (r->mode != REPLAY_PLAY)
        return true; /* record, plain run: the machine state alone matters */
    if (mode == REPLAY_RECORD) /* savevm during the recording (snapshots.md) */
        return replay_position_load_recorded(r, rd, sync_count, next_sync, bias, err, err_len);
    if (mode != REPLAY_PLAY) {
        message_format(err, err_len, "the state was saved outside a replay; it has no "
                                     "position in this replay's trace");
        return false;
    }
    if (!position_schedule_ok(r, next_sync, err, err_len))
        return false;
    uint64_t delivered = state_get_u64(rd);
    bool have_last = state_get_u8(rd) != 0;
    uint32_t last_kind = state_get_u32(rd), last_channel = state_get_u32(rd);
    uint32_t last_len = state_get_u32(rd);
    uint64_t last_icount = state_get_u64(rd), last_value = state_get_u64(rd);
    const uint8_t *last_bytes = state_get_span(rd, sizeof(r->last_bytes));
    TraceReaderPos p;
    memset(&p, 0, sizeof(p));
    p.chunk_offset = state_get_u64(rd);
    p.pos = state_get_u64(rd);
    p.chunk_first_icount = state_get_u64(rd);
    p.last_icount = state_get_u64(rd);
    p.events_read = state_get_u64(rd);
    p.chunks_read = state_get_u64(rd);
    p.stored_bytes = state_get_u64(rd);
    p.raw_bytes = state_get_u64(rd);
    uint8_t flags = state_get_u8(rd);
    p.chunk_loaded = flags & 1;
    p.chunk_has_event = (flags >> 1) & 1;
    p.at_end = (flags >> 2) & 1;
    Bus *bus = r->machine.bus;
    uint64_t pages = bus->ram_size >> BUS_PAGE_SHIFT;
    uint64_t dirty = state_get_varint(rd);
    if (rd->failed || !last_bytes || dirty > pages) {
        message_format(err, err_len, "replay position: record truncated or damaged");
        return false;
    }
    /* Check the page list before changing anything. */
    size_t list_start = rd->pos;
    uint64_t page = 0;
    for (uint64_t i = 0; i < dirty; i++) {
        uint64_t delta = state_get_varint(rd);
        if (rd->failed || (i > 0 && delta == 0) || delta >= pages - page) {
            message_format(err, err_len, "replay position: bad RAM page list");
            return false;
        }
        page += delta;
    }
    if (!position_seek(r, &p, sync_count, next_sync, bias, err, err_len))
        return false;
    r->events_delivered = delivered;
    r->have_last = have_last;
    r->last_kind = last_kind;
    r->last_channel = last_channel;
    r->last_len = last_len;
    r->last_icount = last_icount;
    r->last_value = last_value;
    memcpy(r->last_bytes, last_bytes, sizeof(r->last_bytes));
    bus_clear_dirty(bus);
    rd->pos = list_start;
    page = 0;
    for (uint64_t i = 0; i < dirty; i++) {
        page += state_get_varint(rd);
        bus->page_flags[page] |= BUS_PAGE_DIRTY;
    }
    for (int i = 0; i < r->machine.hart_count; i++)
        hart_flush_write_tlb(r->machine.harts[i], UINT64_MAX);
    return true;
}
