/* The snapshot file (savevm): one file per snapshot, docs/snapshots.md.
 *
 *   offset 0   8 bytes  magic "DEJASNAP"
 *          8   u32      format version (SNAPFILE_VERSION)
 *         12   u64      body length N
 *         20   N bytes  body
 *       20+N   u64      XXH3-64 of bytes [0, 20+N)
 *
 * Body (state.h encoding): string deja version, string machine config id
 * (virt_state_config_id), string snapshot name, u64 machine icount, u64
 * virtual clock ns, u64 save time (Unix seconds), u64 trace id (the
 * recording's RTC base time when saved under record/replay, else 0),
 * varint section count,
 * then sections: string name, u32 version, u64 length, bytes.
 *   "core" v1: the machine core state (virt_state_save_core);
 *   "ram"  v1: u64 RAM bytes, u64 nonzero pages, bitmap of nonzero pages
 *              (1 bit per 4 KiB page), u64 compressed length, the nonzero
 *              pages in page order as one zstd frame.
 * Unknown sections are skipped, so later versions can add some.
 *
 * Readers check everything (magic, version, lengths, checksum, section
 * versions) before a byte of machine state changes, and explain a refusal
 * in one line without the file's path (callers prefix it). */
#ifndef DEJA_SNAPFILE_H
#define DEJA_SNAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAPFILE_MAGIC "DEJASNAP"
#define SNAPFILE_VERSION 1
#define SNAPFILE_DEJA_VERSION "0.1"
#define SNAPFILE_NAME_MAX 128
#define SNAPFILE_CONFIG_MAX 1024

typedef struct SnapInfo {
    char deja_version[32];
    char config_id[SNAPFILE_CONFIG_MAX];
    char name[SNAPFILE_NAME_MAX];
    uint64_t icount;
    uint64_t vm_ns;
    uint64_t saved_unix;
    uint64_t trace_id; /* the recording's RTC base time under record/replay, else 0 */
    uint64_t file_size; /* filled by the readers */
} SnapInfo;

typedef struct SnapFile {
    uint8_t *data; /* whole file */
    size_t len;
    SnapInfo info;
    const uint8_t *core; /* "core" section */
    size_t core_len;
    const uint8_t *ram; /* "ram" section */
    size_t ram_len;
} SnapFile;

/* Writes path atomically (PATH.tmp then rename). ram: ram_size bytes
 * (multiple of 4096). false and a message on failure. */
bool snapfile_write(const char *path, const SnapInfo *info, const void *core, size_t core_len,
                    const uint8_t *ram, uint64_t ram_size, char *err, size_t err_len);

/* Reads and checks the whole file (checksum included). */
bool snapfile_read(const char *path, SnapFile *f, char *err, size_t err_len);
/* The same on a buffer the SnapFile takes ownership of (freed by
 * snapfile_free, also on failure). */
bool snapfile_parse(uint8_t *data, size_t len, SnapFile *f, char *err, size_t err_len);
void snapfile_free(SnapFile *f);

/* Header fields only (no checksum: for listings). */
bool snapfile_read_info(const char *path, SnapInfo *info, char *err, size_t err_len);

/* Decompresses the RAM section into ram (ram_size bytes; zero pages are
 * cleared). Checks sizes first: false before anything is written when
 * the section does not fit; a zstd error later leaves RAM partly written
 * (the checksum makes that a can't-happen). ram NULL: the checks only. */
bool snapfile_load_ram(const SnapFile *f, uint8_t *ram, uint64_t ram_size, char *err,
                       size_t err_len);

#endif
