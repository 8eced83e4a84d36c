/* The gdb stub's view of the machine (src/gdb/gdb_target.c): target
 * description, registers, memory through the MMU, the decoding of the
 * next instruction's data access that watchpoints rely on, and the hart's
 * stops at trap handler entries that breakpoints there rely on. */
#include <string.h>

#include "board/virt.h"
#include "check.h"
#include "gdb/gdbstub.h"

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void put32(VirtMachine *m, uint64_t addr, uint32_t insn)
{
    uint8_t b[4] = { (uint8_t)insn, (uint8_t)(insn >> 8), (uint8_t)(insn >> 16), (uint8_t)(insn >> 24) };
    CHECK(gdb_write_memory(m, m->harts[0], addr, b, 4));
}

static void put16(VirtMachine *m, uint64_t addr, uint16_t insn)
{
    uint8_t b[2] = { (uint8_t)insn, (uint8_t)(insn >> 8) };
    CHECK(gdb_write_memory(m, m->harts[0], addr, b, 2));
}

int main(void)
{
    const char *xml = gdb_target_xml();
    CHECK(strstr(xml, "org.gnu.gdb.riscv.cpu") && strstr(xml, "org.gnu.gdb.riscv.fpu") &&
          strstr(xml, "org.gnu.gdb.riscv.csr") && strstr(xml, "org.gnu.gdb.riscv.virtual"));
    CHECK(strstr(xml, "<reg name=\"pc\" bitsize=\"64\" regnum=\"32\""));
    CHECK(strstr(xml, "<reg name=\"mstatus\" bitsize=\"64\" regnum=\"833\"")); /* 65 + 0x300 */
    CHECK_EQ(count(xml, "<feature"), count(xml, "</feature>"));
    CHECK(count(xml, "<reg ") > 100);

    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 2, .bios = "none" };
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL);
    if (!m)
        return 1;
    Hart *h = m->harts[0];
    uint64_t v;

    /* registers */
    CHECK(gdb_write_register(h, 0, 5) && gdb_read_register(h, 0, &v) && v == 0);
    CHECK(gdb_write_register(h, 10, 0x1234) && h->x[10] == 0x1234);
    CHECK(gdb_write_register(h, 32, 0x80000001) && h->pc == 0x80000000);
    CHECK(gdb_write_register(h, 33 + 3, 0x3ff0000000000000ull) && h->f[3] == 0x3ff0000000000000ull);
    CHECK(gdb_write_register(h, 68, (2 << 5) | 0x11) && h->frm == 2 && h->fflags == 0x11);
    CHECK(gdb_read_register(h, 66, &v) && v == 0x11);
    CHECK(gdb_read_register(h, 67, &v) && v == 2);
    CHECK(gdb_read_register(h, 4161, &v) && v == PRIV_M);
    CHECK(gdb_read_register(m->harts[1], 65 + 0xf14, &v) && v == 1); /* mhartid */
    CHECK(gdb_write_register(h, 65 + 0x340, 77) && h->mscratch == 77);
    CHECK(!gdb_write_register(h, 65 + 0x300, 0)); /* mstatus: refused */
    CHECK(!gdb_read_register(h, 65 + 0x7c0, &v)); /* not in the description */
    CHECK(!gdb_read_register(h, 99999, &v));
    CHECK(!gdb_read_register(h, -1, &v));

    /* memory (M mode: physical), across a page, MMIO refused */
    uint8_t out[16], in[16];
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)(i * 7 + 1);
    CHECK(gdb_write_memory(m, h, 0x80000ff8, out, 16));
    CHECK(gdb_read_memory(m, h, 0x80000ff8, in, 16) && memcmp(in, out, 16) == 0);
    CHECK(!gdb_read_memory(m, h, 0x10000000, in, 4)); /* UART registers */
    CHECK(!gdb_read_memory(m, h, 0x80000000 + (16 << 20) - 2, in, 4)); /* past the end of RAM */
    CHECK(gdb_read_memory(m, h, 0x1000, in, 4)); /* the boot ROM */
    CHECK(!gdb_write_memory(m, h, 0x1000, out, 4));

    /* the next instruction's data access */
    uint64_t addr;
    int size, kind;
    h->x[2] = 0x80100000;  /* sp */
    h->x[10] = 0x80200000; /* a0 */
    h->pc = 0x80000100;
    put32(m, h->pc, 0x00a13423); /* sd a0, 8(sp) */
    CHECK(gdb_next_access(m, h, &addr, &size, &kind) && addr == 0x80100008 && size == 8 && kind == 2);
    put32(m, h->pc, 0xffc52583); /* lw a1, -4(a0) */
    CHECK(gdb_next_access(m, h, &addr, &size, &kind) && addr == 0x801ffffc && size == 4 && kind == 1);
    put32(m, h->pc, 0x00b5202f); /* amoadd.w zero, a1, (a0) */
    CHECK(gdb_next_access(m, h, &addr, &size, &kind) && addr == 0x80200000 && size == 4 && kind == 3);
    put32(m, h->pc, 0x00150513); /* addi a0, a0, 1 */
    CHECK(!gdb_next_access(m, h, &addr, &size, &kind));
    put16(m, h->pc, 0xe406); /* c.sdsp ra, 8(sp) */
    CHECK(gdb_next_access(m, h, &addr, &size, &kind) && addr == 0x80100008 && size == 8 && kind == 2);
    put16(m, h->pc, 0x414c); /* c.lw a1, 4(a0) */
    CHECK(gdb_next_access(m, h, &addr, &size, &kind) && addr == 0x80200004 && size == 4 && kind == 1);
    h->pc = 0x40000000; /* not fetchable */
    CHECK(!gdb_next_access(m, h, &addr, &size, &kind));

    /* what the stub's single steps rely on to stop at a trap handler's
     * first instruction: hart_run(h, 1) with stop_at_trap returns at the
     * handler of an exception, hart_take_interrupt enters an interrupt's */
    h->mtvec = 0x80000200;
    put32(m, 0x80000200, 0x00128293); /* addi t0, t0, 1 */
    put32(m, 0x80000100, 0x00000073); /* ecall */
    h->pc = 0x80000100;
    h->x[5] = 0;
    uint64_t instret = h->instret;
    h->stop_at_trap = true;
    CHECK_EQ(hart_run(h, 1), HART_STOP_TRAP);
    h->stop_at_trap = false;
    CHECK(h->pc == 0x80000200 && h->x[5] == 0 && h->instret == instret && h->mcause == 11);
    h->pc = 0x80000100; /* without: the handler's first instruction runs too */
    CHECK_EQ(hart_run(h, 1), HART_STOP_BUDGET);
    CHECK(h->pc == 0x80000204 && h->x[5] == 1 && h->instret == instret + 1);
    CHECK(!hart_take_interrupt(h));
    h->pc = 0x80000100;
    h->mie = 1u << IRQ_M_TIMER;
    h->mstatus |= 1u << 3; /* MIE */
    hart_set_interrupt(h, IRQ_M_TIMER, true);
    CHECK(hart_take_interrupt(h));
    CHECK(h->pc == 0x80000200 && h->x[5] == 1 && h->mcause == ((1ull << 63) | IRQ_M_TIMER));
    CHECK(!hart_take_interrupt(h)); /* MIE is now off */
    hart_set_interrupt(h, IRQ_M_TIMER, false);

    virt_destroy(m);
    return failures != 0;
}
