/* Time travel in a replay (virt_seek.h, docs/replay.md "Seeking").
 *
 * Checkpoints. virt_seek_tick runs at the top of every scheduler round in
 * replay mode, before replay_round. It takes checkpoint 0 at the first
 * round (core state and every non-zero RAM page), then one at the first
 * round at least `interval` (2^22) instructions after the previous one
 * (with an interval of at least the sync interval: at sync rounds only). A
 * checkpoint holds the core state (virt_state_save_core: harts, devices,
 * clock, overlays, replay position) and a copy of each RAM page written
 * since the previous checkpoint whose bytes changed.
 *
 * Dirty tracking without touching the store fast path: the bus's dirty
 * bits (set on the first write to a page after each sync point, then
 * fast-path stores) are cleared by replay_round at every sync point. So at
 * every sync round, just before replay_round clears them, the tick ORs
 * them into `written` (pages written since the base checkpoint). Pages
 * written since the previous checkpoint are then a subset of written |
 * the bus's dirty bits (exactly that at sync rounds); the extra pages are
 * compared with their last version and skipped when equal.
 *
 * Page versions. For each RAM page, a list of (checkpoint sequence,
 * bytes) sorted by sequence; the page's content at checkpoint k is the
 * last version at or before k (none: zero). The RAM as it is equals, page
 * by page, the content at checkpoint `base` except for the pages in
 * `written` and the bus's dirty bits. Restoring checkpoint j rewrites
 * exactly the pages that differ: written ones, and those whose version at
 * j is not their version at base. Cost: one pass over the page table plus
 * the pages copied: bounded by the RAM size, not the trace length.
 *
 * Replaying forward through an existing checkpoint (after a backward
 * seek) meets it at the same round (the schedule is a function of the
 * state; a replay_break pause adds no round boundary), where the tick
 * moves `base` to it instead of taking a new one.
 *
 * Memory: checkpoints are thinned when their total size passes a budget
 * (DEJA_CHECKPOINT_MB, default max(256 MiB, 2 x RAM)): the checkpoint whose
 * removal leaves the smallest gap between its neighbours goes (never the
 * first or the last); its page versions move to the next checkpoint when
 * that one has none of its own for the page.
 *
 * Seeking. virt_seek (the monitor command, gdb) either just arms a
 * replay_break when the target is ahead and no checkpoint lies between
 * (the straight replay path), or marks a seek pending: the board leaves
 * the current slice at once (virt.c checks virt_seek_pending), and at the
 * top of the next round virt_seek_tick restores the last checkpoint
 * before the target and arms replay_break at the target; the replay runs
 * there and pauses exactly like a replay_break in a straight replay (same
 * slice, same schedule), so the state is the straight replay's. */
#include "board/virt_seek.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "board/virt.h"
#include "board/virt_snapshot.h"
#include "board/virt_state.h"
#include "snapshot/hart_state.h"
#include "snapshot/snapfile.h"
#include "snapshot/state.h"

#define SEEK_DEFAULT_INTERVAL (1ull << 22)
#define SEEK_MIN_BUDGET (256ull << 20)

typedef struct PageVersion {
    uint32_t seq;
    uint8_t *data; /* NULL: a zero page */
} PageVersion;

typedef struct PageVersions {
    PageVersion *v;
    uint32_t count, cap;
} PageVersions;

typedef struct Checkpoint {
    uint64_t icount;
    uint32_t seq;
    uint8_t *core;
    size_t core_len;
    uint32_t *pages; /* pages with a version of this checkpoint */
    uint32_t page_count, page_cap;
} Checkpoint;

