/* savevm / loadvm / delvm / info snapshots on a VirtMachine
 * (docs/snapshots.md). A snapshot is one file, DIR/NAME.snap (snapfile.h),
 * holding the machine's core state (virt_state.h) and its RAM. DIR is
 * -snapshot-dir DIR, else RRFILE.snapshots beside the trace under
 * record/replay; without either there is nowhere to keep snapshots and the
 * commands say so, naming the option.
 *
 * Snapshots are taken and loaded at scheduler round boundaries only (the
 * monitor runs there; a replay_break pause inside a hart's turn is
 * refused). Loading:
 *  - plain run: the machine becomes the snapshot's;
 *  - replay: the machine AND the trace position move to the snapshot's
 *    instruction count (replay_position_load), replay goes on from there;
 *  - record: a LOADVM event is logged; the replay loads the same snapshot
 *    at that point and the trace's instruction count keeps growing
 *    (replay_rebase).
 * After a load the in-memory replay checkpoints are dropped
 * (virt_seek_forget), the TLBs and the code cache flushed. */
#ifndef DEJA_VIRT_SNAPSHOT_H
#define DEJA_VIRT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot/snapfile.h"

struct VirtMachine;

/* The snapshot directory into buf; NULL (and a message naming
 * -snapshot-dir in err) if none is configured. */
const char *virt_snapshot_dir(const struct VirtMachine *m, char *buf, size_t len, char *err,
                              size_t err_len);

/* Names: 1 to 64 characters of [A-Za-z0-9._-], not starting with '.'. */
bool virt_snapshot_name_ok(const char *name);

bool virt_snapshot_save(struct VirtMachine *m, const char *name, char *err, size_t err_len);
bool virt_snapshot_load(struct VirtMachine *m, const char *name, char *err, size_t err_len);
bool virt_snapshot_delete(struct VirtMachine *m, const char *name, char *err, size_t err_len);

/* The snapshots in the directory, sorted by save time then name
 * (malloc'ed array, *count entries); false and err if the directory
 * cannot be read (a missing directory is an empty list). Files that are
 * not valid snapshots are skipped. */
bool virt_snapshot_list(const struct VirtMachine *m, SnapInfo **list, int *count, char *err,
                        size_t err_len);

/* ReplaySink.loadvm: a LOADVM event of the trace (a loadvm during the
 * recording) loads NAME into the machine; the log stays where it is. */
bool virt_snapshot_replay_loadvm(void *machine, const char *name, char *err, size_t err_len);

/* -icount rrsnapshot=NAME, after virt_replay_start: record saves NAME,
 * replay loads it (it must have been taken at instruction 0). Prints a
 * message and returns false on failure. */
bool virt_snapshot_rr_start(struct VirtMachine *m);

#endif
