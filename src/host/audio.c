/* Host audio backends (audio.h). */
#include "host/audio.h"

#include <SDL2/SDL.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/message.h"

/* Capture ring: one second of 48 kHz stereo. */
#define AUDIO_RING_BYTES (48000u * 4u)
/* Playback queued in SDL beyond this is dropped (a guest running faster
 * than real time must not grow the queue without bound). */
#define AUDIO_SDL_MAX_QUEUED_MS 500u

struct AudioBackend {
    AudiodevConfig config;
    bool capture_allowed;
    /* wav */
    FILE *wav;
    uint32_t wav_rate;
    unsigned wav_channels;
    uint64_t wav_bytes;
    uint64_t conv_pos; /* resampler position, in 2^-32 input frames */
    /* sdl */
    bool sdl_init;
    SDL_AudioDeviceID out_dev, in_dev;
    bool out_failed, in_failed; /* an open failed: said once, not retried per period */
    uint32_t out_rate;
    unsigned out_channels;
    pthread_mutex_t lock;
    uint8_t *ring;
    size_t ring_head, ring_count;
};

static void sdl_out_close(AudioBackend *b);

const char *audio_driver_name(AudioDriver d)
{
    return d == AUDIO_DRIVER_NONE ? "none" : d == AUDIO_DRIVER_WAV ? "wav" : "sdl";
}

