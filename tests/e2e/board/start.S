/* M-mode entry for the bare-metal board tests: hart 0 runs main(hartid,
 * dtb), the others park in wfi. */
    .section .text.start
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    la sp, stack_top
    call main
park:
    wfi
    j park
    .bss
    .align 12
stack: .space 4096
stack_top:
