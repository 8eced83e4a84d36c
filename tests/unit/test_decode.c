/* Decoder table test: encodings (produced by the riscv64 assembler) ->
 * op id, length, register fields and immediate, including every RV64C
 * expansion and the reserved encodings that must decode to OP_ILLEGAL.
 * Prints one line per failure; exits nonzero if any. */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu_internal.h"

typedef struct DecodeCase {
    uint32_t raw;
    int op;
    int len;
    int rd, rs1, rs2; /* -1: not checked */
    int check_imm;
    int32_t imm;
} DecodeCase;

static const DecodeCase valid_cases[] = {
    {0x0000dde8, OP_SW, 2, -1, 11, 10, 1, 124}, /* c.sw a0, 124(a1) */
    {0x0000fde8, OP_SD, 2, -1, 11, 10, 1, 248}, /* c.sd a0, 248(a1) */
    {0x0000057d, OP_ADDI, 2, 10, 10, -1, 1, 31}, /* c.addi a0, 31 */
    {0x12345537, OP_LUI, 4, 10, -1, -1, 1, 0x12345000}, /* lui a0, 0x12345 */
    {0xfffff297, OP_AUIPC, 4, 5, -1, -1, 1, -4096}, /* auipc t0, 0xfffff */
    {0x001000ef, OP_JAL, 4, 1, -1, -1, 1, 2048}, /* jal ra, .+2048 */
    {0xffc605e7, OP_JALR, 4, 11, 12, -1, 1, -4}, /* jalr a1, -4(a2) */
    {0xfeb508e3, OP_BEQ, 4, -1, 10, 11, 1, -16}, /* beq a0, a1, .-16 */
    {0x7eb51fe3, OP_BNE, 4, -1, 10, 11, 1, 4094}, /* bne a0, a1, .+4094 */
    {0x00b54463, OP_BLT, 4, -1, 10, 11, 1, 8}, /* blt a0, a1, .+8 */
    {0x00b55463, OP_BGE, 4, -1, 10, 11, 1, 8}, /* bge a0, a1, .+8 */
    {0x00b56463, OP_BLTU, 4, -1, 10, 11, 1, 8}, /* bltu a0, a1, .+8 */
    {0x00b57463, OP_BGEU, 4, -1, 10, 11, 1, 8}, /* bgeu a0, a1, .+8 */
    {0xfff58503, OP_LB, 4, 10, 11, -1, 1, -1}, /* lb a0, -1(a1) */
    {0x00259503, OP_LH, 4, 10, 11, -1, 1, 2}, /* lh a0, 2(a1) */
    {0x7ff5a503, OP_LW, 4, 10, 11, -1, 1, 2047}, /* lw a0, 2047(a1) */
    {0x8005b503, OP_LD, 4, 10, 11, -1, 1, -2048}, /* ld a0, -2048(a1) */
    {0x0005c503, OP_LBU, 4, 10, 11, -1, 1, 0}, /* lbu a0, 0(a1) */
    {0x0005d503, OP_LHU, 4, 10, 11, -1, 1, 0}, /* lhu a0, 0(a1) */
    {0x0005e503, OP_LWU, 4, 10, 11, -1, 1, 0}, /* lwu a0, 0(a1) */
    {0xfea58fa3, OP_SB, 4, -1, 11, 10, 1, -1}, /* sb a0, -1(a1) */
    {0x00a59123, OP_SH, 4, -1, 11, 10, 1, 2}, /* sh a0, 2(a1) */
    {0x7ea5afa3, OP_SW, 4, -1, 11, 10, 1, 2047}, /* sw a0, 2047(a1) */
    {0x80a5b023, OP_SD, 4, -1, 11, 10, 1, -2048}, /* sd a0, -2048(a1) */
    {0xfff58513, OP_ADDI, 4, 10, 11, 31, 1, -1}, /* addi a0, a1, -1 */
    {0x0055a513, OP_SLTI, 4, 10, 11, 5, 1, 5}, /* slti a0, a1, 5 */
    {0x0055b513, OP_SLTIU, 4, 10, 11, 5, 1, 5}, /* sltiu a0, a1, 5 */
    {0x0055c513, OP_XORI, 4, 10, 11, 5, 1, 5}, /* xori a0, a1, 5 */
    {0x0055e513, OP_ORI, 4, 10, 11, 5, 1, 5}, /* ori a0, a1, 5 */
    {0x0055f513, OP_ANDI, 4, 10, 11, 5, 1, 5}, /* andi a0, a1, 5 */
    {0x03f59513, OP_SLLI, 4, 10, 11, 31, 1, 63}, /* slli a0, a1, 63 */
    {0x0205d513, OP_SRLI, 4, 10, 11, 0, 1, 32}, /* srli a0, a1, 32 */
    {0x43f5d513, OP_SRAI, 4, 10, 11, 31, 1, 63}, /* srai a0, a1, 63 */
    {0x00c58533, OP_ADD, 4, 10, 11, 12, 1, 0}, /* add a0, a1, a2 */
    {0x40c58533, OP_SUB, 4, 10, 11, 12, 1, 0}, /* sub a0, a1, a2 */
    {0x00c59533, OP_SLL, 4, 10, 11, 12, 1, 0}, /* sll a0, a1, a2 */
    {0x00c5a533, OP_SLT, 4, 10, 11, 12, 1, 0}, /* slt a0, a1, a2 */
    {0x00c5b533, OP_SLTU, 4, 10, 11, 12, 1, 0}, /* sltu a0, a1, a2 */
    {0x00c5c533, OP_XOR, 4, 10, 11, 12, 1, 0}, /* xor a0, a1, a2 */
    {0x00c5d533, OP_SRL, 4, 10, 11, 12, 1, 0}, /* srl a0, a1, a2 */
    {0x40c5d533, OP_SRA, 4, 10, 11, 12, 1, 0}, /* sra a0, a1, a2 */
    {0x00c5e533, OP_OR, 4, 10, 11, 12, 1, 0}, /* or a0, a1, a2 */
    {0x00c5f533, OP_AND, 4, 10, 11, 12, 1, 0}, /* and a0, a1, a2 */
    {0xffd5851b, OP_ADDIW, 4, 10, 11, 29, 1, -3}, /* addiw a0, a1, -3 */
    {0x01f5951b, OP_SLLIW, 4, 10, 11, 31, 1, 31}, /* slliw a0, a1, 31 */
    {0x01f5d51b, OP_SRLIW, 4, 10, 11, 31, 1, 31}, /* srliw a0, a1, 31 */
    {0x41f5d51b, OP_SRAIW, 4, 10, 11, 31, 1, 31}, /* sraiw a0, a1, 31 */
    {0x00c5853b, OP_ADDW, 4, 10, 11, 12, 1, 0}, /* addw a0, a1, a2 */
    {0x40c5853b, OP_SUBW, 4, 10, 11, 12, 1, 0}, /* subw a0, a1, a2 */
    {0x00c5953b, OP_SLLW, 4, 10, 11, 12, 1, 0}, /* sllw a0, a1, a2 */
    {0x00c5d53b, OP_SRLW, 4, 10, 11, 12, 1, 0}, /* srlw a0, a1, a2 */
    {0x40c5d53b, OP_SRAW, 4, 10, 11, 12, 1, 0}, /* sraw a0, a1, a2 */
    {0x0330000f, OP_FENCE, 4, -1, -1, -1, 0, 0}, /* fence rw, rw */
    {0x0000100f, OP_FENCE_I, 4, -1, -1, -1, 0, 0}, /* fence.i */
    {0x00000073, OP_ECALL, 4, -1, -1, -1, 0, 0}, /* ecall */
    {0x00100073, OP_EBREAK, 4, -1, -1, -1, 0, 0}, /* ebreak */
    {0x30059573, OP_CSRRW, 4, 10, 11, -1, 1, 0x300}, /* csrrw a0, mstatus, a1 */
    {0xfff5a573, OP_CSRRS, 4, 10, 11, -1, 1, 0xfff}, /* csrrs a0, 0xfff, a1 */
    {0x10003573, OP_CSRRC, 4, 10, 0, -1, 1, 0x100}, /* csrrc a0, sstatus, zero */
    {0x340fd573, OP_CSRRWI, 4, 10, 31, -1, 1, 0x340}, /* csrrwi a0, mscratch, 31 */
    {0x3400e573, OP_CSRRSI, 4, 10, 1, -1, 1, 0x340}, /* csrrsi a0, mscratch, 1 */
    {0x34007573, OP_CSRRCI, 4, 10, 0, -1, 1, 0x340}, /* csrrci a0, mscratch, 0 */
    {0x30200073, OP_MRET, 4, -1, -1, -1, 0, 0}, /* mret */
    {0x10200073, OP_SRET, 4, -1, -1, -1, 0, 0}, /* sret */
    {0x10500073, OP_WFI, 4, -1, -1, -1, 0, 0}, /* wfi */
    {0x12b50073, OP_SFENCE_VMA, 4, 0, 10, 11, 0, 0}, /* sfence.vma a0, a1 */
    {0x12000073, OP_SFENCE_VMA, 4, 0, 0, 0, 0, 0}, /* sfence.vma */
    {0x02c58533, OP_MUL, 4, 10, 11, 12, 0, 0}, /* mul a0, a1, a2 */
    {0x02c59533, OP_MULH, 4, 10, 11, 12, 0, 0}, /* mulh a0, a1, a2 */
    {0x02c5a533, OP_MULHSU, 4, 10, 11, 12, 0, 0}, /* mulhsu a0, a1, a2 */
    {0x02c5b533, OP_MULHU, 4, 10, 11, 12, 0, 0}, /* mulhu a0, a1, a2 */
    {0x02c5c533, OP_DIV, 4, 10, 11, 12, 0, 0}, /* div a0, a1, a2 */
    {0x02c5d533, OP_DIVU, 4, 10, 11, 12, 0, 0}, /* divu a0, a1, a2 */
    {0x02c5e533, OP_REM, 4, 10, 11, 12, 0, 0}, /* rem a0, a1, a2 */
    {0x02c5f533, OP_REMU, 4, 10, 11, 12, 0, 0}, /* remu a0, a1, a2 */
    {0x02c5853b, OP_MULW, 4, 10, 11, 12, 0, 0}, /* mulw a0, a1, a2 */
    {0x02c5c53b, OP_DIVW, 4, 10, 11, 12, 0, 0}, /* divw a0, a1, a2 */
    {0x02c5d53b, OP_DIVUW, 4, 10, 11, 12, 0, 0}, /* divuw a0, a1, a2 */
    {0x02c5e53b, OP_REMW, 4, 10, 11, 12, 0, 0}, /* remw a0, a1, a2 */
    {0x02c5f53b, OP_REMUW, 4, 10, 11, 12, 0, 0}, /* remuw a0, a1, a2 */
    {0x1005a52f, OP_LR_W, 4, 10, 11, 0, 0, 0}, /* lr.w a0, (a1) */
    {0x18c5a52f, OP_SC_W, 4, 10, 11, 12, 0, 0}, /* sc.w a0, a2, (a1) */
    {0x1605b52f, OP_LR_D, 4, 10, 11, 0, 0, 0}, /* lr.d.aqrl a0, (a1) */
    {0x1ac5b52f, OP_SC_D, 4, 10, 11, 12, 0, 0}, /* sc.d.rl a0, a2, (a1) */
    {0x08c5a52f, OP_AMOSWAP_W, 4, 10, 11, 12, 0, 0}, /* amoswap.w a0, a2, (a1) */
    {0x00c5a52f, OP_AMOADD_W, 4, 10, 11, 12, 0, 0}, /* amoadd.w a0, a2, (a1) */
    {0x20c5a52f, OP_AMOXOR_W, 4, 10, 11, 12, 0, 0}, /* amoxor.w a0, a2, (a1) */
    {0x60c5a52f, OP_AMOAND_W, 4, 10, 11, 12, 0, 0}, /* amoand.w a0, a2, (a1) */
    {0x40c5a52f, OP_AMOOR_W, 4, 10, 11, 12, 0, 0}, /* amoor.w a0, a2, (a1) */
    {0x80c5a52f, OP_AMOMIN_W, 4, 10, 11, 12, 0, 0}, /* amomin.w a0, a2, (a1) */
    {0xa0c5a52f, OP_AMOMAX_W, 4, 10, 11, 12, 0, 0}, /* amomax.w a0, a2, (a1) */
    {0xc0c5a52f, OP_AMOMINU_W, 4, 10, 11, 12, 0, 0}, /* amominu.w a0, a2, (a1) */
    {0xe0c5a52f, OP_AMOMAXU_W, 4, 10, 11, 12, 0, 0}, /* amomaxu.w a0, a2, (a1) */
    {0x08c5b52f, OP_AMOSWAP_D, 4, 10, 11, 12, 0, 0}, /* amoswap.d a0, a2, (a1) */
    {0x00c5b52f, OP_AMOADD_D, 4, 10, 11, 12, 0, 0}, /* amoadd.d a0, a2, (a1) */
    {0x20c5b52f, OP_AMOXOR_D, 4, 10, 11, 12, 0, 0}, /* amoxor.d a0, a2, (a1) */
    {0x60c5b52f, OP_AMOAND_D, 4, 10, 11, 12, 0, 0}, /* amoand.d a0, a2, (a1) */
    {0x40c5b52f, OP_AMOOR_D, 4, 10, 11, 12, 0, 0}, /* amoor.d a0, a2, (a1) */
    {0x80c5b52f, OP_AMOMIN_D, 4, 10, 11, 12, 0, 0}, /* amomin.d a0, a2, (a1) */
    {0xa0c5b52f, OP_AMOMAX_D, 4, 10, 11, 12, 0, 0}, /* amomax.d a0, a2, (a1) */
    {0xc0c5b52f, OP_AMOMINU_D, 4, 10, 11, 12, 0, 0}, /* amominu.d a0, a2, (a1) */
    {0xe4c5b52f, OP_AMOMAXU_D, 4, 10, 11, 12, 0, 0}, /* amomaxu.d.aq a0, a2, (a1) */
    {0x0085a507, OP_FLW, 4, 10, 11, -1, 1, 8}, /* flw fa0, 8(a1) */
    {0xff85b507, OP_FLD, 4, 10, 11, -1, 1, -8}, /* fld fa0, -8(a1) */
    {0x00a5a427, OP_FSW, 4, -1, 11, 10, 1, 8}, /* fsw fa0, 8(a1) */
    {0xfea5bc27, OP_FSD, 4, -1, 11, 10, 1, -8}, /* fsd fa0, -8(a1) */
    {0x00c5f553, OP_FP, 4, 10, 11, 12, 0, 0}, /* fadd.s fa0, fa1, fa2 */
    {0x6ac5f543, OP_FP, 4, 10, 11, 12, 0, 0}, /* fmadd.d fa0, fa1, fa2, fa3 */
    {0x68c5f547, OP_FP, 4, 10, 11, 12, 0, 0}, /* fmsub.s fa0, fa1, fa2, fa3 */
    {0x6ac5f54b, OP_FP, 4, 10, 11, 12, 0, 0}, /* fnmsub.d fa0, fa1, fa2, fa3 */
    {0x68c5f54f, OP_FP, 4, 10, 11, 12, 0, 0}, /* fnmadd.s fa0, fa1, fa2, fa3 */
    {0xd225f553, OP_FP, 4, 10, 11, -1, 0, 0}, /* fcvt.d.l fa0, a1 */
    {0xe0058553, OP_FP, 4, 10, 11, -1, 0, 0}, /* fmv.x.w a0, fa1 */
    {0x00001fe8, OP_ADDI, 2, 10, 2, -1, 1, 1020}, /* c.addi4spn a0, sp, 1020 */
    {0x00003de8, OP_FLD, 2, 10, 11, -1, 1, 248}, /* c.fld fa0, 248(a1) */
    {0x00005de8, OP_LW, 2, 10, 11, -1, 1, 124}, /* c.lw a0, 124(a1) */
    {0x00007de8, OP_LD, 2, 10, 11, -1, 1, 248}, /* c.ld a0, 248(a1) */
    {0x0000bde8, OP_FSD, 2, -1, 11, 10, 1, 248}, /* c.fsd fa0, 248(a1) */
    {0x0000c1a8, OP_SW, 2, -1, 11, 10, 1, 64}, /* c.sw a0, 64(a1) */
    {0x0000e1c8, OP_SD, 2, -1, 11, 10, 1, 128}, /* c.sd a0, 128(a1) */
    {0x00000001, OP_ADDI, 2, 0, 0, -1, 1, 0}, /* c.nop */
    {0x00001501, OP_ADDI, 2, 10, 10, -1, 1, -32}, /* c.addi a0, -32 */
    {0x0000257d, OP_ADDIW, 2, 10, 10, -1, 1, 31}, /* c.addiw a0, 31 */
    {0x000057fd, OP_ADDI, 2, 15, 0, -1, 1, -1}, /* c.li a5, -1 */
    {0x00007101, OP_ADDI, 2, 2, 2, -1, 1, -512}, /* c.addi16sp sp, -512 */
    {0x0000617d, OP_ADDI, 2, 2, 2, -1, 1, 496}, /* c.addi16sp sp, 496 */
    {0x00007501, OP_LUI, 2, 10, -1, -1, 1, -131072}, /* c.lui a0, 0xfffe0 */
    {0x0000657d, OP_LUI, 2, 10, -1, -1, 1, 0x1f000}, /* c.lui a0, 0x1f */
    {0x0000917d, OP_SRLI, 2, 10, 10, -1, 1, 63}, /* c.srli a0, 63 */
    {0x00008505, OP_SRAI, 2, 10, 10, -1, 1, 1}, /* c.srai a0, 1 */
    {0x0000997d, OP_ANDI, 2, 10, 10, -1, 1, -1}, /* c.andi a0, -1 */
    {0x00008d0d, OP_SUB, 2, 10, 10, 11, 0, 0}, /* c.sub a0, a1 */
    {0x00008d2d, OP_XOR, 2, 10, 10, 11, 0, 0}, /* c.xor a0, a1 */
    {0x00008d4d, OP_OR, 2, 10, 10, 11, 0, 0}, /* c.or a0, a1 */
    {0x00008d6d, OP_AND, 2, 10, 10, 11, 0, 0}, /* c.and a0, a1 */
    {0x00009d0d, OP_SUBW, 2, 10, 10, 11, 0, 0}, /* c.subw a0, a1 */
    {0x00009d2d, OP_ADDW, 2, 10, 10, 11, 0, 0}, /* c.addw a0, a1 */
    {0x0000b001, OP_JAL, 2, 0, -1, -1, 1, -2048}, /* c.j .-2048 */
    {0x0000affd, OP_JAL, 2, 0, -1, -1, 1, 2046}, /* c.j .+2046 */
    {0x0000d101, OP_BEQ, 2, -1, 10, 0, 1, -256}, /* c.beqz a0, .-256 */
    {0x0000ed7d, OP_BNE, 2, -1, 10, 0, 1, 254}, /* c.bnez a0, .+254 */
    {0x0000157e, OP_SLLI, 2, 10, 10, -1, 1, 63}, /* c.slli a0, 63 */
    {0x0000357e, OP_FLD, 2, 10, 2, -1, 1, 504}, /* c.fldsp fa0, 504(sp) */
    {0x0000557e, OP_LW, 2, 10, 2, -1, 1, 252}, /* c.lwsp a0, 252(sp) */
    {0x0000757e, OP_LD, 2, 10, 2, -1, 1, 504}, /* c.ldsp a0, 504(sp) */
    {0x00008502, OP_JALR, 2, 0, 10, -1, 1, 0}, /* c.jr a0 */
    {0x0000852e, OP_ADD, 2, 10, 0, 11, 0, 0}, /* c.mv a0, a1 */
    {0x00009002, OP_EBREAK, 2, -1, -1, -1, 0, 0}, /* c.ebreak */
    {0x00009502, OP_JALR, 2, 1, 10, -1, 1, 0}, /* c.jalr a0 */
    {0x0000952e, OP_ADD, 2, 10, 10, 11, 0, 0}, /* c.add a0, a1 */
    {0x0000bfaa, OP_FSD, 2, -1, 2, 10, 1, 504}, /* c.fsdsp fa0, 504(sp) */
    {0x0000dfaa, OP_SW, 2, -1, 2, 10, 1, 252}, /* c.swsp a0, 252(sp) */
    {0x0000ffaa, OP_SD, 2, -1, 2, 10, 1, 504}, /* c.sdsp a0, 504(sp) */
};

