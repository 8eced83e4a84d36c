#!/bin/sh
# Disk benchmark: inside the Debian guest (scenario "diskbench" of
# guest/init.sh), dd writes MB MiB of zeros to the virtio-blk disk
# (conv=fsync), drops the page cache and reads them back, on deja and on
# qemu-system-riscv64, each plain and recording:
#   deja                raw image, written in place
#   deja record         -icount shift=2,rr=record + blkreplay (writes go to
#                       deja's in-memory overlay, the image stays untouched)
#   qemu (TCG)          raw image, written in place
#   qemu record         -icount shift=7,rr=record + blkreplay over a
#                       snapshot=on drive (QEMU's documented recipe)
# Wall time of each phase is taken on the host from the console lines
# "diskbench: write start / write done / read start / read done" (boot time
# excluded); throughput = MB / time. Mean of RUNS runs.
#   bench/disk.sh [RUNS]      (default 1)
# Environment: DEJA (default build/deja), QEMU (default qemu-system-riscv64),
# MB (default 64), DISK_TIMEOUT (seconds per run, default 900).
# Wall times on a shared machine are noisy: the load average is printed.
# When the cached guest predates the diskbench scenario, a private copy of
# the initramfs is built from guest/init.sh (a few seconds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/timing.sh"
runs="${1:-1}"
mb="${MB:-64}"
limit="${DISK_TIMEOUT:-900}"
deja="${DEJA:-$root/build/deja}"
qemu="${QEMU:-qemu-system-riscv64}"
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin

work=$(mktemp -d "${TMPDIR:-/tmp}/deja-disk-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
. "$here/guest-lib.sh"
bench_guest "$work" diskbench

private_deja "$work"

machine="-M virt -m 512M -nographic -bios $firmware -kernel $kernel -initrd $initrd"
append="console=ttyS0 deja.scenario=diskbench deja.mb=$mb"
image="$work/disk.raw"

# one NAME COMMAND-WITH-DRIVES: one run on a fresh image; prints
# "WRITE_S READ_S" or "failed".
one() {
    truncate -s 0 "$image" && truncate -s "$((mb + 1))M" "$image"
    rm -f "$work/rr.bin"
    timeout "$limit" sh -c "$2 -append '$append' </dev/null 2>$work/$1.err" |
        python3 "$here/phases.py" diskbench "write start" "write done" "read start" "read done" \
            --log "$work/$1.out" >"$work/$1.times" || true
    if grep -q failed "$work/$1.times" ||
        [ "$(grep -c "diskbench: dd: $mb+0 records out" "$work/$1.out")" != 2 ]; then
        grep -a "diskbench" "$work/$1.out" >&2
        echo "bench: $1 failed; stderr:" >&2
        tail -n 5 "$work/$1.err" >&2
        echo failed
    else
        awk '{ print $1, $3 }' "$work/$1.times"
    fi
}
# timed NAME COMMAND: mean write and read seconds over RUNS runs.
timed() {
    w=0 r=0 i=0
    while [ "$i" -lt "$runs" ]; do
        t=$(one "$1" "$2")
        [ "$t" = failed ] && { echo "failed failed"; return; }
        w=$(calc '"%.3f" % (a[0] + a[1])' "$w" "${t% *}")
        r=$(calc '"%.3f" % (a[0] + a[1])' "$r" "${t#* }")
        i=$((i + 1))
    done
    echo "$(calc '"%.3f" % (a[0] / a[1])' "$w" "$runs") $(calc '"%.3f" % (a[0] / a[1])' "$r" "$runs")"
}

plain="-drive file=$image,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0"
blkreplay="-drive driver=blkreplay,if=none,image=d0,id=d0-rr -device virtio-blk-device,drive=d0-rr"
deja_rr="-drive file=$image,format=raw,if=none,id=d0 $blkreplay"
qemu_rr="-drive file=$image,format=raw,if=none,snapshot=on,id=d0 $blkreplay"

echo "bench: load average before: $(load)"
names="" results=""
add() { names="$names|$1"; results="$results|$2"; }
if [ "$have_deja" = 1 ]; then
    add "deja" "$(timed deja "$deja $machine $plain")"
    add "deja record shift=2" "$(timed deja-rr "$deja $machine $deja_rr -icount shift=2,rr=record,rrfile=$work/rr.bin")"
fi
add "qemu (TCG)" "$(timed qemu "$qemu $machine $plain")"
add "qemu record shift=7" "$(timed qemu-rr "$qemu $machine $qemu_rr -icount shift=7,rr=record,rrfile=$work/rr.bin")"
echo "bench: load average after: $(load)"

base_w=$(echo "$results" | cut -d'|' -f2 | cut -d' ' -f1)
base_r=$(echo "$results" | cut -d'|' -f2 | cut -d' ' -f2)
[ "$have_deja" = 1 ] || { base_w=-; base_r=-; }
echo
echo "dd in the guest, $mb MiB write (conv=fsync) then read (cold cache), mean of $runs run(s)"
printf '%-22s %9s %9s %9s %9s %12s %12s\n' "emulator" "write s" "MiB/s" "read s" "MiB/s" \
    "write vs deja" "read vs deja"
i=2
while [ "$i" -le "$(echo "$names" | awk -F'|' '{ print NF }')" ]; do
    name=$(echo "$names" | cut -d'|' -f"$i")
    t=$(echo "$results" | cut -d'|' -f"$i")
    w=${t% *} r=${t#* }
    printf '%-22s %9s %9s %9s %9s %12s %12s\n' "$name" "$w" "$(calc '"%.1f" % (a[0] / a[1])' "$mb" "$w")" \
        "$r" "$(calc '"%.1f" % (a[0] / a[1])' "$mb" "$r")" "$(ratio "$w" "$base_w")" "$(ratio "$r" "$base_r")"
    i=$((i + 1))
done
echo "(\"vs deja\": this configuration's time / plain deja's; above 1 = slower than deja)"
