/* Character device backends (chardev.h). */
#include "host/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

bool chardev_open(Chardev *chr, const char *spec, bool mux, char *err, size_t err_size)
{
    memset(chr, 0, sizeof(*chr));
    chr->in_fd = -1;
    chr->out_fd = -1;
    if (strcmp(spec, "mon:stdio") == 0) {
        spec = "stdio";
        mux = true;
    }
    if (strcmp(spec, "null") == 0 || strcmp(spec, "none") == 0) {
        chr->kind = CHARDEV_NULL;
        return true;
    }
    if (strcmp(spec, "stdio") == 0) {
        chr->kind = CHARDEV_STDIO;
        chr->in_fd = STDIN_FILENO;
        chr->out_fd = STDOUT_FILENO;
        chr->mux = mux;
        terminal_make_raw(!mux);
        return true;
    }
    if (strncmp(spec, "file:", 5) == 0) {
        const char *path = spec + 5;
        if (!*path) {
            snprintf(err, err_size, "file: needs a path (file:PATH)");
            return false;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
            return false;
        }
        chr->kind = CHARDEV_FILE;
        chr->out_fd = fd;
        return true;
    }
    const char *colon = strchr(spec, ':');
    int name_len = colon ? (int)(colon - spec) : (int)strlen(spec);
    snprintf(err, err_size,
             "character backend '%.*s' is not supported (use stdio, null or file:PATH)", name_len,
             spec);
    return false;
}

void chardev_close(Chardev *chr)
{
    if (chr->kind == CHARDEV_FILE && chr->out_fd >= 0)
        close(chr->out_fd);
    if (chr->kind == CHARDEV_STDIO)
        terminal_restore();
    chr->in_fd = chr->out_fd = -1;
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

void chardev_write(Chardev *chr, const uint8_t *data, size_t len)
{
    if (chr->out_fd >= 0)
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
        else
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
    default:
        break; /* unknown escapes are swallowed */
    }
}

void chardev_poll(Chardev *chr)
{
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
    return chr->in_fd >= 0;
}

bool chardev_wait(Chardev *chr, int timeout_ms)
{
    if (chr->in_fd < 0) {
        if (timeout_ms < 0) {
            pause(); /* only a signal can end a hang with no input source */
            return false;
        }
        struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
        nanosleep(&ts, NULL);
        return false;
    }
    struct pollfd p = { .fd = chr->in_fd, .events = POLLIN };
    return poll(&p, 1, timeout_ms) > 0;
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
