/* QMP: QEMU's JSON machine protocol (docs/qmp.md). The input is a stream
 * of JSON values; a small splitter finds where each top-level value ends
 * (brackets outside strings) and jansson parses it. Replies and events
 * are written in QEMU's shape, one per line. */
#include "monitor/qmp.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "board/virt.h"
#include "board/virt_seek.h"
#include "monitor/hmp.h"
#include "replay/trace.h"

/* The QEMU version deja reports (its command line and QMP follow 7.2). */
#define QMP_QEMU_MAJOR 7
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0
#define QMP_PACKAGE "deja"

/* Limits on one request: larger or deeper input is answered with an
 * error and skipped up to the next newline. */
#define QMP_MAX_REQUEST (1u << 20)
#define QMP_MAX_DEPTH 1024
/* Output a client has not read yet; past this it is disconnected. */
#define QMP_MAX_PENDING_OUTPUT (16u << 20)

typedef struct QmpCommand {
    const char *name;
    /* Arguments: "name:type,..." with type int|str|bool|array|object|any;
     * a leading '?' marks an optional one. "" for none. */
    const char *args;
    json_t *(*handler)(Qmp *q, json_t *args);
} QmpCommand;

/* The command table: one line per command. */
static const QmpCommand qmp_commands[] = {
    { "qmp_capabilities", "?enable:array", qmp_cmd_capabilities },
    { "query-status", "", qmp_cmd_query_status },
    { "query-replay", "", qmp_cmd_query_replay },
    { "replay-break", "icount:int", qmp_cmd_replay_break },
    { "replay-delete-break", "", qmp_cmd_replay_delete_break },
    { "replay-seek", "icount:int", qmp_cmd_replay_seek },
    { "stop", "", qmp_cmd_stop },
    { "cont", "", qmp_cmd_cont },
    { "quit", "", qmp_cmd_quit },
    { "system_reset", "", qmp_cmd_system_reset },
    { "system_powerdown", "", qmp_cmd_system_powerdown },
    { "human-monitor-command", "command-line:str,?cpu-index:int", qmp_cmd_human_monitor_command },
    { "query-commands", "", qmp_cmd_query_commands },
    { "query-version", "", qmp_cmd_query_version },
    { "query-name", "", qmp_cmd_query_name },
    { "query-target", "", qmp_cmd_query_target },
    { "query-kvm", "", qmp_cmd_query_kvm },
    { "input-send-event", "?device:str,?head:int,events:array", qmp_cmd_input_send_event },
    { "screendump", "filename:str,?device:str,?head:int,?format:str", qmp_cmd_screendump },
};

struct Qmp {
    VirtMachine *m;
    Chardev *chr;
    Hmp *hmp; /* for human-monitor-command, no chardev */
    void (*sink)(void *opaque, const char *text, size_t len);
    void *sink_opaque;

    bool pretty;      /* -mon pretty=on: indented JSON */
    bool greeted;     /* a client is there and was greeted */
    unsigned connections; /* chr->connections at the greeting */
    bool negotiated;  /* qmp_capabilities done */

    /* The splitter: the value being read. */
    char *buf;
    size_t len, cap;
    int depth;
    bool in_string, escape, junk, skip_line;

    /* Output not yet taken by the client's socket: a reply is never cut
     * in the middle, and a client that does not read never blocks the
     * machine. */
    char *out;
    size_t out_len, out_cap;

    /* The running command's error (class NULL: none). */
    const char *err_class;
    char err_desc[1024];

    /* For STOP/RESUME and query-status. */
    bool state_known, last_paused, prelaunch;
    uint32_t requested; /* TRACE_REQ_* asked by a QMP command, for SHUTDOWN */
};

/* ---- output -------------------------------------------------------------- */

static uint64_t qmp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Writes what the client can take now; waits up to wait_ms for it to
 * take the rest. */
