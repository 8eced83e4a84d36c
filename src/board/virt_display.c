/* The board's display (virt_display.h). */
#include "board/virt_display.h"

#include <stdlib.h>

#include "board/virt.h"
#include "dev/virtio_gpu.h"
#include "util/message.h"

const DisplaySurface *virt_display_surface(struct VirtMachine *m)
{
    if (!m || !m->block.gpu)
        return NULL;
    return virtio_gpu_surface(m->block.gpu);
}

bool virt_display_parse_res(const char *key, const char *value, uint32_t *out, char *err,
                            size_t err_len)
{
    char *end;
    unsigned long v = strtoul(value, &end, 10);
    if (!*value || *end || v < 16 || v > VIRTIO_GPU_MAX_DIMENSION) {
        message_format(err, err_len, "Parameter '%s' expects a number of pixels from 16 to %u",
                       key, VIRTIO_GPU_MAX_DIMENSION);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool virt_display_attach_gpu(struct VirtMachine *m, const VirtVirtioConfig *c, VirtioMmio *slot,
                             IrqLine irq)
{
    if (m->block.gpu) {
        message_print_error("-device virtio-gpu-device: deja supports one display device");
        return false;
    }
    VirtioGpu *gpu = calloc(1, sizeof(*gpu));
    if (!gpu || !virtio_gpu_init(gpu, c->xres, c->yres, 0)) {
        free(gpu);
        message_print_error("out of memory");
        return false;
    }
    gpu->transport = slot;
    m->block.gpu = gpu;
    virtio_mmio_attach(slot, &m->bus, irq, &gpu->ops, gpu);
    return true;
}

void virt_display_destroy(struct VirtMachine *m)
{
    if (!m->block.gpu)
        return;
    virtio_gpu_free(m->block.gpu);
    free(m->block.gpu);
    m->block.gpu = NULL;
}
