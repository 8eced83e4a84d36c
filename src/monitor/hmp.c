/* The human monitor: line input from a chardev, QEMU's command names and
 * output formats where deja has the feature (docs/monitor.md). */
#include "monitor/hmp.h"
#include "monitor/hmp_snapshot.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "board/virt_seek.h"
#include "monitor/hmp_replay.h"
#include "monitor/hmp_gdb.h"
#include "monitor/hmp_display.h"
#include "monitor/hmp_input.h"
#include "replay/trace.h"

#define HMP_LINE_MAX 1024

struct Hmp {
    VirtMachine *m;
    Chardev *chr;
    char line[HMP_LINE_MAX];
    size_t line_len;
    bool line_too_long;
    bool greeted; /* greeting written to the current client */
    bool mux;     /* shares the -nographic stdio with serial port 0 */
    bool focused; /* mux: the monitor has the keyboard (Ctrl-A c) */
    bool after_cr;
    int cpu;      /* current hart (the `cpu` command) */
    /* x/xp remember the last format, as QEMU does. */
    char last_format;
    int last_size;
    /* hmp_execute_capture (QMP's human-monitor-command): output goes to
     * this malloc'ed buffer instead of the chardev. */
    bool capturing;
    char *capture;
    size_t capture_len, capture_cap;
};

/* Output goes out with \r\n line ends: a raw terminal or a socket client
 * both expect them (QEMU's monitor does the same). */
void hmp_printf(Hmp *mon, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
    char out[8192];
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = text[i];
    }
    if (mon->capturing) {
        if (mon->capture_len + o + 1 > mon->capture_cap) {
            size_t cap = (mon->capture_len + o + 1) * 2;
            char *grown = realloc(mon->capture, cap);
            if (!grown)
                return; /* out of memory: the output is cut */
            mon->capture = grown;
            mon->capture_cap = cap;
        }
        memcpy(mon->capture + mon->capture_len, out, o);
        mon->capture_len += o;
        mon->capture[mon->capture_len] = 0;
        return;
    }
    if (mon->chr)
        chardev_write(mon->chr, (const uint8_t *)out, o);
}

Hmp *hmp_create(VirtMachine *m, Chardev *chr)
{
    Hmp *mon = calloc(1, sizeof(*mon));
    if (!mon)
        return NULL;
    mon->m = m;
    mon->chr = chr;
    mon->last_format = 'x';
    mon->last_size = 4;
    return mon;
}

Hmp *hmp_create_mux(VirtMachine *m, Chardev *chr)
{
    Hmp *mon = hmp_create(m, chr);
    if (mon) {
        mon->mux = true;
        chr->mux_monitor_attached = true;
    }
    return mon;
}

void hmp_destroy(Hmp *mon)
{
    free(mon);
}

Chardev *hmp_chardev(Hmp *mon)
{
    return mon->chr;
}

static void hmp_prompt(Hmp *mon)
{
    hmp_printf(mon, "(deja) ");
}

/* One typed byte: line editing, and echo on the mux (the terminal is raw
 * there; a socket client echoes itself). */
static void hmp_input_byte(Hmp *mon, uint8_t c)
{
    if (c == '\r' || c == '\n') {
        if (c == '\n' && mon->after_cr) {
            mon->after_cr = false; /* the \n of a \r\n */
            return;
        }
        mon->after_cr = c == '\r';
        if (mon->mux)
            hmp_printf(mon, "\n");
        mon->line[mon->line_len] = 0;
        if (mon->line_too_long)
            hmp_printf(mon, "command line too long\n");
        else
            hmp_execute(mon, mon->line);
        mon->line_len = 0;
        mon->line_too_long = false;
        hmp_prompt(mon);
        return;
    }
    mon->after_cr = false;
    if (c == 0x7f || c == 0x08) {
        if (mon->line_len) {
            mon->line_len--;
            if (mon->mux)
                hmp_printf(mon, "\b \b");
        }
    } else if (c >= 0x20 && c < 0x7f) {
        if (mon->line_len + 1 < sizeof(mon->line)) {
            mon->line[mon->line_len++] = (char)c;
            if (mon->mux)
                chardev_write(mon->chr, &c, 1);
        } else {
            mon->line_too_long = true;
        }
    }
}

