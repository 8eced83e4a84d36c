/* Record/replay engine: the one door through which host values enter the
 * guest (DESIGN.md rule 2), and the sync points that detect divergence.
 *
 * The board calls it only at scheduler round boundaries (the top of
 * virt_run's loop), where the machine instruction count N is exact:
 *  - record: every value delivered to the guest at N is logged with N
 *    (serial bytes the UART accepted, host requests, idle warps, the RTC
 *    base time at N = 0);
 *  - replay: host sources are ignored; replay_round hands the board the
 *    events logged at N, in order, through a ReplaySink.
 * The schedule (quantum, timer cuts) is a pure function of the guest
 * state, so the replay meets the same round-boundary icounts; an event
 * whose icount is passed without being met is a divergence.
 *
 * Sync points: at the first round boundary at or after each multiple of
 * the sync interval (default 2^24 instructions) both modes compute a
 * digest: every hart's full architectural state, a 64-bit hash of each
 * device's saved state, and hashes of the RAM pages written since the
 * previous sync point. Record logs it; replay compares it and, on the
 * first mismatch, prints a report naming the component and stops with
 * exit status 3. The END record carries the exit status and a digest of
 * the whole machine. See docs/replay.md. */
#ifndef DEJA_REPLAY_H
#define DEJA_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "cpu/cpu.h"
#include "dev/device.h"
#include "replay/clock.h"
#include "replay/trace.h"
#include "snapshot/state.h"

typedef enum ReplayMode { REPLAY_OFF, REPLAY_RECORD, REPLAY_PLAY } ReplayMode;

#define REPLAY_DEFAULT_SYNC_INTERVAL (1ull << 24)
#define REPLAY_EXIT_DIVERGED 3
#define REPLAY_EXIT_ERROR 1
/* replay_round / replay_idle: keep running. Any other value is the exit
 * status the board must stop with (the message is already printed). */
#define REPLAY_CONTINUE (-1)

typedef struct ReplayOptions {
    ReplayMode mode;
    const char *path;       /* rrfile= */
    uint64_t sync_interval; /* rrsync=; 0: default (record) or the trace's (replay) */
} ReplayOptions;

/* The machine parts the digests cover. */
typedef struct ReplayMachine {
    Hart *const *harts;
    int hart_count;
    const Device *devices;
    int device_count;
    Bus *bus;
    VirtClock *clock;
} ReplayMachine;

/* How replay hands logged events to the board. */
typedef struct ReplaySink {
    void *opaque;
    void (*serial_input)(void *opaque, uint32_t port, const uint8_t *data, size_t len);
    void (*host_request)(void *opaque, uint32_t request); /* TraceHostRequest */
    void (*net_frame)(void *opaque, uint32_t netdev, const uint8_t *frame, size_t len);
    /* INPUT: 8-byte virtio_input_event records for input device `device`. */
    void (*input_event)(void *opaque, uint32_t device, const uint8_t *events, size_t len);
    /* LOADVM: load snapshot `name` into the machine (not the log) and
     * call replay_rebase; false and a message if it cannot. */
    bool (*loadvm)(void *opaque, const char *name, char *err, size_t err_len);
} ReplaySink;

typedef struct Replay Replay;

/* Record: creates the trace with `config` as its header. Replay: opens it
 * and compares its header with `config` (a mismatch is refused with a
 * one-line message naming what differs). NULL and a message in err on
 * failure. The header's "path:*" entries name files for messages and are
 * not compared. */
Replay *replay_open(const ReplayOptions *options, const TraceHeader *config,
                    const ReplayMachine *machine, const ReplaySink *sink, char *err,
                    size_t err_len);
void replay_close(Replay *r);
ReplayMode replay_mode(const Replay *r);
uint64_t replay_sync_interval(const Replay *r);

/* A host clock read that reaches the guest (source 0: the RTC base).
 * Record logs and returns host_ns; replay returns the logged value. */
uint64_t replay_host_time(Replay *r, uint64_t icount, uint32_t source, uint64_t host_ns);

