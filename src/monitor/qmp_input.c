/* QMP input-send-event (docs/display.md): QEMU's InputEvent list (key,
 * btn, rel, abs) becomes evdev events for the virtio-input devices, queued
 * for the next round boundary and recorded like any host input. */
#include <linux/input-event-codes.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_input.h"
#include "host/keymap.h"
#include "monitor/qmp.h"

#define QMP_INPUT_MAX 256

static int pointer_target(struct VirtMachine *m, bool absolute)
{
    if (absolute)
        return virt_input_has(m, DISPLAY_INPUT_TABLET) ? DISPLAY_INPUT_TABLET : -1;
    if (virt_input_has(m, DISPLAY_INPUT_MOUSE))
        return DISPLAY_INPUT_MOUSE;
    return virt_input_has(m, DISPLAY_INPUT_TABLET) ? DISPLAY_INPUT_TABLET : -1;
}

static bool parse_event(Qmp *q, json_t *item, DisplayInputEvent *out)
{
    struct VirtMachine *m = qmp_machine(q);
    const char *type = json_string_value(json_object_get(item, "type"));
    json_t *data = json_object_get(item, "data");
    if (!type || !json_is_object(data)) {
        qmp_error(q, "GenericError", "each event needs 'type' and 'data'");
        return false;
    }
    if (!strcmp(type, "key")) {
        json_t *key = json_object_get(data, "key");
        json_t *down = json_object_get(data, "down");
        const char *ktype = json_string_value(json_object_get(key, "type"));
        json_t *kdata = json_object_get(key, "data");
        if (!json_is_boolean(down) || !ktype) {
            qmp_error(q, "GenericError", "key event needs 'down' and 'key'");
            return false;
        }
        int code = 0;
        if (!strcmp(ktype, "qcode") && json_is_string(kdata))
            code = keymap_from_name(json_string_value(kdata));
        else if (!strcmp(ktype, "number") && json_is_integer(kdata) &&
                 json_integer_value(kdata) > 0 && json_integer_value(kdata) <= KEY_MICMUTE)
            code = (int)json_integer_value(kdata);
        if (!code) {
            qmp_error(q, "GenericError", "unknown key (a 'qcode' name or a 'number')");
            return false;
        }
        *out = (DisplayInputEvent){ DISPLAY_INPUT_KEYBOARD, EV_KEY, (uint16_t)code,
                                    json_is_true(down) ? 1 : 0 };
        return true;
    }
    if (!strcmp(type, "btn")) {
        const char *button = json_string_value(json_object_get(data, "button"));
        json_t *down = json_object_get(data, "down");
        int dev = pointer_target(m, false);
        if (!button || !json_is_boolean(down)) {
            qmp_error(q, "GenericError", "btn event needs 'down' and 'button'");
            return false;
        }
        if (dev < 0) {
            qmp_error(q, "DeviceNotFound", "the machine has no pointer device");
            return false;
        }
        static const struct {
            const char *name;
            uint16_t code;
        } buttons[] = { { "left", BTN_LEFT }, { "middle", BTN_MIDDLE }, { "right", BTN_RIGHT },
                        { "side", BTN_SIDE }, { "extra", BTN_EXTRA } };
        for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
            if (!strcmp(button, buttons[i].name)) {
                *out = (DisplayInputEvent){ (uint8_t)dev, EV_KEY, buttons[i].code,
                                            json_is_true(down) ? 1 : 0 };
                return true;
            }
        }
        if (!strcmp(button, "wheel-up") || !strcmp(button, "wheel-down")) {
            /* A wheel step on the press only; the release is a no-op. */
            *out = (DisplayInputEvent){ (uint8_t)dev, EV_REL, REL_WHEEL,
                                        !json_is_true(down) ? 0 : button[6] == 'u' ? 1 : -1 };
            return true;
        }
        qmp_error(q, "GenericError", "unknown button '%s'", button);
        return false;
    }
    if (!strcmp(type, "rel") || !strcmp(type, "abs")) {
        bool absolute = type[0] == 'a';
        const char *axis = json_string_value(json_object_get(data, "axis"));
        json_t *value = json_object_get(data, "value");
        if (!axis || !json_is_integer(value) || (strcmp(axis, "x") && strcmp(axis, "y"))) {
            qmp_error(q, "GenericError", "%s event needs 'axis' (x or y) and an integer 'value'",
                      type);
            return false;
        }
        int dev = pointer_target(m, absolute);
        if (dev < 0 || (!absolute && dev != DISPLAY_INPUT_MOUSE)) {
            qmp_error(q, "DeviceNotFound", "the machine has no %s pointer device",
                      absolute ? "absolute (virtio-tablet-device)" : "relative (virtio-mouse-device)");
            return false;
        }
        json_int_t v = json_integer_value(value);
        if (absolute ? (v < 0 || v > 32767) : (v < -1000000 || v > 1000000)) {
            qmp_error(q, "GenericError", "%s value out of range", type);
            return false;
        }
        *out = (DisplayInputEvent){ (uint8_t)dev, absolute ? EV_ABS : EV_REL,
                                    axis[0] == 'x' ? (absolute ? ABS_X : REL_X)
                                                   : (absolute ? ABS_Y : REL_Y),
                                    (int32_t)v };
        return true;
    }
    qmp_error(q, "GenericError", "unknown input event type '%s' (key, btn, rel, abs)", type);
    return false;
}

json_t *qmp_cmd_input_send_event(Qmp *q, json_t *args)
{
    json_t *events = json_object_get(args, "events");
    size_t n = json_array_size(events);
    if (n == 0 || n > QMP_INPUT_MAX - 3) {
        qmp_error(q, "GenericError", "'events' must hold 1 to %d events", QMP_INPUT_MAX - 3);
        return NULL;
    }
    DisplayInputEvent ev[QMP_INPUT_MAX];
    size_t e = 0;
    bool touched[3] = { false, false, false };
    for (size_t i = 0; i < n; i++) {
        if (!parse_event(q, json_array_get(events, i), &ev[e]))
            return NULL;
        touched[ev[e].device] = true;
        e++;
    }
    /* One SYN_REPORT per device: the events form one report each. */
    for (int d = 0; d < 3; d++)
        if (touched[d])
            ev[e++] = (DisplayInputEvent){ (uint8_t)d, EV_SYN, SYN_REPORT, 0 };
    char err[256];
    if (!virt_input_queue(qmp_machine(q), ev, e, err, sizeof(err))) {
        qmp_error(q, "GenericError", "%s", err);
        return NULL;
    }
    return json_object();
}
