/* Snapshot files (snapfile.h). */
#include "snapshot/snapfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

#include "snapshot/state.h"

#define PAGE 4096u
#define PREFIX_LEN 20 /* magic, version, body length */
#define SNAPFILE_MAX_SECTIONS 64
#define SNAPFILE_ZSTD_LEVEL 1

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *q = (const uint64_t *)p;
    for (unsigned i = 0; i < PAGE / 8; i += 4)
        if (q[i] | q[i + 1] | q[i + 2] | q[i + 3])
            return false;
    return true;
}

/* The "ram" section: *head gets everything before the compressed bytes
 * (size, counts, bitmap, compressed length), zdata, zlen: the zstd frame
 * (malloc'ed). Pages are compressed straight from guest RAM. */
static bool ram_section(StateWriter *head, uint8_t **zdata, size_t *zlen, const uint8_t *ram,
                        uint64_t ram_size, char *err, size_t err_len)
{
    uint64_t pages = ram_size / PAGE;
    size_t bitmap_len = (size_t)((pages + 7) / 8);
    uint8_t *bitmap = calloc(bitmap_len ? bitmap_len : 1, 1);
    if (!bitmap) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    uint64_t nonzero = 0;
    for (uint64_t p = 0; p < pages; p++) {
        if (!page_is_zero(ram + p * PAGE)) {
            bitmap[p >> 3] |= (uint8_t)(1u << (p & 7));
            nonzero++;
        }
    }
    size_t bound = ZSTD_compressBound((size_t)(nonzero * PAGE));
    uint8_t *out = malloc(bound ? bound : 1);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    bool ok = out && cctx;
    size_t out_pos = 0;
    if (ok) {
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, SNAPFILE_ZSTD_LEVEL);
        ZSTD_CCtx_setPledgedSrcSize(cctx, nonzero * PAGE);
        ZSTD_outBuffer ob = { out, bound, 0 };
        /* Runs of consecutive non-zero pages go in one call. */
        for (uint64_t p = 0; p < pages && ok;) {
            if (!(bitmap[p >> 3] & (1u << (p & 7)))) {
                p++;
                continue;
            }
            uint64_t q = p;
            while (q < pages && (bitmap[q >> 3] & (1u << (q & 7))))
                q++;
            ZSTD_inBuffer ib = { ram + p * PAGE, (size_t)((q - p) * PAGE), 0 };
            while (ib.pos < ib.size && ok)
                ok = !ZSTD_isError(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_continue));
            p = q;
        }
        size_t left = 1;
        while (ok && left) {
            ZSTD_inBuffer ib = { NULL, 0, 0 };
            left = ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_end);
            ok = !ZSTD_isError(left);
        }
        out_pos = ob.pos;
    }
    if (ok) {
        state_put_u64(head, ram_size);
        state_put_u64(head, nonzero);
        state_put_bytes(head, bitmap, bitmap_len);
        state_put_u64(head, out_pos);
        *zdata = out;
        *zlen = out_pos;
        out = NULL;
    } else {
        snprintf(err, err_len, "cannot compress the RAM (out of memory or zstd error)");
    }
    ZSTD_freeCCtx(cctx);
    free(out);
    free(bitmap);
    return ok;
}

static void put_section_head(StateWriter *w, const char *name, uint32_t version, size_t len)
{
    state_put_string(w, name);
    state_put_u32(w, version);
    state_put_u64(w, len);
}

/* fwrite + running checksum. */
static bool put_out(FILE *f, XXH3_state_t *h, const void *data, size_t len)
{
    XXH3_64bits_update(h, data, len);
    return fwrite(data, 1, len, f) == len;
}

