/* A minimal RISC-V Linux Image header ("RSC\x05" at 0x38) so that the
 * board loads it at 0x80200000 behind OpenSBI. */
    .section .text.start
    .globl _start
_start:
    j real_start
    .balign 8
    .dword 0x200000        /* text_offset */
    .dword 0x10000         /* image_size */
    .dword 0               /* flags */
    .word 2                /* version */
    .word 0
    .dword 0
    .ascii "RISCV\0\0\0"   /* magic (deprecated) */
    .ascii "RSC\x05"       /* magic2 at 0x38 */
    .word 0
real_start:
    la sp, stack_top
    call smain
1:  j 1b
    .bss
    .align 12
stack: .space 4096
stack_top:
