/* The gdb remote protocol over a socket (gdbstub.h, docs/gdb.md).
 *
 * All-stop: harts are gdb threads 1..N. The harts always run in the
 * board's schedule (a replay must follow the recorded one), so a step of
 * thread t runs until hart t has retired one instruction, the others
 * taking their turns meanwhile. Positions in a replay are machine
 * instruction counts (all harts); reverse execution seeks (virt_seek) and
 * re-executes forward. */
#include "gdb/gdbstub.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_seek.h"
#include "monitor/hmp.h"

#define GDB_PACKET_MAX 16384
#define GDB_MAX_BREAKPOINTS 64
#define GDB_MAX_WATCHPOINTS 32
/* Reverse-continue scans the past backwards in windows of this many
 * machine instructions (each one seek plus a checked re-execution). */
#define GDB_SCAN_WINDOW 2000000ull

/* Hits of the last reverse-continue scans, kept so that the next ones in
 * the same stretch need one seek and no re-execution. */
#define GDB_HIT_CACHE 4096
typedef struct GdbHit {
    uint64_t pos;
    int hart;
    bool watch; /* a watchpoint hit: pos is after the access */
    bool trap;  /* a breakpoint at the handler of a trap taken at pos */
    uint64_t pc;
    char reply[72];
} GdbHit;

typedef enum ScanKind { SCAN_NONE, SCAN_CONTINUE, SCAN_STEP } ScanKind;
/* What to do when a seek arrives. */
typedef enum After {
    AFTER_STEP_CHECK, AFTER_SCAN, AFTER_REPLY, AFTER_LAND, AFTER_RESEEK, AFTER_RCMD
} After;

struct GdbStub {
    VirtMachine *m;
    Chardev chr;
    bool connected;
    bool noack;
    bool spoke, was_paused;
    uint64_t end_icount; /* trace_end() */ /* the client sent a packet; paused before it came */
    bool debug; /* DEJA_GDB_DEBUG set: packets logged to stderr */
    /* packet reader */
    int rstate; /* 0 outside, 1 in data, 2/3 checksum digits */
    char pkt[GDB_PACKET_MAX + 1];
    size_t pkt_len;
    bool pkt_overflow;
    /* threads (hart indexes) */
    int g_hart;   /* Hg: registers and memory */
    int cur_hart; /* the thread of the last stop */
    /* resumed by gdb: a stop reply is owed */
    bool running;
    int step_hart; /* -1: none */
    uint64_t step_target; /* instret at which the step is done */
    bool skip_valid[VIRT_MAX_HARTS]; /* do not report the breakpoint we resume from */
    uint64_t skip_instret[VIRT_MAX_HARTS], skip_pc[VIRT_MAX_HARTS];
    /* breakpoints: address and type (0 sw, 1 hw) */
    uint64_t bp_addr[GDB_MAX_BREAKPOINTS];
    int bp_type[GDB_MAX_BREAKPOINTS];
    int nbp;
    /* watchpoints: address, length, type (2 write, 3 read, 4 access) */
    uint64_t wp_addr[GDB_MAX_WATCHPOINTS], wp_len[GDB_MAX_WATCHPOINTS];
    int wp_type[GDB_MAX_WATCHPOINTS];
    int nwp;
    /* reverse execution */
    ScanKind scan;
    bool scan_done;
    uint64_t scan_start, scan_end; /* re-executing [start, end) */
    bool scan_found;
    uint64_t scan_hit_icount;
    bool scan_hit_trap;
    uint64_t scan_hit_pc;
    /* the breakpoint hit being reported is at the handler of a trap taken
     * at its position (a seek there lands before the trap) */
    bool hit_trap;
    uint64_t hit_pc;
    /* AFTER_LAND: run on from the seek to a trap hit until hart land_hart
     * is at land_pc (position land_pos), then send the reply */
    bool landing;
    int land_hart;
    uint64_t land_pos, land_pc;
    bool land_trap; /* AFTER_RESEEK: then seek_to_hit(land_pos, land_hart, land_trap, land_pc) */
    /* The last stop is at the handler of a trap taken at its position:
     * breakpoints at that position before the trap (on the trapping
     * instruction) are still behind it for reverse-continue, which then
     * scans up to it inclusively (scan_to_trap; hits_end_incl for the
     * hits kept). */
    bool stop_trap, scan_to_trap, hits_end_incl;
    uint64_t stop_trap_pos, stop_trap_pc; /* to tell a stale stop_trap */
    char scan_hit_reply[128];
    int scan_hit_hart;
    uint64_t step_want_instret; /* SCAN_STEP: hart step_hart's instret before the wanted retire */
    uint64_t step_offset, step_here;
    ScanKind scan_pending; /* the scan to start when the seek arrives */
    bool seeking;          /* waiting for virt_seek */
    After after;
    char reply[160]; /* stop reply to send on arrival */
    int reply_hart;
    char *rcmd_output; /* qRcmd output held until a seek it started arrives */
    /* every breakpoint/watchpoint hit in [hits_start, hits_end], in order */
    GdbHit *hits;
    int nhits;
    uint64_t hits_start, hits_end;
    bool hits_valid;
    char out[2 * GDB_PACKET_MAX + 8];
};

static int hart_index(VirtMachine *m, const Hart *h)
{
    for (int i = 0; i < m->hart_count; i++)
        if (m->harts[i] == h)
            return i;
    return 0;
}

static uint64_t machine_icount(const VirtMachine *m)
{
    return m->clock.machine_icount;
}

static bool recording(const VirtMachine *m)
{
    return m->replay && replay_mode(m->replay) == REPLAY_RECORD;
}

static bool replaying(const VirtMachine *m)
{
    return m->replay && replay_mode(m->replay) == REPLAY_PLAY;
}

/* ---- packet output ---------------------------------------------------- */

static void send_raw(GdbStub *g, const char *data, size_t len)
{
    chardev_write(&g->chr, (const uint8_t *)data, len);
}

