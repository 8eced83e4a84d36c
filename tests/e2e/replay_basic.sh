#!/bin/sh
# Record/replay on a bare-metal guest (fast; needs riscv64-unknown-elf-gcc):
# record an echo program fed with delayed input, replay it with stdin
# closed and other serial backends, and check the errors a wrong replay
# gives. Exit 0 pass, 1 fail, 77 skip.
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
OUT=build/tests/e2e/replay-basic
mkdir -p "$OUT"
command -v riscv64-unknown-elf-gcc >/dev/null || { echo "skip: no riscv64-unknown-elf-gcc"; exit 77; }
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
    tests/e2e/replay_echo.c -o $OUT/echo.elf || exit 1
cp $OUT/echo.elf $OUT/other.elf && printf 'x' >>$OUT/other.elf

fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
BASE="-M virt -nographic -bios none -kernel $OUT/echo.elf"
TRACE=$OUT/echo.rr

# record: input with delays, sync points every 2000 instructions (the guest
# idles on a 1 ms tick, so a run is only some 10^4 instructions)
(sleep 0.5; printf 'hello'; sleep 0.3; printf ' world\n'; sleep 0.5; printf 'again\n'; sleep 0.3; printf q) |
    timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=record,rrfile=$TRACE,rrsync=2000 \
    >$OUT/record.out 2>$OUT/record.err
status=$?
if [ $status -eq 5 ] && grep -q "HELLO WORLD" $OUT/record.out; then ok record; else bad "record: status $status"; cat $OUT/record.err; fi

# replays: stdin closed; stdio, file and null backends; same output, same status
for i in 1 2 3; do
    timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=replay,rrfile=$TRACE \
        </dev/null >$OUT/replay$i.out 2>$OUT/replay$i.err
    status=$?
    if [ $status -eq 5 ] && cmp -s $OUT/record.out $OUT/replay$i.out &&
        grep -q "end state matches the recording" $OUT/replay$i.err; then
        ok "replay-stdio-$i"
    else
        bad "replay-stdio-$i: status $status"; cat $OUT/replay$i.err
    fi
done
rm -f $OUT/replay-file.out
timeout 30 $DEJA $BASE -serial file:$OUT/replay-file.out -icount shift=2,rr=replay,rrfile=$TRACE \
    </dev/null >/dev/null 2>$OUT/replay-file.err
status=$?
if [ $status -eq 5 ] && cmp -s $OUT/record.out $OUT/replay-file.out; then ok replay-file; else bad "replay-file: status $status"; fi
timeout 30 $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$TRACE </dev/null >$OUT/null.out 2>$OUT/null.err
status=$?
if [ $status -eq 5 ] && [ ! -s $OUT/null.out ] && grep -q "end state matches" $OUT/null.err; then ok replay-null; else bad "replay-null: status $status"; fi

check() { # name expected_status expected_stderr_text command...
    name=$1 want=$2 text=$3
    shift 3
    "$@" </dev/null >/dev/null 2>$OUT/$name.err
    status=$?
    if [ $status -ne "$want" ]; then
        bad "$name: exit status $status, expected $want"; cat $OUT/$name.err
    elif ! grep -q -- "$text" $OUT/$name.err; then
        bad "$name: stderr lacks '$text'"; cat $OUT/$name.err
    else
        ok "$name"
    fi
}
RR="shift=2,rr=replay,rrfile=$TRACE"
check perturb-s0 3 "hart 0 register s0: recorded" env DEJA_TEST_PERTURB=3000:s0 timeout 30 $DEJA $BASE -serial null -icount $RR
check perturb-mscratch 3 "hart 0 register mscratch" env DEJA_TEST_PERTURB=1234:mscratch timeout 30 $DEJA $BASE -serial null -icount $RR
check different-m 1 "deja: replay: -m differs: recording 128M, now 256M" timeout 30 $DEJA $BASE -m 256M -serial null -icount $RR
check different-kernel 1 "kernel differs from the recording (trace: " timeout 30 $DEJA -M virt -nographic -bios none -kernel $OUT/other.elf -serial null -icount $RR
check different-shift 1 "shift differs: recording 2, now 3" timeout 30 $DEJA $BASE -serial null -icount shift=3,rr=replay,rrfile=$TRACE
check different-smp 1 "smp differs: recording 1, now 2" timeout 30 $DEJA $BASE -smp 2 -serial null -icount $RR
check different-serial-count 1 "number of serial ports differs: recording 1, now 2" timeout 30 $DEJA $BASE -serial null -serial null -icount $RR
check no-rrfile 1 "File name not specified for replay" $DEJA $BASE -icount shift=2,rr=replay
check bad-rr 1 "Invalid icount rr option" $DEJA $BASE -icount shift=2,rr=play,rrfile=$TRACE
check missing-trace 1 "deja: replay: '$OUT/none.rr'" $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$OUT/none.rr
printf 'not a trace at all' >$OUT/garbage.rr
check not-a-trace 1 "deja: replay: '$OUT/garbage.rr'" $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$OUT/garbage.rr

# a host request: SIGTERM while recording is logged and replayed
timeout 30 $DEJA $BASE -serial null -icount shift=2,rr=record,rrfile=$OUT/term.rr </dev/null >/dev/null 2>$OUT/term-record.err &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
status=$?
if [ $status -eq 0 ] && grep -q "terminating on signal 15" $OUT/term-record.err; then ok sigterm-record; else bad "sigterm-record: status $status"; cat $OUT/term-record.err; fi
check sigterm-replay 0 "end state matches the recording" timeout 30 $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$OUT/term.rr

# Ctrl-A x on the multiplexed stdio (-nographic) is logged and replayed
(sleep 0.5; printf 'ab'; sleep 0.3; printf '\001x') |
    timeout 30 $DEJA $BASE -icount shift=2,rr=record,rrfile=$OUT/quit.rr >$OUT/quit-record.out 2>$OUT/quit-record.err
status=$?
if [ $status -eq 0 ] && grep -q "deja: terminated" $OUT/quit-record.err; then ok quit-record; else bad "quit-record: status $status"; fi
check quit-replay 0 "end state matches the recording" timeout 30 $DEJA $BASE -icount shift=2,rr=replay,rrfile=$OUT/quit.rr

# a live signal stops a replay (not taken as the recording's end)
timeout 30 $DEJA $BASE -serial null -icount shift=2,sleep=off,rr=record,rrfile=$OUT/long.rr </dev/null >/dev/null 2>&1 &
pid=$!
sleep 3
kill -TERM $pid
wait $pid
$DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$OUT/long.rr </dev/null >/dev/null 2>$OUT/interrupted.err &
pid=$!
sleep 0.3
kill -INT $pid
wait $pid
status=$?
if [ $status -eq 1 ] && grep -q "replay interrupted by the user at instruction" $OUT/interrupted.err; then
    ok replay-interrupted
else
    bad "replay-interrupted: status $status"; cat $OUT/interrupted.err
fi
exit $fail
