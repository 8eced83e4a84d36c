/* Runtime for the ISA test programs (see rt.h). */
#include "rt.h"
#include <stdarg.h>

int rt_failures;
volatile struct rt_trap_record rt_last_trap;
rt_trap_hook rt_hook_m, rt_hook_s;
static volatile int trap_armed;
static volatile u64 trap_resume_pc;

extern u64 rt_lower_ctx[14];

/* 16550: THR at offset 0, LSR at offset 5 (bit 5 = THR empty). */
/* The compiler may emit calls to these even in freestanding code (struct
 * and array initialisation, copies). */
void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void rt_putc(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
    while (!(uart[5] & 0x20))
        ;
    uart[0] = (uint8_t)c;
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

static void put_unsigned(u64 v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (width > n) {
        rt_putc(pad);
        width--;
    }
    while (n)
        rt_putc(buf[--n]);
}

void rt_print_hex(u64 v)
{
    rt_puts("0x");
    put_unsigned(v, 16, 1, '0');
}

/* Supports %d %i %u %x %p %s %c %% with optional 0, width and l/ll/z. */
int rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            rt_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            i64 v = longs ? va_arg(ap, i64) : va_arg(ap, int);
            if (v < 0) {
                rt_putc('-');
                put_unsigned(-(u64)v, 10, width ? width - 1 : 0, pad);
            } else {
                put_unsigned((u64)v, 10, width, pad);
            }
            break;
        }
        case 'u':
            put_unsigned(longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_unsigned(longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'p':
            rt_print_hex((u64)va_arg(ap, void *));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            rt_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            rt_putc((char)va_arg(ap, int));
            break;
        case '%':
            rt_putc('%');
            break;
        default:
            rt_putc('%');
            rt_putc(*fmt);
            break;
        }
    }
    va_end(ap);
    return 0;
}

void rt_check(const char *name, u64 got, u64 expected)
{
    rt_printf("%s: 0x%lx", name, got);
    if (got != expected) {
        rt_printf("  MISMATCH expected 0x%lx", expected);
        rt_failures++;
    }
    rt_putc('\n');
}

void rt_impl(const char *name, u64 got)
{
    rt_printf("[impl] %s: 0x%lx\n", name, got);
}

void rt_fail(const char *why)
{
    rt_printf("failed: %s\n", why);
    rt_failures++;
}

void rt_exit_status(int status)
{
    volatile u32 *finisher = (volatile u32 *)FINISHER_BASE;
    if (status == 0)
        *finisher = 0x5555;
    else
        *finisher = ((u32)status << 16) | 0x3333;
    for (;;)
        __asm__ volatile("wfi");
}

void rt_exit(void)
{
    if (rt_failures == 0) {
        rt_puts("PASS\n");
        rt_exit_status(0);
    }
    rt_printf("FAIL %d\n", rt_failures);
    rt_exit_status(1);
}

void rt_expect_trap(void)
{
    rt_last_trap.count = 0;
    rt_last_trap.cause = rt_last_trap.tval = rt_last_trap.epc = ~0UL;
    trap_resume_pc = 0;
    trap_armed = 1;
}

void rt_expect_trap_resume(u64 resume_pc)
{
    rt_expect_trap();
    trap_resume_pc = resume_pc;
}

int rt_trap_count(void)
{
    trap_armed = 0;
    return rt_last_trap.count;
}

/* Length of the instruction at epc. Tests keep code identity-mapped; code
 * also mapped at an alias (user pages) is read through the identity
 * address given by rt_alias_*. */
u64 rt_alias_va, rt_alias_pa, rt_alias_size;

static u64 insn_length(u64 epc)
{
    if (epc - rt_alias_va < rt_alias_size)
        epc = epc - rt_alias_va + rt_alias_pa;
    uint16_t low = *(volatile uint16_t *)epc;
    return (low & 3) == 3 ? 4 : 2;
}

static void report_unexpected(struct rt_frame *f, const char *where)
{
    rt_printf("unexpected trap into %s: cause=0x%lx epc=0x%lx tval=0x%lx\n",
              where, f->cause, f->epc, f->tval);
    rt_failures++;
    rt_exit();
}

static int handle_expected(struct rt_frame *f, int mode)
{
    if (!trap_armed || (f->cause & CAUSE_INTERRUPT))
        return 0;
    rt_last_trap.cause = f->cause;
    rt_last_trap.tval = f->tval;
    rt_last_trap.epc = f->epc;
    rt_last_trap.mode = mode;
    rt_last_trap.count++;
    if (trap_resume_pc)
        f->epc = trap_resume_pc;
    else
        f->epc += insn_length(f->epc);
    return 1;
}

void rt_trap_handler_m(struct rt_frame *f)
{
    /* Return from rt_run_lower: an ecall from U (8) or S (9) with the
     * magic value in a7 restores the M-mode caller's context. */
    if ((f->cause == 8 || f->cause == 9) && f->regs[17] == RT_ECALL_RETURN) {
        f->regs[1] = rt_lower_ctx[0];
        f->regs[2] = rt_lower_ctx[1];
        f->regs[8] = rt_lower_ctx[2];
        f->regs[9] = rt_lower_ctx[3];
        for (int i = 0; i < 10; i++)
            f->regs[18 + i] = rt_lower_ctx[4 + i];
        f->epc = rt_lower_ctx[0];
        /* Back in M with MIE = 0, as the caller of rt_run_lower had it
         * (tests enable machine interrupts only around explicit waits). */
        f->status = (f->status | MSTATUS_MPP) & ~MSTATUS_MPIE;
        return;
    }
    if (rt_hook_m && rt_hook_m(f))
        return;
    if (handle_expected(f, 3))
        return;
    report_unexpected(f, "M");
}

void rt_trap_handler_s(struct rt_frame *f)
{
    /* A delegated return ecall from U: pass it on to M. */
    if (f->cause == 8 && f->regs[17] == RT_ECALL_RETURN) {
        register long a0 __asm__("a0") = (long)f->regs[10];
        register long a7 __asm__("a7") = RT_ECALL_RETURN;
        __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
        for (;;)
            ;
    }
    if (rt_hook_s && rt_hook_s(f))
        return;
    if (handle_expected(f, 1))
        return;
    report_unexpected(f, "S");
}
