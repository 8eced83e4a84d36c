#!/bin/sh
# Snapshot benchmark: savevm / loadvm time and snapshot size for a 512 MiB
# Linux guest (the Debian guest booted to its shell, scenario "shell" of
# guest/init.sh), on deja and on qemu-system-riscv64 side by side.
#   deja   -snapshot-dir DIR: one file DIR/NAME.snap (zero pages skipped,
#          zstd level 1)
#   qemu   snapshots live in a qcow2 image: a 64 MiB qcow2 disk is attached
#          (qemu-img create) and holds them
# Both are driven through a monitor on a unix socket; a time is the wall
# time from sending the command to its prompt (machine stopped first, so
# both save the same idle guest). Mean of RUNS save/load pairs.
#   bench/snapshot.sh [RUNS]     (default 3)
# Environment: DEJA (default build/deja), QEMU (default qemu-system-riscv64).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs="${1:-3}"
deja="${DEJA:-$root/build/deja}"
qemu="${QEMU:-qemu-system-riscv64}"
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin

work=$(mktemp -d "${TMPDIR:-/tmp}/deja-snapshot-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
. "$here/guest-lib.sh"
bench_guest "$work" shell
[ -x "$deja" ] && cp "$deja" "$work/deja" && deja="$work/deja"

cat > "$work/drive.py" <<'EOF'
# drive.py SOCKET PROMPT CONSOLE RUNS DIRFILE: waits for the shell, stops
# the machine, then RUNS x (savevm b, loadvm b); prints
# "save_s load_s size_bytes".
import os, re, socket, sys, time
path, prompt_text, console, runs, sizefile = sys.argv[1], sys.argv[2].encode(), sys.argv[3], int(sys.argv[4]), sys.argv[5]
for _ in range(1200):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(path); break
    except OSError:
        time.sleep(0.05)
s.settimeout(600)
buf = b""
def cmd(line=None):
    global buf
    if line is not None:
        s.sendall(line.encode() + b"\n")
    while prompt_text not in buf:
        d = s.recv(65536)
        if not d:
            raise SystemExit("monitor closed")
        buf += d
    out, _, buf = buf.partition(prompt_text)
    return out.decode(errors="replace")
cmd()
deadline = time.time() + 600
while "starting a shell" not in open(console, errors="replace").read():
    if time.time() > deadline:
        raise SystemExit("guest did not boot")
    time.sleep(0.2)
time.sleep(2)
cmd("stop")
save = load = 0.0
for i in range(runs):
    t = time.time(); out = cmd("savevm b"); save += time.time() - t
    if "rror" in out: raise SystemExit("savevm: " + out)
    t = time.time(); out = cmd("loadvm b"); load += time.time() - t
    if "rror" in out: raise SystemExit("loadvm: " + out)
info = cmd("info snapshots")
size = "-"
if sizefile != "-" and os.path.exists(sizefile):
    size = str(os.path.getsize(sizefile))
else:
    m = re.search(r"\bb\s+([\d.]+) ([KMG])i?B", info)
    if m:
        size = str(int(float(m.group(1)) * {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]))
try:
    s.sendall(b"quit\n")
    while s.recv(4096):  # until the emulator closes the monitor
        pass
except OSError:
    pass
print("%.3f %.3f %s" % (save / runs, load / runs, size))
EOF

machine="-M virt -m 512M -nographic -bios $firmware -kernel $kernel -initrd $initrd"
append="console=ttyS0 deja.scenario=shell"

deja_result="- - -"
if [ -x "$deja" ]; then
    $deja $machine -append "$append" -serial file:$work/deja.out -snapshot-dir $work/snaps \
        -monitor unix:$work/deja.sock,server,nowait </dev/null >/dev/null 2>$work/deja.err &
    pid=$!
    deja_result=$(python3 "$work/drive.py" $work/deja.sock "(deja) " $work/deja.out "$runs" \
        $work/snaps/b.snap) || deja_result="- - -"
    wait $pid || true
fi
qemu_result="- - -"
if command -v "$qemu" >/dev/null 2>&1 && command -v qemu-img >/dev/null 2>&1; then
    qemu-img create -q -f qcow2 $work/disk.qcow2 64M
    $qemu $machine -append "$append" -serial file:$work/qemu.out \
        -drive file=$work/disk.qcow2,format=qcow2,if=none,id=d0 -device virtio-blk-device,drive=d0 \
        -monitor unix:$work/qemu.sock,server,nowait </dev/null >/dev/null 2>$work/qemu.err &
    pid=$!
    qemu_result=$(python3 "$work/drive.py" $work/qemu.sock "(qemu) " $work/qemu.out "$runs" -) ||
        qemu_result="- - -"
    wait $pid || true
fi

set -- $deja_result $qemu_result
echo "snapshot bench: 512 MiB Linux guest at its shell, mean of $runs save/load pairs"
printf "%-6s %10s %10s %14s\n" "" "savevm s" "loadvm s" "size bytes"
printf "%-6s %10s %10s %14s\n" deja "$1" "$2" "$3"
printf "%-6s %10s %10s %14s\n" qemu "$4" "$5" "$6"
echo "ratios qemu/deja: savevm $(calc 'round(a[1]/a[0],2)' "$1" "$4")x," \
    "loadvm $(calc 'round(a[1]/a[0],2)' "$2" "$5")x, size $(calc 'round(a[1]/a[0],2)' "$3" "$6")x"
