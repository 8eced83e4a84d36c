/* screendump (display.h): the surface as binary PPM (P6) or PNG. */
#include "host/display.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/message.h"

static bool ends_with_png(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcasecmp(path + n - 4, ".png");
}

static void row_rgb(const DisplaySurface *s, uint32_t y, uint8_t *out)
{
    const uint32_t *p = s->pixels + (size_t)y * s->stride;
    for (uint32_t x = 0; x < s->width; x++) {
        out[3 * x] = (uint8_t)(p[x] >> 16);
        out[3 * x + 1] = (uint8_t)(p[x] >> 8);
        out[3 * x + 2] = (uint8_t)p[x];
    }
}

static bool write_ppm(const DisplaySurface *s, FILE *f, uint8_t *row)
{
    if (fprintf(f, "P6\n%u %u\n255\n", s->width, s->height) < 0)
        return false;
    for (uint32_t y = 0; y < s->height; y++) {
        row_rgb(s, y, row);
        if (fwrite(row, 3, s->width, f) != s->width)
            return false;
    }
    return true;
}

typedef struct PngError {
    char *err;
    size_t err_len;
} PngError;

static void png_fail(png_structp png, png_const_charp msg)
{
    PngError *e = png_get_error_ptr(png);
    message_format(e->err, e->err_len, "PNG: %s", msg);
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

static bool write_png(const DisplaySurface *s, FILE *f, uint8_t *row, char *err, size_t err_len)
{
    PngError e = { err, err_len };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, png_fail, png_warn);
    if (!png) {
        message_format(err, err_len, "PNG: out of memory");
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        message_format(err, err_len, "PNG: out of memory");
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < s->height; y++) {
        row_rgb(s, y, row);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return true;
}

bool display_screendump(const DisplaySurface *s, const char *path, char *err, size_t err_len)
{
    return display_screendump_as(s, path, ends_with_png(path), err, err_len);
}

bool display_screendump_as(const DisplaySurface *s, const char *path, bool png, char *err,
                           size_t err_len)
{
    if (!s) {
        message_format(err, err_len, "no display device (add -device virtio-gpu-device)");
        return false;
    }
    if (!s->width || !s->height || !s->pixels) {
        message_format(err, err_len, "the guest has not set up the display yet (no scanout)");
        return false;
    }
    uint8_t *row = malloc((size_t)s->width * 3);
    if (!row) {
        message_format(err, err_len, "out of memory");
        return false;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        message_format(err, err_len, "could not open '%s': %s", path, strerror(errno));
        free(row);
        return false;
    }
    bool ok;
    if (png) {
        ok = write_png(s, f, row, err, err_len);
    } else {
        ok = write_ppm(s, f, row);
        if (!ok)
            message_format(err, err_len, "could not write '%s': %s", path, strerror(errno));
    }
    if (fclose(f) != 0 && ok) {
        message_format(err, err_len, "could not write '%s': %s", path, strerror(errno));
        ok = false;
    }
    free(row);
    if (!ok)
        remove(path);
    return ok;
}
