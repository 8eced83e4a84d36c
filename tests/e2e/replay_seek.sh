#!/bin/sh
# replay_seek (docs/replay.md "Seeking"), driven over the monitor by
# tests/e2e/seek_drive.py. For a bare-metal program (always, fast) and a
# recorded Linux boot (when the guest is in ~/.cache/deja/guest): a
# straight replay paused with replay_break at ten pseudo-random instruction
# counts gives the reference state digests (`info replay`); another replay
# seeks to the same counts in a mixed order, forwards and backwards: each
# seek must land exactly there with the reference digest; then `cont` runs
# to the end and the replay verdict must be OK (the reader position and
# the sync points survived the seeks). The bare-metal trace is also seeked
# with a small sync and checkpoint interval and a tiny checkpoint budget
# (thinning), and sought to its very end and back. Errors: past the end,
# garbage, outside a replay. SEEK_NO_LINUX=1 leaves the Linux part out.
# Exit 0 pass, 1 fail, 77 skip.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/e2e.sh
need_cmd python3
need_cmd riscv64-unknown-elf-gcc "to build the bare-metal guest"
[ -x build/deja-trace ] || skip "no build/deja-trace"
out_dir replay-seek
OUT=$OUT/run$$
mkdir -p $OUT
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
    tests/e2e/seek_guest.c -o $OUT/seek.elf || exit 1

trace_end() {
    build/deja-trace info "$1" | sed -n 's/^icount: .*last \([0-9]*\).*/\1/p'
}

# check NAME TRACE SEED DEJA-ARGS...: reference and seek runs (in parallel),
# then compares.
check() {
    name=$1 trace=$2 seed=$3
    shift 3
    end=$(trace_end $trace)
    [ -n "$end" ] || { bad "$name: no end icount in $trace"; return; }
    [ -n "${SPAN_PERCENT:-}" ] && end=$end:$((end / 100 * SPAN_PERCENT))
    rm -f $OUT/$name-r.sock $OUT/$name-s.sock
    python3 tests/e2e/seek_drive.py reference $OUT/$name-r.sock $end $seed 10 -- "$DEJA" "$@" \
        -icount shift=2,rr=replay,rrfile=$trace -S -monitor unix:$OUT/$name-r.sock,server,nowait \
        >$OUT/$name-ref.txt 2>$OUT/$name-ref.err &
    refpid=$!
    python3 tests/e2e/seek_drive.py seek $OUT/$name-s.sock $end $seed 10 -- "$DEJA" "$@" \
        -icount shift=2,rr=replay,rrfile=$trace -S -monitor unix:$OUT/$name-s.sock,server,nowait \
        >$OUT/$name-seek.txt 2>$OUT/$name-seek.err
    seek_status=$?
    wait $refpid
    ref_status=$?
    n=0 same=0
    while read -r t digest ms; do
        case $t in exit|FAIL) continue ;; esac
        n=$((n + 1))
        grep -q "^$t $digest\$" $OUT/$name-ref.txt && same=$((same + 1))
    done <$OUT/$name-seek.txt
    if [ $seek_status -eq 0 ] && [ $n -eq 10 ] && [ $same -eq 10 ]; then
        ok "$name: 10 seeks land exactly, digests equal the straight replay's"
    else
        bad "$name: seek status $seek_status, reference status $ref_status, $same of $n digests equal"
        cat $OUT/$name-seek.txt $OUT/$name-ref.txt; tail -5 $OUT/$name-seek.err $OUT/$name-ref.err
    fi
    if grep -q "^exit 0$" $OUT/$name-seek.txt &&
        grep -q "end state matches the recording" $OUT/$name-seek.err; then
        ok "$name: cont after the seeks replays to the end, verdict OK"
    else
        bad "$name: end of replay after the seeks"; tail -5 $OUT/$name-seek.err
    fi
}

BM="-M virt -display none -bios none -kernel $OUT/seek.elf -serial null"
"$DEJA" $BM -icount shift=2,rr=record,rrfile=$OUT/bm.rr 2>$OUT/bm-record.err ||
    { bad "bare-metal record"; cat $OUT/bm-record.err; }