static void hmp_greet(Hmp *mon)
{
    mon->greeted = true;
    hmp_printf(mon, "deja monitor (QEMU HMP commands) - type 'help' for more information\n");
}

/* The -nographic mux: the monitor has the keyboard after Ctrl-A c. */
static void hmp_poll_mux(Hmp *mon)
{
    Chardev *chr = mon->chr;
    chardev_poll(chr);
    if (!chr->mux_monitor_focus) {
        if (mon->focused)
            hmp_printf(mon, "\n");
        mon->focused = false;
        return;
    }
    if (!mon->focused) {
        mon->focused = true;
        hmp_printf(mon, "\n");
        if (!mon->greeted)
            hmp_greet(mon);
        hmp_prompt(mon);
    }
    uint8_t bytes[sizeof(chr->monitor_input)];
    size_t n = chr->monitor_input_count;
    memcpy(bytes, chr->monitor_input, n);
    chr->monitor_input_count = 0;
    for (size_t i = 0; i < n; i++)
        hmp_input_byte(mon, bytes[i]);
}

void hmp_poll(Hmp *mon)
{
    if (mon->mux) {
        hmp_poll_mux(mon);
        return;
    }
    Chardev *chr = mon->chr;
    chardev_poll(chr);
    if (chr->out_fd < 0) {
        mon->greeted = false; /* no client: greet the next one */
        mon->line_len = 0;
        return;
    }
    if (!mon->greeted) {
        hmp_greet(mon);
        hmp_prompt(mon);
    }
    /* A replay_seek in progress holds the next commands (virt_seek.h). */
    while (chardev_input_available(chr) && chr->out_fd >= 0 && !virt_seek_busy(mon->m))
        hmp_input_byte(mon, chardev_input_pop(chr));
}

/* ---- helpers ----------------------------------------------------------- */

static const char *const hmp_abi_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

Hart *hmp_current_hart(Hmp *mon)
{
    if (mon->cpu < 0 || mon->cpu >= mon->m->hart_count)
        mon->cpu = 0;
    return mon->m->harts[mon->cpu];
}

/* A number (0x hex, 0 octal, decimal) or $pc / $REG of the current hart,
 * optionally with + or - and another such term. */
static bool hmp_parse_term(Hmp *mon, const char **text, uint64_t *value)
{
    const char *s = *text;
    while (*s == ' ')
        s++;
    if (*s == '$') {
        s++;
        const char *start = s;
        while (isalnum((unsigned char)*s))
            s++;
        size_t len = (size_t)(s - start);
        Hart *h = hmp_current_hart(mon);
        if (len == 2 && strncmp(start, "pc", 2) == 0) {
            *value = h->pc;
            *text = s;
            return true;
        }
        for (int i = 0; i < 32; i++) {
            char xname[8];
            snprintf(xname, sizeof(xname), "x%d", i);
            if ((strlen(hmp_abi_names[i]) == len && strncmp(start, hmp_abi_names[i], len) == 0) ||
                (strlen(xname) == len && strncmp(start, xname, len) == 0) ||
                (i == 8 && len == 2 && strncmp(start, "fp", 2) == 0)) {
                *value = h->x[i];
                *text = s;
                return true;
            }
        }
        return false;
    }
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    *value = strtoull(s, &end, 0);
    *text = end;
    return true;
}

bool hmp_parse_expr(Hmp *mon, const char *text, uint64_t *value)
{
    if (!hmp_parse_term(mon, &text, value))
        return false;
    for (;;) {
        while (*text == ' ')
            text++;
        if (!*text)
            return true;
        char op = *text++;
        uint64_t rhs;
        if ((op != '+' && op != '-') || !hmp_parse_term(mon, &text, &rhs))
            return false;
        *value = op == '+' ? *value + rhs : *value - rhs;
    }
}

/* ---- info -------------------------------------------------------------- */

static void hmp_info_status(Hmp *mon)
{
    VirtMachine *m = mon->m;
    hmp_printf(mon, "VM status: %s\n", m->paused ? "paused" : "running");
    if (!m->replay)
        hmp_printf(mon, "Replay mode: none\n");
    else
        hmp_printf(mon, "Replay mode: %s\n",
                   replay_mode(m->replay) == REPLAY_RECORD ? "record" : "replay");
}

