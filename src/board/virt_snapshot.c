/* savevm / loadvm / delvm on a VirtMachine (virt_snapshot.h). */
#include "board/virt_snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/virt.h"
#include "board/virt_seek.h"
#include "board/virt_state.h"
#include "util/message.h"

#define SNAP_SUFFIX ".snap"

const char *virt_snapshot_dir(const struct VirtMachine *m, char *buf, size_t len, char *err,
                              size_t err_len)
{
    if (m->config.snapshot_dir && *m->config.snapshot_dir) {
        snprintf(buf, len, "%s", m->config.snapshot_dir);
        return buf;
    }
    if (m->config.replay.mode != REPLAY_OFF && m->config.replay.path) {
        snprintf(buf, len, "%s.snapshots", m->config.replay.path);
        return buf;
    }
    snprintf(err, err_len,
             "no snapshot directory: give one with -snapshot-dir DIR (under record/replay "
             "the default is RRFILE.snapshots beside the trace)");
    return NULL;
}

bool virt_snapshot_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* DIR/NAME.snap into path; false and err on a bad name or no directory. */
static bool snapshot_path(const VirtMachine *m, const char *name, char *path, size_t len,
                          char *err, size_t err_len)
{
    if (!virt_snapshot_name_ok(name)) {
        snprintf(err, err_len,
                 "invalid snapshot name '%s': use 1 to 64 letters, digits, '.', '_' or '-' "
                 "(not starting with '.')",
                 name);
        return false;
    }
    char dir[4096];
    if (!virt_snapshot_dir(m, dir, sizeof(dir), err, err_len))
        return false;
    if ((size_t)snprintf(path, len, "%s/%s" SNAP_SUFFIX, dir, name) >= len) {
        snprintf(err, err_len, "snapshot path too long");
        return false;
    }
    return true;
}

static bool at_round_boundary(const VirtMachine *m, const char *what, char *err, size_t err_len)
{
    if (m->in_slice || m->running) {
        snprintf(err, err_len,
                 "%s: the machine is paused inside a hart's turn (replay_break); snapshots "
                 "are taken and loaded at round boundaries: use replay_seek, or cont to the "
                 "next stop",
                 what);
        return false;
    }
    return true;
}

static uint64_t trace_id(const VirtMachine *m)
{
    return m->replay ? m->rtc.base_ns : 0;
}

bool virt_snapshot_save(struct VirtMachine *m, const char *name, char *err, size_t err_len)
{
    char path[4352];
    if (!at_round_boundary(m, "savevm", err, err_len) ||
        !snapshot_path(m, name, path, sizeof(path), err, err_len))
        return false;
    /* A monitor request (system_reset, system_powerdown, quit) given
     * earlier in the same poll is handled, and recorded, only at the next
     * round boundary: a state saved now would not hold it. */
    if (m->monitor_request) {
        snprintf(err, err_len,
                 "savevm: a %s request from the monitor is still pending; it is handled at "
                 "the next round boundary: savevm after it",
                 replay_request_name(m->monitor_request));
        return false;
    }
    /* A drive written in place cannot be put back by loadvm. */
    for (int i = 0; i < m->config.block.drive_count; i++) {
        BlockBackend *b = m->block.backends[i];
        if (b && !block_readonly(b) && !block_has_overlay(b)) {
            snprintf(err, err_len,
                     "savevm: drive '%s' is written in place, a snapshot could not restore "
                     "it: use snapshot=on on the drive, -snapshot, or readonly=on",
                     m->config.block.drives[i].id);
            return false;
        }
    }
    char dir[4096];
    virt_snapshot_dir(m, dir, sizeof(dir), err, err_len);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "savevm: cannot create the snapshot directory '%s': %s", dir,
                 strerror(errno));
        return false;
    }
    StateWriter core;
    state_writer_init(&core);
    virt_state_save_core(m, &core);
    if (core.failed) {
        state_writer_free(&core);
        snprintf(err, err_len, "savevm: out of memory");
        return false;
    }
    SnapInfo info = { 0 };
    virt_state_config_id(m, info.config_id, sizeof(info.config_id));
    snprintf(info.name, sizeof(info.name), "%s", name);
    info.icount = m->clock.machine_icount;
    info.vm_ns = clock_now_ns(&m->clock);
    info.trace_id = trace_id(m);
    char why[512];
    bool ok = snapfile_write(path, &info, core.data, core.len, m->bus.ram, m->bus.ram_size, why,
                             sizeof(why));
    state_writer_free(&core);
    if (!ok)
        snprintf(err, err_len, "savevm: %s", why);
    return ok;
}

