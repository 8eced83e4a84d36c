/* Block backends (block.h). */
#include "host/block.h"
#include "snapshot/state.h"
#include "util/message.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

typedef struct OverlaySlot {
    uint64_t block; /* block index + 1; 0 = empty slot */
    uint8_t *data;
} OverlaySlot;

/* One image file: raw, or qcow2 with its L1 table in memory and an
 * optional backing image (raw or qcow2, recursively). */
typedef struct BlockImage {
    int fd;
    bool qcow2;
    char *path;
    uint64_t file_size;
    uint64_t size; /* virtual size */
    unsigned cluster_bits;
    uint64_t *l1; /* host-endian copy */
    uint32_t l1_size;
    bool zstd;              /* compressed clusters: zstd (else raw deflate) */
    uint64_t cached_entry;  /* L2 entry of the cluster in `cache` (0: none) */
    uint8_t *cache;         /* last decompressed cluster */
    uint8_t *packed;        /* compressed bytes being decoded */
    struct BlockImage *backing;
} BlockImage;

struct BlockBackend {
    BlockImage *image;
    bool readonly, overlay;
    uint64_t size; /* guest-visible bytes */
    /* Overlay: open-addressing hash of 4 KiB blocks. */
    OverlaySlot *slots;
    size_t slot_count, used;
};

static const uint8_t QCOW_MAGIC[4] = { 'Q', 'F', 'I', 0xfb };

const char *block_probe_format(const char *path, char *err, size_t err_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        message_format(err, err_len, "Could not open '%s': %s", path, strerror(errno));
        return NULL;
    }
    uint8_t head[4] = { 0 };
    ssize_t n = pread(fd, head, sizeof(head), 0);
    close(fd);
    if (n < 0) {
        message_format(err, err_len, "Could not read '%s': %s", path, strerror(errno));
        return NULL;
    }
    return n == 4 && memcmp(head, QCOW_MAGIC, 4) == 0 ? "qcow2" : "raw";
}

#define QCOW_MAX_BACKING_DEPTH 8
#define QCOW_MAX_L1_BYTES (32u << 20)
/* Incompatible feature bits (qcow2 spec, header v3): 0 dirty (refcounts
 * only: harmless for reading), 1 corrupt, 2 external data file,
 * 3 compression type (zstd, header byte 104), 4 extended L2 entries. */
#define QCOW_INCOMPAT_UNDERSTOOD ((1ull << 0) | (1ull << 3))
#define QCOW_L1_OFFSET_MASK 0x00fffffffffffe00ull
#define QCOW_L2_OFFSET_MASK 0x00fffffffffffe00ull
#define QCOW_L2_COMPRESSED (1ull << 62)
#define QCOW_L2_ZERO 1ull

