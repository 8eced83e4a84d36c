/* -vnc [HOST]:N: a VNC (RFB) server through libvncserver, on the
 * front-end thread (frontend.h): it listens on HOST (default 127.0.0.1)
 * port 5900 + N, shows the guest picture and sends key and pointer events
 * to the input devices. Several viewers may share the screen. */
#include <arpa/inet.h>
#include <linux/input-event-codes.h>
#include <netdb.h>
#include <rfb/rfb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/frontend.h"
#include "host/keymap.h"
#include "util/message.h"

struct FrontendVnc {
    DisplayFrontends *fe;
    rfbScreenInfoPtr screen;
    uint32_t *fb; /* the server's framebuffer */
    uint32_t w, h;
    uint64_t shown_serial;
    int buttons;    /* last RFB button mask */
    int last_x, last_y;
    bool have_last;
};

static void vnc_quiet_log(const char *format, ...)
{
    (void)format;
}

static char vnc_last_error[256];
static void vnc_capture_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(vnc_last_error, sizeof(vnc_last_error), format, ap);
    va_end(ap);
    size_t n = strlen(vnc_last_error);
    while (n && vnc_last_error[n - 1] == '\n')
        vnc_last_error[--n] = 0;
}

static void vnc_key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
    FrontendVnc *v = cl->screen->screenData;
    int code = keymap_from_keysym((uint32_t)keysym);
    if (code <= 0)
        return;
    frontend_push_input(v->fe, DISPLAY_INPUT_KEYBOARD, EV_KEY, (uint16_t)code, down ? 1 : 0);
    frontend_push_input(v->fe, DISPLAY_INPUT_KEYBOARD, EV_SYN, SYN_REPORT, 0);
}

static void vnc_pointer(int mask, int x, int y, rfbClientPtr cl)
{
    FrontendVnc *v = cl->screen->screenData;
    bool absolute = frontend_pointer_absolute(v->fe);
    uint8_t dev = absolute ? DISPLAY_INPUT_TABLET : DISPLAY_INPUT_MOUSE;
    bool any = false;
    if (absolute) {
        int w = (int)v->w, h = (int)v->h;
        if (x >= w)
            x = w - 1;
        if (y >= h)
            y = h - 1;
        if (x < 0)
            x = 0;
        if (y < 0)
            y = 0;
        if (!v->have_last || x != v->last_x || y != v->last_y) {
            frontend_push_input(v->fe, dev, EV_ABS, ABS_X,
                                w > 1 ? (int32_t)((int64_t)x * 32767 / (w - 1)) : 0);
            frontend_push_input(v->fe, dev, EV_ABS, ABS_Y,
                                h > 1 ? (int32_t)((int64_t)y * 32767 / (h - 1)) : 0);
            any = true;
        }
    } else if (v->have_last && (x != v->last_x || y != v->last_y)) {
        frontend_push_input(v->fe, dev, EV_REL, REL_X, x - v->last_x);
        frontend_push_input(v->fe, dev, EV_REL, REL_Y, y - v->last_y);
        any = true;
    }
    v->last_x = x;
    v->last_y = y;
    v->have_last = true;
    static const uint16_t buttons[3] = { BTN_LEFT, BTN_MIDDLE, BTN_RIGHT };
    for (int b = 0; b < 3; b++) {
        if ((mask ^ v->buttons) & (1 << b)) {
            frontend_push_input(v->fe, dev, EV_KEY, buttons[b], (mask >> b) & 1);
            any = true;
        }
    }
    /* Buttons 4 and 5: wheel up and down, one step per press. */
    if ((mask & 8) && !(v->buttons & 8)) {
        frontend_push_input(v->fe, dev, EV_REL, REL_WHEEL, 1);
        any = true;
    }
    if ((mask & 16) && !(v->buttons & 16)) {
        frontend_push_input(v->fe, dev, EV_REL, REL_WHEEL, -1);
        any = true;
    }
    v->buttons = mask;
    if (any)
        frontend_push_input(v->fe, dev, EV_SYN, SYN_REPORT, 0);
}

static bool alloc_fb(FrontendVnc *v, uint32_t w, uint32_t h)
{
    uint32_t *fb = calloc((size_t)w * h, sizeof(uint32_t));
    if (!fb)
        return false;
    if (v->screen)
        rfbNewFramebuffer(v->screen, (char *)fb, (int)w, (int)h, 8, 3, 4);
    free(v->fb);
    v->fb = fb;
    v->w = w;
    v->h = h;
    if (v->screen) {
        /* rfbNewFramebuffer resets the pixel format: 0x00RRGGBB words. */
        v->screen->serverFormat.redShift = 16;
        v->screen->serverFormat.greenShift = 8;
        v->screen->serverFormat.blueShift = 0;
    }
    return true;
}

