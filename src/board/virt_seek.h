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

/* Replay mode only, called from the monitor (or gdb stub) on the machine
 * thread, paused or running. Starts moving the machine to exactly
 * `icount` (machine instruction count); it gets there and pauses within
 * the next scheduler rounds, exactly as a straight replay paused by
 * replay_break at icount would be (same state, same slice, same replay
 * position). Until then virt_seek_busy() is true and the monitor holds
 * further commands; callers that need the result (gdb) wait for it
 * with that. A replay_break armed before is replaced. False and a message
 * in err when icount is past the end of the trace, the machine is not
 * replaying, or a seek is already in progress. Needs the monitor (the
 * pause is the monitor's). */
bool virt_seek(struct VirtMachine *m, uint64_t icount, char *err, size_t err_len);
bool virt_seek_busy(const struct VirtMachine *m);
/* A seek waits for the board to leave the current slice (virt.c). */
bool virt_seek_pending(const struct VirtMachine *m);

/* Drops all checkpoints (after loadvm or a reset of the replay). */
void virt_seek_forget(struct VirtMachine *m);
void virt_seek_free(struct VirtMachine *m);

/* A 64-bit digest of the whole machine state (harts, devices, clock, all
 * of RAM, events delivered): equal digests at equal icounts mean equal
 * states. Printed by `info replay`. */
uint64_t virt_seek_state_digest(struct VirtMachine *m);
/* One line about the checkpoints, for `info replay`. */
void virt_seek_info(struct VirtMachine *m, char *out, size_t out_len);

#endif
