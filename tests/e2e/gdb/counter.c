/* The gdb tests' guest: each hart writes its counter word 40 times (the
 * value 3 * i), with a busy delay between writes; hart 0 then exits with
 * status 5 through the finisher once every hart that started is done. */
#define TEST ((volatile unsigned int *)0x100000)
volatile unsigned long counter[4];
volatile unsigned long done[4];
volatile unsigned long started;

void __attribute__((noinline)) bump(unsigned long hart, unsigned long i)
{
    counter[hart] = 3 * i;
}

void main(unsigned long hartid)
{
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (unsigned long i = 1; i <= 40; i++) {
        bump(hartid, i);
        for (volatile int k = 0; k < 300; k++)
            ;
    }
    done[hartid] = 1;
    if (hartid != 0)
        for (;;)
            ;
    for (;;) {
        unsigned long n = 0;
        for (int h = 0; h < 4; h++)
            n += done[h];
        if (n >= started)
            break;
    }
    *TEST = (5 << 16) | 0x3333;
    for (;;)
        ;
}
