#!/usr/bin/env python3
"""Random RV64IMC(+F/D) program generator for the deja/QEMU differential test.

Emits an assembly file defining `main` (called by tests/isa/lib/crt0.S):
it seeds every integer and FP register, runs a straight-line random
sequence (forward branches and jumps only, so it always terminates), saves
all registers and fflags, and calls diff_dump() (dump.c) which prints them
over the UART. Memory operands use two fixed base registers, s11 (x27) and
s0 (x8, for compressed forms), both pointing at the middle of an 8 KiB data
area filled with seeded random bytes, so every access stays inside it.

Odd seeds run the random code in S mode under Sv39 (dump.c's
diff_setup_vm): the data area is then reached through 4 KiB pages mapped in
swapped order, so misaligned accesses across its middle split between two
unrelated frames. Even seeds run in M mode without translation.

Usage: gen.py SEED [COUNT] > prog.S   (deterministic for a given seed)
"""
import random
import sys

XREGS = [f"x{i}" for i in range(32)]
FIXED = {2, 8, 27}                 # sp, s0 and s11 are never written
DEST = [i for i in range(1, 32) if i not in FIXED]
CREGS = [i for i in range(8, 16) if i not in FIXED]   # x9..x15
RMS = ["rne", "rtz", "rdn", "rup", "rmm", "dyn"]

SPECIAL_X = [0, 1, 2, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF,
             0x7FFFFFFF, 0x80000000, 0xFFFFFFFF80000000, 0xFFFFFFFF, 63, 64, 31, 32]
SPECIAL_D = [0x3FF0000000000000, 0xBFF0000000000000, 0x0, 0x8000000000000000,
             0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
             0x7FF0000000000001, 0x0000000000000001, 0x7FEFFFFFFFFFFFFF,
             0x41E0000000000000, 0xC1E0000000000000, 0x43E0000000000000,
             0x4004000000000000, 0xC004000000000000,
             # conversion and rounding edges: 2^31-1, just below 2^31,
             # -2^31-1, just below 2^63 and -2^63, +-0.5, 1.5, 2^32,
             # largest subnormal, smallest normal
             0x41DFFFFFFFC00000, 0x41DFFFFFFFFFFFFF, 0xC1E0000000200000,
             0x43DFFFFFFFFFFFFF, 0xC3E0000000000001, 0x3FE0000000000000,
             0xBFE0000000000000, 0x3FF8000000000000, 0x41F0000000000000,
             0x000FFFFFFFFFFFFF, 0x0010000000000000]
