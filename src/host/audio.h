/* Host audio backends for -audiodev (QEMU's spelling), docs/audio.md:
 *   none  playback discarded, capture is silence
 *   wav   playback written to a WAV file (path=, default deja.wav);
 *         capture is silence (as QEMU's wav backend)
 *   sdl   SDL2 playback and capture (SDL picks PulseAudio, PipeWire,
 *         ALSA, ...; SDL_AUDIODRIVER chooses)
 * Samples are always interleaved signed 16-bit little endian.
 *
 * Capture data is produced by a host thread (SDL's) into a ring; the
 * machine thread takes it with audio_in_read, which never blocks and pads
 * with silence. Only the machine thread's calls reach the guest, and the
 * board logs what they return (DESIGN.md rule 2). */
#ifndef DEJA_HOST_AUDIO_H
#define DEJA_HOST_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_ID_MAX 32

typedef enum AudioDriver { AUDIO_DRIVER_NONE = 1, AUDIO_DRIVER_WAV, AUDIO_DRIVER_SDL } AudioDriver;

typedef struct AudiodevConfig {
    char id[AUDIO_ID_MAX];
    AudioDriver driver;
    char *path;             /* wav: malloc'ed, NULL = "deja.wav" */
    uint32_t out_frequency; /* 0: the guest's rate */
    unsigned out_channels;  /* 0: the guest's channel count */
    uint32_t in_frequency;
    unsigned in_channels;
} AudiodevConfig;

/* "-audiodev none|wav|sdl,id=ID[,path=F][,out.frequency=N]..." -> c.
 * false and a message on error (unknown driver or option, bad value). */
bool audio_parse_audiodev(const char *spec, AudiodevConfig *c, char *err, size_t err_len);
void audio_config_free(AudiodevConfig *c);
const char *audio_driver_name(AudioDriver d);

typedef struct AudioBackend AudioBackend;

/* capture false: never opens a capture device (replay). NULL and a
 * message on failure. */
AudioBackend *audio_open(const AudiodevConfig *c, bool capture, char *err, size_t err_len);
void audio_close(AudioBackend *b);

/* Playback of frames at the stream's rate and channel count. */
void audio_out_start(AudioBackend *b, uint32_t rate, unsigned channels);
void audio_out_write(AudioBackend *b, const uint8_t *data, size_t len, uint32_t rate,
                     unsigned channels);
void audio_out_stop(AudioBackend *b);
/* Capture: start/stop the host device; read fills len bytes (silence
 * where the host had nothing) and opens the device if it is not open
 * (a stream restored by loadvm). */
void audio_in_start(AudioBackend *b, uint32_t rate, unsigned channels);
void audio_in_read(AudioBackend *b, uint8_t *buf, size_t len, uint32_t rate, unsigned channels);
void audio_in_stop(AudioBackend *b);

#endif