/* "ram=268435456 (this machine: ram=134217728)": the first item that
 * differs between two config ids. */
static void config_difference(const char *saved, const char *here, char *out, size_t len)
{
    const char *a = saved, *b = here;
    while (*a || *b) {
        size_t la = strcspn(a, " "), lb = strcspn(b, " ");
        if (la != lb || strncmp(a, b, la) != 0) {
            snprintf(out, len, "snapshot has '%.*s', this machine has '%.*s'", (int)la, a,
                     (int)lb, b);
            if (!la)
                snprintf(out, len, "this machine has '%.*s' that the snapshot lacks", (int)lb, b);
            if (!lb)
                snprintf(out, len, "snapshot has '%.*s' that this machine lacks", (int)la, a);
            return;
        }
        a += la;
        b += lb;
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
    }
    snprintf(out, len, "configurations differ");
}

/* How a load treats the replay log. */
typedef enum LoadKind {
    LOAD_USER,     /* loadvm: in replay the log moves to the snapshot */
    LOAD_RR_START, /* rrsnapshot= at the start of a replay: the log stays at 0 */
    LOAD_LOGGED,   /* a LOADVM event (recorded loadvm): the log stays */
} LoadKind;

static bool snapshot_load(VirtMachine *m, const char *name, LoadKind kind, char *err,
                          size_t err_len)
{
    bool rr_start = kind == LOAD_RR_START;
    char path[4352];
    if (!at_round_boundary(m, "loadvm", err, err_len) ||
        !snapshot_path(m, name, path, sizeof(path), err, err_len))
        return false;
    ReplayMode mode = m->replay ? replay_mode(m->replay) : REPLAY_OFF;
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "loadvm: snapshot '%s' does not exist (%s)", name, path);
        return false;
    }
    SnapFile f;
    char why[1536];
    if (!snapfile_read(path, &f, why, sizeof(why))) {
        snprintf(err, err_len, "loadvm: '%s': %s", path, why);
        return false;
    }
    bool ok = false;
    char id[SNAPFILE_CONFIG_MAX];
    virt_state_config_id(m, id, sizeof(id));
    if (strcmp(id, f.info.config_id) != 0) {
        config_difference(f.info.config_id, id, why, sizeof(why));
        snprintf(err, err_len, "loadvm: snapshot '%s' belongs to a different machine: %s", name,
                 why);
        goto out;
    }
    if (mode == REPLAY_PLAY && kind != LOAD_LOGGED) {
        if (!f.info.trace_id) {
            snprintf(err, err_len,
                     "loadvm: snapshot '%s' was taken outside record/replay: it has no trace "
                     "position for this replay",
                     name);
            goto out;
        }
        if (f.info.trace_id != trace_id(m)) {
            snprintf(err, err_len,
                     "loadvm: snapshot '%s' was taken during another recording than this trace's",
                     name);
            goto out;
        }
        if (rr_start && f.info.icount != m->clock.machine_icount) {
            snprintf(err, err_len,
                     "rrsnapshot: snapshot '%s' was taken at instruction %" PRIu64
                     ", not at the start of the recording",
                     name, f.info.icount);
            goto out;
        }
    }
    if (!snapfile_load_ram(&f, NULL, m->bus.ram_size, why, sizeof(why))) {
        snprintf(err, err_len, "loadvm: '%s': %s", path, why);
        goto out;
    }
    StateReader r;
    state_reader_init(&r, f.core, f.core_len);
    uint64_t before = m->clock.machine_icount;
    bool move_log = kind == LOAD_USER && mode == REPLAY_PLAY;
    if (!virt_state_load_core_ex(m, &r, move_log, why, sizeof(why))) {
        snprintf(err, err_len, "loadvm: '%s': %s", path, why);
        goto out;
    }
    if (!snapfile_load_ram(&f, m->bus.ram, m->bus.ram_size, why, sizeof(why))) {
        snprintf(err, err_len, "loadvm: '%s': %s (guest RAM is now inconsistent)", path, why);
        goto out;
    }
    if (mode == REPLAY_RECORD) {
        /* A recorded event: the replay loads the same snapshot at the same
         * trace icount; the trace's count goes on growing (replay.h). */
        replay_log_loadvm(m->replay, before, name);
        replay_rebase(m->replay, before, m->clock.machine_icount);
    } else if (kind == LOAD_LOGGED) {
        replay_rebase(m->replay, before, m->clock.machine_icount);
    }
    virt_seek_forget(m);
    ok = true;
