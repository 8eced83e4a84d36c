/* deja: command-line parsing (QEMU syntax) and wiring. No emulation logic
 * lives here: see src/board/virt.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_snapshot.h"
#include "board/virt_input.h"
#include "host/chardev.h"
#include "monitor/hmp.h"
#include "monitor/qmp.h"
#include "gdb/gdbstub.h"
#include "replay/clock.h"

#define DEJA_VERSION "0.1"
#define DEFAULT_RAM_MIB 128
#define MIN_RAM (16ull << 20)
#define MAX_RAM (16ull << 30)
#define MAX_CHARDEVS 8

static void usage(void)
{
    printf("usage: deja [options]\n"
           "Emulates the RISC-V 'virt' board (QEMU's memory map and device tree).\n\n"
           "  -M, -machine virt[,dumpdtb=FILE]  board (only 'virt'); dumpdtb writes the\n"
           "                           generated device tree to FILE and exits\n"
           "  -m SIZE[M|G]             guest RAM (default %dM, 16M..16G)\n"
           "  -smp N | cpus=N          number of harts (1..%d)\n"
           "  -bios FILE|none          firmware at 0x80000000 (default: Debian's OpenSBI\n"
           "                           %s)\n"
           "  -kernel FILE             ELF or RISC-V Linux Image\n"
           "  -initrd FILE             initial ramdisk\n"
           "  -append STRING           kernel command line\n"
           "  -dtb FILE                use this device tree instead of the generated one\n"
           "  -nographic               serial port on stdio, Ctrl-A x quits, Ctrl-A h help\n"
           "  -display sdl|none        a window (SDL2) showing the display, or none\n"
           "  -vnc [HOST]:N            VNC server on port 5900+N (HOST default 127.0.0.1)\n"
           "  -serial stdio|null|file:PATH|mon:stdio|pty|chardev:ID|\n"
           "          tcp:[HOST]:PORT[,server][,nowait]|unix:PATH[,server][,nowait]\n"
           "                           backend of the next serial port (up to %d ports;\n"
           "                           default stdio; mon:stdio with -nographic)\n"
           "  -chardev BACKEND,id=ID[,path=P][,host=H][,port=N][,server=on|off][,wait=on|off]\n"
           "                           a backend (stdio, null, file, pty, socket) for\n"
           "                           -serial chardev:ID or -mon chardev=ID\n"
           "  -icount shift=N|auto[,sleep=on|off]  virtual time: 2^N ns per instruction\n"
           "                           (default shift %d: the guest sees ~250 MIPS)\n"
           "  -icount ...,rr=record|replay,rrfile=FILE[,rrsync=N]  record the run to FILE,\n"
           "                           or replay it (docs/replay.md); rrsync: instructions\n"
           "                           between sync points (default 16777216)\n"
           "  -icount ...,rrsnapshot=NAME  record: savevm NAME at the start; replay: loadvm it\n"
           "  -drive file=F[,format=raw][,if=none|virtio][,id=ID][,snapshot=on][,readonly=on]\n"
           "                           a disk image (docs/block.md)\n"
           "  -drive driver=blkreplay,if=none,image=ID,id=ID2  a drive usable under rr=\n"
           "  -device virtio-blk-device,drive=ID | virtio-rng-device  virtio-mmio devices\n"
           "  -netdev user,id=ID[,net=10.0.2.0/24][,hostfwd=tcp:[ADDR]:PORT-[ADDR]:PORT]...\n"
           "                           [,restrict=on]  user-mode network (docs/network.md)\n"
           "  -device virtio-net-device,netdev=ID[,mac=52:54:00:12:34:56]  a network card\n"
           "  -object filter-replay,id=ID,netdev=ID  the netdev's traffic under rr=\n"
           "  -object filter-dump,id=ID,netdev=ID,file=F.pcap  frames to a pcap file\n"
           "  -net none                accepted (deja has no default network card)\n"
           "  -audiodev none|wav|sdl,id=ID[,path=F.wav]  an audio backend (docs/audio.md)\n"
           "  -device virtio-sound-device,audiodev=ID  a sound card (playback + capture)\n"
           "  -snapshot                writes to every disk stay in memory\n"
           "  -snapshot-dir DIR        where savevm/loadvm keep snapshots (default under\n"
           "                           record/replay: RRFILE.snapshots; docs/snapshots.md)\n"
           "  -no-reboot               exit instead of resetting when the guest reboots\n"
           "  -no-shutdown             stay paused when the guest powers off\n"
           "  -monitor stdio|none|unix:PATH,server,nowait|tcp:HOST:PORT,server,nowait\n"
           "                           human monitor (docs/monitor.md)\n"
           "  -qmp unix:PATH,server,nowait|tcp:HOST:PORT,server,nowait|stdio\n"
           "                           QMP, QEMU's JSON protocol (docs/qmp.md)\n"
           "  -mon chardev=ID[,mode=readline|control][,pretty=on|off]\n"
           "                           a monitor (readline: human, control: QMP) on\n"
           "                           the -chardev ID\n"
           "  -S                       start paused (monitor 'cont' starts)\n"
           "  -s, -gdb tcp:[HOST]:PORT|unix:PATH  gdb stub (-s: tcp::1234; docs/gdb.md)\n"
           "  -h, -help                this help;  -version  version\n",
           DEFAULT_RAM_MIB, VIRT_MAX_HARTS, VIRT_DEFAULT_BIOS, VIRT_MAX_SERIALS,
           CLOCK_DEFAULT_SHIFT);
}

static void option_error(const char *option, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void option_error(const char *option, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "deja: %s: ", option);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* Splits "a=b,c=d" style option values: returns the next item (copied
 * into buf) and advances *cursor; NULL at the end. QEMU escapes a comma
 * as ",,", honoured here. */
