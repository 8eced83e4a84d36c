/* Vectored mtvec table for priv.c: entry 0 (exceptions) goes to the
 * runtime's handler; interrupt entries record which entry ran and mcause,
 * silence the source (msip = 0 for 3, mtimecmp = max for 7) and mret. */
    .text
    .balign 256
    .globl priv_vector_table
priv_vector_table:
    /* Entries must be 4 bytes each: no compressed jumps here. */
    .option push
    .option norvc
    j rt_trap_entry_m
    j priv_vector_entry_1
    j priv_vector_entry_2
    j priv_vector_entry_3
    j priv_vector_entry_4
    j priv_vector_entry_5
    j priv_vector_entry_6
    j priv_vector_entry_7
    j priv_vector_entry_8
    j priv_vector_entry_9
    j priv_vector_entry_10
    j priv_vector_entry_11
    j priv_vector_entry_12
    j priv_vector_entry_13
    j priv_vector_entry_14
    j priv_vector_entry_15
    .option pop

.macro VECTOR_ENTRY n
priv_vector_entry_\n:
    addi sp, sp, -32
    sd t0, 0(sp)
    sd t1, 8(sp)
    sd t2, 16(sp)
    li t2, \n
    j priv_vector_common
.endm
    VECTOR_ENTRY 1
    VECTOR_ENTRY 2
    VECTOR_ENTRY 3
    VECTOR_ENTRY 4
    VECTOR_ENTRY 5
    VECTOR_ENTRY 6
    VECTOR_ENTRY 7
    VECTOR_ENTRY 8
    VECTOR_ENTRY 9
    VECTOR_ENTRY 10
    VECTOR_ENTRY 11
    VECTOR_ENTRY 12
    VECTOR_ENTRY 13
    VECTOR_ENTRY 14
    VECTOR_ENTRY 15

priv_vector_common:
    la t0, priv_vector_hit
    sd t2, 0(t0)
    csrr t1, mcause
    sd t1, 8(t0)
    li t1, 3
    bne t2, t1, 1f
    li t0, 0x2000000            /* msip */
    sw zero, 0(t0)
1:  li t1, 7
    bne t2, t1, 2f
    li t0, 0x2004000            /* mtimecmp */
    li t1, -1
    sd t1, 0(t0)
2:  ld t0, 0(sp)
    ld t1, 8(sp)
    ld t2, 16(sp)
    addi sp, sp, 32
    mret

    .data
    .balign 8
    .globl priv_vector_hit
priv_vector_hit:
    .dword -1, 0
