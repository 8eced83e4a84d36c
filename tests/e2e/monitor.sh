#!/bin/sh
# The human monitor (docs/monitor.md) on a bare-metal guest, driven over a
# unix socket by tests/e2e/monitor_drive.py: -S, info status/registers/
# qtree/replay, x/xp, stop/cont, unknown commands, quit; a recording with
# a system_reset from the monitor and its replay; replay_break stopping at
# the exact instruction count. Exit 0 pass, 1 fail, 77 skip.
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
# Per-run directory: the sockets and traces of two concurrent runs (two
# people running the suite) must not collide. Removed when all passed.
OUT=build/tests/e2e/monitor/run$$
mkdir -p "$OUT"
command -v riscv64-unknown-elf-gcc >/dev/null || { echo "skip: no riscv64-unknown-elf-gcc"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
    tests/e2e/replay_echo.c -o $OUT/echo.elf || exit 1

fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
DRIVE="python3 tests/e2e/monitor_drive.py"
SOCK=$OUT/mon.sock
BASE="-M virt -display none -bios none -kernel $OUT/echo.elf -serial stdio"
MON="-monitor unix:$SOCK,server,nowait"
TRACE=$OUT/reset.rr

rm -f $SOCK
$DRIVE basic $SOCK $OUT/basic.out -- $DEJA $BASE $MON -S 2>$OUT/basic.err || fail=1

rm -f $SOCK
$DRIVE record $SOCK $OUT/record.out -- $DEJA $BASE $MON -S \
    -icount shift=2,rr=record,rrfile=$TRACE,rrsync=2000 2>$OUT/record.err || fail=1
if [ "$(grep -c ready $OUT/record.out)" = 2 ]; then ok record-two-boots; else bad record-two-boots; fi

# the replay reproduces the reset: same serial output, same end state
timeout 30 $DEJA $BASE -icount shift=2,rr=replay,rrfile=$TRACE </dev/null >$OUT/replay.out 2>$OUT/replay.err
status=$?
if [ $status -eq 5 ] && cmp -s $OUT/record.out $OUT/replay.out &&
    grep -q "end state matches the recording" $OUT/replay.err; then
    ok replay-reset
else
    bad "replay-reset: status $status"; cat $OUT/replay.err
fi

# replay_break at an icount in the middle of the run (the end icount / 2)
end=$(sed -n 's/.*instruction \([0-9][0-9]*\).*/\1/p' $OUT/replay.err | tail -n 1)
[ -n "$end" ] || end=20000
brk=$((end / 2 + 7))
rm -f $SOCK
$DRIVE break:$brk:5 $SOCK $OUT/break.out -- $DEJA $BASE $MON -S \
    -icount shift=2,rr=replay,rrfile=$TRACE 2>$OUT/break.err </dev/null || fail=1
if cmp -s $OUT/record.out $OUT/break.out && grep -q "end state matches the recording" $OUT/break.err; then
    ok replay-break-same-output
else
    bad replay-break-same-output; cat $OUT/break.err
fi

# -nographic: Ctrl-A c switches the terminal between console and monitor
$DRIVE mux - $OUT/mux.out -- $DEJA -M virt -nographic -bios none -kernel $OUT/echo.elf \
    2>$OUT/mux.err || fail=1

# system_powerdown (-monitor stdio): recorded, replayed, exit status 0
(sleep 0.5; printf 'stop\ncont\nsystem_powerdown\n') | timeout 20 $DEJA -M virt -bios none \
    -kernel $OUT/echo.elf -serial null -monitor stdio \
    -icount shift=2,rr=record,rrfile=$OUT/pd.rr >$OUT/pd.out 2>$OUT/pd.err
status=$?
timeout 20 $DEJA -M virt -bios none -kernel $OUT/echo.elf -serial null \
    -icount shift=2,rr=replay,rrfile=$OUT/pd.rr </dev/null >/dev/null 2>$OUT/pd-replay.err
status2=$?
if [ $status -eq 0 ] && [ $status2 -eq 0 ] && grep -q "powered down by the host" $OUT/pd.err &&
    grep -q "powered down by the host" $OUT/pd-replay.err &&
    grep -q "end state matches the recording" $OUT/pd-replay.err; then
    ok system-powerdown
else
    bad "system-powerdown: status $status/$status2"; cat $OUT/pd.err $OUT/pd-replay.err
fi

# option errors
$DEJA $BASE -S </dev/null >/dev/null 2>$OUT/s.err
if [ $? -ne 0 ] && grep -q -- "-S" $OUT/s.err; then ok S-needs-monitor; else bad S-needs-monitor; fi

# SMP (Linux guest, skipped without it): a recording ended by the monitor's
# quit, then a replay_break in the middle: the break is exact and, after
# cont, the replay still matches the recording (round-robin order kept).
GUEST=${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest
if [ -r "$GUEST/Image" ] && [ -r "$GUEST/initramfs.cpio.gz" ]; then
    LINUX="-M virt -m 512M -smp 2 -display none -kernel $GUEST/Image -initrd $GUEST/initramfs.cpio.gz -append console=ttyS0 -serial stdio"
    rm -f $SOCK
    $DRIVE quit-after:6 $SOCK $OUT/smp-record.out -- $DEJA $LINUX $MON \
        -icount shift=2,rr=record,rrfile=$OUT/smp.rr 2>$OUT/smp-record.err </dev/null || fail=1
    rm -f $SOCK
    $DRIVE break:300000007:0 $SOCK $OUT/smp-break.out -- $DEJA $LINUX $MON -S \
        -icount shift=2,rr=replay,rrfile=$OUT/smp.rr 2>$OUT/smp-break.err </dev/null || fail=1
    if cmp -s $OUT/smp-record.out $OUT/smp-break.out &&
        grep -q "end state matches the recording" $OUT/smp-break.err; then
        ok smp-replay-break-same-output
    else
        bad smp-replay-break-same-output; tail -3 $OUT/smp-break.err
    fi
else
    echo "skip smp-replay-break: no guest in $GUEST"
fi

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