static const char *next_item(const char **cursor, char *buf, size_t buf_size)
{
    const char *p = *cursor;
    if (!p || !*p)
        return NULL;
    size_t n = 0;
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                p += 2;
                if (n + 1 < buf_size)
                    buf[n++] = ',';
                continue;
            }
            p++;
            break;
        }
        if (n + 1 < buf_size)
            buf[n++] = *p;
        p++;
    }
    buf[n] = 0;
    *cursor = p;
    return buf;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || *s == '-')
        return false;
    *out = v;
    return true;
}

static uint64_t parse_ram_size(const char *option, const char *value)
{
    const char *text = value;
    if (strncmp(text, "size=", 5) == 0)
        text += 5;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || v <= 0)
        option_error(option, "'%s' is not a memory size (use e.g. 512M or 2G)", value);
    double scale = 1 << 20; /* QEMU: a bare number is MiB */
    switch (*end) {
    case 0:
        break;
    case 'k':
    case 'K':
        scale = 1 << 10;
        end++;
        break;
    case 'm':
    case 'M':
        scale = 1 << 20;
        end++;
        break;
    case 'g':
    case 'G':
        scale = 1 << 30;
        end++;
        break;
    case 't':
    case 'T':
        scale = (double)(1ull << 40);
        end++;
        break;
    default:
        break;
    }
    if (*end == 'i' || *end == 'B' || *end == 'b')
        end += (end[0] == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
    if (*end)
        option_error(option, "'%s' is not a memory size (use e.g. 512M or 2G)", value);
    double bytes = v * scale;
    if (bytes < (double)MIN_RAM)
        option_error(option, "%s is too small: the virt board needs at least 16M", value);
    if (bytes > (double)MAX_RAM)
        option_error(option, "%s is too large: at most 16G", value);
    uint64_t size = (uint64_t)bytes;
    if (size % BUS_PAGE_SIZE)
        option_error(option, "%s is not a multiple of 4 KiB", value);
    return size;
}

static int parse_smp(const char *option, const char *value)
{
    char buf[256];
    const char *cursor = value;
    const char *item;
    uint64_t n = 0;
    bool have = false;
    while ((item = next_item(&cursor, buf, sizeof(buf)))) {
        const char *v = item;
        if (strncmp(item, "cpus=", 5) == 0)
            v = item + 5;
        else if (strchr(item, '='))
            option_error(option, "'%s' is not supported (use -smp N or -smp cpus=N)", item);
        else if (have)
            option_error(option, "'%s': the count was already given", item);
        if (!parse_u64(v, &n))
            option_error(option, "'%s' is not a number", v);
        have = true;
    }
    if (!have || n < 1 || n > VIRT_MAX_HARTS)
        option_error(option, "'%s': the virt board supports 1 to %d harts", value, VIRT_MAX_HARTS);
    return (int)n;
}

