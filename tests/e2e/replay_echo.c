/* Bare-metal guest for tests/e2e/replay_basic.sh: prints "ready", then
 * echoes each UART byte in upper case and, between bytes, idles in wfi
 * until a CLINT timer 1 ms ahead (so the recording has idle warps as well
 * as input). A 'q' prints the byte count and exits through the finisher
 * with status 5 (replay must end with the recorded status). Built with
 * tests/e2e/board/start.S and link.ld (M-mode, hart 0). */
#define UART ((volatile unsigned char *)0x10000000)
#define TEST ((volatile unsigned int *)0x100000)
#define MTIMECMP ((volatile unsigned long *)0x2004000)
#define MTIME ((volatile unsigned long *)0x200bff8)
#define MIE_MTIE (1ul << 7)

static void putc_(char c)
{
    while (!(UART[5] & 0x20))
        ;
    UART[0] = c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

static void put_decimal(unsigned long v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_(buf[--n]);
}

static unsigned long history[512]; /* written RAM for the page digests */

void main(void)
{
    unsigned long count = 0;
    asm volatile("csrs mie, %0" ::"r"(MIE_MTIE)); /* wfi wakes on MTIP; mstatus.MIE stays 0 */
    puts_("ready\n");
    for (;;) {
        if (UART[5] & 1) {
            char c = (char)UART[0];
            if (c == 'q')
                break;
            history[count % 512] = count * 31 + (unsigned char)c;
            count++;
            putc_(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
            continue;
        }
        *MTIMECMP = *MTIME + 10000; /* 1 ms at 10 MHz */
        asm volatile("wfi");
    }
    puts_("\nbytes: ");
    put_decimal(count);
    puts_("\n");
    *TEST = (5 << 16) | 0x3333;
    for (;;)
        ;
}