typedef struct VirtSeek {
    Checkpoint *ck;
    int count, cap;
    uint32_t next_seq;
    PageVersions *pv; /* per RAM page */
    uint8_t *written; /* per RAM page: written since ck[base] */
    uint64_t pages;
    int base; /* -1: none */
    uint64_t interval;
    uint64_t budget, used;
    bool failed; /* out of memory once: checkpoints off */
    char failure[160];

    bool pending; /* unwind to the round boundary, then restore */
    bool running; /* replay runs to target (replay_break) */
    uint64_t target;

    bool end_known;
    uint64_t end_icount;
    bool end_is_end; /* an END record (else: the last event of a cut trace) */

    StateWriter w;
    /* statistics (info replay) */
    uint64_t seeks, thinned;
    uint64_t last_restore_ns, last_pages_copied;
    uint64_t start_wall_ns, start_cpu_ns, replay_from;
    uint64_t last_wall_ns, last_cpu_ns, last_replayed; /* of the last seek that landed */
} VirtSeek;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void seek_landed(VirtMachine *m, VirtSeek *s)
{
    s->running = false;
    s->last_wall_ns = now_ns() - s->start_wall_ns;
    s->last_cpu_ns = cpu_ns() - s->start_cpu_ns;
    s->last_replayed = m->clock.machine_icount - s->replay_from;
}

static VirtSeek *seek_get(VirtMachine *m)
{
    if (m->seek)
        return m->seek;
    VirtSeek *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->pages = m->bus.ram_size >> BUS_PAGE_SHIFT;
    s->pv = calloc(s->pages ? s->pages : 1, sizeof(*s->pv));
    s->written = calloc(s->pages ? s->pages : 1, 1);
    if (!s->pv || !s->written) {
        free(s->pv);
        free(s->written);
        free(s);
        return NULL;
    }
    s->base = -1;
    s->interval = SEEK_DEFAULT_INTERVAL;
    const char *e = getenv("DEJA_CHECKPOINT_INTERVAL");
    if (e && *e) {
        unsigned long long v = strtoull(e, NULL, 0);
        if (v)
            s->interval = v;
    }
    s->budget = 2 * m->bus.ram_size > SEEK_MIN_BUDGET ? 2 * m->bus.ram_size : SEEK_MIN_BUDGET;
    e = getenv("DEJA_CHECKPOINT_MB");
    if (e && *e) {
        unsigned long long v = strtoull(e, NULL, 0);
        if (v)
            s->budget = (uint64_t)v << 20;
    }
    state_writer_init(&s->w);
    m->seek = s;
    return s;
}

/* The version of page p at checkpoint sequence seq (NULL: none, zero). */
static PageVersion *version_at(VirtSeek *s, uint64_t p, uint32_t seq)
{
    PageVersions *l = &s->pv[p];
    if (l->count == 0 || l->v[0].seq > seq)
        return NULL;
    uint32_t lo = 0, hi = l->count; /* last index with seq <= target in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (l->v[mid].seq <= seq)
            lo = mid;
        else
            hi = mid;
    }
    return &l->v[lo];
}

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < BUS_PAGE_SIZE / 8; i++)
        if (w[i])
            return false;
    return true;
}

static void forget_all(VirtSeek *s)
{
    for (int i = 0; i < s->count; i++) {
        free(s->ck[i].core);
        free(s->ck[i].pages);
    }
    s->count = 0;
    for (uint64_t p = 0; p < s->pages; p++) {
        for (uint32_t i = 0; i < s->pv[p].count; i++)
            free(s->pv[p].v[i].data);
        free(s->pv[p].v);
        s->pv[p] = (PageVersions){ 0 };
    }
    memset(s->written, 0, s->pages);
    s->base = -1;
    s->used = 0;
}

static void seek_fail(VirtSeek *s, const char *what)
{
    snprintf(s->failure, sizeof(s->failure), "%s", what);
    s->failed = true;
    forget_all(s);
}

/* Appends a version of page p for checkpoint c (the newest). */
static bool add_version(VirtSeek *s, Checkpoint *c, uint64_t p, const uint8_t *bytes)
{
    PageVersions *l = &s->pv[p];
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 2;
        PageVersion *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return false;
        l->v = v;
        l->cap = cap;
    }
    if (c->page_count == c->page_cap) {
        uint32_t cap = c->page_cap ? c->page_cap * 2 : 64;
        uint32_t *pages = realloc(c->pages, cap * sizeof(*pages));
        if (!pages)
            return false;
        c->pages = pages;
        c->page_cap = cap;
    }
    uint8_t *data = NULL;
    if (!page_is_zero(bytes)) {
        data = malloc(BUS_PAGE_SIZE);
        if (!data)
            return false;
        memcpy(data, bytes, BUS_PAGE_SIZE);
        s->used += BUS_PAGE_SIZE;
    }
    l->v[l->count++] = (PageVersion){ c->seq, data };
    c->pages[c->page_count++] = (uint32_t)p;
    s->used += sizeof(PageVersion) + sizeof(uint32_t);
    return true;
}

