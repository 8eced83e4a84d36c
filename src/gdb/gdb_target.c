/* The machine as gdb sees it: target description, registers, memory
 * through the hart's MMU, and the data access of the next instruction
 * (for watchpoints). gdbstub.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "board/virt.h"
#include "gdb/gdbstub.h"

enum { REG_PC = 32, REG_F0 = 33, REG_CSR0 = 65, REG_PRIV = 65 + 4096 };

static const char *const xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const freg_names[32] = {
    "ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",  "fs0",  "fs1", "fa0",
    "fa1", "fa2", "fa3",  "fa4",  "fa5", "fa6", "fa7",  "fs2",  "fs3",  "fs4", "fs5",
    "fs6", "fs7", "fs8",  "fs9",  "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

static const struct {
    int num;
    const char *name;
} csrs[] = {
    { 0x100, "sstatus" },  { 0x104, "sie" },      { 0x105, "stvec" },    { 0x106, "scounteren" },
    { 0x10a, "senvcfg" },  { 0x140, "sscratch" }, { 0x141, "sepc" },     { 0x142, "scause" },
    { 0x143, "stval" },    { 0x144, "sip" },      { 0x180, "satp" },     { 0x300, "mstatus" },
    { 0x301, "misa" },     { 0x302, "medeleg" },  { 0x303, "mideleg" },  { 0x304, "mie" },
    { 0x305, "mtvec" },    { 0x306, "mcounteren" }, { 0x30a, "menvcfg" }, { 0x340, "mscratch" },
    { 0x341, "mepc" },     { 0x342, "mcause" },   { 0x343, "mtval" },    { 0x344, "mip" },
    { 0x3a0, "pmpcfg0" },  { 0x3a2, "pmpcfg2" },  { 0x3b0, "pmpaddr0" }, { 0x3b1, "pmpaddr1" },
    { 0x3b2, "pmpaddr2" }, { 0x3b3, "pmpaddr3" }, { 0xb00, "mcycle" },   { 0xb02, "minstret" },
    { 0xc00, "cycle" },    { 0xc01, "time" },     { 0xc02, "instret" },  { 0xf11, "mvendorid" },
    { 0xf12, "marchid" },  { 0xf13, "mimpid" },   { 0xf14, "mhartid" },
};

static char xml[16384];

const char *gdb_target_xml(void)
{
    if (xml[0])
        return xml;
    size_t n = 0;
#define ADD(...) n += (size_t)snprintf(xml + n, sizeof(xml) - n, __VA_ARGS__)
    ADD("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
        "<target version=\"1.0\">\n<architecture>riscv:rv64</architecture>\n"
        "<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
    for (int i = 0; i < 32; i++)
        ADD("<reg name=\"%s\" bitsize=\"64\" regnum=\"%d\" type=\"%s\"/>\n", xreg_names[i], i,
            i == 1 ? "code_ptr" : i == 2 || i == 8 ? "data_ptr" : "int");
    ADD("<reg name=\"pc\" bitsize=\"64\" regnum=\"32\" type=\"code_ptr\"/>\n</feature>\n"
        "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
        "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
        "<field name=\"double\" type=\"ieee_double\"/></union>\n");
    for (int i = 0; i < 32; i++)
        ADD("<reg name=\"%s\" bitsize=\"64\" regnum=\"%d\" type=\"riscv_double\" group=\"float\"/>\n",
            freg_names[i], REG_F0 + i);
    ADD("<reg name=\"fflags\" bitsize=\"32\" regnum=\"66\" type=\"int\" group=\"float\"/>\n"
        "<reg name=\"frm\" bitsize=\"32\" regnum=\"67\" type=\"int\" group=\"float\"/>\n"
        "<reg name=\"fcsr\" bitsize=\"32\" regnum=\"68\" type=\"int\" group=\"float\"/>\n"
        "</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
        ADD("<reg name=\"%s\" bitsize=\"64\" regnum=\"%d\" type=\"int\" group=\"system\"/>\n",
            csrs[i].name, REG_CSR0 + csrs[i].num);
    ADD("</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
        "<reg name=\"priv\" bitsize=\"64\" regnum=\"%d\" type=\"int\" group=\"system\"/>\n"
        "</feature>\n</target>\n",
        REG_PRIV);
#undef ADD
    return xml;
}

static bool known_csr(int num)
{
    for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
        if (csrs[i].num == num)
            return true;
    return false;
}

bool gdb_read_register(Hart *h, int regnum, uint64_t *value)
{
    if (regnum >= 0 && regnum < 32) {
        *value = h->x[regnum];
    } else if (regnum == REG_PC) {
        *value = h->pc;
    } else if (regnum >= REG_F0 && regnum < REG_F0 + 32) {
        *value = h->f[regnum - REG_F0];
    } else if (regnum == REG_CSR0 + 1) {
        *value = h->fflags;
    } else if (regnum == REG_CSR0 + 2) {
        *value = h->frm;
    } else if (regnum == REG_CSR0 + 3) {
        *value = (uint64_t)h->frm << 5 | h->fflags;
    } else if (regnum == REG_PRIV) {
        *value = h->priv;
    } else if (regnum > REG_CSR0 && regnum < REG_CSR0 + 4096 && known_csr(regnum - REG_CSR0)) {
        return hart_csr_read_debug(h, regnum - REG_CSR0, value);
    } else {
        return false;
    }
    return true;
}

/* Register writes: the integer, FP and a few plain CSRs (the ones whose
 * write has no side effect on translation or interrupts). */
