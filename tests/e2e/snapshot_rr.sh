#!/bin/sh
# rrsnapshot= on a bare-metal guest (fast; needs riscv64-unknown-elf-gcc,
# docs/snapshots.md): a recording with rrsnapshot=start creates
# RRFILE.snapshots/start.snap at instruction 0; a replay with
# rrsnapshot=start loads it and ends with the same output and "end state
# matches"; a missing snapshot, or one not taken at instruction 0, is
# refused with a message. Exit 0 pass, 1 fail, 77 skip.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
need_cmd riscv64-unknown-elf-gcc
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/snapshot-rr.XXXXXX)
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
    tests/e2e/replay_echo.c -o $OUT/echo.elf || exit 1
BASE="-M virt -nographic -bios none -kernel $OUT/echo.elf"
TRACE=$OUT/echo.rr

# monitor SOCKET: runs the Python on stdin after a prelude that connects to
# the monitor at SOCKET (buffer in buf) and defines cmd(LINE): sends LINE
# (None: nothing) and copies the output up to the next prompt to stdout.
monitor() {
    { cat <<'PY'
import socket, sys, time
for _ in range(200):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.05)
s.settimeout(20)
buf = b""
def cmd(line):
    global buf
    if line:
        s.sendall(line.encode() + b"\n")
    while b"(deja) " not in buf:
        buf += s.recv(4096)
    out, _, buf = buf.partition(b"(deja) ")
    sys.stdout.write(out.decode().replace("\r", ""))
PY
      cat; } | python3 - "$1"
}

(sleep 0.5; printf 'hello'; sleep 0.3; printf ' world\n'; sleep 0.3; printf q) |
    timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=record,rrfile=$TRACE,rrsync=2000,rrsnapshot=start \
    >$OUT/record.out 2>$OUT/record.err
status=$?
if [ $status -eq 5 ] && grep -q "HELLO WORLD" $OUT/record.out && [ -s $TRACE.snapshots/start.snap ]; then
    ok record-rrsnapshot
else
    bad "record-rrsnapshot: status $status"; cat $OUT/record.err
fi

timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=replay,rrfile=$TRACE,rrsnapshot=start \
    </dev/null >$OUT/replay.out 2>$OUT/replay.err
status=$?
if [ $status -eq 5 ] && cmp -s $OUT/record.out $OUT/replay.out && grep -q "end state matches" $OUT/replay.err; then
    ok replay-rrsnapshot
else
    bad "replay-rrsnapshot: status $status"; cat $OUT/replay.err
fi

timeout 30 $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$TRACE,rrsnapshot=nosuch \
    </dev/null >/dev/null 2>$OUT/missing.err
status=$?
if [ $status -eq 1 ] && grep -q "rrsnapshot=nosuch: loadvm: snapshot 'nosuch' does not exist" $OUT/missing.err; then
    ok missing-refused
else
    bad "missing-refused: status $status"; cat $OUT/missing.err
fi

# Paused by replay_break inside a hart's turn: savevm is refused there,
# with a message saying why; at the start (-S, a round boundary) it works.
timeout 30 $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$TRACE -S \
    -monitor unix:$OUT/m.sock,server,nowait </dev/null >/dev/null 2>$OUT/later.err &
pid=$!
monitor $OUT/m.sock >$OUT/later.mon 2>&1 <<'PY'
cmd(None)
cmd("savevm zero")
cmd("replay_break 1234")
cmd("cont")
for _ in range(100):
    s.sendall(b"info status\n")
    out = b""
    while b"(deja) " not in buf:
        buf += s.recv(4096)
    out, _, buf = buf.partition(b"(deja) ")
    if b"paused" in out:
        break
    time.sleep(0.1)
cmd("savevm mid")
cmd("quit")
PY
wait $pid 2>/dev/null
if [ -s $TRACE.snapshots/zero.snap ] && [ ! -e $TRACE.snapshots/mid.snap ] &&
    grep -q "savevm: the machine is paused inside a hart's turn" $OUT/later.mon; then
    ok savevm-at-break-refused
else
    bad savevm-at-break-refused; cat $OUT/later.mon
fi

# loadvm while recording is a recorded event (LOADVM): savevm at the
# start, some input, loadvm back to the start, more input; the replay
# loads the same snapshot at the same point and ends like the recording.
TRACE2=$OUT/loadvm.rr
(sleep 0.6; printf 'abc'; sleep 1.2; printf 'xyz'; sleep 0.4; printf q) |
    timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=record,rrfile=$TRACE2,rrsync=2000 -S \
    -monitor unix:$OUT/l.sock,server,nowait >$OUT/lrecord.out 2>$OUT/lrecord.err &
pid=$!
monitor $OUT/l.sock >$OUT/lrecord.mon 2>&1 <<'PY'
cmd(None)
cmd("savevm s0")
cmd("cont")
time.sleep(1.2)
cmd("loadvm s0")
PY
wait $pid
status=$?
timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=replay,rrfile=$TRACE2 </dev/null \
    >$OUT/lreplay.out 2>$OUT/lreplay.err
rstatus=$?
if [ $status -eq 5 ] && [ $rstatus -eq 5 ] && [ "$(grep -c ready $OUT/lrecord.out)" -eq 2 ] &&
    cmp -s $OUT/lrecord.out $OUT/lreplay.out && grep -q "end state matches" $OUT/lreplay.err &&
    ${DEJA}-trace dump $TRACE2 2>/dev/null | grep -q LOADVM; then
    ok loadvm-recorded
else
    bad "loadvm-recorded: status $status/$rstatus"; cat $OUT/lrecord.mon $OUT/lrecord.err $OUT/lreplay.err
    od -c $OUT/lrecord.out | head; od -c $OUT/lreplay.out | head
fi

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
