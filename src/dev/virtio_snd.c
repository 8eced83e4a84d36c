/* virtio-sound (virtio_snd.h), virtio 1.2 section 5.14. */
#include "dev/virtio_snd.h"

#include <stdlib.h>
#include <string.h>

#include "replay/clock.h"

#define SND_UNANCHORED UINT64_MAX
#define SND_XFER_HEADER 4  /* struct virtio_snd_pcm_xfer */
#define SND_XFER_STATUS 8  /* struct virtio_snd_pcm_status */
#define SND_MAX_MESSAGE_BYTES (1u << 20)
#define SND_MAX_INFO_SIZE 4096u
#define SND_JACK_INFO_SIZE 24
#define SND_PCM_INFO_SIZE 32
#define SND_CHMAP_INFO_SIZE 24
/* HDA pin default configuration (jack info): device type in bits 20-23. */
#define SND_HDA_LINE_OUT 0x0u
#define SND_HDA_MIC_IN 0xau

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t virtio_snd_rate_hz(uint8_t rate)
{
    static const uint32_t hz[] = { 5512,  8000,  11025, 16000,  22050,  32000,  44100,
                                   48000, 64000, 88200, 96000, 176400, 192000, 384000 };
    return rate < sizeof(hz) / sizeof(hz[0]) ? hz[rate] : 0;
}

static const uint64_t snd_formats = 1ull << VIRTIO_SND_PCM_FMT_S16;
static const uint64_t snd_rates = (1ull << VIRTIO_SND_PCM_RATE_44100) |
                                  (1ull << VIRTIO_SND_PCM_RATE_48000);

static uint32_t snd_config_read(void *dev, uint64_t offset, int size)
{
    VirtioSnd *snd = dev;
    if (offset >= sizeof(snd->config) || (uint64_t)size > sizeof(snd->config) - offset)
        return 0;
    uint32_t v = 0;
    for (int i = size - 1; i >= 0; i--)
        v = v << 8 | snd->config[offset + i];
    return v;
}

/* ---- control queue --------------------------------------------------- */

static void jack_info(uint32_t id, uint8_t *out)
{
    memset(out, 0, SND_JACK_INFO_SIZE);
    uint32_t device = id == 0 ? SND_HDA_LINE_OUT : SND_HDA_MIC_IN;
    /* Jack connectivity, rear location, 1/8" connector, black (out) or
     * pink (mic), association 1, sequence = id. */
    uint32_t defconf = (0x1u << 24) | (device << 20) | (0x1u << 16) |
                       ((id == 0 ? 0x1u : 0x9u) << 12) | (0x1u << 4) | id;
    put_le(out + 0, 0, 4);         /* hda_fn_nid */
    put_le(out + 4, 0, 4);         /* features: no remap */
    put_le(out + 8, defconf, 4);   /* hda_reg_defconf */
    put_le(out + 12, 1u << 2, 4);  /* hda_reg_caps: presence detect */
    out[16] = 1;                   /* connected */
}

static void pcm_info(uint32_t id, uint8_t *out)
{
    memset(out, 0, SND_PCM_INFO_SIZE);
    put_le(out + 0, 0, 4); /* hda_fn_nid: both streams form PCM device 0 */
    put_le(out + 4, 0, 4); /* features */
    put_le(out + 8, snd_formats, 8);
    put_le(out + 16, snd_rates, 8);
    out[24] = id == VIRTIO_SND_STREAM_PLAYBACK ? VIRTIO_SND_D_OUTPUT : VIRTIO_SND_D_INPUT;
    out[25] = 1; /* channels_min */
    out[26] = 2; /* channels_max */
}

static void chmap_info(uint32_t id, uint8_t *out)
{
    memset(out, 0, SND_CHMAP_INFO_SIZE);
    out[4] = id == 0 ? VIRTIO_SND_D_OUTPUT : VIRTIO_SND_D_INPUT;
    out[5] = 2;
    out[6] = 3; /* VIRTIO_SND_CHMAP_FL */
    out[7] = 4; /* VIRTIO_SND_CHMAP_FR */
}