static void qmp_flush(Qmp *q, int wait_ms)
{
    Chardev *chr = q->chr;
    if (!chr || chr->out_fd < 0) {
        q->out_len = 0;
        return;
    }
    uint64_t deadline = qmp_now_ms() + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
    size_t done = 0;
    while (done < q->out_len) {
        size_t left = q->out_len - done;
        ssize_t n = chr->kind == CHARDEV_SOCKET ? send(chr->out_fd, q->out + done, left, MSG_NOSIGNAL)
                                                : write(chr->out_fd, q->out + done, left);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            uint64_t now = qmp_now_ms();
            if (now >= deadline)
                break;
            struct pollfd p = { .fd = chr->out_fd, .events = POLLOUT };
            poll(&p, 1, (int)(deadline - now));
            continue;
        }
        done = q->out_len; /* the client is gone: the chardev sees it at its next read */
    }
    if (done < q->out_len) /* q->out may still be NULL when nothing was queued */
        memmove(q->out, q->out + done, q->out_len - done);
    q->out_len -= done;
}

static void qmp_write(Qmp *q, const char *text, size_t len)
{
    if (q->sink) {
        q->sink(q->sink_opaque, text, len);
        return;
    }
    if (!q->chr || q->chr->out_fd < 0)
        return;
    if (q->out_len + len > QMP_MAX_PENDING_OUTPUT) {
        /* A client that stopped reading: disconnected, as if it had left. */
        if (q->chr->kind == CHARDEV_SOCKET)
            shutdown(q->chr->out_fd, SHUT_RDWR);
        q->out_len = 0;
        return;
    }
    if (q->out_len + len > q->out_cap) {
        size_t cap = (q->out_len + len) * 2;
        char *grown = realloc(q->out, cap);
        if (!grown)
            return;
        q->out = grown;
        q->out_cap = cap;
    }
    memcpy(q->out + q->out_len, text, len);
    q->out_len += len;
}

/* Writes one message (and releases it): compact JSON with QEMU's ", " and
 * ": " separators (or indented by 4, as QEMU's pretty=on), then \r\n. */
static void qmp_send(Qmp *q, json_t *msg)
{
    if (!msg)
        return;
    size_t flags = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | (q->pretty ? JSON_INDENT(4) : 0);
    char *text = json_dumps(msg, flags);
    json_decref(msg);
    if (!text)
        return;
    qmp_write(q, text, strlen(text));
    qmp_write(q, "\r\n", 2);
    free(text);
    qmp_flush(q, 0);
}

static void qmp_send_error(Qmp *q, json_t *id, const char *class_name, const char *desc)
{
    json_t *msg = json_object();
    json_object_set_new(msg, "error",
                        json_pack("{s:s, s:s}", "class", class_name, "desc", desc));
    if (id)
        json_object_set(msg, "id", id);
    qmp_send(q, msg);
}

void qmp_error(Qmp *q, const char *class_name, const char *fmt, ...)
{
    q->err_class = class_name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->err_desc, sizeof(q->err_desc), fmt, ap);
    va_end(ap);
}

void qmp_event(Qmp *q, const char *name, json_t *data)
{
    if (!q->negotiated || (!q->sink && (!q->chr || q->chr->out_fd < 0 || !q->greeted))) {
        json_decref(data);
        return;
    }
    /* Host time for the client's log; it never reaches the guest. */
    struct timeval tv;
    gettimeofday(&tv, NULL);
    json_t *msg = json_object();
    json_object_set_new(msg, "event", json_string(name));
    if (data)
        json_object_set_new(msg, "data", data);
    json_object_set_new(msg, "timestamp", json_pack("{s:I, s:I}", "seconds", (json_int_t)tv.tv_sec,
                                                    "microseconds", (json_int_t)tv.tv_usec));
    qmp_send(q, msg);
}

/* STOP/RESUME when the paused state changed (stop/cont from QMP or the
 * HMP, -S, a replay_break reached). */
static void qmp_check_state(Qmp *q)
{
    bool paused = q->m->paused;
    if (!q->state_known) {
        q->state_known = true;
        q->last_paused = paused;
        q->prelaunch = paused; /* -S */
        return;
    }
    if (paused == q->last_paused)
        return;
    q->last_paused = paused;
    if (!paused)
        q->prelaunch = false;
    qmp_event(q, paused ? "STOP" : "RESUME", NULL);
}

