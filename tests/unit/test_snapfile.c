#define _GNU_SOURCE
/* Machine state and snapshot files: core state round trip (save, change,
 * load, save again gives the same bytes), snapshot files written and read
 * back, corrupt / truncated / foreign files refused with a message. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board/virt.h"
#include "board/virt_seek.h"
#include "board/virt_snapshot.h"
#include "board/virt_state.h"
#include "check.h"
#include "monitor/hmp.h"
#include "snapshot/hart_state.h"
#include "snapshot/snapfile.h"

static VirtMachine *make_machine(uint64_t ram, int harts, const char *dir)
{
    VirtConfig config = { .ram_size = ram, .hart_count = harts, .bios = "none",
                          .icount_shift = 2, .snapshot_dir = dir };
    return virt_create(&config);
}

/* Guest-visible state a test can poke: registers, RAM, devices, clock. */
static void scribble(VirtMachine *m, uint64_t seed)
{
    for (int h = 0; h < m->hart_count; h++) {
        for (int i = 1; i < 32; i++)
            m->harts[h]->x[i] = seed * 31 + (uint64_t)i * 7 + (uint64_t)h;
        m->harts[h]->pc = VIRT_DRAM_BASE + seed * 4;
        m->harts[h]->mstatus = seed & 0x1888;
        m->harts[h]->instret = seed * 1000;
    }
    uint8_t *ram = m->bus.ram;
    memset(ram + 4096 * (seed % 7), (int)seed, 4096);
    ram[m->bus.ram_size - 1] = (uint8_t)(seed + 1);
    m->clint.mtimecmp[0] = seed * 12345;
    m->uart.scr = (uint8_t)seed;
    m->clock.warp_ns = seed * 99;
    m->clock.machine_icount = seed * 1000;
    m->plic.priority[3] = (uint32_t)seed & 7;
    m->bus.page_flags[5] = (uint8_t)((m->bus.page_flags[5] & ~BUS_PAGE_DIRTY) |
                                     ((seed & 1) ? BUS_PAGE_DIRTY : 0));
}

static void test_core_round_trip(void)
{
    VirtMachine *m = make_machine(16 << 20, 2, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    scribble(m, 3);
    StateWriter a, b;
    state_writer_init(&a);
    state_writer_init(&b);
    virt_state_save_core(m, &a);
    CHECK(!a.failed && a.len > 100);
    scribble(m, 8);
    StateReader r;
    state_reader_init(&r, a.data, a.len);
    char err[512] = "";
    CHECK(virt_state_load_core(m, &r, err, sizeof(err)));
    CHECK_EQ(m->harts[1]->x[5], 3 * 31 + 35 + 1);
    CHECK_EQ(m->clint.mtimecmp[0], 3 * 12345);
    CHECK_EQ(m->uart.scr, 3);
    CHECK_EQ(m->clock.warp_ns, 3 * 99);
    CHECK_EQ(m->clock.machine_icount, 3000);
    CHECK_EQ(m->plic.priority[3], 3);
    CHECK((m->bus.page_flags[5] & BUS_PAGE_DIRTY) != 0);
    virt_state_save_core(m, &b);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);

    /* Truncated at every length: refused, never a crash. */
    int refused = 0;
    for (size_t len = 0; len < a.len; len += 1 + len / 8) {
        state_reader_init(&r, a.data, len);
        refused += !virt_state_load_core(m, &r, err, sizeof(err));
    }
    CHECK(refused > 0);
    size_t tries = 0;
    for (size_t len = 0; len < a.len; len += 1 + len / 8)
        tries++;
    CHECK_EQ(refused, tries);

    /* A hostile record (priv = 2, reserved) is refused before anything
     * changes. */
    {
        uint8_t *copy = malloc(a.len);
        memcpy(copy, a.data, a.len);
        uint8_t *at = memmem(copy, a.len, "\x06hart.0", 7);
        CHECK(at != NULL);
        if (at) {
            StateReader hr;
            state_reader_init(&hr, at + 7, a.len - (size_t)(at + 7 - copy));
            state_get_u32(&hr);   /* section version */
            state_get_varint(&hr); /* length */
            uint8_t *data = at + 7 + hr.pos;
            int idx = hart_state_field_find("priv");
            CHECK(idx >= 0);
            data[4 + 8 * idx] = 2;
            scribble(m, 9);
            state_reader_init(&r, copy, a.len);
            CHECK(!virt_state_load_core(m, &r, err, sizeof(err)));
            CHECK(strstr(err, "hart.0") != NULL);
            CHECK_EQ(m->uart.scr, 9); /* unchanged */
            CHECK_EQ(m->clock.warp_ns, 9 * 99);
            data[4 + 8 * idx] = 1;
            /* A satp mode no write can set (the page walk would shift by
             * a negative count), and mstatus.MPP = 2 (reserved). */
            int satp = hart_state_field_find("satp");
            int mstatus = hart_state_field_find("mstatus");
            CHECK(satp >= 0 && mstatus >= 0);
            for (int bad = 0; bad < 3 && satp >= 0 && mstatus >= 0; bad++) {
                uint8_t *field = data + 4 + 8 * (bad < 2 ? satp : mstatus);
                uint8_t saved[8];
                memcpy(saved, field, 8);
                if (bad < 2)
                    field[7] = bad == 0 ? 0x10 : 0xf0; /* mode 1, mode 15 */
                else
                    field[1] = (uint8_t)((field[1] & ~0x18) | 0x10); /* MPP = 2 */
                state_reader_init(&r, copy, a.len);
                CHECK(!virt_state_load_core(m, &r, err, sizeof(err)));
                CHECK(strstr(err, "hart.0") != NULL);
                CHECK_EQ(m->uart.scr, 9);
                memcpy(field, saved, 8);
            }
            state_reader_init(&r, copy, a.len); /* repaired: loads */
            CHECK(virt_state_load_core(m, &r, err, sizeof(err)));
        }
        free(copy);
    }

    /* Another configuration: refused, naming it. */
    VirtMachine *other = make_machine(32 << 20, 2, NULL);
    CHECK(other != NULL);
    if (other) {
        state_reader_init(&r, a.data, a.len);
        CHECK(!virt_state_load_core(other, &r, err, sizeof(err)));
        CHECK(strstr(err, "different machine configuration") != NULL);
        CHECK(strstr(err, "ram=") != NULL);
        virt_destroy(other);
    }
    state_writer_free(&a);
    state_writer_free(&b);
    virt_destroy(m);
}

