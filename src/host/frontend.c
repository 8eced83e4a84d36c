/* Display front-ends: options, the shared frame and input queue, and the
 * front-end thread (frontend.h). */
#include "host/frontend.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/message.h"

/* Input events waiting for the machine thread; more are dropped (a
 * paused machine must not make deja grow without bound). */
#define FRONTEND_QUEUE_MAX 4096

struct DisplayFrontends {
    DisplayOptions options;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t started_cond;
    bool started, start_ok, stop;
    char start_err[512];
    /* Shared with the machine thread, under lock. */
    FrontendFrame frame;
    uint32_t *pixels;
    size_t pixels_cap;
    uint64_t surface_serial; /* the guest surface serial last copied */
    bool have_surface_serial;
    DisplayInputEvent queue[FRONTEND_QUEUE_MAX];
    size_t head, count;
    bool quit;
    bool absolute;
    bool input_enabled;
    int wake[2];
    /* Front-end thread only. */
    FrontendSdl *sdl;
    FrontendVnc *vnc;
};

/* ---- options --------------------------------------------------------- */

bool display_parse_display(DisplayOptions *o, const char *spec, char *err, size_t err_len)
{
    size_t type_len = strcspn(spec, ",");
    char type[32];
    if (type_len == 0 || type_len >= sizeof(type)) {
        message_format(err, err_len, "'%s': expected a display type (none or sdl)", spec);
        return false;
    }
    memcpy(type, spec, type_len);
    type[type_len] = 0;
    if (!strcmp(type, "none")) {
        if (spec[type_len]) {
            message_format(err, err_len, "'%s': -display none takes no options", spec);
            return false;
        }
        o->sdl = false;
        return true;
    }
    if (strcmp(type, "sdl") && strcmp(type, "default")) {
        message_format(err, err_len,
                       "display '%s' is not supported (deja has -display sdl and -display none; "
                       "-vnc :N for a remote display)",
                       type);
        return false;
    }
    /* Options QEMU's sdl display takes that change nothing here. */
    const char *p = spec + type_len;
    while (*p == ',') {
        p++;
        size_t len = strcspn(p, ",");
        char item[128];
        if (len == 0 || len >= sizeof(item)) {
            message_format(err, err_len, "'%s': empty or overlong option", spec);
            return false;
        }
        memcpy(item, p, len);
        item[len] = 0;
        char *eq = strchr(item, '=');
        if (!eq) {
            message_format(err, err_len, "'%s': invalid parameter '%s' (expected key=value)", spec,
                           item);
            return false;
        }
        *eq = 0;
        const char *v = eq + 1;
        bool onoff = !strcmp(v, "on") || !strcmp(v, "off");
        if ((!strcmp(item, "gl") || !strcmp(item, "show-cursor") ||
             !strcmp(item, "window-close")) && onoff) {
            if (!strcmp(item, "gl") && !strcmp(v, "on")) {
                message_format(err, err_len, "'%s': deja's sdl display has no OpenGL (use gl=off)",
                               spec);
                return false;
            }
        } else if (!strcmp(item, "grab-mod") && !strcmp(v, "lctrl-lalt")) {
            /* the default: Ctrl-Alt-G */
        } else {
            message_format(err, err_len, "'%s': invalid parameter '%s=%s' (deja's sdl display takes "
                           "gl=off, show-cursor=on|off, window-close=on|off)",
                           spec, item, v);
            return false;
        }
        p += len;
    }
    o->sdl = true;
    return true;
}

bool display_parse_vnc(DisplayOptions *o, const char *spec, char *err, size_t err_len)
{
    if (!strcmp(spec, "none")) {
        o->vnc = false;
        return true;
    }
    if (strchr(spec, ',')) {
        message_format(err, err_len, "'%s': options after the display are not supported "
                                     "(deja takes -vnc :N or -vnc HOST:N)", spec);
        return false;
    }
    const char *colon = strrchr(spec, ':');
    if (!colon) {
        message_format(err, err_len, "'%s': expected :N or HOST:N (display N listens on TCP "
                                     "port 5900+N)", spec);
        return false;
    }
    size_t host_len = (size_t)(colon - spec);
    if (host_len >= DISPLAY_VNC_HOST_MAX) {
        message_format(err, err_len, "'%s': host name too long", spec);
        return false;
    }
    if (memchr(spec, ':', host_len) || (host_len && spec[0] == '[')) {
        message_format(err, err_len, "'%s': IPv6 addresses are not supported (use an IPv4 address "
                                     "or a host name)", spec);
        return false;
    }
    const char *n = colon + 1;
    char *end;
    errno = 0;
    long display = strtol(n, &end, 10);
    if (!*n || *end || errno || display < 0 || display > 65535 - 5900 || *n == '-' || *n == '+') {
        message_format(err, err_len, "'%s': display number must be 0 to %d", spec, 65535 - 5900);
        return false;
    }
    memcpy(o->vnc_host, spec, host_len);
    o->vnc_host[host_len] = 0;
    o->vnc_display = (int)display;
    o->vnc = true;
    return true;
}

