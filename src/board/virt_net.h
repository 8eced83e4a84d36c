/* Networking of the virt board (docs/network.md): -netdev user (libslirp),
 * -net none, -device virtio-net-device,netdev=ID[,mac=M],
 * -object filter-replay,id=ID,netdev=N and -object
 * filter-dump,id=ID,netdev=N,file=F.pcap.
 *
 * Frames from a backend wait in a per-netdev queue and enter the guest
 * only at scheduler round boundaries (virt_net_round), when the NIC has a
 * receive buffer: record logs each one as a NET_FRAME event at that
 * icount; replay opens no backend and delivers the logged frames at their
 * icounts (the guest's transmitted frames are dropped). */
#ifndef DEJA_VIRT_NET_H
#define DEJA_VIRT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/net_slirp.h"
#include "replay/trace.h"

#define VIRT_MAX_NETDEVS 4
#define VIRT_NETDEV_ID_MAX 32

typedef struct VirtNetdevConfig {
    char id[VIRT_NETDEV_ID_MAX];
    char *spec;             /* malloc'ed copy the slirp options point into */
    NetSlirpOptions slirp;
    bool replay_filter;     /* -object filter-replay on it */
    char *dump_file;        /* -object filter-dump file (malloc'ed) or NULL */
} VirtNetdevConfig;

typedef struct VirtNetConfig {
    VirtNetdevConfig netdevs[VIRT_MAX_NETDEVS];
    int netdev_count;
} VirtNetConfig;

/* Option parsing: false and a message on error. */
bool virt_net_parse_netdev(VirtNetConfig *c, const char *spec, char *err, size_t err_len);
bool virt_net_parse_net(VirtNetConfig *c, const char *spec, char *err, size_t err_len);
bool virt_net_parse_object(VirtNetConfig *c, const char *spec, char *err, size_t err_len);
/* "52:54:00:12:34:56" -> bytes. */
bool virt_net_parse_mac(const char *text, uint8_t mac[6]);

struct VirtMachine;
struct VirtioMmio;
/* virt_block_create, for each -device virtio-net-device: creates the NIC
 * in `slot`. mac NULL: 52:54:00:12:34:56 (+ NIC index). */
bool virt_net_attach_nic(struct VirtMachine *m, const char *netdev, const char *mac,
                         struct VirtioMmio *slot);
/* After the devices: checks every netdev has one NIC and a filter-replay
 * under record/replay, opens the backends (not under replay) and the pcap
 * files. Prints a message and returns false on failure. */
bool virt_net_create(struct VirtMachine *m);
void virt_net_destroy(struct VirtMachine *m);
/* Adds "netdevs" (count, NIC per netdev) to the trace header. */
bool virt_net_header(struct VirtMachine *m, TraceHeader *header);
/* Round boundary (not under replay): serves the backends when poll is
 * true, then delivers queued frames into free receive buffers. */
void virt_net_round(struct VirtMachine *m, bool poll);
/* All harts idle: waits up to timeout_ms for backend traffic; true if a
 * frame is waiting for the guest. */
bool virt_net_idle_wait(struct VirtMachine *m, int timeout_ms);
bool virt_net_active(const struct VirtMachine *m);
/* Replay sink: a logged frame delivered at this icount. */
void virt_net_replay_frame(void *machine, uint32_t netdev, const uint8_t *frame, size_t len);

#endif
