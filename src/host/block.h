/* Block backends for disk devices: an image file (raw, or qcow2 v2/v3 read
 * by our own reader: L1/L2 tables, zero clusters, backing files up to 8
 * deep, compressed clusters (zlib or zstd, as qemu-img convert -c makes
 * them; a damaged one gives an I/O error and a warning)) optionally behind an
 * in-memory copy-on-write overlay. qcow2 images are never written: they
 * need the overlay (snapshot=on) or readonly=on.
 *
 * The overlay is a sparse map of 4 KiB blocks: a write copies the block
 * from the image (or zeros past its end) into memory and modifies it
 * there; reads see the overlay first. It backs snapshot=on, -snapshot and
 * blkreplay drives under record/replay: the image file is then never
 * written, so a replay starts from the same bytes as the recording.
 *
 * All offsets are checked against the disk size; a request outside it is
 * refused (false), never clamped. */
#ifndef DEJA_BLOCK_H
#define DEJA_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_OVERLAY_BLOCK 4096u

typedef struct BlockOpenOptions {
    const char *path;
    const char *format; /* "raw", "qcow2" or NULL: probe (warns for raw, as QEMU) */
    bool readonly;      /* the guest may not write */
    bool overlay;       /* writes go to memory, the file is opened read-only */
} BlockOpenOptions;

typedef struct BlockBackend BlockBackend;

/* NULL and a message in err (no "deja:" prefix) on failure. */
BlockBackend *block_open(const BlockOpenOptions *options, char *err, size_t err_len);
void block_close(BlockBackend *b);

uint64_t block_size(const BlockBackend *b); /* bytes the guest sees */
bool block_readonly(const BlockBackend *b);
const char *block_format_name(const BlockBackend *b);
/* Number of overlay blocks held in memory (tests). */
size_t block_overlay_blocks(const BlockBackend *b);

/* Snapshots (virt_state.c): the overlay's blocks in block order as
 * (varint count, then per block varint index + 4096 bytes). Without an
 * overlay the count is 0. block_overlay_load replaces the whole overlay;
 * false (overlay unchanged) if the record is malformed, a block lies
 * outside the disk, or memory runs out. A backend without overlay
 * accepts only an empty record. */
struct StateWriter;
struct StateReader;
void block_overlay_save(const BlockBackend *b, struct StateWriter *w);
bool block_overlay_load(BlockBackend *b, struct StateReader *r);
bool block_has_overlay(const BlockBackend *b);

/* false: out of range, read-only, or a host I/O error (message in errno). */
bool block_read(BlockBackend *b, uint64_t offset, void *buf, size_t len);
bool block_write(BlockBackend *b, uint64_t offset, const void *buf, size_t len);
bool block_write_zeroes(BlockBackend *b, uint64_t offset, uint64_t len);
bool block_flush(BlockBackend *b);

/* "raw" or "qcow2" from the first bytes of a file (NULL: unreadable). */
const char *block_probe_format(const char *path, char *err, size_t err_len);

#endif