/* Drops checkpoint i (0 < i < count - 1): its page versions become the
 * next checkpoint's where that one has none for the page (the page was
 * not written in between, so its content there is the same). */
static void drop_checkpoint(VirtSeek *s, int i)
{
    Checkpoint *c = &s->ck[i], *next = &s->ck[i + 1];
    for (uint32_t k = 0; k < c->page_count; k++) {
        uint64_t p = c->pages[k];
        PageVersions *l = &s->pv[p];
        uint32_t at = 0;
        while (at < l->count && l->v[at].seq != c->seq)
            at++;
        if (at == l->count)
            continue;
        bool next_has = at + 1 < l->count && l->v[at + 1].seq == next->seq;
        if (next_has) {
            if (l->v[at].data)
                s->used -= BUS_PAGE_SIZE;
            free(l->v[at].data);
            memmove(&l->v[at], &l->v[at + 1], (l->count - at - 1) * sizeof(*l->v));
            l->count--;
            s->used -= sizeof(PageVersion) + sizeof(uint32_t);
        } else {
            l->v[at].seq = next->seq;
            if (next->page_count == next->page_cap) {
                uint32_t cap = next->page_cap ? next->page_cap * 2 : 64;
                uint32_t *pages = realloc(next->pages, cap * sizeof(*pages));
                if (!pages) {
                    seek_fail(s, "out of memory thinning checkpoints");
                    return;
                }
                next->pages = pages;
                next->page_cap = cap;
            }
            next->pages[next->page_count++] = (uint32_t)p;
        }
    }
    if (s->base == i) {
        /* The RAM was relative to i: relative to i - 1 now, with i's
         * pages possibly different. */
        for (uint32_t k = 0; k < c->page_count; k++)
            s->written[c->pages[k]] = 1;
        s->base = i - 1;
    } else if (s->base > i) {
        s->base--;
    }
    s->used -= c->core_len;
    free(c->core);
    free(c->pages);
    memmove(&s->ck[i], &s->ck[i + 1], (size_t)(s->count - i - 1) * sizeof(*s->ck));
    s->count--;
    s->thinned++;
}

static void enforce_budget(VirtSeek *s)
{
    while (!s->failed && s->used > s->budget && s->count > 2) {
        int best = 1;
        uint64_t best_gap = UINT64_MAX;
        for (int i = 1; i < s->count - 1; i++) {
            uint64_t gap = s->ck[i + 1].icount - s->ck[i - 1].icount;
            if (gap < best_gap) {
                best_gap = gap;
                best = i;
            }
        }
        drop_checkpoint(s, best);
    }
}

/* ORs the bus's dirty bits into written (8 pages a word at a time). */
static void harvest(VirtSeek *s, const Bus *bus)
{
    const uint8_t *f = bus->page_flags;
    uint64_t p = 0;
    for (; p + 8 <= s->pages; p += 8) {
        uint64_t w;
        memcpy(&w, f + p, 8);
        if (!(w & 0x0202020202020202ull))
            continue;
        for (int k = 0; k < 8; k++)
            if (f[p + k] & BUS_PAGE_DIRTY)
                s->written[p + k] = 1;
    }
    for (; p < s->pages; p++)
        if (f[p] & BUS_PAGE_DIRTY)
            s->written[p] = 1;
}

