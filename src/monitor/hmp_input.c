/* HMP input commands (hmp_input.h). */
#include "monitor/hmp_input.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_input.h"
#include "host/keymap.h"

/* Keys in one sendkey combination at most. */
#define SENDKEY_MAX_KEYS 16

static bool parse_int(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 0);
    if (!*text || *end || errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Splits args on spaces into at most max words (args is copied). */
static int split_words(const char *args, char *buf, size_t buf_len, char **words, int max)
{
    snprintf(buf, buf_len, "%s", args);
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return max + 1;
        words[n++] = w;
    }
    return n;
}

static void queue(Hmp *mon, const char *cmd, const DisplayInputEvent *events, size_t count)
{
    char err[256];
    if (!virt_input_queue(hmp_machine(mon), events, count, err, sizeof(err)))
        hmp_printf(mon, "%s: %s\n", cmd, err);
}

void hmp_sendkey(Hmp *mon, const char *args)
{
    char buf[512], *words[3];
    int n = split_words(args, buf, sizeof(buf), words, 2);
    if (n < 1 || n > 2) {
        hmp_printf(mon, "sendkey: usage: sendkey KEYS [HOLD_MS] (e.g. sendkey ctrl-alt-f1)\n");
        return;
    }
    long hold;
    if (n == 2 && !parse_int(words[1], 0, 60000, &hold)) {
        hmp_printf(mon, "sendkey: invalid hold time '%s' (milliseconds, 0 to 60000)\n", words[1]);
        return;
    }
    int codes[SENDKEY_MAX_KEYS];
    int count = 0;
    char *save = NULL;
    for (char *k = strtok_r(words[0], "-", &save); k; k = strtok_r(NULL, "-", &save)) {
        if (count == SENDKEY_MAX_KEYS) {
            hmp_printf(mon, "sendkey: too many keys (at most %d)\n", SENDKEY_MAX_KEYS);
            return;
        }
        int code = keymap_from_name(k);
        if (!code) {
            hmp_printf(mon, "sendkey: invalid parameter: unknown key '%s' (names as QEMU's: "
                            "a, 1, ctrl, alt, shift, ret, spc, f1, ...; or 0xNN)\n", k);
            return;
        }
        codes[count++] = code;
    }
    if (count == 0) {
        hmp_printf(mon, "sendkey: no key given\n");
        return;
    }
    /* Press in order, release in reverse order; the hold time is not
     * waited for (both reach the guest at the same instruction). */
    DisplayInputEvent ev[2 * SENDKEY_MAX_KEYS + 2];
    size_t e = 0;
    for (int i = 0; i < count; i++)
        ev[e++] = (DisplayInputEvent){ DISPLAY_INPUT_KEYBOARD, EV_KEY, (uint16_t)codes[i], 1 };
    ev[e++] = (DisplayInputEvent){ DISPLAY_INPUT_KEYBOARD, EV_SYN, SYN_REPORT, 0 };
    for (int i = count - 1; i >= 0; i--)
        ev[e++] = (DisplayInputEvent){ DISPLAY_INPUT_KEYBOARD, EV_KEY, (uint16_t)codes[i], 0 };
    ev[e++] = (DisplayInputEvent){ DISPLAY_INPUT_KEYBOARD, EV_SYN, SYN_REPORT, 0 };
    queue(mon, "sendkey", ev, e);
}

/* The pointer device the monitor drives: the mouse, else the tablet. */
static int pointer_device(Hmp *mon, const char *cmd)
{
    VirtMachine *m = hmp_machine(mon);
    if (virt_input_has(m, DISPLAY_INPUT_MOUSE))
        return DISPLAY_INPUT_MOUSE;
    if (virt_input_has(m, DISPLAY_INPUT_TABLET))
        return DISPLAY_INPUT_TABLET;
    hmp_printf(mon, "%s: the machine has no pointer device (-device virtio-mouse-device or "
                    "virtio-tablet-device)\n", cmd);
    return -1;
}

void hmp_mouse_move(Hmp *mon, const char *args)
{
    char buf[256], *words[4];
    int n = split_words(args, buf, sizeof(buf), words, 3);
    long v[3] = { 0, 0, 0 };
    bool ok = n == 2 || n == 3;
    for (int i = 0; ok && i < n; i++)
        ok = parse_int(words[i], -1000000, 1000000, &v[i]);
    if (!ok) {
        hmp_printf(mon, "mouse_move: usage: mouse_move DX DY [DZ] (integers)\n");
        return;
    }
    int dev = pointer_device(mon, "mouse_move");
    if (dev < 0)
        return;
    DisplayInputEvent ev[4];
    size_t e = 0;
    if (dev == DISPLAY_INPUT_MOUSE) {
        ev[e++] = (DisplayInputEvent){ (uint8_t)dev, EV_REL, REL_X, (int32_t)v[0] };
        ev[e++] = (DisplayInputEvent){ (uint8_t)dev, EV_REL, REL_Y, (int32_t)v[1] };
    } else {
        /* A tablet has no relative axes: DX DY are the position, 0..32767. */
        if (v[0] < 0 || v[0] > 32767 || v[1] < 0 || v[1] > 32767) {
            hmp_printf(mon, "mouse_move: the pointer is a tablet: X and Y are absolute, 0 to "
                            "32767\n");
            return;
        }
        ev[e++] = (DisplayInputEvent){ (uint8_t)dev, EV_ABS, ABS_X, (int32_t)v[0] };
        ev[e++] = (DisplayInputEvent){ (uint8_t)dev, EV_ABS, ABS_Y, (int32_t)v[1] };
    }
    if (v[2])
        ev[e++] = (DisplayInputEvent){ (uint8_t)dev, EV_REL, REL_WHEEL, (int32_t)v[2] };
    ev[e++] = (DisplayInputEvent){ (uint8_t)dev, EV_SYN, SYN_REPORT, 0 };
    queue(mon, "mouse_move", ev, e);
}

void hmp_mouse_button(Hmp *mon, const char *args)
{
    char buf[128], *words[2];
    long state;
    if (split_words(args, buf, sizeof(buf), words, 1) != 1 || !parse_int(words[0], 0, 7, &state)) {
        hmp_printf(mon, "mouse_button: usage: mouse_button STATE (0 to 7: 1 left, 2 right, "
                        "4 middle)\n");
        return;
    }
    int dev = pointer_device(mon, "mouse_button");
    if (dev < 0)
        return;
    /* All three buttons: the guest's input core ignores the unchanged. */
    DisplayInputEvent ev[4] = {
        { (uint8_t)dev, EV_KEY, BTN_LEFT, (int32_t)(state & 1) },
        { (uint8_t)dev, EV_KEY, BTN_RIGHT, (int32_t)((state >> 1) & 1) },
        { (uint8_t)dev, EV_KEY, BTN_MIDDLE, (int32_t)((state >> 2) & 1) },
        { (uint8_t)dev, EV_SYN, SYN_REPORT, 0 },
    };
    queue(mon, "mouse_button", ev, 4);
}