/* ---- life cycle ---------------------------------------------------------- */

Qmp *qmp_create(VirtMachine *m, Chardev *chr)
{
    Qmp *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->m = m;
    q->chr = chr;
    q->hmp = hmp_create(m, NULL);
    if (!q->hmp) {
        free(q);
        return NULL;
    }
    return q;
}

void qmp_destroy(Qmp *q)
{
    if (!q)
        return;
    hmp_destroy(q->hmp);
    free(q->buf);
    free(q->out);
    free(q);
}

Chardev *qmp_chardev(Qmp *q) { return q->chr; }
void qmp_set_pretty(Qmp *q, bool pretty) { q->pretty = pretty; }
struct VirtMachine *qmp_machine(Qmp *q) { return q->m; }

void qmp_set_sink(Qmp *q, void (*sink)(void *, const char *, size_t), void *opaque)
{
    q->sink = sink;
    q->sink_opaque = opaque;
}

static void qmp_reset_splitter(Qmp *q)
{
    q->len = 0;
    q->depth = 0;
    q->in_string = q->escape = q->junk = false;
}

void qmp_connect(Qmp *q)
{
    q->out_len = 0; /* what the previous client did not read */
    qmp_reset_splitter(q);
    q->skip_line = false;
    q->negotiated = false;
    q->greeted = true;
    json_t *greeting = json_pack("{s:{s:{s:{s:i, s:i, s:i}, s:s}, s:[]}}", "QMP", "version", "qemu",
                                 "micro", QMP_QEMU_MICRO, "minor", QMP_QEMU_MINOR, "major",
                                 QMP_QEMU_MAJOR, "package", QMP_PACKAGE, "capabilities");
    qmp_send(q, greeting);
}

/* ---- requests -------------------------------------------------------------- */

static const char *qmp_type_name(const char *type)
{
    if (!strcmp(type, "int"))
        return "integer";
    if (!strcmp(type, "str"))
        return "string";
    if (!strcmp(type, "bool"))
        return "boolean";
    if (!strcmp(type, "array"))
        return "array";
    if (!strcmp(type, "object"))
        return "object";
    return "value";
}

static bool qmp_type_ok(const char *type, json_t *value)
{
    if (!strcmp(type, "int"))
        return json_is_integer(value);
    if (!strcmp(type, "str"))
        return json_is_string(value);
    if (!strcmp(type, "bool"))
        return json_is_boolean(value);
    if (!strcmp(type, "array"))
        return json_is_array(value);
    if (!strcmp(type, "object"))
        return json_is_object(value);
    return true;
}

/* Finds `name` in a spec; fills its type and whether it is optional. */
static bool qmp_spec_find(const char *spec, const char *name, char *type, size_t type_size,
                          bool *optional)
{
    const char *s = spec;
    while (*s) {
        const char *end = strchr(s, ',');
        if (!end)
            end = s + strlen(s);
        const char *p = s;
        bool opt = *p == '?';
        if (opt)
            p++;
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon && strlen(name) == (size_t)(colon - p) && !strncmp(p, name, (size_t)(colon - p))) {
            snprintf(type, type_size, "%.*s", (int)(end - colon - 1), colon + 1);
            *optional = opt;
            return true;
        }
        s = *end ? end + 1 : end;
    }
    return false;
}

/* Checks the arguments against the command's spec, QEMU's messages. */
static bool qmp_check_args(Qmp *q, const QmpCommand *cmd, json_t *args)
{
    const char *key;
    json_t *value;
    json_object_foreach(args, key, value) {
        char type[16];
        bool optional;
        if (!qmp_spec_find(cmd->args, key, type, sizeof(type), &optional)) {
            qmp_error(q, "GenericError", "Parameter '%s' is unexpected", key);
            return false;
        }
        if (!qmp_type_ok(type, value)) {
            qmp_error(q, "GenericError", "Invalid parameter type for '%s', expected: %s", key,
                      qmp_type_name(type));
            return false;
        }
    }
    const char *s = cmd->args;
    while (*s) {
        const char *end = strchr(s, ',');
        if (!end)
            end = s + strlen(s);
        if (*s != '?') {
            const char *colon = memchr(s, ':', (size_t)(end - s));
            size_t n = colon ? (size_t)(colon - s) : (size_t)(end - s);
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)n, s);
            if (!json_object_get(args, name)) {
                qmp_error(q, "GenericError", "Parameter '%s' is missing", name);
                return false;
            }
        }
        s = *end ? end + 1 : end;
    }
    return true;
}

