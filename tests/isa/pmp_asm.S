/* A page of code of its own so that pmp.c can deny execution on it. */
    .section .text.pmp_exec_page, "ax"
    .balign 4096
    .globl pmp_exec_page
pmp_exec_page:
    li a0, 0x77
    li a7, 0x5245
    ecall
    .balign 4096
