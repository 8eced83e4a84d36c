#!/bin/sh
# Board end-to-end tests: bare-metal programs on `deja -M virt` (UART,
# finisher exit codes, CLINT timer, PLIC + UART interrupts, reset, OpenSBI
# boot of an S-mode payload). Needs riscv64-unknown-elf-gcc.
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
OUT=build/tests/e2e/board
SRC=tests/e2e/board
mkdir -p "$OUT"
CC="riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib -ffreestanding -O2"
fail=0
check() { # name expected_status expected_output_substring command...
    name=$1 want=$2 text=$3
    shift 3
    out=$("$@" 2>&1 </dev/null)
    status=$?
    if [ "$status" -ne "$want" ]; then
        echo "FAIL $name: exit status $status, expected $want"; fail=1
    elif [ -n "$text" ] && ! printf '%s\n' "$out" | grep -q -- "$text"; then
        echo "FAIL $name: output lacks '$text'"; fail=1
    else
        echo "ok   $name"
    fi
}
for p in hello timer reset; do
    $CC -T $SRC/link.ld $SRC/start.S $SRC/$p.c -o $OUT/$p.elf || exit 1
done
$CC -T $SRC/image.ld $SRC/image_head.S $SRC/smode.c -o $OUT/smode.elf || exit 1
riscv64-unknown-elf-objcopy -O binary $OUT/smode.elf $OUT/Image || exit 1

check hello-uart-finisher 7 "time advances" timeout 20 $DEJA -M virt -m 128M -nographic -bios none -kernel $OUT/hello.elf
check hello-smp4 7 "dtb ok" timeout 20 $DEJA -M virt -smp 4 -nographic -bios none -kernel $OUT/hello.elf
check timer-irqs 0 "ticks done" timeout 20 $DEJA -M virt -nographic -bios none -kernel $OUT/timer.elf
check reset-twice 2 "012" timeout 20 $DEJA -M virt -nographic -bios none -kernel $OUT/reset.elf
check no-reboot 0 "0" timeout 20 $DEJA -M virt -nographic -bios none -no-reboot -kernel $OUT/reset.elf
if [ -r /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ]; then
    check opensbi-smode 0 "Hello from S-mode" timeout 60 $DEJA -M virt -m 256M -smp 2 -nographic -kernel $OUT/Image
fi
check dumpdtb 0 "" $DEJA -M virt,dumpdtb=$OUT/virt.dtb -m 256M -bios none
if command -v dtc >/dev/null; then
    check dumpdtb-dtc 0 "riscv,plic0" dtc -I dtb -O dts $OUT/virt.dtb
fi
if [ -r /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ]; then
    check dtb-override 0 "Hello from S-mode" timeout 60 $DEJA -M virt -m 256M -nographic -dtb $OUT/virt.dtb -kernel $OUT/Image -append "x=y"
fi
echo "not a dtb" > $OUT/bad.dtb
check bad-dtb 1 "not a valid flattened device tree" $DEJA -bios none -dtb $OUT/bad.dtb
check bad-option 1 "deja: -bogus: unknown option" $DEJA -bogus
echo "not a kernel" > $OUT/notakernel
check bad-kernel 1 "neither an ELF" $DEJA -bios none -kernel $OUT/notakernel
exit $fail