static void take_checkpoint(VirtMachine *m, VirtSeek *s)
{
    if (s->count == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        Checkpoint *ck = realloc(s->ck, (size_t)cap * sizeof(*ck));
        if (!ck) {
            seek_fail(s, "out of memory for checkpoints");
            return;
        }
        s->ck = ck;
        s->cap = cap;
    }
    Checkpoint *c = &s->ck[s->count];
    memset(c, 0, sizeof(*c));
    c->icount = m->clock.machine_icount;
    c->seq = s->next_seq++;
    state_writer_clear(&s->w);
    virt_state_save_core(m, &s->w);
    if (s->w.failed || !(c->core = malloc(s->w.len ? s->w.len : 1))) {
        seek_fail(s, "out of memory saving the machine state for a checkpoint");
        return;
    }
    memcpy(c->core, s->w.data, s->w.len);
    c->core_len = s->w.len;
    s->used += c->core_len + sizeof(*c);
    s->count++;
    const Bus *bus = &m->bus;
    bool first = s->base < 0;
    uint32_t base_seq = first ? 0 : s->ck[s->base].seq;
    for (uint64_t p = 0; p < s->pages; p++) {
        const uint8_t *bytes = bus->ram + (p << BUS_PAGE_SHIFT);
        if (first) {
            if (page_is_zero(bytes))
                continue;
        } else {
            if (!s->written[p] && !(bus->page_flags[p] & BUS_PAGE_DIRTY))
                continue;
            PageVersion *v = version_at(s, p, base_seq);
            if (v ? (v->data ? memcmp(v->data, bytes, BUS_PAGE_SIZE) == 0 : page_is_zero(bytes))
                  : page_is_zero(bytes))
                continue; /* written, but the same bytes */
        }
        if (!add_version(s, c, p, bytes)) {
            seek_fail(s, "out of memory copying RAM pages for a checkpoint");
            return;
        }
    }
    memset(s->written, 0, s->pages);
    s->base = s->count - 1;
    enforce_budget(s);
}

/* Restores checkpoint j: RAM pages that differ, then the core state. */
static bool restore_checkpoint(VirtMachine *m, VirtSeek *s, int j, char *err, size_t err_len)
{
    uint64_t t0 = now_ns();
    Checkpoint *c = &s->ck[j];
    Bus *bus = &m->bus;
    uint32_t base_seq = s->base >= 0 ? s->ck[s->base].seq : 0;
    bool have_base = s->base >= 0;
    uint64_t copied = 0;
    /* A page differs between checkpoints j and base iff it has a version
     * in (lo, hi]: usually decided by its first or last version alone. */
    uint32_t lo = c->seq < base_seq ? c->seq : base_seq;
    uint32_t hi = c->seq < base_seq ? base_seq : c->seq;
    for (uint64_t p = 0; p < s->pages; p++) {
        bool changed = s->written[p] || (bus->page_flags[p] & BUS_PAGE_DIRTY) || !have_base;
        const PageVersions *l = &s->pv[p];
        if (!changed && l->count && l->v[0].seq <= hi && l->v[l->count - 1].seq > lo) {
            PageVersion *at_hi = version_at(s, p, hi);
            changed = at_hi && at_hi->seq > lo;
        }
        if (!changed)
            continue;
        PageVersion *vj = l->count ? version_at(s, p, c->seq) : NULL;
        uint8_t *dst = bus->ram + (p << BUS_PAGE_SHIFT);
        if (vj && vj->data)
            memcpy(dst, vj->data, BUS_PAGE_SIZE);
        else
            memset(dst, 0, BUS_PAGE_SIZE);
        copied++;
    }
    uint64_t t_ram = now_ns();
    /* The pages now hold checkpoint j's bytes: decoded code is stale. */
    if (m->code_cache)
        code_cache_flush(m->code_cache);
    for (int i = 0; i < m->hart_count; i++)
        hart_flush_tlb(m->harts[i]);
    memset(s->written, 0, s->pages);
    s->base = j;
    StateReader r;
    state_reader_init(&r, c->core, c->core_len);
    char why[192] = "";
    if (!virt_state_load_core(m, &r, why, sizeof(why))) {
        snprintf(err, err_len, "cannot restore the checkpoint at instruction %" PRIu64 ": %s",
                 c->icount, why);
        /* RAM is checkpoint j's but the core state is not: nothing is
         * consistent any more, and the checkpoints cannot say otherwise. */
        return false;
    }
    m->stop = m->poweroff = m->reboot = false;
    m->replay_request = 0;
    s->last_restore_ns = now_ns() - t0;
    if (getenv("DEJA_SEEK_DEBUG"))
        fprintf(stderr, "deja: seek: restore %.3f ms (RAM %.3f ms, %" PRIu64 " pages)\n",
                (double)s->last_restore_ns / 1e6, (double)(t_ram - t0) / 1e6, copied);
    s->last_pages_copied = copied;
    return true;
}