typedef struct IllegalCase {
    uint32_t raw;
    int len;
    const char *what;
} IllegalCase;

static const IllegalCase illegal_cases[] = {
    {0x0000, 2, "all-zero instruction"},
    {0x0004, 2, "c.addi4spn with nzuimm = 0"},
    {0x8000, 2, "quadrant 0 funct3 = 100"},
    {0x2001, 2, "c.addiw rd = 0"},
    {0x6501, 2, "c.lui nzimm = 0"},
    {0x6101, 2, "c.addi16sp nzimm = 0"},
    {0x9c41, 2, "reserved c.subw/c.addw slot"},
    {0x9c61, 2, "reserved c.subw/c.addw slot 2"},
    {0x4002, 2, "c.lwsp rd = 0"},
    {0x6002, 2, "c.ldsp rd = 0"},
    {0x8002, 2, "c.jr rs1 = 0"},
    {0xffffffff, 4, "48-bit-and-longer space"},
    {0x0000001f, 4, "48-bit prefix"},
    {0x0000000b, 4, "custom-0"},
    {0x00000057, 4, "OP-V"},
    {0x00001067, 4, "jalr funct3 = 1"},
    {0x00002063, 4, "branch funct3 = 2"},
    {0x00003063, 4, "branch funct3 = 3"},
    {0x00007003, 4, "load funct3 = 7"},
    {0x00004023, 4, "store funct3 = 4"},
    {0x04001013, 4, "slli funct6 != 0"},
    {0x60005013, 4, "srli/srai funct6 = 011000"},
    {0x0200101b, 4, "slliw shamt[5] = 1"},
    {0x0200501b, 4, "srliw shamt[5] = 1"},
    {0x4200501b, 4, "sraiw shamt[5] = 1"},
    {0x0000201b, 4, "OP-IMM-32 funct3 = 2"},
    {0x80000033, 4, "OP funct7 = 1000000"},
    {0x40001033, 4, "OP funct7 = 0100000 funct3 = 1"},
    {0x40007033, 4, "OP funct7 = 0100000 funct3 = 7"},
    {0x0200103b, 4, "OP-32 M funct3 = 1"},
    {0x0000203b, 4, "OP-32 funct3 = 2"},
    {0x4000103b, 4, "OP-32 funct7 = 0100000 funct3 = 1"},
    {0x0000200f, 4, "MISC-MEM funct3 = 2"},
    {0x00004073, 4, "SYSTEM funct3 = 4"},
    {0x000000f3, 4, "ecall with rd != 0"},
    {0x30208073, 4, "mret with rs1 != 0"},
    {0x7b200073, 4, "dret (no debug mode)"},
    {0x120000f3, 4, "sfence.vma with rd != 0"},
    {0x1015a52f, 4, "lr.w with rs2 != 0"},
    {0x0000002f, 4, "AMO funct3 = 0"},
    {0x0000402f, 4, "AMO funct3 = 4"},
    {0x2805a52f, 4, "AMO funct5 = 00101"},
    {0x00001007, 4, "LOAD-FP funct3 = 1"},
    {0x00000027, 4, "STORE-FP funct3 = 0"},
};

