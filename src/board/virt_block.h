/* Disks and virtio devices of the virt board: -drive, -device
 * virtio-blk-device / virtio-rng-device, -snapshot, blkreplay, and their
 * part in the record/replay header. See docs/block.md. */
#ifndef DEJA_VIRT_BLOCK_H
#define DEJA_VIRT_BLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "dev/virtio_blk.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_rng.h"
#include "host/block.h"
#include "replay/trace.h"

#define VIRT_MAX_DRIVES 8
#define VIRT_DRIVE_ID_MAX 32

typedef struct VirtDriveConfig {
    char id[VIRT_DRIVE_ID_MAX];
    char *file; /* malloc'ed; NULL for blkreplay */
    char format[16]; /* "" = probe */
    bool if_virtio;  /* if=virtio: gets its own virtio-blk-device (default if=none, as QEMU's virt) */
    bool snapshot, readonly;
    bool blkreplay;
    char image[VIRT_DRIVE_ID_MAX]; /* blkreplay: the drive it wraps */
} VirtDriveConfig;

typedef enum VirtVirtioKind { VIRT_VIRTIO_BLK = 1, VIRT_VIRTIO_RNG, VIRT_VIRTIO_NET, VIRT_VIRTIO_GPU, VIRT_VIRTIO_INPUT, VIRT_VIRTIO_SND } VirtVirtioKind;

typedef struct VirtVirtioConfig {
    VirtVirtioKind kind;
    char drive[VIRT_DRIVE_ID_MAX];
    char netdev[VIRT_DRIVE_ID_MAX]; /* virtio-net-device */
    char mac[18];                   /* virtio-net-device; "" = default */
    char audiodev[VIRT_DRIVE_ID_MAX]; /* virtio-sound-device */
    uint32_t xres, yres;            /* virtio-gpu-device; 0 = 1280x800 */
    int input_kind;                 /* virtio-keyboard/mouse/tablet-device (VirtioInputKind) */
} VirtVirtioConfig;

typedef struct VirtBlockConfig {
    VirtDriveConfig drives[VIRT_MAX_DRIVES];
    int drive_count;
    VirtVirtioConfig devices[VIRTIO_MMIO_SLOTS];
    int device_count;
    bool snapshot; /* -snapshot */
} VirtBlockConfig;

typedef struct VirtBlockState {
    BlockBackend *backends[VIRT_MAX_DRIVES]; /* per drive (NULL for blkreplay) */
    VirtioBlk *blks[VIRTIO_MMIO_SLOTS];
    int blk_count;
    VirtioRng *rng;
    struct VirtioGpu *gpu; /* virtio-gpu-device (virt_display.h), NULL without */
} VirtBlockState;

/* Option parsing: false and a message (without "deja: -drive ...") on error. */
bool virt_block_parse_drive(VirtBlockConfig *c, const char *spec, char *err, size_t err_len);
bool virt_block_parse_device(VirtBlockConfig *c, const char *spec, char *err, size_t err_len);
void virt_block_config_free(VirtBlockConfig *c);

struct VirtMachine;
/* Opens the images and plugs the devices into virtio-mmio slots, the
 * highest-numbered free slot first (as QEMU's virt). Prints a message and
 * returns false on error (also: a drive used in record/replay mode
 * without blkreplay). */
bool virt_block_create(struct VirtMachine *m);
void virt_block_destroy(struct VirtMachine *m);
/* Adds "hash:drive:ID" / "path:drive:ID" for each image under blkreplay. */
bool virt_block_header(struct VirtMachine *m, TraceHeader *header);
/* Round boundary: serves the virtio-rng requests. -1 or an exit status. */
int virt_block_round(struct VirtMachine *m);

#endif