static const QmpCommand *qmp_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(qmp_commands) / sizeof(qmp_commands[0]); i++)
        if (!strcmp(qmp_commands[i].name, name))
            return &qmp_commands[i];
    return NULL;
}

/* One parsed request: checks its shape, runs it, sends the reply. */
static void qmp_dispatch(Qmp *q, json_t *req)
{
    if (!json_is_object(req)) {
        qmp_send_error(q, NULL, "GenericError", "QMP input must be a JSON object");
        return;
    }
    json_t *id = json_object_get(req, "id");
    const char *key;
    json_t *value;
    json_object_foreach(req, key, value) {
        if (strcmp(key, "execute") && strcmp(key, "arguments") && strcmp(key, "id")) {
            char desc[256];
            snprintf(desc, sizeof(desc), "QMP input member '%.128s' is unexpected", key);
            qmp_send_error(q, id, "GenericError", desc);
            return;
        }
    }
    json_t *execute = json_object_get(req, "execute");
    if (!execute) {
        qmp_send_error(q, id, "GenericError", "QMP input lacks member 'execute'");
        return;
    }
    if (!json_is_string(execute)) {
        qmp_send_error(q, id, "GenericError", "QMP input member 'execute' must be a string");
        return;
    }
    json_t *args = json_object_get(req, "arguments");
    if (args && !json_is_object(args)) {
        qmp_send_error(q, id, "GenericError", "QMP input member 'arguments' must be an object");
        return;
    }
    const char *name = json_string_value(execute);
    bool is_caps = !strcmp(name, "qmp_capabilities");
    if (!q->negotiated && !is_caps) {
        qmp_send_error(q, id, "CommandNotFound",
                       "Expecting capabilities negotiation with 'qmp_capabilities'");
        return;
    }
    if (q->negotiated && is_caps) {
        qmp_send_error(q, id, "CommandNotFound",
                       "Capabilities negotiation is already complete, command ignored");
        return;
    }
    const QmpCommand *cmd = qmp_find_command(name);
    if (!cmd) {
        char desc[256];
        snprintf(desc, sizeof(desc), "The command %.128s has not been found", name);
        qmp_send_error(q, id, "CommandNotFound", desc);
        return;
    }
    json_t *empty = NULL;
    if (!args)
        args = empty = json_object();
    q->err_class = NULL;
    json_t *ret = NULL;
    if (qmp_check_args(q, cmd, args)) {
        ret = cmd->handler(q, args);
        if (!ret && !q->err_class)
            qmp_error(q, "GenericError", "%s failed", name);
    }
    json_decref(empty);
    qmp_check_state(q); /* QEMU sends STOP/RESUME before the reply */
    if (q->err_class) {
        json_decref(ret);
        qmp_send_error(q, id, q->err_class, q->err_desc);
        return;
    }
    json_t *msg = json_object();
    json_object_set_new(msg, "return", ret);
    if (id)
        json_object_set(msg, "id", id);
    qmp_send(q, msg);
    if (!strcmp(name, "system_powerdown"))
        qmp_event(q, "POWERDOWN", NULL);
}

/* A complete top-level value from the splitter. */
static void qmp_handle_value(Qmp *q)
{
    json_error_t error;
    json_t *value = json_loadb(q->buf, q->len, JSON_DECODE_ANY, &error);
    if (!value) {
        char desc[512];
        snprintf(desc, sizeof(desc), "JSON parse error, %s", error.text);
        qmp_send_error(q, NULL, "GenericError", desc);
        return;
    }
    qmp_dispatch(q, value);
    json_decref(value);
}

