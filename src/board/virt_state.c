/* The machine's core state as named, versioned sections (virt_state.h).
 *
 * Record layout (all integers little endian or LEB128 varints, state.h):
 *   u32 magic "VMST", u32 layout version (1), string config id,
 *   varint section count, then per section:
 *     string name, u32 section version, varint length, bytes.
 * Sections: "clock", "hart.N" (hart_state.c), "dev.NAME@BASE" (the
 * DeviceClass save record), "block.ID" (copy-on-write overlay of each
 * drive), "ram-flags" (the dirty bit of each RAM page, for the replay
 * sync points) and, under record/replay, "replay" (replay_position_save)
 * and, when a host request taken from the trace waits for this round's
 * end (VirtMachine.replay_request), "replay-request" (u32): the position
 * is past that event, so the request travels with the state.
 *
 * Loading parses and checks the whole record first (layout, config id,
 * every expected section present with a known version), then applies the
 * replay position (the step most likely to be refused), then the clock,
 * harts, devices, overlays and page flags. A device or an overlay can
 * still refuse its section then: the core state saved just before the
 * first change is loaded back (virt_state_load_core_ex), all or nothing. */
#include "board/virt_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_gpu.h"
#include "snapshot/hart_state.h"

#define VIRT_STATE_MAGIC 0x54534d56u /* "VMST" */
#define VIRT_STATE_LAYOUT 1
#define VIRT_STATE_MAX_SECTIONS 128
#define SECTION_NAME_MAX 64

enum {
    SEC_CLOCK_VERSION = 1,
    SEC_HART_VERSION = 1,
    SEC_DEV_VERSION = 1,
    SEC_BLOCK_VERSION = 1,
    SEC_FLAGS_VERSION = 1,
    SEC_REPLAY_VERSION = 1,
    SEC_REQUEST_VERSION = 1,
};

typedef struct Section {
    char name[SECTION_NAME_MAX];
    uint32_t version;
    const uint8_t *data;
    size_t len;
} Section;

static void put_section(StateWriter *w, StateWriter *body, const char *name, uint32_t version)
{
    if (body->failed)
        w->failed = true;
    state_put_string(w, name);
    state_put_u32(w, version);
    state_put_varint(w, body->len);
    state_put_bytes(w, body->data, body->len);
    state_writer_clear(body);
}

void virt_state_config_id(const struct VirtMachine *m, char *out, size_t out_len)
{
    size_t n = 0;
#define ADD(...)                                                                        \
    do {                                                                                \
        if (n < out_len) {                                                              \
            int k = snprintf(out + n, out_len - n, __VA_ARGS__);                         \
            n += k > 0 ? (size_t)k : 0;                                                 \
        }                                                                               \
    } while (0)
    if (out_len)
        out[0] = 0;
    ADD("harts=%d ram=%" PRIu64 " shift=%u", m->hart_count, m->config.ram_size,
        m->clock.shift);
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        ADD(" %s@%" PRIx64, d->cls->name, d->base);
        if (d->cls == &virtio_mmio_class) {
            /* What the guest sees in the slot: the device id, the model
             * (virtio-keyboard, -mouse or -tablet share an id), a
             * read-only disk, the display mode a GPU offers (as the trace
             * header's virtio-devices). */
            const VirtioMmio *t = d->state;
            if (t->device_id)
                ADD(":%u", t->device_id);
            if (t->ops) {
                ADD("=%s", t->ops->name);
                if (t->device_id == VIRTIO_BLK_DEVICE_ID &&
                    ((t->ops->features >> VIRTIO_BLK_F_RO) & 1))
                    ADD("(ro)");
                if (t->device_id == VIRTIO_GPU_DEVICE_ID && m->block.gpu)
                    ADD("(%ux%u)", m->block.gpu->display_width, m->block.gpu->display_height);
            }
        }
    }
    for (int i = 0; i < m->config.block.drive_count; i++) {
        const BlockBackend *b = m->block.backends[i];
        if (b)
            ADD(" drive:%s=%" PRIu64, m->config.block.drives[i].id, block_size(b));
    }