static void send_packet_len(GdbStub *g, const char *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    unsigned sum = 0;
    g->out[n++] = '$';
    for (size_t i = 0; i < len && n + 5 < sizeof(g->out); i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            g->out[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        g->out[n++] = c;
        sum += (unsigned char)c;
    }
    if (g->debug)
        fprintf(stderr, "gdb <- %.*s\n", (int)(n - 1 > 200 ? 200 : n - 1), g->out + 1);
    g->out[n++] = '#';
    g->out[n++] = hex[(sum >> 4) & 15];
    g->out[n++] = hex[sum & 15];
    send_raw(g, g->out, n);
}

static void send_packet(GdbStub *g, const char *text)
{
    send_packet_len(g, text, strlen(text));
}

static void send_fmt(GdbStub *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_fmt(GdbStub *g, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    send_packet(g, buf);
}

static void hex_encode(char *out, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[data[i] >> 4];
        out[2 * i + 1] = hex[data[i] & 15];
    }
    out[2 * len] = 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool hex_decode(const char *text, size_t digits, uint8_t *out)
{
    if (digits % 2)
        return false;
    for (size_t i = 0; i < digits / 2; i++) {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* A hex number at *p, advancing past it; false if there is none. */
static bool parse_hex(const char **p, uint64_t *value)
{
    const char *s = *p;
    uint64_t v = 0;
    int n = 0;
    while (hex_digit(*s) >= 0 && n < 17) {
        v = v << 4 | (uint64_t)hex_digit(*s++);
        n++;
    }
    if (n == 0 || n > 16)
        return false;
    *p = s;
    *value = v;
    return true;
}

static void put_le(char *out, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    hex_encode(out, b, (size_t)bytes);
}

/* ---- stop replies ------------------------------------------------------ */

static void format_stop(GdbStub *g, char *buf, size_t len, int hart, const char *reason)
{
    snprintf(buf, len, "T05thread:%x;%s", hart + 1, reason ? reason : "");
}

/* The last instruction count of the trace (replay), 0 if unknown: from
 * virt_seek's answer to a target past any trace. */
static uint64_t trace_end(GdbStub *g)
{
    if (g->end_icount || !replaying(g->m))
        return g->end_icount;
    char err[300];
    if (virt_seek(g->m, UINT64_MAX, err, sizeof(err)))
        return 0; /* cannot happen: no trace is that long */
    const char *p = strstr(err, "at instruction ");
    if (p && strstr(err, "past the end"))
        g->end_icount = strtoull(p + 15, NULL, 10);
    return g->end_icount;
}

/* Drops the pause at the end of the trace that resume() armed. */
static void disarm_end(GdbStub *g)
{
    if (g->end_icount && g->m->replay_break == g->end_icount)
        g->m->replay_break = UINT64_MAX;
}

/* The stop just made (hart) is at the handler of a trap taken at its
 * position. */
static void note_trap_stop(GdbStub *g, int hart)
{
    Hart *h = g->m->harts[hart];
    g->stop_trap = true;
    g->stop_trap_pos = hart_machine_icount(h);
    g->stop_trap_pc = h->pc;
}

/* Still there (not moved since by the monitor or a register write)? */
static bool at_trap_stop(GdbStub *g)
{
    Hart *h = g->m->harts[g->cur_hart];
    return g->stop_trap && !g->running && hart_machine_icount(h) == g->stop_trap_pos &&
           h->pc == g->stop_trap_pc;
}

/* Ends a resume: the stop reply goes out, the machine pauses. */
static void stop_now(GdbStub *g, int hart, const char *reason)
{
    char buf[160];
    if (!reason && g->end_icount && machine_icount(g->m) == g->end_icount)
        reason = "replaylog:end;"; /* gdb: "No more reverse-execution history" */
    disarm_end(g);
    g->stop_trap = false;
    format_stop(g, buf, sizeof(buf), hart, reason);
    g->cur_hart = g->g_hart = hart;
    g->running = false;
    g->step_hart = -1;
    g->m->paused = true;
    send_packet(g, buf);
}

/* ---- breakpoints and watchpoints --------------------------------------- */

static int find_bp(const GdbStub *g, uint64_t addr)
{
    for (int i = 0; i < g->nbp; i++)
        if (g->bp_addr[i] == addr)
            return i;
    return -1;
}

/* A watchpoint the access [addr, addr+size) of kind (1 r, 2 w, 3 rw)
 * triggers: its index, and the reason text for the stop reply. */
static int match_watch(const GdbStub *g, uint64_t addr, int size, int kind, char *reason,
                       size_t len)
{
    for (int i = 0; i < g->nwp; i++) {
        uint64_t a = g->wp_addr[i], l = g->wp_len[i];
        if (addr + (uint64_t)size <= a || a + l <= addr)
            continue;
        int type = g->wp_type[i];
        bool hit = type == 4 || (type == 2 && (kind & 2)) || (type == 3 && (kind & 1));
        if (!hit)
            continue;
        const char *name = type == 2 ? "watch" : type == 3 ? "rwatch" : "awatch";
        snprintf(reason, len, "%s:%" PRIx64 ";", name, addr > a ? addr : a);
        return i;
    }
    return -1;
}

bool gdb_stepping(const GdbStub *g)
{
    if (g->seeking)
        return false;
    return g->scan != SCAN_NONE || g->landing ||
           (g->running && (g->nbp || g->nwp || g->step_hart >= 0));
}

/* A hit at machine position pos (hart, reason): during a reverse scan it
 * is noted (the last one wins), otherwise the machine stops. */
static bool report_hit(GdbStub *g, uint64_t pos, int hart, const char *reason)
{
    if (g->scan == SCAN_CONTINUE) {
        if (pos <= g->scan_end && g->hits) {
            if (g->nhits == GDB_HIT_CACHE) { /* keep the later half */
                int drop = GDB_HIT_CACHE / 2;
                g->hits_start = g->hits[drop - 1].pos + 1;
                memmove(g->hits, g->hits + drop, sizeof(GdbHit) * (size_t)(GDB_HIT_CACHE - drop));
                g->nhits -= drop;
            }
            GdbHit *x = &g->hits[g->nhits++];
            x->pos = pos;
            x->hart = hart;
            x->watch = reason[0] != 's' && reason[0] != 'h';
            x->trap = !x->watch && g->hit_trap;
            x->pc = g->hit_pc;
            format_stop(g, x->reply, sizeof(x->reply), hart, reason);
        }
        if (pos <= g->scan_end) {
            g->scan_found = true;
            g->scan_hit_icount = pos;
            g->scan_hit_hart = hart;
            g->scan_hit_trap = g->hit_trap && (reason[0] == 's' || reason[0] == 'h');
            g->scan_hit_pc = g->hit_pc;
            format_stop(g, g->scan_hit_reply, sizeof(g->scan_hit_reply), hart, reason);
        }
        return false;
    }
    if (g->scan == SCAN_STEP)
        return false;
    stop_now(g, hart, reason);
    return true;
}

static void seek_arrived(GdbStub *g);

HartStop gdb_run_hart(GdbStub *g, Hart *h, uint64_t budget, bool *hit)
{
    VirtMachine *m = g->m;
    int hi = hart_index(m, h);
    HartStop why = HART_STOP_BUDGET;
    uint64_t done = 0;
    unsigned stuck = 0; /* exceptions in a row without retiring */
    bool at_trap = false; /* pc is at a handler entered at pos */
    *hit = false;
    while (done < budget) {
        bool trapped = false; /* entered a handler in this round */
        char reason[64];
        int w = -1;
        uint64_t pos = hart_machine_icount(h);
        if (g->scan != SCAN_NONE && pos >= g->scan_end) {
            if (g->scan == SCAN_CONTINUE && g->scan_to_trap && pos == g->scan_end && g->nbp) {
                int b = find_bp(g, h->pc); /* before the trap we reverse from */
                g->hit_trap = false;
                g->hit_pc = h->pc;
                if (b >= 0)
                    report_hit(g, pos, hi, g->bp_type[b] ? "hwbreak:;" : "swbreak:;");
            }
            g->scan_done = true;
            m->paused = true;
            *hit = true;
            return why;
        }
        /* Enter the handler of an interrupt hart_run would take first,
         * so that a breakpoint there stops before its first instruction
         * (the same as hart_run's own check on entry). */
        if (hart_take_interrupt(h))
            at_trap = trapped = true;
        if (g->landing) {
            /* only the way to a trap hit: no other checks */
            if (pos > g->land_pos || (hi == g->land_hart && h->pc == g->land_pc)) {
                g->landing = false;
                g->after = AFTER_REPLY;
                seek_arrived(g);
                note_trap_stop(g, hi);
                *hit = true;
                return why;
            }
            goto run;
        }
        g->hit_trap = at_trap;
        g->hit_pc = h->pc;
        /* Not the breakpoint gdb resumes from. */
        bool skip = g->skip_valid[hi] && h->instret == g->skip_instret[hi] && h->pc == g->skip_pc[hi];
        if (g->nbp && !skip) {
            int b = find_bp(g, h->pc);
            if (b >= 0 && report_hit(g, pos, hi, g->bp_type[b] ? "hwbreak:;" : "swbreak:;")) {
                if (at_trap)
                    note_trap_stop(g, hi);
                *hit = true;
                return why;
            }
        }
        g->skip_valid[hi] = false;
        if (g->nwp) { /* gdb steps over a watched access itself */
            uint64_t addr;
            int size, kind;
            if (gdb_next_access(m, h, &addr, &size, &kind))
                w = match_watch(g, addr, size, kind, reason, sizeof(reason));
        }
        /* Watchpoints stop before the access, like RISC-V triggers (gdb
         * then steps over it and compares the values); a reverse scan
         * notes the position after it, which gdb's step over (backwards)
         * turns into the position before it. */
        if (w >= 0 && g->scan == SCAN_NONE && report_hit(g, pos, hi, reason)) {
            *hit = true;
            return why;
        }
        if (g->scan == SCAN_STEP && hi == g->step_hart && h->instret == g->step_want_instret) {
            g->scan_found = true;
            g->scan_hit_icount = pos;
        }
        if (trapped && g->scan == SCAN_NONE && g->step_hart == hi) {
            stop_now(g, hi, NULL); /* stepi: at the handler of an interrupt */
            note_trap_stop(g, hi);
            *hit = true;
            return why;
        }
    run:;
        uint64_t before = h->instret;
        /* An exception returns with pc at its handler, so that the next
         * round checks the breakpoints there before it runs. */
        h->stop_at_trap = true;
        why = hart_run(h, 1);
        h->stop_at_trap = false;
        if (why == HART_STOP_TRAP) {
            why = HART_STOP_BUDGET;
            at_trap = trapped = true;
            /* hart_run's own limit (it counts from the start of a call) */
            if (++stuck >= HART_STUCK_TRAP_LIMIT)
                why = HART_STOP_WFI;
        } else {
            stuck = 0;
        }
        uint64_t retired = h->instret - before;
        if (retired)
            at_trap = false;
        done += retired;
        pos = hart_machine_icount(h);
        if (w >= 0 && retired && g->scan == SCAN_CONTINUE && pos <= g->scan_end &&
            report_hit(g, pos, hi, reason)) {
            *hit = true;
            return why;
        }
        /* stepi ends at the handler of a trap taken on the way (QEMU) */
        if (g->scan == SCAN_NONE && g->step_hart == hi && (h->instret >= g->step_target || trapped)) {
            stop_now(g, hi, NULL);
            if (retired == 0)
                note_trap_stop(g, hi);
            *hit = true;
            return why;
        }
        if (m->replay_break != UINT64_MAX && pos == m->replay_break) {
            m->replay_break = UINT64_MAX; /* the monitor's replay_break */
            if (g->running && g->scan == SCAN_NONE)
                stop_now(g, hi, NULL);
            m->paused = true;
            *hit = true;
            return why;
        }
        if (why != HART_STOP_BUDGET)
            return why;
    }
    return why;
}

/* ---- resuming ----------------------------------------------------------- */

static void resume(GdbStub *g, int step_hart)
{
    VirtMachine *m = g->m;
    for (int i = 0; i < m->hart_count; i++)
        g->skip_valid[i] = false;
    int c = g->cur_hart;
    g->skip_valid[c] = true;
    g->skip_instret[c] = m->harts[c]->instret;
    g->skip_pc[c] = m->harts[c]->pc;
    g->step_hart = step_hart;
    g->stop_trap = false;
    if (step_hart >= 0)
        g->step_target = m->harts[step_hart]->instret + 1;
    g->running = true;
    g->scan = SCAN_NONE;
    /* A replay pauses at its end, where gdb can still go backwards. */
    uint64_t end = trace_end(g);
    if (end && m->replay_break == UINT64_MAX && machine_icount(m) < end)
        m->replay_break = end;
    m->paused = false;
}

bool gdb_goto_icount(VirtMachine *m, uint64_t icount, char *err, size_t err_len)
{
    if (!replaying(m)) {
        snprintf(err, err_len, "not replaying (positions exist only in replay mode)");
        return false;
    }
    return virt_seek(m, icount, err, err_len);
}

static void send_rcmd_output(GdbStub *g);

/* Starts moving the replay to icount (virt_seek, asynchronous: the board
 * runs there and pauses); `after` runs on arrival. */
static bool seek_then(GdbStub *g, uint64_t icount, After after)
{
    char err[256];
    if (!gdb_goto_icount(g->m, icount, err, sizeof(err))) {
        fprintf(stderr, "deja: gdb: reverse execution: %s\n", err);
        g->running = false;
        g->seeking = false;
        g->scan = SCAN_NONE;
        g->m->paused = true;
        send_packet(g, "E0e");
        return false;
    }
    g->seeking = true;
    g->after = after;
    g->running = true;
    if (!virt_seek_busy(g->m))
        seek_arrived(g); /* already there */
    return true;
}

/* Goes to a hit at pos whose reply is in g->reply: a breakpoint at the
 * handler of a trap taken at pos (trap) is reached by running on from the
 * seek to pos (which lands before the trap) until the hart is at pc. */
static void seek_to_hit(GdbStub *g, uint64_t pos, int hart, bool trap, uint64_t pc)
{
    bool from_trap = at_trap_stop(g);
    g->stop_trap = false;
    g->land_hart = hart;
    g->land_pos = pos;
    g->land_pc = pc;
    g->land_trap = trap;
    if (from_trap && pos > 0 && pos == machine_icount(g->m)) {
        /* At a handler entered at pos, where a seek to pos does not move:
         * one instruction back first, then forwards to before the trap. */
        seek_then(g, pos - 1, AFTER_RESEEK);
        return;
    }
    if (!trap) {
        seek_then(g, pos, AFTER_REPLY);
        return;
    }
    seek_then(g, pos, AFTER_LAND);
}

/* Re-executes [start, end) with the checks of a reverse scan. */
static void scan_then(GdbStub *g, ScanKind kind, uint64_t start, uint64_t end)
{
    g->scan_pending = kind;
    g->scan_start = start;
    g->scan_end = end;
    seek_then(g, start, AFTER_SCAN);
}

/* Goes to the beginning of the trace and says so. */
static void stop_at_begin(GdbStub *g, int hart)
{
    format_stop(g, g->reply, sizeof(g->reply), hart, "replaylog:begin;");
    g->reply_hart = hart;
    g->stop_trap = false;
    seek_then(g, 0, AFTER_REPLY);
}

/* A scan reached its end: go to what it found or scan further back. */
static void scan_finished(GdbStub *g)
{
    ScanKind kind = g->scan;
    if (kind == SCAN_CONTINUE) {
        g->hits_start = g->scan_start;
        g->hits_valid = g->hits != NULL;
    }
    g->scan = SCAN_NONE;
    g->scan_done = false;
    int hart = kind == SCAN_STEP ? g->step_hart : g->cur_hart;
    if (g->scan_found) {
        if (kind == SCAN_STEP) {
            format_stop(g, g->reply, sizeof(g->reply), hart, NULL);
            g->reply_hart = hart;
        } else {
            snprintf(g->reply, sizeof(g->reply), "%s", g->scan_hit_reply);
            g->reply_hart = g->scan_hit_hart;
        }
        seek_to_hit(g, g->scan_hit_icount, g->reply_hart,
                    kind == SCAN_CONTINUE && g->scan_hit_trap, g->scan_hit_pc);
        return;
    }
    if (g->scan_start == 0) {
        stop_at_begin(g, hart);
        return;
    }
    uint64_t end = g->scan_start;
    g->scan_to_trap = false;
    uint64_t window = kind == SCAN_STEP ? 2 * (g->scan_end - g->scan_start) : GDB_SCAN_WINDOW;
    scan_then(g, kind, end > window ? end - window : 0, end);
}

static void reverse_step_scan(GdbStub *g)
{
    uint64_t here = g->step_here;
    uint64_t window = 4 * VIRT_QUANTUM * (uint64_t)g->m->hart_count;
    scan_then(g, SCAN_STEP, here > window ? here - window : 0, here);
}

static void seek_arrived(GdbStub *g)
{
    VirtMachine *m = g->m;
    g->seeking = false;
    switch (g->after) {
    case AFTER_STEP_CHECK: {
        Hart *h = m->harts[g->step_hart];
        if (h->instret == g->step_want_instret && h->icount_offset == g->step_offset)
            stop_now(g, g->step_hart, NULL);
        else
            reverse_step_scan(g);
        break;
    }
    case AFTER_SCAN:
        g->scan = g->scan_pending;
        g->scan_done = false;
        g->scan_found = false;
        for (int i = 0; i < m->hart_count; i++)
            g->skip_valid[i] = false;
        m->paused = false;
        break;
    case AFTER_RESEEK:
        seek_to_hit(g, g->land_pos, g->land_hart, g->land_trap, g->land_pc);
        break;
    case AFTER_LAND:
        if (m->harts[g->land_hart]->pc != g->land_pc) {
            g->landing = true;
            for (int i = 0; i < m->hart_count; i++)
                g->skip_valid[i] = false;
            m->paused = false;
            break;
        }
        /* already there */
        g->cur_hart = g->g_hart = g->reply_hart;
        note_trap_stop(g, g->reply_hart);
        __attribute__((fallthrough));
    case AFTER_REPLY:
        g->cur_hart = g->g_hart = g->reply_hart;
        g->running = false;
        g->step_hart = -1;
        m->paused = true;
        send_packet(g, g->reply);
        break;
    case AFTER_RCMD:
        g->running = false;
        m->paused = true;
        send_rcmd_output(g);
        break;
    }
}

/* bs: one instruction back on hart hi: the latest position where it had
 * retired one instruction fewer. */
static void reverse_step(GdbStub *g, int hi)
{
    VirtMachine *m = g->m;
    Hart *h = m->harts[hi];
    uint64_t here = machine_icount(m);
    uint64_t k = h->instret;
    if (hi == g->cur_hart && here > 0 && at_trap_stop(g)) {
        /* At a handler entered at here: back to before the trap. */
        format_stop(g, g->reply, sizeof(g->reply), hi, NULL);
        g->reply_hart = hi;
        seek_to_hit(g, here, hi, false, 0);
        return;
    }
    if (k == 0 || here == 0) {
        stop_at_begin(g, hi);
        return;
    }
    g->step_hart = hi;
    g->step_want_instret = k - 1;
    g->step_offset = h->icount_offset;
    g->step_here = here;
    /* Fast path: the k-th retire of h was in its latest slice, at machine
     * icount k + icount_offset: go just before it, then check that h is
     * there in the same slice (else scan). */
    if (k + g->step_offset <= here)
        seek_then(g, k - 1 + g->step_offset, AFTER_STEP_CHECK);
    else
        reverse_step_scan(g);
}

static void reverse_continue(GdbStub *g)
{
    uint64_t here = machine_icount(g->m);
    if (here == 0) {
        stop_at_begin(g, g->cur_hart);
        return;
    }
    uint64_t end = here;
    /* At a trap handler entered at here, the breakpoints at here before
     * the trap are behind us too. */
    bool trap = at_trap_stop(g);
    if (g->hits_valid && here >= g->hits_start &&
        (here < g->hits_end || (here == g->hits_end && (!trap || g->hits_end_incl)))) {
        /* The stretch before here was scanned with these breakpoints. */
        for (int i = g->nhits - 1; i >= 0; i--) {
            GdbHit *x = &g->hits[i];
            if (x->watch ? x->pos <= here : x->pos < here || (trap && x->pos == here && !x->trap)) {
                snprintf(g->reply, sizeof(g->reply), "%s", x->reply);
                g->reply_hart = x->hart;
                seek_to_hit(g, x->pos, x->hart, x->trap, x->pc);
                return;
            }
        }
        if (g->hits_start == 0) {
            stop_at_begin(g, g->cur_hart);
            return;
        }
        end = g->hits_start;
    }
    g->hits_valid = false;
    g->nhits = 0;
    g->hits_end = end;
    g->scan_to_trap = g->hits_end_incl = trap && end == here;
    scan_then(g, SCAN_CONTINUE, end > GDB_SCAN_WINDOW ? end - GDB_SCAN_WINDOW : 0, end);
}

/* ---- packets ------------------------------------------------------------ */

static int thread_hart(GdbStub *g, const char *text, bool *ok)
{
    *ok = true;
    if (!strcmp(text, "-1") || !strcmp(text, "0"))
        return -1;
    uint64_t t;
    const char *p = text;
    if (!parse_hex(&p, &t) || *p || t < 1 || t > (uint64_t)g->m->hart_count) {
        *ok = false;
        return 0;
    }
    return (int)t - 1;
}

static Hart *g_hart(GdbStub *g)
{
    return g->m->harts[g->g_hart];
}

static void handle_read_registers(GdbStub *g)
{
    char buf[33 * 16 + 1];
    Hart *h = g_hart(g);
    for (int i = 0; i < 33; i++) {
        uint64_t v = 0;
        gdb_read_register(h, i, &v);
        put_le(buf + 16 * i, v, 8);
    }
    send_packet(g, buf);
}

static void handle_write_registers(GdbStub *g, const char *p)
{
    Hart *h = g_hart(g);
    size_t len = strlen(p);
    for (int i = 0; i < 33 && (size_t)(16 * i + 16) <= len; i++) {
        uint8_t b[8];
        if (!hex_decode(p + 16 * i, 16, b)) {
            send_packet(g, "E01");
            return;
        }
        uint64_t v = 0;
        for (int k = 0; k < 8; k++)
            v |= (uint64_t)b[k] << (8 * k);
        gdb_write_register(h, i, v);
    }
    send_packet(g, "OK");
}

static void handle_read_register(GdbStub *g, const char *p)
{
    uint64_t n, v;
    if (!parse_hex(&p, &n) || *p) {
        send_packet(g, "E01");
        return;
    }
    if (n > 100000 || !gdb_read_register(g_hart(g), (int)n, &v)) {
        send_packet(g, "E45");
        return;
    }
    char buf[17];
    int bytes = n >= 66 && n <= 68 ? 4 : 8;
    put_le(buf, v, bytes);
    send_packet(g, buf);
}

static void handle_write_register(GdbStub *g, const char *p)
{
    uint64_t n;
    if (!parse_hex(&p, &n) || *p++ != '=') {
        send_packet(g, "E01");
        return;
    }
    size_t digits = strlen(p);
    uint8_t b[8] = { 0 };
    if (digits > 16 || !hex_decode(p, digits, b)) {
        send_packet(g, "E01");
        return;
    }
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)b[k] << (8 * k);
    send_packet(g, n < 100000 && gdb_write_register(g_hart(g), (int)n, v) ? "OK" : "E45");
}

static void handle_read_memory(GdbStub *g, const char *p)
{
    uint64_t addr, len;
    if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len) || *p) {
        send_packet(g, "E01");
        return;
    }
    if (len > GDB_PACKET_MAX / 2 - 8)
        len = GDB_PACKET_MAX / 2 - 8;
    static uint8_t data[GDB_PACKET_MAX / 2];
    static char text[GDB_PACKET_MAX + 1];
    if (!gdb_read_memory(g->m, g_hart(g), addr, data, (size_t)len)) {
        send_packet(g, "E14");
        return;
    }
    hex_encode(text, data, (size_t)len);
    send_packet(g, text);
}

/* M addr,len:hex  or  X addr,len:binary (already unescaped, length known). */
static void handle_write_memory(GdbStub *g, const char *p, size_t total, bool binary)
{
    const char *start = p;
    uint64_t addr, len;
    if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len) || *p++ != ':' ||
        len > GDB_PACKET_MAX) {
        send_packet(g, "E01");
        return;
    }
    size_t have = total - (size_t)(p - start);
    static uint8_t data[GDB_PACKET_MAX];
    if (binary) {
        if (have < len) {
            send_packet(g, "E01");
            return;
        }
        memcpy(data, p, (size_t)len);
    } else if (have != 2 * len || !hex_decode(p, 2 * (size_t)len, data)) {
        send_packet(g, "E01");
        return;
    }
    if (len && !gdb_write_memory(g->m, g_hart(g), addr, data, (size_t)len)) {
        send_packet(g, "E14");
        return;
    }
    send_packet(g, "OK");
}

