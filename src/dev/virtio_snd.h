/* virtio-sound device (virtio 1.2 section 5.14) on the virtio-mmio
 * transport: one playback and one capture PCM stream (S16_LE, 44100 or
 * 48000 Hz, 1 or 2 channels), two jacks (line out, microphone) and two
 * channel maps, which is what Linux's virtio_snd driver needs to create
 * pcmC0D0p and pcmC0D0c.
 *
 * Queues: 0 controlq (answered at the notify), 1 eventq (buffers are kept
 * by the driver: deja sends no events), 2 txq, 3 rxq. I/O messages are
 * taken at the notify and queued per stream; they complete at the pace of
 * the virtual clock (DESIGN.md rule 3): a message of F frames at rate R
 * completes when virtual time has advanced F/R seconds past the previous
 * one of its stream. The board calls virtio_snd_service at every round
 * boundary and arms a clock timer at virtio_snd_next_deadline so an idle
 * guest wakes for it. Playback data is read from guest memory when the
 * message completes and handed to the host; capture data is asked from
 * the host (through the replay log, by the board's callback) when the
 * message completes.
 *
 * Malformed control requests get VIRTIO_SND_S_BAD_MSG / NOT_SUPP; an I/O
 * message for an unknown or unprepared stream completes at once with
 * VIRTIO_SND_S_BAD_MSG. Only chains the transport rejects put the device
 * in NEEDS_RESET. */
#ifndef DEJA_VIRTIO_SND_H
#define DEJA_VIRTIO_SND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_SND_DEVICE_ID 25

#define VIRTIO_SND_QUEUE_CONTROL 0
#define VIRTIO_SND_QUEUE_EVENT 1
#define VIRTIO_SND_QUEUE_TX 2
#define VIRTIO_SND_QUEUE_RX 3

/* Request codes (5.14.6). */
#define VIRTIO_SND_R_JACK_INFO 1u
#define VIRTIO_SND_R_JACK_REMAP 2u
#define VIRTIO_SND_R_PCM_INFO 0x100u
#define VIRTIO_SND_R_PCM_SET_PARAMS 0x101u
#define VIRTIO_SND_R_PCM_PREPARE 0x102u
#define VIRTIO_SND_R_PCM_RELEASE 0x103u
#define VIRTIO_SND_R_PCM_START 0x104u
#define VIRTIO_SND_R_PCM_STOP 0x105u
#define VIRTIO_SND_R_CHMAP_INFO 0x200u

#define VIRTIO_SND_S_OK 0x8000u
#define VIRTIO_SND_S_BAD_MSG 0x8001u
#define VIRTIO_SND_S_NOT_SUPP 0x8002u
#define VIRTIO_SND_S_IO_ERR 0x8003u

#define VIRTIO_SND_D_OUTPUT 0
#define VIRTIO_SND_D_INPUT 1

#define VIRTIO_SND_PCM_FMT_S16 5
#define VIRTIO_SND_PCM_RATE_44100 6
#define VIRTIO_SND_PCM_RATE_48000 7

#define VIRTIO_SND_JACKS 2
#define VIRTIO_SND_STREAMS 2 /* 0: playback, 1: capture */
#define VIRTIO_SND_CHMAPS 2
#define VIRTIO_SND_STREAM_PLAYBACK 0
#define VIRTIO_SND_STREAM_CAPTURE 1
/* I/O messages a stream holds; more complete at once with IO_ERR. */
#define VIRTIO_SND_MAX_PENDING 64
/* Segments of one I/O message (data + header + status). */
#define VIRTIO_SND_MAX_SEGMENTS 32

/* Stream states (5.14.6.6.1). */
typedef enum VirtioSndState {
    VIRTIO_SND_ST_IDLE = 0,   /* no parameters / released */
    VIRTIO_SND_ST_PARAMS,     /* SET_PARAMS done */
    VIRTIO_SND_ST_PREPARED,   /* PREPARE done, or STOP */
    VIRTIO_SND_ST_RUNNING,    /* START done */
} VirtioSndState;

typedef struct VirtioSndPending {
    uint16_t head;
    uint8_t count;
    uint32_t readable_len, writable_len;
    VirtioSegment segments[VIRTIO_SND_MAX_SEGMENTS];
} VirtioSndPending;

typedef struct VirtioSndStream {
    uint8_t direction;
    uint8_t state;
    uint32_t buffer_bytes, period_bytes, features;
    uint8_t channels, format, rate;
    uint64_t start_ns;    /* virtual time of frame 0 of the current run */
    uint64_t frames_done; /* frames completed since start_ns */
    VirtioSndPending pending[VIRTIO_SND_MAX_PENDING];
    int pending_head, pending_count;
} VirtioSndStream;

/* The host side, called during virtio_snd_service and on START/STOP.
 * playback: frames of interleaved S16LE. capture: fill buf with len bytes
 * of S16LE; returns -1 (REPLAY_CONTINUE) or an exit status to stop with.
 * stream_event: a stream started (started true) or stopped, with its
 * rate in Hz and channel count. */
typedef struct VirtioSndHost {
    void *opaque;
    void (*playback)(void *opaque, const uint8_t *data, size_t len, uint32_t rate,
                     unsigned channels);
    int (*capture)(void *opaque, uint8_t *buf, size_t len, uint32_t rate, unsigned channels);
    void (*stream_event)(void *opaque, int stream, bool started, uint32_t rate,
                         unsigned channels);
} VirtioSndHost;

typedef struct VirtioSnd {
    VirtioDeviceOps ops;
    VirtioMmio *transport;
    VirtioSndHost host;
    uint8_t config[12];
    VirtioSndStream streams[VIRTIO_SND_STREAMS];
    uint8_t *scratch; /* one message's data */
    size_t scratch_len;
    VirtioChain *chain; /* rebuilt chain for the transport calls */
} VirtioSnd;

bool virtio_snd_init(VirtioSnd *snd, const VirtioSndHost *host);
void virtio_snd_free(VirtioSnd *snd);
/* Needed before the first notify so service can run without one. */
void virtio_snd_set_transport(VirtioSnd *snd, VirtioMmio *t);
/* Round boundary at virtual time now_ns: completes the messages whose
 * time has come. Returns -1 or the capture callback's exit status. */
int virtio_snd_service(VirtioSnd *snd, uint64_t now_ns);
/* Earliest virtual ns at which a message completes (CLOCK_NEVER: none). */
uint64_t virtio_snd_next_deadline(const VirtioSnd *snd);
/* Rate code -> Hz (0 if unknown). */
uint32_t virtio_snd_rate_hz(uint8_t rate);

#endif
