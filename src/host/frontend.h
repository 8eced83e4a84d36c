/* Display front-ends (docs/display.md): -display sdl (an SDL2 window) and
 * -vnc [HOST]:N (libvncserver, port 5900 + N, 127.0.0.1 unless HOST).
 *
 * Threads: the front-ends run on one thread of their own, which owns
 * every SDL and libvncserver call. It shares with the machine thread only
 * a mutex-protected copy of the picture (display_frontends_update copies
 * the guest's DisplaySurface into it, on the machine thread, when the
 * picture changed) and a mutex-protected queue of DisplayInputEvents
 * (display_frontends_take_input drains it on the machine thread, which
 * delivers the events through the replay API). A pipe wakes an idle
 * machine when input arrives (display_frontends_wake_fd). */
#ifndef DEJA_FRONTEND_H
#define DEJA_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>

#include "host/display.h"

#define DISPLAY_VNC_HOST_MAX 256

typedef struct DisplayOptions {
    bool sdl;        /* -display sdl */
    bool vnc;        /* -vnc [HOST]:N */
    char vnc_host[DISPLAY_VNC_HOST_MAX]; /* "" = 127.0.0.1 */
    int vnc_display; /* N: TCP port 5900 + N */
} DisplayOptions;

/* -display TYPE: "none", "sdl" (also "sdl,gl=off", "sdl,show-cursor=on|off",
 * "sdl,grab-mod=lctrl-lalt"), "default" (= sdl). -vnc: ":N", "HOST:N",
 * "none". False and a message on malformed input. */
bool display_parse_display(DisplayOptions *o, const char *spec, char *err, size_t err_len);
bool display_parse_vnc(DisplayOptions *o, const char *spec, char *err, size_t err_len);
static inline bool display_options_any(const DisplayOptions *o)
{
    return o->sdl || o->vnc;
}

typedef struct DisplayFrontends DisplayFrontends;

/* Opens the window / the VNC server and starts the front-end thread.
 * NULL and a message (no X display, port in use, ...) on failure. */
DisplayFrontends *display_frontends_open(const DisplayOptions *o, char *err, size_t err_len);
void display_frontends_close(DisplayFrontends *fe);

/* What the pointer drives: the tablet (absolute) or the mouse (relative,
 * the SDL window grabs the pointer on a click). */
void display_frontends_set_pointer(DisplayFrontends *fe, bool have_mouse, bool have_tablet);
/* false (replay): the front-ends show the screen but drop user input. */
void display_frontends_set_input_enabled(DisplayFrontends *fe, bool enabled);

/* Machine thread: copies the picture if its serial moved (s NULL: no
 * display device, the window stays blank). */
void display_frontends_update(DisplayFrontends *fe, const DisplaySurface *s);
/* Machine thread: takes up to max queued input events, in order. */
size_t display_frontends_take_input(DisplayFrontends *fe, DisplayInputEvent *out, size_t max);
/* The user closed the window. */
bool display_frontends_quit_requested(DisplayFrontends *fe);
/* Readable when input is waiting (or the window was closed). */
int display_frontends_wake_fd(const DisplayFrontends *fe);

/* ---- for the front-end modules (frontend_sdl.c, frontend_vnc.c) ----- */

/* The shared picture as the front-end thread sees it. */
typedef struct FrontendFrame {
    const uint32_t *pixels; /* 0x00RRGGBB, stride = width */
    uint32_t width, height;
    uint64_t serial;
} FrontendFrame;

/* Front-end thread: queues an input event (dropped when input is off). */
void frontend_push_input(DisplayFrontends *fe, uint8_t device, uint16_t type, uint16_t code,
                         int32_t value);
void frontend_request_quit(DisplayFrontends *fe);
bool frontend_pointer_absolute(DisplayFrontends *fe);
bool frontend_input_enabled(DisplayFrontends *fe);
/* Front-end thread: lock the frame, look at it, unlock. */
const FrontendFrame *frontend_frame_lock(DisplayFrontends *fe);
void frontend_frame_unlock(DisplayFrontends *fe);

typedef struct FrontendSdl FrontendSdl;
FrontendSdl *frontend_sdl_open(DisplayFrontends *fe, char *err, size_t err_len);
/* Handles events for up to wait_ms and redraws if the frame changed. */
void frontend_sdl_iterate(FrontendSdl *s, int wait_ms);
void frontend_sdl_close(FrontendSdl *s);

typedef struct FrontendVnc FrontendVnc;
FrontendVnc *frontend_vnc_open(DisplayFrontends *fe, const DisplayOptions *o, char *err,
                               size_t err_len);
void frontend_vnc_iterate(FrontendVnc *v, int wait_ms);
void frontend_vnc_close(FrontendVnc *v);

#endif
