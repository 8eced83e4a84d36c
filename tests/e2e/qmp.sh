#!/bin/sh
# QMP (docs/qmp.md) on a bare-metal guest, driven over a unix socket by
# tests/e2e/qmp_client.py speaking the protocol as QEMU's Python client
# does: greeting, capabilities negotiation, query-status running/paused,
# stop/cont with STOP/RESUME events, human-monitor-command, malformed
# input answered with errors, quit with SHUTDOWN; query-replay in a
# recording (with a system_reset from QMP) and in its replay, replay-break
# pausing at exactly the requested icount, replay-seek's reply; QMP on
# tcp. Exit 0 pass, 1 fail, 77 skip.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
need_cmd riscv64-unknown-elf-gcc
need_cmd python3
out_dir qmp
OUT=$OUT/run$$
mkdir -p "$OUT"
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
    tests/e2e/replay_echo.c -o $OUT/echo.elf || exit 1

CLIENT="python3 tests/e2e/qmp_client.py"
SOCK=$OUT/qmp.sock
BASE="-M virt -display none -bios none -kernel $OUT/echo.elf -serial stdio"
QMP="-qmp unix:$SOCK,server,nowait"
TRACE=$OUT/rec.rr

rm -f $SOCK
$CLIENT basic $SOCK $OUT/basic.out -- $DEJA $BASE $QMP -S 2>$OUT/basic.err || fail=1

# a recording ended by QMP quit, with a system_reset from QMP in it
rm -f $SOCK
$CLIENT record $SOCK $OUT/record.out -- $DEJA $BASE $QMP -S \
    -icount shift=2,rr=record,rrfile=$TRACE,rrsync=2000 2>$OUT/record.err || fail=1

# its replay without QMP: same output, same end
timeout 30 $DEJA $BASE -icount shift=2,rr=replay,rrfile=$TRACE </dev/null >$OUT/replay.out 2>$OUT/replay.err
status=$?
if [ $status -eq 0 ] && cmp -s $OUT/record.out $OUT/replay.out &&
    grep -q "end state matches the recording" $OUT/replay.err; then
    ok replay-of-qmp-recording
else
    bad "replay-of-qmp-recording: status $status"; cat $OUT/replay.err
fi

# replay-break at an icount in the middle of the replay, then to the end
end=$(sed -n 's/.*instruction \([0-9][0-9]*\).*/\1/p' $OUT/replay.err | tail -n 1)
[ -n "$end" ] || end=20000
brk=$((end / 2 + 7))
rm -f $SOCK
$CLIENT break:$brk $SOCK $OUT/break.out -- $DEJA $BASE $QMP -S \
    -icount shift=2,rr=replay,rrfile=$TRACE 2>$OUT/break.err </dev/null || fail=1
if cmp -s $OUT/record.out $OUT/break.out && grep -q "end state matches the recording" $OUT/break.err; then
    ok replay-break-same-output
else
    bad replay-break-same-output; cat $OUT/break.err
fi

# replay-seek backwards and forwards from a replay-break: lands exactly
# there, and the replay still ends matching the recording
rm -f $SOCK
$CLIENT seek:$brk $SOCK $OUT/seek.out -- $DEJA $BASE $QMP -S \
    -icount shift=2,rr=replay,rrfile=$TRACE 2>$OUT/seek.err </dev/null || fail=1
if grep -q "end state matches the recording" $OUT/seek.err; then
    ok replay-seek-end-state
else
    bad replay-seek-end-state; cat $OUT/seek.err
fi

# tcp, no -S
port=$((20000 + $$ % 20000))
$CLIENT tcp 127.0.0.1:$port $OUT/tcp.out -- $DEJA $BASE -qmp tcp:127.0.0.1:$port,server,nowait \
    2>$OUT/tcp.err </dev/null || fail=1

# -qmp stdio: requests on stdin, replies on stdout
printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-status","id":3}' \
    '{"execute":"quit"}' | timeout 20 $DEJA -M virt -display none -bios none \
    -kernel $OUT/echo.elf -serial null -qmp stdio -S >$OUT/stdio.out 2>$OUT/stdio.err
status=$?
if [ $status -eq 0 ] && head -n 1 $OUT/stdio.out | grep -q '^{"QMP": {"version"' &&
    grep -q '"status": "prelaunch"}, "id": 3}' $OUT/stdio.out &&
    grep -q '"event": "SHUTDOWN"' $OUT/stdio.out; then
    ok qmp-stdio
else
    bad "qmp-stdio: status $status"; cat $OUT/stdio.out $OUT/stdio.err
fi

# Linux (skipped without the guest): a recording ended by QMP quit, then
# its replay with a replay-break in the middle and seeks around it
if [ -r "$GUEST/Image" ] && [ -r "$GUEST/initramfs.cpio.gz" ]; then
    LINUX="-M virt -m 256M -display none -kernel $GUEST/Image -initrd $GUEST/initramfs.cpio.gz -append console=ttyS0 -serial stdio"
    rm -f $SOCK
    $CLIENT linux-record:2 $SOCK $OUT/linux-record.out -- $DEJA $LINUX $QMP \
        -icount shift=2,rr=record,rrfile=$OUT/linux.rr 2>$OUT/linux-record.err </dev/null \
        >$OUT/linux-record.log || fail=1
    cat $OUT/linux-record.log
    icount=$(sed -n 's/^icount \([0-9]*\)$/\1/p' $OUT/linux-record.log)
    [ -n "$icount" ] || icount=2000000
    rm -f $SOCK
    $CLIENT seek:$((icount / 2 + 7)) $SOCK $OUT/linux-break.out -- $DEJA $LINUX $QMP -S \
        -icount shift=2,rr=replay,rrfile=$OUT/linux.rr 2>$OUT/linux-break.err </dev/null || fail=1
    if grep -q "end state matches the recording" $OUT/linux-break.err; then
        ok linux-replay-break-end-state
    else
        bad linux-replay-break-end-state; tail -3 $OUT/linux-break.err
    fi
else
    echo "skip linux: no guest in $GUEST"
fi

# option errors
$DEJA $BASE -qmp bogus:thing </dev/null >/dev/null 2>$OUT/opt.err
if [ $? -ne 0 ] && grep -q -- "-qmp" $OUT/opt.err; then ok bad-qmp-option; else bad bad-qmp-option; fi
$DEJA -M virt -bios none -kernel $OUT/echo.elf -serial stdio -qmp stdio </dev/null >/dev/null 2>$OUT/opt2.err
if [ $? -ne 0 ] && grep -q "stdio is already used" $OUT/opt2.err; then ok qmp-stdio-conflict; else bad qmp-stdio-conflict; fi

# QEMU's own Python client (qemu.qmp), when installed: the same scenario.
if python3 -c 'import qemu.qmp.legacy' 2>/dev/null; then
    rm -f $SOCK
    QMP_CLIENT=qemu $CLIENT basic $SOCK $OUT/basic-qemu.out -- $DEJA $BASE $QMP -S \
        2>$OUT/basic-qemu.err || fail=1
else
    echo "skip qemu.qmp: QEMU's Python QMP client is not installed (not packaged in Debian)"
fi

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