bool snapfile_write(const char *path, const SnapInfo *info, const void *core, size_t core_len,
                    const uint8_t *ram, uint64_t ram_size, char *err, size_t err_len)
{
    if (ram_size % PAGE) {
        snprintf(err, err_len, "RAM size is not a multiple of 4 KiB");
        return false;
    }
    StateWriter ramhead, w;
    state_writer_init(&ramhead);
    state_writer_init(&w);
    uint8_t *zdata = NULL;
    size_t zlen = 0;
    if (!ram_section(&ramhead, &zdata, &zlen, ram, ram_size, err, err_len)) {
        state_writer_free(&ramhead);
        return false;
    }
    /* Everything before the compressed RAM is built in memory; the RAM
     * frame is written from its own buffer (no copy). */
    state_put_bytes(&w, SNAPFILE_MAGIC, 8);
    state_put_u32(&w, SNAPFILE_VERSION);
    state_put_u64(&w, 0); /* body length, patched below */
    state_put_string(&w, SNAPFILE_DEJA_VERSION);
    state_put_string(&w, info->config_id);
    state_put_string(&w, info->name);
    state_put_u64(&w, info->icount);
    state_put_u64(&w, info->vm_ns);
    state_put_u64(&w, info->saved_unix ? info->saved_unix : (uint64_t)time(NULL));
    state_put_u64(&w, info->trace_id);
    state_put_varint(&w, 2);
    put_section_head(&w, "core", 1, core_len);
    state_put_bytes(&w, core, core_len);
    put_section_head(&w, "ram", 1, ramhead.len + zlen);
    state_put_bytes(&w, ramhead.data, ramhead.len);
    bool ok = !w.failed && !ramhead.failed;
    state_writer_free(&ramhead);
    if (!ok) {
        snprintf(err, err_len, "out of memory");
        state_writer_free(&w);
        free(zdata);
        return false;
    }
    uint64_t body = w.len + zlen - PREFIX_LEN;
    for (int i = 0; i < 8; i++)
        w.data[12 + i] = (uint8_t)(body >> (8 * i));

    size_t tlen = strlen(path) + 5;
    char *tmp = malloc(tlen);
    XXH3_state_t *h = XXH3_createState();
    FILE *f = NULL;
    if (tmp && h) {
        snprintf(tmp, tlen, "%s.tmp", path);
        f = fopen(tmp, "wb");
    }
    if (!f) {
        snprintf(err, err_len, "cannot create '%s': %s", tmp ? tmp : path,
                 tmp && h ? strerror(errno) : "out of memory");
        ok = false;
    } else {
        XXH3_64bits_reset(h);
        bool wrote = put_out(f, h, w.data, w.len) && put_out(f, h, zdata, zlen);
        uint64_t sum = XXH3_64bits_digest(h);
        uint8_t le[8];
        for (int i = 0; i < 8; i++)
            le[i] = (uint8_t)(sum >> (8 * i));
        wrote = wrote && fwrite(le, 1, 8, f) == 8;
        int saved = errno;
        if (fclose(f) != 0 && wrote) {
            wrote = false;
            saved = errno;
        }
        if (!wrote || rename(tmp, path) != 0) {
            snprintf(err, err_len, "cannot write '%s': %s", path, strerror(wrote ? errno : saved));
            unlink(tmp);
            ok = false;
        }
    }
    XXH3_freeState(h);
    free(tmp);
    free(zdata);
    state_writer_free(&w);
    return ok;
}

/* Magic, version and the header strings; *body_len the declared length. */
static bool parse_header(StateReader *r, SnapInfo *info, uint64_t *body_len, char *err,
                         size_t err_len)
{
    char magic[8];
    if (!state_get_bytes(r, magic, 8)) {
        snprintf(err, err_len, "not a deja snapshot (file too short)");
        return false;
    }
    if (memcmp(magic, SNAPFILE_MAGIC, 8) != 0) {
        snprintf(err, err_len, "not a deja snapshot (bad magic)");
        return false;
    }
    uint32_t version = state_get_u32(r);
    *body_len = state_get_u64(r);
    if (r->failed) {
        snprintf(err, err_len, "snapshot is truncated (header)");
        return false;
    }
    if (version != SNAPFILE_VERSION) {
        snprintf(err, err_len, "snapshot format version %u is not supported (this deja reads %u)",
                 version, SNAPFILE_VERSION);
        return false;
    }
    memset(info, 0, sizeof(*info));
    state_get_string(r, info->deja_version, sizeof(info->deja_version));
    state_get_string(r, info->config_id, sizeof(info->config_id));
    state_get_string(r, info->name, sizeof(info->name));
    info->icount = state_get_u64(r);
    info->vm_ns = state_get_u64(r);
    info->saved_unix = state_get_u64(r);
    info->trace_id = state_get_u64(r);
    if (r->failed) {
        snprintf(err, err_len, "snapshot is truncated (header)");
        return false;
    }
    return true;
}

void snapfile_free(SnapFile *f)
{
    free(f->data);
    memset(f, 0, sizeof(*f));
}

bool snapfile_parse(uint8_t *data, size_t len, SnapFile *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof(*f));
    f->data = data;
    f->len = len;
    StateReader r;
    state_reader_init(&r, data, len);
    uint64_t body_len;
    if (!parse_header(&r, &f->info, &body_len, err, err_len))
        goto fail;
    f->info.file_size = len;
    if (len < PREFIX_LEN + 8 || body_len != len - PREFIX_LEN - 8) {
        snprintf(err, err_len,
                 "snapshot is truncated or has trailing bytes (%zu bytes, header says %llu)",
                 len, (unsigned long long)(body_len + PREFIX_LEN + 8));
        goto fail;
    }
    uint64_t stored = 0;
    for (int i = 0; i < 8; i++)
        stored |= (uint64_t)data[len - 8 + i] << (8 * i);
    if (stored != XXH3_64bits(data, len - 8)) {
        snprintf(err, err_len, "snapshot is corrupt (checksum mismatch)");
        goto fail;
    }
    r.len = len - 8;
    uint64_t count = state_get_varint(&r);
    if (r.failed || count > SNAPFILE_MAX_SECTIONS) {
        snprintf(err, err_len, "snapshot is corrupt (section count)");
        goto fail;
    }
    for (uint64_t i = 0; i < count; i++) {
        char name[32];
        state_get_string(&r, name, sizeof(name));
        uint32_t version = state_get_u32(&r);
        uint64_t slen = state_get_u64(&r);
        const uint8_t *p = r.failed || slen > r.len - r.pos ? NULL : state_get_span(&r, (size_t)slen);
        if (!p) {
            snprintf(err, err_len, "snapshot is corrupt (section %llu)", (unsigned long long)i);
            goto fail;
        }
        bool known = !strcmp(name, "core") || !strcmp(name, "ram");
        if (known && version != 1) {
            snprintf(err, err_len, "snapshot section '%s' has version %u, this deja reads 1", name,
                     version);
            goto fail;
        }
        if (!strcmp(name, "core")) {
            f->core = p;
            f->core_len = (size_t)slen;
        } else if (!strcmp(name, "ram")) {
            f->ram = p;
            f->ram_len = (size_t)slen;
        }
    }
    if (!f->core || !f->ram) {
        snprintf(err, err_len, "snapshot has no '%s' section", f->core ? "ram" : "core");
        goto fail;
    }
    return true;