/* A record whose last device section is refused by the device leaves the
 * machine as it was: harts and the devices before it were loaded first,
 * the failure puts them back. */
static void test_load_all_or_nothing(void)
{
    VirtMachine *m = make_machine(16 << 20, 2, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    scribble(m, 3);
    StateWriter a, before, after;
    state_writer_init(&a);
    state_writer_init(&before);
    state_writer_init(&after);
    virt_state_save_core(m, &a);
    const Device *last = &m->devices[m->device_count - 1];
    CHECK(last->cls == &virtio_mmio_class && last->cls->load);
    char name[80];
    snprintf(name + 1, sizeof(name) - 1, "dev.%s@%" PRIx64, last->cls->name, last->base);
    name[0] = (char)strlen(name + 1);
    uint8_t *at = memmem(a.data, a.len, name, strlen(name));
    CHECK(at != NULL);
    if (at) {
        StateReader hr;
        size_t off = (size_t)(at - a.data) + strlen(name);
        state_reader_init(&hr, a.data + off, a.len - off);
        state_get_u32(&hr);    /* section version */
        state_get_varint(&hr); /* length */
        a.data[off + hr.pos] ^= 1; /* the slot's device id: refused */
        scribble(m, 11);
        m->harts[1]->stop_request = true;
        m->stop = true;
        virt_state_save_core(m, &before);
        StateReader r;
        state_reader_init(&r, a.data, a.len);
        char err[512] = "";
        CHECK(!virt_state_load_core(m, &r, err, sizeof(err)));
        CHECK(strstr(err, name + 1) != NULL);
        CHECK(strstr(err, "put back") == NULL);
        virt_state_save_core(m, &after);
        CHECK(before.len == after.len && memcmp(before.data, after.data, before.len) == 0);
        CHECK_EQ(m->harts[1]->x[5], 11 * 31 + 35 + 1);
        CHECK(m->harts[1]->stop_request && m->stop);
        a.data[off + hr.pos] ^= 1; /* repaired: loads */
        state_reader_init(&r, a.data, a.len);
        CHECK(virt_state_load_core(m, &r, err, sizeof(err)));
        CHECK_EQ(m->harts[1]->x[5], 3 * 31 + 35 + 1);
    }
    state_writer_free(&a);
    state_writer_free(&before);
    state_writer_free(&after);
    virt_destroy(m);
}

/* The config id names what the guest sees in each virtio slot: another
 * input device kind or display mode is refused, naming the slot. */
static VirtMachine *make_with_device(const char *device)
{
    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 1, .bios = "none",
                          .icount_shift = 2 };
    char err[256];
    CHECK(virt_block_parse_device(&config.block, device, err, sizeof(err)));
    return virt_create(&config);
}

