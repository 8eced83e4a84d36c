#!/bin/sh
# Record/replay of a Linux boot on two harts (-smp 2): the round-robin
# scheduler makes SMP deterministic, so the replay must match the
# recording at every sync point and at the end.
# Exit 0 pass, 1 fail, 77 skip (no guest in ~/.cache/deja/guest).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/e2e.sh
need_guest
out_dir replay-smp
TRACE=$OUT/smp2.rr
set -- -M virt -m 512M -smp 2 -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=smoke"
timeout 90 "$DEJA" "$@" -serial stdio -icount shift=2,rr=record,rrfile=$TRACE </dev/null \
    >$OUT/record.out 2>$OUT/record.err
status=$?
if [ $status -eq 0 ] && grep -q "smoke: nproc: 2" $OUT/record.out; then
    echo "ok   record-smp2"
else
    echo "FAIL record-smp2: status $status"; tail -5 $OUT/record.out; cat $OUT/record.err; fail=1
fi
timeout 90 "$DEJA" "$@" -serial stdio -icount shift=2,rr=replay,rrfile=$TRACE </dev/null \
    >$OUT/replay.out 2>$OUT/replay.err
status=$?
if [ $status -eq 0 ] && cmp -s $OUT/record.out $OUT/replay.out &&
    grep -q "end state matches the recording" $OUT/replay.err; then
    echo "ok   replay-smp2"
else
    echo "FAIL replay-smp2: status $status"; cat $OUT/replay.err; fail=1
fi
# The same trace with one hart is refused before running.
timeout 30 "$DEJA" -M virt -m 512M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=smoke" -serial null -icount shift=2,rr=replay,rrfile=$TRACE \
    </dev/null >/dev/null 2>$OUT/smp1.err
status=$?
if [ $status -eq 1 ] && grep -q "smp differs: recording 2, now 1" $OUT/smp1.err; then
    echo "ok   replay-smp1-refused"
else
    echo "FAIL replay-smp1-refused: status $status"; cat $OUT/smp1.err; fail=1
fi
exit $fail
