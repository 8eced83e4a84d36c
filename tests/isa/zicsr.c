/* Zicsr: the six CSR instructions, read-only CSR rules (writes trap,
 * reads with rs1 = x0 / uimm = 0 do not), unimplemented CSRs trap with
 * mtval = the instruction, WARL behaviour of a few machine CSRs, misa and
 * mhartid. */
#include "ops.h"

static u32 insn_at(u64 pc)
{
    const volatile uint16_t *p = (const volatile uint16_t *)pc;
    return p[0] | ((u32)p[1] << 16);
}

/* Runs an instruction expected to trap as illegal and checks cause and
 * mtval (the instruction bits, which QEMU 7.2 and deja both report). */
#define EXPECT_ILLEGAL(name, asm_text) do { \
    rt_expect_trap(); \
    __asm__ volatile(asm_text ::: "memory", "t0"); \
    CHECK(name " traps", rt_trap_count(), 1); \
    CHECK(name " cause", rt_last_trap.cause, 2); \
    CHECK(name " mtval is the instruction", rt_last_trap.tval, insn_at(rt_last_trap.epc)); \
} while (0)

#define EXPECT_NO_TRAP(name, asm_text) do { \
    rt_expect_trap(); \
    __asm__ volatile(asm_text ::: "memory", "t0"); \
    CHECK(name " does not trap", rt_trap_count(), 0); \
} while (0)

