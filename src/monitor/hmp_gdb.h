/* Replay positions in the monitor (and gdb's `monitor`): `when` prints
 * the current position, `goto` moves a replay to an instruction count or
 * to an event of the trace (docs/gdb.md). */
#ifndef DEJA_HMP_GDB_H
#define DEJA_HMP_GDB_H

#include "monitor/hmp.h"

void hmp_when(Hmp *mon);
void hmp_goto(Hmp *mon, const char *args);

#endif
