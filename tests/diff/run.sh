#!/bin/bash
# Random differential test: generates random RV64IMC+F/D programs
# (gen.py), runs each on deja and on QEMU, and compares the register dumps.
# Usage: tests/diff/run.sh [--seeds N] [--first S] [--count INSNS] [--keep]
#   DEJA=path (default build/deja), QEMU=path (default qemu-system-riscv64)
# Prints "ok SEED" per passing seed; on a mismatch prints the seed and the
# first differing register and exits 1. --keep leaves the programs in
# build/diff/ for a rerun (build/diff/seed-N.elf).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/common.sh"
seeds=20 first=1 count=2000 keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --seeds) seeds=$2; shift ;;
    --first) first=$2; shift ;;
    --count) count=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
deja=${DEJA:-$root/build/deja}
qemu=${QEMU:-qemu-system-riscv64}
# Library objects are shared in build/diff (built atomically); programs go
# to a private directory so concurrent runs do not collide, or to
# build/diff with --keep.
out=$root/build/diff
mkdir -p "$out"
if [ $keep = 1 ]; then
    progdir=$out
else
    progdir=$(mktemp -d "${TMPDIR:-/tmp}/deja-diff.XXXXXX")
    trap 'rm -rf "$progdir"' EXIT
fi
cc=riscv64-unknown-elf-gcc
cflags=(-march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -ffreestanding -fno-builtin
    -nostdlib -mno-relax -I"$root/tests/isa/lib")
ldflags=(-nostdlib -static -T "$root/tests/isa/lib/link.ld" -Wl,--no-warn-rwx-segments,--no-relax)
for src in "$root/tests/isa/lib/crt0.S" "$root/tests/isa/lib/rt.c" "$root/tests/diff/dump.c"; do
    obj=$out/$(basename "${src%.*}").o
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
        $cc "${cflags[@]}" -c -o "$obj.$$" "$src" && mv -f "$obj.$$" "$obj" || exit 2
    fi
done
status=0
for ((seed = first; seed < first + seeds; seed++)); do
    prog=$progdir/seed-$seed
    python3 "$root/tests/diff/gen.py" "$seed" "$count" >"$prog.S" || exit 2
    if ! $cc "${cflags[@]}" "${ldflags[@]}" -o "$prog.elf" "$prog.S" \
        "$out/crt0.o" "$out/rt.o" "$out/dump.o" -lgcc 2>"$prog.log"; then
        echo "seed $seed: generated program does not assemble:"
        head -n 5 "$prog.log"
        exit 2
    fi
    run_guest "$qemu" "$prog.elf" "$prog.qemu" 30
    rc_q=$?
    run_guest "$deja" "$prog.elf" "$prog.deja" 30
    rc_d=$?
    if ! tail -n 1 "$prog.qemu" | grep -q '^END$'; then
        echo "seed $seed: QEMU did not finish (status $rc_q): $(tail -n 1 "$prog.qemu")"
        status=1
        break
    fi
    if ! diff=$(first_difference "$prog.qemu" "$prog.deja"); then
        reg=$(sed -n "$(echo "$diff" | sed 's/^line \([0-9]*\):.*/\1/')p" "$prog.qemu" | cut -d' ' -f1)
        diff=$(echo "$diff" | sed 's/: expected /: QEMU /; s/ got / deja /')
        echo "seed $seed: MISMATCH at register ${reg:-?}: $diff (deja status $rc_d)"
        echo "  reproduce: DEJA=$deja tests/diff/run.sh --first $seed --seeds 1 --count $count --keep"
        status=1
        break
    fi
    if [ "$rc_d" != 0 ]; then
        echo "seed $seed: deja exit status $rc_d"
        status=1
        break
    fi
    echo "ok $seed"
done
exit $status
