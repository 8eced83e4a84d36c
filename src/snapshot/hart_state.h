/* The architectural state of a hart as a flat list of named fields, so
 * that snapshots can save and load it and a replay divergence report can
 * say "hart 0 register a0: recorded 0x.., replayed 0x..".
 *
 * Serialized form: u32 field count, then each field as a u64 (little
 * endian) in table order. The table only grows at the end, so an older
 * record is a prefix of a newer one. */
#ifndef DEJA_HART_STATE_H
#define DEJA_HART_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "snapshot/state.h"

int hart_state_field_count(void);
/* "a0", "ft3", "pc", "mstatus", "pmpaddr5", ...; NULL if out of range. */
const char *hart_state_field_name(int index);
/* Index of a field by name, -1 if none. */
int hart_state_field_find(const char *name);
uint64_t hart_state_field_get(const Hart *h, int index);
void hart_state_field_set(Hart *h, int index, uint64_t value);

void hart_state_save(const Hart *h, StateWriter *w);
/* Restores every field; false if the record is malformed. The caller
 * flushes the TLBs and the code cache afterwards. */
bool hart_state_load(Hart *h, StateReader *r);

#endif