static bool qmp_append(Qmp *q, char c)
{
    if (q->len + 1 >= QMP_MAX_REQUEST)
        return false;
    if (q->len + 1 >= q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        char *grown = realloc(q->buf, cap);
        if (!grown)
            return false;
        q->buf = grown;
        q->cap = cap;
    }
    q->buf[q->len++] = c;
    return true;
}

static bool qmp_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void qmp_overflow(Qmp *q, const char *what)
{
    qmp_send_error(q, NULL, "GenericError", what);
    qmp_reset_splitter(q);
    q->skip_line = true;
}

static void qmp_feed_byte(Qmp *q, char c)
{
    if (q->skip_line) {
        if (c == '\n')
            q->skip_line = false;
        return;
    }
    if (q->junk) {
        if (!qmp_is_space(c) && c != '{' && c != '[') {
            if (!qmp_append(q, c))
                qmp_overflow(q, "JSON parse error, input too long");
            return;
        }
        qmp_handle_value(q);
        qmp_reset_splitter(q);
        /* c starts what comes next */
    }
    if (q->depth == 0) {
        if (qmp_is_space(c))
            return;
        q->len = 0;
        if (c == '{' || c == '[')
            q->depth = 1;
        else
            q->junk = true;
        qmp_append(q, c);
        return;
    }
    if (!qmp_append(q, c)) {
        qmp_overflow(q, "JSON parse error, request too large");
        return;
    }
    if (q->in_string) {
        if (q->escape)
            q->escape = false;
        else if (c == '\\')
            q->escape = true;
        else if (c == '"')
            q->in_string = false;
        return;
    }
    if (c == '"') {
        q->in_string = true;
    } else if (c == '{' || c == '[') {
        if (++q->depth > QMP_MAX_DEPTH)
            qmp_overflow(q, "JSON parse error, nesting too deep");
    } else if (c == '}' || c == ']') {
        if (--q->depth == 0) {
            qmp_handle_value(q);
            qmp_reset_splitter(q);
        }
    }
}

void qmp_feed(Qmp *q, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        qmp_feed_byte(q, data[i]);
}

void qmp_poll(Qmp *q)
{
    Chardev *chr = q->chr;
    if (!chr) {
        qmp_check_state(q);
        return;
    }
    qmp_flush(q, 0);
    chardev_poll(chr);
    if (chr->out_fd < 0) {
        q->greeted = false; /* no client: greet the next one */
        chr->input_count = 0;
        qmp_check_state(q);
        return;
    }
    if (!q->greeted || q->connections != chr->connections) {
        q->connections = chr->connections;
        qmp_connect(q);
    }
    qmp_check_state(q);
    /* A replay-seek in progress holds the next requests until it has
     * landed (virt_seek.h), as the HMP does: they see the machine there. */
    for (int rounds = 0; rounds < 64; rounds++) {
        while (chardev_input_available(chr) && !virt_seek_busy(q->m))
            qmp_feed_byte(q, (char)chardev_input_pop(chr));
        if (chardev_input_available(chr))
            break; /* held */
        chardev_poll(chr);
        if (!chardev_input_available(chr) || chr->out_fd < 0 ||
            q->connections != chr->connections)
            break; /* a new client is greeted at the next poll */
    }
    qmp_check_state(q);
}

void qmp_reset_event(Qmp *q, bool guest)
{
    qmp_event(q, "RESET", json_pack("{s:b, s:s}", "guest", guest, "reason",
                                    guest ? "guest-reset" : "host-qmp-system-reset"));
}

