/* Audio of the virt board (docs/audio.md): -audiodev none|wav|sdl and
 * -device virtio-sound-device,audiodev=ID.
 *
 * The sound device's I/O messages complete at round boundaries at the
 * pace of the virtual clock (a clock timer wakes an idle machine at the
 * next completion). Capture samples are taken from the host backend and
 * logged as AUDIO events in record mode; replay opens no capture device
 * and delivers the logged samples at the same instruction counts.
 * Playback is not logged: a replay produces it again, so a wav backend
 * writes the same file. The trace header names the audio hardware
 * ("audio"), not the backend. */
#ifndef DEJA_VIRT_AUDIO_H
#define DEJA_VIRT_AUDIO_H

#include <stdbool.h>
#include <stddef.h>

#include "host/audio.h"
#include "replay/trace.h"

#define VIRT_MAX_AUDIODEVS 4

typedef struct VirtAudioConfig {
    AudiodevConfig audiodevs[VIRT_MAX_AUDIODEVS];
    int count;
} VirtAudioConfig;

bool virt_audio_parse_audiodev(VirtAudioConfig *c, const char *spec, char *err, size_t err_len);

struct VirtMachine;
struct VirtioMmio;
/* virt_block_create, for -device virtio-sound-device: creates the device
 * in `slot` and opens its backend. Prints a message and returns false on
 * error. */
bool virt_audio_attach(struct VirtMachine *m, const char *audiodev, struct VirtioMmio *slot);
void virt_audio_destroy(struct VirtMachine *m);
/* Adds "audio" (the sound hardware) when there is a sound device. */
bool virt_audio_header(struct VirtMachine *m, TraceHeader *header);
/* Round boundary: completes due I/O messages. -1 or an exit status. */
int virt_audio_round(struct VirtMachine *m);

#endif
