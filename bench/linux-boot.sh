#!/bin/sh
# Time a Linux boot to poweroff (the initramfs "smoke" scenario) on deja and
# on qemu-system-riscv64 (plain TCG and -icount shift=7), same firmware
# (Debian's OpenSBI fw_dynamic.bin), kernel and initramfs; print the ratios.
#   bench/linux-boot.sh [RUNS]     RUNS timed boots per configuration (default 3)
# Environment: DEJA (default build/deja), QEMU (default qemu-system-riscv64).
# The guest comes from guest/fetch-debian.sh + guest/build-initramfs.sh (run
# here when missing).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/timing.sh"
runs="${1:-3}"
deja="${DEJA:-$root/build/deja}"
qemu="${QEMU:-qemu-system-riscv64}"
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin

if [ ! -f "$guest/Image" ] || [ ! -f "$guest/initramfs.cpio.gz" ]; then
    "$root/guest/fetch-debian.sh"
    "$root/guest/build-initramfs.sh"
fi
machine="-M virt -m 512M -nographic -bios $firmware -kernel $guest/Image"
machine="$machine -initrd $guest/initramfs.cpio.gz"
append="console=ttyS0 deja.scenario=smoke"

# boots COMMAND: one boot, succeeds when the smoke scenario completed.
boots() {
    timeout 600 sh -c "$1 </dev/null" 2>&1 | tr -d '\r' | grep -q '^smoke: done'
}
timed() { # name command
    if boots "$2"; then
        measure_seconds "$runs" "timeout 600 $2 </dev/null"
    else
        echo "bench: $1 did not reach 'smoke: done'" >&2
        echo "failed"
    fi
}

deja_seconds="-"
if [ -x "$deja" ]; then
    deja_seconds=$(timed deja "$deja $machine -append '$append'")
else
    echo "bench: $deja not built; timing QEMU only"
fi
qemu_seconds=$(timed qemu "$qemu $machine -append '$append'")
qemu_icount_seconds=$(timed "qemu shift=7" "$qemu $machine -icount shift=7 -append '$append'")

echo
echo "Linux $(sed -n 's/^kernel_version //p' "$guest/manifest") boot to poweroff, mean of $runs runs"
printf '%-28s %10s %16s\n' "emulator" "wall (s)" "deja / this"
printf '%-28s %10s %16s\n' "deja" "$deja_seconds" "$(ratio "$deja_seconds" "$deja_seconds")"
printf '%-28s %10s %16s\n' "qemu (TCG)" "$qemu_seconds" "$(ratio "$deja_seconds" "$qemu_seconds")"
printf '%-28s %10s %16s\n' "qemu -icount shift=7" "$qemu_icount_seconds" \
    "$(ratio "$deja_seconds" "$qemu_icount_seconds")"