#undef ADD
}

static void section_name_device(const Device *d, char *out, size_t len)
{
    snprintf(out, len, "dev.%s@%" PRIx64, d->cls->name, d->base);
}

void virt_state_save_core(struct VirtMachine *m, StateWriter *w)
{
    char id[1024];
    virt_state_config_id(m, id, sizeof(id));
    state_put_u32(w, VIRT_STATE_MAGIC);
    state_put_u32(w, VIRT_STATE_LAYOUT);
    state_put_string(w, id);
    int drives = 0;
    for (int i = 0; i < m->config.block.drive_count; i++)
        drives += m->block.backends[i] != NULL;
    bool request = m->replay && m->replay_request;
    uint64_t count = 2 + (uint64_t)m->hart_count + (uint64_t)m->device_count + (uint64_t)drives +
                     (m->replay ? 1 : 0) + (request ? 1 : 0);
    state_put_varint(w, count);

    StateWriter body;
    state_writer_init(&body);
    char name[SECTION_NAME_MAX];

    VirtClock *c = &m->clock;
    state_put_u32(&body, c->shift);
    state_put_u64(&body, c->warp_ns);
    state_put_u64(&body, c->machine_icount);
    state_put_u32(&body, (uint32_t)c->timer_count);
    for (int i = 0; i < c->timer_count; i++)
        state_put_u64(&body, c->timers[i].deadline_ns);
    put_section(w, &body, "clock", SEC_CLOCK_VERSION);

    for (int h = 0; h < m->hart_count; h++) {
        hart_state_save(m->harts[h], &body);
        snprintf(name, sizeof(name), "hart.%d", h);
        put_section(w, &body, name, SEC_HART_VERSION);
    }
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        if (d->cls->save)
            d->cls->save(d->state, &body);
        section_name_device(d, name, sizeof(name));
        put_section(w, &body, name, SEC_DEV_VERSION);
    }
    for (int i = 0; i < m->config.block.drive_count; i++) {
        if (!m->block.backends[i])
            continue;
        block_overlay_save(m->block.backends[i], &body);
        snprintf(name, sizeof(name), "block.%s", m->config.block.drives[i].id);
        put_section(w, &body, name, SEC_BLOCK_VERSION);
    }

    /* Dirty bits as a bitmap, one bit per page. */
    uint64_t pages = m->bus.ram_size >> BUS_PAGE_SHIFT;
    state_put_u64(&body, pages);
    for (uint64_t p = 0; p < pages; p += 8) {
        uint8_t byte = 0;
        for (uint64_t k = 0; k < 8 && p + k < pages; k++)
            if (m->bus.page_flags[p + k] & BUS_PAGE_DIRTY)
                byte |= (uint8_t)(1u << k);
        state_put_u8(&body, byte);
    }
    put_section(w, &body, "ram-flags", SEC_FLAGS_VERSION);

    if (m->replay) {
        state_put_u8(&body, (uint8_t)replay_mode(m->replay));
        replay_position_save(m->replay, &body);
        put_section(w, &body, "replay", SEC_REPLAY_VERSION);
    }
    if (request) {
        state_put_u32(&body, m->replay_request);
        put_section(w, &body, "replay-request", SEC_REQUEST_VERSION);
    }
    if (body.failed)
        w->failed = true;
    state_writer_free(&body);
}

/* The translation modes a satp write can set (csr.c): Bare, Sv39, Sv48,
 * Sv57. The page walk derives its level count from the mode. */
static bool satp_mode_ok(uint64_t mode)
{
    return mode == 0 || mode == 8 || mode == 9 || mode == 10;
}

static const Section *find_section(const Section *s, int n, const char *name, uint32_t version,
                                   char *err, size_t err_len)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(s[i].name, name) != 0)
            continue;
        if (s[i].version != version) {
            snprintf(err, err_len, "section '%s' has version %u, this deja reads version %u",
                     name, s[i].version, version);
            return NULL;
        }
        return &s[i];
    }
    snprintf(err, err_len, "section '%s' is missing", name);
    return NULL;
}

