/* The guest of the gdb trap-handler checks (tests/e2e/gdb/trap.py): hart 0
 * takes an ecall, an illegal instruction and a machine timer interrupt,
 * all to `handler`, whose first instruction counts its entries in s0;
 * then it exits with status 5 through the finisher. Other harts park. */
    .option norvc
    .section .text.start
    .globl _start
_start:
    csrr a0, mhartid
    bnez a0, park
    la t0, handler
    csrw mtvec, t0
    li s0, 0
    li s2, 0
    .globl do_ecall
do_ecall:
    ecall
    .globl do_illegal
do_illegal:
    .4byte 0xc0001073           /* unimp (csrrw x0, cycle, x0): illegal */
    li t0, 0x200bff8            /* mtimecmp = mtime + 20 */
    ld t1, 0(t0)
    addi t1, t1, 20
    li t0, 0x2004000
    sd t1, 0(t0)
    li t0, 0x80
    csrs mie, t0                /* MTIE */
    csrsi mstatus, 8            /* MIE */
wait:
    beqz s2, wait
    li t0, 0x100000
    li t1, (5 << 16) | 0x3333
    sw t1, 0(t0)
park:
    wfi
    j park

    .align 2
    .globl handler
handler:
    addi s0, s0, 1
    csrr t0, mcause
    bltz t0, irq
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    mret
irq:
    li t0, 0x2004000            /* disarm the timer */
    li t1, -1
    sd t1, 0(t0)
    li s2, 1
    mret