/* Copies a new frame and marks the rows that changed. */
static void vnc_refresh(FrontendVnc *v)
{
    const FrontendFrame *f = frontend_frame_lock(v->fe);
    if (f->serial == v->shown_serial) {
        frontend_frame_unlock(v->fe);
        return;
    }
    v->shown_serial = f->serial;
    uint32_t w = f->width ? f->width : 640, h = f->height ? f->height : 480;
    if ((w != v->w || h != v->h) && !alloc_fb(v, w, h)) {
        frontend_frame_unlock(v->fe);
        return;
    }
    int first = -1, last = -1;
    for (uint32_t y = 0; y < h; y++) {
        uint32_t *dst = v->fb + (size_t)y * w;
        if (!f->width) {
            if (first < 0)
                first = (int)y;
            last = (int)y;
            memset(dst, 0, w * sizeof(uint32_t));
            continue;
        }
        const uint32_t *src = f->pixels + (size_t)y * w;
        if (memcmp(dst, src, w * sizeof(uint32_t))) {
            memcpy(dst, src, w * sizeof(uint32_t));
            if (first < 0)
                first = (int)y;
            last = (int)y;
        }
    }
    frontend_frame_unlock(v->fe);
    if (first >= 0)
        rfbMarkRectAsModified(v->screen, 0, first, (int)w, last + 1);
}

static bool resolve_ipv4(const char *host, in_addr_t *out, char *err, size_t err_len)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        message_format(err, err_len, "-vnc %s: cannot resolve the host: %s", host, gai_strerror(rc));
        return false;
    }
    *out = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
    freeaddrinfo(res);
    return true;
}

FrontendVnc *frontend_vnc_open(DisplayFrontends *fe, const DisplayOptions *o, char *err,
                               size_t err_len)
{
    const char *host = o->vnc_host[0] ? o->vnc_host : "127.0.0.1";
    in_addr_t addr;
    if (!resolve_ipv4(host, &addr, err, err_len))
        return NULL;
    FrontendVnc *v = calloc(1, sizeof(*v));
    if (!v || !alloc_fb(v, 640, 480)) {
        free(v);
        message_format(err, err_len, "display: out of memory");
        return NULL;
    }
    v->fe = fe;
    v->shown_serial = UINT64_MAX;
    rfbLog = vnc_quiet_log;
    rfbErr = vnc_capture_error;
    vnc_last_error[0] = 0;
    int argc = 1;
    char *argv[] = { "deja", NULL };
    v->screen = rfbGetScreen(&argc, argv, (int)v->w, (int)v->h, 8, 3, 4);
    if (!v->screen) {
        frontend_vnc_close(v);
        message_format(err, err_len, "-vnc: cannot create the VNC server");
        return NULL;
    }
    rfbScreenInfoPtr sc = v->screen;
    sc->frameBuffer = (char *)v->fb;
    sc->serverFormat.redShift = 16;
    sc->serverFormat.greenShift = 8;
    sc->serverFormat.blueShift = 0;
    sc->desktopName = "deja";
    sc->screenData = v;
    sc->kbdAddEvent = vnc_key;
    sc->ptrAddEvent = vnc_pointer;
    sc->alwaysShared = TRUE;
    sc->autoPort = FALSE;
    sc->port = 5900 + o->vnc_display;
    sc->ipv6port = 0; /* IPv4 only */
    sc->listenInterface = addr;
    sc->httpPort = 0;
    rfbInitServer(sc);
    if (sc->listenSock == RFB_INVALID_SOCKET) {
        message_format(err, err_len, "-vnc %s:%d: cannot listen on %s port %d%s%s", o->vnc_host,
                       o->vnc_display, host, 5900 + o->vnc_display,
                       vnc_last_error[0] ? ": " : "", vnc_last_error);
        frontend_vnc_close(v);
        return NULL;
    }
    return v;
}

void frontend_vnc_iterate(FrontendVnc *v, int wait_ms)
{
    vnc_refresh(v);
    rfbProcessEvents(v->screen, (long)wait_ms * 1000);
}

void frontend_vnc_close(FrontendVnc *v)
{
    if (!v)
        return;
    if (v->screen) {
        rfbShutdownServer(v->screen, TRUE);
        v->screen->frameBuffer = NULL;
        rfbScreenCleanup(v->screen);
    }
    free(v->fb);
    free(v);
}