SPECIAL_S = [0x3F800000, 0xBF800000, 0x0, 0x80000000, 0x7F800000, 0xFF800000,
             0x7FC00000, 0x7F800001, 0x00000001, 0x7F7FFFFF, 0x4F000000,
             0xCF000000, 0x40200000, 0xC0200000,
             0x4EFFFFFF, 0x3F000000, 0xBF000000, 0x3FC00000, 0x007FFFFF,
             0x00800000, 0x5F000000, 0xDF000000, 0x5F800000]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.vm = seed % 2 == 1
        self.out = []
        self.label = 0
        self.pending = []   # [remaining instructions, label]

    def emit(self, text):
        self.out.append("    " + text)
        # Forward branch targets land after a few more instructions.
        for p in self.pending:
            p[0] -= 1
        for p in [p for p in self.pending if p[0] <= 0]:
            self.out.append(f"{p[1]}:")
            self.pending.remove(p)

    def new_label(self, skip):
        self.label += 1
        name = f".Lf{self.label}"
        self.pending.append([skip + 1, name])
        return name

    # ---- operand helpers ----
    def xd(self):
        return XREGS[self.r.choice(DEST)]

    def xs(self):
        return XREGS[self.r.randrange(32)]

    def fr(self):
        return f"f{self.r.randrange(32)}"

    def cr(self):
        return XREGS[self.r.choice(CREGS)]

    def value64(self):
        c = self.r.random()
        if c < 0.3:
            return self.r.choice(SPECIAL_X)
        if c < 0.5:
            return self.r.randrange(-2048, 2048) & (2**64 - 1)
        return self.r.getrandbits(64)

    def fvalue(self):
        c = self.r.random()
        if c < 0.35:
            return self.r.choice(SPECIAL_D)
        if c < 0.65:
            return 0xFFFFFFFF00000000 | self.r.choice(SPECIAL_S + [self.r.getrandbits(32)])
        if c < 0.85:   # ordinary doubles of modest magnitude
            sign = self.r.getrandbits(1) << 63
            exp = self.r.randrange(1023 - 40, 1023 + 40) << 52
            return sign | exp | self.r.getrandbits(52)
        return self.r.getrandbits(64)

    def mem_offset(self, size, aligned=True):
        if not aligned and size > 1 and self.r.random() < 0.05:
            # Straddle the middle of the data area (a page boundary).
            return self.r.randrange(-size + 1, 0)
        off = self.r.randrange(-2048, 2048 - 8)
        if aligned or self.r.random() < 0.8:
            off -= off % size
        return off

    # ---- instruction classes ----
    def alu(self):
        op = self.r.choice(["add", "sub", "and", "or", "xor", "slt", "sltu", "sll", "srl",
                            "sra", "addw", "subw", "sllw", "srlw", "sraw"])
        self.emit(f"{op} {self.xd()}, {self.xs()}, {self.xs()}")

    def alu_imm(self):
        op = self.r.choice(["addi", "andi", "ori", "xori", "slti", "sltiu", "addiw"])
        self.emit(f"{op} {self.xd()}, {self.xs()}, {self.r.randrange(-2048, 2048)}")

    def shift_imm(self):
        op = self.r.choice(["slli", "srli", "srai", "slliw", "srliw", "sraiw"])
        limit = 32 if op.endswith("w") else 64
        self.emit(f"{op} {self.xd()}, {self.xs()}, {self.r.randrange(limit)}")

    def upper(self):
        op = self.r.choice(["lui", "auipc"])
        self.emit(f"{op} {self.xd()}, {self.r.randrange(0, 1 << 20)}")

    def li(self):
        self.emit(f"li {self.xd()}, {self.value64():#x}")

    def muldiv(self):
        op = self.r.choice(["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
                            "mulw", "divw", "divuw", "remw", "remuw"])
        self.emit(f"{op} {self.xd()}, {self.xs()}, {self.xs()}")

    def load(self):
        op, size = self.r.choice([("lb", 1), ("lbu", 1), ("lh", 2), ("lhu", 2), ("lw", 4),
                                  ("lwu", 4), ("ld", 8)])
        self.emit(f"{op} {self.xd()}, {self.mem_offset(size, False)}(s11)")

    def store(self):
        op, size = self.r.choice([("sb", 1), ("sh", 2), ("sw", 4), ("sd", 8)])
        self.emit(f"{op} {self.xs()}, {self.mem_offset(size, False)}(s11)")

    def branch(self):
        op = self.r.choice(["beq", "bne", "blt", "bge", "bltu", "bgeu"])
        target = self.new_label(self.r.randrange(1, 4))
        self.emit(f"{op} {self.xs()}, {self.xs()}, {target}")

    def jump(self):
        target = self.new_label(self.r.randrange(1, 3))
        self.emit(f"jal {self.xd()}, {target}")

    def compressed(self):
        r = self.r
        kind = r.randrange(17)
        if kind == 0:
            self.emit(f"c.addi {self.xd()}, {r.choice([i for i in range(-32, 32) if i])}")
        elif kind == 1:
            self.emit(f"c.li {self.xd()}, {r.randrange(-32, 32)}")
        elif kind == 2:
            rd = r.choice([i for i in DEST if i != 2])
            imm = r.choice(list(range(1, 32)) + list(range(0xFFFE0, 0x100000)))
            self.emit(f"c.lui x{rd}, {imm:#x}")
        elif kind == 3:
            self.emit(f"c.slli {self.xd()}, {r.randrange(1, 64)}")
        elif kind == 4:
            op = r.choice(["c.srli", "c.srai"])
            self.emit(f"{op} {self.cr()}, {r.randrange(1, 64)}")
        elif kind == 5:
            self.emit(f"c.andi {self.cr()}, {r.randrange(-32, 32)}")
        elif kind == 6:
            op = r.choice(["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"])
            self.emit(f"{op} {self.cr()}, {XREGS[r.randrange(8, 16)]}")
        elif kind == 7:
            self.emit(f"c.addiw {self.xd()}, {r.randrange(-32, 32)}")
        elif kind == 8:
            rs = XREGS[r.choice([i for i in range(1, 32)])]
            self.emit(f"c.mv {self.xd()}, {rs}")
        elif kind == 9:
            rs = XREGS[r.choice([i for i in range(1, 32)])]
            self.emit(f"c.add {self.xd()}, {rs}")
        elif kind == 10:
            op, size, scale = r.choice([("c.ld", 8, 32), ("c.lw", 4, 32)])
            self.emit(f"{op} {self.cr()}, {r.randrange(scale) * size}(s0)")
        elif kind == 11:
            op, size = r.choice([("c.sd", 8), ("c.sw", 4)])
            self.emit(f"{op} {XREGS[r.randrange(8, 16)]}, {r.randrange(32) * size}(s0)")
        elif kind == 12:
            op = r.choice(["c.beqz", "c.bnez"])
            target = self.new_label(r.randrange(1, 4))
            self.emit(f"{op} {XREGS[r.randrange(8, 16)]}, {target}")
        elif kind == 13:
            op = r.choice(["c.fld", "c.fsd"])
            self.emit(f"{op} f{r.randrange(8, 16)}, {r.randrange(32) * 8}(s0)")
        elif kind == 14:
            # sp stays at the stack top set by crt0; sp + 0..504 is the
            # (otherwise idle) trap-stack area above it.
            op, size, reg = r.choice([("c.ldsp", 8, "x"), ("c.lwsp", 4, "x"), ("c.fldsp", 8, "f")])
            rd = self.xd() if reg == "x" else self.fr()
            self.emit(f"{op} {rd}, {r.randrange(64) * size}(sp)")
        elif kind == 15:
            op, size, reg = r.choice([("c.sdsp", 8, "x"), ("c.swsp", 4, "x"), ("c.fsdsp", 8, "f")])
            rs = self.xs() if reg == "x" else self.fr()
            self.emit(f"{op} {rs}, {r.randrange(64) * size}(sp)")
        else:
            self.emit(f"c.addi4spn {self.cr()}, sp, {r.randrange(1, 256) * 4}")

    def fp(self):
        r = self.r
        p = r.choice(["s", "d"])
        rm = r.choice(RMS)
        kind = r.randrange(13)
        if kind == 0:
            op = r.choice(["fadd", "fsub", "fmul", "fdiv"])
            self.emit(f"{op}.{p} {self.fr()}, {self.fr()}, {self.fr()}, {rm}")
        elif kind == 1:
            self.emit(f"fsqrt.{p} {self.fr()}, {self.fr()}, {rm}")
        elif kind == 2:
            op = r.choice(["fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx"])
            self.emit(f"{op}.{p} {self.fr()}, {self.fr()}, {self.fr()}")
        elif kind == 3:
            op = r.choice(["fmadd", "fmsub", "fnmsub", "fnmadd"])
            self.emit(f"{op}.{p} {self.fr()}, {self.fr()}, {self.fr()}, {self.fr()}, {rm}")
        elif kind == 4:
            t = r.choice(["w", "wu", "l", "lu"])
            self.emit(f"fcvt.{t}.{p} {self.xd()}, {self.fr()}, {rm}")
        elif kind == 5:
            t = r.choice(["w", "wu", "l", "lu"])
            if p == "d" and t in ("w", "wu"):   # exact: no rounding mode field
                self.emit(f"fcvt.d.{t} {self.fr()}, {self.xs()}")
            else:
                self.emit(f"fcvt.{p}.{t} {self.fr()}, {self.xs()}, {rm}")
        elif kind == 6:
            if p == "s":
                self.emit(f"fcvt.s.d {self.fr()}, {self.fr()}, {rm}")
            else:
                self.emit(f"fcvt.d.s {self.fr()}, {self.fr()}")
        elif kind == 7:
            op = r.choice(["fmv.x.w", "fmv.x.d"])
            self.emit(f"{op} {self.xd()}, {self.fr()}")
        elif kind == 8:
            op = r.choice(["fmv.w.x", "fmv.d.x"])
            self.emit(f"{op} {self.fr()}, {self.xs()}")
        elif kind == 9:
            op = r.choice(["feq", "flt", "fle"])
            self.emit(f"{op}.{p} {self.xd()}, {self.fr()}, {self.fr()}")
        elif kind == 10:
            self.emit(f"fclass.{p} {self.xd()}, {self.fr()}")
        elif kind == 11:
            op, size = r.choice([("flw", 4), ("fld", 8)])
            self.emit(f"{op} {self.fr()}, {self.mem_offset(size, False)}(s11)")
        else:
            op, size = r.choice([("fsw", 4), ("fsd", 8)])
            self.emit(f"{op} {self.fr()}, {self.mem_offset(size, False)}(s11)")

    def atomic(self):
        # Single hart: results are deterministic. The address is s11 itself
        # (8-byte aligned); .w forms use its low word.
        r = self.r
        kind = r.randrange(3)
        w = r.choice(["w", "d"])
        if kind == 0:
            op = r.choice(["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin",
                           "amomax", "amominu", "amomaxu"])
            self.emit(f"{op}.{w} {self.xd()}, {self.xs()}, (s11)")
        elif kind == 1:
            # LR is always followed at once by an SC of the same width, so no
            # reservation outlives the pair and a lone SC always fails: the
            # outcome of an SC after intervening stores is implementation-
            # specific and must not be generated.
            self.emit(f"lr.{w} {self.xd()}, (s11)")
            self.emit(f"sc.{w} {self.xd()}, {self.xs()}, (s11)")
        else:
            self.emit(f"sc.{w} {self.xd()}, {self.xs()}, (s11)")

    def fcsr(self):
        r = self.r
        kind = r.randrange(4)
        if kind == 0:
            self.emit(f"csrrwi {self.xd()}, frm, {r.randrange(5)}")
        elif kind == 1:
            self.emit(f"csrrs {self.xd()}, fflags, {self.xs()}")
        elif kind == 2:
            self.emit(f"csrrci {self.xd()}, fflags, {r.randrange(32)}")
        else:
            self.emit(f"csrr {self.xd()}, fcsr")

    def misc(self):
        self.emit(self.r.choice(["fence", "fence.i", "fence rw, rw", "fence.tso", "nop",
                                 "c.nop", f"addi x0, {self.xs()}, 7"]))

    def body(self, count):
        classes = [(self.alu, 14), (self.alu_imm, 10), (self.shift_imm, 6), (self.upper, 2),
                   (self.li, 3), (self.muldiv, 8), (self.load, 8), (self.store, 6),
                   (self.branch, 4), (self.jump, 1), (self.compressed, 14), (self.fp, 24),
                   (self.atomic, 3), (self.fcsr, 2), (self.misc, 1)]
        funcs = [f for f, w in classes for _ in range(w)]
        for _ in range(count):
            self.r.choice(funcs)()
        while self.pending:
            self.emit("nop")

    def program(self, count):
        r = self.r
        head = ["/* generated by tests/diff/gen.py: do not edit */",
                "    .option rvc",
                "    .text",
                "    .globl main",
                "main:",
                "    la t0, diff_saved_sp",
                "    sd sp, 0(t0)",
                f"    csrwi frm, {r.randrange(5)}",
                "    csrwi fflags, 0"]
        if self.vm:
            head += ["    call diff_setup_vm",
                     "    csrw satp, a0",
                     "    sfence.vma",
                     "    la t0, 1f",
                     "    csrw mepc, t0",
                     "    li t0, 0x1800",
                     "    csrc mstatus, t0",
                     "    li t0, 0x800",
                     "    csrs mstatus, t0",
                     "    mret",
                     "1:"]
        for i in range(32):
            head.append(f"    li t0, {self.fvalue():#x}")
            head.append(f"    fmv.d.x f{i}, t0")
        if self.vm:
            head.append("    li s11, 0x2000000000 + 4096")
        else:
            head.append("    la s11, diff_data + 4096")
        head.append("    mv s0, s11")
        for i in DEST:
            head.append(f"    li x{i}, {self.value64():#x}")
        self.out = head
        self.body(count)
        tail = ["    csrw sscratch, x31",
                "    la x31, diff_saved_x"]
        tail += [f"    sd x{i}, {8 * i}(x31)" for i in range(1, 31)]
        tail += ["    csrr x1, sscratch",
                 "    sd x1, 248(x31)",
                 "    la x31, diff_saved_f"]
        tail += [f"    fsd f{i}, {8 * i}(x31)" for i in range(32)]
        tail += ["    frflags t0",
                 "    la t1, diff_saved_fflags",
                 "    sd t0, 0(t1)",
                 "    la t0, diff_saved_sp",
                 "    ld sp, 0(t0)",
                 "    call diff_dump",
                 "    .data",
                 "    .balign 4096",
                 "    .globl diff_data",
                 "diff_data:"]
        data = [r.getrandbits(64) for _ in range(1024)]
        tail += [f"    .dword {v:#x}" for v in data]
        self.out += tail
        return "\n".join(self.out) + "\n"


def main():
    seed = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    sys.stdout.write(Gen(seed).program(count))


if __name__ == "__main__":
    main()
