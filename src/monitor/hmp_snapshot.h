/* HMP savevm, loadvm, delvm and info snapshots (hmp_snapshot.c),
 * dispatched from hmp_execute. docs/snapshots.md. */
#ifndef DEJA_HMP_SNAPSHOT_H
#define DEJA_HMP_SNAPSHOT_H

#include "monitor/hmp.h"

void hmp_savevm(Hmp *mon, const char *args);
void hmp_loadvm(Hmp *mon, const char *args);
void hmp_delvm(Hmp *mon, const char *args);
void hmp_info_snapshots(Hmp *mon);

#endif
