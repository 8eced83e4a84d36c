/* RV64C: every compressed form (bodies in rvc_asm.S), checked against
 * hand-computed values. c.jal is RV32-only (c.addiw takes its encoding). */
#include "ops.h"

#define DECL(name) u64 name(u64, u64)
DECL(rvc_addi4spn); DECL(rvc_addi4spn_small); DECL(rvc_addi16sp); DECL(rvc_lui_pos);
DECL(rvc_lui_neg); DECL(rvc_li_neg); DECL(rvc_li_pos); DECL(rvc_addi); DECL(rvc_addiw);
DECL(rvc_addiw0); DECL(rvc_srli); DECL(rvc_srai); DECL(rvc_slli); DECL(rvc_slli_s2);
DECL(rvc_andi); DECL(rvc_andi_pos); DECL(rvc_sub); DECL(rvc_xor); DECL(rvc_or); DECL(rvc_and);
DECL(rvc_subw); DECL(rvc_addw); DECL(rvc_mv_add); DECL(rvc_j); DECL(rvc_beqz); DECL(rvc_bnez);
DECL(rvc_jalr); DECL(rvc_jr_target); DECL(rvc_loads); DECL(rvc_sp_loads); DECL(rvc_ebreak);
DECL(rvc_illegal_zero); DECL(rvc_nop);

static volatile u64 buffer[9];

int main(void)
{
    CHECK("c.addi4spn 1020", rvc_addi4spn(0, 0), 1020);
    CHECK("c.addi4spn 4", rvc_addi4spn_small(0, 0), 4);
    CHECK("c.addi16sp -512", rvc_addi16sp(0, 0), (u64)-512);
    CHECK("c.lui 0x1f", rvc_lui_pos(0, 0), 0x1f000);
    CHECK("c.lui 0xfffe0 sext", rvc_lui_neg(0, 0), 0xfffffffffffe0000ULL);
    CHECK("c.li -32", rvc_li_neg(0, 0), (u64)-32);
    CHECK("c.li 31", rvc_li_pos(0, 0), 31);
    CHECK("c.addi", rvc_addi(100, 0), 100);
    CHECK("c.addiw wrap", rvc_addiw(0x7fffffff, 0), 0xffffffff80000000ULL);
    CHECK("c.addiw 0 (sext.w)", rvc_addiw0(0x12345678fedcba98ULL, 0), 0xfffffffffedcba98ULL);
    CHECK("c.srli 60", rvc_srli(0xf000000000000000ULL, 0), 0xf);
    CHECK("c.srai 40", rvc_srai(0x8000000000000000ULL, 0), 0xffffffffff800000ULL);
    CHECK("c.slli 63", rvc_slli(3, 0), 0x8000000000000000ULL);
    CHECK("c.slli 36 on t3", rvc_slli_s2(1, 0), 1ULL << 36);
    CHECK("c.andi -32", rvc_andi(0x123456789abcdeffULL, 0), 0x123456789abcdee0ULL);
    CHECK("c.andi 0x15", rvc_andi_pos(0xff, 0), 0x15);
    CHECK("c.sub", rvc_sub(5, 7), (u64)-2);
    CHECK("c.xor", rvc_xor(0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL), 0xf0f0f0f0f0f0f0f0ULL);
    CHECK("c.or", rvc_or(0xf0, 0x0f00000000000000ULL), 0x0f000000000000f0ULL);
    CHECK("c.and", rvc_and(0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL), 0x0f000f000f000f00ULL);
    CHECK("c.subw", rvc_subw(0x100000000ULL, 1), ~0ULL);
    CHECK("c.subw sext", rvc_subw(0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK("c.addw", rvc_addw(0x7fffffff, 1), 0xffffffff80000000ULL);
    CHECK("c.mv + c.add", rvc_mv_add(0x1111, 0x2222), 0x3333);
    CHECK("c.j forward/backward", rvc_j(0, 0), 3);
    CHECK("c.beqz taken", rvc_beqz(0, 0), 1);
    CHECK("c.beqz not taken", rvc_beqz(5, 0), 0);
    CHECK("c.bnez taken", rvc_bnez(3, 0), 1);
    CHECK("c.bnez loop, not taken", rvc_bnez(0, 0), 5);
    CHECK("c.jalr link = pc + 2", rvc_jalr(0, 0), 0);
    CHECK("c.jr to 2-byte aligned target", rvc_jr_target(0, 0), 7);
    CHECK("c.nop", rvc_nop(0, 0), 5);

    buffer[0] = 0x8765432112345678ULL;
    buffer[1] = 0x0123456789abcdefULL;
    rvc_loads((u64)buffer, 0);
    CHECK("c.lw sext", buffer[5], 0xffffffff87654321ULL);
    CHECK("c.sw + c.lw", buffer[6], 0xffffffff87654321ULL);
    CHECK("c.sw stored word", buffer[2] & 0xffffffff, 0x87654321);
    CHECK("c.ld + c.sd", buffer[7], 0x0123456789abcdefULL);
    CHECK("c.fld + c.fsd", buffer[8], 0x0123456789abcdefULL);
    CHECK("c.sdsp/ldsp/swsp/lwsp/fldsp/fsdsp", rvc_sp_loads(0x00000000f0000001ULL, 0),
          0xfffffffff0000001ULL);

    rt_expect_trap();
    CHECK("c.ebreak resumes", rvc_ebreak(0, 0), 9);
    CHECK("c.ebreak traps", rt_trap_count(), 1);
    CHECK("c.ebreak cause", rt_last_trap.cause, 3);
    CHECK("c.ebreak mepc", rt_last_trap.epc, (u64)rvc_ebreak);
    rt_impl("c.ebreak mtval", rt_last_trap.tval);
    rt_expect_trap();
    CHECK("illegal 0x0000 resumes", rvc_illegal_zero(0, 0), 10);
    CHECK("illegal 0x0000 traps", rt_trap_count(), 1);
    CHECK("illegal 0x0000 cause", rt_last_trap.cause, 2);
    CHECK("illegal 0x0000 mepc", rt_last_trap.epc, (u64)rvc_illegal_zero);
    rt_impl("illegal 0x0000 mtval", rt_last_trap.tval);
    CHECK("misa has C", (csr_read(misa) >> 2) & 1, 1);
    return 0;
}