/* Loads the record into m. Everything that can be checked is checked
 * before the first change; from there on (a device's or a drive overlay's
 * own checks can still refuse its section) *backup holds the state as it
 * was, for virt_state_load_core_ex to put back. */
static bool load_core(struct VirtMachine *m, StateReader *r, bool restore_replay,
                      StateWriter *backup, char *err, size_t err_len)
{
    if (state_get_u32(r) != VIRT_STATE_MAGIC || r->failed) {
        snprintf(err, err_len, "not a deja machine state record");
        return false;
    }
    uint32_t layout = state_get_u32(r);
    if (layout != VIRT_STATE_LAYOUT) {
        snprintf(err, err_len, "machine state layout %u is not supported (this deja reads %u)",
                 layout, VIRT_STATE_LAYOUT);
        return false;
    }
    char saved_id[1024], id[1024];
    state_get_string(r, saved_id, sizeof(saved_id));
    virt_state_config_id(m, id, sizeof(id));
    if (r->failed) {
        snprintf(err, err_len, "machine state record is truncated");
        return false;
    }
    if (strcmp(saved_id, id) != 0) {
        /* Name the first item that differs; the whole ids may not fit. */
        const char *a = saved_id, *b = id;
        for (;;) {
            size_t la = strcspn(a, " "), lb = strcspn(b, " ");
            if (la != lb || memcmp(a, b, la) != 0)
                break;
            a += la + (a[la] != 0);
            b += lb + (b[lb] != 0);
            if (!*a || !*b)
                break;
        }
        snprintf(err, err_len,
                 "the state belongs to a different machine configuration: saved '%.*s', this "
                 "machine has '%.*s' (saved '%s', this machine is '%s')",
                 (int)strcspn(a, " "), a, (int)strcspn(b, " "), b, saved_id, id);
        return false;
    }
    uint64_t count = state_get_varint(r);
    if (r->failed || count > VIRT_STATE_MAX_SECTIONS) {
        snprintf(err, err_len, "machine state record: bad section count");
        return false;
    }
    Section *sec = calloc(count ? count : 1, sizeof(*sec));
    if (!sec) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    bool ok = false;
    int n = (int)count;
    for (int i = 0; i < n; i++) {
        state_get_string(r, sec[i].name, sizeof(sec[i].name));
        sec[i].version = state_get_u32(r);
        uint64_t len = state_get_varint(r);
        sec[i].data = state_get_span(r, (size_t)len);
        sec[i].len = (size_t)len;
        if (r->failed || !sec[i].data) {
            snprintf(err, err_len, "machine state record is truncated (section %d of %d)", i + 1,
                     n);
            goto out;
        }
    }

    /* Every section this machine needs must be there before anything
     * changes. */
    char name[SECTION_NAME_MAX];
    const Section *clock_sec, *flags_sec, *replay_sec = NULL;
    if (!(clock_sec = find_section(sec, n, "clock", SEC_CLOCK_VERSION, err, err_len)) ||
        !(flags_sec = find_section(sec, n, "ram-flags", SEC_FLAGS_VERSION, err, err_len)))
        goto out;
    const Section *hart_sec[VIRT_MAX_HARTS], *dev_sec[VIRT_MAX_DEVICES],
        *block_sec[VIRT_MAX_DRIVES] = { 0 };
    Hart *scratch = malloc(sizeof(Hart));
    if (!scratch) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    for (int h = 0; h < m->hart_count; h++) {
        snprintf(name, sizeof(name), "hart.%d", h);
        if (!(hart_sec[h] = find_section(sec, n, name, SEC_HART_VERSION, err, err_len))) {
            free(scratch);
            goto out;
        }
        /* Parsed into a scratch copy first: a bad record changes nothing. */
        *scratch = *m->harts[h];
        StateReader hr;
        state_reader_init(&hr, hart_sec[h]->data, hart_sec[h]->len);
        if (!hart_state_load(scratch, &hr) || !state_reader_at_end(&hr) ||
            (scratch->priv != 0 && scratch->priv != 1 && scratch->priv != 3) ||
            scratch->frm > 7 || scratch->mhartid != m->harts[h]->mhartid ||
            !satp_mode_ok(scratch->satp >> 60) || ((scratch->mstatus >> 11) & 3) == 2) {
            snprintf(err, err_len, "section '%s' is malformed (or names another hart)", name);
            free(scratch);
            goto out;
        }
    }
    free(scratch);
    for (int i = 0; i < m->device_count; i++) {
        section_name_device(&m->devices[i], name, sizeof(name));
        if (!(dev_sec[i] = find_section(sec, n, name, SEC_DEV_VERSION, err, err_len)))
            goto out;
        if (dev_sec[i]->len && !m->devices[i].cls->load) {
            snprintf(err, err_len, "device %s cannot load its state", name + 4);
            goto out;
        }
    }
    for (int i = 0; i < m->config.block.drive_count; i++) {
        if (!m->block.backends[i])
            continue;
        snprintf(name, sizeof(name), "block.%s", m->config.block.drives[i].id);
        if (!(block_sec[i] = find_section(sec, n, name, SEC_BLOCK_VERSION, err, err_len)))
            goto out;
    }
    bool replaying = m->replay && replay_mode(m->replay) == REPLAY_PLAY;
    uint32_t request = 0;
    if (replaying && restore_replay) {
        if (!(replay_sec = find_section(sec, n, "replay", SEC_REPLAY_VERSION, err, err_len))) {
            snprintf(err, err_len,
                     "the state was saved outside record/replay: it has no trace position to "
                     "continue this replay from");
            goto out;
        }
        /* Optional: only a state saved between the delivery of a logged
         * host request and its handling has it. */
        for (int i = 0; i < n; i++) {
            if (strcmp(sec[i].name, "replay-request") != 0)
                continue;
            StateReader qr;
            state_reader_init(&qr, sec[i].data, sec[i].len);
            request = state_get_u32(&qr);
            if (sec[i].version != SEC_REQUEST_VERSION || qr.failed ||
                !state_reader_at_end(&qr) || request == 0) {
                snprintf(err, err_len, "section 'replay-request' is malformed");
                goto out;
            }
        }
    }

    /* Clock: parsed fully before it is applied. */
    StateReader cr;
    state_reader_init(&cr, clock_sec->data, clock_sec->len);
    uint32_t shift = state_get_u32(&cr);
    uint64_t warp = state_get_u64(&cr);
    uint64_t icount = state_get_u64(&cr);
    uint32_t timers = state_get_u32(&cr);
    if (cr.failed || shift != m->clock.shift || timers != (uint32_t)m->clock.timer_count) {
        snprintf(err, err_len, "clock section does not match this machine (timers %u, have %d)",
                 timers, m->clock.timer_count);
        goto out;
    }
    uint64_t deadlines[CLOCK_MAX_TIMERS];
    for (uint32_t i = 0; i < timers; i++)
        deadlines[i] = state_get_u64(&cr);
    if (cr.failed || !state_reader_at_end(&cr)) {
        snprintf(err, err_len, "clock section is malformed");
        goto out;
    }
    uint64_t pages = m->bus.ram_size >> BUS_PAGE_SHIFT;
    StateReader fr;
    state_reader_init(&fr, flags_sec->data, flags_sec->len);
    if (state_get_u64(&fr) != pages || fr.len - fr.pos != (pages + 7) / 8) {
        snprintf(err, err_len, "ram-flags section does not match the RAM size");
        goto out;
    }

    if (backup) {
        virt_state_save_core(m, backup);
        if (backup->failed) {
            snprintf(err, err_len, "out of memory");
            goto out;
        }
    }

    if (replay_sec) {
        StateReader rr;
        state_reader_init(&rr, replay_sec->data, replay_sec->len);
        uint8_t mode = state_get_u8(&rr);
        (void)mode; /* replay_position_load decides what it accepts */
        char why[256];
        if (rr.failed || !replay_position_load(m->replay, &rr, why, sizeof(why))) {
            snprintf(err, err_len, "cannot move the replay to the saved position: %s",
                     rr.failed ? "replay section is empty" : why);
            goto out;
        }
    }

    m->clock.warp_ns = warp;
    m->clock.machine_icount = icount;
    for (uint32_t i = 0; i < timers; i++)
        m->clock.timers[i].deadline_ns = deadlines[i];

    for (int h = 0; h < m->hart_count; h++) {
        StateReader hr;
        state_reader_init(&hr, hart_sec[h]->data, hart_sec[h]->len);
        if (!hart_state_load(m->harts[h], &hr) || !state_reader_at_end(&hr)) {
            snprintf(err, err_len, "section 'hart.%d' is malformed", h);
            goto out;
        }
        m->harts[h]->stop_request = false;
    }
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        if (!d->cls->load)
            continue;
        StateReader dr;
        state_reader_init(&dr, dev_sec[i]->data, dev_sec[i]->len);
        if (!d->cls->load(d->state, &dr) || dr.failed || !state_reader_at_end(&dr)) {
            section_name_device(d, name, sizeof(name));
            snprintf(err, err_len, "section '%s' is malformed or does not fit this device", name);
            goto out;
        }
    }
    for (int i = 0; i < m->config.block.drive_count; i++) {
        if (!block_sec[i])
            continue;
        StateReader br;
        state_reader_init(&br, block_sec[i]->data, block_sec[i]->len);
        if (!block_overlay_load(m->block.backends[i], &br) || !state_reader_at_end(&br)) {
            snprintf(err, err_len, "section 'block.%s' is malformed or does not fit the disk",
                     m->config.block.drives[i].id);
            goto out;
        }
    }
    const uint8_t *bits = fr.data + fr.pos;
    for (uint64_t p = 0; p < pages; p++) {
        if (bits[p >> 3] & (1u << (p & 7)))
            m->bus.page_flags[p] |= BUS_PAGE_DIRTY;
        else
            m->bus.page_flags[p] &= (uint8_t)~BUS_PAGE_DIRTY;
    }

    /* Nothing cached from the old state survives: decoded blocks, every
     * TLB (the write TLB must see first writes again for the dirty bits). */
    if (m->code_cache)
        code_cache_flush(m->code_cache);
    for (int h = 0; h < m->hart_count; h++)
        hart_flush_tlb(m->harts[h]);
    m->running = NULL;
    m->replay_request = request;
    m->stop = m->poweroff = m->reboot = false;
    ok = true;