/* The instruction count where the trace ends (END record, or the last
 * event of a cut trace): read once, with a reader of its own. */
static bool find_end(VirtMachine *m, VirtSeek *s, char *err, size_t err_len)
{
    if (s->end_known)
        return true;
    char why[256] = "";
    TraceReader *r = trace_reader_open(m->config.replay.path, why, sizeof(why));
    if (!r) {
        snprintf(err, err_len, "cannot read the trace: %s", why);
        return false;
    }
    /* The trace's counts are trace icounts; a seek target is a machine
     * icount. After a recorded loadvm they differ by the bias the LOADVM
     * sets: its trace icount minus the loaded snapshot's machine icount
     * (replay_rebase), the snapshot the replay loads there too. */
    TraceEvent ev;
    int rc;
    uint64_t end = 0, bias = 0;
    bool is_end = false, ok = true;
    while ((rc = trace_reader_next(r, &ev)) == 1) {
        end = ev.icount;
        is_end = ev.kind == TRACE_EV_END;
        if (ev.kind == TRACE_EV_LOADVM) {
            char name[128], dir[4096], path[4352];
            SnapInfo info;
            snprintf(name, sizeof(name), "%.*s", (int)(ev.len < 127 ? ev.len : 127),
                     (const char *)ev.payload);
            bool have_dir = virt_snapshot_dir(m, dir, sizeof(dir), why, sizeof(why));
            if (have_dir)
                snprintf(path, sizeof(path), "%s/%s.snap", dir, name);
            if (!have_dir || !snapfile_read_info(path, &info, why, sizeof(why))) {
                snprintf(err, err_len,
                         "the trace loads snapshot '%s' at instruction %" PRIu64
                         " (trace count), which cannot be read: %s",
                         name, ev.icount, why);
                ok = false;
                break;
            }
            bias = ev.icount - info.icount;
        }
    }
    trace_reader_close(r);
    if (!ok)
        return false;
    s->end_known = true;
    s->end_icount = end - bias;
    s->end_is_end = is_end;
    return true;
}