static void handle_breakpoint(GdbStub *g, const char *p, bool insert)
{
    g->hits_valid = false;
    uint64_t type, addr, kind;
    const char *s = p;
    if (!parse_hex(&s, &type) || *s++ != ',' || !parse_hex(&s, &addr) || *s++ != ',' ||
        !parse_hex(&s, &kind)) {
        send_packet(g, "E01");
        return;
    }
    if (type <= 1) {
        int i = find_bp(g, addr);
        if (insert && i < 0) {
            if (g->nbp == GDB_MAX_BREAKPOINTS) {
                send_packet(g, "E28");
                return;
            }
            g->bp_addr[g->nbp] = addr;
            g->bp_type[g->nbp++] = (int)type;
        } else if (!insert && i >= 0) {
            g->bp_addr[i] = g->bp_addr[--g->nbp];
            g->bp_type[i] = g->bp_type[g->nbp];
        }
        send_packet(g, "OK");
        return;
    }
    if (type > 4 || kind == 0 || kind > 4096) {
        send_packet(g, type > 4 ? "" : "E01");
        return;
    }
    for (int i = 0; i < g->nwp; i++) {
        if (g->wp_addr[i] == addr && g->wp_len[i] == kind && g->wp_type[i] == (int)type) {
            if (!insert) {
                g->nwp--;
                g->wp_addr[i] = g->wp_addr[g->nwp];
                g->wp_len[i] = g->wp_len[g->nwp];
                g->wp_type[i] = g->wp_type[g->nwp];
            }
            send_packet(g, "OK");
            return;
        }
    }
    if (insert) {
        if (g->nwp == GDB_MAX_WATCHPOINTS) {
            send_packet(g, "E28");
            return;
        }
        g->wp_addr[g->nwp] = addr;
        g->wp_len[g->nwp] = kind;
        g->wp_type[g->nwp++] = (int)type;
    }
    send_packet(g, "OK");
}

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static void handle_xfer(GdbStub *g, const char *p)
{
    const char *prefix = "features:read:target.xml:";
    if (strncmp(p, prefix, strlen(prefix)) != 0) {
        send_packet(g, "");
        return;
    }
    p += strlen(prefix);
    uint64_t off, len;
    if (!parse_hex(&p, &off) || *p++ != ',' || !parse_hex(&p, &len)) {
        send_packet(g, "E01");
        return;
    }
    const char *xml = gdb_target_xml();
    size_t total = strlen(xml);
    if (off >= total) {
        send_packet(g, "l");
        return;
    }
    if (len > GDB_PACKET_MAX - 16)
        len = GDB_PACKET_MAX - 16;
    size_t n = total - (size_t)off < len ? total - (size_t)off : (size_t)len;
    static char buf[GDB_PACKET_MAX];
    buf[0] = off + n < total ? 'm' : 'l';
    memcpy(buf + 1, xml + off, n);
    send_packet_len(g, buf, n + 1);
}

