/* Character device backends (chardev.h). */
#define _GNU_SOURCE /* accept4, ptsname, cfmakeraw */
#include "host/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* The terminal state to restore: one per process, since stdin is. */
static struct termios saved_termios;
static bool terminal_is_raw;

static void terminal_restore(void)
{
    if (terminal_is_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
        terminal_is_raw = false;
    }
}

static const int terminal_signals[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS
};
#define TERMINAL_SIGNAL_COUNT (sizeof(terminal_signals) / sizeof(terminal_signals[0]))
static struct sigaction previous_actions[TERMINAL_SIGNAL_COUNT];

/* Restores the terminal, then hands the signal to whoever handled it
 * before (the default action, or a sanitizer's crash reporter). */
static void terminal_signal(int sig)
{
    if (terminal_is_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios); /* async-signal-safe */
    for (size_t i = 0; i < TERMINAL_SIGNAL_COUNT; i++) {
        if (terminal_signals[i] == sig) {
            sigaction(sig, &previous_actions[i], NULL);
            break;
        }
    }
    /* A fault re-executes the instruction and reaches the previous handler
     * by itself; an asynchronous signal is sent again. */
    if (sig != SIGSEGV && sig != SIGBUS)
        raise(sig);
}

static void terminal_make_raw(bool keep_signals)
{
    if (terminal_is_raw || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios))
        return;
    struct termios raw = saved_termios;
    raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_oflag |= OPOST; /* keep \n -> \r\n for the host terminal */
    raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
    if (!keep_signals)
        raw.c_lflag &= ~(tcflag_t)ISIG;
    raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
        return;
    terminal_is_raw = true;
    static bool hooks_installed;
    if (!hooks_installed) {
        hooks_installed = true;
        atexit(terminal_restore);
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = terminal_signal;
        sigemptyset(&action.sa_mask);
        for (size_t i = 0; i < TERMINAL_SIGNAL_COUNT; i++)
            sigaction(terminal_signals[i], &action, &previous_actions[i]);
    }
}

/* A parsed backend description, common to -serial and -chardev. */
typedef struct ChardevSpec {
    ChardevKind kind;
    bool mux;
    bool is_unix;      /* socket: unix:PATH rather than tcp:HOST:PORT */
    bool server, wait; /* socket */
    char path[1024];   /* file, unix socket */
    char host[256];    /* tcp */
    char port[32];     /* tcp */
} ChardevSpec;

/* Copies src[0..len) into dst (size dst_size); false if it does not fit. */
static bool copy_text(char *dst, size_t dst_size, const char *src, size_t len)
{
    if (len >= dst_size)
        return false;
    memcpy(dst, src, len);
    dst[len] = 0;
    return true;
}

/* Splits the next comma-separated item of *cursor into buf (",," is a
 * literal comma, as in QEMU). Returns 1 with an item, 0 at the end, -1 if
 * the item does not fit in buf: a path cut short would silently name
 * another file. */
static int chardev_next_item(const char **cursor, char *buf, size_t buf_size)
{
    const char *p = *cursor;
    if (!p || !*p)
        return 0;
    size_t n = 0;
    bool too_long = false;
    while (*p) {
        if (*p == ',') {
            if (p[1] != ',') {
                p++;
                break;
            }
            p++;
        }
        if (n + 1 < buf_size)
            buf[n++] = *p;
        else
            too_long = true;
        p++;
    }
    buf[n] = 0;
    *cursor = p;
    return too_long ? -1 : 1;
}

static bool parse_on_off(const char *value, bool *out)
{
    if (!strcmp(value, "on") || !strcmp(value, "yes") || !strcmp(value, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "no") || !strcmp(value, "false")) {
        *out = false;
        return true;
    }
    return false;
}

/* Socket flags shared by both syntaxes: "server", "nowait", "server=on",
 * "wait=off", "nodelay" (accepted: deja writes whole bursts anyway).
 * Returns false with a message for anything else. */
