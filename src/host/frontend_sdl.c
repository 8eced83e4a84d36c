/* -display sdl: an SDL2 window on the front-end thread (frontend.h). Every
 * SDL call happens on that thread. The guest picture is scaled to the
 * window with its aspect ratio kept; keys go to the keyboard, the pointer
 * to the tablet (absolute) or, when the board has only a mouse, to the
 * mouse while the window holds the grab (a click takes it, Ctrl-Alt-G
 * releases it). */
#include <SDL2/SDL.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/frontend.h"
#include "host/keymap.h"
#include "util/message.h"

struct FrontendSdl {
    DisplayFrontends *fe;
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    uint32_t tex_w, tex_h;
    uint64_t shown_serial;
    bool grabbed;
    bool title_input, title_grab; /* what the title says now */
    bool have_title;
    uint8_t keys_down[KEY_MAX / 8 + 1];
};

static void update_title(FrontendSdl *s)
{
    bool input = frontend_input_enabled(s->fe);
    if (s->have_title && input == s->title_input && s->grabbed == s->title_grab)
        return;
    char title[128];
    snprintf(title, sizeof(title), "deja%s%s",
             input ? "" : " [replay: input ignored]",
             s->grabbed ? " - Press Ctrl-Alt-G to release grab" : "");
    SDL_SetWindowTitle(s->window, title);
    s->have_title = true;
    s->title_input = input;
    s->title_grab = s->grabbed;
}

static void set_grab(FrontendSdl *s, bool grab)
{
    s->grabbed = grab;
    SDL_SetWindowGrab(s->window, grab ? SDL_TRUE : SDL_FALSE);
    if (!frontend_pointer_absolute(s->fe))
        SDL_SetRelativeMouseMode(grab ? SDL_TRUE : SDL_FALSE);
    update_title(s);
}

static void key(FrontendSdl *s, int code, bool down)
{
    bool was = s->keys_down[code / 8] & (1u << (code % 8));
    if (down == was)
        return;
    if (down)
        s->keys_down[code / 8] |= (uint8_t)(1u << (code % 8));
    else
        s->keys_down[code / 8] &= (uint8_t)~(1u << (code % 8));
    frontend_push_input(s->fe, DISPLAY_INPUT_KEYBOARD, EV_KEY, (uint16_t)code, down ? 1 : 0);
    frontend_push_input(s->fe, DISPLAY_INPUT_KEYBOARD, EV_SYN, SYN_REPORT, 0);
}

/* Focus lost: the guest must not see keys stuck down. */
static void release_all_keys(FrontendSdl *s)
{
    for (int code = 0; code <= KEY_MAX; code++)
        if (s->keys_down[code / 8] & (1u << (code % 8)))
            key(s, code, false);
}

static void pointer_abs(FrontendSdl *s, int x, int y)
{
    const FrontendFrame *f = frontend_frame_lock(s->fe);
    int w = f->width ? (int)f->width : 640, h = f->height ? (int)f->height : 480;
    frontend_frame_unlock(s->fe);
    if (x < 0)
        x = 0;
    if (y < 0)
        y = 0;
    if (x >= w)
        x = w - 1;
    if (y >= h)
        y = h - 1;
    int32_t ax = w > 1 ? (int32_t)((int64_t)x * 32767 / (w - 1)) : 0;
    int32_t ay = h > 1 ? (int32_t)((int64_t)y * 32767 / (h - 1)) : 0;
    frontend_push_input(s->fe, DISPLAY_INPUT_TABLET, EV_ABS, ABS_X, ax);
    frontend_push_input(s->fe, DISPLAY_INPUT_TABLET, EV_ABS, ABS_Y, ay);
    frontend_push_input(s->fe, DISPLAY_INPUT_TABLET, EV_SYN, SYN_REPORT, 0);
}

static uint8_t pointer_device(FrontendSdl *s)
{
    return frontend_pointer_absolute(s->fe) ? DISPLAY_INPUT_TABLET : DISPLAY_INPUT_MOUSE;
}

static void handle_event(FrontendSdl *s, const SDL_Event *ev)
{
    bool absolute = frontend_pointer_absolute(s->fe);
    switch (ev->type) {
    case SDL_QUIT:
        frontend_request_quit(s->fe);
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
            release_all_keys(s);
            if (s->grabbed)
                set_grab(s, false);
        }
        s->shown_serial = UINT64_MAX; /* exposed or resized: redraw */
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
        if (ev->key.repeat)
            break; /* the guest's own autorepeat (EV_REP) repeats */
        bool down = ev->type == SDL_KEYDOWN;
        SDL_Keymod mod = SDL_GetModState();
        if (down && ev->key.keysym.scancode == SDL_SCANCODE_G && (mod & KMOD_CTRL) &&
            (mod & KMOD_ALT)) {
            set_grab(s, !s->grabbed);
            break;
        }
        int code = keymap_from_hid_usage((int)ev->key.keysym.scancode);
        if (code > 0)
            key(s, code, down);
        break;
    }
    case SDL_MOUSEMOTION:
        if (absolute)
            pointer_abs(s, ev->motion.x, ev->motion.y);
        else if (s->grabbed && (ev->motion.xrel || ev->motion.yrel)) {
            frontend_push_input(s->fe, DISPLAY_INPUT_MOUSE, EV_REL, REL_X, ev->motion.xrel);
            frontend_push_input(s->fe, DISPLAY_INPUT_MOUSE, EV_REL, REL_Y, ev->motion.yrel);
            frontend_push_input(s->fe, DISPLAY_INPUT_MOUSE, EV_SYN, SYN_REPORT, 0);
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        bool down = ev->type == SDL_MOUSEBUTTONDOWN;
        if (!absolute && !s->grabbed) {
            if (down && ev->button.button == SDL_BUTTON_LEFT && frontend_input_enabled(s->fe))
                set_grab(s, true); /* the click that grabs is not sent */
            break;
        }
        uint16_t btn = ev->button.button == SDL_BUTTON_LEFT     ? BTN_LEFT
                       : ev->button.button == SDL_BUTTON_MIDDLE ? BTN_MIDDLE
                       : ev->button.button == SDL_BUTTON_RIGHT  ? BTN_RIGHT
                       : ev->button.button == SDL_BUTTON_X1     ? BTN_SIDE
                       : ev->button.button == SDL_BUTTON_X2     ? BTN_EXTRA
                                                                : 0;
        if (!btn)
            break;
        if (absolute)
            pointer_abs(s, ev->button.x, ev->button.y);
        uint8_t dev = pointer_device(s);
        frontend_push_input(s->fe, dev, EV_KEY, btn, down ? 1 : 0);
        frontend_push_input(s->fe, dev, EV_SYN, SYN_REPORT, 0);
        break;
    }
    case SDL_MOUSEWHEEL:
        if (ev->wheel.y && (absolute || s->grabbed)) {
            uint8_t dev = pointer_device(s);
            int32_t y = ev->wheel.y;
            if (ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
                y = -y;
            frontend_push_input(s->fe, dev, EV_REL, REL_WHEEL, y);
            frontend_push_input(s->fe, dev, EV_SYN, SYN_REPORT, 0);
        }
        break;
    default:
        break;
    }
}

