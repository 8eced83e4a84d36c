#!/bin/sh
# replay_seek latency (docs/replay.md "Seeking"): records the bare-metal
# tests/e2e/seek_guest.c program twice, short (~0.14 G instructions) and
# ten times longer (~1.4 G), then in a replay of each: one seek to the end
# (the replay passes everywhere once, taking its checkpoints), then 20 seeks
# to pseudo-random instruction counts, forwards and backwards, timed from
# the command to the monitor's next answer. Prints the median and worst
# latency per trace: with checkpoints every 2^22 instructions they stay the
# same whatever the trace's length. With LINUX=1 (and the guest in
# ~/.cache/deja/guest) also a recorded Linux boot (~5.6 G instructions).
#   bench/seek.sh        Environment: DEJA (default build/deja).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
deja="${DEJA:-$root/build/deja}"
out=$(mktemp -d /tmp/deja-bench-seek.XXXXXX)
trap 'rm -rf "$out"' EXIT
command -v riscv64-unknown-elf-gcc >/dev/null || { echo "seek.sh: needs riscv64-unknown-elf-gcc" >&2; exit 1; }

run() { # name end-icount deja-args...
    name=$1 end=$2
    shift 2
    rm -f "$out/m.sock"
    DEJA_CHECKPOINT_MB=${DEJA_CHECKPOINT_MB:-1024} python3 "$root/tests/e2e/seek_drive.py" latency "$out/m.sock" "$end" 11 20 -- \
        "$deja" "$@" -S -monitor "unix:$out/m.sock,server,nowait" 2>"$out/err" |
        grep -v "^exit" | sed "s/^/$name: /"
}

for rounds in 40 400; do
    riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
        -ffreestanding -O2 -DROUNDS=$rounds -T "$root/tests/e2e/board/link.ld" \
        "$root/tests/e2e/board/start.S" "$root/tests/e2e/seek_guest.c" -o "$out/g$rounds.elf"
    base="-M virt -display none -bios none -kernel $out/g$rounds.elf -serial null"
    "$deja" $base -icount shift=2,rr=record,rrfile="$out/g$rounds.rr" 2>/dev/null
    end=$("$deja" $base -icount shift=2,rr=replay,rrfile="$out/g$rounds.rr" 2>&1 |
        sed -n 's/.*finished at instruction \([0-9]*\).*/\1/p')
    run "bare-metal $end instructions" "$end" $base -icount shift=2,rr=replay,rrfile="$out/g$rounds.rr"
done

guest=${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest
if [ "${LINUX:-0}" = 1 ] && [ -r "$guest/Image" ]; then
    set -- -M virt -m 512M -display none -serial null -kernel "$guest/Image" \
        -initrd "$guest/initramfs.cpio.gz" -append "console=ttyS0 deja.scenario=smoke"
    "$deja" "$@" -icount shift=2,rr=record,rrfile="$out/linux.rr" 2>/dev/null
    end=$("$deja" "$@" -icount shift=2,rr=replay,rrfile="$out/linux.rr" 2>&1 |
        sed -n 's/.*finished at instruction \([0-9]*\).*/\1/p')
    run "linux boot $end instructions" "$end" "$@" -icount shift=2,rr=replay,rrfile="$out/linux.rr"
fi
