/* Character device backends for the serial port: stdio, null, file:PATH.
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

typedef enum ChardevKind { CHARDEV_NULL, CHARDEV_STDIO, CHARDEV_FILE } ChardevKind;

typedef struct Chardev {
    ChardevKind kind;
    int in_fd;  /* -1: no input (or input ended) */
    int out_fd; /* -1: output discarded */
    bool mux;
    bool mux_escape; /* the previous input byte was Ctrl-A */
    bool quit_requested;
    uint8_t input[CHARDEV_INPUT_BUFFER];
    size_t input_head, input_count;
} Chardev;

/* Parses a QEMU -serial/-chardev backend ("stdio", "null", "file:PATH",
 * "mon:stdio"). On error writes a message to err and returns false. With
 * mux, stdio gets the Ctrl-A escapes and the terminal does not turn
 * Ctrl-C into SIGINT (the guest gets it), as QEMU -nographic does. */
bool chardev_open(Chardev *chr, const char *spec, bool mux, char *err, size_t err_size);
void chardev_close(Chardev *chr);

void chardev_write(Chardev *chr, const uint8_t *data, size_t len);
/* Reads what input is available now (never blocks) into the buffer. */
void chardev_poll(Chardev *chr);
/* Waits up to timeout_ms (-1: forever) for input to be readable; returns
 * true if some may be. Without an input source it just sleeps. */
bool chardev_wait(Chardev *chr, int timeout_ms);
bool chardev_has_input_source(const Chardev *chr);
size_t chardev_input_available(const Chardev *chr);
uint8_t chardev_input_pop(Chardev *chr);

#endif
