/* HMP screendump (hmp_display.h, docs/display.md). */
#include "monitor/hmp_display.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "board/virt_display.h"

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* screendump [-f png|ppm] FILENAME (QEMU 7.2's HMP form; -d/-p pick a
 * display and head: deja has one of each, so only 0 / the default). */
void hmp_screendump(Hmp *mon, const char *line)
{
    /* Skip the command word; the rest (trailing spaces removed) holds the
     * options and the file name. */
    char args[1024];
    line = skip_spaces(line);
    while (*line && *line != ' ' && *line != '\t')
        line++;
    snprintf(args, sizeof(args), "%s", skip_spaces(line));
    size_t len = strlen(args);
    while (len && (args[len - 1] == ' ' || args[len - 1] == '\t' || args[len - 1] == '\r' ||
                   args[len - 1] == '\n'))
        args[--len] = 0;
    const char *p = args;
    int format = -1; /* -1: from the name, 0 ppm, 1 png */
    while (p[0] == '-' && p[1] && (p[2] == ' ' || p[2] == '\t')) {
        char opt = p[1];
        char value[64];
        p = skip_spaces(p + 2);
        size_t n = strcspn(p, " \t");
        if (!n || n >= sizeof(value)) {
            hmp_printf(mon, "screendump: -%c needs a value\n", opt);
            return;
        }
        memcpy(value, p, n);
        value[n] = 0;
        p = skip_spaces(p + n);
        if (opt == 'f' && (!strcasecmp(value, "png") || !strcasecmp(value, "ppm"))) {
            format = !strcasecmp(value, "png");
        } else if ((opt == 'p' || opt == 'd') && !strcmp(value, "0")) {
            /* the only head */
        } else if (opt == 'd') {
            hmp_printf(mon, "screendump: no display device '%s' (deja has one display)\n", value);
            return;
        } else {
            hmp_printf(mon, "screendump: bad option -%c %s (expected -f png|ppm)\n", opt, value);
            return;
        }
    }
    if (!*p) {
        hmp_printf(mon, "screendump: filename expected (screendump [-f png|ppm] FILE)\n");
        return;
    }
    char err[512];
    const DisplaySurface *s = virt_display_surface(hmp_machine(mon));
    bool ok = format < 0 ? display_screendump(s, p, err, sizeof(err))
                         : display_screendump_as(s, p, format == 1, err, sizeof(err));
    if (!ok)
        hmp_printf(mon, "screendump: %s\n", err);
}