static bool parse_rate(const char *key, const char *value, uint32_t *out, char *err,
                       size_t err_len)
{
    char *end;
    unsigned long v = strtoul(value, &end, 10);
    if (*end || (v != 44100 && v != 48000)) {
        message_format(err, err_len,
                       "%s=%s: rate not supported (deja's audio runs at 44100 or 48000 Hz)",
                       key, value);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_channels(const char *key, const char *value, unsigned *out, char *err,
                           size_t err_len)
{
    if (strcmp(value, "1") && strcmp(value, "2")) {
        message_format(err, err_len, "%s=%s: 1 or 2 channels", key, value);
        return false;
    }
    *out = (unsigned)(value[0] - '0');
    return true;
}

bool audio_parse_audiodev(const char *spec, AudiodevConfig *c, char *err, size_t err_len)
{
    memset(c, 0, sizeof(*c));
    char *copy = strdup(spec);
    if (!copy) {
        message_format(err, err_len, "out of memory");
        return false;
    }
    bool ok = true;
    char *save = NULL;
    char *item = strtok_r(copy, ",", &save);
    if (item && !strncmp(item, "driver=", 7)) /* QEMU: [driver=]DRIVER */
        item += 7;
    if (!item || strchr(item, '=')) {
        message_format(err, err_len, "the backend comes first: none, wav or sdl");
        ok = false;
    } else if (!strcmp(item, "none")) {
        c->driver = AUDIO_DRIVER_NONE;
    } else if (!strcmp(item, "wav")) {
        c->driver = AUDIO_DRIVER_WAV;
    } else if (!strcmp(item, "sdl")) {
        c->driver = AUDIO_DRIVER_SDL;
    } else {
        message_format(err, err_len, "Parameter 'driver' does not accept value '%s' (deja has none, wav and sdl)", item);
        ok = false;
    }
    while (ok && (item = strtok_r(NULL, ",", &save))) {
        char *eq = strchr(item, '=');
        if (!eq) {
            message_format(err, err_len, "Invalid parameter '%s' (expected key=value)", item);
            ok = false;
            break;
        }
        *eq = 0;
        const char *value = eq + 1;
        if (!strcmp(item, "id")) {
            bool valid = *value && strlen(value) < AUDIO_ID_MAX &&
                         ((*value >= 'a' && *value <= 'z') || (*value >= 'A' && *value <= 'Z'));
            for (const char *p = value; valid && *p; p++)
                valid = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_';
            if (!valid) {
                message_format(err, err_len, "Parameter 'id' expects an identifier of 1 to %d "
                               "characters (a letter, then letters, digits, '-', '.', '_')",
                               AUDIO_ID_MAX - 1);
                ok = false;
            } else {
                strcpy(c->id, value);
            }
        } else if (!strcmp(item, "path") && c->driver == AUDIO_DRIVER_WAV) {
            free(c->path);
            c->path = strdup(value);
            ok = c->path != NULL;
        } else if (!strcmp(item, "out.frequency")) {
            ok = parse_rate(item, value, &c->out_frequency, err, err_len);
        } else if (!strcmp(item, "in.frequency")) {
            ok = parse_rate(item, value, &c->in_frequency, err, err_len);
        } else if (!strcmp(item, "out.channels")) {
            ok = parse_channels(item, value, &c->out_channels, err, err_len);
        } else if (!strcmp(item, "in.channels")) {
            ok = parse_channels(item, value, &c->in_channels, err, err_len);
        } else if (!strcmp(item, "out.format") || !strcmp(item, "in.format")) {
            if (strcmp(value, "s16")) {
                message_format(err, err_len, "%s=%s: deja's audio format is s16", item, value);
                ok = false;
            }
        } else if (!strcmp(item, "timer-period") || !strcmp(item, "out.mixing-engine") ||
                   !strcmp(item, "in.mixing-engine")) {
            /* host-side tuning: no effect in deja */
        } else {
            message_format(err, err_len, "Invalid parameter '%s' for -audiodev %s", item,
                           audio_driver_name(c->driver));
            ok = false;
        }
    }
    if (ok && !c->id[0]) {
        message_format(err, err_len, "Parameter 'id' is missing");
        ok = false;
    }
    free(copy);
    if (!ok)
        audio_config_free(c);
    return ok;
}

void audio_config_free(AudiodevConfig *c)
{
    free(c->path);
    c->path = NULL;
}

/* ---- wav ------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wav_header(AudioBackend *b)
{
    uint8_t h[44];
    uint32_t data = b->wav_bytes > 0xffffffd3u ? 0xffffffd3u : (uint32_t)b->wav_bytes;
    memcpy(h, "RIFF", 4);
    put32(h + 4, 36 + data);
    memcpy(h + 8, "WAVEfmt ", 8);
    put32(h + 16, 16);
    put32(h + 20, 1 | (b->wav_channels << 16)); /* PCM, channels */
    put32(h + 24, b->wav_rate);
    put32(h + 28, b->wav_rate * b->wav_channels * 2);
    put32(h + 32, (b->wav_channels * 2) | (16u << 16)); /* block align, bits */
    memcpy(h + 36, "data", 4);
    put32(h + 40, data);
    fseek(b->wav, 0, SEEK_SET);
    fwrite(h, 1, sizeof(h), b->wav);
    fseek(b->wav, 0, SEEK_END);
}

/* Writes frames converted to the file's rate (nearest frame) and channel
 * count (mono duplicated, stereo averaged). Deterministic: a replay writes
 * the same bytes. */
static void wav_write(AudioBackend *b, const uint8_t *data, size_t len, uint32_t rate,
                      unsigned channels)
{
    if (!b->wav_rate) {
        b->wav_rate = b->config.out_frequency ? b->config.out_frequency : rate;
        b->wav_channels = b->config.out_channels ? b->config.out_channels : channels;
        wav_header(b);
    }
    size_t in_frames = len / (2 * channels);
    const int16_t *in = (const int16_t *)data;
    uint64_t step = ((uint64_t)rate << 32) / b->wav_rate;
    int16_t out[512 * 2];
    size_t n = 0;
    uint64_t end = (uint64_t)in_frames << 32;
    for (; b->conv_pos < end; b->conv_pos += step) {
        const int16_t *f = in + (b->conv_pos >> 32) * channels;
        if (b->wav_channels == channels) {
            for (unsigned c = 0; c < channels; c++)
                out[n++] = f[c];
        } else if (channels == 1) {
            out[n++] = f[0];
            out[n++] = f[0];
        } else {
            out[n++] = (int16_t)(((int32_t)f[0] + f[1]) / 2);
        }
        if (n + 2 > sizeof(out) / sizeof(out[0])) {
            fwrite(out, 2, n, b->wav);
            b->wav_bytes += 2 * n;
            n = 0;
        }
    }
    b->conv_pos -= end;
    fwrite(out, 2, n, b->wav);
    b->wav_bytes += 2 * n;
}

/* ---- sdl ------------------------------------------------------------- */

static void sdl_capture_callback(void *opaque, Uint8 *stream, int len)
{
    AudioBackend *b = opaque;
    pthread_mutex_lock(&b->lock);
    for (int i = 0; i < len; i++) {
        if (b->ring_count == AUDIO_RING_BYTES) {
            /* Overrun: drop the oldest 4 bytes (whole frames, mono or stereo). */
            b->ring_head = (b->ring_head + 4) % AUDIO_RING_BYTES;
            b->ring_count -= 4;
        }
        b->ring[(b->ring_head + b->ring_count++) % AUDIO_RING_BYTES] = stream[i];
    }
    pthread_mutex_unlock(&b->lock);
}

static SDL_AudioDeviceID sdl_open(AudioBackend *b, bool capture, uint32_t rate,
                                  unsigned channels)
{
    SDL_AudioSpec want = { 0 }, have;
    want.freq = (int)rate;
    want.format = AUDIO_S16LSB;
    want.channels = (Uint8)channels;
    want.samples = 1024;
    if (capture) {
        want.callback = sdl_capture_callback;
        want.userdata = b;
    }
    SDL_AudioDeviceID dev = SDL_OpenAudioDevice(NULL, capture ? 1 : 0, &want, &have, 0);
    if (!dev) {
        fprintf(stderr, "deja: -audiodev sdl,id=%s: cannot open the %s device: %s\n",
                b->config.id, capture ? "capture" : "playback", SDL_GetError());
        return 0;
    }
    SDL_PauseAudioDevice(dev, 0);
    return dev;
}

/* ---- common ---------------------------------------------------------- */

AudioBackend *audio_open(const AudiodevConfig *c, bool capture, char *err, size_t err_len)
{
    AudioBackend *b = calloc(1, sizeof(*b));
    if (!b) {
        message_format(err, err_len, "out of memory");
        return NULL;
    }
    b->config = *c;
    b->config.path = NULL;
    b->capture_allowed = capture;
    pthread_mutex_init(&b->lock, NULL);
    if (c->driver == AUDIO_DRIVER_WAV) {
        const char *path = c->path ? c->path : "deja.wav";
        b->wav = fopen(path, "w+b");
        if (!b->wav) {
            message_format(err, err_len, "cannot write '%s': %s", path, strerror(errno));
            audio_close(b);
            return NULL;
        }
    } else if (c->driver == AUDIO_DRIVER_SDL) {
        b->ring = malloc(AUDIO_RING_BYTES);
        if (!b->ring) {
            message_format(err, err_len, "out of memory");
            audio_close(b);
            return NULL;
        }
        if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
            message_format(err, err_len, "SDL audio: %s", SDL_GetError());
            audio_close(b);
            return NULL;
        }
        b->sdl_init = true;
    }
    return b;
}

