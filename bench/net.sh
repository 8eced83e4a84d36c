#!/bin/sh
# Network benchmark: the Debian guest (scenario "net" of guest/init.sh) gets
# a DHCP lease from -netdev user (libslirp) and downloads MB MiB with
# busybox wget from a python http.server this script starts on 127.0.0.1
# (10.0.2.2 in the guest), piping it into md5sum; the md5 is checked. On
# deja and qemu-system-riscv64, each plain and recording:
#   deja                -netdev user + virtio-net-device
#   deja record         -icount shift=2,rr=record + filter-replay
#   qemu (TCG)          -netdev user + virtio-net-device
#   qemu record         -icount shift=7,rr=record + filter-replay
# The time is taken on the host between the console lines "net: lease" and
# "net: md5" (boot and DHCP excluded; includes the guest's md5sum of the
# data, a small part). Throughput = MB / time. Mean of RUNS runs.
#   bench/net.sh [RUNS]      (default 1)
# Environment: DEJA (default build/deja), QEMU (default qemu-system-riscv64),
# MB (default 16), NET_TIMEOUT (seconds per run, default 900).
# Wall times on a shared machine are noisy: the load average is printed.
# No traffic leaves 127.0.0.1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/timing.sh"
runs="${1:-1}"
mb="${MB:-16}"
limit="${NET_TIMEOUT:-900}"
deja="${DEJA:-$root/build/deja}"
qemu="${QEMU:-qemu-system-riscv64}"
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin

work=$(mktemp -d "${TMPDIR:-/tmp}/deja-net-bench.XXXXXX")
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
. "$here/guest-lib.sh"
bench_guest "$work" net

private_deja "$work"

mkdir -p "$work/www"
head -c "$((mb * 1048576))" /dev/urandom >"$work/www/file"
expect=$(md5sum <"$work/www/file" | cut -d ' ' -f 1)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >"$work/http.log" 2>&1 &
server=$!
for i in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

machine="-M virt -m 512M -nographic -bios $firmware -kernel $kernel -initrd $initrd"
append="console=ttyS0 deja.scenario=net deja.port=$port"
net="-netdev user,id=n0 -device virtio-net-device,netdev=n0"
filter="-object filter-replay,id=replay,netdev=n0"

# timed NAME COMMAND: mean seconds of the download over RUNS runs, or
# "failed" (no lease, wrong md5, error).
timed() {
    total=0 i=0
    while [ "$i" -lt "$runs" ]; do
        rm -f "$work/rr.bin"
        timeout "$limit" sh -c "$2 -append '$append' </dev/null 2>$work/$1.err" |
            python3 "$here/phases.py" net "lease" "md5" --log "$work/$1.out" >"$work/$1.time" || true
        if grep -q failed "$work/$1.time" || ! grep -q "net: md5 $expect" "$work/$1.out"; then
            echo "bench: $1 failed:" >&2
            grep "net:" "$work/$1.out" >&2
            tail -n 5 "$work/$1.err" >&2
            echo failed
            return
        fi
        total=$(calc '"%.3f" % (a[0] + a[1])' "$total" "$(cat "$work/$1.time")")
        i=$((i + 1))
    done
    calc '"%.3f" % (a[0] / a[1])' "$total" "$runs"
}

echo "bench: load average before: $(load)"
d=- drr=-
if [ "$have_deja" = 1 ]; then
    d=$(timed deja "$deja $machine $net")
    drr=$(timed deja-rr "$deja $machine $net $filter -icount shift=2,rr=record,rrfile=$work/rr.bin")
fi
q=$(timed qemu "$qemu $machine $net")
qrr=$(timed qemu-rr "$qemu $machine $net $filter -icount shift=7,rr=record,rrfile=$work/rr.bin")
echo "bench: load average after: $(load)"

echo
echo "guest wget of $mb MiB from 127.0.0.1 over -netdev user (+ md5sum), mean of $runs run(s)"
printf '%-22s %9s %9s %14s\n' "emulator" "seconds" "MiB/s" "time vs deja"
row() { printf '%-22s %9s %9s %14s\n' "$1" "$2" "$(calc '"%.2f" % (a[0] / a[1])' "$mb" "$2")" "$3"; }
row "deja" "$d" "$(ratio "$d" "$d")"
row "deja record shift=2" "$drr" "$(ratio "$drr" "$d")"
row "qemu (TCG)" "$q" "$(ratio "$q" "$d")"
row "qemu record shift=7" "$qrr" "$(ratio "$qrr" "$d")"
echo "record: qemu record / deja record time = $(ratio "$qrr" "$drr")"