out:
    snapfile_free(&f);
    return ok;
}

bool virt_snapshot_load(struct VirtMachine *m, const char *name, char *err, size_t err_len)
{
    return snapshot_load(m, name, LOAD_USER, err, err_len);
}

bool virt_snapshot_replay_loadvm(void *machine, const char *name, char *err, size_t err_len)
{
    return snapshot_load(machine, name, LOAD_LOGGED, err, err_len);
}

bool virt_snapshot_delete(struct VirtMachine *m, const char *name, char *err, size_t err_len)
{
    char path[4352];
    if (!snapshot_path(m, name, path, sizeof(path), err, err_len))
        return false;
    if (unlink(path) != 0) {
        if (errno == ENOENT)
            snprintf(err, err_len, "delvm: snapshot '%s' does not exist", name);
        else
            snprintf(err, err_len, "delvm: cannot delete '%s': %s", path, strerror(errno));
        return false;
    }
    return true;
}

static int cmp_info(const void *a, const void *b)
{
    const SnapInfo *x = a, *y = b;
    if (x->saved_unix != y->saved_unix)
        return x->saved_unix < y->saved_unix ? -1 : 1;
    return strcmp(x->name, y->name);
}

bool virt_snapshot_list(const struct VirtMachine *m, SnapInfo **list, int *count, char *err,
                        size_t err_len)
{
    *list = NULL;
    *count = 0;
    char dir[4096];
    if (!virt_snapshot_dir(m, dir, sizeof(dir), err, err_len))
        return false;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return true;
        snprintf(err, err_len, "cannot read the snapshot directory '%s': %s", dir,
                 strerror(errno));
        return false;
    }
    struct dirent *e;
    int cap = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name), sl = strlen(SNAP_SUFFIX);
        if (n <= sl || strcmp(e->d_name + n - sl, SNAP_SUFFIX) != 0)
            continue;
        char path[4352], why[256];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        SnapInfo info;
        if (!snapfile_read_info(path, &info, why, sizeof(why)))
            continue;
        /* The file name is the name loadvm takes. */
        snprintf(info.name, sizeof(info.name), "%.*s", (int)(n - sl), e->d_name);
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            SnapInfo *grown = realloc(*list, (size_t)cap * sizeof(*grown));
            if (!grown) {
                closedir(d);
                snprintf(err, err_len, "out of memory");
                return false;
            }
            *list = grown;
        }
        (*list)[(*count)++] = info;
    }
    closedir(d);
    if (*count > 1)
        qsort(*list, (size_t)*count, sizeof(**list), cmp_info);
    return true;
}

bool virt_snapshot_rr_start(struct VirtMachine *m)
{
    const char *name = m->config.rrsnapshot;
    if (!name || !m->replay)
        return true;
    char err[2048];
    bool ok = replay_mode(m->replay) == REPLAY_RECORD ? virt_snapshot_save(m, name, err, sizeof(err))
                                                     : snapshot_load(m, name, LOAD_RR_START, err, sizeof(err));
    if (!ok)
        message_print_error("rrsnapshot=%s: %s", name, err);
    return ok;
}
