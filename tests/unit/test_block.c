/* Block backends: raw files, the copy-on-write overlay, read-only, bounds,
 * format probing, and qcow2 images made with qemu-img when it is
 * installed (skipped otherwise). */
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host/block.h"

#define IMAGE_SIZE (64 * 1024)

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 13 + i / 4096);
}

static char *make_raw(uint8_t *copy)
{
    static char path[64];
    strcpy(path, "/tmp/deja-test-block-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    for (size_t i = 0; i < IMAGE_SIZE; i++)
        copy[i] = pattern(i);
    CHECK(write(fd, copy, IMAGE_SIZE) == IMAGE_SIZE);
    close(fd);
    return path;
}

static bool file_equals(const char *path, const uint8_t *expect, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t *buf = malloc(len + 1);
    size_t n = fread(buf, 1, len + 1, f);
    fclose(f);
    bool same = n == len && memcmp(buf, expect, len) == 0;
    free(buf);
    return same;
}

static void test_raw(void)
{
    static uint8_t image[IMAGE_SIZE], buf[IMAGE_SIZE];
    char *path = make_raw(image);
    char err[256];
    BlockOpenOptions o = { .path = path, .format = "raw" };
    BlockBackend *b = block_open(&o, err, sizeof(err));
    CHECK(b != NULL);
    CHECK_EQ(block_size(b), IMAGE_SIZE);
    CHECK(block_read(b, 100, buf, 5000));
    CHECK(memcmp(buf, image + 100, 5000) == 0);
    CHECK(!block_read(b, IMAGE_SIZE - 10, buf, 11));
    CHECK(!block_read(b, UINT64_MAX - 4, buf, 8));
    CHECK(block_read(b, IMAGE_SIZE - 10, buf, 10));
    memset(buf, 0x5a, 700);
    CHECK(block_write(b, 4000, buf, 700));
    memset(image + 4000, 0x5a, 700);
    CHECK(block_write_zeroes(b, 10000, 100));
    memset(image + 10000, 0, 100);
    CHECK(!block_write(b, IMAGE_SIZE - 1, buf, 2));
    CHECK(block_flush(b));
    block_close(b);
    CHECK(file_equals(path, image, IMAGE_SIZE));

    /* Overlay: the file never changes, reads see the writes. */
    o.overlay = true;
    b = block_open(&o, err, sizeof(err));
    CHECK(b != NULL);
    static uint8_t expect[IMAGE_SIZE];
    memcpy(expect, image, IMAGE_SIZE);
    memset(buf, 0xc3, 9000);
    CHECK(block_write(b, 4090, buf, 9000)); /* spans 4 blocks, unaligned both ends */
    memset(expect + 4090, 0xc3, 9000);
    CHECK(block_write_zeroes(b, 30000, 5000));
    memset(expect + 30000, 0, 5000);
    CHECK_EQ(block_overlay_blocks(b), 4 + 2);
    CHECK(block_read(b, 0, buf, IMAGE_SIZE));
    CHECK(memcmp(buf, expect, IMAGE_SIZE) == 0);
    CHECK(block_read(b, 4095, buf, 3));
    CHECK(memcmp(buf, expect + 4095, 3) == 0);
    for (int i = 0; i < 3000; i++) { /* many blocks: the map grows */
        uint8_t v = (uint8_t)i;
        CHECK(block_write(b, (uint64_t)(i * 17) % IMAGE_SIZE, &v, 1));
        expect[(i * 17) % IMAGE_SIZE] = v;
    }
    CHECK(block_read(b, 0, buf, IMAGE_SIZE));
    CHECK(memcmp(buf, expect, IMAGE_SIZE) == 0);
    CHECK(block_flush(b));
    block_close(b);
    CHECK(file_equals(path, image, IMAGE_SIZE));

    /* Read-only. */
    o.overlay = false;
    o.readonly = true;
    b = block_open(&o, err, sizeof(err));
    CHECK(b != NULL);
    CHECK(block_readonly(b));
    CHECK(!block_write(b, 0, buf, 1));
    CHECK(block_read(b, 0, buf, 1));
    block_close(b);

    /* Probing and errors. */
    CHECK(strcmp(block_probe_format(path, err, sizeof(err)), "raw") == 0);
    o = (BlockOpenOptions){ .path = "/nonexistent/deja.img", .format = "raw" };
    CHECK(block_open(&o, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "Could not open") != NULL);
    unlink(path);
}

static bool sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd) == 0;
}

/* Reads the whole of `image` through deja and compares it with what
 * qemu-img convert -O raw gives. */
