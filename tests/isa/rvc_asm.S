/* Compressed-instruction test bodies (RV64C). Each function exercises one
 * or a few compressed forms, written with explicit c. mnemonics so the
 * assembler must emit the 16-bit encodings, and returns a value in a0 that
 * rvc.c checks. */
    .option rvc
    .text

#define FUNC(name) .globl name; .balign 2; name:

FUNC(rvc_addi4spn)          /* sp + 1020 - sp */
    c.addi4spn a0, sp, 1020
    sub a0, a0, sp
    c.jr ra
FUNC(rvc_addi4spn_small)    /* sp + 4 - sp */
    c.addi4spn a5, sp, 4
    sub a0, a5, sp
    c.jr ra
FUNC(rvc_addi16sp)          /* sp change by -512 then back */
    c.mv a1, sp
    c.addi16sp sp, -512
    sub a0, sp, a1
    c.addi16sp sp, 496
    c.addi16sp sp, 16
    c.jr ra
FUNC(rvc_lui_pos)
    c.lui a0, 0x1f
    c.jr ra
FUNC(rvc_lui_neg)
    c.lui a0, 0xfffe0
    c.jr ra
FUNC(rvc_li_neg)
    c.li a0, -32
    c.jr ra
FUNC(rvc_li_pos)
    c.li a0, 31
    c.jr ra
FUNC(rvc_addi)              /* a0 + -32 + 31 + 1 */
    c.addi a0, -32
    c.addi a0, 31
    c.addi a0, 1
    c.jr ra
FUNC(rvc_addiw)             /* sext32(a0 + 1) */
    c.addiw a0, 1
    c.jr ra
FUNC(rvc_addiw0)            /* sext.w */
    c.addiw a0, 0
    c.jr ra
FUNC(rvc_srli)
    c.srli a0, 60
    c.jr ra
FUNC(rvc_srai)
    c.srai a0, 40
    c.jr ra
FUNC(rvc_slli)
    c.slli a0, 63
    c.jr ra
FUNC(rvc_slli_s2)           /* slli on a non-compressed-set register */
    mv t3, a0
    c.slli t3, 36
    mv a0, t3
    c.jr ra
FUNC(rvc_andi)
    c.andi a0, -32
    c.jr ra
FUNC(rvc_andi_pos)
    c.andi a0, 0x15
    c.jr ra
FUNC(rvc_sub)
    c.sub a0, a1
    c.jr ra
FUNC(rvc_xor)
    c.xor a0, a1
    c.jr ra
FUNC(rvc_or)
    c.or a0, a1
    c.jr ra
FUNC(rvc_and)
    c.and a0, a1
    c.jr ra
FUNC(rvc_subw)
    c.subw a0, a1
    c.jr ra
FUNC(rvc_addw)
    c.addw a0, a1
    c.jr ra
FUNC(rvc_mv_add)            /* t4 = a1; t4 += a0; return t4 */
    c.mv t4, a1
    c.add t4, a0
    c.mv a0, t4
    c.jr ra
FUNC(rvc_j)                 /* forward and backward c.j: returns 3 */
    c.li a0, 0
    c.j 2f
1:  c.addi a0, 1
    c.j 3f
2:  c.addi a0, 2
    c.j 1b
    c.li a0, 31                 /* never executed */
3:  c.jr ra
FUNC(rvc_beqz)              /* returns 1 if a0 == 0 (branch taken) */
    c.beqz a0, 1f
    c.li a0, 0
    c.jr ra
1:  c.li a0, 1
    c.jr ra
FUNC(rvc_bnez)              /* returns 1 if a0 != 0; also backward loop */
    c.li a1, 5
    c.li a2, 0
1:  c.addi a2, 1
    c.addi a1, -1
    c.bnez a1, 1b
    c.bnez a0, 2f
    c.mv a0, a2                 /* 5 when not taken */
    c.jr ra
2:  c.li a0, 1
    c.jr ra
FUNC(rvc_jalr)              /* returns link - address after c.jalr (0) */
    c.mv t5, ra
    la a1, 1f
    c.jalr a1
2:  c.mv ra, t5
    la a1, 2b
    sub a0, a0, a1
    c.jr ra
1:  c.mv a0, ra
    c.jr ra
FUNC(rvc_jr_target)         /* c.jr to a 2-byte aligned target: returns 7 */
    la a1, 1f
    c.jr a1
    c.li a0, 0
    c.jr ra
    .balign 4
    c.nop
1:  c.li a0, 7
    c.jr ra
FUNC(rvc_loads)             /* a0 = buffer; returns a combination */
    c.lw a1, 4(a0)              /* sign-extended word */
    c.ld a2, 8(a0)
    c.sw a1, 16(a0)
    c.sd a2, 24(a0)
    c.lw a3, 16(a0)
    c.ld a4, 24(a0)
    c.fld fa0, 8(a0)
    c.fsd fa0, 32(a0)
    c.ld a5, 32(a0)
    sd a1, 40(a0)
    sd a3, 48(a0)
    sd a4, 56(a0)
    sd a5, 64(a0)
    c.jr ra
FUNC(rvc_sp_loads)          /* stack-pointer-relative forms; a0 = value */
    c.addi16sp sp, -64
    c.sdsp a0, 8(sp)
    c.swsp a0, 20(sp)
    c.ldsp a1, 8(sp)
    c.lwsp a2, 20(sp)
    c.fldsp fa1, 8(sp)
    c.fsdsp fa1, 32(sp)
    c.ldsp a3, 32(sp)
    c.addi16sp sp, 64
    sub a0, a1, a3              /* 0 if the fldsp/fsdsp round trip kept bits */
    add a0, a0, a2              /* plus sign-extended low word */
    c.jr ra
FUNC(rvc_ebreak)
    c.ebreak
    c.li a0, 9
    c.jr ra
FUNC(rvc_illegal_zero)      /* the all-zero halfword is illegal */
    .2byte 0
    c.li a0, 10
    c.jr ra
FUNC(rvc_nop)
    c.li a0, 4
    c.nop
    c.addi a0, 1
    c.jr ra
