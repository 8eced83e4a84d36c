/* Start-up and trap entry for the ISA test programs.
 * Entry: M-mode, a0 = hart id, a1 = device tree. Harts other than 0 park.
 * The trap frame (struct rt_frame in rt.h) holds x0..x31, then epc, cause,
 * tval, status; the C handler may change any of it before the return. */
#define FRAME_SIZE (36 * 8)
#define RT_ECALL_RETURN 0x5245

    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    bnez a0, park
    la sp, __stack_top
    /* Clear .bss. */
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:
    la t0, rt_trap_entry_m
    csrw mtvec, t0
    la t0, __trap_stack_m_top
    csrw mscratch, t0
    /* mstatus.FS = Initial so F/D instructions work; fcsr = 0. */
    li t0, (1 << 13)
    csrs mstatus, t0
    csrw fcsr, zero
    /* PMP entry 15: NAPOT over the whole address space, RWX, so that S and
     * U modes may access memory (with no matching entry they may not).
     * Lower-numbered entries, which tests program, take priority. */
    li t0, -1
    csrw pmpaddr15, t0
    li t0, (0x1f << 56)
    csrs pmpcfg2, t0
    mv s0, a0
    mv s1, a1
    call main   /* main(a0 = hart id, a1 = device tree) */
    call rt_exit
park:
    wfi
    j park

/* TRAP_ENTRY p: the trap vector for one privilege level, p = m or s (the
 * CSR prefix): switch to the trap stack in pscratch, save every register
 * and pepc/pcause/ptval/pstatus in the frame, call rt_trap_handler_p(frame),
 * restore what it left there and return with pret. */
    .macro TRAP_ENTRY p
    .balign 4
    .globl rt_trap_entry_\p
rt_trap_entry_\p:
    csrrw sp, \p\()scratch, sp
    addi sp, sp, -FRAME_SIZE
    sd x1, 1*8(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    csrr t0, \p\()scratch
    sd t0, 2*8(sp)
    sd zero, 0(sp)
    csrr t0, \p\()epc
    sd t0, 32*8(sp)
    csrr t0, \p\()cause
    sd t0, 33*8(sp)
    csrr t0, \p\()tval
    sd t0, 34*8(sp)
    csrr t0, \p\()status
    sd t0, 35*8(sp)
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    mv a0, sp
    call rt_trap_handler_\p
    ld t0, 32*8(sp)
    csrw \p\()epc, t0
    ld t0, 35*8(sp)
    csrw \p\()status, t0
    addi t0, sp, FRAME_SIZE
    csrw \p\()scratch, t0
    ld x1, 1*8(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
    ld sp, 2*8(sp)
    \p\()ret
    .endm

/* void rt_trap_entry_m(void) and rt_trap_entry_s(void): the M- and S-mode
 * trap vectors (direct mode). */
    .text
    TRAP_ENTRY m
    TRAP_ENTRY s

/* long rt_run_lower(int mode, long (*fn)(long), long arg, uintptr_t sp)
 * Runs fn(arg) in mode (0 = U, 1 = S) with mret and returns its result when
 * the lower mode makes an ecall with a7 = RT_ECALL_RETURN (what fn's return
 * address, rt_lower_return, does). sp = 0 keeps the current stack. */
    .globl rt_run_lower
rt_run_lower:
    la t0, rt_lower_ctx
    sd ra, 0*8(t0)
    sd sp, 1*8(t0)
    sd s0, 2*8(t0)
    sd s1, 3*8(t0)
    sd s2, 4*8(t0)
    sd s3, 5*8(t0)
    sd s4, 6*8(t0)
    sd s5, 7*8(t0)
    sd s6, 8*8(t0)
    sd s7, 9*8(t0)
    sd s8, 10*8(t0)
    sd s9, 11*8(t0)
    sd s10, 12*8(t0)
    sd s11, 13*8(t0)
    la t0, __trap_stack_m_top
    csrw mscratch, t0
    la t0, __trap_stack_s_top
    csrw sscratch, t0
    /* mstatus.MPP = mode */
    li t0, (3 << 11)
    csrc mstatus, t0
    andi a0, a0, 3
    slli a0, a0, 11
    csrs mstatus, a0
    csrw mepc, a1
    mv a0, a2
    beqz a3, 1f
    mv sp, a3
    j 2f
1:  addi sp, sp, -256
2:  la ra, rt_lower_return
    mret

    .globl rt_lower_return
rt_lower_return:
    li a7, RT_ECALL_RETURN
    ecall
1:  j 1b

    .bss
    .balign 8
    .globl rt_lower_ctx
rt_lower_ctx:
    .space 14*8
