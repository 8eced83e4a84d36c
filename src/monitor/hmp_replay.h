/* Monitor commands for time travel in a replay (hmp_replay.c):
 * replay_seek ICOUNT and the extra lines of `info replay`. */
#ifndef DEJA_HMP_REPLAY_H
#define DEJA_HMP_REPLAY_H

#include "monitor/hmp.h"

void hmp_replay_seek(Hmp *mon, const char *args);
/* Lines after "Replaying execution ...": state digest, checkpoints. */
void hmp_info_replay_seek(Hmp *mon);

#endif
