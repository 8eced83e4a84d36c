/* virtio-gpu-device 2D (virtio_gpu.h), virtio 1.2 section 5.7. */
#include "dev/virtio_gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GPU_CONFIG_SIZE 16
#define GPU_STATE_VERSION 1
/* Largest request header + fixed fields we read (UPDATE_CURSOR: 56). */
#define GPU_REQ_MAX 64
#define GPU_DISPLAY_INFO_SIZE (VIRTIO_GPU_HDR_SIZE + VIRTIO_GPU_MAX_SCANOUTS * 24)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool format_known(uint32_t format)
{
    switch (format) {
    case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM:
    case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM:
    case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
    case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
    case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM:
    case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
    case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
    case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM:
        return true;
    default:
        return false;
    }
}

/* One pixel (4 bytes in the resource's byte order) as 0x00RRGGBB. */
static uint32_t to_xrgb(uint32_t format, const uint8_t *p)
{
    uint32_t r, g, b;
    switch (format) {
    case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM:
    case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM:
        b = p[0], g = p[1], r = p[2];
        break;
    case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
    case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
        r = p[1], g = p[2], b = p[3];
        break;
    case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
    case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
        b = p[1], g = p[2], r = p[3];
        break;
    default: /* R8G8B8A8, R8G8B8X8 */
        r = p[0], g = p[1], b = p[2];
        break;
    }
    return r << 16 | g << 8 | b;
}

/* The rectangle lies inside a width x height image (no overflow). */
static bool rect_inside(const VirtioGpuRect *r, uint32_t width, uint32_t height)
{
    return r->x <= width && r->width <= width - r->x && r->y <= height &&
           r->height <= height - r->y;
}

static VirtioGpuResource *find_resource(VirtioGpu *gpu, uint32_t id)
{
    if (!id)
        return NULL;
    for (uint32_t i = 0; i < gpu->resource_count; i++)
        if (gpu->resources[i]->id == id)
            return gpu->resources[i];
    return NULL;
}

static void resource_detach(VirtioGpuResource *res)
{
    free(res->backing);
    res->backing = NULL;
    res->backing_count = 0;
    res->backing_size = 0;
    res->has_backing = false;
}

static void resource_free(VirtioGpu *gpu, VirtioGpuResource *res)
{
    gpu->memory_used -= (uint64_t)res->width * res->height * 4;
    resource_detach(res);
    free(res->data);
    free(res);
}

static void scanout_disable(VirtioGpu *gpu)
{
    gpu->scanout_resource = 0;
    gpu->scanout_rect = (VirtioGpuRect){ 0, 0, 0, 0 };
    gpu->unflushed = (VirtioGpuRect){ 0, 0, 0, 0 };
    free(gpu->pixels);
    gpu->pixels = NULL;
    gpu->surface.width = gpu->surface.height = 0;
    gpu->surface.stride = 0;
    gpu->surface.pixels = NULL;
    gpu->surface.serial++;
}

/* Copies the part `r` (resource coordinates) of the scanout resource into
 * the picture. */
static void picture_update(VirtioGpu *gpu, const VirtioGpuResource *res, const VirtioGpuRect *r)
{
    const VirtioGpuRect *s = &gpu->scanout_rect;
    uint64_t x0 = r->x > s->x ? r->x : s->x;
    uint64_t y0 = r->y > s->y ? r->y : s->y;
    uint64_t x1 = (uint64_t)r->x + r->width, y1 = (uint64_t)r->y + r->height;
    if (x1 > (uint64_t)s->x + s->width)
        x1 = (uint64_t)s->x + s->width;
    if (y1 > (uint64_t)s->y + s->height)
        y1 = (uint64_t)s->y + s->height;
    if (x0 >= x1 || y0 >= y1)
        return;
    for (uint64_t y = y0; y < y1; y++) {
        const uint8_t *src = res->data + (y * res->width + x0) * 4;
        uint32_t *dst = gpu->pixels + (y - s->y) * s->width + (x0 - s->x);
        if (res->format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM ||
            res->format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM) {
            for (uint64_t x = x0; x < x1; x++, src += 4)
                *dst++ = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16;
        } else {
            for (uint64_t x = x0; x < x1; x++, src += 4)
                *dst++ = to_xrgb(res->format, src);
        }
    }
    gpu->surface.serial++;
}