bool gdb_write_register(Hart *h, int regnum, uint64_t value)
{
    if (regnum > 0 && regnum < 32) {
        h->x[regnum] = value;
    } else if (regnum == 0) {
        /* x0 stays 0 */
    } else if (regnum == REG_PC) {
        h->pc = value & ~1ull;
    } else if (regnum >= REG_F0 && regnum < REG_F0 + 32) {
        h->f[regnum - REG_F0] = value;
    } else if (regnum == REG_CSR0 + 1) {
        h->fflags = value & 0x1f;
    } else if (regnum == REG_CSR0 + 2) {
        h->frm = value & 7;
    } else if (regnum == REG_CSR0 + 3) {
        h->fflags = value & 0x1f;
        h->frm = (value >> 5) & 7;
    } else {
        uint64_t *plain = NULL;
        switch (regnum - REG_CSR0) {
        case 0x140: plain = &h->sscratch; break;
        case 0x141: plain = &h->sepc; break;
        case 0x142: plain = &h->scause; break;
        case 0x143: plain = &h->stval; break;
        case 0x340: plain = &h->mscratch; break;
        case 0x341: plain = &h->mepc; break;
        case 0x342: plain = &h->mcause; break;
        case 0x343: plain = &h->mtval; break;
        case 0x105: plain = &h->stvec; break;
        case 0x305: plain = &h->mtvec; break;
        default: return false;
        }
        *plain = value;
    }
    return true;
}

/* One piece inside a page: host pointer to RAM (writable) or ROM. */
static const uint8_t *debug_ptr(VirtMachine *m, Hart *h, uint64_t addr, size_t len, bool write,
                                uint64_t *paddr_out)
{
    uint64_t pa;
    if (!hart_debug_translate(h, addr, &pa))
        pa = addr; /* physical fallback */
    *paddr_out = pa;
    const uint8_t *p = bus_ram_ptr(&m->bus, pa, len);
    if (!p && !write)
        p = bus_rom_ptr(&m->bus, pa, len);
    return p;
}

bool gdb_read_memory(VirtMachine *m, Hart *h, uint64_t addr, uint8_t *buf, size_t len)
{
    while (len > 0) {
        size_t piece = 4096 - (addr & 4095);
        if (piece > len)
            piece = len;
        uint64_t pa;
        const uint8_t *p = debug_ptr(m, h, addr, piece, false, &pa);
        if (!p)
            return false;
        memcpy(buf, p, piece);
        buf += piece;
        addr += piece;
        len -= piece;
    }
    return true;
}

bool gdb_write_memory(VirtMachine *m, Hart *h, uint64_t addr, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        size_t piece = 4096 - (addr & 4095);
        if (piece > len)
            piece = len;
        uint64_t pa;
        if (!debug_ptr(m, h, addr, piece, true, &pa) || !bus_dma_write(&m->bus, pa, buf, piece))
            return false;
        for (int i = 0; i < m->hart_count; i++)
            hart_flush_write_tlb(m->harts[i], pa & ~4095ull);
        buf += piece;
        addr += piece;
        len -= piece;
    }
    return true;
}

