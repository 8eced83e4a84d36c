#!/usr/bin/env python3
# Breakpoints on the first instruction of a trap handler (tests/e2e/gdb_bare.sh,
# guest tests/e2e/gdb/trap.S): they stop with pc at the handler before its
# first instruction (which counts entries in s0) runs, for an ecall, an
# illegal instruction and a timer interrupt, forwards and (replay) with
# reverse-continue; stepi on an ecall stops at the handler entry (and
# reverse-stepi goes back to the ecall).
# Usage: trap.py PORT MODE (replay|plain) DO_ECALL HANDLER. Prints ok/FAIL lines.
import sys

from rsp import Remote

port, mode = int(sys.argv[1]), sys.argv[2]
do_ecall, handler = int(sys.argv[3], 16), int(sys.argv[4], 16)
remote = Remote(port)
s, packet, reply, ask = remote.s, remote.packet, remote.reply, remote.ask


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + mode + ": " + name + ("" if cond else ": " + detail), flush=True)


def reg(n):
    return int.from_bytes(bytes.fromhex(ask("p%x" % n)), "little")


PC, S0, MEPC, MCAUSE = 0x20, 8, 65 + 0x341, 65 + 0x342


def state():
    return (hex(reg(PC)), reg(S0), hex(reg(MCAUSE)), hex(reg(MEPC)))


def expect(name, stop, want_stop, pc, s0, cause, epc=None):
    got = state()
    want = (hex(pc), s0, hex(cause), hex(epc) if epc is not None else got[3])
    check(name, stop.startswith(want_stop) and got == want, "stop %s, (pc, s0, mcause, mepc) %s, want %s" % (stop, got, want))


ask("qSupported:swbreak+;hwbreak+")
ask("?")
TIMER = (1 << 63) | 7
check("Z0-ecall", ask("Z0,%x,4" % do_ecall) == "OK")
expect("continue-to-ecall", ask("c"), "T05", do_ecall, 0, 0)
ask("z0,%x,4" % do_ecall)
expect("stepi-ecall-at-handler", ask("vCont;s:1"), "T05", handler, 0, 11, do_ecall)
if mode == "replay":
    expect("reverse-stepi-handler-to-ecall", ask("bs"), "T05", do_ecall, 0, 0)
    expect("stepi-ecall-at-handler-2", ask("vCont;s:1"), "T05", handler, 0, 11, do_ecall)
check("Z0-handler", ask("Z0,%x,4" % handler) == "OK")
expect("break-handler-illegal", ask("c"), "T05thread:1;swbreak", handler, 1, 2, do_ecall + 4)
expect("break-handler-timer", ask("c"), "T05thread:1;swbreak", handler, 2, TIMER)
if mode == "replay":
    expect("reverse-continue-handler-illegal", ask("bc"), "T05thread:1;swbreak", handler, 1, 2, do_ecall + 4)
    expect("reverse-continue-handler-ecall", ask("bc"), "T05thread:1;swbreak", handler, 0, 11, do_ecall)
    check("reverse-continue-begin", "replaylog:begin" in ask("bc"))
    expect("continue-handler-ecall", ask("c"), "T05thread:1;swbreak", handler, 0, 11, do_ecall)
    expect("continue-handler-illegal", ask("c"), "T05thread:1;swbreak", handler, 1, 2, do_ecall + 4)
    expect("continue-handler-timer", ask("c"), "T05thread:1;swbreak", handler, 2, TIMER)
    expect("reverse-continue-handler-illegal-2", ask("bc"), "T05thread:1;swbreak", handler, 1, 2, do_ecall + 4)
    # with a breakpoint on the ecall too: it comes before the handler's, at
    # the same instruction count (reverse-continue by a scan, then by the
    # hits it kept)
    ask("Z0,%x,4" % do_ecall)
    expect("both-reverse-continue-handler", ask("bc"), "T05thread:1;swbreak", handler, 0, 11, do_ecall)
    expect("both-reverse-continue-ecall", ask("bc"), "T05thread:1;swbreak", do_ecall, 0, 0)
    expect("both-continue-handler", ask("c"), "T05thread:1;swbreak", handler, 0, 11, do_ecall)
    expect("both-reverse-continue-ecall-kept", ask("bc"), "T05thread:1;swbreak", do_ecall, 0, 0)
    expect("both-continue-handler-2", ask("c"), "T05thread:1;swbreak", handler, 0, 11, do_ecall)
    ask("z0,%x,4" % handler)
    ask("Z0,%x,4" % handler)  # forget the hits kept
    expect("both-reverse-continue-ecall-scan", ask("bc"), "T05thread:1;swbreak", do_ecall, 0, 0)
    check("both-reverse-continue-begin", "replaylog:begin" in ask("bc"))
    ask("z0,%x,4" % do_ecall)
ask("z0,%x,4" % handler)
end = ask("c")  # a replay pauses at the end of its trace
check("exit", end.startswith("W05") if mode == "plain" else "replaylog:end" in end, end)
print("ok   %s: done" % mode, flush=True)
