#!/bin/sh
# deja demo: installs the dependencies, builds deja, fetches the Debian
# riscv64 guest (kernel + busybox initramfs) and boots it to a poweroff.
#   scripts/demo.sh            boot, print the smoke scenario, power off
#   scripts/demo.sh --shell    boot to an interactive shell (exit to power off)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scenario=smoke
case "${1:-}" in
--shell) scenario=shell ;;
"") ;;
*) echo "usage: scripts/demo.sh [--shell]" >&2; exit 2 ;;
esac

step() { echo; echo "==== $* ===="; }

step "1. dependencies"
scripts/install-deps.sh

step "2. build deja"
make -j"$(nproc)"

step "3. guest: Debian trixie riscv64 kernel + busybox initramfs"
guest/fetch-debian.sh
guest/build-initramfs.sh
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"

step "4. boot Linux on deja (scenario $scenario)"
set -x
build/deja -M virt -m 512M -nographic \
    -kernel "$guest/Image" -initrd "$guest/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=$scenario"
set +x

# ---- NEXT STEP (planned, not implemented yet): record and replay ----------
# Once record/replay lands, the demo records the same boot and replays it,
# then compares the two console outputs byte for byte:
#
#   build/deja -M virt -m 512M -nographic -kernel "$guest/Image" \
#       -initrd "$guest/initramfs.cpio.gz" -append "console=ttyS0 deja.scenario=smoke" \
#       -icount shift=2,rr=record,rrfile=demo.rr >record.out
#   build/deja ... -icount shift=2,rr=replay,rrfile=demo.rr >replay.out
#   cmp record.out replay.out && echo "replay is identical to the recording"
# ---------------------------------------------------------------------------
echo
echo "demo: done (record/replay is the next step; see the end of scripts/demo.sh)"
