#!/bin/sh
# A replay never hangs: a damaged trace, a trace from another
# configuration or other images each give a one-line error naming the
# problem and a non-zero status. Uses a recorded Linux boot.
# Exit 0 pass, 1 fail, 77 skip (no guest in ~/.cache/deja/guest).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/e2e.sh
need_guest
out_dir replay-errors
TRACE=$OUT/smoke.rr
set -- -M virt -m 512M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=smoke"
timeout 90 "$DEJA" "$@" -serial null -icount shift=2,rr=record,rrfile=$TRACE </dev/null \
    >/dev/null 2>$OUT/record.err || { bad "record: status $?"; cat $OUT/record.err; exit 1; }

check() { # name expected_status expected_stderr_text trace [extra options...]
    name=$1 want=$2 text=$3 trace=$4
    shift 4
    timeout 90 "$DEJA" "$@" -icount shift=2,rr=replay,rrfile=$trace </dev/null >/dev/null 2>$OUT/$name.err
    status=$?
    if [ $status -ne "$want" ]; then
        bad "$name: exit status $status, expected $want"; cat $OUT/$name.err
    elif ! grep -q -- "$text" $OUT/$name.err; then
        bad "$name: stderr lacks '$text'"; cat $OUT/$name.err
    else
        ok "$name"
    fi
}
size=$(stat -c %s $TRACE)
# one flipped byte in the middle of the file: that chunk's checksum fails
python3 -c "import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[len(d) // 2] ^= 0x10; open(sys.argv[2], 'wb').write(d)" \
    $TRACE $OUT/flipped.rr
check flipped-byte 1 "checksum" $OUT/flipped.rr "$@" -serial null
# cut in the middle: replays up to the last whole chunk
head -c $((size / 2)) $TRACE >$OUT/truncated.rr
check truncated 1 "trace ends at instruction [0-9]* (recording was interrupted)" $OUT/truncated.rr "$@" -serial null
# other configuration or images
check different-m 1 "deja: replay: -m differs: recording 512M, now 256M" $TRACE \
    -M virt -m 256M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=smoke" -serial null
cp "$GUEST/initramfs.cpio.gz" $OUT/other-initrd && printf '\0\0\0\0' >>$OUT/other-initrd
check different-initrd 1 "deja: replay: initrd differs from the recording (trace: [0-9a-f]*, now: [0-9a-f]* for $OUT/other-initrd)" \
    $TRACE -M virt -m 512M -nographic -kernel "$GUEST/Image" -initrd $OUT/other-initrd \
    -append "console=ttyS0 deja.scenario=smoke" -serial null
check different-append 1 "deja: replay: -append differs" $TRACE \
    -M virt -m 512M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=echo" -serial null

# a recorder killed with SIGKILL: the trace replays up to its last whole chunk
KILLED=$OUT/killed.rr
set -- -M virt -m 512M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=upper"
mkfifo $OUT/killed.fifo 2>/dev/null || { rm -f $OUT/killed.fifo; mkfifo $OUT/killed.fifo; }
"$DEJA" "$@" -serial stdio -icount shift=2,rr=record,rrfile=$KILLED <$OUT/killed.fifo >$OUT/killed.out 2>&1 &
pid=$!
exec 3>$OUT/killed.fifo
for i in $(seq 1 60); do
    grep -q "upper: ready" $OUT/killed.out 2>/dev/null && break
    sleep 0.5
done
sleep 0.5
echo "before the kill" >&3
sleep 2.5
kill -9 $pid
wait $pid 2>/dev/null
exec 3>&-
rm -f $OUT/killed.fifo
if grep -q "upper 1: BEFORE THE KILL" $OUT/killed.out; then ok killed-record; else bad "killed-record: no echo"; tail -3 $OUT/killed.out; fi
check killed-replay 1 "trace ends at instruction [0-9]* (recording was interrupted)" $KILLED "$@" -serial null
exit $fail