void qmp_machine_exit(Qmp *q)
{
    if (q->chr && !q->sink) {
        chardev_poll(q->chr); /* a client that already left is not written to */
        if (q->chr->out_fd < 0 || !q->greeted || q->connections != q->chr->connections)
            return;
    }
    qmp_check_state(q);
    VirtMachine *m = q->m;
    bool guest = false;
    const char *reason = "host-ui";
    if (q->requested == TRACE_REQ_QUIT || q->requested == TRACE_REQ_POWERDOWN) {
        reason = "host-qmp-quit";
    } else if (m->poweroff) {
        guest = true;
        reason = "guest-shutdown";
    } else if (m->reboot) { /* -no-reboot */
        guest = true;
        reason = "guest-reset";
    }
    qmp_event(q, "SHUTDOWN", json_pack("{s:b, s:s}", "guest", guest, "reason", reason));
    qmp_flush(q, 1000); /* the client gets its last replies before deja ends */
}

/* ---- commands -------------------------------------------------------------- */

static bool qmp_replaying(Qmp *q)
{
    return q->m->replay && replay_mode(q->m->replay) == REPLAY_PLAY;
}

json_t *qmp_cmd_capabilities(Qmp *q, json_t *args)
{
    json_t *enable = json_object_get(args, "enable");
    size_t i;
    json_t *cap;
    json_array_foreach(enable, i, cap) {
        if (!json_is_string(cap)) {
            qmp_error(q, "GenericError", "Invalid parameter type for 'enable[%zu]', expected: string", i);
            return NULL;
        }
        qmp_error(q, "GenericError", "Capability '%.128s' not available", json_string_value(cap));
        return NULL;
    }
    q->negotiated = true;
    return json_object();
}

json_t *qmp_cmd_query_status(Qmp *q, json_t *args)
{
    qmp_check_state(q);
    bool paused = q->m->paused;
    const char *status = !paused ? "running" : q->prelaunch ? "prelaunch" : "paused";
    return json_pack("{s:b, s:b, s:s}", "running", !paused, "singlestep", 0, "status", status);
}

json_t *qmp_cmd_query_replay(Qmp *q, json_t *args)
{
    VirtMachine *m = q->m;
    json_t *ret = json_object();
    const char *mode = !m->replay                              ? "none"
                       : replay_mode(m->replay) == REPLAY_RECORD ? "record"
                                                                 : "play";
    json_object_set_new(ret, "mode", json_string(mode));
    if (m->replay && m->config.replay.path)
        json_object_set_new(ret, "filename", json_string(m->config.replay.path));
    json_object_set_new(ret, "icount", json_integer((json_int_t)m->clock.machine_icount));
    return ret;
}

/* An "icount" argument: a non-negative integer. */
static bool qmp_icount_arg(Qmp *q, json_t *args, uint64_t *icount)
{
    json_int_t v = json_integer_value(json_object_get(args, "icount"));
    if (v < 0) {
        qmp_error(q, "GenericError", "Parameter 'icount' expects uint64");
        return false;
    }
    *icount = (uint64_t)v;
    return true;
}

json_t *qmp_cmd_replay_break(Qmp *q, json_t *args)
{
    VirtMachine *m = q->m;
    uint64_t icount;
    if (!qmp_icount_arg(q, args, &icount))
        return NULL;
    if (!qmp_replaying(q)) {
        qmp_error(q, "GenericError", "replay_break can be used only in replay mode");
        return NULL;
    }
    if (icount <= m->clock.machine_icount) {
        qmp_error(q, "GenericError",
                  "cannot set a breakpoint at instruction %" PRIu64 ", in the past (now %" PRIu64 ")",
                  icount, m->clock.machine_icount);
        return NULL;
    }
    m->replay_break = icount;
    return json_object();
}

json_t *qmp_cmd_replay_delete_break(Qmp *q, json_t *args)
{
    if (!qmp_replaying(q)) {
        qmp_error(q, "GenericError", "replay_delete_break can be used only in replay mode");
        return NULL;
    }
    q->m->replay_break = HMP_NO_BREAK;
    return json_object();
}

json_t *qmp_cmd_replay_seek(Qmp *q, json_t *args)
{
    VirtMachine *m = q->m;
    uint64_t icount;
    if (!qmp_icount_arg(q, args, &icount))
        return NULL;
    if (!qmp_replaying(q)) {
        qmp_error(q, "GenericError", "replay_seek can be used only in replay mode");
        return NULL;
    }
    /* As QEMU, the reply comes at once; the machine gets to the target
     * and pauses there (STOP) within the next rounds, and the requests
     * that follow wait for that (qmp_poll). */
    char err[512] = "";
    if (!virt_seek(m, icount, err, sizeof(err))) {
        qmp_error(q, "GenericError", "%s", err[0] ? err : "replay_seek failed");
        return NULL;
    }
    return json_object();
}

