#!/bin/sh
# QMP (docs/qmp.md) on a bare-metal guest, driven over a unix socket by
# tests/e2e/qmp_client.py speaking the protocol as QEMU's Python client
# does: greeting, capabilities negotiation, query-status running/paused,
# stop/cont with STOP/RESUME events, human-monitor-command, malformed
# input answered with errors, quit with SHUTDOWN; query-replay in a
# recording (with a system_reset from QMP) and in its replay, replay-break
# pausing at exactly the requested icount, replay-seek's reply; QMP on
# tcp; QEMU's -chardev socket + -mon for QMP and the human monitor, and
# -mon's option errors. Exit 0 pass, 1 fail, 77 skip.
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

# -mon (QEMU's -chardev + -mon, as QEMUMachine starts it): QMP on a unix
# socket with server=on,wait=off; the human monitor on tcp host=,port=
# with the old server,nowait spelling
rm -f $SOCK
$CLIENT mon $SOCK $OUT/mon.out -- $DEJA $BASE -S \
    -chardev socket,id=mon,path=$SOCK,server=on,wait=off -mon chardev=mon,mode=control \
    2>$OUT/mon.err </dev/null || fail=1
hport=$((20000 + ($$ + 7) % 20000))
$CLIENT hmp 127.0.0.1:$hport $OUT/hmp.out -- $DEJA $BASE -S \
    -chardev socket,id=hm,host=127.0.0.1,port=$hport,server,nowait -mon chardev=hm,mode=readline \
    2>$OUT/hmp.err </dev/null || fail=1
# -mon on a stdio chardev: the monitor has the terminal, serial 0 is null
printf 'info status\nquit\n' | timeout 20 $DEJA -M virt -display none -bios none \
    -kernel $OUT/echo.elf -chardev stdio,id=c0 -mon c0 -S >$OUT/mon-stdio.out 2>$OUT/mon-stdio.err
status=$?
if [ $status -eq 0 ] && grep -q "VM status: paused" $OUT/mon-stdio.out; then
    ok mon-stdio
else
    bad "mon-stdio: status $status"; cat $OUT/mon-stdio.out $OUT/mon-stdio.err
fi

# QMP with pretty=on on a stdio chardev: indented replies
printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-status","id":3}' \
    '{"execute":"quit"}' | timeout 20 $DEJA -M virt -display none -bios none \
    -kernel $OUT/echo.elf -chardev stdio,id=q0 -mon chardev=q0,mode=control,pretty=on -S \
    >$OUT/mon-pretty.out 2>$OUT/mon-pretty.err
status=$?
if [ $status -eq 0 ] && head -n 1 $OUT/mon-pretty.out | grep -q '^{$' &&
    grep -q '^        "status": "prelaunch"' $OUT/mon-pretty.out &&
    grep -q '^    "event": "SHUTDOWN"' $OUT/mon-pretty.out; then
    ok mon-pretty
else
    bad "mon-pretty: status $status"; cat $OUT/mon-pretty.out $OUT/mon-pretty.err
fi

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

# -mon errors name the option and what is wrong
mon_error() { # NAME EXPECTED-TEXT ARGS...
    name=$1 want=$2
    shift 2
    timeout 10 $DEJA $BASE "$@" </dev/null >/dev/null 2>$OUT/mon-opt.err
    status=$?
    if [ $status -eq 1 ] && grep -q -- "$want" $OUT/mon-opt.err; then
        ok "$name"
    else
        bad "$name: status $status"; cat $OUT/mon-opt.err
    fi
}
mon_error mon-unknown-chardev "-mon chardev=nope: no -chardev with id 'nope'" -mon chardev=nope
mon_error mon-missing-chardev "-mon mode=control: missing chardev=ID" -mon mode=control
mon_error mon-bad-mode "mode 'json' is not supported (use readline or control)" \
    -chardev null,id=m -mon chardev=m,mode=json
mon_error mon-unknown-option "option 'foo=1' is not supported" -chardev null,id=m -mon chardev=m,foo=1
mon_error mon-bad-pretty "'pretty=yes': use pretty=on or pretty=off" \
    -chardev null,id=m -mon chardev=m,mode=control,pretty=yes
mon_error mon-chardev-two-monitors "chardev 'm' is already used by the human monitor" \
    -chardev null,id=m -mon chardev=m -mon chardev=m,mode=control
mon_error mon-chardev-monitor-and-serial "-serial chardev:m: chardev 'm' is already used by the QMP monitor" \
    -chardev null,id=m -mon chardev=m,mode=control -serial chardev:m
mon_error mon-two-qmp "deja has one QMP monitor" -chardev null,id=m -chardev null,id=n \
    -mon chardev=m,mode=control -mon chardev=n,mode=control
mon_error mon-and-qmp "use -qmp or -mon mode=control, not both" -chardev null,id=m \
    -mon chardev=m,mode=control -qmp unix:$OUT/other.sock,server,nowait
mon_error mon-and-monitor "use -monitor or -mon mode=readline, not both" -chardev null,id=m \
    -mon chardev=m -monitor unix:$OUT/other.sock,server,nowait
mon_error mon-stdio-serial-conflict "stdio is already used by serial port 0" \
    -chardev stdio,id=m -mon chardev=m

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