/* Query: {hdr, start_id, count, size} -> status + count items of size. */
static uint32_t snd_query(VirtioSnd *snd, VirtioMmio *t, const VirtioChain *c,
                          const uint8_t *req, uint32_t *written)
{
    uint32_t code = get_le32(req), start = get_le32(req + 4), count = get_le32(req + 8),
             size = get_le32(req + 12);
    uint32_t items, item_size;
    void (*fill)(uint32_t, uint8_t *);
    if (code == VIRTIO_SND_R_JACK_INFO) {
        items = VIRTIO_SND_JACKS, item_size = SND_JACK_INFO_SIZE, fill = jack_info;
    } else if (code == VIRTIO_SND_R_PCM_INFO) {
        items = VIRTIO_SND_STREAMS, item_size = SND_PCM_INFO_SIZE, fill = pcm_info;
    } else {
        items = VIRTIO_SND_CHMAPS, item_size = SND_CHMAP_INFO_SIZE, fill = chmap_info;
    }
    if (count == 0 || start >= items || count > items - start || size < item_size ||
        size > SND_MAX_INFO_SIZE || c->writable_len < 4 + (uint64_t)count * size)
        return VIRTIO_SND_S_BAD_MSG;
    uint8_t *item = calloc(1, size);
    if (!item)
        return VIRTIO_SND_S_IO_ERR;
    for (uint32_t i = 0; i < count; i++) {
        memset(item, 0, size);
        fill(start + i, item);
        virtio_chain_write(t, c, 4 + (uint64_t)i * size, item, size);
    }
    free(item);
    *written = 4 + count * size;
    return VIRTIO_SND_S_OK;
}

/* The chain of a held message, rebuilt in snd->chain. */
static VirtioChain *pending_chain(VirtioSnd *snd, const VirtioSndPending *p)
{
    VirtioChain *c = snd->chain;
    c->head = p->head;
    c->count = p->count;
    c->readable_len = p->readable_len;
    c->writable_len = p->writable_len;
    memcpy(c->segments, p->segments, sizeof(VirtioSegment) * p->count);
    return c;
}

/* Completes one held message with a status (and, for capture, `data`
 * bytes of data already written). */
static void snd_complete(VirtioSnd *snd, int queue, const VirtioSndPending *p, uint32_t status,
                         uint32_t data)
{
    VirtioChain *c = pending_chain(snd, p);
    uint8_t st[SND_XFER_STATUS] = { 0 };
    put_le(st, status, 4);
    virtio_chain_write(snd->transport, c, p->writable_len - SND_XFER_STATUS, st, sizeof(st));
    virtio_queue_push(snd->transport, queue, c, data + SND_XFER_STATUS);
}

static int stream_queue(const VirtioSndStream *s)
{
    return s->direction == VIRTIO_SND_D_OUTPUT ? VIRTIO_SND_QUEUE_TX : VIRTIO_SND_QUEUE_RX;
}

/* RELEASE: every held message goes back to the driver (5.14.6.6.5.1). */
static void snd_flush_stream(VirtioSnd *snd, VirtioSndStream *s)
{
    int queue = stream_queue(s);
    while (s->pending_count) {
        snd_complete(snd, queue, &s->pending[s->pending_head], VIRTIO_SND_S_OK, 0);
        s->pending_head = (s->pending_head + 1) % VIRTIO_SND_MAX_PENDING;
        s->pending_count--;
    }
    s->pending_head = 0;
    virtio_queue_notify_guest(snd->transport, queue);
}

