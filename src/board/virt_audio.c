/* Audio of the virt board (virt_audio.h, docs/audio.md). */
#include "board/virt_audio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "dev/plic.h"
#include "dev/virtio_snd.h"
#include "replay/replay.h"
#include "util/message.h"

/* The guest-visible sound hardware, for the trace header: a replay with a
 * different -device line is refused; the backend may differ. */
#define VIRT_AUDIO_HARDWARE "virtio-sound-device(jacks=2,streams=1out+1in,chmaps=2,s16,44100/48000)"

typedef struct VirtAudioState {
    VirtMachine *machine;
    VirtioSnd snd;
    AudioBackend *backend;
    ClockTimerId timer;
} VirtAudioState;

bool virt_audio_parse_audiodev(VirtAudioConfig *c, const char *spec, char *err, size_t err_len)
{
    if (c->count == VIRT_MAX_AUDIODEVS) {
        message_format(err, err_len, "at most %d audiodevs", VIRT_MAX_AUDIODEVS);
        return false;
    }
    AudiodevConfig a;
    if (!audio_parse_audiodev(spec, &a, err, err_len))
        return false;
    for (int i = 0; i < c->count; i++) {
        if (!strcmp(c->audiodevs[i].id, a.id)) {
            message_format(err, err_len, "Duplicate ID '%s' for audiodev", a.id);
            audio_config_free(&a);
            return false;
        }
    }
    c->audiodevs[c->count++] = a;
    return true;
}

static bool replaying(const VirtMachine *m)
{
    return m->config.replay.mode == REPLAY_PLAY;
}

static void host_playback(void *opaque, const uint8_t *data, size_t len, uint32_t rate,
                          unsigned channels)
{
    VirtAudioState *s = opaque;
    audio_out_write(s->backend, data, len, rate, channels);
}

/* Capture samples enter the guest here: from the host in a plain run or a
 * recording (logged), from the trace in a replay. */
static int host_capture(void *opaque, uint8_t *buf, size_t len, uint32_t rate, unsigned channels)
{
    VirtAudioState *s = opaque;
    VirtMachine *m = s->machine;
    if (!replaying(m))
        audio_in_read(s->backend, buf, len, rate, channels);
    return replay_audio_capture(m->replay, m->clock.machine_icount, VIRTIO_SND_STREAM_CAPTURE,
                                buf, len);
}

static void host_stream_event(void *opaque, int stream, bool started, uint32_t rate,
                              unsigned channels)
{
    VirtAudioState *s = opaque;
    if (stream == VIRTIO_SND_STREAM_PLAYBACK) {
        if (started)
            audio_out_start(s->backend, rate, channels);
        else
            audio_out_stop(s->backend);
    } else if (started) {
        audio_in_start(s->backend, rate, channels);
    } else {
        audio_in_stop(s->backend);
    }
}

static void timer_fired(void *opaque)
{
    (void)opaque; /* the round boundary at the deadline does the work */
}

bool virt_audio_attach(VirtMachine *m, const char *audiodev, VirtioMmio *slot)
{
    if (m->audio) {
        message_print_error("-device virtio-sound-device: deja supports one sound device");
        return false;
    }
    const AudiodevConfig *a = NULL;
    for (int i = 0; i < m->config.audio.count; i++)
        if (!strcmp(m->config.audio.audiodevs[i].id, audiodev))
            a = &m->config.audio.audiodevs[i];
    if (!a) {
        message_print_error("-device virtio-sound-device: Property 'audiodev' can't find value "
                            "'%s' (add -audiodev none|wav|sdl,id=%s)",
                            audiodev, audiodev);
        return false;
    }
    VirtAudioState *s = calloc(1, sizeof(*s));
    if (!s) {
        message_print_error("out of memory");
        return false;
    }
    s->machine = m;
    m->audio = s;
    VirtioSndHost host = { .opaque = s, .playback = host_playback, .capture = host_capture,
                           .stream_event = host_stream_event };
    if (!virtio_snd_init(&s->snd, &host)) {
        message_print_error("out of memory");
        return false;
    }
    char err[512];
    /* Under replay the capture device is never opened. */
    s->backend = audio_open(a, !replaying(m), err, sizeof(err));
    if (!s->backend) {
        message_print_error("-audiodev %s,id=%s: %s", audio_driver_name(a->driver), a->id, err);
        return false;
    }
    s->timer = clock_timer_new(&m->clock, timer_fired, s);
    if (s->timer < 0) {
        message_print_error("virtio-sound-device: no free clock timer");
        return false;
    }
    virtio_mmio_attach(slot, &m->bus, plic_input(&m->plic, slot->irq_number), &s->snd.ops,
                       &s->snd);
    virtio_snd_set_transport(&s->snd, slot);
    return true;
}

void virt_audio_destroy(VirtMachine *m)
{
    VirtAudioState *s = m->audio;
    if (s) {
        audio_close(s->backend);
        virtio_snd_free(&s->snd);
        free(s);
        m->audio = NULL;
    }
    for (int i = 0; i < m->config.audio.count; i++)
        audio_config_free(&m->config.audio.audiodevs[i]);
    m->config.audio.count = 0;
}

bool virt_audio_header(VirtMachine *m, TraceHeader *header)
{
    if (!m->audio)
        return true;
    if (!trace_header_set_str(header, "audio", VIRT_AUDIO_HARDWARE)) {
        message_print_error("%s: too many entries in the trace header",
                            replaying(m) ? "replay" : "record");
        return false;
    }
    return true;
}

int virt_audio_round(VirtMachine *m)
{
    VirtAudioState *s = m->audio;
    if (!s)
        return REPLAY_CONTINUE;
    int status = virtio_snd_service(&s->snd, clock_now_ns(&m->clock));
    uint64_t deadline = virtio_snd_next_deadline(&s->snd);
    if (deadline == CLOCK_NEVER)
        clock_timer_disarm(&m->clock, s->timer);
    else
        clock_timer_arm_ns(&m->clock, s->timer, deadline);
    return status;
}
