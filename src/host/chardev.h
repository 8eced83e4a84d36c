/* Character device backends for the serial ports: stdio, null, file, pty,
 * and tcp/unix sockets (server or client), in QEMU's -serial and -chardev
 * syntax (docs/cli.md).
 *
 * Input is never read by another thread: the board polls it between hart
 * slices (chardev_poll, non-blocking) and moves bytes from the chardev's
 * buffer into the UART only when the UART has room. With mux (the
 * -nographic stdio), Ctrl-A is an escape: Ctrl-A x quits, Ctrl-A h prints
 * help, Ctrl-A Ctrl-A sends one Ctrl-A to the guest. */
#ifndef DEJA_CHARDEV_H
#define DEJA_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHARDEV_INPUT_BUFFER 4096

typedef enum ChardevKind {
    CHARDEV_NULL,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_PTY,
    CHARDEV_SOCKET,
} ChardevKind;

typedef struct Chardev {
    ChardevKind kind;
    int in_fd;           /* -1: no input (or input ended, or no client connected) */
    int out_fd;          /* -1: output discarded */
    int listen_fd;       /* socket server: the listening socket; else -1 */
    int pty_slave_fd;    /* pty: kept open so the master never sees a hangup */
    bool drop_when_full; /* pty, socket: a peer that does not read loses output */
    char id[64];         /* -chardev id=, or "serialN" for -serial */
    char address[1100];  /* socket: "tcp:127.0.0.1:4444" or "unix:PATH", for messages */
    unsigned connections; /* socket server: clients accepted so far (QMP greets each) */
    bool mux;
    bool mux_escape; /* the previous input byte was Ctrl-A */
    bool quit_requested;
    /* mux with a monitor attached (src/monitor/hmp.c): Ctrl-A c moves the
     * keyboard between the serial port and the monitor; while the monitor
     * has it, typed bytes go to monitor_input instead of input. */
    bool mux_monitor_attached;
    bool mux_monitor_focus;
    uint8_t monitor_input[256];
    size_t monitor_input_count;
    uint8_t input[CHARDEV_INPUT_BUFFER];
    size_t input_head, input_count;
} Chardev;

/* Opens a QEMU -serial backend: "stdio", "mon:stdio", "null", "none",
 * "file:PATH", "pty", "tcp:[HOST]:PORT[,server][,nowait]",
 * "unix:PATH[,server][,nowait]" (also server=on|off, wait=on|off). label
 * names it in messages ("serial0"). On error writes a message to err and
 * returns false. With mux, stdio gets the Ctrl-A escapes and the terminal
 * does not turn Ctrl-C into SIGINT (the guest gets it), as QEMU
 * -nographic does. A socket server without nowait blocks here until a
 * client connects; "chardev:ID" is resolved by the caller, not here. */
bool chardev_open(Chardev *chr, const char *spec, const char *label, bool mux, char *err,
                  size_t err_size);
/* Opens a QEMU -chardev definition: "BACKEND,id=ID[,path=P][,host=H]
 * [,port=N][,server=on|off][,wait=on|off][,mux=on|off]" with BACKEND one
 * of stdio, null, file, pty, socket; the id is stored in chr->id. */
bool chardev_open_definition(Chardev *chr, const char *definition, char *err, size_t err_size);
void chardev_close(Chardev *chr);

void chardev_write(Chardev *chr, const uint8_t *data, size_t len);
/* Reads what input is available now (never blocks) into the buffer. */
void chardev_poll(Chardev *chr);
/* Waits up to timeout_ms (-1: forever) for input to be readable; returns
 * true if some may be. Without an input source it just sleeps. */
bool chardev_wait(Chardev *chr, int timeout_ms);
/* The same over several chardevs (NULL entries are skipped). */
bool chardev_wait_any(Chardev *const *chrs, int count, int timeout_ms);
bool chardev_has_input_source(const Chardev *chr);
size_t chardev_input_available(const Chardev *chr);
uint8_t chardev_input_pop(Chardev *chr);

#endif