static uint32_t snd_set_params(VirtioSndStream *s, const uint8_t *req)
{
    uint32_t buffer_bytes = get_le32(req + 8), period_bytes = get_le32(req + 12),
             features = get_le32(req + 16);
    uint8_t channels = req[20], format = req[21], rate = req[22];
    if (s->state == VIRTIO_SND_ST_RUNNING)
        return VIRTIO_SND_S_BAD_MSG;
    if (format > 63 || rate > 63 || !((snd_formats >> format) & 1) || !((snd_rates >> rate) & 1) ||
        features != 0)
        return VIRTIO_SND_S_NOT_SUPP;
    if (channels < 1 || channels > 2 || period_bytes == 0 || buffer_bytes < period_bytes ||
        period_bytes % (2u * channels) || buffer_bytes % (2u * channels))
        return VIRTIO_SND_S_BAD_MSG;
    s->buffer_bytes = buffer_bytes;
    s->period_bytes = period_bytes;
    s->features = features;
    s->channels = channels;
    s->format = format;
    s->rate = rate;
    s->state = VIRTIO_SND_ST_PARAMS;
    return VIRTIO_SND_S_OK;
}

static uint32_t snd_pcm_request(VirtioSnd *snd, uint32_t code, const uint8_t *req,
                                uint64_t req_len)
{
    uint32_t stream_id = get_le32(req + 4);
    if (stream_id >= VIRTIO_SND_STREAMS)
        return VIRTIO_SND_S_BAD_MSG;
    VirtioSndStream *s = &snd->streams[stream_id];
    uint32_t hz = s->channels ? virtio_snd_rate_hz(s->rate) : 0;
    switch (code) {
    case VIRTIO_SND_R_PCM_SET_PARAMS:
        if (req_len < 24)
            return VIRTIO_SND_S_BAD_MSG;
        return snd_set_params(s, req);
    case VIRTIO_SND_R_PCM_PREPARE:
        if (s->channels == 0 || s->state == VIRTIO_SND_ST_RUNNING)
            return VIRTIO_SND_S_BAD_MSG;
        s->state = VIRTIO_SND_ST_PREPARED;
        return VIRTIO_SND_S_OK;
    case VIRTIO_SND_R_PCM_RELEASE:
        /* From any state but running (releasing twice is harmless). */
        if (s->state == VIRTIO_SND_ST_RUNNING)
            return VIRTIO_SND_S_BAD_MSG;
        snd_flush_stream(snd, s);
        s->state = VIRTIO_SND_ST_IDLE;
        return VIRTIO_SND_S_OK;
    case VIRTIO_SND_R_PCM_START:
        if (s->state != VIRTIO_SND_ST_PREPARED)
            return VIRTIO_SND_S_BAD_MSG;
        s->state = VIRTIO_SND_ST_RUNNING;
        s->start_ns = SND_UNANCHORED;
        s->frames_done = 0;
        if (snd->host.stream_event)
            snd->host.stream_event(snd->host.opaque, (int)stream_id, true, hz, s->channels);
        return VIRTIO_SND_S_OK;
    case VIRTIO_SND_R_PCM_STOP:
        if (s->state != VIRTIO_SND_ST_RUNNING)
            return VIRTIO_SND_S_BAD_MSG;
        s->state = VIRTIO_SND_ST_PREPARED;
        if (snd->host.stream_event)
            snd->host.stream_event(snd->host.opaque, (int)stream_id, false, hz, s->channels);
        return VIRTIO_SND_S_OK;
    }
    return VIRTIO_SND_S_NOT_SUPP;
}

