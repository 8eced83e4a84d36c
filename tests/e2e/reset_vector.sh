#!/bin/sh
# The harts start at the board's reset-vector ROM (0x1000) and execute its
# six instructions, on power-on and after a finisher reset, as on QEMU
# (tests/e2e/reset_vector.S): a0/a1/a2/t0 come from the ROM, minstret reads
# 6 at the kernel's first instruction (QEMU 7.2 -icount reads 7 there: its
# minstret also counts the csrr that reads it), and the count between the
# two boots' entries is the same as QEMU's. Exit 0 pass, 1 fail, 77 skip.
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
QEMU=${QEMU:-qemu-system-riscv64}
OUT=build/tests/e2e/reset-vector
mkdir -p "$OUT"
command -v riscv64-unknown-elf-gcc >/dev/null || { echo "skip: no riscv64-unknown-elf-gcc"; exit 77; }
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
    -T tests/e2e/board/link.ld tests/e2e/reset_vector.S -o $OUT/reset_vector.elf || exit 1

fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
BASE="-M virt -m 128M -nographic -bios none -kernel $OUT/reset_vector.elf"

# status = 16 * entry minstret + (count between the boots' entries mod 16)
deja_status=
for opts in "-smp 1" "-smp 4" "-icount shift=0"; do
    timeout 30 $DEJA $BASE $opts </dev/null >$OUT/deja.out 2>&1
    status=$?
    if [ $((status >> 4)) -eq 6 ] && { [ -z "$deja_status" ] || [ $status -eq $deja_status ]; }; then
        ok "deja $opts"
    else
        bad "deja $opts: status $status (want 6 * 16 + n, same n for all)"; cat $OUT/deja.out
    fi
    deja_status=$status
done

if command -v "$QEMU" >/dev/null; then
    timeout 30 "$QEMU" $BASE -icount shift=0,sleep=off </dev/null >$OUT/qemu.out 2>&1
    status=$?
    if [ $((status >> 4)) -eq 7 ] && [ $((status & 15)) -eq $((deja_status & 15)) ]; then
        ok qemu-icount
    else
        bad "qemu-icount: status $status (want 7 * 16 + $((deja_status & 15)))"
    fi
else
    echo "skip qemu: $QEMU not found"
fi
exit $fail
