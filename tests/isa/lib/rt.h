/* Tiny bare-metal runtime for the ISA test programs: UART output, a
 * minimal printf, self-check helpers, exit through the sifive_test
 * finisher, and trap handling that tests can arm to expect a trap. */
#ifndef RT_H
#define RT_H

#include <stdint.h>
#include <stddef.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef int32_t i32;

#define UART_BASE 0x10000000UL
#define FINISHER_BASE 0x100000UL
#define CLINT_MSIP 0x2000000UL
#define CLINT_MTIMECMP 0x2004000UL
#define CLINT_MTIME 0x200bff8UL

#define RT_ECALL_RETURN 0x5245

/* Trap frame as saved by crt0.S. */
struct rt_frame {
    u64 regs[32];
    u64 epc, cause, tval, status;
};

/* What the last expected trap recorded. */
struct rt_trap_record {
    u64 cause, tval, epc;
    int count;   /* traps taken since rt_expect_trap() */
    int mode;    /* 3 = taken into M, 1 = taken into S */
};

extern volatile struct rt_trap_record rt_last_trap;

/* A hook returns nonzero when it handled the trap (it may edit the frame). */
typedef int (*rt_trap_hook)(struct rt_frame *frame);
extern rt_trap_hook rt_hook_m, rt_hook_s;

/* Arms the default handler: the next trap(s) are recorded in rt_last_trap
 * and execution resumes after the faulting instruction (or at resume_pc
 * when set). Until armed, any trap is reported and the program fails. */
void rt_expect_trap(void);
void rt_expect_trap_resume(u64 resume_pc);
/* Disarms; returns how many traps were taken while armed. */
int rt_trap_count(void);
/* Code mapped at a second virtual address: [va, va + size) -> pa. */
extern u64 rt_alias_va, rt_alias_pa, rt_alias_size;

void rt_putc(char c);
void rt_puts(const char *s);
void rt_print_hex(u64 v);
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Self checks: print "name: 0x...", count a failure when different. */
void rt_check(const char *name, u64 got, u64 expected);
/* Implementation-specific value: printed with [impl] prefix, not checked. */
void rt_impl(const char *name, u64 got);
void rt_fail(const char *why);
extern int rt_failures;

/* Prints PASS or FAIL n and exits (status 0 only if no check failed). */
__attribute__((noreturn)) void rt_exit(void);
__attribute__((noreturn)) void rt_exit_status(int status);

long rt_run_lower(int mode, long (*fn)(long), long arg, uintptr_t sp);
void rt_trap_entry_m(void);
void rt_trap_entry_s(void);

#define csr_read(csr) ({ u64 v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "rK"((u64)(v)) : "memory")

static inline void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)addr = v; }
static inline u32 mmio_read32(u64 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write64(u64 addr, u64 v) { *(volatile u64 *)addr = v; }
static inline u64 mmio_read64(u64 addr) { return *(volatile u64 *)addr; }

/* Bits used by several tests. */
#define MSTATUS_SIE (1UL << 1)
#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_SPP (1UL << 8)
#define MSTATUS_MPP (3UL << 11)
#define MSTATUS_FS (3UL << 13)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_SUM (1UL << 18)
#define MSTATUS_MXR (1UL << 19)
#define MSTATUS_TVM (1UL << 20)
#define MSTATUS_TW (1UL << 21)
#define MSTATUS_TSR (1UL << 22)

#define CAUSE_INTERRUPT (1UL << 63)

#endif
