/* The finisher reset (0x7777) restarts the machine with RAM kept: a
 * counter outside the image counts resets; exits with status 2. */
#define UART ((volatile unsigned char *)0x10000000)
#define TEST ((volatile unsigned int *)0x100000)
static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = c; }
void main(void) {
    volatile unsigned long *counter = (volatile unsigned long *)0x80100000;
    putc_('0' + (char)*counter);
    if (*counter < 2) { (*counter)++; *TEST = 0x7777; }
    putc_('\n');
    *TEST = (unsigned)(*counter << 16) | 0x3333;
    for (;;) ;
}
