#!/bin/sh
# Run the bare-metal benchmark on deja and on qemu-system-riscv64 (plain TCG
# and -icount shift=7), print deja's MIPS and the wall-time ratios deja/QEMU.
#   bench/run.sh [RUNS]         RUNS timed runs per configuration (default 3)
# Environment: DEJA (default build/deja), QEMU (default qemu-system-riscv64),
# ITERATIONS (benchmark size, default in bench.c).
# The instruction count comes from a QEMU run with -icount shift=0,sleep=off, where the
# guest's minstret is exact.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/timing.sh"
runs="${1:-3}"
deja="${DEJA:-$root/build/deja}"
qemu="${QEMU:-qemu-system-riscv64}"
elf="$root/build/bench/bench.elf"

"$here/build.sh" "$elf"
machine="-M virt -m 128M -nographic -bios none -kernel $elf"

reference=$($qemu $machine -icount shift=0,sleep=off </dev/null | tr -d '\r')
echo "reference (QEMU -icount shift=0,sleep=off): $reference"
checksum=$(echo "$reference" | sed -n 's/.*checksum \(0x[0-9a-f]*\).*/\1/p')
instructions=$(echo "$reference" | sed -n 's/.*instret \([0-9]*\).*/\1/p')
[ -n "$checksum" ] && [ -n "$instructions" ] || { echo "bench: reference run failed" >&2; exit 1; }

deja_seconds="-"
if [ -x "$deja" ]; then
    deja_output=$("$deja" $machine </dev/null 2>&1 | tr -d '\r') || true
    case "$deja_output" in
    *"checksum $checksum"*)
        # deja's minstret is exact too and, like QEMU's, includes the six
        # instructions of the reset-vector ROM; it is one less than QEMU's
        # because QEMU -icount also counts the csrr that reads minstret
        # (tests/e2e/reset_vector.sh).
        echo "deja's own count: $(echo "$deja_output" | sed -n 's/.*instret \([0-9]*\).*/\1/p')"
        deja_seconds=$(measure_seconds "$runs" "$deja $machine </dev/null")
        ;;
    *)
        echo "bench: deja did not print checksum $checksum; its output:" >&2
        echo "$deja_output" | tail -n 5 >&2
        deja_seconds="wrong"
        ;;
    esac
else
    echo "bench: $deja not built; timing QEMU only"
fi
qemu_seconds=$(measure_seconds "$runs" "$qemu $machine </dev/null")
qemu_icount_seconds=$(measure_seconds "$runs" "$qemu $machine -icount shift=7 </dev/null")

mips() {
    python3 -c 'import sys
try: print("%.0f" % (float(sys.argv[1]) / float(sys.argv[2]) / 1e6))
except (ValueError, ZeroDivisionError): print("-")' "$1" "$2"
}
echo
echo "instructions: $instructions, mean of $runs runs"
printf '%-28s %10s %8s %16s\n' "emulator" "wall (s)" "MIPS" "deja / this"
printf '%-28s %10s %8s %16s\n' "deja" "$deja_seconds" "$(mips "$instructions" "$deja_seconds")" "$(ratio "$deja_seconds" "$deja_seconds")"
printf '%-28s %10s %8s %16s\n' "qemu (TCG)" "$qemu_seconds" \
    "$(mips "$instructions" "$qemu_seconds")" "$(ratio "$deja_seconds" "$qemu_seconds")"
printf '%-28s %10s %8s %16s\n' "qemu -icount shift=7" "$qemu_icount_seconds" \
    "$(mips "$instructions" "$qemu_icount_seconds")" "$(ratio "$deja_seconds" "$qemu_icount_seconds")"