static void snd_control(VirtioSnd *snd, VirtioMmio *t)
{
    VirtioChain *c = malloc(sizeof(*c));
    if (!c)
        return;
    while (virtio_queue_pop(t, VIRTIO_SND_QUEUE_CONTROL, c) > 0) {
        uint8_t req[32] = { 0 };
        uint64_t req_len = c->readable_len < sizeof(req) ? c->readable_len : sizeof(req);
        virtio_chain_read(t, c, 0, req, req_len);
        uint32_t status, written = 4;
        if (c->writable_len < 4) {
            /* No room for a status: nothing to answer with. */
            virtio_queue_push(t, VIRTIO_SND_QUEUE_CONTROL, c, 0);
            continue;
        }
        uint32_t code = req_len >= 4 ? get_le32(req) : 0;
        if (req_len < 4)
            status = VIRTIO_SND_S_BAD_MSG;
        else if (code == VIRTIO_SND_R_JACK_INFO || code == VIRTIO_SND_R_PCM_INFO ||
                 code == VIRTIO_SND_R_CHMAP_INFO)
            status = req_len < 16 ? VIRTIO_SND_S_BAD_MSG : snd_query(snd, t, c, req, &written);
        else if (code == VIRTIO_SND_R_JACK_REMAP)
            status = VIRTIO_SND_S_NOT_SUPP;
        else if (code >= VIRTIO_SND_R_PCM_SET_PARAMS && code <= VIRTIO_SND_R_PCM_STOP)
            status = req_len < 8 ? VIRTIO_SND_S_BAD_MSG : snd_pcm_request(snd, code, req, req_len);
        else
            status = VIRTIO_SND_S_NOT_SUPP;
        if (status != VIRTIO_SND_S_OK)
            written = 4;
        uint8_t st[4];
        put_le(st, status, 4);
        virtio_chain_write(t, c, 0, st, 4);
        virtio_queue_push(t, VIRTIO_SND_QUEUE_CONTROL, c, written);
    }
    free(c);
    virtio_queue_notify_guest(t, VIRTIO_SND_QUEUE_CONTROL);
}

/* ---- I/O queues ------------------------------------------------------ */

static void snd_take_io(VirtioSnd *snd, VirtioMmio *t, int queue)
{
    VirtioChain *c = malloc(sizeof(*c));
    if (!c)
        return;
    while (virtio_queue_pop(t, queue, c) > 0) {
        VirtioSndPending p = { .head = c->head, .count = (uint8_t)c->count,
                               .readable_len = (uint32_t)c->readable_len,
                               .writable_len = (uint32_t)c->writable_len };
        uint8_t hdr[SND_XFER_HEADER] = { 0 };
        virtio_chain_read(t, c, 0, hdr, c->readable_len < 4 ? c->readable_len : 4);
        uint32_t stream_id = get_le32(hdr);
        if (c->writable_len < SND_XFER_STATUS) {
            virtio_queue_push(t, queue, c, 0); /* no room for a status */
            continue;
        }
        uint32_t status = VIRTIO_SND_S_OK;
        uint64_t data = queue == VIRTIO_SND_QUEUE_TX ? c->readable_len - SND_XFER_HEADER
                                                     : c->writable_len - SND_XFER_STATUS;
        VirtioSndStream *s = stream_id < VIRTIO_SND_STREAMS ? &snd->streams[stream_id] : NULL;
        if (c->readable_len < SND_XFER_HEADER || !s || stream_queue(s) != queue ||
            (queue == VIRTIO_SND_QUEUE_RX && c->readable_len != SND_XFER_HEADER) ||
            s->channels == 0 || data == 0 || data % (2u * s->channels) ||
            s->state < VIRTIO_SND_ST_PREPARED)
            status = VIRTIO_SND_S_BAD_MSG;
        else if (data > SND_MAX_MESSAGE_BYTES || c->count > VIRTIO_SND_MAX_SEGMENTS ||
                 s->pending_count == VIRTIO_SND_MAX_PENDING)
            status = VIRTIO_SND_S_IO_ERR;
        if (status != VIRTIO_SND_S_OK) {
            p.count = 0;
            uint8_t st[SND_XFER_STATUS] = { 0 };
            put_le(st, status, 4);
            virtio_chain_write(t, c, c->writable_len - SND_XFER_STATUS, st, sizeof(st));
            virtio_queue_push(t, queue, c, SND_XFER_STATUS);
            continue;
        }
        memcpy(p.segments, c->segments, sizeof(VirtioSegment) * (size_t)c->count);
        s->pending[(s->pending_head + s->pending_count++) % VIRTIO_SND_MAX_PENDING] = p;
    }
    free(c);
    virtio_queue_notify_guest(t, queue);
}