/* dst becomes the bounding box of dst and r (both inside one resource). */
static void rect_union(VirtioGpuRect *dst, const VirtioGpuRect *r)
{
    if (!r->width || !r->height)
        return;
    if (!dst->width || !dst->height) {
        *dst = *r;
        return;
    }
    uint32_t x0 = dst->x < r->x ? dst->x : r->x, y0 = dst->y < r->y ? dst->y : r->y;
    uint32_t x1 = dst->x + dst->width > r->x + r->width ? dst->x + dst->width : r->x + r->width;
    uint32_t y1 = dst->y + dst->height > r->y + r->height ? dst->y + dst->height
                                                            : r->y + r->height;
    *dst = (VirtioGpuRect){ x0, y0, x1 - x0, y1 - y0 };
}

/* The picture equals the scanout rectangle of its resource. Cheap when
 * every transfer into it since it was shown has been flushed. */
static bool picture_matches(const VirtioGpu *gpu)
{
    if (!gpu->unflushed.width)
        return true;
    const VirtioGpuResource *res = NULL;
    for (uint32_t i = 0; i < gpu->resource_count && !res; i++)
        if (gpu->resources[i]->id == gpu->scanout_resource)
            res = gpu->resources[i];
    if (!res)
        return false;
    const VirtioGpuRect *s = &gpu->scanout_rect;
    for (uint64_t y = 0; y < s->height; y++) {
        const uint8_t *src = res->data + ((s->y + y) * res->width + s->x) * 4;
        const uint32_t *pic = gpu->pixels + y * s->width;
        if (res->format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM ||
            res->format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM) {
            uint32_t diff = 0;
            for (uint64_t x = 0; x < s->width; x++, src += 4)
                diff |= pic[x] ^ ((uint32_t)src[0] | (uint32_t)src[1] << 8 |
                                  (uint32_t)src[2] << 16);
            if (diff)
                return false;
            continue;
        }
        for (uint64_t x = 0; x < s->width; x++, src += 4)
            if (pic[x] != to_xrgb(res->format, src))
                return false;
    }
    return true;
}

/* ---- control commands: each returns a response type ---- */