static void parse_machine(const char *option, const char *value, VirtConfig *config)
{
    char buf[4096];
    const char *cursor = value;
    const char *item;
    bool first = true;
    while ((item = next_item(&cursor, buf, sizeof(buf)))) {
        bool is_type = first && !strchr(item, '=');
        first = false;
        if (is_type || strncmp(item, "type=", 5) == 0) {
            const char *type = is_type ? item : item + 5;
            if (strcmp(type, "virt") != 0)
                option_error(option, "machine '%s' is not supported (only 'virt')", type);
        } else if (strncmp(item, "dumpdtb=", 8) == 0 && item[8]) {
            free((char *)config->dumpdtb);
            config->dumpdtb = strdup(item + 8);
        } else {
            option_error(option, "property '%s' is not supported", item);
        }
    }
}

static void parse_icount(const char *option, const char *value, VirtConfig *config)
{
    char buf[4096];
    const char *cursor = value;
    const char *item;
    bool first = true;
    while ((item = next_item(&cursor, buf, sizeof(buf)))) {
        const char *shift = NULL;
        if (first && !strchr(item, '='))
            shift = item; /* "-icount 7" */
        else if (strncmp(item, "shift=", 6) == 0)
            shift = item + 6;
        first = false;
        if (shift) {
            uint64_t n;
            if (strcmp(shift, "auto") == 0)
                config->icount_shift = CLOCK_DEFAULT_SHIFT; /* adaptive: not yet */
            else if (parse_u64(shift, &n) && n <= CLOCK_MAX_SHIFT)
                config->icount_shift = (unsigned)n;
            else
                option_error(option, "shift '%s' must be 0..%d or auto", shift, CLOCK_MAX_SHIFT);
        } else if (strcmp(item, "sleep=on") == 0) {
            config->icount_sleep = true;
        } else if (strcmp(item, "sleep=off") == 0) {
            config->icount_sleep = false;
        } else if (strcmp(item, "rr=off") == 0) {
            /* plain run */
        } else if (strcmp(item, "rr=record") == 0) {
            config->replay.mode = REPLAY_RECORD;
        } else if (strcmp(item, "rr=replay") == 0) {
            config->replay.mode = REPLAY_PLAY;
        } else if (strncmp(item, "rr=", 3) == 0) {
            option_error(option, "Invalid icount rr option: %s (use rr=record or rr=replay)",
                         item + 3);
        } else if (strncmp(item, "rrfile=", 7) == 0) {
            free((char *)config->replay.path);
            config->replay.path = item[7] ? strdup(item + 7) : NULL;
        } else if (strncmp(item, "rrsync=", 7) == 0) {
            /* deja: instructions between replay sync points */
            uint64_t n;
            if (!parse_u64(item + 7, &n) || n < 1000)
                option_error(option, "rrsync '%s' must be a number of instructions >= 1000",
                             item + 7);
            config->replay.sync_interval = n;
        } else if (strncmp(item, "rrsnapshot=", 11) == 0) {
            /* record: savevm NAME at the start; replay: loadvm NAME (docs/snapshots.md) */
            if (!virt_snapshot_name_ok(item + 11))
                option_error(option, "rrsnapshot '%s': use 1 to 64 letters, digits, '.', '_' or '-'",
                             item + 11);
            free((char *)config->rrsnapshot);
            config->rrsnapshot = strdup(item + 11);
        } else if (strncmp(item, "align=", 6) == 0) {
            /* accepted; not modelled */
        } else {
            option_error(option, "'%s' is not supported (use shift=N|auto, sleep=on|off)", item);
        }
    }
    /* QEMU's message (replay/replay.c replay_configure). */
    if (config->replay.mode != REPLAY_OFF && !config->replay.path)
        option_error(option, "File name not specified for replay");
}

/* -mon chardev=ID[,mode=readline|control][,pretty=on|off], QEMU's. */
typedef struct MonOption {
    char option[1100]; /* "-mon VALUE", for messages */
    char chardev[64];
    bool control;
    bool pretty; /* QMP only; QEMU ignores it for the human monitor */
} MonOption;