static uint64_t be(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

static bool read_exact(int fd, void *buf, size_t len, uint64_t offset)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        p += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static void image_close(BlockImage *img)
{
    while (img) {
        BlockImage *backing = img->backing;
        if (img->fd >= 0)
            close(img->fd);
        free(img->l1);
        free(img->cache);
        free(img->packed);
        free(img->path);
        free(img);
        img = backing;
    }
}

static BlockImage *image_open(const char *path, const char *format, bool writable, int depth,
                              char *err, size_t err_len);

/* Parses a qcow2 header (v2 or v3) and loads the L1 table; every offset
 * is checked against the file size. */
static bool qcow2_open(BlockImage *img, int depth, char *err, size_t err_len)
{
    uint8_t h[112] = { 0 };
    if (img->file_size < 72 ||
        !read_exact(img->fd, h, img->file_size < 112 ? 72 : 112, 0)) {
        message_format(err, err_len, "'%s': qcow2 header is truncated", img->path);
        return false;
    }
    uint32_t version = (uint32_t)be(h + 4, 4);
    uint64_t backing_offset = be(h + 8, 8);
    uint32_t backing_len = (uint32_t)be(h + 16, 4);
    uint32_t cluster_bits = (uint32_t)be(h + 20, 4);
    uint64_t size = be(h + 24, 8);
    uint32_t crypt = (uint32_t)be(h + 32, 4);
    uint32_t l1_size = (uint32_t)be(h + 36, 4);
    uint64_t l1_offset = be(h + 40, 8);
    if (version != 2 && version != 3) {
        message_format(err, err_len, "'%s': qcow2 version %u is not supported (2 or 3)", img->path,
                    version);
        return false;
    }
    if (version == 3) {
        if (img->file_size < 104) {
            message_format(err, err_len, "'%s': qcow2 v3 header is truncated", img->path);
            return false;
        }
        uint64_t incompat = be(h + 72, 8);
        if (incompat & ~QCOW_INCOMPAT_UNDERSTOOD) {
            message_format(err, err_len,
                        "'%s': qcow2 incompatible features 0x%llx are not supported (corrupt "
                        "image, external data file or extended L2 entries)",
                        img->path, (unsigned long long)(incompat & ~QCOW_INCOMPAT_UNDERSTOOD));
            return false;
        }
        /* compression_type (byte 104) exists when header_length > 104;
         * non-zero only with incompatible bit 3: 1 = zstd. */
        uint32_t header_length = (uint32_t)be(h + 100, 4);
        unsigned type = header_length > 104 && img->file_size >= 112 ? h[104] : 0;
        if (((incompat >> 3) & 1) != (type != 0) || type > 1) {
            message_format(err, err_len,
                        "'%s': qcow2 compression type %u is not supported (0 zlib, 1 zstd)",
                        img->path, type);
            return false;
        }
        img->zstd = type == 1;
    }
    if (crypt != 0) {
        message_format(err, err_len, "'%s': encrypted qcow2 images are not supported", img->path);
        return false;
    }
    if (cluster_bits < 9 || cluster_bits > 21) {
        message_format(err, err_len, "'%s': qcow2 cluster_bits %u out of range 9..21", img->path,
                    cluster_bits);
        return false;
    }
    /* Entries one L1 entry covers: cluster * (cluster / 8). */
    uint64_t l1_span_bits = cluster_bits + cluster_bits - 3;
    if (size > (1ull << 56)) {
        message_format(err, err_len, "'%s': qcow2 virtual size too large", img->path);
        return false;
    }
    uint64_t needed = (size + (1ull << l1_span_bits) - 1) >> l1_span_bits;
    if (l1_size < needed || (uint64_t)l1_size * 8 > QCOW_MAX_L1_BYTES || l1_offset % 8 ||
        l1_offset > img->file_size || (uint64_t)l1_size * 8 > img->file_size - l1_offset) {
        message_format(err, err_len, "'%s': qcow2 L1 table (%u entries at 0x%llx) is invalid",
                    img->path, l1_size, (unsigned long long)l1_offset);
        return false;
    }
    img->cluster_bits = cluster_bits;
    img->size = size;
    img->l1_size = l1_size;
    img->l1 = malloc((size_t)l1_size * 8 + 8);
    uint8_t *raw = malloc((size_t)l1_size * 8 + 8);
    if (!img->l1 || !raw || (l1_size && !read_exact(img->fd, raw, (size_t)l1_size * 8, l1_offset))) {
        free(raw);
        message_format(err, err_len, "'%s': cannot read the qcow2 L1 table", img->path);
        return false;
    }
    for (uint32_t i = 0; i < l1_size; i++)
        img->l1[i] = be(raw + 8 * i, 8);
    free(raw);
    if (backing_offset) {
        if (backing_len == 0 || backing_len > 1023 || backing_offset > img->file_size ||
            backing_len > img->file_size - backing_offset) {
            message_format(err, err_len, "'%s': qcow2 backing file name is invalid", img->path);
            return false;
        }
        if (depth >= QCOW_MAX_BACKING_DEPTH) {
            message_format(err, err_len, "'%s': backing chain deeper than %d", img->path,
                        QCOW_MAX_BACKING_DEPTH);
            return false;
        }
        char name[1024];
        if (!read_exact(img->fd, name, backing_len, backing_offset)) {
            message_format(err, err_len, "'%s': cannot read the backing file name", img->path);
            return false;
        }
        name[backing_len] = 0;
        if (memchr(name, 0, backing_len)) {
            message_format(err, err_len, "'%s': qcow2 backing file name is invalid", img->path);
            return false;
        }
        /* A relative name is relative to the image's directory. */
        char full[2048];
        const char *slash = strrchr(img->path, '/');
        if (name[0] != '/' && slash)
            snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - img->path), img->path, name);
        else
            snprintf(full, sizeof(full), "%s", name);
        const char *format = block_probe_format(full, err, err_len);
        if (!format)
            return false;
        img->backing = image_open(full, format, false, depth + 1, err, err_len);
        if (!img->backing)
            return false;
    }
    return true;
}

