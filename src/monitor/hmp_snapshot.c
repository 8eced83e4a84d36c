/* HMP snapshot commands (hmp_snapshot.h), in QEMU's output style. */
#include "monitor/hmp_snapshot.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/virt.h"
#include "board/virt_snapshot.h"

static bool one_name(Hmp *mon, const char *cmd, const char *args)
{
    if (!args || !*args || strchr(args, ' ')) {
        hmp_printf(mon, "Error: %s: one snapshot name expected (%s NAME)\n", cmd, cmd);
        return false;
    }
    return true;
}

void hmp_savevm(Hmp *mon, const char *args)
{
    char err[2048];
    /* QEMU names an unnamed snapshot after the time; so do we. */
    char name[64];
    if (!args || !*args) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(name, sizeof(name), "vm-%Y%m%d%H%M%S", &tm);
        args = name;
    }
    if (!one_name(mon, "savevm", args))
        return;
    if (!virt_snapshot_save(hmp_machine(mon), args, err, sizeof(err)))
        hmp_printf(mon, "Error: %s\n", err);
}

void hmp_loadvm(Hmp *mon, const char *args)
{
    char err[2048];
    if (!one_name(mon, "loadvm", args))
        return;
    if (!virt_snapshot_load(hmp_machine(mon), args, err, sizeof(err)))
        hmp_printf(mon, "Error: %s\n", err);
}

void hmp_delvm(Hmp *mon, const char *args)
{
    char err[2048];
    if (!one_name(mon, "delvm", args))
        return;
    if (!virt_snapshot_delete(hmp_machine(mon), args, err, sizeof(err)))
        hmp_printf(mon, "Error: %s\n", err);
}

static void format_size(uint64_t bytes, char *out, size_t len)
{
    if (bytes >= (1ull << 30))
        snprintf(out, len, "%.3g GiB", (double)bytes / (1ull << 30));
    else if (bytes >= (1ull << 20))
        snprintf(out, len, "%.3g MiB", (double)bytes / (1ull << 20));
    else if (bytes >= 1024)
        snprintf(out, len, "%.3g KiB", (double)bytes / 1024);
    else
        snprintf(out, len, "%" PRIu64 " B", bytes);
}

void hmp_info_snapshots(Hmp *mon)
{
    SnapInfo *list;
    int count;
    char err[2048];
    if (!virt_snapshot_list(hmp_machine(mon), &list, &count, err, sizeof(err))) {
        hmp_printf(mon, "Error: %s\n", err);
        return;
    }
    if (count == 0) {
        hmp_printf(mon, "There is no snapshot available.\n");
        free(list);
        return;
    }
    hmp_printf(mon, "List of snapshots present on all disks:\n");
    hmp_printf(mon, "%-10s%-17s%8s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK",
               "ICOUNT");
    for (int i = 0; i < count; i++) {
        const SnapInfo *s = &list[i];
        char size[32], date[32], clock[32];
        format_size(s->file_size, size, sizeof(size));
        time_t t = (time_t)s->saved_unix;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        uint64_t ms = s->vm_ns / 1000000;
        snprintf(clock, sizeof(clock), "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64,
                 ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
        hmp_printf(mon, "%-10s%-17s%8s%20s%13s%11" PRIu64 "\n", "--", s->name, size, date, clock,
                   s->icount);
    }
    free(list);
}
