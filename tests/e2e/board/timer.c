/* CLINT timer interrupts (5 ticks of 10000 mtime) and UART receive
 * interrupts through the PLIC; exits 0. */
#define UART ((volatile unsigned char *)0x10000000)
#define TEST ((volatile unsigned int *)0x100000)
#define MTIME (*(volatile unsigned long *)0x200bff8)
#define MTIMECMP (*(volatile unsigned long *)0x2004000)
#define PLIC ((volatile unsigned int *)0xc000000)
static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(unsigned long v) { for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]); putc_('\n'); }
volatile int ticks;
volatile int got;
void __attribute__((interrupt("machine"), aligned(4))) handler(void) {
    unsigned long cause; asm volatile("csrr %0, mcause" : "=r"(cause));
    if (cause == ((1ul << 63) | 7)) { ticks++; MTIMECMP = MTIME + 10000; }
    else if (cause == ((1ul << 63) | 11)) {
        unsigned int id = PLIC[0x200004 / 4];
        while (UART[5] & 1) { char c = UART[0]; got++; putc_('['); putc_(c); putc_(']'); }
        PLIC[0x200004 / 4] = id;
    } else { puts_("unexpected cause "); puthex(cause); *TEST = (3 << 16) | 0x3333; }
}
void main(unsigned long hartid, unsigned long dtb) {
    asm volatile("csrw mtvec, %0" :: "r"(handler));
    PLIC[10] = 1; PLIC[0x2000 / 4] = 1 << 10; PLIC[0x200000 / 4] = 0;
    UART[1] = 1; /* RDA */
    unsigned long start = MTIME;
    MTIMECMP = MTIME + 10000;
    asm volatile("csrs mie, %0" :: "r"((1ul << 7) | (1ul << 11)));
    asm volatile("csrs mstatus, 8");
    while (ticks < 5) asm volatile("wfi");
    unsigned long end = MTIME;
    puts_("ticks done, elapsed mtime: "); puthex(end - start);
    if (got) { puts_("got input\n"); }
    *TEST = 0x5555;
    for (;;) ;
}
