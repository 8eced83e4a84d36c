#!/bin/sh
# deja demo: installs the dependencies, builds deja, fetches the Debian
# riscv64 guest (kernel + busybox initramfs), records a boot to poweroff,
# shows what the trace holds and replays it with no input, checking that
# the replay prints exactly what the recording printed.
#   scripts/demo.sh            record and replay the smoke scenario
#   scripts/demo.sh --shell    record an interactive shell session (exit to
#                              power off), then replay it
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

work="${DEJA_DEMO_DIR:-$root/build/demo}"
mkdir -p "$work"
machine="-M virt -m 512M -nographic -kernel $guest/Image -initrd $guest/initramfs.cpio.gz"

step "4. record a Linux boot on deja (scenario $scenario) into $work/boot.rr"
set -x
# shellcheck disable=SC2086 # $machine is a list of options
build/deja $machine -append "console=ttyS0 deja.scenario=$scenario" \
    -icount shift=2,rr=record,rrfile="$work/boot.rr" | tee "$work/record.out"
set +x

step "5. what the trace holds"
build/deja-trace info "$work/boot.rr"

step "6. replay it with no input at all (stdin closed, serial to a file)"
set -x
# shellcheck disable=SC2086
build/deja $machine -append "console=ttyS0 deja.scenario=$scenario" -serial "file:$work/replay.out" \
    -icount shift=2,rr=replay,rrfile="$work/boot.rr" </dev/null
set +x

step "7. compare"
if cmp -s "$work/record.out" "$work/replay.out"; then
    echo "demo: the replay printed exactly what the recording printed ($(wc -c <"$work/replay.out") bytes)"
else
    echo "demo: the replay's console output differs from the recording's" >&2
    exit 1
fi
echo "demo: done. Replay again with:"
echo "  build/deja $machine -append \"console=ttyS0 deja.scenario=$scenario\" -icount shift=2,rr=replay,rrfile=$work/boot.rr"
