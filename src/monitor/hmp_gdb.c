/* `when` and `goto` (hmp_gdb.h, docs/gdb.md "Positions"). */
#include "monitor/hmp_gdb.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_seek.h"
#include "replay/trace.h"

static bool replaying(const VirtMachine *m)
{
    return m->replay && replay_mode(m->replay) == REPLAY_PLAY;
}

void hmp_when(Hmp *mon)
{
    VirtMachine *m = hmp_machine(mon);
    uint64_t ns = clock_now_ns(&m->clock);
    hmp_printf(mon, "Instruction count: %" PRIu64 "\n", m->clock.machine_icount);
    hmp_printf(mon, "Virtual time: %" PRIu64 ".%09" PRIu64 " s\n", ns / UINT64_C(1000000000),
               ns % UINT64_C(1000000000));
    if (replaying(m))
        hmp_printf(mon, "Last event: %" PRIu64 "\n", replay_events_delivered(m->replay));
    for (int i = 0; i < m->hart_count; i++)
        hmp_printf(mon, "Hart %d: pc %016" PRIx64 ", %" PRIu64 " instructions retired\n", i,
                   m->harts[i]->pc, m->harts[i]->instret);
}

/* The instruction count of event `number` (from 1, as deja-trace counts). */
static bool event_icount(VirtMachine *m, uint64_t number, uint64_t *icount, char *err,
                         size_t err_len)
{
    TraceReader *r = trace_reader_open(m->config.replay.path, err, err_len);
    if (!r)
        return false;
    TraceEvent ev;
    uint64_t n = 0;
    int rc;
    while ((rc = trace_reader_next(r, &ev)) == 1) {
        if (++n == number) {
            *icount = ev.icount;
            trace_reader_close(r);
            return true;
        }
    }
    if (rc < 0)
        snprintf(err, err_len, "%s", trace_reader_error(r));
    else
        snprintf(err, err_len, "the trace has %" PRIu64 " events", n);
    trace_reader_close(r);
    return false;
}

void hmp_goto(Hmp *mon, const char *args)
{
    VirtMachine *m = hmp_machine(mon);
    if (!replaying(m)) {
        hmp_printf(mon, "goto: only possible while replaying (-icount rr=replay)\n");
        return;
    }
    bool event = false;
    if (args && !strncmp(args, "event ", 6)) {
        event = true;
        args += 6;
        while (*args == ' ')
            args++;
    }
    uint64_t value;
    if (!args || !*args || !hmp_parse_expr(mon, args, &value)) {
        hmp_printf(mon, "goto: usage: goto ICOUNT | goto event NUMBER\n");
        return;
    }
    char err[300];
    uint64_t icount = value;
    if (event) {
        if (value == 0) {
            hmp_printf(mon, "goto: events are numbered from 1\n");
            return;
        }
        if (!event_icount(m, value, &icount, err, sizeof(err))) {
            hmp_printf(mon, "goto: event %" PRIu64 ": %s\n", value, err);
            return;
        }
    }
    if (!virt_seek(m, icount, err, sizeof(err)))
        hmp_printf(mon, "goto: %s\n", err);
    else if (event)
        hmp_printf(mon, "Going to event %" PRIu64 " at instruction %" PRIu64 "\n", value, icount);
}
