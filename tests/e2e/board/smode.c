/* S-mode payload behind OpenSBI: prints through the SBI console and
 * shuts down with SBI SRST. */
static long sbi(long eid, long fid, long a0, long a1) {
    register long x10 asm("a0") = a0; register long x11 asm("a1") = a1;
    register long x16 asm("a6") = fid; register long x17 asm("a7") = eid;
    asm volatile("ecall" : "+r"(x10), "+r"(x11) : "r"(x16), "r"(x17) : "memory");
    return x10;
}
static void puts_(const char *s) { while (*s) sbi(1, 0, *s++, 0); } /* legacy putchar */
void smain(unsigned long hartid, unsigned long dtb) {
    puts_("Hello from S-mode\n");
    unsigned long t0; asm volatile("rdtime %0" : "=r"(t0));
    sbi(0x53525354, 0, 0, 0); /* SRST shutdown */
}