/* ---- shared state ---------------------------------------------------- */

static void wake(DisplayFrontends *fe)
{
    char byte = 1;
    ssize_t n = write(fe->wake[1], &byte, 1); /* full pipe: already awake */
    (void)n;
}

void frontend_push_input(DisplayFrontends *fe, uint8_t device, uint16_t type, uint16_t code,
                         int32_t value)
{
    pthread_mutex_lock(&fe->lock);
    bool queued = false;
    if (fe->input_enabled && fe->count < FRONTEND_QUEUE_MAX) {
        fe->queue[(fe->head + fe->count++) % FRONTEND_QUEUE_MAX] =
            (DisplayInputEvent){ .device = device, .type = type, .code = code, .value = value };
        queued = true;
    }
    pthread_mutex_unlock(&fe->lock);
    if (queued)
        wake(fe);
}

void frontend_request_quit(DisplayFrontends *fe)
{
    pthread_mutex_lock(&fe->lock);
    fe->quit = true;
    pthread_mutex_unlock(&fe->lock);
    wake(fe);
}

bool frontend_pointer_absolute(DisplayFrontends *fe)
{
    pthread_mutex_lock(&fe->lock);
    bool absolute = fe->absolute;
    pthread_mutex_unlock(&fe->lock);
    return absolute;
}

bool frontend_input_enabled(DisplayFrontends *fe)
{
    pthread_mutex_lock(&fe->lock);
    bool enabled = fe->input_enabled;
    pthread_mutex_unlock(&fe->lock);
    return enabled;
}

const FrontendFrame *frontend_frame_lock(DisplayFrontends *fe)
{
    pthread_mutex_lock(&fe->lock);
    return &fe->frame;
}

void frontend_frame_unlock(DisplayFrontends *fe)
{
    pthread_mutex_unlock(&fe->lock);
}

void display_frontends_set_pointer(DisplayFrontends *fe, bool have_mouse, bool have_tablet)
{
    pthread_mutex_lock(&fe->lock);
    fe->absolute = have_tablet || !have_mouse;
    pthread_mutex_unlock(&fe->lock);
}

void display_frontends_set_input_enabled(DisplayFrontends *fe, bool enabled)
{
    pthread_mutex_lock(&fe->lock);
    fe->input_enabled = enabled;
    if (!enabled)
        fe->count = 0;
    pthread_mutex_unlock(&fe->lock);
}

void display_frontends_update(DisplayFrontends *fe, const DisplaySurface *s)
{
    static const DisplaySurface none = { .serial = UINT64_MAX };
    if (!s)
        s = &none; /* no display device: a blank picture */
    if (fe->have_surface_serial && s->serial == fe->surface_serial)
        return;
    uint32_t w = s->width, h = s->height;
    if (!s->pixels || s->stride < w)
        w = h = 0;
    pthread_mutex_lock(&fe->lock);
    size_t need = (size_t)w * h;
    if (need > fe->pixels_cap) {
        uint32_t *p = realloc(fe->pixels, need * sizeof(uint32_t));
        if (!p) {
            pthread_mutex_unlock(&fe->lock);
            return;
        }
        fe->pixels = p;
        fe->pixels_cap = need;
    }
    for (uint32_t y = 0; y < h; y++)
        memcpy(fe->pixels + (size_t)y * w, s->pixels + (size_t)y * s->stride, w * sizeof(uint32_t));
    fe->frame.pixels = fe->pixels;
    fe->frame.width = w;
    fe->frame.height = h;
    fe->frame.serial++;
    pthread_mutex_unlock(&fe->lock);
    fe->surface_serial = s->serial;
    fe->have_surface_serial = true;
}

