# gdb-multiarch script for the gdb tests (tests/e2e/gdb_*.sh), run with
# -batch -x. Settings come from the environment:
#   GDB_PORT    deja's gdb port
#   GDB_ELF     symbol file (bare-metal counter.elf) or "" (Linux: no symbols)
#   GDB_MODE    "replay" (forward and reverse) or "plain" (forward only)
#   GDB_THREAD  gdb thread to step (1-based, default 1)
#   GDB_WATCH   expression to watch ("" = skip the watchpoint part)
#   GDB_START   "bump" to run to that function first, "" to stay put,
#               "icount:N" to run to instruction count N (replay_break),
#               or a number: stepi that many times first
#   GDB_DUMP    file to write the final state to (registers, memory)
# Prints "ok ..." / "FAIL ..." lines; the shell script counts FAILs.
import os
import gdb

port = os.environ["GDB_PORT"]
elf = os.environ.get("GDB_ELF", "")
mode = os.environ.get("GDB_MODE", "replay")
thread = int(os.environ.get("GDB_THREAD", "1"))
watch = os.environ.get("GDB_WATCH", "")
start = os.environ.get("GDB_START", "")
dump = os.environ.get("GDB_DUMP", "")
reverse = mode == "replay"


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))


last_stop = [None]


def on_stop(ev):
    last_stop[0] = ev


gdb.events.stop.connect(on_stop)


def stopped_by_watch():
    ev = last_stop[0]
    return isinstance(ev, gdb.BreakpointEvent) and any(
        b.type in (gdb.BP_HARDWARE_WATCHPOINT, gdb.BP_WATCHPOINT) for b in ev.breakpoints)


def when():
    for line in run("monitor when").splitlines():
        if line.startswith("Instruction count:"):
            return int(line.split(":")[1])
    return -1


def write_dump(path):
    with open(path, "w") as f:
        for line in run("monitor info replay").splitlines():
            if line.startswith("State digest") or "instruction count" in line:
                f.write(line + "\n")
        f.write(run("info registers"))
        f.write(run("info registers float"))
        f.write(run("x/16gx $sp"))
        if elf:
            f.write(run("x/8gx &counter"))


run("set pagination off")
run("set confirm off")
run("set architecture riscv:rv64")
if elf:
    run("file " + elf)
run("target remote :" + port)
first_pc = pc()
check("connect", first_pc != 0, "pc is 0")
if mode == "straight":
    # a straight replay (no seek) to GDB_ICOUNT, then the same dump
    target = int(os.environ["GDB_ICOUNT"])
    run("monitor replay_break %d" % target)
    run("continue")
    check("straight-icount", when() == target, "%d != %d" % (when(), target))
    run("thread %d" % thread)
    write_dump(dump)
    run("detach")
    raise SystemExit(0)
threads = run("info threads")
if start == "bump":
    run("break bump")
    run("continue")
    run("delete")
    check("break-bump", "bump" in run("bt 1"), run("bt 1"))
elif start.startswith("icount:"):
    # forward to an instruction count with the monitor's replay_break
    target = int(start[7:])
    run("monitor replay_break %d" % target)
    run("continue")
    check("run-to-icount", when() == target, "%d != %d" % (when(), target))
elif start.isdigit():
    for i in range(int(start)):
        run("stepi")
if thread != 1:
    run("thread %d" % thread)
    check("thread-select", ("Thread %d" % thread) in run("thread"), run("thread"))

# ten stepi, recording the PCs
pcs = [pc()]
icounts = [when()]
for i in range(10):
    run("stepi")
    pcs.append(pc())
    icounts.append(when())
check("stepi-moves", len(set(pcs)) > 1, str(pcs))
check("stepi-icount", all(b > a for a, b in zip(icounts, icounts[1:])), str(icounts))

