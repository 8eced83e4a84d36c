/* virtio-blk device (virtio 1.2 section 5.2) on a virtio-mmio slot, backed
 * by a BlockBackend. Requests are processed synchronously when the driver
 * notifies the queue (an MMIO write at an exact instruction count), so
 * completions and interrupts happen at deterministic points; the data
 * comes from the image, whose hash record/replay checks. */
#ifndef DEJA_VIRTIO_BLK_H
#define DEJA_VIRTIO_BLK_H

#include "dev/virtio_mmio.h"
#include "host/block.h"

#define VIRTIO_BLK_DEVICE_ID 2
#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_SEG_MAX 126u
#define VIRTIO_BLK_ID_BYTES 20

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

typedef struct VirtioBlk {
    VirtioDeviceOps ops; /* per instance: features depend on readonly */
    BlockBackend *backend;
    uint64_t capacity; /* sectors */
    char serial[VIRTIO_BLK_ID_BYTES + 1];
    uint8_t config[64];
    uint8_t *buffer; /* bounce buffer between guest RAM and the backend */
} VirtioBlk;

/* false if out of memory. `serial`: the drive id (GET_ID), may be NULL. */
bool virtio_blk_init(VirtioBlk *blk, BlockBackend *backend, const char *serial);
void virtio_blk_free(VirtioBlk *blk);

#endif