static const char hmp_priv_letter[4] = { 'U', 'S', '?', 'M' };

static void hmp_print_hart(Hmp *mon, Hart *h)
{
    hmp_printf(mon, " %-8s %016" PRIx64 "\n", "pc", h->pc);
    hmp_printf(mon, " %-8s %c\n", "priv", hmp_priv_letter[h->priv & 3]);
    static const struct {
        const char *name;
        int csr;
    } csrs[] = {
        { "mhartid", 0xf14 }, { "mstatus", 0x300 }, { "misa", 0x301 },     { "medeleg", 0x302 },
        { "mideleg", 0x303 }, { "mie", 0x304 },     { "mtvec", 0x305 },    { "mscratch", 0x340 },
        { "mepc", 0x341 },    { "mcause", 0x342 },  { "mtval", 0x343 },    { "mip", 0x344 },
        { "stvec", 0x105 },   { "sscratch", 0x140 }, { "sepc", 0x141 },    { "scause", 0x142 },
        { "stval", 0x143 },   { "satp", 0x180 },    { "instret", 0xc02 },
    };
    for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++) {
        uint64_t value;
        if (hart_csr_read_debug(h, csrs[i].csr, &value))
            hmp_printf(mon, " %-8s %016" PRIx64 "\n", csrs[i].name, value);
    }
    for (int i = 0; i < 32; i += 4) {
        char line[256];
        size_t n = 0;
        for (int j = i; j < i + 4; j++) {
            char name[16];
            snprintf(name, sizeof(name), "x%d/%s", j, hmp_abi_names[j]);
            n += (size_t)snprintf(line + n, sizeof(line) - n, " %-8s %016" PRIx64, name, h->x[j]);
        }
        hmp_printf(mon, "%s\n", line);
    }
}

static void hmp_info_registers(Hmp *mon, const char *args)
{
    VirtMachine *m = mon->m;
    if (args && strcmp(args, "-a") == 0) {
        for (int i = 0; i < m->hart_count; i++) {
            hmp_printf(mon, "\nCPU#%d\n", i);
            hmp_print_hart(mon, m->harts[i]);
        }
        return;
    }
    if (args && *args) {
        hmp_printf(mon, "info registers: unknown argument '%s' (use -a for all harts)\n", args);
        return;
    }
    hmp_print_hart(mon, hmp_current_hart(mon));
}

static void hmp_info_replay(Hmp *mon)
{
    VirtMachine *m = mon->m;
    if (!m->replay) {
        hmp_printf(mon, "Record/replay is not active\n");
        return;
    }
    const char *path = m->config.replay.path ? m->config.replay.path : "";
    if (replay_mode(m->replay) == REPLAY_RECORD) {
        hmp_printf(mon, "Recording execution in file '%s'\n", path);
        return;
    }
    hmp_printf(mon, "Replaying execution '%s': instruction count = %" PRIu64 "\n", path,
               m->clock.machine_icount);
    if (m->replay_break != HMP_NO_BREAK)
        hmp_printf(mon, "Breakpoint at instruction count %" PRIu64 "\n", m->replay_break);
    hmp_info_replay_seek(mon);
}

/* The IRQ (PLIC source) of a device, found by which board field it is. */
static int hmp_device_irq(const VirtMachine *m, const Device *d)
{
    if (d->state == &m->uart)
        return 10;
    if (d->state == &m->rtc)
        return 11;
    for (int i = 0; i < VIRT_MAX_SERIALS - 1; i++)
        if (d->state == &m->extra_uarts[i])
            return VIRT_SERIAL_EXTRA_FIRST_IRQ + i;
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++)
        if (d->state == &m->virtio[i])
            return 1 + i;
    return -1;
}

static void hmp_info_qtree(Hmp *mon)
{
    VirtMachine *m = mon->m;
    hmp_printf(mon, "bus: main-system-bus\n  type System\n");
    hmp_printf(mon, "  dev: ram, addr 0x%" PRIx64 ", size 0x%" PRIx64 "\n", (uint64_t)VIRT_DRAM_BASE,
               m->config.ram_size);
    hmp_printf(mon, "  dev: riscv.cpu, count %d\n", m->hart_count);
    for (int i = 0; i < m->device_count; i++) {
        const Device *d = &m->devices[i];
        int irq = hmp_device_irq(m, d);
        char irq_text[32] = "";
        if (irq >= 0)
            snprintf(irq_text, sizeof(irq_text), ", irq %d", irq);
        hmp_printf(mon, "  dev: %s, addr 0x%08" PRIx64 ", size 0x%" PRIx64 "%s\n", d->cls->name,
                   d->base, d->size, irq_text);
    }
}