typedef struct EndsCase {
    uint32_t raw;
    bool ends;
    const char *what;
} EndsCase;

static const EndsCase ends_cases[] = {
    {0x00b50533, false, "add"},
    {0x0005b503, false, "ld"},
    {0x00a5b023, false, "sd"},
    {0x0ff0000f, false, "fence"},
    {0x1005a52f, false, "lr.w"},
    {0x0000100f, true, "fence.i"},
    {0x001000ef, true, "jal"},
    {0x00008067, true, "ret"},
    {0x00b50463, true, "beq"},
    {0x30059573, true, "csrrw"},
    {0x00000073, true, "ecall"},
    {0x10500073, true, "wfi"},
    {0x00c5f553, true, "fadd.d"},
    {0xffffffff, true, "illegal"},
    {0x4501, false, "c.li"},
    {0x8082, true, "c.jr ra"},
};

int main(void)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        const DecodeCase *c = &valid_cases[i];
        DecodedInsn d;
        memset(&d, 0xa5, sizeof(d));
        decode_insn(c->raw, &d);
        char why[200] = "";
        if (d.op_id != c->op)
            snprintf(why, sizeof(why), "op %s, expected %s", decode_op_name(d.op_id),
                     decode_op_name(c->op));
        else if (d.len != c->len)
            snprintf(why, sizeof(why), "len %d, expected %d", d.len, c->len);
        else if (c->rd >= 0 && d.rd != c->rd)
            snprintf(why, sizeof(why), "rd %d, expected %d", d.rd, c->rd);
        else if (c->rs1 >= 0 && d.rs1 != c->rs1)
            snprintf(why, sizeof(why), "rs1 %d, expected %d", d.rs1, c->rs1);
        else if (c->rs2 >= 0 && d.rs2 != c->rs2)
            snprintf(why, sizeof(why), "rs2 %d, expected %d", d.rs2, c->rs2);
        else if (c->check_imm && d.imm != c->imm)
            snprintf(why, sizeof(why), "imm %d, expected %d", d.imm, c->imm);
        else if (c->len == 4 && d.raw != c->raw)
            snprintf(why, sizeof(why), "raw 0x%08x, expected 0x%08x", d.raw, c->raw);
        if (why[0]) {
            printf("FAIL decode 0x%08x (%s): %s\n", c->raw, decode_op_name(c->op), why);
            failures++;
        }
        /* A compressed instruction's expansion must decode the same way. */
        if (c->len == 2 && d.op_id != OP_ILLEGAL) {
            DecodedInsn e;
            decode_insn(d.raw, &e);
            if (e.op_id != d.op_id || e.rd != d.rd || e.rs1 != d.rs1 || e.imm != d.imm ||
                (d.op_id >= OP_ADD && d.op_id <= OP_AND && e.rs2 != d.rs2) || e.len != 4) {
                printf("FAIL expansion 0x%08x of 0x%04x decodes differently\n", d.raw, c->raw);
                failures++;
            }
        }
    }
    for (size_t i = 0; i < sizeof(illegal_cases) / sizeof(illegal_cases[0]); i++) {
        const IllegalCase *c = &illegal_cases[i];
        DecodedInsn d;
        bool ends = decode_insn(c->raw, &d);
        if (d.op_id != OP_ILLEGAL || !ends || d.len != c->len || d.raw != c->raw) {
            printf("FAIL illegal 0x%08x (%s): got %s len %d raw 0x%x ends %d\n", c->raw, c->what,
                   decode_op_name(d.op_id), d.len, d.raw, ends);
            failures++;
        }
    }
    for (size_t i = 0; i < sizeof(ends_cases) / sizeof(ends_cases[0]); i++) {
        DecodedInsn d;
        if (decode_insn(ends_cases[i].raw, &d) != ends_cases[i].ends) {
            printf("FAIL ends-block for %s (0x%08x)\n", ends_cases[i].what, ends_cases[i].raw);
            failures++;
        }
    }
    for (int op = 0; op < OP_COUNT; op++) {
        if (strcmp(decode_op_name((OpId)op), "?") == 0) {
            printf("FAIL op %d has no name\n", op);
            failures++;
        }
    }
    if (failures)
        printf("%d decode failures\n", failures);
    return failures != 0;
}