static bool parse_socket_flag(ChardevSpec *spec, const char *item, char *err, size_t err_size)
{
    const char *eq = strchr(item, '=');
    size_t name_len = eq ? (size_t)(eq - item) : strlen(item);
    bool value = true;
    if (eq && !parse_on_off(eq + 1, &value)) {
        snprintf(err, err_size, "'%s': use on or off", item);
        return false;
    }
    if (name_len == 6 && !strncmp(item, "server", 6)) {
        spec->server = value;
    } else if (name_len == 4 && !strncmp(item, "wait", 4)) {
        spec->wait = value;
    } else if (!eq && !strcmp(item, "nowait")) {
        spec->wait = false;
    } else if (name_len == 7 && !strncmp(item, "nodelay", 7)) {
        /* accepted */
    } else {
        snprintf(err, err_size,
                 "socket option '%s' is not supported (use server, nowait, "
                 "server=on|off, wait=on|off)",
                 item);
        return false;
    }
    return true;
}

/* "HOST:PORT" (HOST may be empty or [IPv6]) into spec->host and port. */
static bool parse_host_port(ChardevSpec *spec, const char *address, char *err, size_t err_size)
{
    const char *colon = strrchr(address, ':');
    if (!colon || !colon[1]) {
        snprintf(err, err_size, "'%s' needs HOST:PORT (e.g. tcp::4444 or tcp:127.0.0.1:4444)",
                 address);
        return false;
    }
    const char *host = address;
    size_t host_len = (size_t)(colon - address);
    if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    }
    if (!copy_text(spec->host, sizeof(spec->host), host, host_len) ||
        !copy_text(spec->port, sizeof(spec->port), colon + 1, strlen(colon + 1))) {
        snprintf(err, err_size, "address '%s' is too long", address);
        return false;
    }
    return true;
}

/* -serial syntax. */
static bool parse_serial_spec(ChardevSpec *spec, const char *text, bool mux, char *err,
                              size_t err_size)
{
    memset(spec, 0, sizeof(*spec));
    spec->mux = mux;
    spec->wait = true;
    if (strncmp(text, "mon:", 4) == 0) {
        text += 4;
        spec->mux = true;
    }
    if (!strcmp(text, "null") || !strcmp(text, "none")) {
        spec->kind = CHARDEV_NULL;
        return true;
    }
    if (!strcmp(text, "stdio")) {
        spec->kind = CHARDEV_STDIO;
        return true;
    }
    if (!strcmp(text, "pty")) {
        spec->kind = CHARDEV_PTY;
        return true;
    }
    if (strncmp(text, "file:", 5) == 0) {
        spec->kind = CHARDEV_FILE;
        if (!text[5]) {
            snprintf(err, err_size, "file: needs a path (file:PATH)");
            return false;
        }
        if (!copy_text(spec->path, sizeof(spec->path), text + 5, strlen(text + 5))) {
            snprintf(err, err_size, "path too long");
            return false;
        }
        return true;
    }
    bool is_tcp = strncmp(text, "tcp:", 4) == 0;
    if (is_tcp || strncmp(text, "unix:", 5) == 0) {
        spec->kind = CHARDEV_SOCKET;
        spec->is_unix = !is_tcp;
        char item[1024];
        const char *cursor = text + (is_tcp ? 4 : 5);
        int got = chardev_next_item(&cursor, item, sizeof(item));
        const char *address = item;
        if (got < 0) {
            snprintf(err, err_size, "address too long");
            return false;
        }
        if (got == 0 || !*address) {
            snprintf(err, err_size, is_tcp ? "tcp: needs HOST:PORT" : "unix: needs a path");
            return false;
        }
        if (is_tcp) {
            if (!parse_host_port(spec, address, err, err_size))
                return false;
        } else if (!copy_text(spec->path, sizeof(spec->path), address, strlen(address))) {
            snprintf(err, err_size, "path too long");
            return false;
        }
        while ((got = chardev_next_item(&cursor, item, sizeof(item))) != 0) {
            if (got < 0) {
                snprintf(err, err_size, "option too long");
                return false;
            }
            if (!parse_socket_flag(spec, item, err, err_size))
                return false;
        }
        return true;
    }
    if (strncmp(text, "chardev:", 8) == 0) {
        snprintf(err, err_size, "chardev:ID must be resolved by the caller");
        return false;
    }
    const char *colon = strchr(text, ':');
    int name_len = colon ? (int)(colon - text) : (int)strlen(text);
    snprintf(err, err_size,
             "character backend '%.*s' is not supported (use stdio, null, file:PATH, pty, "
             "tcp:HOST:PORT,server,nowait, unix:PATH,server,nowait or chardev:ID)",
             name_len, text);
    return false;
}