int main(void)
{
    u64 old, r;
    csr_write(sscratch, 0x1111);
    __asm__ volatile("csrrw %0, sscratch, %1" : "=r"(old) : "r"(0x123456789abcdef0ULL));
    CHECK("csrrw old", old, 0x1111);
    CHECK("csrrw new", csr_read(sscratch), 0x123456789abcdef0ULL);
    __asm__ volatile("csrrs %0, sscratch, %1" : "=r"(old) : "r"(0xfULL));
    CHECK("csrrs old", old, 0x123456789abcdef0ULL);
    CHECK("csrrs new", csr_read(sscratch), 0x123456789abcdeffULL);
    __asm__ volatile("csrrc %0, sscratch, %1" : "=r"(old) : "r"(0xff00000000000000ULL));
    CHECK("csrrc old", old, 0x123456789abcdeffULL);
    CHECK("csrrc new", csr_read(sscratch), 0x003456789abcdeffULL);
    __asm__ volatile("csrrwi %0, sscratch, 31" : "=r"(old));
    CHECK("csrrwi old", old, 0x003456789abcdeffULL);
    CHECK("csrrwi new", csr_read(sscratch), 31);
    __asm__ volatile("csrrci %0, sscratch, 0x15" : "=r"(old));
    CHECK("csrrci old", old, 31);
    CHECK("csrrci new", csr_read(sscratch), 0x0a);
    __asm__ volatile("csrrsi %0, sscratch, 0x11" : "=r"(old));
    CHECK("csrrsi old", old, 0x0a);
    CHECK("csrrsi new", csr_read(sscratch), 0x1b);
    __asm__ volatile("csrrs %0, sscratch, x0" : "=r"(old));
    CHECK("csrrs x0 reads", old, 0x1b);
    /* rd = x0 and rs1 = rd: the write uses the old rs1 value. */
    r = 0x55;
    __asm__ volatile("csrrw %0, sscratch, %0" : "+r"(r));
    CHECK("csrrw rd==rs1 old", r, 0x1b);
    CHECK("csrrw rd==rs1 new", csr_read(sscratch), 0x55);
    __asm__ volatile("csrrw x0, sscratch, %0" :: "r"(0x66ULL));
    CHECK("csrrw rd=x0 writes", csr_read(sscratch), 0x66);

    /* Read-only CSRs (csr[11:10] = 3): writes trap, pure reads do not. */
    EXPECT_ILLEGAL("csrw mhartid", "csrw mhartid, zero");
    EXPECT_ILLEGAL("csrrs mvendorid, t0!=x0", "li t0, 1\n csrrs x0, mvendorid, t0");
    EXPECT_ILLEGAL("csrrwi marchid", "csrrwi x0, marchid, 0");
    EXPECT_ILLEGAL("csrrci mimpid 1", "csrrci x0, mimpid, 1");
    EXPECT_ILLEGAL("csrw cycle", "csrw cycle, zero");
    EXPECT_NO_TRAP("csrrs mhartid x0", "csrrs t0, mhartid, x0");
    EXPECT_NO_TRAP("csrrc mvendorid x0", "csrrc t0, mvendorid, x0");
    EXPECT_NO_TRAP("csrrsi marchid 0", "csrrsi t0, marchid, 0");
    EXPECT_NO_TRAP("csrrci instret 0", "csrrci t0, instret, 0");
    /* Unimplemented CSRs. */
    EXPECT_ILLEGAL("unimplemented csr 0x0ff read", "csrr t0, 0x0ff");
    EXPECT_ILLEGAL("unimplemented csr 0x3ff write", "csrw 0x3ff, t0");
    EXPECT_ILLEGAL("unimplemented csr 0x7ff", "csrrs t0, 0x7ff, x0");

    CHECK("mhartid", csr_read(mhartid), 0);
    u64 misa = csr_read(misa);
    rt_impl("misa", misa);
    CHECK("misa MXL = 64", misa >> 62, 2);
    const char *letters = "IMAFDCSU";
    u64 want = 0;
    for (const char *p = letters; *p; p++)
        want |= 1UL << (*p - 'A');
    CHECK("misa has IMAFDCSU", misa & want, want);
    CHECK("misa no E, no Q", misa & ((1UL << ('E' - 'A')) | (1UL << ('Q' - 'A'))), 0);
    rt_impl("mvendorid", csr_read(mvendorid));
    rt_impl("marchid", csr_read(marchid));
    rt_impl("mimpid", csr_read(mimpid));

    /* mstatus: UXL and SXL are 64-bit (2), MPP is WARL over {0,1,3}. */
    u64 ms = csr_read(mstatus);
    CHECK("mstatus.UXL", (ms >> 32) & 3, 2);
    CHECK("mstatus.SXL", (ms >> 34) & 3, 2);
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 1UL << 11);
    CHECK("mstatus.MPP = S", (csr_read(mstatus) >> 11) & 3, 1);
    csr_set(mstatus, MSTATUS_MPP);
    CHECK("mstatus.MPP = M", (csr_read(mstatus) >> 11) & 3, 3);
    /* sstatus is a restricted view of mstatus. */
    csr_set(sstatus, MSTATUS_SIE);
    CHECK("sstatus.SIE shows in mstatus", csr_read(mstatus) & MSTATUS_SIE, MSTATUS_SIE);
    csr_clear(mstatus, MSTATUS_SIE);
    CHECK("mstatus.SIE shows in sstatus", csr_read(sstatus) & MSTATUS_SIE, 0);
    csr_set(sstatus, MSTATUS_MIE);
    CHECK("sstatus cannot set MIE", csr_read(mstatus) & MSTATUS_MIE, 0);
    CHECK("sstatus hides MPP", csr_read(sstatus) & MSTATUS_MPP, 0);

    /* mepc/sepc: bit 0 always reads zero (IALIGN = 16 with C); QEMU 7.2
     * keeps bit 0 and masks only on xRET, hence [impl]. */
    csr_write(mepc, 0x80000003);
    rt_impl("mepc written 0x80000003", csr_read(mepc));
    CHECK("mepc keeps bit 1", csr_read(mepc) & ~1UL, 0x80000002);
    csr_write(sepc, 0xffffffffffffffffULL);
    rt_impl("sepc written all ones", csr_read(sepc));
    /* mtvec: MODE 0/1 are legal; BASE is 4-byte aligned. */
    u64 saved_mtvec = csr_read(mtvec);
    csr_write(mtvec, 0x80001001);
    CHECK("mtvec vectored", csr_read(mtvec), 0x80001001);
    csr_write(mtvec, saved_mtvec);
    /* medeleg: ecall from M (11) can never be delegated. */
    csr_write(medeleg, 0xffff);
    rt_impl("medeleg all", csr_read(medeleg));
    /* The spec says medeleg[11] "should" be read-only zero; QEMU 7.2
     * keeps it writable. */
    CHECK("medeleg bit 8 writable", (csr_read(medeleg) >> 8) & 1, 1);
    csr_write(medeleg, 0);
    /* mideleg: the S-level interrupt bits are writable. */
    csr_write(mideleg, 0x222);
    CHECK("mideleg S bits", csr_read(mideleg) & 0x222, 0x222);
    csr_write(mideleg, 0);
    /* mie: MSIE/MTIE/MEIE/SSIE/STIE/SEIE. */
    csr_write(mie, 0xaaa);
    CHECK("mie", csr_read(mie), 0xaaa);
    csr_write(mie, 0);
    /* satp written with an unsupported mode is ignored (tested in vm). */
    CHECK("sscratch final", csr_read(sscratch), 0x66);
    return 0;
}