static bool same_as_qemu(const char *dir, const char *image, bool expect_ok)
{
    char path[512], raw[512], err[256];
    snprintf(path, sizeof(path), "%s/%s", dir, image);
    snprintf(raw, sizeof(raw), "%s/%s.raw", dir, image);
    if (!sh("qemu-img convert -O raw '%s' '%s'", path, raw))
        return false;
    BlockOpenOptions o = { .path = path, .overlay = true };
    BlockBackend *b = block_open(&o, err, sizeof(err));
    if (!b) {
        printf("open %s: %s\n", path, err);
        return false;
    }
    FILE *f = fopen(raw, "rb");
    bool same = f != NULL && strcmp(block_format_name(b), "qcow2") == 0;
    static uint8_t mine[65536], theirs[65536];
    for (uint64_t off = 0; same && off < block_size(b); off += sizeof(mine)) {
        size_t n = fread(theirs, 1, sizeof(theirs), f);
        if (n == 0 || (n < sizeof(theirs) && off + n != block_size(b))) {
            same = false;
            break;
        }
        bool ok = block_read(b, off, mine, n);
        if (!ok) {
            same = !expect_ok;
            break;
        }
        same = memcmp(mine, theirs, n) == 0;
    }
    if (f)
        fclose(f);
    block_close(b);
    return same;
}

/* The L2 entry of guest cluster `index` of a single-L2 qcow2 image:
 * its file offset (0: none). */
static uint64_t l2_entry_offset(const char *path, uint64_t index, uint64_t *entry)
{
    uint8_t h[48], e[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t off = 0;
    if (fread(h, 1, sizeof(h), f) == sizeof(h)) {
        uint64_t l1 = 0, l2 = 0;
        for (int i = 0; i < 8; i++)
            l1 = l1 << 8 | h[40 + i];
        if (fseek(f, (long)l1, SEEK_SET) == 0 && fread(e, 1, 8, f) == 8) {
            for (int i = 0; i < 8; i++)
                l2 = l2 << 8 | e[i];
            l2 &= 0x00fffffffffffe00ull;
            if (l2 && fseek(f, (long)(l2 + 8 * index), SEEK_SET) == 0 && fread(e, 1, 8, f) == 8) {
                *entry = 0;
                for (int i = 0; i < 8; i++)
                    *entry = *entry << 8 | e[i];
                off = l2 + 8 * index;
            }
        }
    }
    fclose(f);
    return off;
}

/* Writes `entry` at `off` of `path` and checks that reading guest cluster
 * `index` (64 KiB clusters) fails cleanly. */
static bool damaged_read_fails(const char *path, uint64_t off, uint64_t entry, uint64_t index)
{
    uint8_t e[8];
    for (int i = 0; i < 8; i++)
        e[i] = (uint8_t)(entry >> (56 - 8 * i));
    FILE *f = fopen(path, "r+b");
    if (!f || fseek(f, (long)off, SEEK_SET) != 0 || fwrite(e, 1, 8, f) != 8) {
        if (f)
            fclose(f);
        return false;
    }
    fclose(f);
    char err[256];
    BlockOpenOptions o = { .path = path, .overlay = true };
    BlockBackend *b = block_open(&o, err, sizeof(err));
    if (!b)
        return false;
    static uint8_t buf[65536];
    bool failed = !block_read(b, index * 65536, buf, sizeof(buf));
    block_close(b);
    return failed;
}

/* Damaged compressed-cluster descriptors (64 KiB clusters: x = 54, so
 * bits 0..53 offset, 54..61 extra sectors): an I/O error each time. */
static void test_compressed_damage(const char *dir)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/damage.qcow2", dir);
    CHECK(sh("cd %s && cp packed.qcow2 damage.qcow2", dir));
    uint64_t index = 1000000 / 65536 + 1, entry = 0; /* inside the 0x65 pattern */
    uint64_t off = l2_entry_offset(path, index, &entry);
    CHECK(off != 0);
    CHECK(entry >> 62 == 1); /* compressed, not copied */
    if (!off || entry >> 62 != 1)
        return;
    uint64_t host = entry & ((1ull << 54) - 1);
    fprintf(stderr, "(warnings about damaged compressed clusters are expected)\n");
    /* Offset past the end of the file. */
    CHECK(damaged_read_fails(path, off, (1ull << 62) | (1ull << 40), index));
    /* Offset into the header: not deflate data. */
    CHECK(damaged_read_fails(path, off, (1ull << 62) | 0, index));
    /* An offset into the middle of the stream: not a valid deflate
     * start, or it ends before a full cluster. */
    CHECK(damaged_read_fails(path, off, (1ull << 62) | (host + 3), index));
    /* Offset bits reserved for extra sectors set to the maximum, with an
     * offset near the end of the file: zeros past the end, no crash. */
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK(damaged_read_fails(path, off, (1ull << 62) | (255ull << 54) | ((uint64_t)st.st_size - 1),
                             index));
    /* The intact descriptor reads again. */
    CHECK(!damaged_read_fails(path, off, entry, index));
}

