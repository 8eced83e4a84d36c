#!/bin/sh
# Replays of damaged traces never crash or hang: records the echo guest of
# replay_basic.sh, then replays FUZZ_RUNS (default 40) copies of the trace
# whose events and header were mutated by tests/e2e/trace_mutate.c (kinds,
# channels out of range, payloads cut or grown, icounts moved, events
# dropped or repeated, header values changed) and re-framed validly. Each
# replay must end with a normal status (0, 1, 3 or the guest's 5) within
# its time limit, without a sanitizer report (run with DEJA=build-asan/deja
# or ASAN=1 tests/run-all.sh to catch memory errors).
# Exit 0 pass, 1 fail, 77 skip. FUZZ_SEED picks the first seed (default 1).
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
OUT=build/tests/e2e/replay-fuzz
RUNS=${FUZZ_RUNS:-40}
FIRST=${FUZZ_SEED:-1}
mkdir -p "$OUT"
command -v riscv64-unknown-elf-gcc >/dev/null || { echo "skip: no riscv64-unknown-elf-gcc"; exit 77; }
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
    tests/e2e/replay_echo.c -o $OUT/echo.elf || exit 1
${CC:-cc} -std=gnu11 -O1 -g -Isrc tests/e2e/trace_mutate.c src/replay/trace.c src/util/message.c \
    -o $OUT/trace_mutate -lzstd -lxxhash || exit 1

BASE="-M virt -nographic -bios none -kernel $OUT/echo.elf"
TRACE=$OUT/echo.rr
(sleep 0.3; printf 'hello'; sleep 0.2; printf ' world\n'; sleep 0.2; printf q) |
    timeout 30 $DEJA $BASE -serial stdio -icount shift=2,rr=record,rrfile=$TRACE,rrsync=2000 \
    >$OUT/record.out 2>$OUT/record.err
status=$?
[ $status -eq 5 ] || { echo "FAIL record: status $status"; cat $OUT/record.err; exit 1; }

fail=0
seed=$FIRST
last=$((FIRST + RUNS - 1))
while [ $seed -le $last ]; do
    if ! $OUT/trace_mutate $TRACE $OUT/mutated.rr $seed 2>$OUT/mutate.err; then
        echo "FAIL seed $seed: trace_mutate: $(cat $OUT/mutate.err)"
        fail=1
        seed=$((seed + 1))
        continue
    fi
    timeout 20 $DEJA $BASE -serial null -icount shift=2,rr=replay,rrfile=$OUT/mutated.rr \
        </dev/null >/dev/null 2>$OUT/replay.err
    status=$?
    case $status in
    0 | 1 | 3 | 5) ;;
    *)
        echo "FAIL seed $seed: exit status $status"
        fail=1
        ;;
    esac
    if grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" $OUT/replay.err; then
        echo "FAIL seed $seed: sanitizer report"
        fail=1
    fi
    if [ $status -ne 0 ] && [ $status -ne 5 ] && ! grep -q "^deja" $OUT/replay.err; then
        echo "FAIL seed $seed: status $status without a message"
        fail=1
    fi
    if [ $fail -ne 0 ]; then
        cp $OUT/mutated.rr $OUT/failed-$seed.rr
        head -5 $OUT/replay.err
    fi
    seed=$((seed + 1))
done
[ $fail -eq 0 ] && echo "ok   $RUNS mutated traces replayed (seeds $FIRST..$last)"
exit $fail
