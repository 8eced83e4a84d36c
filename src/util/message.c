#include "util/message.h"

#include <stdarg.h>
#include <stdio.h>

void message_format(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void message_print_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("deja: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