static void snd_queue_notify(void *dev, VirtioMmio *t, int queue)
{
    VirtioSnd *snd = dev;
    snd->transport = t;
    if (queue == VIRTIO_SND_QUEUE_CONTROL)
        snd_control(snd, t);
    else if (queue == VIRTIO_SND_QUEUE_TX || queue == VIRTIO_SND_QUEUE_RX)
        snd_take_io(snd, t, queue);
    /* eventq: the buffers stay with the device; deja sends no events. */
}

static uint64_t frames_to_ns(uint64_t frames, uint32_t hz)
{
    return frames / hz * 1000000000ull + frames % hz * 1000000000ull / hz;
}

static uint64_t pending_frames(const VirtioSndStream *s, const VirtioSndPending *p)
{
    uint64_t data = s->direction == VIRTIO_SND_D_OUTPUT ? p->readable_len - SND_XFER_HEADER
                                                        : p->writable_len - SND_XFER_STATUS;
    return data / (2u * s->channels);
}

static uint64_t stream_deadline(const VirtioSndStream *s)
{
    if (s->state != VIRTIO_SND_ST_RUNNING || !s->pending_count || s->start_ns == SND_UNANCHORED)
        return CLOCK_NEVER;
    uint32_t hz = virtio_snd_rate_hz(s->rate);
    uint64_t frames = s->frames_done + pending_frames(s, &s->pending[s->pending_head]);
    return s->start_ns + frames_to_ns(frames, hz);
}

uint64_t virtio_snd_next_deadline(const VirtioSnd *snd)
{
    uint64_t best = CLOCK_NEVER;
    for (int i = 0; i < VIRTIO_SND_STREAMS; i++) {
        uint64_t d = stream_deadline(&snd->streams[i]);
        if (d < best)
            best = d;
    }
    return best;
}

static bool ensure_scratch(VirtioSnd *snd, size_t len)
{
    if (snd->scratch_len >= len)
        return true;
    uint8_t *p = realloc(snd->scratch, len);
    if (!p)
        return false;
    snd->scratch = p;
    snd->scratch_len = len;
    return true;
}

int virtio_snd_service(VirtioSnd *snd, uint64_t now_ns)
{
    VirtioMmio *t = snd->transport;
    if (!t)
        return -1;
    int status = -1;
    for (int i = 0; i < VIRTIO_SND_STREAMS && status == -1; i++) {
        VirtioSndStream *s = &snd->streams[i];
        if (s->state != VIRTIO_SND_ST_RUNNING)
            continue;
        if (!s->pending_count) {
            /* Ran dry (playback underrun, capture overrun): the next
             * message starts a new run at the time it is seen. */
            s->start_ns = SND_UNANCHORED;
            continue;
        }
        if (s->start_ns == SND_UNANCHORED) {
            s->start_ns = now_ns;
            s->frames_done = 0;
        }
        uint32_t hz = virtio_snd_rate_hz(s->rate);
        int queue = stream_queue(s);
        bool pushed = false;
        while (s->pending_count && stream_deadline(s) <= now_ns) {
            VirtioSndPending *p = &s->pending[s->pending_head];
            uint64_t frames = pending_frames(s, p);
            uint32_t bytes = (uint32_t)(frames * 2u * s->channels);
            uint32_t st = VIRTIO_SND_S_OK, data = 0;
            VirtioChain *c = pending_chain(snd, p);
            if (!ensure_scratch(snd, bytes)) {
                st = VIRTIO_SND_S_IO_ERR;
            } else if (s->direction == VIRTIO_SND_D_OUTPUT) {
                if (virtio_chain_read(t, c, SND_XFER_HEADER, snd->scratch, bytes) &&
                    snd->host.playback)
                    snd->host.playback(snd->host.opaque, snd->scratch, bytes, hz, s->channels);
            } else {
                memset(snd->scratch, 0, bytes);
                if (snd->host.capture)
                    status = snd->host.capture(snd->host.opaque, snd->scratch, bytes, hz,
                                               s->channels);
                if (status != -1)
                    break; /* replay divergence: leave the message held */
                virtio_chain_write(t, c, 0, snd->scratch, bytes);
                data = bytes;
            }
            snd_complete(snd, queue, p, st, data);
            pushed = true;
            s->frames_done += frames;
            s->pending_head = (s->pending_head + 1) % VIRTIO_SND_MAX_PENDING;
            s->pending_count--;
        }
        if (pushed)
            virtio_queue_notify_guest(t, queue);
    }
    return status;
}