static void hmp_info_cpus(Hmp *mon)
{
    VirtMachine *m = mon->m;
    for (int i = 0; i < m->hart_count; i++)
        hmp_printf(mon, "%c CPU #%d: pc=0x%016" PRIx64 "%s\n", i == mon->cpu ? '*' : ' ', i,
                   m->harts[i]->pc, m->harts[i]->wfi ? " (halted)" : "");
}

/* ---- memory ------------------------------------------------------------ */

bool hmp_parse_format(const char *text, int *count, char *format, int *size)
{
    if (*text != '/')
        return *text == 0;
    text++;
    if (isdigit((unsigned char)*text)) {
        char *end;
        long n = strtol(text, &end, 10);
        if (n <= 0 || n > 65536)
            return false;
        *count = (int)n;
        text = end;
    }
    for (; *text; text++) {
        switch (*text) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
            *format = *text;
            break;
        case 'b': *size = 1; break;
        case 'h': *size = 2; break;
        case 'w': *size = 4; break;
        case 'g': *size = 8; break;
        default: return false;
        }
    }
    return true;
}

static void hmp_memory_dump(Hmp *mon, const char *cmd, const char *fmt_text, const char *args,
                            bool physical)
{
    int count = 1, size = mon->last_size;
    char format = mon->last_format;
    if (!hmp_parse_format(fmt_text, &count, &format, &size)) {
        hmp_printf(mon, "invalid char in format: '%s'\n", fmt_text);
        return;
    }
    if (format == 'i') {
        hmp_printf(mon, "%s: format 'i' (disassembly) is not supported by deja\n", cmd);
        return;
    }
    if (format == 'c')
        size = 1;
    uint64_t addr;
    if (!args || !*args) {
        hmp_printf(mon, "%s: address expected\n", cmd);
        return;
    }
    if (!hmp_parse_expr(mon, args, &addr)) {
        hmp_printf(mon, "%s: invalid address expression '%s'\n", cmd, args);
        return;
    }
    mon->last_format = format;
    mon->last_size = size;
    Hart *h = hmp_current_hart(mon);
    int per_line = format == 'c' ? 16 : 16 / size;
    for (int i = 0; i < count; i++) {
        uint64_t a = addr + (uint64_t)i * (uint64_t)size;
        uint64_t pa = a;
        if (!physical && !hart_debug_translate(h, a, &pa)) {
            if (i % per_line)
                hmp_printf(mon, "\n");
            hmp_printf(mon, "Cannot access memory at 0x%016" PRIx64 " (no translation)\n", a);
            return;
        }
        const uint8_t *p = bus_ram_ptr(&mon->m->bus, pa, (uint64_t)size);
        if (!p) {
            if (i % per_line)
                hmp_printf(mon, "\n");
            hmp_printf(mon, "Cannot access memory at 0x%016" PRIx64 " (not RAM)\n", pa);
            return;
        }
        uint64_t v = 0;
        memcpy(&v, p, (size_t)size); /* little-endian host and guest */
        if (i % per_line == 0)
            hmp_printf(mon, "%016" PRIx64 ":", a);
        int64_t sv = size == 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * size)) >> (64 - 8 * size);
        switch (format) {
        case 'x': hmp_printf(mon, " 0x%0*" PRIx64, size * 2, v); break;
        case 'd': hmp_printf(mon, " %" PRId64, sv); break;
        case 'u': hmp_printf(mon, " %" PRIu64, v); break;
        case 'o': hmp_printf(mon, " %#" PRIo64, v); break;
        case 'c':
            if (v >= 0x20 && v < 0x7f)
                hmp_printf(mon, " '%c'", (char)v);
            else
                hmp_printf(mon, " '\\x%02x'", (unsigned)v);
            break;
        }
        if (i % per_line == per_line - 1 || i == count - 1)
            hmp_printf(mon, "\n");
    }
}

