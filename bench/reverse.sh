#!/bin/sh
# Reverse debugging latency (docs/gdb.md): records a Linux boot (the
# "smoke" scenario of the test guest, to poweroff), then in a replay under
# gdb-multiarch times reverse-stepi and reverse-continue (breakpoint on a PC
# ~2000 instructions back) at the start, middle and end of the trace;
# prints the median and worst latency per position. The same with QEMU
# (-icount shift=7,rr=record/replay, rrsnapshot on a qcow2 drive, -s) where
# it manages: its reverse commands reload the snapshot taken at the start
# and replay forward, so their cost grows with the position.
#   bench/reverse.sh [REPS]   (default 5)
# Environment: DEJA (default build/deja), QEMU (default
# qemu-system-riscv64; QEMU=none skips it), GDB_TIMEOUT (s per gdb packet,
# default 300), BENCH_TIMEOUT (s per emulator, default 900).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
deja="${DEJA:-$root/build/deja}"
qemu="${QEMU:-qemu-system-riscv64}"
reps="${1:-5}"
out=$(mktemp -d /tmp/deja-bench-reverse.XXXXXX)
trap 'rm -rf "$out"' EXIT
. "$here/guest-lib.sh"
bench_guest "$out" smoke
command -v gdb-multiarch >/dev/null || { echo "reverse.sh: needs gdb-multiarch" >&2; exit 1; }
guest="-M virt -m 256M -display none -kernel $kernel -initrd $initrd -serial null"
append="console=ttyS0 deja.scenario=smoke"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# summary NAME FILE: median and worst per kind and position
summary() {
    python3 - "$1" "$2" <<'PY'
import sys, statistics
name, path = sys.argv[1], sys.argv[2]
rows = {}
fails = []
for line in open(path, errors="replace"):
    f = line.split()
    if f and f[0] in ("rsi", "rc"):
        rows.setdefault((f[0], int(f[1])), []).append((float(f[2]), len(f) > 3))
    elif f and f[0] == "fail":
        fails.append(line.strip())
for (kind, pos), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    t = [x for x, _ in v]
    wrong = sum(1 for _, w in v if w)
    label = "reverse-stepi   " if kind == "rsi" else "reverse-continue"
    print("%-5s %s at %13d: median %8.1f ms  worst %8.1f ms  (%d runs%s)" % (
        name, label, pos, 1000 * statistics.median(t), 1000 * max(t), len(t),
        ", %d wrong stops" % wrong if wrong else ""))
for f in fails:
    print("%-5s %s" % (name, f))
PY
}

# bench_gdb NAME SEEK POSITIONS CMD...: the emulator with a gdb port, gdb
# running reverse.py
bench_gdb() {
    name=$1 seekcmd=$2 positions=$3
    shift 3
    port=$(free_port)
    "$@" -S -gdb tcp::$port >"$out/$name.emu" 2>&1 &
    pid=$!
    i=0
    while [ $i -lt 100 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    limit=${BENCH_TIMEOUT:-900}
    status=0
    BENCH_PORT=$port POSITIONS=$positions REPS=$reps SEEK=$seekcmd GDB_TIMEOUT=${GDB_TIMEOUT:-300} \
        timeout "$limit" gdb-multiarch -batch -nx -x "$here/reverse.py" >"$out/$name.gdb" 2>&1 || status=$?
    if [ "$status" = 124 ]; then
        last=$(grep -aE '^(rsi|rc) ' "$out/$name.gdb" | tail -1)
        printf '\nfail gave no answer within %s s (after: %s)\n' "$limit" "${last:-nothing}" >>"$out/$name.gdb"
    fi
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    summary "$name" "$out/$name.gdb"
}

echo "recording the Linux boot with deja..."
"$deja" $guest -append "$append" -icount shift=2,rr=record,rrfile="$out/deja.rr" </dev/null >/dev/null 2>&1
end=$("$deja" $guest -append "$append" -icount shift=2,rr=replay,rrfile="$out/deja.rr" </dev/null 2>&1 |
    sed -n 's/.*finished at instruction \([0-9]*\).*/\1/p')
[ -n "$end" ] || { echo "reverse.sh: deja's replay failed" >&2; exit 1; }
echo "deja trace: $end instructions"
positions="100000000,$((end / 2)),$((end - 50000000))"
bench_gdb deja goto "$positions" "$deja" $guest -append "$append" -icount shift=2,rr=replay,rrfile="$out/deja.rr"

if [ "$qemu" = none ] || ! command -v "$qemu" >/dev/null; then
    echo "qemu: skipped"
    exit 0
fi
echo "recording the Linux boot with QEMU (-icount shift=7)..."
qemu-img create -f qcow2 "$out/rr.qcow2" 64M >/dev/null
qguest="-M virt -m 256M -display none -kernel $kernel -initrd $initrd -serial null -net none -drive file=$out/rr.qcow2,if=none,id=rr"
"$qemu" $qguest -append "$append" -icount shift=7,rr=record,rrfile="$out/qemu.rr",rrsnapshot=init \
    </dev/null >/dev/null 2>&1 || true
# The same instruction counts (QEMU's trace is as long: same guest, same
# work); QEMU is moved forwards with replay_break (its replay_seek hangs
# or does nothing at times)
bench_gdb qemu break "$positions" "$qemu" $qguest -append "$append" \
    -icount shift=7,rr=replay,rrfile="$out/qemu.rr",rrsnapshot=init