static void redraw(FrontendSdl *s)
{
    const FrontendFrame *f = frontend_frame_lock(s->fe);
    if (f->serial == s->shown_serial) {
        frontend_frame_unlock(s->fe);
        return;
    }
    s->shown_serial = f->serial;
    uint32_t w = f->width, h = f->height;
    if (w && h && (w != s->tex_w || h != s->tex_h || !s->texture)) {
        if (s->texture)
            SDL_DestroyTexture(s->texture);
        s->texture = SDL_CreateTexture(s->renderer, SDL_PIXELFORMAT_RGB888,
                                       SDL_TEXTUREACCESS_STREAMING, (int)w, (int)h);
        s->tex_w = s->texture ? w : 0;
        s->tex_h = s->texture ? h : 0;
        if (s->texture) {
            SDL_RenderSetLogicalSize(s->renderer, (int)w, (int)h);
            SDL_SetWindowSize(s->window, (int)w, (int)h);
        }
    }
    if (w && h && s->texture)
        SDL_UpdateTexture(s->texture, NULL, f->pixels, (int)(w * sizeof(uint32_t)));
    bool blank = !w || !h || !s->texture;
    frontend_frame_unlock(s->fe);
    SDL_SetRenderDrawColor(s->renderer, 0, 0, 0, 255);
    SDL_RenderClear(s->renderer);
    if (!blank)
        SDL_RenderCopy(s->renderer, s->texture, NULL, NULL);
    SDL_RenderPresent(s->renderer);
}

FrontendSdl *frontend_sdl_open(DisplayFrontends *fe, char *err, size_t err_len)
{
    /* deja's own SIGINT/SIGTERM handling (record/replay) stays in place. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        message_format(err, err_len, "-display sdl: cannot open an SDL window: %s (is DISPLAY set? use "
                                     "-display none or -vnc :N without a desktop)",
                       SDL_GetError());
        return NULL;
    }
    /* Without a desktop SDL falls back to drivers that show nothing. */
    const char *driver = SDL_GetCurrentVideoDriver();
    if (driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy")) &&
        !getenv("SDL_VIDEODRIVER")) {
        SDL_Quit();
        message_format(err, err_len, "-display sdl: cannot open an SDL window: no X11 or Wayland display (is "
                                     "DISPLAY set? use -display none or -vnc :N without a "
                                     "desktop)");
        return NULL;
    }
    FrontendSdl *s = calloc(1, sizeof(*s));
    if (!s) {
        SDL_Quit();
        message_format(err, err_len, "display: out of memory");
        return NULL;
    }
    s->fe = fe;
    s->shown_serial = UINT64_MAX;
    s->window = SDL_CreateWindow("deja", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 640,
                                 480, SDL_WINDOW_RESIZABLE);
    if (s->window)
        s->renderer = SDL_CreateRenderer(s->window, -1, 0);
    if (s->window && !s->renderer)
        s->renderer = SDL_CreateRenderer(s->window, -1, SDL_RENDERER_SOFTWARE);
    if (!s->window || !s->renderer) {
        message_format(err, err_len, "-display sdl: cannot open an SDL window: %s", SDL_GetError());
        frontend_sdl_close(s);
        return NULL;
    }
    update_title(s);
    redraw(s);
    return s;
}

void frontend_sdl_iterate(FrontendSdl *s, int wait_ms)
{
    SDL_Event ev;
    if (SDL_WaitEventTimeout(&ev, wait_ms)) {
        handle_event(s, &ev);
        while (SDL_PollEvent(&ev))
            handle_event(s, &ev);
    }
    if (!frontend_input_enabled(s->fe) && s->grabbed)
        set_grab(s, false);
    update_title(s);
    redraw(s);
}

void frontend_sdl_close(FrontendSdl *s)
{
    if (!s)
        return;
    if (s->texture)
        SDL_DestroyTexture(s->texture);
    if (s->renderer)
        SDL_DestroyRenderer(s->renderer);
    if (s->window)
        SDL_DestroyWindow(s->window);
    SDL_Quit();
    free(s);
}
