/* Time travel in a replay: in-memory checkpoints taken while replaying
 * (core state from virt_state.h plus the RAM pages written since the
 * previous checkpoint) and seeking to an exact instruction count,
 * forwards or backwards: restore the nearest checkpoint at or before the
 * target (or a savevm snapshot), then replay forward to the target.
 * Cost: one restore plus at most one checkpoint interval of execution,
 * independent of the trace's length. docs/replay.md. */
#ifndef DEJA_VIRT_SEEK_H
#define DEJA_VIRT_SEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct VirtMachine;

/* Called by virt_run at round boundaries in replay mode: takes a
 * checkpoint when one is due (cheap test otherwise). */
void virt_seek_tick(struct VirtMachine *m);

/* Replay mode only, machine paused at a round boundary. Moves the
 * machine to exactly `icount` (machine instruction count) and leaves it
 * paused there. False and a message in err when icount is past the end
 * of the trace or the machine is not replaying. */
bool virt_seek(struct VirtMachine *m, uint64_t icount, char *err, size_t err_len);

/* Drops all checkpoints (after loadvm or a reset of the replay). */
void virt_seek_forget(struct VirtMachine *m);

#endif