static void send_rcmd_output(GdbStub *g)
{
    char *text = g->rcmd_output;
    g->rcmd_output = NULL;
    size_t n = 0;
    for (size_t i = 0; text && text[i]; i++)
        if (text[i] != '\r')
            text[n++] = text[i];
    for (size_t i = 0; i < n; i += 512) {
        size_t piece = n - i < 512 ? n - i : 512;
        char out[2 * 512 + 2];
        out[0] = 'O';
        hex_encode(out + 1, (const uint8_t *)text + i, piece);
        send_packet(g, out);
    }
    free(text);
    send_packet(g, "OK");
}

/* Runs a monitor command (qRcmd) and sends its output as O packets; a
 * command that seeks (replay_seek, goto) answers once the replay is
 * there, so that gdb reads the new state. */
static void handle_rcmd(GdbStub *g, const char *hex)
{
    size_t digits = strlen(hex);
    char cmd[1024];
    if (digits / 2 >= sizeof(cmd) || !hex_decode(hex, digits, (uint8_t *)cmd)) {
        send_packet(g, "E01");
        return;
    }
    cmd[digits / 2] = 0;
    Hmp *mon = hmp_create(g->m, NULL);
    char *text = mon ? hmp_execute_capture(mon, cmd) : NULL;
    if (mon)
        hmp_destroy(mon);
    if (!text) {
        send_packet(g, "E01");
        return;
    }
    free(g->rcmd_output);
    g->rcmd_output = text;
    if (virt_seek_busy(g->m)) {
        g->seeking = true;
        g->after = AFTER_RCMD;
        g->running = true;
        return;
    }
    g->m->paused = true;
    send_rcmd_output(g);
}

