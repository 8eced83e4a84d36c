/* Reset-vector check (tests/e2e/reset_vector.sh): the harts must start at
 * 0x1000 and execute the board's ROM (6 instructions) before reaching us.
 * Hart 0 checks the ROM's register results (a0 = mhartid, a2 = 0x1028,
 * t0 = our own address, a1 != 0). On the first boot it saves minstret at
 * entry, marks RAM and resets the machine (finisher 0x7777), so the second
 * boot goes through the ROM again; it then exits through the finisher with
 * status 16 * (minstret at first entry) + (instructions between the two
 * entries, mod 16; minstret survives the reset on QEMU and deja alike).
 * A failed register check exits with status 250 + check number. */
#define FINISHER 0x100000
#define MARKER_ADDR 0x80100000 /* marker, then minstret at first entry */
#define MARKER 0x5245534554  /* "RESET" */

    .section .text.start, "ax"
    .globl _start
_start:
    csrr s0, minstret       /* first: nothing of ours has retired yet */
    csrr t1, mhartid
    bnez t1, park
    li s1, 251
    bnez a0, fail           /* a0 = mhartid = 0 */
    li s1, 252
    li t1, 0x1028
    bne a2, t1, fail        /* a2 = &fw_dynamic_info */
    li s1, 253
    la t1, _start
    bne t0, t1, fail        /* t0 = the ROM's jump target */
    li s1, 254
    beqz a1, fail           /* a1 = device tree */
    li t1, MARKER_ADDR
    ld t2, 0(t1)
    li t3, MARKER
    beq t2, t3, second_boot
    sd t3, 0(t1)
    sd s0, 8(t1)
    li t1, FINISHER
    li t2, 0x7777           /* reset: both boots must go through the ROM */
    sw t2, 0(t1)
1:  j 1b
second_boot:
    sd zero, 0(t1)
    ld t2, 8(t1)            /* minstret at first entry */
    sub s1, s0, t2
    andi s1, s1, 15
    slli t2, t2, 4
    or s1, s1, t2
fail:
    slli s1, s1, 16
    li t1, 0x3333
    or s1, s1, t1
    li t1, FINISHER
    sw s1, 0(t1)
1:  j 1b
park:
    wfi
    j park
