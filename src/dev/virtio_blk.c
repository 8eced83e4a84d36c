/* virtio-blk (virtio_blk.h), virtio 1.2 section 5.2. */
#include "dev/virtio_blk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLK_BUFFER_SIZE (256u * 1024)
#define BLK_HEADER_BYTES 16
#define BLK_MAX_SECTORS_PER_SEGMENT (1u << 22) /* discard / write-zeroes range bound */

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t blk_config_read(void *dev, uint64_t offset, int size)
{
    VirtioBlk *blk = dev;
    if (offset >= sizeof(blk->config) || (uint64_t)size > sizeof(blk->config) - offset)
        return 0;
    return (uint32_t)get_le(blk->config + offset, size);
}

static bool blk_range_ok(const VirtioBlk *blk, uint64_t sector, uint64_t sectors)
{
    return sectors <= blk->capacity && sector <= blk->capacity - sectors;
}

/* IN: image -> writable part [0, len). */
static uint8_t blk_in(VirtioBlk *blk, VirtioMmio *t, const VirtioChain *c, uint64_t sector,
                      uint64_t len)
{
    if (len % VIRTIO_BLK_SECTOR || !blk_range_ok(blk, sector, len / VIRTIO_BLK_SECTOR))
        return VIRTIO_BLK_S_IOERR;
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = len - done < BLK_BUFFER_SIZE ? len - done : BLK_BUFFER_SIZE;
        if (!block_read(blk->backend, sector * VIRTIO_BLK_SECTOR + done, blk->buffer, n) ||
            !virtio_chain_write(t, c, done, blk->buffer, n))
            return VIRTIO_BLK_S_IOERR;
        done += n;
    }
    return VIRTIO_BLK_S_OK;
}

/* OUT: readable part [16, 16+len) -> image. */
static uint8_t blk_out(VirtioBlk *blk, VirtioMmio *t, const VirtioChain *c, uint64_t sector,
                       uint64_t len)
{
    if (block_readonly(blk->backend) || len % VIRTIO_BLK_SECTOR ||
        !blk_range_ok(blk, sector, len / VIRTIO_BLK_SECTOR))
        return VIRTIO_BLK_S_IOERR;
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = len - done < BLK_BUFFER_SIZE ? len - done : BLK_BUFFER_SIZE;
        if (!virtio_chain_read(t, c, BLK_HEADER_BYTES + done, blk->buffer, n) ||
            !block_write(blk->backend, sector * VIRTIO_BLK_SECTOR + done, blk->buffer, n))
            return VIRTIO_BLK_S_IOERR;
        done += n;
    }
    return VIRTIO_BLK_S_OK;
}

/* WRITE_ZEROES / DISCARD: a list of 16-byte segments {sector, num_sectors,
 * flags} (5.2.6). Discard is advisory: deja zeroes nothing for it, which
 * keeps the image contents a function of the writes only. */