fail:
    snapfile_free(f);
    return false;
}

static uint8_t *read_all(const char *path, size_t *len, size_t limit, char *err, size_t err_len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, err_len, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "'%s' is not a regular file", path);
        fclose(fp);
        return NULL;
    }
    size_t want = (size_t)st.st_size;
    if (limit && want > limit)
        want = limit;
    uint8_t *data = malloc(want ? want : 1);
    if (!data) {
        snprintf(err, err_len, "out of memory reading '%s'", path);
        fclose(fp);
        return NULL;
    }
    size_t got = fread(data, 1, want, fp);
    fclose(fp);
    if (got != want) {
        snprintf(err, err_len, "cannot read '%s'", path);
        free(data);
        return NULL;
    }
    *len = got;
    return data;
}

bool snapfile_read(const char *path, SnapFile *f, char *err, size_t err_len)
{
    size_t len;
    uint8_t *data = read_all(path, &len, 0, err, err_len);
    if (!data) {
        memset(f, 0, sizeof(*f));
        return false;
    }
    return snapfile_parse(data, len, f, err, err_len);
}

bool snapfile_read_info(const char *path, SnapInfo *info, char *err, size_t err_len)
{
    size_t len;
    uint8_t *data = read_all(path, &len, 4096, err, err_len);
    if (!data)
        return false;
    StateReader r;
    state_reader_init(&r, data, len);
    uint64_t body_len;
    bool ok = parse_header(&r, info, &body_len, err, err_len);
    free(data);
    struct stat st;
    if (ok && stat(path, &st) == 0)
        info->file_size = (uint64_t)st.st_size;
    return ok;
}

bool snapfile_load_ram(const SnapFile *f, uint8_t *ram, uint64_t ram_size, char *err,
                       size_t err_len)
{
    StateReader r;
    state_reader_init(&r, f->ram, f->ram_len);
    uint64_t size = state_get_u64(&r);
    uint64_t nonzero = state_get_u64(&r);
    if (r.failed || size != ram_size) {
        snprintf(err, err_len, "snapshot RAM is %llu bytes, this machine has %llu",
                 (unsigned long long)size, (unsigned long long)ram_size);
        return false;
    }
    uint64_t pages = size / PAGE;
    const uint8_t *bitmap = state_get_span(&r, (size_t)((pages + 7) / 8));
    uint64_t clen = state_get_u64(&r);
    const uint8_t *cdata = r.failed || clen != r.len - r.pos ? NULL : state_get_span(&r, clen);
    if (!bitmap || !cdata || nonzero > pages) {
        snprintf(err, err_len, "snapshot RAM section is malformed");
        return false;
    }
    uint64_t counted = 0;
    for (uint64_t p = 0; p < pages; p++)
        counted += (bitmap[p >> 3] >> (p & 7)) & 1;
    unsigned long long content = ZSTD_getFrameContentSize(cdata, (size_t)clen);
    if (counted != nonzero || content != nonzero * PAGE) {
        snprintf(err, err_len, "snapshot RAM section is malformed (page counts)");
        return false;
    }
    if (!ram)
        return true; /* checks only */
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    ZSTD_inBuffer ib = { cdata, (size_t)clen, 0 };
    bool ok = true;
    for (uint64_t p = 0; p < pages && ok; p++) {
        uint8_t *dst = ram + p * PAGE;
        if (!(bitmap[p >> 3] & (1u << (p & 7)))) {
            if (!page_is_zero(dst)) /* untouched host pages stay unallocated */
                memset(dst, 0, PAGE);
            continue;
        }
        ZSTD_outBuffer ob = { dst, PAGE, 0 };
        while (ob.pos < ob.size && ok) {
            size_t before_in = ib.pos, before_out = ob.pos;
            size_t ret = ZSTD_decompressStream(d, &ob, &ib);
            if (ZSTD_isError(ret) || (ib.pos == before_in && ob.pos == before_out))
                ok = false;
        }
    }
    ZSTD_freeDCtx(d);
    if (!ok)
        snprintf(err, err_len, "snapshot RAM does not decompress");
    return ok;
}