/* ---- commands ---------------------------------------------------------- */

static const char hmp_help_text[] =
    "cont|c -- resume emulation\n"
    "cpu index -- set the default CPU (hart) for info registers, x\n"
    "delvm tag -- delete the snapshot tag\n"
    "help|? -- show this help\n"
    "info status -- show the VM status (running|paused) and the replay mode\n"
    "info registers [-a] -- show the current hart's registers (-a: all harts)\n"
    "info cpus -- show the harts\n"
    "info replay -- show the record/replay state\n"
    "info qtree -- show the devices (address, size, IRQ)\n"
    "info snapshots -- list the snapshots\n"
    "loadvm tag -- restore the machine (in replay: and the trace position) from snapshot tag\n"
    "mouse_button state -- set the pointer buttons (1 left, 2 right, 4 middle)\n"
    "mouse_move dx dy [dz] -- move the mouse (tablet: to x y, 0..32767); dz: wheel\n"
    "quit|q -- quit the emulator\n"
    "replay_break icount -- (replay) pause when the instruction count reaches icount\n"
    "replay_delete_break -- remove the replay breakpoint\n"
    "replay_seek icount -- (replay) go to instruction count icount, forwards or backwards\n"
    "when -- the current position: instruction count, virtual time, last event\n"
    "goto icount | goto event N -- (replay) go to an instruction count or to event N\n"
    "savevm [tag] -- save the machine (CPU, devices, RAM, disk overlays) as snapshot tag\n"
    "screendump [-f png|ppm] filename -- save the screen as PPM, or PNG (-f png or a .png name)\n"
    "sendkey keys [hold_ms] -- send keys to the guest, e.g. sendkey ctrl-alt-f1\n"
    "stop|s -- stop (pause) emulation\n"
    "system_powerdown -- power the machine down (deja: stops it, exit status 0)\n"
    "system_reset -- reset the machine\n"
    "x /fmt addr -- virtual memory dump starting at addr (current hart)\n"
    "xp /fmt addr -- physical memory dump starting at addr\n"
    "  fmt: /[count][x|d|u|o|c][b|h|w|g]\n";

static void hmp_request(Hmp *mon, const char *cmd, uint32_t request)
{
    VirtMachine *m = mon->m;
    if (m->replay && replay_mode(m->replay) == REPLAY_PLAY && request != TRACE_REQ_QUIT) {
        hmp_printf(mon, "%s: not allowed while replaying (the replay takes host requests from "
                        "the trace)\n",
                   cmd);
        return;
    }
    m->monitor_request = request;
}

static void hmp_replay_break(Hmp *mon, const char *args)
{
    VirtMachine *m = mon->m;
    if (!m->replay || replay_mode(m->replay) != REPLAY_PLAY) {
        hmp_printf(mon, "replay_break: allowed only in replay mode\n");
        return;
    }
    uint64_t icount;
    if (!args || !hmp_parse_expr(mon, args, &icount)) {
        hmp_printf(mon, "replay_break: instruction count expected\n");
        return;
    }
    if (icount <= m->clock.machine_icount) {
        hmp_printf(mon, "replay_break: cannot set a breakpoint at instruction %" PRIu64
                        ", in the past (now %" PRIu64 ")\n",
                   icount, m->clock.machine_icount);
        return;
    }
    m->replay_break = icount;
}

struct VirtMachine *hmp_machine(Hmp *mon) { return mon->m; }