/* ---- lifecycle ------------------------------------------------------- */

static void snd_reset(void *dev)
{
    VirtioSnd *snd = dev;
    for (int i = 0; i < VIRTIO_SND_STREAMS; i++) {
        VirtioSndStream *s = &snd->streams[i];
        if (s->state == VIRTIO_SND_ST_RUNNING && snd->host.stream_event)
            snd->host.stream_event(snd->host.opaque, i, false, virtio_snd_rate_hz(s->rate),
                                   s->channels);
        uint8_t direction = s->direction;
        memset(s, 0, sizeof(*s));
        s->direction = direction;
    }
}

static void snd_save(void *dev, StateWriter *w)
{
    const VirtioSnd *snd = dev;
    for (int i = 0; i < VIRTIO_SND_STREAMS; i++) {
        const VirtioSndStream *s = &snd->streams[i];
        state_put_u8(w, s->state);
        state_put_u32(w, s->buffer_bytes);
        state_put_u32(w, s->period_bytes);
        state_put_u32(w, s->features);
        state_put_u8(w, s->channels);
        state_put_u8(w, s->format);
        state_put_u8(w, s->rate);
        state_put_u64(w, s->start_ns);
        state_put_u64(w, s->frames_done);
        state_put_u32(w, (uint32_t)s->pending_count);
        for (int k = 0; k < s->pending_count; k++) {
            const VirtioSndPending *p = &s->pending[(s->pending_head + k) % VIRTIO_SND_MAX_PENDING];
            state_put_u32(w, p->head);
            state_put_u8(w, p->count);
            state_put_u32(w, p->readable_len);
            state_put_u32(w, p->writable_len);
            for (int j = 0; j < p->count; j++) {
                state_put_u64(w, p->segments[j].addr);
                state_put_u32(w, p->segments[j].len);
                state_put_bool(w, p->segments[j].device_writes);
            }
        }
    }
}

/* Restores what snd_save wrote; every value is checked (the state file may
 * be hostile). The host side follows lazily (audio backends open on the
 * next sample). */