/* -chardev syntax; the id goes to id (size id_size). */
static bool parse_chardev_definition(ChardevSpec *spec, const char *text, char *id, size_t id_size,
                                     char *err, size_t err_size)
{
    memset(spec, 0, sizeof(*spec));
    spec->wait = true;
    id[0] = 0;
    char item[1024], backend[sizeof(item)];
    const char *cursor = text;
    if (chardev_next_item(&cursor, item, sizeof(item)) != 1 || !*item) {
        snprintf(err, err_size, "needs a backend (stdio, null, file, pty, socket)");
        return false;
    }
    snprintf(backend, sizeof(backend), "%s", item);
    if (!strcmp(backend, "null")) {
        spec->kind = CHARDEV_NULL;
    } else if (!strcmp(backend, "stdio")) {
        spec->kind = CHARDEV_STDIO;
    } else if (!strcmp(backend, "file")) {
        spec->kind = CHARDEV_FILE;
    } else if (!strcmp(backend, "pty")) {
        spec->kind = CHARDEV_PTY;
    } else if (!strcmp(backend, "socket")) {
        spec->kind = CHARDEV_SOCKET;
    } else {
        snprintf(err, err_size,
                 "backend '%s' is not supported (use stdio, null, file, pty or socket)", backend);
        return false;
    }
    bool have_path = false, have_port = false;
    int got;
    while ((got = chardev_next_item(&cursor, item, sizeof(item))) != 0) {
        if (got < 0) {
            snprintf(err, err_size, "option '%.40s...' is too long", item);
            return false;
        }
        const char *value = strchr(item, '=');
        value = value ? value + 1 : "";
        bool ok = true;
        if (!strncmp(item, "id=", 3)) {
            ok = *value && copy_text(id, id_size, value, strlen(value));
        } else if (!strncmp(item, "path=", 5) &&
                   (spec->kind == CHARDEV_FILE || spec->kind == CHARDEV_SOCKET)) {
            ok = *value && copy_text(spec->path, sizeof(spec->path), value, strlen(value));
            have_path = true;
        } else if (!strncmp(item, "host=", 5) && spec->kind == CHARDEV_SOCKET) {
            ok = copy_text(spec->host, sizeof(spec->host), value, strlen(value));
        } else if (!strncmp(item, "port=", 5) && spec->kind == CHARDEV_SOCKET) {
            ok = *value && copy_text(spec->port, sizeof(spec->port), value, strlen(value));
            have_port = true;
        } else if (!strncmp(item, "mux=", 4) && spec->kind == CHARDEV_STDIO) {
            ok = parse_on_off(value, &spec->mux);
        } else if (!strncmp(item, "signal=", 7) && spec->kind == CHARDEV_STDIO) {
            bool unused;
            ok = parse_on_off(value, &unused);
        } else if (spec->kind == CHARDEV_SOCKET) {
            if (!parse_socket_flag(spec, item, err, err_size))
                return false;
        } else {
            snprintf(err, err_size, "option '%s' is not supported by the %s backend", item,
                     backend);
            return false;
        }
        if (!ok) {
            snprintf(err, err_size, "bad value in '%s'", item);
            return false;
        }
    }
    if (!id[0]) {
        snprintf(err, err_size, "missing id=ID");
        return false;
    }
    if (spec->kind == CHARDEV_FILE && !have_path) {
        snprintf(err, err_size, "file backend needs path=FILE");
        return false;
    }
    if (spec->kind == CHARDEV_SOCKET) {
        if (have_path == have_port) {
            snprintf(err, err_size, "socket backend needs either path=PATH or port=N");
            return false;
        }
        spec->is_unix = have_path;
    }
    return true;
}

static bool set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static void chardev_socket_disconnect(Chardev *chr)
{
    if (chr->in_fd >= 0)
        close(chr->in_fd);
    chr->in_fd = chr->out_fd = -1;
}

