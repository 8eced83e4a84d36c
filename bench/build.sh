#!/bin/sh
# Build the bare-metal benchmark: build/bench/bench.elf (or $1).
# ITERATIONS=N overrides the iteration count compiled in (default in bench.c).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
output="${1:-$here/../build/bench/bench.elf}"
mkdir -p "$(dirname "$output")"
iterations=""
[ -n "${ITERATIONS:-}" ] && iterations="-DITERATIONS=$ITERATIONS"
# shellcheck disable=SC2086 # $iterations is empty or one word
riscv64-unknown-elf-gcc -O2 -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany \
    -ffreestanding -fno-builtin -nostdlib -nostartfiles -Wall -Wextra -Werror \
    -Wl,--no-warn-rwx-segments -T "$here/link.ld" $iterations \
    -o "$output" "$here/crt0.S" "$here/bench.c"