out:
    free(sec);
    return ok;
}

bool virt_state_load_core_ex(struct VirtMachine *m, StateReader *r, bool restore_replay,
                             char *err, size_t err_len)
{
    /* All or nothing: a section refused after others were applied puts
     * the state saved just before the first change back. What the state
     * does not hold, or the load resets, is kept as it was. */
    bool stop = m->stop, poweroff = m->poweroff, reboot = m->reboot;
    uint32_t replay_request = m->replay_request;
    Hart *running = m->running;
    bool stop_request[VIRT_MAX_HARTS];
    for (int h = 0; h < m->hart_count; h++)
        stop_request[h] = m->harts[h]->stop_request;
    StateWriter backup;
    state_writer_init(&backup);
    bool ok = load_core(m, r, restore_replay, &backup, err, err_len);
    if (!ok && backup.len) {
        StateReader br;
        char why[256];
        state_reader_init(&br, backup.data, backup.len);
        if (!load_core(m, &br, restore_replay, NULL, why, sizeof(why))) {
            size_t n = strlen(err);
            snprintf(err + n, err_len > n ? err_len - n : 0,
                     "; the machine could not be put back as it was: %s", why);
        }
        m->stop = stop;
        m->poweroff = poweroff;
        m->reboot = reboot;
        m->replay_request = replay_request;
        m->running = running;
        for (int h = 0; h < m->hart_count; h++)
            m->harts[h]->stop_request = stop_request[h];
    }
    state_writer_free(&backup);
    return ok;
}

bool virt_state_load_core(struct VirtMachine *m, StateReader *r, char *err, size_t err_len)
{
    return virt_state_load_core_ex(m, r, true, err, err_len);
}
