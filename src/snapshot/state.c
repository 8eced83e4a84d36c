/* The state serializer (state.h). */
#include "snapshot/state.h"

#include <stdlib.h>
#include <string.h>

void state_writer_init(StateWriter *w) { *w = (StateWriter){ 0 }; }

void state_writer_free(StateWriter *w)
{
    free(w->data);
    *w = (StateWriter){ 0 };
}

void state_writer_clear(StateWriter *w)
{
    w->len = 0;
    w->failed = false;
}

static bool state_reserve(StateWriter *w, size_t more)
{
    if (w->failed)
        return false;
    if (w->cap - w->len >= more)
        return true;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < more) {
        if (cap > SIZE_MAX / 2) {
            w->failed = true;
            return false;
        }
        cap *= 2;
    }
    uint8_t *data = realloc(w->data, cap);
    if (!data) {
        w->failed = true;
        return false;
    }
    w->data = data;
    w->cap = cap;
    return true;
}

void state_put_bytes(StateWriter *w, const void *data, size_t len)
{
    if (len == 0 || !state_reserve(w, len))
        return;
    memcpy(w->data + w->len, data, len);
    w->len += len;
}

static void state_put_le(StateWriter *w, uint64_t v, int bytes)
{
    uint8_t buf[8];
    for (int i = 0; i < bytes; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    state_put_bytes(w, buf, (size_t)bytes);
}

void state_put_u8(StateWriter *w, uint8_t v) { state_put_le(w, v, 1); }
void state_put_u32(StateWriter *w, uint32_t v) { state_put_le(w, v, 4); }
void state_put_u64(StateWriter *w, uint64_t v) { state_put_le(w, v, 8); }
void state_put_bool(StateWriter *w, bool v) { state_put_le(w, v ? 1 : 0, 1); }

void state_put_varint(StateWriter *w, uint64_t v)
{
    uint8_t buf[10];
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        buf[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    state_put_bytes(w, buf, n);
}

void state_put_string(StateWriter *w, const char *s)
{
    size_t len = strlen(s);
    state_put_varint(w, len);
    state_put_bytes(w, s, len);
}

void state_reader_init(StateReader *r, const void *data, size_t len)
{
    *r = (StateReader){ .data = data, .len = len };
}

const uint8_t *state_get_span(StateReader *r, size_t len)
{
    if (r->failed || r->len - r->pos < len) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += len;
    return p;
}

bool state_get_bytes(StateReader *r, void *out, size_t len)
{
    const uint8_t *p = state_get_span(r, len);
    if (!p) {
        memset(out, 0, len);
        return false;
    }
    memcpy(out, p, len);
    return true;
}

static uint64_t state_get_le(StateReader *r, int bytes)
{
    const uint8_t *p = state_get_span(r, (size_t)bytes);
    uint64_t v = 0;
    for (int i = 0; p && i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint8_t state_get_u8(StateReader *r) { return (uint8_t)state_get_le(r, 1); }
uint32_t state_get_u32(StateReader *r) { return (uint32_t)state_get_le(r, 4); }
uint64_t state_get_u64(StateReader *r) { return state_get_le(r, 8); }
bool state_get_bool(StateReader *r) { return state_get_le(r, 1) != 0; }

uint64_t state_get_varint(StateReader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        const uint8_t *p = state_get_span(r, 1);
        if (!p)
            return 0;
        if (shift == 63 && (*p & 0x7e)) {
            r->failed = true; /* more than 64 bits */
            return 0;
        }
        v |= (uint64_t)(*p & 0x7f) << shift;
        if (!(*p & 0x80))
            return v;
    }
    r->failed = true;
    return 0;
}

bool state_get_string(StateReader *r, char *out, size_t out_size)
{
    uint64_t len = state_get_varint(r);
    const uint8_t *p = state_get_span(r, (size_t)len);
    if (!p || out_size == 0) {
        if (out_size)
            out[0] = 0;
        return false;
    }
    size_t n = len < out_size - 1 ? (size_t)len : out_size - 1;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}