static void test_config_id_devices(void)
{
    static const char *const pairs[][3] = {
        { "virtio-keyboard-device", "virtio-tablet-device", "virtio-tablet" },
        { "virtio-mouse-device", "virtio-tablet-device", "virtio-mouse" },
        { "virtio-gpu-device,xres=640,yres=480", "virtio-gpu-device,xres=800,yres=600",
          "(800x600)" },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        VirtMachine *a = make_with_device(pairs[i][0]);
        VirtMachine *b = make_with_device(pairs[i][1]);
        CHECK(a != NULL && b != NULL);
        if (a && b) {
            StateWriter w;
            state_writer_init(&w);
            virt_state_save_core(a, &w);
            StateReader r;
            char err[512] = "";
            state_reader_init(&r, w.data, w.len);
            CHECK(!virt_state_load_core(b, &r, err, sizeof(err)));
            CHECK(strstr(err, "different machine configuration") != NULL);
            CHECK(strstr(err, pairs[i][2]) != NULL);
            CHECK(strncmp(strstr(err, "saved '") ? strstr(err, "saved '") : "", "saved 'virtio_mmio@", 19) == 0);
            if (failures)
                printf("%s\n", err);
            state_reader_init(&r, w.data, w.len); /* the same configuration loads */
            CHECK(virt_state_load_core(a, &r, err, sizeof(err)));
            state_writer_free(&w);
        }
        if (a)
            virt_destroy(a);
        if (b)
            virt_destroy(b);
    }
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)n + 1);
    *len = fread(data, 1, (size_t)n, f);
    fclose(f);
    return data;
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static void test_snapshot_files(void)
{
    char dir[] = "/tmp/deja-snapfile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    VirtMachine *m = make_machine(16 << 20, 1, dir);
    CHECK(m != NULL);
    if (!m)
        return;
    char err[2048] = "";
    scribble(m, 5);
    uint8_t *ram_before = malloc(m->bus.ram_size);
    memcpy(ram_before, m->bus.ram, m->bus.ram_size);
    CHECK(virt_snapshot_save(m, "one", err, sizeof(err)));
    scribble(m, 6);
    CHECK(virt_snapshot_load(m, "one", err, sizeof(err)));
    CHECK(memcmp(ram_before, m->bus.ram, m->bus.ram_size) == 0);
    CHECK_EQ(m->harts[0]->x[1], 5 * 31 + 7);
    CHECK_EQ(m->uart.scr, 5);

    char path[4200];
    snprintf(path, sizeof(path), "%s/one.snap", dir);
    SnapFile f;
    CHECK(snapfile_read(path, &f, err, sizeof(err)));
    CHECK(strcmp(f.info.name, "one") == 0);
    CHECK(f.info.file_size < 64 * 1024); /* zero pages skipped, compressed */
    snapfile_free(&f);

    SnapInfo *list;
    int count;
    CHECK(virt_snapshot_list(m, &list, &count, err, sizeof(err)));
    CHECK(count == 1 && strcmp(list[0].name, "one") == 0);
    free(list);

    /* Corrupt: one flipped byte in the middle. */
    size_t len = 0;
    uint8_t *data = read_file(path, &len);
    CHECK(data != NULL);
    char bad[4200];
    snprintf(bad, sizeof(bad), "%s/bad.snap", dir);
    data[len / 2] ^= 0x40;
    write_file(bad, data, len);
    CHECK(!virt_snapshot_load(m, "bad", err, sizeof(err)));
    CHECK(strstr(err, "corrupt") != NULL);
    data[len / 2] ^= 0x40;
    /* Truncated. */
    write_file(bad, data, len - 100);
    CHECK(!virt_snapshot_load(m, "bad", err, sizeof(err)));
    CHECK(strstr(err, "truncated") != NULL);
    write_file(bad, data, 10);
    CHECK(!virt_snapshot_load(m, "bad", err, sizeof(err)));
    CHECK(strstr(err, "truncated") != NULL || strstr(err, "short") != NULL);
    /* Not a snapshot at all. */
    write_file(bad, (const uint8_t *)"hello world, not a snapshot file at all", 39);
    CHECK(!virt_snapshot_load(m, "bad", err, sizeof(err)));
    CHECK(strstr(err, "not a deja snapshot") != NULL);
    free(data);
    CHECK(memcmp(ram_before, m->bus.ram, m->bus.ram_size) == 0); /* untouched by refusals */

    /* Foreign: a machine with another RAM size. */
    VirtMachine *other = make_machine(32 << 20, 1, dir);
    CHECK(other != NULL);
    if (other) {
        CHECK(!virt_snapshot_load(other, "one", err, sizeof(err)));
        CHECK(strstr(err, "different machine") != NULL && strstr(err, "ram=") != NULL);
        virt_destroy(other);
    }
    CHECK(!virt_snapshot_load(m, "nosuch", err, sizeof(err)));
    CHECK(strstr(err, "does not exist") != NULL);
    CHECK(!virt_snapshot_save(m, "../escape", err, sizeof(err)));
    CHECK(strstr(err, "invalid snapshot name") != NULL);
    CHECK(virt_snapshot_delete(m, "one", err, sizeof(err)));
    CHECK(!virt_snapshot_delete(m, "one", err, sizeof(err)));
    unlink(bad);
    rmdir(dir);

    /* No directory configured: the message names the option. */
    VirtMachine *nodir = make_machine(16 << 20, 1, NULL);
    if (nodir) {
        CHECK(!virt_snapshot_save(nodir, "x", err, sizeof(err)));
        CHECK(strstr(err, "-snapshot-dir") != NULL);
        virt_destroy(nodir);
    }
    free(ram_before);
    virt_destroy(m);
}