static void parse_mon(const char *value, MonOption *mon)
{
    snprintf(mon->option, sizeof(mon->option), "-mon %s", value);
    mon->chardev[0] = 0;
    mon->control = false;
    mon->pretty = false;
    char item[256];
    const char *cursor = value;
    for (bool first = true; next_item(&cursor, item, sizeof(item)); first = false) {
        const char *eq = strchr(item, '=');
        const char *v = eq ? eq + 1 : "";
        size_t name_len = eq ? (size_t)(eq - item) : strlen(item);
        if (!eq && first) { /* QEMU: -mon ID is -mon chardev=ID */
            v = item;
            name_len = 0;
        }
        if (name_len == 0 || (name_len == 7 && !strncmp(item, "chardev", 7))) {
            if (!*v || strlen(v) >= sizeof(mon->chardev))
                option_error(mon->option, "bad chardev id '%s'", v);
            snprintf(mon->chardev, sizeof(mon->chardev), "%s", v);
        } else if (name_len == 4 && !strncmp(item, "mode", 4)) {
            if (!strcmp(v, "control"))
                mon->control = true;
            else if (!strcmp(v, "readline"))
                mon->control = false;
            else
                option_error(mon->option, "mode '%s' is not supported (use readline or control)",
                             v);
        } else if (name_len == 6 && !strncmp(item, "pretty", 6)) {
            if (strcmp(v, "on") && strcmp(v, "off"))
                option_error(mon->option, "'%s': use pretty=on or pretty=off", item);
            mon->pretty = !strcmp(v, "on");
        } else {
            option_error(mon->option,
                         "option '%s' is not supported (use chardev=ID, mode=readline|control, "
                         "pretty=on|off)",
                         item);
        }
    }
    if (!mon->chardev[0])
        option_error(mon->option, "missing chardev=ID");
}

/* Opens the -chardev backends into chardevs[0..*count). */
static void open_chardev_definitions(const char *const *definitions, int definition_count,
                                     Chardev *chardevs, int *count)
{
    char err[1200];
    char option[1100];
    for (int i = 0; i < definition_count; i++) {
        snprintf(option, sizeof(option), "-chardev %s", definitions[i]);
        Chardev *chr = &chardevs[*count];
        if (!chardev_open_definition(chr, definitions[i], err, sizeof(err)))
            option_error(option, "%s", err);
        (*count)++;
        for (int k = 0; k < *count - 1; k++) {
            if (!strcmp(chardevs[k].id, chr->id))
                option_error(option, "id '%s' is already used", chr->id);
        }
    }
}

/* The -chardev (of the first `defined`) named id, marked as used by user
 * (a chardev serves one serial port or monitor); exits naming option if
 * there is none or it is taken. */
static Chardev *claim_chardev(Chardev *chardevs, int defined, const char **users, const char *id,
                              const char *user, const char *option)
{
    for (int k = 0; k < defined; k++) {
        if (strcmp(chardevs[k].id, id))
            continue;
        if (users[k])
            option_error(option, "chardev '%s' is already used by %s", id, users[k]);
        users[k] = user;
        return &chardevs[k];
    }
    option_error(option, "no -chardev with id '%s'", id);
}

/* Gives each -serial its backend (a new one, or a -chardev's by id, of
 * the first `defined` chardevs, users saying which are taken); exits on
 * errors, naming the option. New chardevs go on at chardevs[*count]. */
static void open_serial_ports(VirtConfig *config, const char *const *serial_specs, int defined,
                              const char **users, Chardev *chardevs, int *count)
{
    char err[1200];
    char option[1100];
    for (int i = 0; i < config->serial_count; i++) {
        const char *spec = serial_specs[i];
        snprintf(option, sizeof(option), "-serial %s", spec);
        Chardev *chr = NULL;
        if (!strncmp(spec, "chardev:", 8)) {
            chr = claim_chardev(chardevs, defined, users, spec + 8, "a serial port", option);
        } else {
            char label[24];
            snprintf(label, sizeof(label), "serial%d", i);
            chr = &chardevs[*count];
            if (!chardev_open(chr, spec, label, false, err, sizeof(err)))
                option_error(option, "%s", err);
            (*count)++;
        }
        config->serials[i] = chr;
    }
    int stdio_users = 0;
    for (int k = 0; k < *count; k++)
        stdio_users += chardevs[k].kind == CHARDEV_STDIO;
    if (stdio_users > 1)
        option_error("-serial", "stdio can be used by only one serial port or chardev");
    config->serial = config->serials[0];
}