static void handle_vcont(GdbStub *g, const char *p)
{
    if (*p == '?') {
        send_packet(g, replaying(g->m) ? "vCont;c;C;s;S;t" : "vCont;c;C;s;S;t");
        return;
    }
    if (*p != ';') {
        send_packet(g, "E01");
        return;
    }
    /* The first action that applies to a specific thread or to all wins;
     * we only distinguish "step thread t" from "continue". */
    int step = -1;
    bool any = false, stop_only = true;
    while (*p == ';') {
        p++;
        char action = *p++;
        if (action == 'C' || action == 'S') { /* signal ignored */
            while (hex_digit(*p) >= 0)
                p++;
        }
        int thread = -1;
        if (*p == ':') {
            p++;
            char t[32];
            size_t n = 0;
            while (*p && *p != ';' && n + 1 < sizeof(t))
                t[n++] = *p++;
            t[n] = 0;
            bool ok;
            thread = thread_hart(g, t, &ok);
            if (!ok) {
                send_packet(g, "E01");
                return;
            }
        }
        if (action == 's' || action == 'S') {
            if (step < 0)
                step = thread >= 0 ? thread : g->g_hart;
            stop_only = false;
        } else if (action == 'c' || action == 'C') {
            stop_only = false;
        } else if (action != 't') {
            send_packet(g, "E01");
            return;
        }
        any = true;
    }
    if (!any) {
        send_packet(g, "E01");
        return;
    }
    if (stop_only) { /* vCont;t: already stopped */
        stop_now(g, g->cur_hart, NULL);
        return;
    }
    resume(g, step);
}

