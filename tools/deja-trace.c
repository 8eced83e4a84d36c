/* deja-trace: inspect, check and compare deja replay traces.
 *
 *   deja-trace info FILE
 *   deja-trace dump FILE [--kind NAME|NUM]... [--from ICOUNT] [--to ICOUNT]
 *   deja-trace verify FILE
 *   deja-trace diff A B
 *
 * Exit status: 0 success (verify: sound and complete; diff: identical),
 * 1 a problem found in the trace (or a difference), 2 usage error or a
 * file that cannot be opened. docs/trace-format.md describes the file. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "replay/trace.h"

#define EXIT_FOUND 1
#define EXIT_USAGE 2
#define RENDER_MAX 512

static const char usage_text[] =
    "usage: deja-trace COMMAND [ARGS]\n"
    "\n"
    "Inspect deja record/replay traces (the rrfile= of a recording).\n"
    "\n"
    "commands:\n"
    "  info FILE        format version, header (configuration, image hashes),\n"
    "                   events by kind and channel, instruction range, virtual\n"
    "                   time, END record, chunk and compression statistics\n"
    "  dump FILE [--kind NAME|NUM]... [--from ICOUNT] [--to ICOUNT]\n"
    "                   one line per event: number, instruction count, kind,\n"
    "                   channel, payload length and a short rendering;\n"
    "                   --kind may be repeated; --from/--to are inclusive\n"
    "  verify FILE      read the whole trace; exit 0 if it is sound and ends\n"
    "                   with an END record, else say what is wrong and exit 1\n"
    "  diff A B         compare headers and events; print the first differing\n"
    "                   event and exit 1, or exit 0 if the traces are identical\n"
    "\n"
    "Event numbers count from 1 in file order. Kinds: SERIAL_INPUT (1),\n"
    "HOST_TIME (2), RANDOM (3), HOST_REQUEST (4), WARP (5), SYNC (6), END (7).\n"
    "Exit status: 0 ok, 1 problem or difference found, 2 usage or open error.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "deja-trace: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'deja-trace --help'.\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* ---- rendering ---- */

typedef struct Text {
    char buf[RENDER_MAX];
    size_t len;
} Text;

static void text_add(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(Text *t, const char *fmt, ...)
{
    if (t->len >= sizeof(t->buf) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof(t->buf) - t->len ? (size_t)n : sizeof(t->buf) - 1 - t->len;
}

static void text_hex(Text *t, const uint8_t *p, size_t len, size_t max)
{
    for (size_t i = 0; i < len && i < max; i++)
        text_add(t, "%02x", p[i]);
    if (len > max)
        text_add(t, "...");
}

static void text_escaped(Text *t, const uint8_t *p, size_t len, size_t max)
{
    text_add(t, "\"");
    for (size_t i = 0; i < len && i < max; i++) {
        uint8_t c = p[i];
        switch (c) {
        case '\n':
            text_add(t, "\\n");
            break;
        case '\r':
            text_add(t, "\\r");
            break;
        case '\t':
            text_add(t, "\\t");
            break;
        case '\\':
            text_add(t, "\\\\");
            break;
        case '"':
            text_add(t, "\\\"");
            break;
        default:
            if (c >= 0x20 && c < 0x7f)
                text_add(t, "%c", c);
            else
                text_add(t, "\\x%02x", c);
        }
    }
    text_add(t, "\"");
    if (len > max)
        text_add(t, "...");
}

static const char *host_request_name(uint64_t request)
{
    switch (request) {
    case TRACE_REQ_QUIT:
        return "QUIT";
    case TRACE_REQ_RESET:
        return "RESET";
    case TRACE_REQ_POWERDOWN:
        return "POWERDOWN";
    case TRACE_REQ_SIGINT:
        return "SIGINT";
    case TRACE_REQ_SIGTERM:
        return "SIGTERM";
    default:
        return "UNKNOWN";
    }
}

/* Payload of an event whose payload is one varint; false if it is not. */
static bool payload_varint(const TraceEvent *ev, uint64_t *value)
{
    return ev->len > 0 && trace_varint_get(ev->payload, ev->len, value) == ev->len;
}

static void render_payload(Text *t, const TraceEvent *ev)
{
    uint64_t v;
    switch (ev->kind) {
    case TRACE_EV_SERIAL_INPUT:
        text_escaped(t, ev->payload, ev->len, 64);
        return;
    case TRACE_EV_HOST_TIME:
        if (payload_varint(ev, &v)) {
            text_add(t, "%" PRIu64 " ns", v);
            return;
        }
        break;
    case TRACE_EV_WARP:
        if (payload_varint(ev, &v)) {
            text_add(t, "+%" PRIu64 " ns", v);
            return;
        }
        break;
    case TRACE_EV_HOST_REQUEST:
        if (payload_varint(ev, &v)) {
            text_add(t, "%s (%" PRIu64 ")", host_request_name(v), v);
            return;
        }
        break;
    case TRACE_EV_END: {
        size_t n = trace_varint_get(ev->payload, ev->len, &v);
        if (n > 0) {
            text_add(t, "exit status %" PRIu64, v);
            if (ev->len > n) {
                text_add(t, ", digest ");
                text_hex(t, ev->payload + n, ev->len - n, 16);
            }
            return;
        }
        break;
    }
    case TRACE_EV_INPUT: /* "type:code:value" per evdev event, at most 8 */
        if (ev->len && ev->len % 8 == 0) {
            for (uint32_t i = 0; i < ev->len / 8 && i < 8; i++) {
                const uint8_t *p = ev->payload + 8 * i;
                int32_t value = (int32_t)((uint32_t)p[4] | (uint32_t)p[5] << 8 |
                                          (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24);
                text_add(t, "%s%u:%u:%" PRId32, i ? " " : "", p[0] | p[1] << 8,
                         p[2] | p[3] << 8, value);
            }
            if (ev->len / 8 > 8)
                text_add(t, " ...");
            return;
        }
        break;
    default:
        if (ev->len)
            text_hex(t, ev->payload, ev->len, 16);
        return;
    }
    text_add(t, "malformed payload ");
    text_hex(t, ev->payload, ev->len, 16);
}

/* "WARP", or "UNKNOWN(99)" for kinds this build does not know. */
static const char *kind_label(uint32_t kind)
{
    static char buf[32];
    const char *name = trace_event_kind_name(kind);
    if (strcmp(name, "UNKNOWN") != 0)
        return name;
    snprintf(buf, sizeof(buf), "UNKNOWN(%" PRIu32 ")", kind);
    return buf;
}

/* Why a known kind's payload does not have its documented shape, or NULL. */
static const char *payload_problem(const TraceEvent *ev)
{
    uint64_t v;
    switch (ev->kind) {
    case TRACE_EV_HOST_TIME:
    case TRACE_EV_WARP:
    case TRACE_EV_HOST_REQUEST:
        return payload_varint(ev, &v) ? NULL : "payload is not exactly one varint";
    case TRACE_EV_END:
        return trace_varint_get(ev->payload, ev->len, &v) ? NULL
                                                          : "payload does not start with a "
                                                            "varint exit status";
    default:
        return NULL;
    }
}

static void render_event(Text *t, uint64_t number, const TraceEvent *ev)
{
    t->len = 0;
    t->buf[0] = 0;
    text_add(t, "%" PRIu64 " icount=%" PRIu64 " %s", number, ev->icount, kind_label(ev->kind));
    text_add(t, " ch=%" PRIu32 " len=%" PRIu32, ev->channel, ev->len);
    if (ev->len || ev->kind == TRACE_EV_SERIAL_INPUT) {
        text_add(t, " ");
        render_payload(t, ev);
    }
}

static bool value_is_text(const TraceHeaderEntry *e)
{
    if (strncmp(e->key, "hash:", 5) == 0)
        return false;
    for (uint32_t i = 0; i < e->len; i++)
        if (e->value[i] < 0x20 || e->value[i] >= 0x7f)
            return false;
    return true;
}

static void render_header_value(Text *t, const TraceHeaderEntry *e)
{
    t->len = 0;
    t->buf[0] = 0;
    if (value_is_text(e))
        text_add(t, "%.*s", (int)e->len, (const char *)e->value);
    else
        text_hex(t, e->value, e->len, 256);
}

/* ---- opening ---- */

static TraceReader *open_trace(const char *path)
{
    char err[512];
    TraceReader *r = trace_reader_open(path, err, sizeof(err));
    if (!r)
        fprintf(stderr, "deja-trace: %s: %s\n", path, err);
    return r;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* NAME (any case, '-' or '_') or number; 0 if unknown. */
static uint32_t parse_kind(const char *s)
{
    uint64_t n;
    if (parse_u64(s, &n))
        return n > 0 && n <= UINT32_MAX ? (uint32_t)n : 0;
    char name[32];
    size_t len = strlen(s);
    if (len >= sizeof(name))
        return 0;
    for (size_t i = 0; i <= len; i++)
        name[i] = s[i] == '-' ? '_' : (char)toupper((unsigned char)s[i]);
    for (uint32_t k = 1; k < TRACE_EV_KIND_COUNT; k++)
        if (strcmp(name, trace_event_kind_name(k)) == 0)
            return k;
    return 0;
}

/* ---- info ---- */

typedef struct KindChannelCount {
    uint32_t kind, channel;
    uint64_t events, bytes;
} KindChannelCount;

static int compare_counts(const void *pa, const void *pb)
{
    const KindChannelCount *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->channel < b->channel ? -1 : a->channel > b->channel;
}

static int cmd_info(const char *path)
{
    TraceReader *r = open_trace(path);
    if (!r)
        return EXIT_USAGE;
    const TraceHeader *h = trace_reader_header(r);
    struct stat st;
    printf("file:          %s", path);
    if (stat(path, &st) == 0)
        printf(" (%lld bytes)", (long long)st.st_size);
    printf("\nformat:        version %" PRIu32 "\n", h->version);
    printf("header:        %d entries\n", h->count);
    int key_width = 0;
    for (int i = 0; i < h->count; i++)
        if ((int)strlen(h->entries[i].key) > key_width)
            key_width = (int)strlen(h->entries[i].key);
    Text t;
    for (int i = 0; i < h->count; i++) {
        render_header_value(&t, &h->entries[i]);
        printf("  %-*s  %s\n", key_width, h->entries[i].key, t.buf);
    }

    KindChannelCount *counts = NULL;
    size_t count_len = 0, count_cap = 0;
    uint64_t events = 0, first = 0, last = 0, warp_ns = 0;
    bool have_end = false, events_after_end = false, bad_warp = false;
    uint64_t end_status = 0, end_icount = 0;
    TraceEvent ev;
    int rc;
    while ((rc = trace_reader_next(r, &ev)) == 1) {
        if (events == 0)
            first = ev.icount;
        last = ev.icount;
        events++;
        if (have_end)
            events_after_end = true;
        size_t i;
        for (i = 0; i < count_len; i++)
            if (counts[i].kind == ev.kind && counts[i].channel == ev.channel)
                break;
        if (i == count_len) {
            if (count_len == count_cap) {
                count_cap = count_cap ? 2 * count_cap : 16;
                KindChannelCount *p = realloc(counts, count_cap * sizeof(*p));
                if (!p) {
                    fprintf(stderr, "deja-trace: out of memory\n");
                    exit(EXIT_USAGE);
                }
                counts = p;
            }
            counts[count_len++] = (KindChannelCount){ ev.kind, ev.channel, 0, 0 };
        }
        counts[i].events++;
        counts[i].bytes += ev.len;
        uint64_t v;
        if (ev.kind == TRACE_EV_WARP) {
            if (payload_varint(&ev, &v) && v <= UINT64_MAX - warp_ns)
                warp_ns += v;
            else
                bad_warp = true;
        }
        if (ev.kind == TRACE_EV_END) {
            have_end = true;
            end_icount = ev.icount;
            end_status = 0;
            trace_varint_get(ev.payload, ev.len, &end_status);
        }
    }

    printf("events:        %" PRIu64 "\n", events);
    qsort(counts, count_len, sizeof(*counts), compare_counts);
    for (size_t i = 0; i < count_len; i++)
        printf("  %-13s ch %-3" PRIu32 " %10" PRIu64 " events %12" PRIu64 " payload bytes\n",
               kind_label(counts[i].kind), counts[i].channel, counts[i].events, counts[i].bytes);
    if (events) {
        printf("icount:        first %" PRIu64 ", last %" PRIu64 " (duration %" PRIu64
               " instructions)\n",
               first, last, last);
    }
    const TraceHeaderEntry *shift_entry = trace_header_get(h, "icount-shift");
    uint64_t shift;
    char shift_text[32] = "";
    if (shift_entry && shift_entry->len < sizeof(shift_text))
        memcpy(shift_text, shift_entry->value, shift_entry->len);
    if (shift_entry && parse_u64(shift_text, &shift) && shift < 64) {
        /* DESIGN.md / clock.h: virtual ns = (icount << shift) + warps. */
        unsigned __int128 ns = ((unsigned __int128)last << shift) + warp_ns;
        printf("virtual time:  %.9f s (icount-shift %" PRIu64 ", warps %" PRIu64 " ns%s)\n",
               (double)ns / 1e9, shift, warp_ns, bad_warp ? ", some WARP payloads malformed" : "");
    } else {
        printf("virtual time:  unknown (no icount-shift in the header); warps %" PRIu64 " ns\n",
               warp_ns);
    }
    if (rc < 0)
        printf("error:         %s\n", trace_reader_error(r));
    if (have_end)
        printf("end:           END at instruction %" PRIu64 ", exit status %" PRIu64 "%s\n",
               end_icount, end_status, events_after_end ? " (events follow it!)" : "");
    else if (trace_reader_truncated(r))
        printf("end:           no END record: truncated after chunk %" PRIu64
               " at instruction %" PRIu64 " (recording was interrupted)\n",
               trace_reader_chunk_count(r) - 1, trace_reader_last_icount(r));
    else
        printf("end:           no END record (the recorder did not close the trace)\n");
    uint64_t raw = trace_reader_raw_bytes(r), stored = trace_reader_stored_bytes(r);
    printf("chunks:        %" PRIu64 " (1 header, %" PRIu64 " events)\n",
           trace_reader_chunk_count(r), trace_reader_chunk_count(r) - 1);
    printf("payload bytes: %" PRIu64 " raw, %" PRIu64 " stored", raw, stored);
    if (stored)
        printf(" (compression ratio %.2f)", (double)raw / (double)stored);
    printf("\n");
    free(counts);
    trace_reader_close(r);
    return rc < 0 ? EXIT_FOUND : 0;
}

/* ---- dump ---- */

static int cmd_dump(int argc, char **argv)
{
    const char *path = NULL;
    uint64_t from = 0, to = UINT64_MAX;
    uint32_t kinds[64];
    int kind_count = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--kind") || !strcmp(a, "--from") || !strcmp(a, "--to")) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--kind")) {
                uint32_t k = parse_kind(v);
                if (!k)
                    return usage_error("unknown event kind '%s' (a name such as SERIAL_INPUT, "
                                       "or a number)",
                                       v);
                if (kind_count == (int)(sizeof(kinds) / sizeof(kinds[0])))
                    return usage_error("too many --kind options");
                kinds[kind_count++] = k;
            } else if (!parse_u64(v, !strcmp(a, "--from") ? &from : &to)) {
                return usage_error("'%s' is not an instruction count", v);
            }
        } else if (a[0] == '-' && a[1]) {
            return usage_error("dump: unknown option '%s'", a);
        } else if (path) {
            return usage_error("dump: unexpected argument '%s'", a);
        } else {
            path = a;
        }
    }
    if (!path)
        return usage_error("dump needs a trace FILE");
    TraceReader *r = open_trace(path);
    if (!r)
        return EXIT_USAGE;
    TraceEvent ev;
    Text t;
    int rc;
    while ((rc = trace_reader_next(r, &ev)) == 1) {
        if (ev.icount > to)
            break;
        if (ev.icount < from)
            continue;
        bool wanted = kind_count == 0;
        for (int k = 0; k < kind_count && !wanted; k++)
            wanted = kinds[k] == ev.kind;
        if (!wanted)
            continue;
        render_event(&t, trace_reader_event_count(r), &ev);
        if (printf("%s\n", t.buf) < 0)
            break; /* e.g. a closed pipe */
    }
    int status = 0;
    if (rc < 0) {
        fprintf(stderr, "deja-trace: %s: %s\n", path, trace_reader_error(r));
        status = EXIT_FOUND;
    } else if (rc == 0 && trace_reader_truncated(r)) {
        fprintf(stderr,
                "deja-trace: %s: truncated after chunk %" PRIu64 " at instruction %" PRIu64
                " (recording was interrupted)\n",
                path, trace_reader_chunk_count(r) - 1, trace_reader_last_icount(r));
    }
    trace_reader_close(r);
    return status;
}

