#!/bin/sh
# The gdb stub on a recorded Linux boot (the "smoke" scenario): in the
# replay, run to instruction 300M (inside the kernel), then stepi x10 /
# reverse-stepi x10 / stepi x10, breakpoints and reverse-continue, a
# watchpoint on a kernel stack word with forward and reverse stops and
# their old/new values, back to the start of the trace; the state reached
# by reverse execution equals a straight replay's at the same instruction
# count (registers, stack, state digest). tests/e2e/gdb/check.py does the
# gdb side. Exit 0/1, 77 = skip.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
need_guest
need_cmd gdb-multiarch "scripts/install-deps.sh installs it"
out_dir gdb-linux
TRACE=$OUT/smoke.rr
set -- -M virt -m 256M -display none -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=smoke" -serial null

# a short recording: the boot is cut by SIGTERM after 8 s (a logged host
# request, so the trace replays to that point); it must get past 150M
# instructions, where the debugging starts
POS=150000000
timeout -s TERM 8 $DEJA "$@" -icount shift=2,rr=record,rrfile=$TRACE </dev/null >/dev/null 2>$OUT/record.err
timeout 60 $DEJA "$@" -icount shift=2,rr=replay,rrfile=$TRACE </dev/null >/dev/null 2>$OUT/check.err
end=$(sed -n 's/.*replay finished at instruction \([0-9]*\).*/\1/p' $OUT/check.err)
if [ -n "$end" ] && [ "$end" -gt $((POS + 50000000)) ]; then
    ok "record ($end instructions)"
else
    bad "record: too short or broken (${end:-no} instructions)"; cat $OUT/record.err $OUT/check.err; exit 1
fi

. tests/e2e/gdb/session.sh
REPLAY="-icount shift=2,rr=replay,rrfile=$TRACE"

GDB_MODE=replay GDB_START=icount:$POS GDB_WATCH=auto GDB_DUMP=$OUT/reverse.dump \
    gdb_session replay "" "$@" $REPLAY
icount=$(sed -n 's/.*instruction count = \([0-9]*\).*/\1/p' $OUT/reverse.dump 2>/dev/null)
if [ -n "$icount" ]; then
    GDB_MODE=straight GDB_ICOUNT=$icount GDB_DUMP=$OUT/straight.dump gdb_session straight "" "$@" $REPLAY
    if cmp -s $OUT/reverse.dump $OUT/straight.dump && grep -q "State digest" $OUT/straight.dump; then
        ok "state after reverse execution = straight replay at instruction $icount"
    else
        bad "state after reverse execution differs from the straight replay"
        diff $OUT/reverse.dump $OUT/straight.dump | head -10
    fi
else
    bad "no position in the dump"
fi
exit $fail