static bool snd_load(void *dev, VirtioMmio *t, StateReader *r)
{
    VirtioSnd *snd = dev;
    VirtioSndStream *loaded = calloc(VIRTIO_SND_STREAMS, sizeof(*loaded));
    if (!loaded)
        return false;
    bool ok = true;
    for (int i = 0; ok && i < VIRTIO_SND_STREAMS; i++) {
        VirtioSndStream *s = &loaded[i];
        s->direction = snd->streams[i].direction;
        s->state = state_get_u8(r);
        s->buffer_bytes = state_get_u32(r);
        s->period_bytes = state_get_u32(r);
        s->features = state_get_u32(r);
        s->channels = state_get_u8(r);
        s->format = state_get_u8(r);
        s->rate = state_get_u8(r);
        s->start_ns = state_get_u64(r);
        s->frames_done = state_get_u64(r);
        uint32_t count = state_get_u32(r);
        ok = !r->failed && s->state <= VIRTIO_SND_ST_RUNNING && s->channels <= 2 &&
             count <= VIRTIO_SND_MAX_PENDING &&
             (s->channels == 0 ? s->state == VIRTIO_SND_ST_IDLE && count == 0
                               : ((snd_formats >> (s->format & 63)) & 1) && s->format < 64 &&
                                     s->rate < 64 && ((snd_rates >> s->rate) & 1));
        for (uint32_t k = 0; ok && k < count; k++) {
            VirtioSndPending *p = &s->pending[k];
            uint32_t head = state_get_u32(r);
            p->count = state_get_u8(r);
            p->readable_len = state_get_u32(r);
            p->writable_len = state_get_u32(r);
            ok = !r->failed && head < VIRTIO_QUEUE_MAX_SIZE && p->count >= 1 &&
                 p->count <= VIRTIO_SND_MAX_SEGMENTS;
            p->head = (uint16_t)head;
            uint64_t readable = 0, writable = 0;
            for (int j = 0; ok && j < p->count; j++) {
                p->segments[j].addr = state_get_u64(r);
                p->segments[j].len = state_get_u32(r);
                p->segments[j].device_writes = state_get_bool(r);
                if (p->segments[j].device_writes)
                    writable += p->segments[j].len;
                else
                    readable += p->segments[j].len;
                ok = !r->failed && p->segments[j].len > 0 && t->bus &&
                     bus_is_ram(t->bus, p->segments[j].addr, p->segments[j].len);
            }
            uint64_t data = s->direction == VIRTIO_SND_D_OUTPUT
                                ? p->readable_len - (uint64_t)SND_XFER_HEADER
                                : p->writable_len - (uint64_t)SND_XFER_STATUS;
            ok = ok && readable == p->readable_len && writable == p->writable_len &&
                 p->readable_len >= SND_XFER_HEADER && p->writable_len >= SND_XFER_STATUS &&
                 data > 0 && data <= SND_MAX_MESSAGE_BYTES && data % (2u * s->channels) == 0;
        }
        s->pending_count = ok ? (int)count : 0;
    }
    if (ok) {
        memcpy(snd->streams, loaded, sizeof(*loaded) * VIRTIO_SND_STREAMS);
        snd->transport = t;
    }
    free(loaded);
    return ok;
}

bool virtio_snd_init(VirtioSnd *snd, const VirtioSndHost *host)
{
    memset(snd, 0, sizeof(*snd));
    snd->chain = malloc(sizeof(*snd->chain));
    if (!snd->chain)
        return false;
    if (host)
        snd->host = *host;
    put_le(snd->config + 0, VIRTIO_SND_JACKS, 4);
    put_le(snd->config + 4, VIRTIO_SND_STREAMS, 4);
    put_le(snd->config + 8, VIRTIO_SND_CHMAPS, 4);
    snd->streams[VIRTIO_SND_STREAM_PLAYBACK].direction = VIRTIO_SND_D_OUTPUT;
    snd->streams[VIRTIO_SND_STREAM_CAPTURE].direction = VIRTIO_SND_D_INPUT;
    snd->ops = (VirtioDeviceOps){
        .name = "virtio-snd",
        .device_id = VIRTIO_SND_DEVICE_ID,
        .features = 0,
        .queue_count = 4,
        .config_read = snd_config_read,
        .queue_notify = snd_queue_notify,
        .reset = snd_reset,
        .save = snd_save,
        .load = snd_load,
    };
    return true;
}

void virtio_snd_set_transport(VirtioSnd *snd, VirtioMmio *t)
{
    snd->transport = t;
}

void virtio_snd_free(VirtioSnd *snd)
{
    free(snd->chain);
    free(snd->scratch);
    snd->chain = NULL;
    snd->scratch = NULL;
}