/* Takes a waiting client, if any (never blocks). */
static void chardev_socket_accept(Chardev *chr)
{
    if (chr->listen_fd < 0 || chr->in_fd >= 0)
        return;
    int fd = accept4(chr->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    chr->in_fd = chr->out_fd = fd;
    chr->connections++;
}

static bool chardev_open_pty(Chardev *chr, char *err, size_t err_size)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) || unlockpt(master)) {
        snprintf(err, err_size, "cannot create a pty: %s", strerror(errno));
        if (master >= 0)
            close(master);
        return false;
    }
    const char *slave_name = ptsname(master);
    int slave = slave_name ? open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (slave < 0) {
        snprintf(err, err_size, "cannot open the pty's slave: %s", strerror(errno));
        close(master);
        return false;
    }
    /* Raw, as a serial line: no echo back into the guest, no line editing. */
    struct termios tio;
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(slave, TCSANOW, &tio);
    }
    set_nonblocking(master);
    chr->in_fd = chr->out_fd = master;
    chr->pty_slave_fd = slave;
    chr->drop_when_full = true;
    /* QEMU's message, which scripts parse to find the device. */
    fprintf(stderr, "char device redirected to %s (label %s)\n", slave_name, chr->id);
    return true;
}

static bool chardev_open_socket(Chardev *chr, const ChardevSpec *spec, char *err, size_t err_size)
{
    int fd = -1;
    chr->drop_when_full = true;
    if (spec->is_unix) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        if (strlen(spec->path) >= sizeof(addr.sun_path)) {
            snprintf(err, err_size, "socket path '%s' is too long", spec->path);
            return false;
        }
        strcpy(addr.sun_path, spec->path);
        snprintf(chr->address, sizeof(chr->address), "unix:%s", spec->path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            snprintf(err, err_size, "socket: %s", strerror(errno));
            return false;
        }
        if (spec->server) {
            /* A stale socket file from an earlier run would make bind fail. */
            struct stat st;
            if (stat(spec->path, &st) == 0 && S_ISSOCK(st.st_mode))
                unlink(spec->path);
            if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1)) {
                snprintf(err, err_size, "cannot listen on %s: %s", spec->path, strerror(errno));
                close(fd);
                return false;
            }
        } else if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
            snprintf(err, err_size, "cannot connect to %s: %s", spec->path, strerror(errno));
            close(fd);
            return false;
        }
    } else {
        const char *host = spec->host[0] ? spec->host : "127.0.0.1";
        char *end;
        unsigned long port = strtoul(spec->port, &end, 10);
        if (!spec->port[0] || *end || port > 65535 || (port == 0 && !spec->server)) {
            snprintf(err, err_size, "'%s' is not a port number", spec->port);
            return false;
        }
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
        struct addrinfo *list;
        int gai = getaddrinfo(host, spec->port, &hints, &list);
        if (gai) {
            snprintf(err, err_size, "cannot resolve host '%s': %s", host, gai_strerror(gai));
            return false;
        }
        int saved_errno = 0;
        for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                saved_errno = errno;
                continue;
            }
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            bool ok = spec->server ? !bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 1)
                                   : !connect(fd, ai->ai_addr, ai->ai_addrlen);
            if (!ok) {
                saved_errno = errno;
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(list);
        snprintf(chr->address, sizeof(chr->address), "tcp:%s:%s", host, spec->port);
        if (fd < 0) {
            snprintf(err, err_size, "cannot %s %s:%s: %s",
                     spec->server ? "listen on" : "connect to", host, spec->port,
                     strerror(saved_errno));
            return false;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (!spec->server) {
        set_nonblocking(fd);
        chr->in_fd = chr->out_fd = fd;
        return true;
    }
    set_nonblocking(fd);
    chr->listen_fd = fd;
    if (spec->wait) {
        /* QEMU's wait=on: the machine does not start before a client. */
        fprintf(stderr, "deja: waiting for connection on: disconnected:%s,server=on\n",
                chr->address);
        while (chr->in_fd < 0) {
            struct pollfd p = { .fd = fd, .events = POLLIN };
            if (poll(&p, 1, -1) < 0 && errno != EINTR) {
                snprintf(err, err_size, "waiting for a client: %s", strerror(errno));
                return false;
            }
            chardev_socket_accept(chr);
        }
    }
    return true;
}

/* A reader that goes away (deja ... | head, a FIFO given as file:PATH)
 * must not kill deja with SIGPIPE in the middle of a recording: write_all
 * then sees EPIPE and drops the output, as an unplugged cable would.
 * Sockets use MSG_NOSIGNAL instead. A handler someone installed is kept. */
static void chardev_ignore_sigpipe(void)
{
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
        !(old.sa_flags & SA_SIGINFO))
        signal(SIGPIPE, SIG_IGN);
}

