#!/bin/bash
# Regenerates tests/isa/expected/NAME.out from QEMU runs of the ISA programs.
# Usage: tests/lib/regen-expected.sh [NAME...]   (default: every program)
# Review the diff before committing: the expected files are the reference.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/common.sh"
qemu=${QEMU:-qemu-system-riscv64}
make -s -C "$root/tests/isa" O="$root/build/isa" || exit 1
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for c in "$root"/tests/isa/*.c; do names+=("$(basename "$c" .c)"); done
fi
for name in "${names[@]}"; do
    out="$root/tests/isa/expected/$name.out"
    run_guest "$qemu" "$root/build/isa/$name.elf" "$out" 60
    rc=$?
    echo "$name: exit $rc, $(tail -n 1 "$out")"
    rm -f "$out.err"
done