static void handle_query(GdbStub *g, const char *p)
{
    if (!strncmp(p, "qSupported", 10)) {
        send_fmt(g,
                 "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;"
                 "QStartNoAckMode+%s",
                 GDB_PACKET_MAX, replaying(g->m) ? ";ReverseStep+;ReverseContinue+" : "");
    } else if (!strncmp(p, "qXfer:", 6)) {
        handle_xfer(g, p + 6);
    } else if (!strcmp(p, "qfThreadInfo")) {
        char buf[8 * VIRT_MAX_HARTS + 2] = "m";
        size_t n = 1;
        for (int i = 0; i < g->m->hart_count; i++)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%x", i ? "," : "", i + 1);
        send_packet(g, buf);
    } else if (!strcmp(p, "qsThreadInfo")) {
        send_packet(g, "l");
    } else if (!strcmp(p, "qC")) {
        send_fmt(g, "QC%x", g->cur_hart + 1);
    } else if (!strncmp(p, "qAttached", 9)) {
        send_packet(g, "1");
    } else if (!strncmp(p, "qThreadExtraInfo,", 17)) {
        const char *s = p + 17;
        uint64_t t;
        char text[64], hex[130];
        if (!parse_hex(&s, &t) || t < 1 || t > (uint64_t)g->m->hart_count) {
            send_packet(g, "E01");
            return;
        }
        Hart *h = g->m->harts[t - 1];
        snprintf(text, sizeof(text), "hart %d, %s%s", (int)t - 1,
                 h->priv == PRIV_M ? "M" : h->priv == PRIV_S ? "S" : "U", h->wfi ? ", wfi" : "");
        hex_encode(hex, (const uint8_t *)text, strlen(text));
        send_packet(g, hex);
    } else if (!strncmp(p, "qRcmd,", 6)) {
        handle_rcmd(g, p + 6);
    } else if (!strcmp(p, "qOffsets")) {
        send_packet(g, "Text=0;Data=0;Bss=0");
    } else if (!strcmp(p, "qSymbol::")) {
        send_packet(g, "OK");
    } else {
        send_packet(g, "");
    }
}

