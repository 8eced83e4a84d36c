/* A tiny state serializer: a growable byte buffer written with fixed-width
 * little-endian fields, and a bounds-checked reader for it. Device models
 * write their state with it (DeviceClass.save), the replay sync points
 * hash or embed what they write, and snapshots (savevm) will store it.
 *
 * Errors are sticky: a failed allocation or a read past the end sets
 * `failed` and later calls do nothing (reads return 0), so callers check
 * once at the end instead of after every field. */
#ifndef DEJA_STATE_H
#define DEJA_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StateWriter {
    uint8_t *data;
    size_t len, cap;
    bool failed; /* out of memory */
} StateWriter;

typedef struct StateReader {
    const uint8_t *data;
    size_t len, pos;
    bool failed; /* read past the end */
} StateReader;

void state_writer_init(StateWriter *w);
void state_writer_free(StateWriter *w);
/* Empties the buffer but keeps its memory (for reuse in a loop). */
void state_writer_clear(StateWriter *w);

void state_put_u8(StateWriter *w, uint8_t v);
void state_put_u32(StateWriter *w, uint32_t v);
void state_put_u64(StateWriter *w, uint64_t v);
void state_put_bool(StateWriter *w, bool v);
void state_put_bytes(StateWriter *w, const void *data, size_t len);
/* Unsigned LEB128, as the trace format's varints. */
void state_put_varint(StateWriter *w, uint64_t v);
/* varint length + bytes. */
void state_put_string(StateWriter *w, const char *s);

void state_reader_init(StateReader *r, const void *data, size_t len);
uint8_t state_get_u8(StateReader *r);
uint32_t state_get_u32(StateReader *r);
uint64_t state_get_u64(StateReader *r);
bool state_get_bool(StateReader *r);
/* Copies len bytes; false (and `failed`) if fewer remain. */
bool state_get_bytes(StateReader *r, void *out, size_t len);
/* Returns a pointer into the buffer for len bytes, NULL if fewer remain. */
const uint8_t *state_get_span(StateReader *r, size_t len);
uint64_t state_get_varint(StateReader *r);
/* Reads a string written by state_put_string into out (NUL-terminated,
 * truncated to out_size - 1). */
bool state_get_string(StateReader *r, char *out, size_t out_size);
static inline bool state_reader_at_end(const StateReader *r) { return r->pos == r->len; }

#endif