size_t display_frontends_take_input(DisplayFrontends *fe, DisplayInputEvent *out, size_t max)
{
    char drain[64];
    while (read(fe->wake[0], drain, sizeof(drain)) > 0) {
    }
    pthread_mutex_lock(&fe->lock);
    size_t n = 0;
    while (n < max && fe->count) {
        out[n++] = fe->queue[fe->head];
        fe->head = (fe->head + 1) % FRONTEND_QUEUE_MAX;
        fe->count--;
    }
    pthread_mutex_unlock(&fe->lock);
    return n;
}

bool display_frontends_quit_requested(DisplayFrontends *fe)
{
    pthread_mutex_lock(&fe->lock);
    bool quit = fe->quit;
    pthread_mutex_unlock(&fe->lock);
    return quit;
}

int display_frontends_wake_fd(const DisplayFrontends *fe)
{
    return fe->wake[0];
}

/* ---- the front-end thread -------------------------------------------- */

static void *frontend_thread(void *opaque)
{
    DisplayFrontends *fe = opaque;
    char err[512] = "";
    bool ok = true;
    if (fe->options.sdl) {
        fe->sdl = frontend_sdl_open(fe, err, sizeof(err));
        ok = fe->sdl != NULL;
    }
    if (ok && fe->options.vnc) {
        fe->vnc = frontend_vnc_open(fe, &fe->options, err, sizeof(err));
        ok = fe->vnc != NULL;
    }
    pthread_mutex_lock(&fe->lock);
    fe->started = true;
    fe->start_ok = ok;
    snprintf(fe->start_err, sizeof(fe->start_err), "%s", err);
    pthread_cond_signal(&fe->started_cond);
    pthread_mutex_unlock(&fe->lock);
    while (ok) {
        pthread_mutex_lock(&fe->lock);
        bool stop = fe->stop;
        pthread_mutex_unlock(&fe->lock);
        if (stop)
            break;
        if (fe->sdl)
            frontend_sdl_iterate(fe->sdl, 10);
        if (fe->vnc)
            frontend_vnc_iterate(fe->vnc, fe->sdl ? 0 : 10);
    }
    if (fe->vnc)
        frontend_vnc_close(fe->vnc);
    if (fe->sdl)
        frontend_sdl_close(fe->sdl);
    fe->vnc = NULL;
    fe->sdl = NULL;
    return NULL;
}

DisplayFrontends *display_frontends_open(const DisplayOptions *o, char *err, size_t err_len)
{
    DisplayFrontends *fe = calloc(1, sizeof(*fe));
    if (!fe) {
        message_format(err, err_len, "display: out of memory");
        return NULL;
    }
    fe->options = *o;
    fe->input_enabled = true;
    fe->absolute = true;
    if (pipe(fe->wake) != 0) {
        message_format(err, err_len, "display: cannot create a pipe: %s", strerror(errno));
        free(fe);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(fe->wake[i], F_SETFL, fcntl(fe->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(fe->wake[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&fe->lock, NULL);
    pthread_cond_init(&fe->started_cond, NULL);
    if (pthread_create(&fe->thread, NULL, frontend_thread, fe) != 0) {
        message_format(err, err_len, "display: cannot start the display thread");
        close(fe->wake[0]);
        close(fe->wake[1]);
        free(fe);
        return NULL;
    }
    pthread_mutex_lock(&fe->lock);
    while (!fe->started)
        pthread_cond_wait(&fe->started_cond, &fe->lock);
    bool ok = fe->start_ok;
    pthread_mutex_unlock(&fe->lock);
    if (!ok) {
        pthread_join(fe->thread, NULL);
        message_format(err, err_len, "%s", fe->start_err);
        close(fe->wake[0]);
        close(fe->wake[1]);
        free(fe->pixels);
        free(fe);
        return NULL;
    }
    return fe;
}

void display_frontends_close(DisplayFrontends *fe)
{
    if (!fe)
        return;
    pthread_mutex_lock(&fe->lock);
    fe->stop = true;
    pthread_mutex_unlock(&fe->lock);
    pthread_join(fe->thread, NULL);
    pthread_mutex_destroy(&fe->lock);
    pthread_cond_destroy(&fe->started_cond);
    close(fe->wake[0]);
    close(fe->wake[1]);
    free(fe->pixels);
    free(fe);
}