static int64_t sext(uint64_t v, int bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

bool gdb_next_access(VirtMachine *m, Hart *h, uint64_t *addr, int *size, int *kind)
{
    uint8_t raw[4];
    /* The hart's fetch TLB usually holds the page of pc (it just ran
     * there): no page walk then. Same tag rule as the interpreter's probe
     * (page, alignment folded in). */
    const HartTlbEntry *e = &h->tlb_fetch[(h->pc >> 12) & (HART_TLB_SIZE - 1)];
    if ((h->pc & 0xfff) <= 0xffc && (h->pc & (~0xfffull | 1)) == e->tag)
        memcpy(raw, (const uint8_t *)(uintptr_t)(h->pc + e->addend), 4);
    else if (!gdb_read_memory(m, h, h->pc, raw, 2) ||
             ((raw[0] & 3) == 3 && !gdb_read_memory(m, h, h->pc + 2, raw + 2, 2)))
        return false;
    uint32_t insn = (uint32_t)raw[0] | (uint32_t)raw[1] << 8;
    if ((insn & 3) != 3) {
        /* Compressed: C.LW/LD/FLD/SW/SD/FSD and the sp-relative forms. */
        unsigned op = insn & 3, f3 = insn >> 13;
        unsigned rs1p = 8 + ((insn >> 7) & 7);
        uint64_t base;
        int64_t off;
        if (op == 0 && f3 != 0 && f3 != 4) {
            base = h->x[rs1p];
            if (f3 == 2 || f3 == 6) /* lw, sw: offset[5:3|2|6] */
                off = ((insn >> 7) & 0x38) | ((insn >> 4) & 4) | ((insn << 1) & 0x40);
            else /* ld, sd, fld, fsd: offset[5:3|7:6] */
                off = ((insn >> 7) & 0x38) | ((insn << 1) & 0xc0);
            *size = f3 == 2 || f3 == 6 ? 4 : 8;
            *kind = f3 >= 4 ? 2 : 1;
        } else if (op == 2 && (f3 == 1 || f3 == 2 || f3 == 3)) { /* fldsp, lwsp, ldsp */
            if (f3 != 1 && ((insn >> 7) & 31) == 0)
                return false;
            base = h->x[2];
            if (f3 == 2)
                off = ((insn >> 7) & 0x20) | ((insn >> 2) & 0x1c) | ((insn << 4) & 0xc0);
            else
                off = ((insn >> 7) & 0x20) | ((insn >> 2) & 0x18) | ((insn << 4) & 0x1c0);
            *size = f3 == 2 ? 4 : 8;
            *kind = 1;
        } else if (op == 2 && (f3 == 5 || f3 == 6 || f3 == 7)) { /* fsdsp, swsp, sdsp */
            base = h->x[2];
            if (f3 == 6)
                off = ((insn >> 7) & 0x3c) | ((insn >> 1) & 0xc0);
            else
                off = ((insn >> 7) & 0x38) | ((insn >> 1) & 0x1c0);
            *size = f3 == 6 ? 4 : 8;
            *kind = 2;
        } else {
            return false;
        }
        *addr = base + (uint64_t)off;
        return true;
    }
    insn |= (uint32_t)raw[2] << 16 | (uint32_t)raw[3] << 24;
    unsigned opcode = insn & 0x7f, f3 = (insn >> 12) & 7, rs1 = (insn >> 15) & 31;
    uint64_t base = rs1 ? h->x[rs1] : 0;
    switch (opcode) {
    case 0x03: /* loads */
    case 0x07: /* FP loads */
        *addr = base + (uint64_t)sext(insn >> 20, 12);
        *size = 1 << (f3 & 3);
        *kind = 1;
        return opcode == 0x03 || f3 == 2 || f3 == 3;
    case 0x23: /* stores */
    case 0x27:
        *addr = base + (uint64_t)sext(((insn >> 25) << 5) | ((insn >> 7) & 31), 12);
        *size = 1 << (f3 & 3);
        *kind = 2;
        return opcode == 0x23 || f3 == 2 || f3 == 3;
    case 0x2f: { /* LR, SC, AMOs */
        unsigned f5 = insn >> 27;
        if (f3 != 2 && f3 != 3)
            return false;
        *addr = base;
        *size = f3 == 2 ? 4 : 8;
        *kind = f5 == 2 ? 1 : f5 == 3 ? 2 : 3;
        return true;
    }
    default:
        return false;
    }
}