static uint8_t blk_ranges(VirtioBlk *blk, VirtioMmio *t, const VirtioChain *c, uint64_t len,
                          bool zero)
{
    if (block_readonly(blk->backend) || len == 0 || len % 16 || len / 16 > VIRTIO_BLK_SEG_MAX)
        return VIRTIO_BLK_S_IOERR;
    for (uint64_t off = 0; off < len; off += 16) {
        uint8_t seg[16];
        if (!virtio_chain_read(t, c, BLK_HEADER_BYTES + off, seg, sizeof(seg)))
            return VIRTIO_BLK_S_IOERR;
        uint64_t sector = get_le(seg, 8);
        uint32_t count = (uint32_t)get_le(seg + 8, 4);
        uint32_t flags = (uint32_t)get_le(seg + 12, 4);
        if (count > BLK_MAX_SECTORS_PER_SEGMENT || !blk_range_ok(blk, sector, count))
            return VIRTIO_BLK_S_IOERR;
        if ((flags & ~1u) || (!zero && flags))
            return VIRTIO_BLK_S_UNSUPP;
        if (zero && !block_write_zeroes(blk->backend, sector * VIRTIO_BLK_SECTOR,
                                        (uint64_t)count * VIRTIO_BLK_SECTOR))
            return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

static void blk_queue_notify(void *dev, VirtioMmio *t, int queue)
{
    VirtioBlk *blk = dev;
    VirtioChain *c = malloc(sizeof(*c));
    if (!c)
        return;
    int got;
    while ((got = virtio_queue_pop(t, queue, c)) > 0) {
        uint8_t header[BLK_HEADER_BYTES];
        /* 5.2.6: a header the device reads and a status byte it writes. */
        if (c->readable_len < BLK_HEADER_BYTES || c->writable_len < 1) {
            virtio_mmio_needs_reset(t, "request without header or status byte");
            break;
        }
        virtio_chain_read(t, c, 0, header, sizeof(header));
        uint32_t type = (uint32_t)get_le(header, 4);
        uint64_t sector = get_le(header + 8, 8);
        uint64_t in_len = c->writable_len - 1;       /* data the device writes */
        uint64_t out_len = c->readable_len - BLK_HEADER_BYTES; /* data it reads */
        uint8_t status;
        uint32_t written = 1;
        switch (type) {
        case VIRTIO_BLK_T_IN:
            status = blk_in(blk, t, c, sector, in_len);
            if (status == VIRTIO_BLK_S_OK)
                written += (uint32_t)in_len;
            break;
        case VIRTIO_BLK_T_OUT:
            status = blk_out(blk, t, c, sector, out_len);
            break;
        case VIRTIO_BLK_T_FLUSH:
            status = block_flush(blk->backend) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
            break;
        case VIRTIO_BLK_T_GET_ID: {
            uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };
            memcpy(id, blk->serial, strlen(blk->serial));
            uint64_t n = in_len < sizeof(id) ? in_len : sizeof(id);
            virtio_chain_write(t, c, 0, id, n);
            written += (uint32_t)n;
            status = VIRTIO_BLK_S_OK;
            break;
        }
        case VIRTIO_BLK_T_WRITE_ZEROES:
            status = blk_ranges(blk, t, c, out_len, true);
            break;
        case VIRTIO_BLK_T_DISCARD:
            status = blk_ranges(blk, t, c, out_len, false);
            break;
        default:
            status = VIRTIO_BLK_S_UNSUPP;
            break;
        }
        virtio_chain_write(t, c, c->writable_len - 1, &status, 1);
        virtio_queue_push(t, queue, c, written);
    }
    free(c);
    virtio_queue_notify_guest(t, queue);
}

static void blk_save(void *dev, StateWriter *w)
{
    const VirtioBlk *blk = dev;
    state_put_u64(w, blk->capacity);
}

/* The disk contents (overlay) are restored by the board (virt_state.c). */
static bool blk_load(void *dev, VirtioMmio *t, StateReader *r)
{
    const VirtioBlk *blk = dev;
    return state_get_u64(r) == blk->capacity && !r->failed;
}

bool virtio_blk_init(VirtioBlk *blk, BlockBackend *backend, const char *serial)
{
    memset(blk, 0, sizeof(*blk));
    blk->buffer = malloc(BLK_BUFFER_SIZE);
    if (!blk->buffer)
        return false;
    blk->backend = backend;
    blk->capacity = block_size(backend) / VIRTIO_BLK_SECTOR;
    if (serial)
        snprintf(blk->serial, sizeof(blk->serial), "%s", serial);
    uint64_t features = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                        (1ull << VIRTIO_BLK_F_FLUSH);
    if (block_readonly(backend))
        features |= 1ull << VIRTIO_BLK_F_RO;
    else
        features |= (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
    /* Config layout (5.2.4). */
    put_le(blk->config + 0, blk->capacity, 8);
    put_le(blk->config + 12, VIRTIO_BLK_SEG_MAX, 4);
    put_le(blk->config + 20, VIRTIO_BLK_SECTOR, 4);
    put_le(blk->config + 36, BLK_MAX_SECTORS_PER_SEGMENT, 4); /* max_discard_sectors */
    put_le(blk->config + 40, VIRTIO_BLK_SEG_MAX, 4);          /* max_discard_seg */
    put_le(blk->config + 44, 1, 4);                           /* discard_sector_alignment */
    put_le(blk->config + 48, BLK_MAX_SECTORS_PER_SEGMENT, 4); /* max_write_zeroes_sectors */
    put_le(blk->config + 52, VIRTIO_BLK_SEG_MAX, 4);          /* max_write_zeroes_seg */
    blk->ops = (VirtioDeviceOps){
        .name = "virtio-blk",
        .device_id = VIRTIO_BLK_DEVICE_ID,
        .features = features,
        .queue_count = 1,
        .config_read = blk_config_read,
        .queue_notify = blk_queue_notify,
        .save = blk_save,
        .load = blk_load,
    };
    return true;
}

void virtio_blk_free(VirtioBlk *blk)
{
    free(blk->buffer);
    blk->buffer = NULL;
}
