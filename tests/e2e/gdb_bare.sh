#!/bin/sh
# The gdb stub on a bare-metal guest (tests/e2e/gdb/counter.c: each hart
# writes its counter word 40 times), driven by gdb-multiarch in batch mode
# (tests/e2e/gdb/check.py): in a replay, stepi x10 / reverse-stepi x10 /
# stepi x10 with the same PCs and instruction counts, breakpoints and
# reverse-continue, a watchpoint with forward and reverse stops and their
# old/new values, reverse-step/finish/next, the state after reverse
# execution equal to a straight replay's (registers, memory, state
# digest); the same on hart 1 of a -smp 2 replay; forward debugging of a
# plain run; breakpoints on trap handler entries (gdb/trap.py); raw
# protocol checks (errors, Ctrl-C, qRcmd: gdb/raw.py) and refused -gdb
# values. Exit 0/1, 77 = skip.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
need_cmd gdb-multiarch "scripts/install-deps.sh installs it"
need_cmd riscv64-unknown-elf-gcc
out_dir gdb-bare
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O1 -g -T tests/e2e/board/link.ld tests/e2e/gdb/start.S \
    tests/e2e/gdb/counter.c -o $OUT/counter.elf || exit 1
BASE="-M virt -bios none -kernel $OUT/counter.elf -display none -serial null"

. tests/e2e/gdb/session.sh

for smp in 1 2; do
    TRACE=$OUT/counter-smp$smp.rr
    timeout 30 $DEJA $BASE -smp $smp -icount shift=2,rr=record,rrfile=$TRACE </dev/null >/dev/null 2>$OUT/record$smp.err
    status=$?
    if [ $status -eq 5 ]; then ok "record smp$smp"; else bad "record smp$smp: status $status"; cat $OUT/record$smp.err; continue; fi
    thread=$smp
    RR="shift=2,rr=replay,rrfile=$TRACE"
    GDB_MODE=replay GDB_START=bump GDB_THREAD=$thread GDB_WATCH="counter[$((smp - 1))]" \
        GDB_DUMP=$OUT/reverse$smp.dump gdb_session replay-smp$smp $OUT/counter.elf $BASE -smp $smp -icount $RR
    icount=$(sed -n 's/.*instruction count = \([0-9]*\).*/\1/p' $OUT/reverse$smp.dump)
    if [ -z "$icount" ]; then
        bad "smp$smp: no position in the dump"
        continue
    fi
    GDB_MODE=straight GDB_ICOUNT=$icount GDB_THREAD=$thread GDB_DUMP=$OUT/straight$smp.dump \
        gdb_session straight-smp$smp $OUT/counter.elf $BASE -smp $smp -icount $RR
    if cmp -s $OUT/reverse$smp.dump $OUT/straight$smp.dump && grep -q "State digest" $OUT/straight$smp.dump; then
        ok "smp$smp: state after reverse execution = straight replay at instruction $icount"
    else
        bad "smp$smp: state after reverse execution differs from the straight replay"
        diff $OUT/reverse$smp.dump $OUT/straight$smp.dump | head -10
    fi
done

# forward debugging of a plain run (no replay): no reverse, same stub
GDB_MODE=plain GDB_START=bump GDB_WATCH="counter[0]" gdb_session plain $OUT/counter.elf $BASE

# the raw protocol: errors, Ctrl-C, qRcmd (tests/e2e/gdb/raw.py)
for mode in plain replay; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if [ $mode = replay ]; then rr="-icount shift=2,rr=replay,rrfile=$OUT/counter-smp1.rr"; else rr=""; fi
    # shellcheck disable=SC2086
    timeout 60 $DEJA $BASE $rr -S -gdb tcp:127.0.0.1:$port 2>$OUT/raw-$mode.err &
    pid=$!
    sleep 0.5
    park=$(riscv64-unknown-elf-nm $OUT/counter.elf | sed -n 's/^\([0-9a-f]*\) t park$/\1/p')
    timeout 60 python3 tests/e2e/gdb/raw.py $port $mode "$park" >$OUT/raw-$mode.out 2>&1
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    sed "s/^\(ok  \|FAIL\) /&raw-$mode: /" $OUT/raw-$mode.out
    if grep -q '^FAIL' $OUT/raw-$mode.out || ! grep -q '^ok   detach' $OUT/raw-$mode.out; then
        fail=1; tail -5 $OUT/raw-$mode.out
    fi
done

# breakpoints on a trap handler's first instruction (tests/e2e/gdb/trap.S,
# trap.py): ecall, illegal instruction, timer interrupt; stepi on an ecall
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -g -T tests/e2e/board/link.ld tests/e2e/gdb/trap.S -o $OUT/trap.elf || exit 1
TBASE="-M virt -bios none -kernel $OUT/trap.elf -display none -serial null"
timeout 30 $DEJA $TBASE -icount shift=2,rr=record,rrfile=$OUT/trap.rr </dev/null >/dev/null 2>$OUT/trap-record.err
status=$?
if [ $status -eq 5 ]; then ok "record trap"; else bad "record trap: status $status"; cat $OUT/trap-record.err; fi
sym() { riscv64-unknown-elf-nm $OUT/trap.elf | sed -n "s/^\([0-9a-f]*\) T $1\$/\1/p"; }
for mode in plain replay; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if [ $mode = replay ]; then rr="-icount shift=2,rr=replay,rrfile=$OUT/trap.rr"; else rr=""; fi
    # shellcheck disable=SC2086
    timeout 60 $DEJA $TBASE $rr -S -gdb tcp:127.0.0.1:$port 2>$OUT/trap-$mode.err &
    pid=$!
    sleep 0.5
    timeout 60 python3 tests/e2e/gdb/trap.py $port $mode "$(sym do_ecall)" "$(sym handler)" >$OUT/trap-$mode.out 2>&1
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    sed "s/^\(ok  \|FAIL\) /&trap-/" $OUT/trap-$mode.out
    if grep -q '^FAIL' $OUT/trap-$mode.out || ! grep -q "^ok   $mode: done" $OUT/trap-$mode.out; then
        fail=1; tail -5 $OUT/trap-$mode.out
    fi
done

# bad -gdb values are refused with a message
for spec in "tcp:" "tcp::99999" "udp::1234" "unix:"; do
    $DEJA $BASE -gdb "$spec" </dev/null >/dev/null 2>$OUT/bad.err
    status=$?
    if [ $status -ne 0 ] && grep -q -- "-gdb" $OUT/bad.err; then ok "refused -gdb $spec"; else bad "-gdb $spec: status $status"; cat $OUT/bad.err; fi
done
exit $fail
