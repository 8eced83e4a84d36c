# gdb-multiarch script for bench/reverse.sh (run with -batch -x): at each
# position of POSITIONS (instruction counts), REPS timed reverse-stepi and
# REPS timed reverse-continue (a breakpoint on a PC seen a little earlier),
# wall time from gdb's command to its stop. Prints "rsi POS SECONDS" and
# "rc POS SECONDS" lines, or "fail ..." when the target gives up.
#   BENCH_PORT, POSITIONS (comma-separated, increasing), REPS, SEEK ("goto"
#   for deja's monitor goto; "break" for replay_break + continue, forwards
#   only: QEMU 7.2's replay_seek is unreliable), GDB_TIMEOUT (seconds)
import os
import time
import gdb

port = os.environ["BENCH_PORT"]
positions = [int(p) for p in os.environ["POSITIONS"].split(",")]
reps = int(os.environ.get("REPS", "5"))
seek = os.environ.get("SEEK", "goto")


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF


run("set pagination off")
run("set confirm off")
run("set architecture riscv:rv64")
run("set remotetimeout %s" % os.environ.get("GDB_TIMEOUT", "120"))
run("target remote :" + port)


def goto(pos):
    if seek == "break":  # forward only, by a straight replay (QEMU)
        run("monitor replay_break %d" % pos)
        run("continue")
        return
    run("monitor %s %d" % (seek, pos))
    # QEMU answers the monitor command before it gets there; gdb's view
    # of the registers is refreshed by a packet round trip
    run("maintenance flush register-cache")


for pos in positions:
    try:
        goto(pos)
        for i in range(reps):
            t = time.time()
            run("reverse-stepi")
            print("rsi %d %.4f" % (pos, time.time() - t), flush=True)
        # reverse-continue: a breakpoint on the PC of ~2000 instructions
        # back (found with one seek, not timed), from the position
        for i in range(reps):
            here = pos + 20000 * i
            goto(here - 2000)
            target = pc()
            goto(here)
            run("break *0x%x" % target)
            t = time.time()
            run("reverse-continue")
            dt = time.time() - t
            ok = pc() == target
            print("rc %d %.4f%s" % (pos, dt, "" if ok else " wrong-stop"), flush=True)
            run("delete")
    except gdb.error as e:
        print("fail %d %s" % (pos, str(e).replace("\n", " ")), flush=True)
        break
run("kill")