int main(int argc, char **argv)
{
    VirtConfig config = {
        .ram_size = (uint64_t)DEFAULT_RAM_MIB << 20,
        .hart_count = 1,
        .icount_shift = CLOCK_DEFAULT_SHIFT,
        .icount_sleep = true,
    };
    bool nographic = false;
    DisplayOptions display = { 0 }; /* -display, -vnc (virt_input.h) */
    const char *serial_specs[VIRT_MAX_SERIALS];
    int serial_spec_count = 0;
    const char *chardev_definitions[MAX_CHARDEVS];
    int chardev_definition_count = 0;
    const char *monitor_spec = NULL;
    bool monitor_given = false;
    bool start_paused = false;
    const char *qmp_spec = NULL;
    const char *gdb_spec = NULL;
    static MonOption mon_hmp, mon_qmp; /* -mon mode=readline, mode=control */
    bool have_mon_hmp = false, have_mon_qmp = false;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !arg[1])
            option_error(arg, "unexpected argument (options start with '-'; see -help)");
        /* QEMU accepts --option as -option. */
        const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
        const char *value = NULL;
        static const char *const with_value[] = {
            "M",      "machine", "m",       "smp",    "bios",   "kernel",  "initrd",
            "append", "dtb",     "display", "serial", "icount", "chardev", "drive",
            "device", "monitor", "netdev", "net",    "object", "qmp", "snapshot-dir", "gdb", "audiodev", "vnc", "mon", NULL,
        };
        for (int k = 0; with_value[k]; k++) {
            if (strcmp(name, with_value[k]) == 0) {
                if (i + 1 >= argc)
                    option_error(arg, "missing value");
                value = argv[++i];
                break;
            }
        }
        if (!strcmp(name, "h") || !strcmp(name, "help")) {
            usage();
            return 0;
        } else if (!strcmp(name, "version")) {
            printf("deja version " DEJA_VERSION "\n");
            return 0;
        } else if (!strcmp(name, "M") || !strcmp(name, "machine")) {
            parse_machine(arg, value, &config);
        } else if (!strcmp(name, "m")) {
            config.ram_size = parse_ram_size(arg, value);
        } else if (!strcmp(name, "smp")) {
            config.hart_count = parse_smp(arg, value);
        } else if (!strcmp(name, "bios")) {
            config.bios = value;
        } else if (!strcmp(name, "kernel")) {
            config.kernel = value;
        } else if (!strcmp(name, "initrd")) {
            config.initrd = value;
        } else if (!strcmp(name, "append")) {
            config.append = value;
        } else if (!strcmp(name, "dtb")) {
            config.dtb = value;
        } else if (!strcmp(name, "nographic")) {
            nographic = true;
        } else if (!strcmp(name, "display") || !strcmp(name, "vnc")) {
            char err[512];
            if (!(name[0] == 'd' ? display_parse_display : display_parse_vnc)(&display, value, err,
                                                                             sizeof(err)))
                option_error(arg, "%s", err);
        } else if (!strcmp(name, "serial")) {
            if (serial_spec_count == VIRT_MAX_SERIALS)
                option_error(arg, "'%s': the virt board has at most %d serial ports", value,
                             VIRT_MAX_SERIALS);
            serial_specs[serial_spec_count++] = value;
        } else if (!strcmp(name, "chardev")) {
            if (chardev_definition_count == MAX_CHARDEVS)
                option_error(arg, "at most %d -chardev options", MAX_CHARDEVS);
            chardev_definitions[chardev_definition_count++] = value;
        } else if (!strcmp(name, "icount")) {
            parse_icount(arg, value, &config);
        } else if (!strcmp(name, "drive") || !strcmp(name, "device")) {
            char err[512];
            bool ok = name[1] == 'r' ? virt_block_parse_drive(&config.block, value, err, sizeof(err))
                                     : virt_block_parse_device(&config.block, value, err, sizeof(err));
            if (!ok)
                option_error(arg, "%s: %s", value, err);
        } else if (!strcmp(name, "netdev") || !strcmp(name, "net") || !strcmp(name, "object")) {
            char err[512];
            bool ok = !strcmp(name, "netdev") ? virt_net_parse_netdev(&config.net, value, err, sizeof(err))
                      : !strcmp(name, "net")  ? virt_net_parse_net(&config.net, value, err, sizeof(err))
                                              : virt_net_parse_object(&config.net, value, err, sizeof(err));
            if (!ok)
                option_error(arg, "%s", err);
        } else if (!strcmp(name, "audiodev")) {
            char err[512];
            if (!virt_audio_parse_audiodev(&config.audio, value, err, sizeof(err)))
                option_error(arg, "%s", err);
        } else if (!strcmp(name, "snapshot")) {
            config.block.snapshot = true;
        } else if (!strcmp(name, "snapshot-dir")) {
            config.snapshot_dir = value; /* savevm/loadvm files (docs/snapshots.md) */
        } else if (!strcmp(name, "no-reboot")) {
            config.no_reboot = true;
        } else if (!strcmp(name, "no-shutdown")) {
            config.no_shutdown = true;
        } else if (!strcmp(name, "monitor")) {
            monitor_spec = strcmp(value, "none") == 0 ? NULL : value;
            monitor_given = true;
        } else if (!strcmp(name, "S")) {
            start_paused = true;
        } else if (!strcmp(name, "s")) {
            gdb_spec = "tcp::1234";
        } else if (!strcmp(name, "gdb")) {
            gdb_spec = strcmp(value, "none") == 0 ? NULL : value;
        } else if (!strcmp(name, "qmp")) {
            qmp_spec = strcmp(value, "none") == 0 ? NULL : value;
        } else if (!strcmp(name, "mon")) {
            MonOption mon;
            parse_mon(value, &mon);
            bool *have = mon.control ? &have_mon_qmp : &have_mon_hmp;
            if (*have)
                option_error(mon.option, "deja has one %s: -mon mode=%s is given twice",
                             mon.control ? "QMP monitor" : "human monitor",
                             mon.control ? "control" : "readline");
            *have = true;
            *(mon.control ? &mon_qmp : &mon_hmp) = mon;
        } else {
            option_error(arg, "unknown option (see -help)");
        }
    }

    if (have_mon_qmp && qmp_spec)
        option_error(mon_qmp.option, "deja has one QMP monitor: use -qmp or -mon mode=control, "
                                     "not both");
    if (have_mon_hmp && monitor_spec)
        option_error(mon_hmp.option, "deja has one human monitor: use -monitor or -mon "
                                     "mode=readline, not both");
    if (have_mon_hmp)
        monitor_given = true; /* as QEMU: no monitor on the -nographic terminal then */
    if (nographic && display.sdl)
        option_error("-display sdl", "-nographic means no window (use one or the other)");
    /* -nographic puts the serial port on a multiplexed stdio, as QEMU's
     * default mon:stdio; without it (deja has no window) plain stdio. */
    /* The option that puts a monitor on stdio, if one does. */
    const char *stdio_monitor = NULL;
    if (monitor_spec && strcmp(monitor_spec, "stdio") == 0)
        stdio_monitor = "-monitor stdio";
    if (qmp_spec && strcmp(qmp_spec, "stdio") == 0) {
        if (stdio_monitor)
            option_error("-qmp stdio", "stdio is already used by the monitor");
        stdio_monitor = "-qmp stdio";
    }
    /* The -chardev backends, and those of the -mon monitors (dumpdtb
     * opens none: it only needs the number of serial ports). */
    static Chardev chardevs[MAX_CHARDEVS + VIRT_MAX_SERIALS];
    int chardev_count = 0;
    const char *chardev_users[MAX_CHARDEVS] = { NULL };
    Chardev *mon_hmp_chr = NULL, *mon_qmp_chr = NULL;
    if (!config.dumpdtb) {
        open_chardev_definitions(chardev_definitions, chardev_definition_count, chardevs,
                                 &chardev_count);
        if (have_mon_hmp)
            mon_hmp_chr = claim_chardev(chardevs, chardev_count, chardev_users, mon_hmp.chardev,
                                        "the human monitor (-mon)", mon_hmp.option);
        if (have_mon_qmp)
            mon_qmp_chr = claim_chardev(chardevs, chardev_count, chardev_users, mon_qmp.chardev,
                                        "the QMP monitor (-mon)", mon_qmp.option);
        /* A monitor on a stdio chardev has the terminal, as -monitor stdio. */
        const char *mon_stdio = mon_hmp_chr && mon_hmp_chr->kind == CHARDEV_STDIO ? mon_hmp.option
                                : mon_qmp_chr && mon_qmp_chr->kind == CHARDEV_STDIO ? mon_qmp.option
                                                                                    : NULL;
        if (mon_stdio && stdio_monitor)
            option_error(mon_stdio, "stdio is already used by the monitor");
        if (mon_stdio)
            stdio_monitor = mon_stdio;
    }
    bool monitor_stdio = stdio_monitor != NULL;
    if (serial_spec_count == 0)
        serial_specs[serial_spec_count++] = monitor_stdio ? "null"
                                            : nographic   ? "mon:stdio"
                                                          : "stdio";
    for (int i = 0; monitor_stdio && i < serial_spec_count; i++)
        if (strcmp(serial_specs[i], "stdio") == 0 || strcmp(serial_specs[i], "mon:stdio") == 0)
            option_error(stdio_monitor, "stdio is already used by serial port %d", i);
    config.serial_count = serial_spec_count;
    if (!config.dumpdtb)
        open_serial_ports(&config, serial_specs, chardev_definition_count, chardev_users, chardevs,
                          &chardev_count);

    VirtMachine *machine = virt_create(&config);
    if (!machine) {
        for (int i = 0; i < chardev_count; i++)
            chardev_close(&chardevs[i]);
        free((char *)config.dumpdtb);
        return 1;
    }
    static Chardev monitor_chardev;
    bool have_monitor_chardev = false;
    if (monitor_spec && !config.dumpdtb) {
        char err[512];
        if (!chardev_open(&monitor_chardev, monitor_spec, "monitor", false, err, sizeof(err)))
            option_error("-monitor", "%s: %s", monitor_spec, err);
        have_monitor_chardev = true;
        machine->monitor = hmp_create(machine, &monitor_chardev);
        if (!machine->monitor)
            option_error("-monitor", "out of memory");
    } else if (mon_hmp_chr) {
        machine->monitor = hmp_create(machine, mon_hmp_chr);
        if (!machine->monitor)
            option_error(mon_hmp.option, "out of memory");
    } else if (!monitor_given && !config.dumpdtb && config.serials[0] && config.serials[0]->mux) {
        /* -nographic / mon:stdio: the monitor shares the terminal (Ctrl-A c). */
        machine->monitor = hmp_create_mux(machine, config.serials[0]);
        if (!machine->monitor)
            option_error("-nographic", "out of memory");
    }
    static Chardev qmp_chardev_storage;
    bool have_qmp_chardev = false;
    if (qmp_spec && !config.dumpdtb) {
        char err[512];
        if (!chardev_open(&qmp_chardev_storage, qmp_spec, "qmp", false, err, sizeof(err)))
            option_error("-qmp", "%s: %s", qmp_spec, err);
        have_qmp_chardev = true;
        machine->qmp = qmp_create(machine, &qmp_chardev_storage);
        if (!machine->qmp)
            option_error("-qmp", "out of memory");
    } else if (mon_qmp_chr) {
        machine->qmp = qmp_create(machine, mon_qmp_chr);
        if (!machine->qmp)
            option_error(mon_qmp.option, "out of memory");
        qmp_set_pretty(machine->qmp, mon_qmp.pretty);
    }
    if (gdb_spec && !config.dumpdtb) {
        char err[512];
        machine->gdb = gdb_create(machine, gdb_spec, err, sizeof(err));
        if (!machine->gdb)
            option_error("-gdb", "%s", err);
    }
    if (start_paused) {
        if (!machine->monitor && !machine->qmp && !machine->gdb)
            option_error("-S", "needs a monitor (-monitor or -qmp) or -gdb to continue");
        machine->paused = true;
    }
    int status;
    if (config.dumpdtb)
        status = virt_dump_fdt(machine, config.dumpdtb) ? 0 : 1;
    else if (!virt_input_open_frontends(machine, &display) || !virt_replay_start(machine) ||
             !virt_snapshot_rr_start(machine))
        status = 1;
    else
        status = virt_run(machine);
    if (machine->monitor)
        hmp_destroy(machine->monitor);
    gdb_destroy(machine->gdb, status);
    if (machine->qmp) {
        if (!config.dumpdtb)
            qmp_machine_exit(machine->qmp); /* the SHUTDOWN event */
        qmp_destroy(machine->qmp);
    }
    if (have_qmp_chardev)
        chardev_close(&qmp_chardev_storage);
    virt_destroy(machine);
    if (have_monitor_chardev)
        chardev_close(&monitor_chardev);
    for (int i = 0; i < chardev_count; i++)
        chardev_close(&chardevs[i]);
    free((char *)config.dumpdtb);
    free((char *)config.replay.path);
    free((char *)config.rrsnapshot);
    return status;
}