static bool chardev_open_spec(Chardev *chr, const ChardevSpec *spec, char *err, size_t err_size)
{
    chr->kind = spec->kind;
    if (spec->kind == CHARDEV_STDIO || spec->kind == CHARDEV_FILE)
        chardev_ignore_sigpipe();
    switch (spec->kind) {
    case CHARDEV_NULL:
        return true;
    case CHARDEV_STDIO:
        chr->in_fd = STDIN_FILENO;
        chr->out_fd = STDOUT_FILENO;
        chr->mux = spec->mux;
        terminal_make_raw(!spec->mux);
        return true;
    case CHARDEV_FILE: {
        int fd = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            snprintf(err, err_size, "cannot open '%s': %s", spec->path, strerror(errno));
            return false;
        }
        chr->out_fd = fd;
        return true;
    }
    case CHARDEV_PTY:
        return chardev_open_pty(chr, err, err_size);
    case CHARDEV_SOCKET:
        return chardev_open_socket(chr, spec, err, err_size);
    }
    return false;
}

static void chardev_init(Chardev *chr)
{
    memset(chr, 0, sizeof(*chr));
    chr->in_fd = chr->out_fd = chr->listen_fd = chr->pty_slave_fd = -1;
}

bool chardev_open(Chardev *chr, const char *spec, const char *label, bool mux, char *err,
                  size_t err_size)
{
    chardev_init(chr);
    snprintf(chr->id, sizeof(chr->id), "%s", label);
    ChardevSpec parsed;
    return parse_serial_spec(&parsed, spec, mux, err, err_size) &&
           chardev_open_spec(chr, &parsed, err, err_size);
}

bool chardev_open_definition(Chardev *chr, const char *definition, char *err, size_t err_size)
{
    chardev_init(chr);
    ChardevSpec parsed;
    return parse_chardev_definition(&parsed, definition, chr->id, sizeof(chr->id), err, err_size) &&
           chardev_open_spec(chr, &parsed, err, err_size);
}

void chardev_close(Chardev *chr)
{
    switch (chr->kind) {
    case CHARDEV_FILE:
        if (chr->out_fd >= 0)
            close(chr->out_fd);
        break;
    case CHARDEV_STDIO:
        terminal_restore();
        break;
    case CHARDEV_PTY:
    case CHARDEV_SOCKET:
        if (chr->in_fd >= 0)
            close(chr->in_fd);
        break;
    case CHARDEV_NULL:
        break;
    }
    if (chr->listen_fd >= 0) {
        close(chr->listen_fd);
        /* As QEMU: a unix server removes its socket file when it goes. */
        if (!strncmp(chr->address, "unix:", 5))
            unlink(chr->address + 5);
    }
    if (chr->pty_slave_fd >= 0)
        close(chr->pty_slave_fd);
    chr->in_fd = chr->out_fd = chr->listen_fd = chr->pty_slave_fd = -1;
}

static void write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                poll(&p, 1, 100);
                continue;
            }
            return; /* output gone (closed pipe...): drop, as a cable unplugged */
        }
        data += n;
        len -= (size_t)n;
    }
}

/* pty and socket peers may stop reading or go away: what does not fit now
 * is dropped (a serial line has no flow control here), and a socket whose
 * peer left is closed, so that the server can accept the next client. */