/* Host randomness delivered to the guest at a round boundary (channel 1:
 * virtio-rng). Record: reads the host (getrandom), logs a RANDOM event at
 * icount and returns REPLAY_CONTINUE. Replay: copies the bytes of the
 * RANDOM event logged at icount (same channel and length), else reports
 * a divergence and returns the exit status. r == NULL: plain getrandom. */
int replay_random_bytes(Replay *r, uint64_t icount, uint32_t channel, void *buf, size_t len);

/* Capture samples delivered to the guest at a round boundary (channel:
 * virtio-sound stream). Record: logs buf (filled by the caller from the
 * host) as an AUDIO event. Replay: overwrites buf with the logged samples
 * (same channel and length at icount), else reports a divergence and
 * returns the exit status. r == NULL or mode off: buf is left as is. */
int replay_audio_capture(Replay *r, uint64_t icount, uint32_t channel, void *buf, size_t len);

/* Record mode: log what was delivered at icount. */
void replay_log_serial_input(Replay *r, uint64_t icount, uint32_t port, const uint8_t *data,
                             size_t len);
void replay_log_host_request(Replay *r, uint64_t icount, uint32_t request);
void replay_log_warp(Replay *r, uint64_t icount, uint64_t warp_ns);
/* loadvm while recording (docs/snapshots.md): logs a LOADVM event at the
 * machine icount before the load; after the load, replay_rebase(r, that
 * icount, the snapshot's) keeps the trace's instruction counts growing:
 * trace icount = machine icount + a bias that the rebase adjusts (also in
 * replay, when the LOADVM event is played). */
void replay_log_loadvm(Replay *r, uint64_t icount, const char *name);
void replay_rebase(Replay *r, uint64_t old_icount, uint64_t new_icount);
/* A network frame delivered into a guest receive buffer (NET_FRAME). */
void replay_log_net_frame(Replay *r, uint64_t icount, uint32_t netdev, const uint8_t *frame,
                          size_t len);

/* Input events (keyboard, mouse, tablet) delivered to input device
 * `device` (order of -device): 8-byte virtio_input_event records. */
void replay_log_input(Replay *r, uint64_t icount, uint32_t device, const uint8_t *events,
                      size_t len);

/* At each round boundary, before host input is looked at. Record: sync
 * point when due, trace flush tick. Replay: sync point check, then the
 * events logged at icount go to the sink. */
int replay_round(Replay *r, uint64_t icount);

/* Replay mode, at the end of a round's host work (after the devices took
 * their RANDOM and AUDIO events): delivers the serial, network and input
 * events of icount that a pulled event or a host request kept from
 * replay_round, so the order in which the recording's round logged them
 * does not matter. Record mode and plain runs: nothing. */
int replay_round_end(Replay *r, uint64_t icount);

/* Replay mode, all harts idle: *warp_ns receives the logged warp to apply
 * (0: an input is due at this icount, run another round). */
int replay_idle(Replay *r, uint64_t icount, uint64_t *warp_ns);

/* The machine stopped with `status` at icount. Record: writes the END
 * record and closes the trace. Replay: checks the END record, prints the
 * verdict, returns the exit status to use. */
int replay_finish(Replay *r, uint64_t icount, int status);

/* Replay mode: the reader's position in the trace (chunk, offset inside
 * it, next event, sync point state), saved into checkpoints and snapshots
 * so that loading one moves the log to the snapshot's instruction count.
 * Record mode saves the writer's icount only; loading a record-mode
 * position into a replay is refused. */
void replay_position_save(const Replay *r, StateWriter *w);
bool replay_position_load(Replay *r, StateReader *r_state, char *err, size_t err_len);
/* Replay: the machine icount at or after which the next sync point falls
 * (its round clears the RAM dirty bits; the trace's sync schedule moved by
 * the icount bias of a recorded loadvm), and the events delivered so far. */
uint64_t replay_next_sync(const Replay *r);
uint64_t replay_events_delivered(const Replay *r);

/* SIGINT/SIGTERM become host requests handled at the next round boundary
 * (record) or stop the replay (replay). Returns the pending signal number
 * and clears it, 0 if none. */
void replay_install_signal_handlers(void);
int replay_take_signal(void);

/* "quit", "SIGINT", ...: a TraceHostRequest for messages. */
const char *replay_request_name(uint32_t request);

#endif