static BlockImage *image_open(const char *path, const char *format, bool writable, int depth,
                              char *err, size_t err_len)
{
    BlockImage *img = calloc(1, sizeof(*img));
    if (!img || !(img->path = strdup(path))) {
        free(img);
        message_format(err, err_len, "out of memory");
        return NULL;
    }
    img->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (img->fd < 0) {
        message_format(err, err_len, "Could not open '%s': %s", path, strerror(errno));
        image_close(img);
        return NULL;
    }
    struct stat st;
    if (fstat(img->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        message_format(err, err_len, "'%s' is not a regular file", path);
        image_close(img);
        return NULL;
    }
    img->file_size = (uint64_t)st.st_size;
    img->size = img->file_size;
    img->qcow2 = strcmp(format, "qcow2") == 0;
    if (img->qcow2) {
        uint8_t magic[4] = { 0 };
        if (!read_exact(img->fd, magic, 4, 0) || memcmp(magic, QCOW_MAGIC, 4) != 0) {
            message_format(err, err_len, "'%s' is not a qcow2 image (format=qcow2)", path);
            image_close(img);
            return NULL;
        }
        if (!qcow2_open(img, depth, err, err_len)) {
            image_close(img);
            return NULL;
        }
    }
    return img;
}

BlockBackend *block_open(const BlockOpenOptions *o, char *err, size_t err_len)
{
    const char *format = o->format;
    if (!format) {
        format = block_probe_format(o->path, err, err_len);
        if (!format)
            return NULL;
        if (strcmp(format, "raw") == 0)
            fprintf(stderr,
                    "WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
                    "         Specify the 'raw' format explicitly to remove this warning.\n",
                    o->path);
    }
    if (strcmp(format, "raw") != 0 && strcmp(format, "qcow2") != 0) {
        message_format(err, err_len, "'%s': unknown format '%s' (use raw or qcow2)", o->path, format);
        return NULL;
    }
    bool qcow2 = strcmp(format, "qcow2") == 0;
    if (qcow2 && !o->readonly && !o->overlay) {
        message_format(err, err_len,
                    "'%s': deja cannot write into qcow2 images; use snapshot=on (writes stay in "
                    "memory), readonly=on, or convert it with 'qemu-img convert -O raw %s "
                    "IMAGE.raw'",
                    o->path, o->path);
        return NULL;
    }
    BlockImage *img = image_open(o->path, format, !o->readonly && !o->overlay, 0, err, err_len);
    if (!img)
        return NULL;
    BlockBackend *b = calloc(1, sizeof(*b));
    if (!b) {
        image_close(img);
        message_format(err, err_len, "out of memory");
        return NULL;
    }
    b->image = img;
    b->readonly = o->readonly;
    b->overlay = o->overlay;
    b->size = img->size;
    return b;
}

void block_close(BlockBackend *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->slot_count; i++)
        free(b->slots[i].data);
    free(b->slots);
    image_close(b->image);
    free(b);
}
uint64_t block_size(const BlockBackend *b)
{
    return b->size;
}

