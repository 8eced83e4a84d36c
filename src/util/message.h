/* The two ways deja reports a problem: formatted into a caller's buffer
 * (a function that can fail fills `err` and its caller adds context), or
 * printed as one "deja: ..." line on stderr by the code that gives up. */
#ifndef DEJA_MESSAGE_H
#define DEJA_MESSAGE_H

#include <stddef.h>

/* vsnprintf into err (always NUL-terminated when err_len > 0). */
void message_format(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints "deja: " + the message + a newline on stderr. */
void message_print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