static void handle_packet(GdbStub *g, char *p, size_t len)
{
    VirtMachine *m = g->m;
    if (g->seeking || g->scan != SCAN_NONE)
        return; /* gdb waits for the stop reply of a reverse command */
    if (g->running && p[0] != '?') {
        /* Only Ctrl-C is expected while running; anything else stops first. */
        stop_now(g, g->cur_hart, NULL);
    }
    if (recording(m) && (p[0] == 'G' || p[0] == 'P' || p[0] == 'M' || p[0] == 'X')) {
        /* A change from gdb would not be in the trace: the replay would
         * diverge. Refused (docs/gdb.md). */
        send_packet(g, "E01");
        return;
    }
    switch (p[0]) {
    case '?':
        if (g->running)
            stop_now(g, g->cur_hart, NULL);
        else {
            char buf[64];
            format_stop(g, buf, sizeof(buf), g->cur_hart, NULL);
            m->paused = true;
            send_packet(g, buf);
        }
        break;
    case 'q':
        handle_query(g, p);
        break;
    case 'Q':
        if (!strcmp(p, "QStartNoAckMode")) {
            send_packet(g, "OK");
            g->noack = true;
        } else {
            send_packet(g, "");
        }
        break;
    case 'H': {
        bool ok;
        int hart = thread_hart(g, p + 2, &ok);
        if (!ok || (p[1] != 'g' && p[1] != 'c')) {
            send_packet(g, "E01");
            break;
        }
        if (p[1] == 'g')
            g->g_hart = hart >= 0 ? hart : g->cur_hart;
        send_packet(g, "OK");
        break;
    }
    case 'T': {
        bool ok;
        int hart = thread_hart(g, p + 1, &ok);
        send_packet(g, ok && hart >= 0 ? "OK" : "E01");
        break;
    }
    case 'g':
        handle_read_registers(g);
        break;
    case 'G':
        handle_write_registers(g, p + 1);
        break;
    case 'p':
        handle_read_register(g, p + 1);
        break;
    case 'P':
        handle_write_register(g, p + 1);
        break;
    case 'm':
        handle_read_memory(g, p + 1);
        break;
    case 'M':
        handle_write_memory(g, p + 1, len - 1, false);
        break;
    case 'X':
        handle_write_memory(g, p + 1, len - 1, true);
        break;
    case 'Z':
    case 'z':
        handle_breakpoint(g, p + 1, p[0] == 'Z');
        break;
    case 'c':
    case 's':
    case 'C':
    case 'S': {
        const char *a = p + 1;
        uint64_t addr;
        if (p[0] == 'C' || p[0] == 'S') { /* signal;addr */
            while (hex_digit(*a) >= 0)
                a++;
            if (*a == ';')
                a++;
        }
        if (*a && parse_hex(&a, &addr) && !recording(m))
            g_hart(g)->pc = addr;
        resume(g, p[0] == 's' || p[0] == 'S' ? g->g_hart : -1);
        break;
    }
    case 'v':
        if (!strncmp(p, "vCont", 5))
            handle_vcont(g, p + 5);
        else if (!strncmp(p, "vKill", 5)) {
            send_packet(g, "OK");
            m->monitor_request = TRACE_REQ_QUIT;
            m->paused = false;
        } else if (!strncmp(p, "vMustReplyEmpty", 15))
            send_packet(g, "");
        else
            send_packet(g, "");
        break;
    case 'b':
        if (!replaying(m)) {
            send_packet(g, "E22");
        } else if (p[1] == 's') {
            reverse_step(g, g->g_hart);
        } else if (p[1] == 'c') {
            reverse_continue(g);
        } else {
            send_packet(g, "");
        }
        break;
    case 'D':
        send_packet(g, "OK");
        disarm_end(g);
        g->nbp = g->nwp = 0;
        g->running = false;
        g->scan = SCAN_NONE;
        m->paused = false;
        break;
    case 'k':
        m->monitor_request = TRACE_REQ_QUIT;
        m->paused = false;
        break;
    default:
        send_packet(g, "");
        break;
    }
}

