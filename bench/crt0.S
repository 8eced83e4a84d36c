/* Entry of the bare-metal benchmark: hart 0 sets a stack and calls main;
 * other harts park. Runs in M-mode from 0x80000000 (-bios none). */
    .section .text.start, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
clear_bss:
    bgeu    t0, t1, bss_done
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       clear_bss
bss_done:
    call    main
    call    bench_exit
park:
    wfi
    j       park