/* ---- verify ---- */

static int cmd_verify(const char *path)
{
    TraceReader *r = open_trace(path);
    if (!r)
        return EXIT_FOUND;
    TraceEvent ev;
    int rc;
    bool have_end = false;
    uint64_t end_status = 0, end_number = 0, after_end = 0, events = 0;
    while ((rc = trace_reader_next(r, &ev)) == 1) {
        events++;
        if (have_end)
            after_end++;
        const char *problem = payload_problem(&ev);
        if (problem) {
            Text t;
            render_event(&t, events, &ev);
            printf("%s: event %" PRIu64 " (%s): %s\n", path, events, kind_label(ev.kind), problem);
            printf("  %s\n", t.buf);
            trace_reader_close(r);
            return EXIT_FOUND;
        }
        if (ev.kind == TRACE_EV_END && !have_end) {
            have_end = true;
            end_number = events;
            trace_varint_get(ev.payload, ev.len, &end_status);
        }
    }
    int status = EXIT_FOUND;
    if (rc < 0)
        printf("%s: %s\n", path, trace_reader_error(r));
    else if (trace_reader_truncated(r))
        printf("%s: truncated after chunk %" PRIu64 " at instruction %" PRIu64
               " (recording was interrupted)\n",
               path, trace_reader_chunk_count(r) - 1, trace_reader_last_icount(r));
    else if (!have_end)
        printf("%s: no END record after %" PRIu64 " events (the recorder did not close the "
               "trace)\n",
               path, events);
    else if (after_end)
        printf("%s: %" PRIu64 " events after the END record (event %" PRIu64 ")\n", path, after_end,
               end_number);
    else {
        printf("%s: OK: %" PRIu64 " events in %" PRIu64 " chunks, END at instruction %" PRIu64
               " with exit status %" PRIu64 "\n",
               path, events, trace_reader_chunk_count(r), trace_reader_last_icount(r), end_status);
        status = 0;
    }
    trace_reader_close(r);
    return status;
}

