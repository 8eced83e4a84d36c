#!/usr/bin/env python3
# Raw gdb remote protocol checks (tests/e2e/gdb_bare.sh): what gdb itself
# does not exercise in batch mode. Usage: raw.py PORT MODE (replay|plain) PARK-ADDRESS.
# Prints ok/FAIL lines.
import sys
import time

from rsp import Remote

port, mode = int(sys.argv[1]), sys.argv[2]
remote = Remote(port)
s, packet, reply, ask = remote.s, remote.packet, remote.reply, remote.ask


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail), flush=True)


sup = ask("qSupported:swbreak+;hwbreak+")
check("qSupported-features", "qXfer:features:read+" in sup and "swbreak+" in sup, sup)
check("qSupported-reverse", ("ReverseStep+" in sup) == (mode == "replay"), sup)
check("stop-reason", ask("?").startswith("T05thread:1;"))
xml = ""
off = 0
while True:
    r = ask("qXfer:features:read:target.xml:%x,400" % off)
    xml += r[1:]
    off += len(r) - 1
    if r[0] == "l":
        break
check("target-xml", all(f in xml for f in ("org.gnu.gdb.riscv.cpu", "org.gnu.gdb.riscv.fpu",
                                            "org.gnu.gdb.riscv.csr", "mstatus")), xml[:80])
check("xfer-past-end", ask("qXfer:features:read:target.xml:ffff,10") == "l")
check("g-size", len(ask("g")) == 33 * 16)
check("p-pc", len(ask("p20")) == 16)
check("p-mhartid", ask("p%x" % (65 + 0xf14)) == "0" * 16)
check("p-bad", ask("p7fff").startswith("E"))
check("m-unmapped", ask("m40000000,8").startswith("E"))
check("m-bad", ask("mzz").startswith("E"))
check("Z-bad-type", ask("Z9,80000000,4") == "")
check("Z-bad", ask("Z0,zz") .startswith("E"))
check("H-bad-thread", ask("Hg99").startswith("E"))
check("T-alive", ask("T1") == "OK")
check("T-dead", ask("T63").startswith("E"))
check("qfThreadInfo", ask("qfThreadInfo").startswith("m1"))
check("unknown-packet", ask("!") == "")
if mode != "replay":
    check("bs-not-replaying", ask("bs") == "E22")
# continue, then Ctrl-C stops the machine with SIGINT (plain run: the hart
# is first sent to the wfi loop at PARK, argv[3], so that it runs forever)
if mode != "replay":
    park = int(sys.argv[3], 16)
    check("P-pc", ask("P20=" + park.to_bytes(8, "little").hex()) == "OK")
    check("p-pc-written", ask("p20") == park.to_bytes(8, "little").hex())
    packet("vCont;c")
    time.sleep(0.3)
    s.sendall(b"\x03")
    r = reply()
    check("ctrl-c", r.startswith("T02thread:"), r)
icount_text = ask("qRcmd," + b"when".hex())
check("qRcmd", icount_text.startswith("O"), icount_text)
while icount_text.startswith("O") and icount_text != "OK":
    icount_text = reply()
check("qRcmd-ok", icount_text == "OK", icount_text)
check("detach", ask("D") == "OK")
s.close()