/* A replay paused between the delivery of a logged host request (the
 * position is past it) and its handling at the end of the round: a state
 * saved there must bring the request back, or a load skips the reset. */
static char trace[64];

/* A recording of a machine with no guest code: a reset request at 0, the
 * end at end_icount; returns the same machine set up to replay it. */
static VirtMachine *make_replay(uint64_t end_icount)
{
    snprintf(trace, sizeof(trace), "/tmp/deja-test-snapfile-%d.rr", (int)getpid());
    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 1, .bios = "none",
                          .icount_shift = 2 };
    config.replay = (ReplayOptions){ .mode = REPLAY_RECORD, .path = trace };
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL && virt_replay_start(m));
    if (!m || !m->replay)
        return NULL;
    replay_log_host_request(m->replay, 0, TRACE_REQ_RESET);
    CHECK_EQ(replay_finish(m->replay, end_icount, 0), 0);
    replay_close(m->replay);
    m->replay = NULL;
    virt_destroy(m);

    config.replay.mode = REPLAY_PLAY;
    m = virt_create(&config);
    CHECK(m != NULL && virt_replay_start(m));
    if (m && !m->replay) {
        virt_destroy(m);
        m = NULL;
    }
    return m;
}

static void test_replay_request_travels(void)
{
    VirtMachine *m = make_replay(0);
    if (!m)
        return;
    CHECK_EQ(replay_round(m->replay, 0), REPLAY_CONTINUE);
    CHECK_EQ(m->replay_request, TRACE_REQ_RESET);
    StateWriter w;
    state_writer_init(&w);
    virt_state_save_core(m, &w);
    CHECK(!w.failed);
    m->replay_request = 0;
    StateReader r;
    state_reader_init(&r, w.data, w.len);
    char err[256] = "";
    CHECK(virt_state_load_core(m, &r, err, sizeof(err)));
    if (err[0])
        printf("%s\n", err);
    CHECK_EQ(m->replay_request, TRACE_REQ_RESET);
    /* Without a pending request, none comes back from the state. */
    m->replay_request = 0;
    state_writer_clear(&w);
    virt_state_save_core(m, &w);
    m->replay_request = TRACE_REQ_QUIT;
    state_reader_init(&r, w.data, w.len);
    CHECK(virt_state_load_core(m, &r, err, sizeof(err)));
    CHECK_EQ(m->replay_request, 0);
    state_writer_free(&w);
    virt_destroy(m);
    unlink(trace);
}

/* After a loadvm the first checkpoint is at the loaded count: a seek
 * before it is refused, and the replay goes on (it used to stop). */
static void test_seek_before_first_checkpoint(void)
{
    VirtMachine *m = make_replay(10000);
    if (!m)
        return;
    m->monitor = hmp_create(m, NULL);
    virt_seek_tick(m); /* checkpoint 0, at 0 */
    m->clock.machine_icount = 5000; /* as a loadvm of a snapshot at 5000 leaves it */
    virt_seek_forget(m);
    virt_seek_tick(m); /* the first checkpoint after the load */
    char err[256] = "";
    CHECK(!virt_seek(m, 100, err, sizeof(err)));
    CHECK(strstr(err, "before the first checkpoint (at 5000") != NULL);
    CHECK(!virt_seek_pending(m) && !virt_seek_busy(m));
    virt_seek_tick(m);
    CHECK_EQ(m->monitor_request, 0);
    CHECK(!m->replay_aborted);
    hmp_destroy(m->monitor);
    m->monitor = NULL;
    virt_destroy(m);
    unlink(trace);
}

