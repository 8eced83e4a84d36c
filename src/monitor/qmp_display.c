/* QMP screendump (docs/display.md): {"execute": "screendump", "arguments":
 * {"filename": F, "format": "ppm"|"png"}} as QEMU 7.2; without format, a
 * name ending in .png gives PNG (QEMU's default is PPM). device/head may
 * be only the one display deja has (device is not checked). */
#include <string.h>

#include "board/virt_display.h"
#include "monitor/qmp.h"

json_t *qmp_cmd_screendump(Qmp *q, json_t *args)
{
    const char *filename = json_string_value(json_object_get(args, "filename"));
    json_t *format = json_object_get(args, "format");
    json_t *head = json_object_get(args, "head");
    if (head && json_integer_value(head) != 0) {
        qmp_error(q, "GenericError", "Head %lld not found (deja has one head)",
                  (long long)json_integer_value(head));
        return NULL;
    }
    int png = -1;
    if (format) {
        const char *f = json_string_value(format);
        if (!f || (strcmp(f, "png") && strcmp(f, "ppm"))) {
            qmp_error(q, "GenericError", "Parameter 'format' does not accept value '%s'",
                      f ? f : "?");
            return NULL;
        }
        png = !strcmp(f, "png");
    }
    char err[512];
    const DisplaySurface *s = virt_display_surface(qmp_machine(q));
    bool ok = png < 0 ? display_screendump(s, filename, err, sizeof(err))
                      : display_screendump_as(s, filename, png == 1, err, sizeof(err));
    if (!ok) {
        qmp_error(q, "GenericError", "%s", err);
        return NULL;
    }
    return json_object();
}
