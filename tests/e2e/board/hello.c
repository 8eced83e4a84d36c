/* Prints through the UART, checks a1 points at a device tree and that
 * time advances, then exits through the finisher with status 7. */
#define UART ((volatile unsigned char *)0x10000000)
#define TEST ((volatile unsigned int *)0x100000)
static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
void main(unsigned long hartid, unsigned long dtb) {
    puts_("Hello from deja\n");
    unsigned int magic = *(volatile unsigned int *)dtb;
    if (magic == 0xedfe0dd0) puts_("dtb ok\n");
    unsigned long t0, t1;
    asm volatile("rdtime %0" : "=r"(t0));
    for (volatile int i = 0; i < 100000; i++) ;
    asm volatile("rdtime %0" : "=r"(t1));
    if (t1 > t0) puts_("time advances\n");
    *TEST = (7 << 16) | 0x3333;
    for (;;) ;
}