void virt_seek_tick(struct VirtMachine *m)
{
    VirtSeek *s = seek_get(m);
    if (!s)
        return;
    if (s->pending) {
        s->pending = false;
        uint64_t target = s->target;
        int j = -1;
        for (int i = 0; i < s->count; i++)
            if (s->ck[i].icount < target || (s->ck[i].icount == target && i == 0))
                j = i;
        char err[300];
        if (j < 0 || !restore_checkpoint(m, s, j, err, sizeof(err))) {
            if (j < 0)
                snprintf(err, sizeof(err), "no checkpoint before instruction %" PRIu64, target);
            fprintf(stderr, "deja: replay_seek: %s; the replay stops\n", err);
            m->replay_aborted = true;
            m->monitor_request = TRACE_REQ_QUIT;
            s->running = false;
            forget_all(s);
            return;
        }
        s->seeks++;
        s->replay_from = s->ck[j].icount;
        if (target == s->ck[j].icount) {
            m->replay_break = UINT64_MAX;
            m->paused = true;
            seek_landed(m, s);
        } else {
            m->replay_break = target;
            m->paused = false;
            s->running = true;
        }
        return;
    }
    if (s->failed)
        return;
    if (s->count == 0) {
        take_checkpoint(m, s);
        return;
    }
    uint64_t now = m->clock.machine_icount;
    bool sync_round = now >= replay_next_sync(m->replay);
    Checkpoint *next = s->base + 1 < s->count ? &s->ck[s->base + 1] : NULL;
    if (next && next->icount == now) {
        /* Replaying again through a checkpoint (the rounds fall at the same
         * counts): the RAM is its RAM. Dirty bits still set only make the
         * next restore or checkpoint look at a few more pages. */
        memset(s->written, 0, s->pages);
        s->base++;
        return;
    }
    uint64_t sync = replay_sync_interval(m->replay);
    const Checkpoint *last = &s->ck[s->count - 1];
    bool at_last = !next && s->base == s->count - 1 && now > last->icount;
    bool due;
    if (s->interval >= sync) {
        /* At sync rounds only, when `interval` worth of sync intervals
         * passed (sync rounds fall a little after each multiple: count
         * multiples, not instructions). Exact page sets. */
        uint64_t every = s->interval / sync;
        due = at_last && sync_round && now / sync >= last->icount / sync + every;
    } else {
        /* Denser than the sync points: any round. The pages written since
         * the last sync point stay marked, so each such checkpoint compares
         * them again (and keeps only those whose bytes changed). */
        due = at_last && now - last->icount >= s->interval;
    }
    if (due) {
        take_checkpoint(m, s);
        return;
    }
    if (sync_round)
        harvest(s, &m->bus); /* replay_round clears the dirty bits next */
}

bool virt_seek_pending(const struct VirtMachine *m)
{
    return m->seek && m->seek->pending;
}

bool virt_seek_busy(const struct VirtMachine *m)
{
    VirtSeek *s = m->seek;
    if (!s)
        return false;
    if (s->running && m->paused)
        seek_landed((VirtMachine *)m, s);
    return s->pending || s->running;
}

bool virt_seek(struct VirtMachine *m, uint64_t icount, char *err, size_t err_len)
{
    if (!m->replay || replay_mode(m->replay) != REPLAY_PLAY) {
        snprintf(err, err_len, "replay_seek is only possible while replaying (-icount rr=replay)");
        return false;
    }
    VirtSeek *s = seek_get(m);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    if (s->pending || s->running) {
        snprintf(err, err_len, "a seek to instruction %" PRIu64 " is still in progress",
                 s->target);
        return false;
    }
    if (!find_end(m, s, err, err_len))
        return false;
    if (icount > s->end_icount) {
        snprintf(err, err_len,
                 "instruction count %" PRIu64 " is past the end of the trace (it %s at "
                 "instruction %" PRIu64 ")",
                 icount, s->end_is_end ? "ends" : "was cut short", s->end_icount);
        return false;
    }
    if (s->failed) {
        snprintf(err, err_len, "checkpoints are off (%s)", s->failure);
        return false;
    }
    if (!m->monitor && !m->qmp && !m->gdb) {
        snprintf(err, err_len, "seeking needs the monitor's pause (-monitor or -qmp)");
        return false;
    }
    uint64_t now = m->clock.machine_icount;
    s->start_wall_ns = now_ns();
    s->start_cpu_ns = cpu_ns();
    s->replay_from = now;
    s->last_restore_ns = s->last_pages_copied = 0;
    if (icount == now) {
        m->paused = true;
        seek_landed(m, s);
        return true;
    }
    s->target = icount;
    /* Ahead, with no checkpoint in (now, icount): replay there directly. */
    bool checkpoint_between = false;
    for (int i = 0; i < s->count; i++)
        if (s->ck[i].icount > now && s->ck[i].icount < icount)
            checkpoint_between = true;
    /* Not inside the slice a pause interrupted: its rest runs without
     * looking at replay_break again. */
    if (icount > now && !checkpoint_between && icount > m->slice_end_icount) {
        m->replay_break = icount;
        m->paused = false;
        s->running = true;
        return true;
    }
    if (s->count == 0) {
        snprintf(err, err_len, "no checkpoint yet");
        return false;
    }
    /* The restore needs one at or before the target (virt_seek_tick): a
     * loadvm drops the checkpoints, and the first one after it is at the
     * loaded instruction count. Refused here, the replay goes on. */
    if (s->ck[0].icount > icount) {
        snprintf(err, err_len,
                 "instruction count %" PRIu64 " is before the first checkpoint (at %" PRIu64
                 "; a loadvm drops the earlier ones)",
                 icount, s->ck[0].icount);
        return false;
    }
    s->pending = true;
    m->paused = false; /* leave the monitor wait; the board unwinds the slice */
    return true;
}

