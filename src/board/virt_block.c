/* Disks and virtio devices of the virt board (virt_block.h). */
#include "board/virt_block.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_display.h"
#include "board/virt_input.h"
#include "board/virt_net.h"
#include "dev/virtio_gpu.h"
#include "replay/replay.h"
#include "util/message.h"

static bool parse_bool(const char *key, const char *value, bool *out, char *err, size_t err_len)
{
    if (!strcmp(value, "on") || !strcmp(value, "true") || !strcmp(value, "yes")) {
        *out = true;
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "false") || !strcmp(value, "no")) {
        *out = false;
        return true;
    }
    message_format(err, err_len, "Parameter '%s' expects 'on' or 'off'", key);
    return false;
}

static bool copy_id(char *dst, const char *value, const char *key, char *err, size_t err_len)
{
    if (!*value || strlen(value) >= VIRT_DRIVE_ID_MAX) {
        message_format(err, err_len, "Parameter '%s' must be 1 to %d characters", key,
                VIRT_DRIVE_ID_MAX - 1);
        return false;
    }
    /* QEMU's rule for ids: a letter, then letters, digits, '-', '.', '_'. */
    bool valid = (*value >= 'a' && *value <= 'z') || (*value >= 'A' && *value <= 'Z');
    for (const char *p = value; valid && *p; p++)
        valid = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_';
    if (!valid) {
        message_format(err, err_len,
                "Parameter '%s' expects an identifier (a letter, then letters, digits, '-', '.', "
                "'_')",
                key);
        return false;
    }
    strcpy(dst, value);
    return true;
}

/* Splits "a=b,c=d" in place (QEMU's ",," escape is not supported). Calls
 * fn for each key/value; a bare word has value NULL. */
typedef bool (*OptionFn)(void *ctx, const char *key, const char *value, char *err,
                         size_t err_len);

static bool parse_options(const char *spec, OptionFn fn, void *ctx, char *err, size_t err_len)
{
    char *copy = strdup(spec);
    if (!copy) {
        message_format(err, err_len, "out of memory");
        return false;
    }
    bool ok = true;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); ok && item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (eq)
            *eq = 0;
        ok = fn(ctx, item, eq ? eq + 1 : NULL, err, err_len);
    }
    free(copy);
    return ok;
}

static bool drive_option(void *ctx, const char *key, const char *value, char *err,
                         size_t err_len)
{
    VirtDriveConfig *d = ctx;
    if (!value) {
        message_format(err, err_len, "Invalid parameter '%s' (expected key=value)", key);
        return false;
    }
    if (!strcmp(key, "file")) {
        free(d->file);
        d->file = strdup(value);
        return d->file != NULL;
    }
    if (!strcmp(key, "format")) {
        if (strcmp(value, "raw") && strcmp(value, "qcow2")) {
            message_format(err, err_len, "Unknown driver '%s' (deja reads raw and qcow2)", value);
            return false;
        }
        strcpy(d->format, value);
        return true;
    }
    if (!strcmp(key, "driver")) {
        if (!strcmp(value, "blkreplay")) {
            d->blkreplay = true;
            return true;
        }
        if (!strcmp(value, "raw") || !strcmp(value, "qcow2")) {
            strcpy(d->format, value);
            return true;
        }
        message_format(err, err_len, "Unknown driver '%s'", value);
        return false;
    }
    if (!strcmp(key, "if")) {
        if (!strcmp(value, "none"))
            d->if_virtio = false;
        else if (!strcmp(value, "virtio"))
            d->if_virtio = true;
        else {
            message_format(err, err_len, "unsupported bus type '%s' (deja has if=none and if=virtio)",
                    value);
            return false;
        }
        return true;
    }
    if (!strcmp(key, "id"))
        return copy_id(d->id, value, key, err, err_len);
    if (!strcmp(key, "image"))
        return copy_id(d->image, value, key, err, err_len);
    if (!strcmp(key, "snapshot"))
        return parse_bool(key, value, &d->snapshot, err, err_len);
    if (!strcmp(key, "readonly"))
        return parse_bool(key, value, &d->readonly, err, err_len);
    if (!strcmp(key, "media") && !strcmp(value, "disk"))
        return true;
    if (!strcmp(key, "cache") || !strcmp(key, "aio") || !strcmp(key, "discard"))
        return true; /* host-side tuning: no effect in deja */
    message_format(err, err_len, "Invalid parameter '%s'", key);
    return false;
}

static VirtDriveConfig *find_drive(VirtBlockConfig *c, const char *id)
{
    for (int i = 0; i < c->drive_count; i++)
        if (!strcmp(c->drives[i].id, id))
            return &c->drives[i];
    return NULL;
}

