#!/bin/sh
# The command line around a Linux boot: the generated device tree
# (-machine dumpdtb=FILE, decompiled with dtc) holds the nodes Linux needs;
# option errors and unusable images give a one-line "deja: ..." message and
# exit status 1 before the guest starts. Exit 77 without the Linux guest.
set -u
cd "$(dirname "$0")/../.." || exit 2
DEJA=${DEJA:-build/deja}
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"
if [ ! -f "$guest/Image" ] || [ ! -f "$guest/initramfs.cpio.gz" ]; then
    echo "no Linux guest in $guest (run guest/fetch-debian.sh and guest/build-initramfs.sh)"
    exit 77
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/deja-linux-options.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
image=$guest/Image

# error NAME MESSAGE-SUBSTRING DEJA-ARGS...: exit status 1, one line on
# stderr that starts with "deja: " and holds MESSAGE, nothing on stdout.
error() {
    name=$1 text=$2
    shift 2
    timeout 20 "$DEJA" "$@" </dev/null >"$out/stdout" 2>"$out/stderr"
    status=$?
    lines=$(wc -l <"$out/stderr")
    if [ $status -ne 1 ]; then
        echo "FAIL $name: exit status $status, expected 1"; fail=1
    elif [ "$lines" -ne 1 ] || ! grep -q '^deja: ' "$out/stderr"; then
        echo "FAIL $name: expected one 'deja: ' line on stderr, got:"; sed 's/^/    /' "$out/stderr"; fail=1
    elif ! grep -q -- "$text" "$out/stderr"; then
        echo "FAIL $name: message lacks '$text':"; sed 's/^/    /' "$out/stderr"; fail=1
    elif [ -s "$out/stdout" ]; then
        echo "FAIL $name: the guest started (output on stdout)"; fail=1
    else
        echo "ok   $name"
    fi
}

# ---- device tree ----
if ! command -v dtc >/dev/null; then
    echo "skip dumpdtb: dtc not installed"
elif ! "$DEJA" -M virt,dumpdtb="$out/virt.dtb" -m 512M -smp 2 -kernel "$image" \
    -append "console=ttyS0" >"$out/dump.log" 2>&1; then
    echo "FAIL dumpdtb: $(cat "$out/dump.log")"; fail=1
elif ! dtc -I dtb -O dts "$out/virt.dtb" >"$out/virt.dts" 2>/dev/null; then
    echo "FAIL dumpdtb: dtc cannot decompile the tree"; fail=1
else
    problems=""
    has() { # COUNT PATTERN
        n=$(grep -c -E -- "$2" "$out/virt.dts")
        [ "$n" -eq "$1" ] || problems="$problems; $n lines match '$2', expected $1"
    }
    has 1 '^	cpus \{'
    has 2 '^		cpu@[01] \{'
    has 2 'riscv,isa = "rv64imafdc'
    has 1 '^	memory@80000000 \{'
    has 1 'reg = <0x00 0x80000000 0x00 0x20000000>'
    has 1 '^	soc \{'
    has 1 '^		clint@2000000 \{'
    has 1 '^		plic@c000000 \{'
    has 1 '^		serial@10000000 \{'
    has 1 '^		rtc@101000 \{'
    has 1 '^		test@100000 \{'
    has 8 '^		virtio_mmio@1000[1-8]000 \{'
    has 1 '^	chosen \{'
    has 1 'stdout-path = "/soc/serial@10000000"'
    has 1 'bootargs = "console=ttyS0"'
    has 0 'aliases'
    if [ -n "$problems" ]; then
        echo "FAIL dumpdtb$problems"; fail=1
    else
        echo "ok   dumpdtb"
    fi
fi

# ---- option errors ----
error unknown-option "-bogus: unknown option" -M virt -bogus
error ram-too-small "-m: 1M is too small" -M virt -m 1M -kernel "$image"
error too-many-harts "-smp: '9'" -M virt -smp 9 -kernel "$image"
error bad-serial "-serial foo:bar: character backend 'foo' is not supported" \
    -M virt -serial foo:bar -kernel "$image"
error bad-machine "machine 'sifive_u' is not supported" -M sifive_u -kernel "$image"
error missing-value "-kernel: missing value" -M virt -kernel

# ---- unusable images ----
printf 'this is not a kernel\n' >"$out/notakernel"
error kernel-not-riscv "neither an ELF file nor a RISC-V Linux Image" -M virt -kernel "$out/notakernel"
if [ -x /bin/true ] && head -c 4 /bin/true | grep -q ELF; then
    error kernel-host-elf "not for RISC-V" -M virt -kernel /bin/true
fi
error kernel-missing "cannot open" -M virt -kernel "$out/nonexistent"
# An initrd larger than the RAM left after the kernel.
dd if=/dev/zero of="$out/big.initrd" bs=1M count=80 2>/dev/null
error initrd-too-large "does not fit in RAM" -M virt -m 64M -kernel "$image" -initrd "$out/big.initrd"
error kernel-too-large "try a larger -m" -M virt -m 16M -kernel "$image"
printf 'not a device tree\n' >"$out/bad.dtb"
error bad-dtb "-dtb: '$out/bad.dtb' is not a valid flattened device tree" \
    -M virt -kernel "$image" -dtb "$out/bad.dtb"
exit $fail