/* A monitor request given before savevm in the same poll is handled at
 * the next round boundary: savevm refuses until then (the state would not
 * hold it). */
static void test_savevm_pending_request(void)
{
    char dir[] = "/tmp/deja-snapfile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    VirtMachine *m = make_machine(16 << 20, 1, dir);
    CHECK(m != NULL);
    if (!m)
        return;
    char err[512] = "", path[4200];
    m->monitor_request = TRACE_REQ_RESET;
    CHECK(!virt_snapshot_save(m, "pending", err, sizeof(err)));
    CHECK(strstr(err, "reset request from the monitor is still pending") != NULL);
    snprintf(path, sizeof(path), "%s/pending.snap", dir);
    CHECK(access(path, F_OK) != 0);
    m->monitor_request = 0;
    CHECK(virt_snapshot_save(m, "pending", err, sizeof(err)));
    unlink(path);
    rmdir(dir);
    virt_destroy(m);
}

/* After a recorded loadvm, the end of the trace is where the machine's
 * count ends, not the trace's: a recording loads a snapshot taken at 0 at
 * instruction 5000 and ends 2000 instructions later, so the machine's
 * timeline ends at 2000 (the END record says 7000). */
static void test_seek_end_after_loadvm(void)
{
    snprintf(trace, sizeof(trace), "/tmp/deja-test-snapfile-%d.rr", (int)getpid());
    char dir[200];
    snprintf(dir, sizeof(dir), "%s.snapshots", trace);
    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 1, .bios = "none",
                          .icount_shift = 2 };
    config.replay = (ReplayOptions){ .mode = REPLAY_RECORD, .path = trace };
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL && virt_replay_start(m));
    if (!m || !m->replay)
        return;
    char err[512] = "";
    CHECK(virt_snapshot_save(m, "zero", err, sizeof(err)));
    m->clock.machine_icount = 5000;
    CHECK(virt_snapshot_load(m, "zero", err, sizeof(err)));
    CHECK_EQ(m->clock.machine_icount, 0);
    CHECK_EQ(replay_finish(m->replay, 2000, 0), 0);
    replay_close(m->replay);
    m->replay = NULL;
    virt_destroy(m);

    config.replay.mode = REPLAY_PLAY;
    m = virt_create(&config);
    CHECK(m != NULL && virt_replay_start(m));
    if (m && m->replay) {
        CHECK(!virt_seek(m, 6000, err, sizeof(err)));
        CHECK(strstr(err, "past the end of the trace (it ends at instruction 2000)") != NULL);
        if (!strstr(err, "ends at instruction 2000"))
            printf("%s\n", err);
        CHECK(!virt_seek(m, 2001, err, sizeof(err)));
        CHECK(strstr(err, "past the end") != NULL);
    }
    if (m)
        virt_destroy(m);
    char path[300];
    snprintf(path, sizeof(path), "%s/zero.snap", dir);
    unlink(path);
    rmdir(dir);
    unlink(trace);
}

/* The trace header names the display mode: a replay with another xres
 * or yres (another GET_DISPLAY_INFO answer) is refused at the start. */
static void test_header_display_mode(void)
{
    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 1, .bios = "none",
                          .icount_shift = 2 };
    char err[256];
    CHECK(virt_block_parse_device(&config.block, "virtio-gpu-device,xres=640,yres=480", err,
                                  sizeof(err)));
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL);
    if (!m)
        return;
    TraceHeader header = { 0 };
    CHECK(virt_block_header(m, &header));
    const TraceHeaderEntry *e = trace_header_get(&header, "virtio-devices");
    CHECK(e != NULL);
    if (e) {
        char text[300];
        snprintf(text, sizeof(text), "%.*s", (int)e->len, (const char *)e->value);
        CHECK(strstr(text, ":virtio-gpu(640x480)") != NULL);
        if (!strstr(text, ":virtio-gpu(640x480)"))
            printf("virtio-devices: %s\n", text);
    }
    virt_destroy(m);
}

int main(void)
{
    test_core_round_trip();
    test_load_all_or_nothing();
    test_config_id_devices();
    test_savevm_pending_request();
    test_replay_request_travels();
    test_seek_before_first_checkpoint();
    test_seek_end_after_loadvm();
    test_header_display_mode();
    test_snapshot_files();
    if (!failures)
        printf("test_snapfile: ok\n");
    return failures != 0;
}