bool virt_block_parse_drive(VirtBlockConfig *c, const char *spec, char *err, size_t err_len)
{
    if (c->drive_count == VIRT_MAX_DRIVES) {
        message_format(err, err_len, "at most %d drives", VIRT_MAX_DRIVES);
        return false;
    }
    VirtDriveConfig d = { 0 };
    if (!parse_options(spec, drive_option, &d, err, err_len)) {
        free(d.file);
        return false;
    }
    if (d.blkreplay) {
        if (!d.image[0] || d.file) {
            message_format(err, err_len, "driver=blkreplay needs image=ID (the drive it wraps) and no "
                                  "file=");
            free(d.file);
            return false;
        }
        d.if_virtio = false;
    } else if (!d.file) {
        message_format(err, err_len, "file= is missing (deja has no empty drives)");
        return false;
    }
    if (!d.id[0])
        snprintf(d.id, sizeof(d.id), "%s%d", d.if_virtio ? "virtio" : "none", c->drive_count);
    if (find_drive(c, d.id)) {
        message_format(err, err_len, "Duplicate ID '%s' for drive", d.id);
        free(d.file);
        return false;
    }
    c->drives[c->drive_count++] = d;
    return true;
}

static bool device_option(void *ctx, const char *key, const char *value, char *err,
                          size_t err_len)
{
    VirtVirtioConfig *v = ctx;
    if (!v->kind) { /* first item: the device type */
        if (value) {
            message_format(err, err_len, "the device type comes first (e.g. virtio-blk-device,drive=ID)");
            return false;
        }
        if (!strcmp(key, "virtio-blk-device"))
            v->kind = VIRT_VIRTIO_BLK;
        else if (!strcmp(key, "virtio-rng-device"))
            v->kind = VIRT_VIRTIO_RNG;
        else if (!strcmp(key, "virtio-net-device"))
            v->kind = VIRT_VIRTIO_NET;
        else if (!strcmp(key, "virtio-gpu-device"))
            v->kind = VIRT_VIRTIO_GPU;
        else if (!strcmp(key, "virtio-sound-device"))
            v->kind = VIRT_VIRTIO_SND;
        else if (virt_input_parse_kind(key, &v->input_kind))
            v->kind = VIRT_VIRTIO_INPUT;
        else {
            message_format(err, err_len,
                    "'%s' is not a valid device model name (deja has virtio-blk-device, "
                    "virtio-rng-device, virtio-net-device, virtio-gpu-device, "
                    "virtio-keyboard-device, virtio-mouse-device, virtio-tablet-device and "
                    "virtio-sound-device)",
                    key);
            return false;
        }
        return true;
    }
    if (!value) {
        message_format(err, err_len, "Invalid parameter '%s' (expected key=value)", key);
        return false;
    }
    if (!strcmp(key, "drive") && v->kind == VIRT_VIRTIO_BLK)
        return copy_id(v->drive, value, key, err, err_len);
    if (!strcmp(key, "audiodev") && v->kind == VIRT_VIRTIO_SND)
        return copy_id(v->audiodev, value, key, err, err_len);
    if (!strcmp(key, "netdev") && v->kind == VIRT_VIRTIO_NET)
        return copy_id(v->netdev, value, key, err, err_len);
    if (!strcmp(key, "mac") && v->kind == VIRT_VIRTIO_NET) {
        uint8_t mac[6];
        if (!virt_net_parse_mac(value, mac)) {
            message_format(err, err_len, "mac=%s: expected a unicast address like 52:54:00:12:34:56",
                    value);
            return false;
        }
        strcpy(v->mac, value);
        return true;
    }
    if ((!strcmp(key, "xres") || !strcmp(key, "yres")) && v->kind == VIRT_VIRTIO_GPU)
        return virt_display_parse_res(key, value, key[0] == 'x' ? &v->xres : &v->yres, err,
                                      err_len);
    if (!strcmp(key, "id"))
        return true;
    message_format(err, err_len, "Property '%s' not found", key);
    return false;
}

bool virt_block_parse_device(VirtBlockConfig *c, const char *spec, char *err, size_t err_len)
{
    if (c->device_count == VIRTIO_MMIO_SLOTS) {
        message_format(err, err_len, "no free virtio-mmio slot (the virt board has %d)",
                VIRTIO_MMIO_SLOTS);
        return false;
    }
    VirtVirtioConfig v = { 0 };
    if (!parse_options(spec, device_option, &v, err, err_len))
        return false;
    if (!v.kind) {
        message_format(err, err_len, "missing device type");
        return false;
    }
    if (v.kind == VIRT_VIRTIO_BLK && !v.drive[0]) {
        message_format(err, err_len, "virtio-blk-device: drive property not set");
        return false;
    }
    if (v.kind == VIRT_VIRTIO_NET && !v.netdev[0]) {
        message_format(err, err_len, "virtio-net-device: netdev property not set (use "
                              "netdev=ID of a -netdev user,id=ID)");
        return false;
    }
    if (v.kind == VIRT_VIRTIO_SND && !v.audiodev[0]) {
        message_format(err, err_len, "virtio-sound-device: audiodev property not set (use "
                              "audiodev=ID of a -audiodev none|wav|sdl,id=ID)");
        return false;
    }
    c->devices[c->device_count++] = v;
    return true;
}