static void test_qcow2(void)
{
    if (!sh("qemu-img --version >/dev/null 2>&1 && qemu-io --version >/dev/null 2>&1")) {
        printf("test_block: qemu-img/qemu-io not installed, qcow2 part skipped\n");
        return;
    }
    char dir[] = "/tmp/deja-test-qcow2-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *q = "-q";
    /* A raw base with a pattern, a qcow2 v3 overlay with data and zero
     * clusters, and a qcow2 v2 on top of that (chain of three). */
    CHECK(sh("cd %s && head -c 3000000 /dev/urandom > base.raw", dir));
    CHECK(sh("cd %s && qemu-img create %s -f qcow2 -F raw -b base.raw mid.qcow2", dir, q));
    CHECK(sh("cd %s && qemu-io -c 'write -P 0x61 4096 8192' -c 'write -z 65536 200000' "
             "-c 'write -P 0x62 2990000 10000' mid.qcow2 >/dev/null",
             dir));
    CHECK(sh("cd %s && qemu-img create %s -f qcow2 -o compat=0.10 -F qcow2 -b mid.qcow2 "
             "top.qcow2 4M",
             dir, q));
    CHECK(sh("cd %s && qemu-io -c 'write -P 0x63 8000 100000' -c 'write -P 0x64 3500000 1000' "
             "top.qcow2 >/dev/null",
             dir));
    CHECK(same_as_qemu(dir, "mid.qcow2", true));
    CHECK(same_as_qemu(dir, "top.qcow2", true));
    /* Standalone with 512-byte and 2 MiB clusters. */
    CHECK(sh("cd %s && qemu-img convert -O qcow2 -o cluster_size=512 top.qcow2 small.qcow2", dir));
    CHECK(same_as_qemu(dir, "small.qcow2", true));
    CHECK(sh("cd %s && qemu-img convert -O qcow2 -o cluster_size=2M top.qcow2 big.qcow2", dir));
    CHECK(same_as_qemu(dir, "big.qcow2", true));
    /* Compressed clusters (deflate; zstd when qemu-img has it), several
     * cluster sizes; compressible data so the clusters really are packed. */
    CHECK(sh("cd %s && qemu-io -c 'write -P 0x65 1000000 300000' top.qcow2 >/dev/null", dir));
    CHECK(sh("cd %s && qemu-img convert -c -O qcow2 top.qcow2 packed.qcow2", dir));
    CHECK(same_as_qemu(dir, "packed.qcow2", true));
    CHECK(sh("cd %s && qemu-img convert -c -O qcow2 -o cluster_size=512 top.qcow2 packed512.qcow2",
             dir));
    CHECK(same_as_qemu(dir, "packed512.qcow2", true));
    CHECK(sh("cd %s && qemu-img convert -c -O qcow2 -o cluster_size=2M top.qcow2 packed2m.qcow2",
             dir));
    CHECK(same_as_qemu(dir, "packed2m.qcow2", true));
    if (sh("cd %s && qemu-img convert -c -O qcow2 -o compression_type=zstd top.qcow2 "
           "zstd.qcow2 2>/dev/null",
           dir))
        CHECK(same_as_qemu(dir, "zstd.qcow2", true));
    else
        printf("test_block: qemu-img without zstd, zstd part skipped\n");
    test_compressed_damage(dir);

    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/top.qcow2", dir);
    CHECK(strcmp(block_probe_format(path, err, sizeof(err)), "qcow2") == 0);
    /* Writing into qcow2 is refused; snapshot=on writes to memory. */
    BlockOpenOptions o = { .path = path };
    CHECK(block_open(&o, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "snapshot=on") != NULL);
    o.overlay = true;
    BlockBackend *b = block_open(&o, err, sizeof(err));
    CHECK(b != NULL);
    if (b) {
        uint8_t v = 0x99, r = 0;
        CHECK(block_write(b, 5000, &v, 1));
        CHECK(block_read(b, 5000, &r, 1));
        CHECK_EQ(r, 0x99);
        CHECK(!block_read(b, block_size(b), &r, 1));
        block_close(b);
    }
    /* Damaged images are refused at open. */
    CHECK(sh("cd %s && head -c 50 top.qcow2 > cut.qcow2", dir));
    snprintf(path, sizeof(path), "%s/cut.qcow2", dir);
    o.path = path;
    CHECK(block_open(&o, err, sizeof(err)) == NULL);
    CHECK(sh("cd %s && cp small.qcow2 badl1.qcow2 && printf '\\377\\377\\377\\377' | "
             "dd of=badl1.qcow2 bs=1 seek=40 conv=notrunc 2>/dev/null",
             dir));
    snprintf(path, sizeof(path), "%s/badl1.qcow2", dir);
    CHECK(block_open(&o, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "L1") != NULL);
    /* A backing loop is cut by the depth limit. */
    CHECK(sh("cd %s && qemu-img create %s -f qcow2 -F raw -b base.raw loop.qcow2 && "
             "qemu-img rebase -u -F qcow2 -b loop.qcow2 loop.qcow2",
             dir, q));
    snprintf(path, sizeof(path), "%s/loop.qcow2", dir);
    CHECK(block_open(&o, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "deeper") != NULL);
    sh("rm -rf '%s'", dir);
}

int main(void)
{
    test_raw();
    test_qcow2();
    if (!failures)
        printf("test_block: all checks passed\n");
    return failures != 0;
}
