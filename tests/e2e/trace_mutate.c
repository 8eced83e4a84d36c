/* trace_mutate IN OUT SEED: copies a deja trace with a few seeded
 * mutations of its events and header, re-framed validly (checksums and
 * compression right), so that what reaches the replay engine is damaged
 * content, not a checksum error. Used by tests/e2e/replay_fuzz.sh; built
 * on the host against src/replay/trace.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/trace.h"

typedef struct Event {
    uint64_t icount;
    uint32_t kind, channel, len;
    uint8_t *payload;
} Event;

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: any fixed generator will do, the seed makes it repeatable */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t pick(uint64_t n) { return n ? rng() % n : 0; }

static void mutate_header(TraceHeader *h)
{
    static const char *const intervals[] = { "0", "1", "abc", "18446744073709551615",
                                             "9223372036854775809", "" };
    switch (pick(3)) {
    case 0:
        trace_header_set_str(h, "sync-interval", intervals[pick(6)]);
        break;
    case 1: /* a value byte flipped (a hash, the machine, the ram size...) */
        if (h->count > 0) {
            TraceHeaderEntry *e = &h->entries[pick((uint64_t)h->count)];
            if (e->len)
                e->value[pick(e->len)] ^= (uint8_t)(1u << pick(8));
        }
        break;
    default: /* an entry removed */
        if (h->count > 0) {
            int i = (int)pick((uint64_t)h->count);
            memmove(&h->entries[i], &h->entries[i + 1],
                    (size_t)(h->count - i - 1) * sizeof(h->entries[0]));
            h->count--;
        }
        break;
    }
}

static void mutate_event(Event *ev, int n, int i)
{
    Event *e = &ev[i];
    switch (pick(7)) {
    case 0:
        e->kind = 1 + (uint32_t)pick(9); /* known kinds and unknown ones */
        break;
    case 1: {
        static const uint32_t channels[] = { 1, 2, 7, 1000, UINT32_MAX };
        e->channel = channels[pick(5)];
        break;
    }
    case 2: /* payload cut short */
        e->len = (uint32_t)pick(e->len + 1u);
        break;
    case 3: { /* payload grown with random bytes */
        uint32_t extra = 1 + (uint32_t)pick(300);
        e->payload = realloc(e->payload, e->len + extra);
        for (uint32_t k = 0; k < extra; k++)
            e->payload[e->len + k] = (uint8_t)rng();
        e->len += extra;
        break;
    }
    case 4: /* bit flips in the payload */
        for (int k = 0; k < 4 && e->len; k++)
            e->payload[pick(e->len)] ^= (uint8_t)(1u << pick(8));
        break;
    case 5: { /* moved within its neighbours (icounts must not decrease) */
        uint64_t lo = i > 0 ? ev[i - 1].icount : 0;
        uint64_t hi = i + 1 < n ? ev[i + 1].icount : e->icount + 100000;
        e->icount = lo + pick(hi - lo + 1);
        break;
    }
    default: /* a huge varint value (warp, host time, request) */
        if (e->len >= 1) {
            uint8_t buf[TRACE_VARINT_MAX];
            size_t k = trace_varint_put(buf, rng() | (1ull << 63));
            if (k > e->len)
                e->payload = realloc(e->payload, k);
            memcpy(e->payload, buf, k);
            if (e->kind != TRACE_EV_SYNC && e->kind != TRACE_EV_END)
                e->len = (uint32_t)k;
        }
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: trace_mutate IN OUT SEED\n");
        return 2;
    }
    rng_state = strtoull(argv[3], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
    char err[256];
    TraceReader *r = trace_reader_open(argv[1], err, sizeof(err));
    if (!r) {
        fprintf(stderr, "trace_mutate: %s: %s\n", argv[1], err);
        return 2;
    }
    TraceHeader header = *trace_reader_header(r);
    int n = 0, cap = 0;
    Event *ev = NULL;
    TraceEvent e;
    while (trace_reader_next(r, &e) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            ev = realloc(ev, (size_t)cap * sizeof(*ev));
        }
        ev[n] = (Event){ e.icount, e.kind, e.channel, e.len, malloc(e.len + 1u) };
        memcpy(ev[n].payload, e.payload, e.len);
        n++;
    }
    trace_reader_close(r);

    int mutations = 1 + (int)pick(3);
    for (int m = 0; m < mutations; m++) {
        uint64_t what = pick(10);
        if (what == 0) {
            mutate_header(&header);
        } else if (what == 1 && n > 1) { /* an event dropped */
            int i = (int)pick((uint64_t)n);
            free(ev[i].payload);
            memmove(&ev[i], &ev[i + 1], (size_t)(n - i - 1) * sizeof(*ev));
            n--;
        } else if (what == 2 && n > 0 && n < cap) { /* an event repeated */
            int i = (int)pick((uint64_t)n);
            memmove(&ev[i + 1], &ev[i], (size_t)(n - i) * sizeof(*ev));
            ev[i + 1].payload = malloc(ev[i].len + 1u);
            memcpy(ev[i + 1].payload, ev[i].payload, ev[i].len);
            n++;
        } else if (n > 0) {
            mutate_event(ev, n, (int)pick((uint64_t)n));
        }
    }

    TraceWriter *w = trace_writer_open(argv[2], &header, err, sizeof(err));
    if (!w) {
        fprintf(stderr, "trace_mutate: %s: %s\n", argv[2], err);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        if (!trace_writer_event(w, ev[i].icount, ev[i].kind, ev[i].channel, ev[i].payload,
                                ev[i].len)) {
            fprintf(stderr, "trace_mutate: %s\n", trace_writer_error(w));
            return 2;
        }
        free(ev[i].payload);
    }
    free(ev);
    if (!trace_writer_close(w)) {
        fprintf(stderr, "trace_mutate: cannot write %s\n", argv[2]);
        return 2;
    }
    return 0;
}