void virt_block_config_free(VirtBlockConfig *c)
{
    for (int i = 0; i < c->drive_count; i++) {
        free(c->drives[i].file);
        c->drives[i].file = NULL;
    }
}

static bool recording_or_replaying(const VirtMachine *m)
{
    return m->config.replay.mode != REPLAY_OFF;
}

/* The drive whose image a device reads: itself or what blkreplay wraps. */
static VirtDriveConfig *image_drive(VirtBlockConfig *c, VirtDriveConfig *d)
{
    return d->blkreplay ? find_drive(c, d->image) : d;
}

bool virt_block_create(VirtMachine *m)
{
    VirtBlockConfig *c = &m->config.block;
    VirtBlockState *s = &m->block;
    const char *mode = m->config.replay.mode == REPLAY_PLAY ? "replay" : "record";
    /* Devices in creation order: if=virtio drives first, then -device. */
    VirtVirtioConfig devices[VIRTIO_MMIO_SLOTS + VIRT_MAX_DRIVES];
    int count = 0;
    for (int i = 0; i < c->drive_count; i++) {
        if (c->drives[i].if_virtio) {
            devices[count] = (VirtVirtioConfig){ .kind = VIRT_VIRTIO_BLK };
            strcpy(devices[count++].drive, c->drives[i].id);
        }
    }
    for (int i = 0; i < c->device_count; i++)
        devices[count++] = c->devices[i];
    if (count > VIRTIO_MMIO_SLOTS) {
        message_print_error("too many virtio devices: the virt board has %d virtio-mmio slots",
                   VIRTIO_MMIO_SLOTS);
        return false;
    }
    bool used[VIRT_MAX_DRIVES] = { false };
    for (int i = 0; i < count; i++) {
        if (devices[i].kind != VIRT_VIRTIO_BLK)
            continue;
        VirtDriveConfig *d = find_drive(c, devices[i].drive);
        if (!d) {
            message_print_error("-device virtio-blk-device: Property 'drive' can't find value '%s'",
                       devices[i].drive);
            return false;
        }
        if (used[d - c->drives]) {
            message_print_error("-device virtio-blk-device,drive=%s: Drive '%s' is already in use",
                       d->id, d->id);
            return false;
        }
        used[d - c->drives] = true;
        VirtDriveConfig *img = image_drive(c, d);
        if (!img || img->blkreplay) {
            message_print_error("-drive id=%s: blkreplay: image '%s' is not a drive with a file", d->id,
                       d->image);
            return false;
        }
        if (recording_or_replaying(m) && !d->blkreplay) {
            message_print_error("%s: drive '%s' must be behind blkreplay to be recorded; use:\n"
                       "    -drive file=%s,if=none,id=%s -drive "
                       "driver=blkreplay,if=none,image=%s,id=%s-rr -device "
                       "virtio-blk-device,drive=%s-rr",
                       mode, d->id, d->file, d->id, d->id, d->id, d->id);
            return false;
        }
    }
    for (int i = 0; i < c->drive_count; i++) {
        VirtDriveConfig *d = &c->drives[i];
        if (d->blkreplay)
            continue;
        BlockOpenOptions o = {
            .path = d->file,
            .format = d->format[0] ? d->format : NULL,
            .readonly = d->readonly,
            /* Under record/replay the image is never written: a replay
             * must start from the bytes the recording started from. */
            .overlay = d->snapshot || c->snapshot || recording_or_replaying(m),
        };
        char err[512];
        s->backends[i] = block_open(&o, err, sizeof(err));
        if (!s->backends[i]) {
            message_print_error("-drive file=%s: %s", d->file, err);
            return false;
        }
    }
    int next_slot = VIRTIO_MMIO_SLOTS - 1; /* QEMU virt: highest slot first */
    for (int i = 0; i < count; i++, next_slot--) {
        VirtioMmio *slot = &m->virtio[next_slot];
        IrqLine irq = plic_input(&m->plic, slot->irq_number);
        if (devices[i].kind == VIRT_VIRTIO_BLK) {
            VirtDriveConfig *d = find_drive(c, devices[i].drive);
            VirtDriveConfig *img = image_drive(c, d);
            VirtioBlk *blk = calloc(1, sizeof(*blk));
            if (!blk || !virtio_blk_init(blk, s->backends[img - c->drives], d->id)) {
                free(blk);
                message_print_error("out of memory");
                return false;
            }
            s->blks[s->blk_count++] = blk;
            virtio_mmio_attach(slot, &m->bus, irq, &blk->ops, blk);
        } else if (devices[i].kind == VIRT_VIRTIO_INPUT) {
            if (!virt_input_attach(m, devices[i].input_kind, slot))
                return false;
        } else if (devices[i].kind == VIRT_VIRTIO_GPU) {
            if (!virt_display_attach_gpu(m, &devices[i], slot, irq))
                return false;
        } else if (devices[i].kind == VIRT_VIRTIO_SND) {
            if (!virt_audio_attach(m, devices[i].audiodev, slot))
                return false;
        } else if (devices[i].kind == VIRT_VIRTIO_NET) {
            if (!virt_net_attach_nic(m, devices[i].netdev,
                                     devices[i].mac[0] ? devices[i].mac : NULL, slot))
                return false;
        } else {
            if (s->rng) {
                message_print_error("-device virtio-rng-device: deja supports one virtio-rng device");
                return false;
            }
            s->rng = calloc(1, sizeof(*s->rng));
            if (!s->rng) {
                message_print_error("out of memory");
                return false;
            }
            virtio_rng_init(s->rng);
            virtio_mmio_attach(slot, &m->bus, irq, &s->rng->ops, s->rng);
        }
    }
    return true;
}