/* ---- diff ---- */

static bool header_entries_equal(const TraceHeaderEntry *a, const TraceHeaderEntry *b)
{
    return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

static bool diff_headers(const TraceHeader *a, const TraceHeader *b)
{
    bool differ = false;
    Text ta, tb;
    for (int i = 0; i < a->count; i++) {
        const TraceHeaderEntry *ea = &a->entries[i];
        const TraceHeaderEntry *eb = trace_header_get(b, ea->key);
        render_header_value(&ta, ea);
        if (!eb) {
            printf("header %s: only in A (%s)\n", ea->key, ta.buf);
            differ = true;
        } else if (!header_entries_equal(ea, eb)) {
            render_header_value(&tb, eb);
            printf("header %s differs:\n  A: %s\n  B: %s\n", ea->key, ta.buf, tb.buf);
            differ = true;
        }
    }
    for (int i = 0; i < b->count; i++) {
        if (!trace_header_get(a, b->entries[i].key)) {
            render_header_value(&tb, &b->entries[i]);
            printf("header %s: only in B (%s)\n", b->entries[i].key, tb.buf);
            differ = true;
        }
    }
    return differ;
}

static bool events_equal(const TraceEvent *a, const TraceEvent *b)
{
    return a->icount == b->icount && a->kind == b->kind && a->channel == b->channel &&
           a->len == b->len && memcmp(a->payload, b->payload, a->len) == 0;
}

static int cmd_diff(const char *path_a, const char *path_b)
{
    TraceReader *a = open_trace(path_a);
    if (!a)
        return EXIT_USAGE;
    TraceReader *b = open_trace(path_b);
    if (!b) {
        trace_reader_close(a);
        return EXIT_USAGE;
    }
    bool differ = diff_headers(trace_reader_header(a), trace_reader_header(b));
    TraceEvent ea, eb;
    Text ta, tb;
    int status = 0;
    for (uint64_t number = 1;; number++) {
        int ra = trace_reader_next(a, &ea);
        /* ea.payload stays valid across b's read: separate readers. */
        int rb = trace_reader_next(b, &eb);
        if (ra < 0 || rb < 0) {
            if (ra < 0)
                fprintf(stderr, "deja-trace: %s: %s\n", path_a, trace_reader_error(a));
            if (rb < 0)
                fprintf(stderr, "deja-trace: %s: %s\n", path_b, trace_reader_error(b));
            status = EXIT_USAGE;
            break;
        }
        if (ra == 0 && rb == 0)
            break;
        if (ra == 1 && rb == 1 && events_equal(&ea, &eb))
            continue;
        printf("first difference at event %" PRIu64 ":\n", number);
        if (ra == 1) {
            render_event(&ta, number, &ea);
            printf("  A: %s\n", ta.buf);
        } else {
            printf("  A: (ends after %" PRIu64 " events%s)\n", number - 1,
                   trace_reader_truncated(a) ? ", truncated" : "");
        }
        if (rb == 1) {
            render_event(&tb, number, &eb);
            printf("  B: %s\n", tb.buf);
        } else {
            printf("  B: (ends after %" PRIu64 " events%s)\n", number - 1,
                   trace_reader_truncated(b) ? ", truncated" : "");
        }
        differ = true;
        break;
    }
    if (status == 0 && !differ && trace_reader_truncated(a) != trace_reader_truncated(b)) {
        printf("same events, but %s is truncated\n", trace_reader_truncated(a) ? "A" : "B");
        differ = true;
    }
    trace_reader_close(a);
    trace_reader_close(b);
    if (status)
        return status;
    return differ ? EXIT_FOUND : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command (info, dump, verify or diff)");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
    }
    if (!strcmp(cmd, "info") || !strcmp(cmd, "verify")) {
        if (argc != 3)
            return usage_error("%s takes exactly one trace FILE", cmd);
        return !strcmp(cmd, "info") ? cmd_info(argv[2]) : cmd_verify(argv[2]);
    }
    if (!strcmp(cmd, "dump"))
        return cmd_dump(argc - 2, argv + 2);
    if (!strcmp(cmd, "diff")) {
        if (argc != 4)
            return usage_error("diff takes two trace files");
        return cmd_diff(argv[2], argv[3]);
    }
    return usage_error("unknown command '%s' (info, dump, verify or diff)", cmd);
}