bool block_readonly(const BlockBackend *b)
{
    return b->readonly;
}

const char *block_format_name(const BlockBackend *b)
{
    return b->image->qcow2 ? "qcow2" : "raw";
}

size_t block_overlay_blocks(const BlockBackend *b)
{
    return b->used;
}

static bool in_range(const BlockBackend *b, uint64_t offset, uint64_t len)
{
    return len <= b->size && offset <= b->size - len;
}

/* Raw: the file, bytes past its end read as zeros. */
static bool raw_read(BlockImage *img, uint64_t offset, uint8_t *p, size_t len)
{
    while (len) {
        if (offset >= img->file_size) {
            memset(p, 0, len);
            return true;
        }
        ssize_t n = pread(img->fd, p, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0) {
            memset(p, 0, len);
            return true;
        }
        p += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static bool image_read(BlockImage *img, uint64_t offset, uint8_t *p, size_t len);

static bool qcow2_bad(BlockImage *img, const char *what, uint64_t entry)
{
    fprintf(stderr, "deja: warning: '%s': qcow2 compressed cluster (L2 entry 0x%016llx): %s\n",
            img->path, (unsigned long long)entry, what);
    errno = EIO;
    return false;
}

/* Decompresses the cluster a compressed-cluster descriptor names into
 * img->cache (qcow2 spec "Compressed Clusters Descriptor": with
 * x = 62 - (cluster_bits - 8), bits 0..x-1 are the host byte offset and
 * bits x..61 the number of 512-byte sectors used beyond the one holding
 * that offset). The data is raw deflate (zlib, window 4 KiB) or one zstd
 * stream; it must decode to exactly one cluster. Bytes past the end of
 * the file read as zeros; every field is checked. */
static bool qcow2_compressed_cluster(BlockImage *img, uint64_t entry)
{
    if (img->cache && img->cached_entry == entry)
        return true;
    size_t cluster = (size_t)1 << img->cluster_bits;
    unsigned x = 62 - (img->cluster_bits - 8);
    uint64_t host = entry & ((1ull << x) - 1);
    uint64_t sectors = (entry >> x) & ((1ull << (62 - x)) - 1);
    if (host >> 56)
        return qcow2_bad(img, "offset bits above 55 are set", entry);
    if (host >= img->file_size)
        return qcow2_bad(img, "offset past the end of the file", entry);
    /* At most 2^(cluster_bits - 8) sectors: below 2 clusters + 512. */
    size_t packed_len = (size_t)((sectors + 1) * 512 - (host & 511));
    size_t max_packed = 2 * cluster + 512;
    if (!img->cache) {
        img->cache = malloc(cluster);
        img->packed = malloc(max_packed);
        if (!img->cache || !img->packed) {
            free(img->cache);
            free(img->packed);
            img->cache = img->packed = NULL;
            errno = ENOMEM;
            return false;
        }
    }
    img->cached_entry = 0;
    if (packed_len > max_packed)
        return qcow2_bad(img, "compressed size too large", entry);
    size_t from_file = img->file_size - host < packed_len ? (size_t)(img->file_size - host)
                                                          : packed_len;
    if (!read_exact(img->fd, img->packed, from_file, host))
        return false;
    memset(img->packed + from_file, 0, packed_len - from_file);
    if (img->zstd) {
        ZSTD_DStream *z = ZSTD_createDStream();
        if (!z) {
            errno = ENOMEM;
            return false;
        }
        ZSTD_inBuffer zin = { img->packed, packed_len, 0 };
        ZSTD_outBuffer zout = { img->cache, cluster, 0 };
        size_t r = 1;
        while (zout.pos < cluster && zin.pos < zin.size) {
            r = ZSTD_decompressStream(z, &zout, &zin);
            if (ZSTD_isError(r) || r == 0)
                break;
        }
        ZSTD_freeDStream(z);
        if (ZSTD_isError(r) || zout.pos != cluster)
            return qcow2_bad(img, "zstd data does not decode to one cluster", entry);
    } else {
        z_stream z;
        memset(&z, 0, sizeof(z));
        if (inflateInit2(&z, -12) != Z_OK) {
            errno = ENOMEM;
            return false;
        }
        z.next_in = img->packed;
        z.avail_in = (uInt)packed_len;
        z.next_out = img->cache;
        z.avail_out = (uInt)cluster;
        int r = inflate(&z, Z_FINISH);
        inflateEnd(&z);
        /* Decoding stops once a cluster is out: the stream may go on
         * (Z_BUF_ERROR with a full buffer) or end exactly there. */
        if (z.avail_out != 0 || (r != Z_STREAM_END && r != Z_BUF_ERROR && r != Z_OK))
            return qcow2_bad(img, "deflate data does not decode to one cluster", entry);
    }
    img->cached_entry = entry;
    return true;
}

/* qcow2: cluster by cluster through L1 and L2 (qcow2 spec "Host cluster
 * offsets"); unallocated clusters come from the backing image or read as
 * zeros; every table and data offset is checked against the file size. */
static bool qcow2_read(BlockImage *img, uint64_t offset, uint8_t *p, size_t len)
{
    uint64_t cluster = 1ull << img->cluster_bits;
    unsigned l2_bits = img->cluster_bits - 3;
    while (len) {
        uint64_t in = offset & (cluster - 1);
        size_t n = cluster - in < len ? (size_t)(cluster - in) : len;
        uint64_t index = offset >> img->cluster_bits;
        uint64_t l1_index = index >> l2_bits;
        uint64_t l2_offset = l1_index < img->l1_size ? img->l1[l1_index] & QCOW_L1_OFFSET_MASK : 0;
        uint64_t entry = 0;
        if (l2_offset) {
            if (l2_offset % cluster || l2_offset > img->file_size ||
                cluster > img->file_size - l2_offset) {
                fprintf(stderr, "deja: warning: '%s': qcow2 L2 table offset 0x%llx is invalid\n",
                        img->path, (unsigned long long)l2_offset);
                errno = EIO;
                return false;
            }
            uint8_t e[8];
            uint64_t l2_index = index & ((1ull << l2_bits) - 1);
            if (!read_exact(img->fd, e, 8, l2_offset + 8 * l2_index))
                return false;
            entry = be(e, 8);
        }
        if (entry & QCOW_L2_COMPRESSED) {
            if (!qcow2_compressed_cluster(img, entry))
                return false;
            memcpy(p, img->cache + in, n);
            p += n;
            offset += n;
            len -= n;
            continue;
        }
        uint64_t host = entry & QCOW_L2_OFFSET_MASK;
        if (entry & QCOW_L2_ZERO) {
            memset(p, 0, n);
        } else if (host) {
            if (host % cluster || host >= img->file_size) {
                fprintf(stderr, "deja: warning: '%s': qcow2 cluster offset 0x%llx is invalid\n",
                        img->path, (unsigned long long)host);
                errno = EIO;
                return false;
            }
            /* The last cluster may end past the end of the file (QEMU
             * does not always write a new cluster's zero tail): zeros. */
            uint64_t avail = img->file_size - host > in ? img->file_size - host - in : 0;
            size_t from_file = avail < n ? (size_t)avail : n;
            if (from_file && !read_exact(img->fd, p, from_file, host + in))
                return false;
            memset(p + from_file, 0, n - from_file);
        } else if (img->backing) {
            if (!image_read(img->backing, offset, p, n))
                return false;
        } else {
            memset(p, 0, n);
        }
        p += n;
        offset += n;
        len -= n;
    }
    return true;
}

/* Bytes past an image's virtual size read as zeros (a backing image may
 * be smaller than its overlay). */
static bool image_read(BlockImage *img, uint64_t offset, uint8_t *p, size_t len)
{
    if (offset >= img->size) {
        memset(p, 0, len);
        return true;
    }
    if (len > img->size - offset) {
        size_t inside = (size_t)(img->size - offset);
        memset(p + inside, 0, len - inside);
        len = inside;
    }
    return img->qcow2 ? qcow2_read(img, offset, p, len) : raw_read(img, offset, p, len);
}

static bool base_read(BlockBackend *b, uint64_t offset, void *buf, size_t len)
{
    return image_read(b->image, offset, buf, len);
}

/* Only raw images without overlay are written (block_open refuses the
 * rest). */
static bool base_write(BlockBackend *b, uint64_t offset, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(b->image->fd, p, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static size_t slot_hash(uint64_t block, size_t mask)
{
    block *= 0x9e3779b97f4a7c15ull;
    return (size_t)(block >> 17) & mask;
}

static OverlaySlot *overlay_find(const BlockBackend *b, uint64_t block)
{
    if (!b->slot_count)
        return NULL;
    size_t mask = b->slot_count - 1;
    for (size_t i = slot_hash(block, mask);; i = (i + 1) & mask) {
        OverlaySlot *s = &b->slots[i];
        if (s->block == 0)
            return NULL;
        if (s->block == block + 1)
            return s;
    }
}

static bool overlay_grow(BlockBackend *b)
{
    size_t count = b->slot_count ? b->slot_count * 2 : 1024;
    OverlaySlot *slots = calloc(count, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < b->slot_count; i++) {
        OverlaySlot *s = &b->slots[i];
        if (!s->block)
            continue;
        size_t j = slot_hash(s->block - 1, count - 1);
        while (slots[j].block)
            j = (j + 1) & (count - 1);
        slots[j] = *s;
    }
    free(b->slots);
    b->slots = slots;
    b->slot_count = count;
    return true;
}

/* The overlay copy of `block`, created from the image if absent. */
static uint8_t *overlay_block(BlockBackend *b, uint64_t block)
{
    OverlaySlot *s = overlay_find(b, block);
    if (s)
        return s->data;
    if ((b->used + 1) * 2 > b->slot_count && !overlay_grow(b))
        return NULL;
    uint8_t *data = malloc(BLOCK_OVERLAY_BLOCK);
    if (!data)
        return NULL;
    if (!base_read(b, block * BLOCK_OVERLAY_BLOCK, data, BLOCK_OVERLAY_BLOCK)) {
        free(data);
        return NULL;
    }
    size_t mask = b->slot_count - 1;
    size_t i = slot_hash(block, mask);
    while (b->slots[i].block)
        i = (i + 1) & mask;
    b->slots[i] = (OverlaySlot){ block + 1, data };
    b->used++;
    return data;
}

bool block_has_overlay(const BlockBackend *b)
{
    return b->overlay;
}

static int cmp_slot_ptr(const void *a, const void *b)
{
    uint64_t x = (*(OverlaySlot *const *)a)->block, y = (*(OverlaySlot *const *)b)->block;
    return x < y ? -1 : x > y;
}

void block_overlay_save(const BlockBackend *b, StateWriter *w)
{
    if (!b->used) {
        state_put_varint(w, 0);
        return;
    }
    OverlaySlot **list = malloc(b->used * sizeof(*list));
    if (!list) {
        w->failed = true;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < b->slot_count; i++)
        if (b->slots[i].block)
            list[n++] = &b->slots[i];
    qsort(list, n, sizeof(*list), cmp_slot_ptr);
    state_put_varint(w, n);
    for (size_t i = 0; i < n; i++) {
        state_put_varint(w, list[i]->block - 1);
        state_put_bytes(w, list[i]->data, BLOCK_OVERLAY_BLOCK);
    }
    free(list);
}

bool block_overlay_load(BlockBackend *b, StateReader *r)
{
    uint64_t count = state_get_varint(r);
    uint64_t blocks = (b->size + BLOCK_OVERLAY_BLOCK - 1) / BLOCK_OVERLAY_BLOCK;
    if (r->failed || count > blocks || (count && !b->overlay) ||
        count > (r->len - r->pos) / BLOCK_OVERLAY_BLOCK)
        return false;
    size_t slot_count = 1024;
    while (slot_count < 2 * count + 2)
        slot_count *= 2;
    OverlaySlot *slots = calloc(slot_count, sizeof(*slots));
    if (!slots)
        return false;
    bool ok = true;
    for (uint64_t k = 0; k < count && ok; k++) {
        uint64_t block = state_get_varint(r);
        const uint8_t *data = state_get_span(r, BLOCK_OVERLAY_BLOCK);
        if (!data || block >= blocks) {
            ok = false;
            break;
        }
        size_t i = slot_hash(block, slot_count - 1);
        while (slots[i].block && slots[i].block != block + 1)
            i = (i + 1) & (slot_count - 1);
        if (slots[i].block || !(slots[i].data = malloc(BLOCK_OVERLAY_BLOCK))) {
            ok = false; /* duplicate block or out of memory */
            break;
        }
        slots[i].block = block + 1;
        memcpy(slots[i].data, data, BLOCK_OVERLAY_BLOCK);
    }
    if (!ok) {
        for (size_t i = 0; i < slot_count; i++)
            free(slots[i].data);
        free(slots);
        return false;
    }
    for (size_t i = 0; i < b->slot_count; i++)
        free(b->slots[i].data);
    free(b->slots);
    b->slots = slots;
    b->slot_count = slot_count;
    b->used = (size_t)count;
    return true;
}

bool block_read(BlockBackend *b, uint64_t offset, void *buf, size_t len)
{
    if (!in_range(b, offset, len)) {
        errno = EINVAL;
        return false;
    }
    if (!b->used)
        return base_read(b, offset, buf, len);
    uint8_t *p = buf;
    while (len) {
        uint64_t block = offset / BLOCK_OVERLAY_BLOCK;
        size_t in = (size_t)(offset % BLOCK_OVERLAY_BLOCK);
        size_t n = BLOCK_OVERLAY_BLOCK - in < len ? BLOCK_OVERLAY_BLOCK - in : len;
        OverlaySlot *s = overlay_find(b, block);
        if (s)
            memcpy(p, s->data + in, n);
        else if (!base_read(b, offset, p, n))
            return false;
        p += n;
        offset += n;
        len -= n;
    }
    return true;
}

static bool block_write_common(BlockBackend *b, uint64_t offset, const void *buf, uint64_t len)
{
    if (b->readonly) {
        errno = EROFS;
        return false;
    }
    if (!in_range(b, offset, len)) {
        errno = EINVAL;
        return false;
    }
    if (!b->overlay) {
        if (buf)
            return base_write(b, offset, buf, (size_t)len);
        static const uint8_t zeros[BLOCK_OVERLAY_BLOCK];
        while (len) {
            size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
            if (!base_write(b, offset, zeros, n))
                return false;
            offset += n;
            len -= n;
        }
        return true;
    }
    const uint8_t *p = buf;
    while (len) {
        uint64_t block = offset / BLOCK_OVERLAY_BLOCK;
        size_t in = (size_t)(offset % BLOCK_OVERLAY_BLOCK);
        size_t n = BLOCK_OVERLAY_BLOCK - in < len ? BLOCK_OVERLAY_BLOCK - in : (size_t)len;
        uint8_t *data = overlay_block(b, block);
        if (!data) {
            errno = ENOMEM;
            return false;
        }
        if (p) {
            memcpy(data + in, p, n);
            p += n;
        } else {
            memset(data + in, 0, n);
        }
        offset += n;
        len -= n;
    }
    return true;
}

bool block_write(BlockBackend *b, uint64_t offset, const void *buf, size_t len)
{
    return block_write_common(b, offset, buf, len);
}

bool block_write_zeroes(BlockBackend *b, uint64_t offset, uint64_t len)
{
    return block_write_common(b, offset, NULL, len);
}

bool block_flush(BlockBackend *b)
{
    if (b->overlay || b->readonly)
        return true;
    return fdatasync(b->image->fd) == 0;
}
