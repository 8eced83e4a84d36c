/* virtio-gpu-device, 2D only (virtio 1.2 section 5.7): a control queue and
 * a cursor queue, one scanout. The guest creates host-side resources
 * (2D images), attaches guest pages as their backing, copies pixels into
 * them (TRANSFER_TO_HOST_2D) and shows one on the scanout (SET_SCANOUT,
 * RESOURCE_FLUSH). The scanout's picture is kept as XRGB in a
 * DisplaySurface owned by the device.
 *
 * Commands are executed when the driver notifies the queue: they take no
 * host input, so they are deterministic and need no replay log. Every
 * guest value is checked: unknown resource ids, rectangles outside a
 * resource, sizes that overflow or exceed the resource memory cap,
 * backing pages outside guest RAM and truncated requests get a
 * VIRTIO_GPU_RESP_ERR_* response. Resources, backing lists, scanout,
 * cursor and the picture are saved (and loaded) with the device. */
#ifndef DEJA_VIRTIO_GPU_H
#define DEJA_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/virtio_mmio.h"
#include "host/display.h"

#define VIRTIO_GPU_DEVICE_ID 16
#define VIRTIO_GPU_DEFAULT_WIDTH 1280
#define VIRTIO_GPU_DEFAULT_HEIGHT 800
/* Host memory all resources may use together. */
#define VIRTIO_GPU_DEFAULT_MEMORY_CAP (256ull << 20)
#define VIRTIO_GPU_MAX_RESOURCES 1024
#define VIRTIO_GPU_MAX_DIMENSION 16384u
/* Backing entries one resource may have. */
#define VIRTIO_GPU_MAX_BACKING_ENTRIES 65536u

/* Control types (5.7.6.7). */
enum {
    VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100,
    VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
    VIRTIO_GPU_CMD_RESOURCE_UNREF,
    VIRTIO_GPU_CMD_SET_SCANOUT,
    VIRTIO_GPU_CMD_RESOURCE_FLUSH,
    VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
    VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
    VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
    VIRTIO_GPU_CMD_GET_CAPSET_INFO,
    VIRTIO_GPU_CMD_GET_CAPSET,
    VIRTIO_GPU_CMD_GET_EDID,
    VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300,
    VIRTIO_GPU_CMD_MOVE_CURSOR,
    VIRTIO_GPU_RESP_OK_NODATA = 0x1100,
    VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
    VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200,
    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
    VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
    VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
};

#define VIRTIO_GPU_FLAG_FENCE 1u
#define VIRTIO_GPU_HDR_SIZE 24
#define VIRTIO_GPU_MAX_SCANOUTS 16
#define VIRTIO_GPU_EVENT_DISPLAY 1u

/* Formats (5.7.6.8): all 32 bits per pixel, named by byte order. */
enum {
    VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM = 1,
    VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM = 2,
    VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM = 3,
    VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM = 4,
    VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM = 67,
    VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM = 68,
    VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM = 121,
    VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM = 134,
};

typedef struct VirtioGpuRect {
    uint32_t x, y, width, height;
} VirtioGpuRect;

typedef struct VirtioGpuBacking {
    uint64_t addr;   /* guest-physical, checked inside RAM */
    uint32_t length;
    uint64_t offset; /* byte offset of this entry in the backing */
} VirtioGpuBacking;

typedef struct VirtioGpuResource {
    uint32_t id, format, width, height;
    uint8_t *data; /* width * height * 4 bytes, in the resource's format */
    VirtioGpuBacking *backing;
    uint32_t backing_count; /* 0: no backing attached */
    bool has_backing;
    uint64_t backing_size;
} VirtioGpuResource;

typedef struct VirtioGpu {
    VirtioDeviceOps ops;
    VirtioMmio *transport;
    uint32_t display_width, display_height; /* the mode offered */
    uint64_t memory_cap, memory_used;
    uint32_t events_read;
    VirtioGpuResource *resources[VIRTIO_GPU_MAX_RESOURCES];
    uint32_t resource_count;
    /* Scanout 0. */
    uint32_t scanout_resource; /* 0: disabled */
    VirtioGpuRect scanout_rect;
    /* Bounding box (resource coordinates) of the transfers into the
     * scanout resource not covered by a flush since; width 0: none, the
     * picture equals the resource (host-side bookkeeping for save). */
    VirtioGpuRect unflushed;
    /* Cursor (accepted and kept; not drawn into the picture). */
    uint32_t cursor_resource, cursor_hot_x, cursor_hot_y, cursor_x, cursor_y;
    /* The picture: XRGB, scanout_rect.width x height. */
    uint32_t *pixels;
    DisplaySurface surface;
    uint32_t warnings;
} VirtioGpu;

/* width/height 0: the defaults; memory_cap 0: the default. */
bool virtio_gpu_init(VirtioGpu *gpu, uint32_t width, uint32_t height, uint64_t memory_cap);
void virtio_gpu_free(VirtioGpu *gpu);
const DisplaySurface *virtio_gpu_surface(const VirtioGpu *gpu);
/* Restores what the device's save wrote (VirtioDeviceOps.load); false,
 * with the device as after a reset, on bad data. */
bool virtio_gpu_load(void *dev, VirtioMmio *t, StateReader *r);

#endif