void audio_close(AudioBackend *b)
{
    if (!b)
        return;
    sdl_out_close(b);
    audio_in_stop(b);
    if (b->wav) {
        if (!b->wav_rate) { /* nothing played: still a valid (empty) file */
            b->wav_rate = b->config.out_frequency ? b->config.out_frequency : 44100;
            b->wav_channels = b->config.out_channels ? b->config.out_channels : 2;
        }
        wav_header(b);
        fclose(b->wav);
    }
    if (b->sdl_init)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    pthread_mutex_destroy(&b->lock);
    free(b->ring);
    free(b);
}

void audio_out_start(AudioBackend *b, uint32_t rate, unsigned channels)
{
    if (b->config.driver != AUDIO_DRIVER_SDL)
        return;
    if (b->out_dev && (rate != b->out_rate || channels != b->out_channels))
        sdl_out_close(b);
    if (b->out_dev)
        return;
    b->out_dev = sdl_open(b, false, rate, channels);
    b->out_failed = !b->out_dev;
    b->out_rate = rate;
    b->out_channels = channels;
}

void audio_out_write(AudioBackend *b, const uint8_t *data, size_t len, uint32_t rate,
                     unsigned channels)
{
    if (b->wav) {
        wav_write(b, data, len, rate, channels);
    } else if (b->config.driver == AUDIO_DRIVER_SDL && !b->out_failed) {
        if (!b->out_dev || rate != b->out_rate || channels != b->out_channels) {
            sdl_out_close(b);
            audio_out_start(b, rate, channels);
            if (!b->out_dev)
                return;
        }
        uint32_t max = b->out_rate * b->out_channels * 2 / 1000 * AUDIO_SDL_MAX_QUEUED_MS;
        if (SDL_GetQueuedAudioSize(b->out_dev) < max)
            SDL_QueueAudio(b->out_dev, data, (Uint32)len);
    }
}

/* The SDL playback device stays open (what is queued still plays after
 * the guest's drain); it is reopened for another format and closed with
 * the backend. */
static void sdl_out_close(AudioBackend *b)
{
    if (b->out_dev) {
        SDL_CloseAudioDevice(b->out_dev);
        b->out_dev = 0;
    }
}

void audio_out_stop(AudioBackend *b)
{
    if (b->wav) {
        wav_header(b); /* a readable file even if deja is killed later */
        fflush(b->wav);
    }
}

void audio_in_start(AudioBackend *b, uint32_t rate, unsigned channels)
{
    if (b->config.driver != AUDIO_DRIVER_SDL || !b->capture_allowed || b->in_dev)
        return;
    pthread_mutex_lock(&b->lock);
    b->ring_head = b->ring_count = 0;
    pthread_mutex_unlock(&b->lock);
    b->in_dev = sdl_open(b, true, rate, channels);
    b->in_failed = !b->in_dev; /* one message, not one per period */
}

void audio_in_read(AudioBackend *b, uint8_t *buf, size_t len, uint32_t rate, unsigned channels)
{
    memset(buf, 0, len);
    if (!b->in_dev && !b->in_failed)
        audio_in_start(b, rate, channels); /* e.g. after loadvm of a running stream */
    if (!b->in_dev)
        return;
    pthread_mutex_lock(&b->lock);
    size_t n = len < b->ring_count ? len : b->ring_count;
    n -= n % 2;
    for (size_t i = 0; i < n; i++)
        buf[i] = b->ring[(b->ring_head + i) % AUDIO_RING_BYTES];
    b->ring_head = (b->ring_head + n) % AUDIO_RING_BYTES;
    b->ring_count -= n;
    pthread_mutex_unlock(&b->lock);
}

void audio_in_stop(AudioBackend *b)
{
    if (b->in_dev) {
        SDL_CloseAudioDevice(b->in_dev);
        b->in_dev = 0;
    }
}