void hmp_execute(Hmp *mon, const char *line)
{
    char buf[HMP_LINE_MAX];
    snprintf(buf, sizeof(buf), "%s", line);
    char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        s[--len] = 0;
    if (!*s)
        return;
    /* The command name ends at a space or at the '/' of a format. */
    char *cmd = s;
    char fmt[64] = "";
    while (*s && *s != ' ' && *s != '/')
        s++;
    if (*s == '/') {
        *s++ = 0;
        size_t n = 0;
        fmt[n++] = '/';
        while (*s && *s != ' ') {
            if (n + 1 < sizeof(fmt))
                fmt[n++] = *s;
            s++;
        }
        fmt[n] = 0;
    } else if (*s) {
        *s++ = 0;
    }
    while (*s == ' ')
        s++;
    char *args = s;
    if (!fmt[0] && *args == '/') { /* "x /4xw ADDR": the format after a space */
        size_t n = 0;
        while (*args && *args != ' ') {
            if (n + 1 < sizeof(fmt))
                fmt[n++] = *args;
            args++;
        }
        fmt[n] = 0;
        while (*args == ' ')
            args++;
    }
    VirtMachine *m = mon->m;

    if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        hmp_printf(mon, "%s", hmp_help_text);
    } else if (!strcmp(cmd, "info")) {
        char *sub = args;
        char *rest = sub;
        while (*rest && *rest != ' ')
            rest++;
        if (*rest)
            *rest++ = 0;
        while (*rest == ' ')
            rest++;
        if (!strcmp(sub, "status"))
            hmp_info_status(mon);
        else if (!strcmp(sub, "registers"))
            hmp_info_registers(mon, rest);
        else if (!strcmp(sub, "replay"))
            hmp_info_replay(mon);
        else if (!strcmp(sub, "qtree"))
            hmp_info_qtree(mon);
        else if (!strcmp(sub, "snapshots"))
            hmp_info_snapshots(mon);
        else if (!strcmp(sub, "cpus"))
            hmp_info_cpus(mon);
        else if (!*sub)
            hmp_printf(mon, "info status|registers|cpus|replay|qtree|snapshots\n");
        else
            hmp_printf(mon, "info: unknown subcommand: '%s'\n", sub);
    } else if (!strcmp(cmd, "stop") || !strcmp(cmd, "s")) {
        m->paused = true;
    } else if (!strcmp(cmd, "cont") || !strcmp(cmd, "c")) {
        m->paused = false;
    } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "q")) {
        hmp_request(mon, cmd, TRACE_REQ_QUIT);
    } else if (!strcmp(cmd, "system_reset")) {
        hmp_request(mon, cmd, TRACE_REQ_RESET);
    } else if (!strcmp(cmd, "system_powerdown")) {
        hmp_request(mon, cmd, TRACE_REQ_POWERDOWN);
    } else if (!strcmp(cmd, "x") || !strcmp(cmd, "xp")) {
        hmp_memory_dump(mon, cmd, fmt, args, cmd[1] == 'p');
    } else if (!strcmp(cmd, "cpu")) {
        char *end;
        long n = strtol(args, &end, 0);
        if (!*args || *end || n < 0 || n >= m->hart_count)
            hmp_printf(mon, "cpu: invalid CPU index '%s' (0 to %d)\n", args, m->hart_count - 1);
        else
            mon->cpu = (int)n;
    } else if (!strcmp(cmd, "replay_break")) {
        hmp_replay_break(mon, args);
    } else if (!strcmp(cmd, "replay_seek")) {
        hmp_replay_seek(mon, args);
    } else if (!strcmp(cmd, "when") || !strcmp(cmd, "goto")) {
        cmd[0] == 'w' ? hmp_when(mon) : hmp_goto(mon, args);
    } else if (!strcmp(cmd, "replay_delete_break")) {
        m->replay_break = HMP_NO_BREAK;
    } else if (!strcmp(cmd, "savevm") || !strcmp(cmd, "loadvm") || !strcmp(cmd, "delvm")) {
        (cmd[0] == 's' ? hmp_savevm : cmd[0] == 'l' ? hmp_loadvm : hmp_delvm)(mon, args);
    } else if (!strcmp(cmd, "sendkey") || !strcmp(cmd, "mouse_move") || !strcmp(cmd, "mouse_button")) {
        (cmd[0] == 's' ? hmp_sendkey : cmd[6] == 'm' ? hmp_mouse_move : hmp_mouse_button)(mon, args);
    } else if (!strcmp(cmd, "screendump")) {
        hmp_screendump(mon, line); /* re-parsed: a path may start with '/' */
    } else {
        hmp_printf(mon, "unknown command: '%s'\n", cmd);
    }
}

char *hmp_execute_capture(Hmp *mon, const char *line)
{
    mon->capturing = true;
    mon->capture = NULL;
    mon->capture_len = mon->capture_cap = 0;
    hmp_execute(mon, line);
    mon->capturing = false;
    char *text = mon->capture;
    mon->capture = NULL;
    return text ? text : strdup("");
}
