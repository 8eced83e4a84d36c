/* Guest for tests/e2e/replay_seek.sh and bench/seek.sh: a long bare-metal
 * run that keeps changing RAM (pseudo-random words over 4 MiB), takes
 * timer interrupts (the clock and interrupt state change too) and prints a
 * checksum line now and then; powers off with status 0 after ROUNDS. */
#define UART ((volatile unsigned char *)0x10000000)
#define TEST ((volatile unsigned int *)0x100000)
#define MTIME (*(volatile unsigned long *)0x200bff8)
#define MTIMECMP (*(volatile unsigned long *)0x2004000)
#ifndef ROUNDS
#define ROUNDS 40
#endif
#define WORDS (4u << 20) / 8
static unsigned long buf[WORDS];
static void putc_(char c) { while (!(UART[5] & 0x20)) ; UART[0] = c; }
static void puthex(unsigned long v) { for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]); putc_('\n'); }
volatile unsigned long ticks;
void __attribute__((interrupt("machine"), aligned(4))) handler(void) {
    ticks++;
    MTIMECMP = MTIME + 20000;
}
void main(unsigned long hartid, unsigned long dtb) {
    asm volatile("csrw mtvec, %0" :: "r"(handler));
    MTIMECMP = MTIME + 20000;
    asm volatile("csrs mie, %0" :: "r"(1ul << 7));
    asm volatile("csrs mstatus, 8");
    unsigned long x = 88172645463325252ul, sum = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (unsigned i = 0; i < 200000; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            unsigned long *p = &buf[(x >> 11) % WORDS];
            *p += x + ticks;
            sum += *p;
        }
        puthex(sum);
    }
    *TEST = 0x5555;
    for (;;) ;
}