/* ---- input ---------------------------------------------------------------- */

static void session_start(GdbStub *g)
{
    g->hits_valid = false;
    g->connected = true;
    g->spoke = false;
    g->was_paused = g->m->paused;
    g->noack = false;
    g->rstate = 0;
    g->nbp = g->nwp = 0;
    g->running = false;
    g->step_hart = -1;
    g->scan = SCAN_NONE;
    g->cur_hart = g->g_hart = 0;
    g->m->paused = true; /* gdb expects a stopped target */
}

static void session_end(GdbStub *g)
{
    g->connected = false;
    g->nbp = g->nwp = 0;
    g->running = false;
    g->step_hart = -1;
    g->scan = SCAN_NONE;
    g->seeking = false;
    g->landing = false;
    disarm_end(g);
    /* Like QEMU the machine goes on without gdb; a client that left
     * without a packet (a port probe) changes nothing. */
    g->m->paused = g->spoke ? false : g->was_paused;
}

static void input_byte(GdbStub *g, uint8_t c)
{
    static unsigned sum, want;
    switch (g->rstate) {
    case 0:
        if (c == 0x03) {
            if (g->running && !g->seeking && g->scan == SCAN_NONE) {
                char buf[64];
                snprintf(buf, sizeof(buf), "T02thread:%x;", g->cur_hart + 1);
                g->running = false;
                g->step_hart = -1;
                g->scan = SCAN_NONE;
                g->m->paused = true;
                send_packet(g, buf);
            }
        } else if (c == '$') {
            g->rstate = 1;
            g->pkt_len = 0;
            g->pkt_overflow = false;
            sum = 0;
        }
        break; /* '+', '-' and noise */
    case 1:
        if (c == '#') {
            g->rstate = 2;
        } else {
            sum += c;
            if (g->pkt_len < GDB_PACKET_MAX)
                g->pkt[g->pkt_len++] = (char)c;
            else
                g->pkt_overflow = true;
        }
        break;
    case 2:
        want = (unsigned)(hex_digit((char)c) < 0 ? 0 : hex_digit((char)c)) << 4;
        g->rstate = 3;
        break;
    case 3: {
        want |= (unsigned)(hex_digit((char)c) < 0 ? 0 : hex_digit((char)c));
        g->rstate = 0;
        if (!g->noack && ((sum & 0xff) != want || g->pkt_overflow)) {
            send_raw(g, "-", 1);
            break;
        }
        if (!g->noack)
            send_raw(g, "+", 1);
        if (g->pkt_overflow) {
            send_packet(g, "E01"); /* longer than the PacketSize we offered */
            break;
        }
        /* Unescape (binary data of X packets). */
        size_t n = 0;
        for (size_t i = 0; i < g->pkt_len; i++) {
            char ch = g->pkt[i];
            if (ch == '}' && i + 1 < g->pkt_len)
                ch = (char)(g->pkt[++i] ^ 0x20);
            g->pkt[n++] = ch;
        }
        g->pkt[n] = 0;
        if (g->debug)
            fprintf(stderr, "gdb -> %.200s\n", g->pkt);
        g->spoke = true;
        if (n)
            handle_packet(g, g->pkt, n);
        break;
    }
    }
}

void gdb_poll(GdbStub *g)
{
    chardev_poll(&g->chr);
    bool now = g->chr.in_fd >= 0;
    if (now && !g->connected)
        session_start(g);
    while (chardev_input_available(&g->chr))
        input_byte(g, chardev_input_pop(&g->chr));
    if (!now && g->connected && g->chr.in_fd < 0)
        session_end(g);
    if (g->scan != SCAN_NONE && g->scan_done)
        scan_finished(g);
    if (g->seeking && g->m->paused && !virt_seek_busy(g->m))
        seek_arrived(g);
    /* Paused by someone else (monitor stop, replay_break) while gdb
     * thinks it runs: tell it. */
    if (g->running && !g->seeking && g->scan == SCAN_NONE && g->m->paused && g->connected)
        stop_now(g, g->cur_hart, NULL);
}

Chardev *gdb_chardev(GdbStub *g)
{
    return &g->chr;
}

GdbStub *gdb_create(VirtMachine *m, const char *spec, char *err, size_t err_len)
{
    char text[1200];
    if (!strncmp(spec, "tcp:", 4)) {
        const char *addr = spec + 4;
        const char *colon = strrchr(addr, ':');
        if (!colon || !colon[1] || strchr(colon, ',')) {
            snprintf(err, err_len, "'%s': expected tcp:[HOST]:PORT", spec);
            return NULL;
        }
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port <= 0 || port > 65535) {
            snprintf(err, err_len, "'%s': invalid port '%s'", spec, colon + 1);
            return NULL;
        }
        int host_len = (int)(colon - addr);
        snprintf(text, sizeof(text), "tcp:%.*s:%ld,server=on,wait=off",
                 host_len ? host_len : 9, host_len ? addr : "127.0.0.1", port);
    } else if (!strncmp(spec, "unix:", 5) && spec[5] && !strchr(spec, ',')) {
        snprintf(text, sizeof(text), "%s,server=on,wait=off", spec);
    } else {
        snprintf(err, err_len, "'%s': expected tcp:[HOST]:PORT or unix:PATH", spec);
        return NULL;
    }
    GdbStub *g = calloc(1, sizeof(*g));
    if (!g) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    if (!chardev_open(&g->chr, text, "gdb", false, err, err_len)) {
        free(g);
        return NULL;
    }
    g->m = m;
    g->step_hart = -1;
    g->hits = malloc(sizeof(GdbHit) * GDB_HIT_CACHE); /* NULL: no cache */
    g->debug = getenv("DEJA_GDB_DEBUG") != NULL;
    return g;
}

void gdb_destroy(GdbStub *g, int exit_status)
{
    if (!g)
        return;
    if (g->connected && g->chr.out_fd >= 0)
        send_fmt(g, "W%02x", exit_status & 0xff);
    chardev_close(&g->chr);
    free(g->rcmd_output);
    free(g->hits);
    free(g);
}