void virt_block_destroy(VirtMachine *m)
{
    VirtBlockState *s = &m->block;
    for (int i = 0; i < s->blk_count; i++) {
        virtio_blk_free(s->blks[i]);
        free(s->blks[i]);
    }
    for (int i = 0; i < VIRT_MAX_DRIVES; i++)
        block_close(s->backends[i]);
    free(s->rng);
    virt_display_destroy(m);
    virt_input_destroy(m);
    virt_audio_destroy(m);
    memset(s, 0, sizeof(*s));
    virt_block_config_free(&m->config.block);
}

bool virt_block_header(VirtMachine *m, TraceHeader *header)
{
    VirtBlockConfig *c = &m->config.block;
    const char *mode = m->config.replay.mode == REPLAY_PLAY ? "replay" : "record";
    /* Which device sits in which slot. */
    char layout[256] = "";
    for (int i = VIRTIO_MMIO_SLOTS - 1; i >= 0; i--) {
        const VirtioMmio *slot = &m->virtio[i];
        if (!slot->ops)
            continue;
        size_t len = strlen(layout);
        bool ro = slot->device_id == VIRTIO_BLK_DEVICE_ID &&
                  ((slot->ops->features >> VIRTIO_BLK_F_RO) & 1);
        /* The display mode is guest-visible (GET_DISPLAY_INFO) too. */
        char mode_text[32] = "";
        if (slot->device_id == VIRTIO_GPU_DEVICE_ID && m->block.gpu)
            snprintf(mode_text, sizeof(mode_text), "(%ux%u)", m->block.gpu->display_width,
                     m->block.gpu->display_height);
        snprintf(layout + len, sizeof(layout) - len, "%s%d:%s%s%s", len ? " " : "", i,
                 slot->ops->name, ro ? "(ro)" : "", mode_text);
    }
    if (!trace_header_set_str(header, "virtio-devices", layout[0] ? layout : "none") ||
        !virt_audio_header(m, header)) {
        message_print_error("%s: too many entries in the trace header", mode);
        return false;
    }
    for (int i = 0; i < c->drive_count; i++) {
        VirtDriveConfig *d = &c->drives[i];
        if (!d->blkreplay)
            continue;
        VirtDriveConfig *img = image_drive(c, d);
        char key[48], err[512];
        uint8_t hash[16];
        if (!trace_hash_file(img->file, hash, err, sizeof(err))) {
            message_print_error("%s: cannot hash '%s': %s", mode, img->file, err);
            return false;
        }
        snprintf(key, sizeof(key), "hash:drive:%s", img->id);
        if (!trace_header_set(header, key, hash, sizeof(hash))) {
            message_print_error("%s: too many entries in the trace header", mode);
            return false;
        }
        snprintf(key, sizeof(key), "path:drive:%s", img->id);
        trace_header_set_str(header, key, img->file);
    }
    return true;
}

static int virt_block_fill_random(void *opaque, void *buf, size_t len)
{
    VirtMachine *m = opaque;
    return replay_random_bytes(m->replay, m->clock.machine_icount, 1, buf, len);
}

int virt_block_round(VirtMachine *m)
{
    if (!m->block.rng)
        return REPLAY_CONTINUE;
    return virtio_rng_service(m->block.rng, virt_block_fill_random, m);
}
