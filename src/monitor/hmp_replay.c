/* replay_seek and the time-travel lines of `info replay` (hmp_replay.h,
 * docs/replay.md "Seeking"). */
#include "monitor/hmp_replay.h"

#include <inttypes.h>
#include <stdio.h>

#include "board/virt.h"
#include "board/virt_seek.h"

void hmp_replay_seek(Hmp *mon, const char *args)
{
    VirtMachine *m = hmp_machine(mon);
    uint64_t icount;
    if (!args || !*args || !hmp_parse_expr(mon, args, &icount)) {
        hmp_printf(mon, "replay_seek: instruction count expected\n");
        return;
    }
    char err[300];
    if (!virt_seek(m, icount, err, sizeof(err)))
        hmp_printf(mon, "replay_seek: %s\n", err);
}

void hmp_info_replay_seek(Hmp *mon)
{
    VirtMachine *m = hmp_machine(mon);
    if (!m->replay || replay_mode(m->replay) != REPLAY_PLAY)
        return;
    hmp_printf(mon, "State digest: %016" PRIx64 "\n", virt_seek_state_digest(m));
    hmp_printf(mon, "Events delivered: %" PRIu64 "\n", replay_events_delivered(m->replay));
    char line[400];
    virt_seek_info(m, line, sizeof(line));
    hmp_printf(mon, "%s\n", line);
}