check bare-metal $OUT/bm.rr 5 $BM

# checkpoints denser than the sync points (every 2 M instructions)
DEJA_CHECKPOINT_INTERVAL=2000000 check bare-metal-dense $OUT/bm.rr 3 $BM

# small sync interval, checkpoints every 3 M instructions, 8 MiB budget
"$DEJA" $BM -icount shift=2,rr=record,rrfile=$OUT/bm-small.rr,rrsync=1000000 2>/dev/null
DEJA_CHECKPOINT_INTERVAL=3000000 DEJA_CHECKPOINT_MB=8 check bare-metal-thinned $OUT/bm-small.rr 9 $BM

# the very end (where the guest powered off) and back, commands sent at once
# on -monitor stdio (held while a seek runs): the end digest equals a
# straight replay's paused there, and the replay still finishes OK
end=$(trace_end $OUT/bm.rr)
digest_at() { sed -n "/instruction count = $1\r*\$/{n;s/^State digest: \([0-9a-f]*\).*/\1/p;}" "$2" | head -n 1; }
rm -f $OUT/end.sock
python3 tests/e2e/seek_drive.py reference $OUT/end.sock $end list=$end 1 -- "$DEJA" $BM \
    -icount shift=2,rr=replay,rrfile=$OUT/bm.rr -S -monitor unix:$OUT/end.sock,server,nowait \
    >$OUT/end-ref.txt 2>/dev/null
(printf 'replay_seek %s\ninfo replay\nreplay_seek 5\ninfo replay\nreplay_seek %s\ninfo replay\ncont\n' \
    $end $end) |
    timeout 30 "$DEJA" $BM -icount shift=2,rr=replay,rrfile=$OUT/bm.rr -S -monitor stdio \
    >$OUT/end-seek.out 2>&1
a=$(sed -n "s/^$end \([0-9a-f]*\)\$/\1/p" $OUT/end-ref.txt) b=$(digest_at $end $OUT/end-seek.out) c=$(digest_at 5 $OUT/end-seek.out)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$c" ] &&
    [ "$(grep -c "instruction count = $end" $OUT/end-seek.out)" = 2 ] &&
    grep -q "end state matches the recording" $OUT/end-seek.out; then
    ok "seek to the end and back, held commands on stdio"
else
    bad "seek to the end and back ($a/$b/$c)"; cat $OUT/end-ref.txt $OUT/end-seek.out
fi

# errors: outside a replay; while recording
out=$(printf 'replay_seek 1000\nquit\n' | timeout 20 "$DEJA" $BM -S -monitor stdio 2>&1)
case $out in
*"replay_seek is only possible while replaying"*) ok "refused outside a replay" ;;
*) bad "refused outside a replay: $out" ;;
esac
out=$(printf 'replay_seek 1000\nquit\n' | timeout 20 "$DEJA" $BM -S -monitor stdio \
    -icount shift=2,rr=record,rrfile=$OUT/err.rr 2>&1)
case $out in
*"replay_seek is only possible while replaying"*) ok "refused while recording" ;;
*) bad "refused while recording: $out" ;;
esac

if [ -z "${SEEK_NO_LINUX:-}" ] && [ -r "$GUEST/Image" ] && [ -r "$GUEST/initramfs.cpio.gz" ]; then
    set -- -M virt -m 512M -display none -serial null -kernel "$GUEST/Image" \
        -initrd "$GUEST/initramfs.cpio.gz" -append "console=ttyS0 deja.scenario=smoke"
    timeout 60 "$DEJA" "$@" -icount shift=2,rr=record,rrfile=$OUT/linux.rr 2>$OUT/linux-record.err ||
        { bad "linux record"; cat $OUT/linux-record.err; }
    # targets in the first 40% (the straight reference run stops there)
    SPAN_PERCENT=40 check linux $OUT/linux.rr 7 "$@"
else
    echo "skip linux part: SEEK_NO_LINUX set or no guest in $GUEST"
fi

[ $fail -eq 0 ] && rm -rf $OUT
exit $fail