void virt_seek_forget(struct VirtMachine *m)
{
    if (m->seek) {
        forget_all(m->seek);
        m->seek->failed = false;
    }
}

void virt_seek_free(struct VirtMachine *m)
{
    VirtSeek *s = m->seek;
    if (!s)
        return;
    forget_all(s);
    free(s->ck);
    free(s->pv);
    free(s->written);
    state_writer_free(&s->w);
    free(s);
    m->seek = NULL;
}

uint64_t virt_seek_state_digest(struct VirtMachine *m)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    StateWriter w;
    state_writer_init(&w);
    state_put_u64(&w, m->clock.machine_icount);
    state_put_u64(&w, m->clock.warp_ns);
    state_put_u32(&w, (uint32_t)m->clock.timer_count);
    for (int i = 0; i < m->clock.timer_count; i++)
        state_put_u64(&w, m->clock.timers[i].deadline_ns);
    for (int i = 0; i < m->hart_count; i++)
        hart_state_save(m->harts[i], &w);
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        state_put_string(&w, d->cls->name);
        state_put_u64(&w, d->base);
        if (d->cls->save)
            d->cls->save(d->state, &w);
    }
    if (m->replay)
        state_put_u64(&w, replay_events_delivered(m->replay));
    XXH3_64bits_update(st, w.data, w.len);
    XXH3_64bits_update(st, m->bus.ram, m->bus.ram_size);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    state_writer_free(&w);
    return h;
}

void virt_seek_info(struct VirtMachine *m, char *out, size_t out_len)
{
    VirtSeek *s = m->seek;
    if (!s) {
        snprintf(out, out_len, "Checkpoints: none");
        return;
    }
    snprintf(out, out_len,
             "Checkpoints: %d (%" PRIu64 " MiB of %" PRIu64 " MiB, every %" PRIu64
             " instructions%s%s)%s",
             s->count, s->used >> 20, s->budget >> 20, s->interval,
             s->thinned ? ", thinned" : "", s->failed ? ", off: " : "",
             s->failed ? s->failure : "");
    if (s->count) {
        size_t n = strlen(out);
        snprintf(out + n, out_len - n, "; first at %" PRIu64 ", last at %" PRIu64,
                 s->ck[0].icount, s->ck[s->count - 1].icount);
    }
    if (s->last_wall_ns) {
        size_t n = strlen(out);
        snprintf(out + n, out_len - n,
                 "\nLast seek: %.1f ms (CPU %.1f ms): restore %.2f ms (%" PRIu64
                 " pages), %" PRIu64 " instructions replayed",
                 (double)s->last_wall_ns / 1e6, (double)s->last_cpu_ns / 1e6,
                 (double)s->last_restore_ns / 1e6, s->last_pages_copied, s->last_replayed);
    }
}