json_t *qmp_cmd_stop(Qmp *q, json_t *args)
{
    q->m->paused = true;
    return json_object();
}

json_t *qmp_cmd_cont(Qmp *q, json_t *args)
{
    q->m->paused = false;
    return json_object();
}

/* As the HMP: the board handles (and records) the request at the round
 * boundary; in replay only quit is allowed (it ends the replay). */
static json_t *qmp_request(Qmp *q, const char *name, uint32_t request)
{
    if (qmp_replaying(q) && request != TRACE_REQ_QUIT) {
        qmp_error(q, "GenericError",
                  "%s is not allowed while replaying (the replay takes host requests from the "
                  "trace)",
                  name);
        return NULL;
    }
    q->m->monitor_request = request;
    q->requested = request;
    return json_object();
}

json_t *qmp_cmd_quit(Qmp *q, json_t *args)
{
    return qmp_request(q, "quit", TRACE_REQ_QUIT);
}

json_t *qmp_cmd_system_reset(Qmp *q, json_t *args)
{
    return qmp_request(q, "system_reset", TRACE_REQ_RESET);
}

json_t *qmp_cmd_system_powerdown(Qmp *q, json_t *args)
{
    return qmp_request(q, "system_powerdown", TRACE_REQ_POWERDOWN);
}

json_t *qmp_cmd_human_monitor_command(Qmp *q, json_t *args)
{
    const char *line = json_string_value(json_object_get(args, "command-line"));
    json_t *cpu = json_object_get(args, "cpu-index");
    if (cpu) {
        json_int_t index = json_integer_value(cpu);
        if (index < 0 || index >= q->m->hart_count) {
            qmp_error(q, "GenericError", "Parameter 'cpu-index' expects a CPU index (0 to %d)",
                      q->m->hart_count - 1);
            return NULL;
        }
        char select[32];
        snprintf(select, sizeof(select), "cpu %d", (int)index);
        free(hmp_execute_capture(q->hmp, select));
    }
    if (strchr(line, '\n') || strchr(line, '\r')) {
        qmp_error(q, "GenericError", "Parameter 'command-line' must be a single line");
        return NULL;
    }
    char *text = hmp_execute_capture(q->hmp, line);
    if (!text) {
        qmp_error(q, "GenericError", "out of memory");
        return NULL;
    }
    json_t *ret = json_string(text);
    if (!ret) { /* not UTF-8 (bytes from guest memory): non-ASCII becomes '?' */
        for (char *p = text; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        ret = json_string(text);
    }
    free(text);
    if (!ret)
        qmp_error(q, "GenericError", "cannot encode the command's output");
    return ret;
}

json_t *qmp_cmd_query_commands(Qmp *q, json_t *args)
{
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof(qmp_commands) / sizeof(qmp_commands[0]); i++)
        json_array_append_new(list, json_pack("{s:s}", "name", qmp_commands[i].name));
    return list;
}

json_t *qmp_cmd_query_version(Qmp *q, json_t *args)
{
    return json_pack("{s:{s:i, s:i, s:i}, s:s}", "qemu", "micro", QMP_QEMU_MICRO, "minor",
                     QMP_QEMU_MINOR, "major", QMP_QEMU_MAJOR, "package", QMP_PACKAGE);
}

json_t *qmp_cmd_query_name(Qmp *q, json_t *args)
{
    return json_object(); /* no -name */
}

json_t *qmp_cmd_query_target(Qmp *q, json_t *args)
{
    return json_pack("{s:s}", "arch", "riscv64");
}

json_t *qmp_cmd_query_kvm(Qmp *q, json_t *args)
{
    return json_pack("{s:b, s:b}", "enabled", 0, "present", 0);
}
