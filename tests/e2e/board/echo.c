/* Echoes UART input as <c> (for the Ctrl-A mux test). */
#define UART ((volatile unsigned char *)0x10000000)
static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = c; }
void main(void) {
    for (const char *s = "echo ready\n"; *s; s++) putc_(*s);
    for (;;) { if (UART[5] & 1) { char c = UART[0]; putc_('<'); putc_(c); putc_('>'); } }
}
