/* M-mode entry for the gdb tests: every hart gets a 4 KiB stack and runs
 * main(hartid). */
    .section .text.start
    .globl _start
_start:
    csrr a0, mhartid
    la sp, stacks
    addi t0, a0, 1
    slli t0, t0, 12
    add sp, sp, t0
    call main
park:
    wfi
    j park
    .bss
    .align 12
stacks: .space 4096 * 4