static uint32_t cmd_create_2d(VirtioGpu *gpu, const uint8_t *req)
{
    uint32_t id = get32(req + 24), format = get32(req + 28);
    uint32_t width = get32(req + 32), height = get32(req + 36);
    if (!id || find_resource(gpu, id))
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!format_known(format) || !width || !height || width > VIRTIO_GPU_MAX_DIMENSION ||
        height > VIRTIO_GPU_MAX_DIMENSION)
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    uint64_t bytes = (uint64_t)width * height * 4;
    if (gpu->resource_count == VIRTIO_GPU_MAX_RESOURCES || bytes > gpu->memory_cap ||
        gpu->memory_used > gpu->memory_cap - bytes)
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    VirtioGpuResource *res = calloc(1, sizeof(*res));
    uint8_t *data = calloc(1, bytes);
    if (!res || !data) {
        free(res);
        free(data);
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    }
    *res = (VirtioGpuResource){ .id = id, .format = format, .width = width, .height = height,
                                .data = data };
    gpu->resources[gpu->resource_count++] = res;
    gpu->memory_used += bytes;
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t cmd_unref(VirtioGpu *gpu, const uint8_t *req)
{
    uint32_t id = get32(req + 24);
    VirtioGpuResource *res = find_resource(gpu, id);
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (gpu->scanout_resource == id)
        scanout_disable(gpu);
    if (gpu->cursor_resource == id)
        gpu->cursor_resource = 0;
    for (uint32_t i = 0; i < gpu->resource_count; i++) {
        if (gpu->resources[i] == res) {
            memmove(&gpu->resources[i], &gpu->resources[i + 1],
                    (gpu->resource_count - i - 1) * sizeof(gpu->resources[0]));
            gpu->resource_count--;
            break;
        }
    }
    resource_free(gpu, res);
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static VirtioGpuRect get_rect(const uint8_t *p)
{
    return (VirtioGpuRect){ get32(p), get32(p + 4), get32(p + 8), get32(p + 12) };
}

static uint32_t cmd_set_scanout(VirtioGpu *gpu, const uint8_t *req)
{
    VirtioGpuRect r = get_rect(req + 24);
    uint32_t scanout = get32(req + 40), id = get32(req + 44);
    if (scanout != 0)
        return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
    if (id == 0) {
        scanout_disable(gpu);
        return VIRTIO_GPU_RESP_OK_NODATA;
    }
    VirtioGpuResource *res = find_resource(gpu, id);
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!r.width || !r.height || !rect_inside(&r, res->width, res->height))
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    uint32_t *pixels = malloc((size_t)r.width * r.height * 4);
    if (!pixels)
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    free(gpu->pixels);
    gpu->pixels = pixels;
    gpu->scanout_resource = id;
    gpu->scanout_rect = r;
    gpu->unflushed = (VirtioGpuRect){ 0, 0, 0, 0 };
    gpu->surface.width = r.width;
    gpu->surface.height = r.height;
    gpu->surface.stride = r.width;
    gpu->surface.pixels = pixels;
    picture_update(gpu, res, &r);
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t cmd_flush(VirtioGpu *gpu, const uint8_t *req)
{
    VirtioGpuRect r = get_rect(req + 24);
    VirtioGpuResource *res = find_resource(gpu, get32(req + 40));
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!rect_inside(&r, res->width, res->height))
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    if (gpu->scanout_resource == res->id) {
        picture_update(gpu, res, &r);
        const VirtioGpuRect *u = &gpu->unflushed;
        if (u->x >= r.x && u->y >= r.y && (uint64_t)u->x + u->width <= (uint64_t)r.x + r.width &&
            (uint64_t)u->y + u->height <= (uint64_t)r.y + r.height)
            gpu->unflushed = (VirtioGpuRect){ 0, 0, 0, 0 };
    }
    return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Copies backing bytes [offset, offset+len) into dst. */
static bool backing_read(VirtioGpu *gpu, const VirtioGpuResource *res, uint64_t offset,
                         uint8_t *dst, uint64_t len)
{
    if (offset > res->backing_size || len > res->backing_size - offset)
        return false;
    /* Binary search: the last entry starting at or before offset. */
    uint32_t lo = 0, hi = res->backing_count;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (res->backing[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    for (uint32_t i = lo; len && i < res->backing_count; i++) {
        const VirtioGpuBacking *b = &res->backing[i];
        if (offset >= b->offset + b->length)
            continue;
        uint64_t skip = offset - b->offset;
        uint64_t n = b->length - skip < len ? b->length - skip : len;
        if (!bus_dma_read(gpu->transport->bus, b->addr + skip, dst, n))
            return false;
        dst += n;
        offset += n;
        len -= n;
    }
    return len == 0;
}

static uint32_t cmd_transfer(VirtioGpu *gpu, const uint8_t *req)
{
    VirtioGpuRect r = get_rect(req + 24);
    uint64_t offset = get64(req + 40);
    VirtioGpuResource *res = find_resource(gpu, get32(req + 48));
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!res->has_backing)
        return VIRTIO_GPU_RESP_ERR_UNSPEC;
    if (!rect_inside(&r, res->width, res->height))
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    if (!r.width || !r.height)
        return VIRTIO_GPU_RESP_OK_NODATA;
    uint64_t stride = (uint64_t)res->width * 4, row = (uint64_t)r.width * 4;
    /* The source of row h is offset + stride * h (the backing has the
     * resource's layout). */
    if (offset > res->backing_size ||
        stride * (r.height - 1) + row > res->backing_size - offset)
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    if (res->id == gpu->scanout_resource)
        rect_union(&gpu->unflushed, &r);
    for (uint32_t h = 0; h < r.height; h++) {
        uint8_t *dst = res->data + ((uint64_t)(r.y + h) * res->width + r.x) * 4;
        if (!backing_read(gpu, res, offset + stride * h, dst, row))
            return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    }
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static bool entry_in_ram(const Bus *bus, uint64_t addr, uint32_t length)
{
    return length && bus_is_ram(bus, addr, length);
}

static uint32_t cmd_attach(VirtioGpu *gpu, VirtioMmio *t, const VirtioChain *c,
                           const uint8_t *req)
{
    VirtioGpuResource *res = find_resource(gpu, get32(req + 24));
    uint32_t count = get32(req + 28);
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (res->has_backing)
        return VIRTIO_GPU_RESP_ERR_UNSPEC;
    if (!count || count > VIRTIO_GPU_MAX_BACKING_ENTRIES)
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    if (c->readable_len - 32 < (uint64_t)count * 16)
        return VIRTIO_GPU_RESP_ERR_UNSPEC; /* truncated entry list */
    VirtioGpuBacking *backing = calloc(count, sizeof(*backing));
    uint8_t *raw = malloc((size_t)count * 16);
    if (!backing || !raw) {
        free(backing);
        free(raw);
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    }
    uint32_t status = VIRTIO_GPU_RESP_OK_NODATA;
    uint64_t total = 0;
    if (!virtio_chain_read(t, c, 32, raw, (uint64_t)count * 16))
        status = VIRTIO_GPU_RESP_ERR_UNSPEC;
    for (uint32_t i = 0; status == VIRTIO_GPU_RESP_OK_NODATA && i < count; i++) {
        backing[i].addr = get64(raw + 16 * i);
        backing[i].length = get32(raw + 16 * i + 8);
        backing[i].offset = total;
        total += backing[i].length;
        if (!entry_in_ram(t->bus, backing[i].addr, backing[i].length))
            status = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    }
    free(raw);
    if (status != VIRTIO_GPU_RESP_OK_NODATA) {
        free(backing);
        return status;
    }
    res->backing = backing;
    res->backing_count = count;
    res->backing_size = total;
    res->has_backing = true;
    return status;
}

static uint32_t cmd_detach(VirtioGpu *gpu, const uint8_t *req)
{
    VirtioGpuResource *res = find_resource(gpu, get32(req + 24));
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!res->has_backing)
        return VIRTIO_GPU_RESP_ERR_UNSPEC;
    resource_detach(res);
    return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Fixed request size of each control command (header included); 0: unknown. */
static uint32_t request_size(uint32_t type)
{
    switch (type) {
    case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: return 24;
    case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: return 40;
    case VIRTIO_GPU_CMD_RESOURCE_UNREF: return 32;
    case VIRTIO_GPU_CMD_SET_SCANOUT: return 48;
    case VIRTIO_GPU_CMD_RESOURCE_FLUSH: return 48;
    case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: return 56;
    case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: return 32;
    case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: return 32;
    case VIRTIO_GPU_CMD_UPDATE_CURSOR:
    case VIRTIO_GPU_CMD_MOVE_CURSOR: return 56;
    default: return 0;
    }
}

/* Executes one request; fills resp and returns its length. */
static uint32_t gpu_request(VirtioGpu *gpu, VirtioMmio *t, const VirtioChain *c, int queue,
                            uint8_t *resp)
{
    uint8_t req[GPU_REQ_MAX] = { 0 };
    uint64_t have = c->readable_len < sizeof(req) ? c->readable_len : sizeof(req);
    uint32_t type = 0, status = VIRTIO_GPU_RESP_ERR_UNSPEC, len = VIRTIO_GPU_HDR_SIZE;
    if (have >= VIRTIO_GPU_HDR_SIZE && virtio_chain_read(t, c, 0, req, have))
        type = get32(req);
    uint32_t need = request_size(type);
    bool cursor_cmd = type == VIRTIO_GPU_CMD_UPDATE_CURSOR || type == VIRTIO_GPU_CMD_MOVE_CURSOR;
    if (!need || have < need || cursor_cmd != (queue == 1)) {
        status = VIRTIO_GPU_RESP_ERR_UNSPEC;
    } else {
        switch (type) {
        case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
            memset(resp, 0, GPU_DISPLAY_INFO_SIZE);
            put32(resp + 24 + 8, gpu->display_width);
            put32(resp + 24 + 12, gpu->display_height);
            put32(resp + 24 + 16, 1); /* enabled */
            status = VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
            len = GPU_DISPLAY_INFO_SIZE;
            break;
        case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: status = cmd_create_2d(gpu, req); break;
        case VIRTIO_GPU_CMD_RESOURCE_UNREF: status = cmd_unref(gpu, req); break;
        case VIRTIO_GPU_CMD_SET_SCANOUT: status = cmd_set_scanout(gpu, req); break;
        case VIRTIO_GPU_CMD_RESOURCE_FLUSH: status = cmd_flush(gpu, req); break;
        case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: status = cmd_transfer(gpu, req); break;
        case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: status = cmd_attach(gpu, t, c, req); break;
        case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: status = cmd_detach(gpu, req); break;
        case VIRTIO_GPU_CMD_UPDATE_CURSOR:
        case VIRTIO_GPU_CMD_MOVE_CURSOR: {
            uint32_t scanout = get32(req + 24), id = get32(req + 40);
            if (scanout != 0) {
                status = VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
                break;
            }
            if (type == VIRTIO_GPU_CMD_UPDATE_CURSOR) {
                if (id && !find_resource(gpu, id)) {
                    status = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
                    break;
                }
                gpu->cursor_resource = id;
                gpu->cursor_hot_x = get32(req + 44);
                gpu->cursor_hot_y = get32(req + 48);
            }
            gpu->cursor_x = get32(req + 28);
            gpu->cursor_y = get32(req + 32);
            status = VIRTIO_GPU_RESP_OK_NODATA;
            break;
        }
        }
    }
    if (status != VIRTIO_GPU_RESP_OK_DISPLAY_INFO) {
        len = VIRTIO_GPU_HDR_SIZE;
        if (status != VIRTIO_GPU_RESP_OK_NODATA && gpu->warnings < VIRTIO_MAX_WARNINGS) {
            gpu->warnings++;
            fprintf(stderr, "deja: virtio-gpu: command 0x%x refused (response 0x%x)\n", type,
                    status);
        }
    }
    memset(resp, 0, VIRTIO_GPU_HDR_SIZE);
    put32(resp, status);
    uint32_t flags = get32(req + 4);
    if (flags & VIRTIO_GPU_FLAG_FENCE) {
        put32(resp + 4, VIRTIO_GPU_FLAG_FENCE);
        memcpy(resp + 8, req + 8, 8 + 4 + 1); /* fence_id, ctx_id, ring_idx */
    }
    return len;
}

static void gpu_queue_notify(void *dev, VirtioMmio *t, int queue)
{
    VirtioGpu *gpu = dev;
    gpu->transport = t;
    VirtioChain *c = malloc(sizeof(*c));
    if (!c)
        return;
    uint8_t resp[GPU_DISPLAY_INFO_SIZE];
    while (virtio_queue_pop(t, queue, c) > 0) {
        uint32_t len = gpu_request(gpu, t, c, queue, resp);
        uint32_t written = 0;
        if (c->writable_len >= len) {
            virtio_chain_write(t, c, 0, resp, len);
            written = len;
        } else if (c->writable_len >= VIRTIO_GPU_HDR_SIZE) {
            /* No room for the data: say so in a bare header. */
            put32(resp, VIRTIO_GPU_RESP_ERR_UNSPEC);
            virtio_chain_write(t, c, 0, resp, VIRTIO_GPU_HDR_SIZE);
            written = VIRTIO_GPU_HDR_SIZE;
        }
        virtio_queue_push(t, queue, c, written);
    }
    free(c);
    virtio_queue_notify_guest(t, queue);
}

static uint32_t gpu_config_read(void *dev, uint64_t offset, int size)
{
    VirtioGpu *gpu = dev;
    uint8_t config[GPU_CONFIG_SIZE] = { 0 };
    put32(config, gpu->events_read);
    put32(config + 8, 1); /* num_scanouts */
    if (offset >= GPU_CONFIG_SIZE || (uint64_t)size > GPU_CONFIG_SIZE - offset)
        return 0;
    uint32_t v = 0;
    for (int i = size - 1; i >= 0; i--)
        v = v << 8 | config[offset + i];
    return v;
}

static void gpu_config_write(void *dev, uint64_t offset, int size, uint32_t value)
{
    VirtioGpu *gpu = dev;
    if (offset == 4 && size == 4) /* events_clear */
        gpu->events_read &= ~value;
}

static void gpu_clear(VirtioGpu *gpu)
{
    for (uint32_t i = 0; i < gpu->resource_count; i++)
        resource_free(gpu, gpu->resources[i]);
    gpu->resource_count = 0;
    gpu->memory_used = 0;
    scanout_disable(gpu);
    gpu->cursor_resource = gpu->cursor_hot_x = gpu->cursor_hot_y = 0;
    gpu->cursor_x = gpu->cursor_y = 0;
    gpu->events_read = 0;
}

static void gpu_reset(void *dev)
{
    gpu_clear(dev);
}

static void gpu_save(void *dev, StateWriter *w)
{
    const VirtioGpu *gpu = dev;
    state_put_u32(w, GPU_STATE_VERSION);
    state_put_u32(w, gpu->events_read);
    state_put_u32(w, gpu->cursor_resource);
    state_put_u32(w, gpu->cursor_hot_x);
    state_put_u32(w, gpu->cursor_hot_y);
    state_put_u32(w, gpu->cursor_x);
    state_put_u32(w, gpu->cursor_y);
    state_put_u32(w, gpu->resource_count);
    for (uint32_t i = 0; i < gpu->resource_count; i++) {
        const VirtioGpuResource *res = gpu->resources[i];
        state_put_u32(w, res->id);
        state_put_u32(w, res->format);
        state_put_u32(w, res->width);
        state_put_u32(w, res->height);
        state_put_bytes(w, res->data, (size_t)res->width * res->height * 4);
        state_put_bool(w, res->has_backing);
        state_put_u32(w, res->backing_count);
        for (uint32_t j = 0; j < res->backing_count; j++) {
            state_put_u64(w, res->backing[j].addr);
            state_put_u32(w, res->backing[j].length);
        }
    }
    state_put_u32(w, gpu->scanout_resource);
    state_put_u32(w, gpu->scanout_rect.x);
    state_put_u32(w, gpu->scanout_rect.y);
    state_put_u32(w, gpu->scanout_rect.width);
    state_put_u32(w, gpu->scanout_rect.height);
    if (gpu->scanout_resource) {
        /* The picture is usually what the resource holds (everything
         * transferred was flushed): then a flag replaces the pixels. */
        bool same = picture_matches(gpu);
        state_put_bool(w, same);
        if (!same)
            state_put_bytes(w, gpu->pixels,
                            (size_t)gpu->scanout_rect.width * gpu->scanout_rect.height * 4);
    }
}

bool virtio_gpu_load(void *dev, VirtioMmio *t, StateReader *r)
{
    VirtioGpu *gpu = dev;
    gpu_clear(gpu);
    gpu->transport = t;
    if (state_get_u32(r) != GPU_STATE_VERSION)
        return false;
    gpu->events_read = state_get_u32(r);
    gpu->cursor_resource = state_get_u32(r);
    gpu->cursor_hot_x = state_get_u32(r);
    gpu->cursor_hot_y = state_get_u32(r);
    gpu->cursor_x = state_get_u32(r);
    gpu->cursor_y = state_get_u32(r);
    uint32_t count = state_get_u32(r);
    if (r->failed || count > VIRTIO_GPU_MAX_RESOURCES)
        goto bad;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t req[40] = { 0 };
        put32(req + 24, state_get_u32(r));
        put32(req + 28, state_get_u32(r));
        put32(req + 32, state_get_u32(r));
        put32(req + 36, state_get_u32(r));
        if (r->failed || cmd_create_2d(gpu, req) != VIRTIO_GPU_RESP_OK_NODATA)
            goto bad;
        VirtioGpuResource *res = gpu->resources[gpu->resource_count - 1];
        if (!state_get_bytes(r, res->data, (size_t)res->width * res->height * 4))
            goto bad;
        bool has_backing = state_get_bool(r);
        uint32_t entries = state_get_u32(r);
        if (r->failed || entries > VIRTIO_GPU_MAX_BACKING_ENTRIES || (!has_backing && entries) ||
            (has_backing && !entries))
            goto bad;
        if (has_backing) {
            res->backing = calloc(entries, sizeof(*res->backing));
            if (!res->backing)
                goto bad;
            res->has_backing = true;
            res->backing_count = entries;
            for (uint32_t j = 0; j < entries; j++) {
                VirtioGpuBacking *b = &res->backing[j];
                b->addr = state_get_u64(r);
                b->length = state_get_u32(r);
                b->offset = res->backing_size;
                res->backing_size += b->length;
                if (r->failed || !entry_in_ram(t->bus, b->addr, b->length))
                    goto bad;
            }
        }
    }
    if (gpu->cursor_resource && !find_resource(gpu, gpu->cursor_resource))
        goto bad;
    uint8_t req[48] = { 0 };
    put32(req + 44, state_get_u32(r)); /* resource, then the rectangle */
    for (int i = 0; i < 4; i++)
        put32(req + 24 + 4 * i, state_get_u32(r));
    if (r->failed)
        goto bad;
    if (get32(req + 44)) {
        /* set_scanout draws the picture from the resource. */
        if (cmd_set_scanout(gpu, req) != VIRTIO_GPU_RESP_OK_NODATA)
            goto bad;
        bool same = state_get_bool(r);
        if (r->failed ||
            (!same && !state_get_bytes(r, gpu->pixels, (size_t)gpu->scanout_rect.width *
                                                            gpu->scanout_rect.height * 4)))
            goto bad;
        if (!same) /* some transfer is not flushed yet: somewhere */
            gpu->unflushed = gpu->scanout_rect;
    }
    gpu->surface.serial++;
    return true;
bad:
    gpu_clear(gpu);
    return false;
}

bool virtio_gpu_init(VirtioGpu *gpu, uint32_t width, uint32_t height, uint64_t memory_cap)
{
    memset(gpu, 0, sizeof(*gpu));
    gpu->display_width = width ? width : VIRTIO_GPU_DEFAULT_WIDTH;
    gpu->display_height = height ? height : VIRTIO_GPU_DEFAULT_HEIGHT;
    gpu->memory_cap = memory_cap ? memory_cap : VIRTIO_GPU_DEFAULT_MEMORY_CAP;
    gpu->ops = (VirtioDeviceOps){
        .name = "virtio-gpu",
        .device_id = VIRTIO_GPU_DEVICE_ID,
        .features = 0,
        .queue_count = 2,
        .config_read = gpu_config_read,
        .config_write = gpu_config_write,
        .queue_notify = gpu_queue_notify,
        .reset = gpu_reset,
        .save = gpu_save,
        .load = virtio_gpu_load,
    };
    return true;
}

void virtio_gpu_free(VirtioGpu *gpu)
{
    gpu_clear(gpu);
}

const DisplaySurface *virtio_gpu_surface(const VirtioGpu *gpu)
{
    return &gpu->surface;
}