if reverse:
    back = []
    for i in range(10):
        run("reverse-stepi")
        back.append(pc())
    want = pcs[::-1][1:]
    check("reverse-stepi", back == want,
          "got %s want %s" % ([hex(p) for p in back], [hex(p) for p in want]))
    if thread == 1:
        # (on another hart the latest position with the same hart state
        # can be later than where the stepping started: other harts ran)
        check("reverse-stepi-icount", when() == icounts[0], "%d != %d" % (when(), icounts[0]))
    again = [pc()]
    for i in range(10):
        run("stepi")
        again.append(pc())
    check("stepi-again", again == pcs, "got %s want %s" % ([hex(p) for p in again], [hex(p) for p in pcs]))
    check("stepi-again-icount", when() == icounts[10], "%d != %d" % (when(), icounts[10]))

    # breakpoints on those PCs: reverse-continue stops at the latest one
    # (positions 7 then 3; a PC that repeats in the window makes gdb stop
    # at its latest occurrence, so pick PCs that occur once)
    once = [i for i in range(1, 10) if pcs.count(pcs[i]) == 1]
    if len(once) >= 2:
        a, b = once[0], once[-1]
        run("break *0x%x" % pcs[a])
        run("break *0x%x" % pcs[b])
        run("reverse-continue")
        check("reverse-continue-1", pc() == pcs[b] and when() == icounts[b],
              "pc %x icount %d, want %x %d" % (pc(), when(), pcs[b], icounts[b]))
        run("reverse-continue")
        check("reverse-continue-2", pc() == pcs[a] and when() == icounts[a],
              "pc %x icount %d, want %x %d" % (pc(), when(), pcs[a], icounts[a]))
        run("delete")
    else:
        check("distinct-pcs", False, str(pcs))

# GDB_WATCH=auto (no symbols): the word stored to most often in the next
# 3000 instructions (a loop variable), found by decoding each one
if watch == "auto":
    import re
    watch = ""
    counts = {}
    for i in range(3000):
        m = re.search(r"\s(sd|c\.sd|c\.sdsp)\s+\w+,(-?\d+)\((\w+)\)", run("x/i $pc"))
        if m:
            addr = (int(gdb.parse_and_eval("$" + m.group(3))) + int(m.group(2))) & 0xFFFFFFFFFFFFFFFF
            counts[addr] = counts.get(addr, 0) + 1
        run("stepi")
    if counts:
        addr = max(counts, key=lambda a: counts[a])
        if counts[addr] >= 3:
            watch = "*(long *)0x%x" % addr
    check("watch-auto", watch != "", "no repeated store: %s" % counts)
    # a replay_break bounds each continue if the word stops changing
    run("monitor replay_break %d" % (when() + 200000000))

# a watchpoint on a word the guest writes several times
if watch:
    run("delete")
    run("watch " + watch)
    values = [int(gdb.parse_and_eval(watch))]
    stops = []
    for i in range(5):
        out = run("continue")
        values.append(int(gdb.parse_and_eval(watch)))
        stops.append(when())
        check("watch-%d" % i, stopped_by_watch() and values[-1] != values[-2],
              "values %s" % values)
        print("expect-watch %d %d" % (values[-2], values[-1]))
    if reverse:
        # each reverse-continue stops at the previous write, just before
        # it: the watched word holds the value before that write
        for i in range(4):
            out = run("reverse-continue")
            v = int(gdb.parse_and_eval(watch))
            want_old, want_new = values[5 - i], values[4 - i]
            check("reverse-watch-%d" % i, stopped_by_watch() and v == want_new,
                  "value %d want %d" % (v, want_new))
            print("expect-watch %d %d" % (want_old, want_new))
        # and forward again to the same stops
        out = run("continue")
        v = int(gdb.parse_and_eval(watch))
        check("forward-after-reverse", v == values[2], "value %d want %d" % (v, values[2]))
    run("delete")

if reverse and elf and start == "bump":
    # gdb's line-level reverse commands, built on bs/bc
    run("break bump")
    run("continue")
    run("delete")
    run("next")  # out of bump, back in main's loop
    f0 = gdb.selected_frame().name()
    run("reverse-step")  # back into bump's last line
    f1 = gdb.selected_frame().name()
    run("reverse-finish")  # out of bump, to its call in main
    f2 = gdb.selected_frame().name()
    line = gdb.selected_frame().find_sal().line
    run("reverse-next")  # the delay loop of the previous round
    f3 = gdb.selected_frame().name()
    check("reverse-step-finish-next", (f0, f1, f2, f3) == ("main", "bump", "main", "main") and
          line == 18, str((f0, f1, f2, f3, line)))

if dump:
    # the state at a position reached by reverse execution, compared by the
    # shell script with a straight replay to the same instruction count
    write_dump(dump)

if reverse:
    # reverse-continue without breakpoints goes back to the beginning
    out = run("reverse-continue")
    check("reverse-to-start", when() == 0 and pc() == first_pc,
          "icount %d pc %x; %s" % (when(), pc(), out.strip()[-200:]))

if reverse:
    # forwards to the end of the trace: the replay pauses there (gdb:
    # "No more reverse-execution history") and can still go back
    run("delete")
    run("monitor replay_delete_break")
    run("continue")
    end = when()
    run("reverse-stepi")
    check("stop-at-end", end > 0 and 0 < when() < end, "end %d, then %d" % (end, when()))
run("detach")