static void chardev_write_lossy(Chardev *chr, const uint8_t *data, size_t len)
{
    while (len > 0 && chr->out_fd >= 0) {
        ssize_t n = chr->kind == CHARDEV_SOCKET ? send(chr->out_fd, data, len, MSG_NOSIGNAL)
                                                : write(chr->out_fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && chr->kind == CHARDEV_SOCKET)
                chardev_socket_disconnect(chr);
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

void chardev_write(Chardev *chr, const uint8_t *data, size_t len)
{
    if (chr->out_fd < 0)
        return;
    if (chr->drop_when_full)
        chardev_write_lossy(chr, data, len);
    else
        write_all(chr->out_fd, data, len);
}

static void chardev_push_input(Chardev *chr, uint8_t byte)
{
    if (chr->input_count == CHARDEV_INPUT_BUFFER)
        return;
    chr->input[(chr->input_head + chr->input_count) % CHARDEV_INPUT_BUFFER] = byte;
    chr->input_count++;
}

static void chardev_mux_help(Chardev *chr)
{
    /* The terminal keeps OPOST, so \n is enough. */
    static const char help[] = "\nC-a h    print this help\n"
                               "C-a x    exit emulator\n"
                               "C-a c    switch between console and monitor\n"
                               "C-a C-a  sends C-a\n";
    chardev_write(chr, (const uint8_t *)help, sizeof(help) - 1);
}

/* Ctrl-A escape handling for the -nographic console. */
static void chardev_mux_byte(Chardev *chr, uint8_t byte)
{
    enum { CTRL_A = 0x01 };
    if (!chr->mux_escape) {
        if (byte == CTRL_A)
            chr->mux_escape = true;
        else if (chr->mux_monitor_focus && chr->monitor_input_count < sizeof(chr->monitor_input))
            chr->monitor_input[chr->monitor_input_count++] = byte;
        else if (!chr->mux_monitor_focus)
            chardev_push_input(chr, byte);
        return;
    }
    chr->mux_escape = false;
    switch (byte) {
    case CTRL_A:
        chardev_push_input(chr, CTRL_A);
        break;
    case 'x':
    case 'X':
        chr->quit_requested = true;
        break;
    case 'h':
    case 'H':
    case '?':
        chardev_mux_help(chr);
        break;
    case 'c':
    case 'C':
        if (chr->mux_monitor_attached)
            chr->mux_monitor_focus = !chr->mux_monitor_focus;
        break;
    default:
        break; /* unknown escapes are swallowed */
    }
}

void chardev_poll(Chardev *chr)
{
    if (chr->kind == CHARDEV_SOCKET)
        chardev_socket_accept(chr);
    if (chr->in_fd < 0)
        return;
    while (chr->input_count < CHARDEV_INPUT_BUFFER) {
        struct pollfd p = { .fd = chr->in_fd, .events = POLLIN };
        if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
            return;
        uint8_t buf[256];
        size_t room = CHARDEV_INPUT_BUFFER - chr->input_count;
        ssize_t n = read(chr->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (n <= 0) {
            if (chr->kind == CHARDEV_SOCKET) {
                /* The client left: the server takes the next one. */
                chardev_socket_disconnect(chr);
                chardev_socket_accept(chr);
                if (chr->in_fd >= 0)
                    continue;
                return;
            }
            if (chr->kind == CHARDEV_PTY)
                return;      /* EIO without a reader; cannot happen while the slave is held */
            chr->in_fd = -1; /* end of input: no more to come */
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (chr->mux)
                chardev_mux_byte(chr, buf[i]);
            else
                chardev_push_input(chr, buf[i]);
        }
    }
}

bool chardev_has_input_source(const Chardev *chr)
{
    return chr->in_fd >= 0 || chr->listen_fd >= 0;
}

bool chardev_wait_any(Chardev *const *chrs, int count, int timeout_ms)
{
    struct pollfd fds[16];
    int nfds = 0;
    for (int i = 0; i < count && nfds < (int)(sizeof(fds) / sizeof(fds[0])); i++) {
        const Chardev *chr = chrs[i];
        if (!chr)
            continue;
        /* A connected client is read; a server without one waits for one. */
        int fd = chr->in_fd >= 0 ? chr->in_fd : chr->listen_fd;
        if (fd >= 0)
            fds[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
    }
    if (nfds == 0) {
        if (timeout_ms < 0) {
            pause(); /* only a signal can end a hang with no input source */
            return false;
        }
        struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
        nanosleep(&ts, NULL);
        return false;
    }
    return poll(fds, (nfds_t)nfds, timeout_ms) > 0;
}

bool chardev_wait(Chardev *chr, int timeout_ms)
{
    return chardev_wait_any(&chr, 1, timeout_ms);
}

size_t chardev_input_available(const Chardev *chr)
{
    return chr->input_count;
}

uint8_t chardev_input_pop(Chardev *chr)
{
    if (chr->input_count == 0)
        return 0;
    uint8_t byte = chr->input[chr->input_head];
    chr->input_head = (chr->input_head + 1) % CHARDEV_INPUT_BUFFER;
    chr->input_count--;
    return byte;
}
