/* The whole machine's state as versioned sections, for savevm/loadvm
 * (src/snapshot/) and for replay's in-memory checkpoints (virt_seek.c).
 *
 * "Core" state is everything but guest RAM: every hart, every device
 * (DeviceClass.save/load), the virtual clock and scheduler position, the
 * block devices' copy-on-write overlays, the network devices' pending
 * frames and the replay position (replay_position_save) when replaying.
 * RAM is saved apart (zero pages skipped and compressed in a snapshot
 * file; dirty-page diffs in a checkpoint), so callers choose how.
 *
 * Loading checks every section's name and version and the machine's
 * configuration (hart count, RAM size, device list); a mismatch is
 * refused with a message naming what differs, before anything changes
 * where possible. After a load the TLBs and the code cache are flushed. */
#ifndef DEJA_VIRT_STATE_H
#define DEJA_VIRT_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot/state.h"

struct VirtMachine;

void virt_state_save_core(struct VirtMachine *m, StateWriter *w);
bool virt_state_load_core(struct VirtMachine *m, StateReader *r, char *err, size_t err_len);
/* The same; restore_replay false keeps the replay log where it is (a
 * loadvm logged in a recording is replayed at its own icount and the log
 * goes on after it). virt_state_load_core is restore_replay = true. */
bool virt_state_load_core_ex(struct VirtMachine *m, StateReader *r, bool restore_replay,
                             char *err, size_t err_len);

/* A short text naming the machine configuration (harts, RAM size, the
 * devices and their addresses): two machines that agree on it can load
 * each other's state. */
void virt_state_config_id(const struct VirtMachine *m, char *out, size_t out_len);

#endif
