#!/bin/sh
# Cost of record/replay on deja and on qemu-system-riscv64 (-icount rr=), for
# two workloads: the Linux boot to poweroff of bench/linux-boot.sh (smoke
# scenario) and the bare-metal CPU benchmark of bench/run.sh.
#   bench/replay.sh [RUNS] [WORKLOAD]
#     RUNS      timed runs per configuration, mean wall time (default 3)
#     WORKLOAD  linux, bare or all (default all)
# For each emulator configuration it times a plain run, a recording and a
# replay of that recording, and reports the trace size and the trace bytes per
# second of guest virtual time. Configurations:
#   deja shift=2  deja's default virtual clock: the record/replay cost numbers
#   deja shift=7  the same clock as QEMU's, for the trace size comparison
#   qemu shift=7  QEMU's own record/replay (the plain run is -icount shift=7)
# Guest virtual seconds: deja's come from `deja-trace info` (icount << shift
# plus warps). QEMU's trace cannot be read that way: for the Linux boot they
# are the guest kernel's last printk timestamp (its sched_clock, which starts
# a little after reset, so a slight underestimate: more bytes per second);
# for the bare-metal benchmark, which runs the same instructions on both and
# never idles, they are deja's shift=7 virtual time.
# deja's trace size depends a little on the host's speed: the recorder closes a
# compressed chunk at least every second, so a loaded host gives more, smaller
# chunks that compress worse. Wall times on a shared machine are noisy: look
# at the load averages printed with each table.
# Every run has a timeout (REPLAY_TIMEOUT seconds, default 600): a run that
# fails, hangs or prints the wrong thing is reported as "failed".
# Environment: DEJA (default build/deja), DEJA_TRACE (default
# build/deja-trace), QEMU (default qemu-system-riscv64), REPLAY_TIMEOUT.
# Not part of the test suite.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/timing.sh"
runs="${1:-3}"
workload="${2:-all}"
deja="${DEJA:-$root/build/deja}"
deja_trace="${DEJA_TRACE:-$root/build/deja-trace}"
qemu="${QEMU:-qemu-system-riscv64}"
limit="${REPLAY_TIMEOUT:-600}"
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
elf="$root/build/bench/bench.elf"

case "$workload" in
linux|bare|all) ;;
*) echo "usage: bench/replay.sh [RUNS] [linux|bare|all]" >&2; exit 2 ;;
esac
for tool in "$deja" "$deja_trace"; do
    [ -x "$tool" ] || { echo "bench: $tool not built (run make)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/deja-replay-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
# Private copies of the binaries: teammates rebuild build/ and the guest while
# this runs, and a replay refuses images that changed since the recording.
cp "$deja" "$work/deja" && deja="$work/deja"
cp "$deja_trace" "$work/deja-trace" && deja_trace="$work/deja-trace"

# --- small helpers ---------------------------------------------------------

calc() { # python expression over sys.argv[1:] as floats; "-" when not numbers
    expression="$1"
    shift
    python3 -c "import sys
try:
    a = [float(x) for x in sys.argv[1:]]
    print($expression)
except (ValueError, ZeroDivisionError):
    print('-')" "$@"
}
overhead() { calc '"%+.1f%%" % ((a[0] / a[1] - 1) * 100)' "$1" "$2"; }
speedup() { calc '"%.2fx" % (a[0] / a[1])' "$1" "$2"; }
# human BYTES: 1234567 -> "1.18 MiB"
human() {
    calc '(lambda b: "%d B" % b if b < 1024 else "%.1f KiB" % (b / 1024) if b < 1048576 else "%.2f MiB" % (b / 1048576))(a[0])' "$1"
}
per_second() { calc '"%.0f" % (a[0] / a[1])' "$1" "$2"; }
file_size() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo "-"; fi; }
load() { sed 's/^.*load average: *//' </proc/loadavg 2>/dev/null | cut -d' ' -f1-3; }

# run_once COMMAND OUTPUT: one run under the timeout, console (stdout) in
# OUTPUT, stderr in OUTPUT.err; succeeds when it exited 0 and printed $ok.
run_once() {
    status=0
    timeout "$limit" sh -c "$1 </dev/null" >"$2" 2>"$2.err" || status=$?
    tr -d '\r' <"$2" >"$2.tmp" && mv "$2.tmp" "$2"
    if [ "$status" -ne 0 ]; then
        echo "bench: exit status $status (124: timeout after ${limit}s): $1" >&2
        tail -n 3 "$2.err" >&2
        return 1
    fi
    grep -q -- "$ok" "$2" || { echo "bench: no '$ok' in the output of: $1" >&2; return 1; }
}
# timed COMMAND OUTPUT: check one run, then print the mean of $runs runs.
timed() {
    if run_once "$1" "$2"; then
        measure_seconds "$runs" "timeout $limit $1 </dev/null"
    else
        echo "failed"
    fi
}

# configuration NAME EMULATOR SHIFT: plain, record, replay of $machine.
# Sets plain_s record_s replay_s trace_bytes virtual_s (or "failed"/"-").
configuration() {
    name="$1" emulator="$2" shift="$3"
    tag=$(echo "$name" | tr ' =' '-_')
    trace="$work/$tag.rr"
    extra=""
    [ "$emulator" = "$qemu" ] && extra="-net none"
    base="$emulator $machine $extra"
    echo "bench: $workload_name, $name: plain, record, replay (load $(load))" >&2
    plain_s=$(timed "$base -icount shift=$shift" "$work/$tag.plain.out")
    record_s=$(timed "$base -icount shift=$shift,rr=record,rrfile=$trace" "$work/$tag.record.out")
    replay_s="-" trace_bytes="-" virtual_s="-"
    [ "$record_s" = failed ] && { replay_s=failed; return; }
    # The timed recordings rewrote the trace; record once more so that the
    # console output compared below and the trace replayed are the same run.
    run_once "$base -icount shift=$shift,rr=record,rrfile=$trace" "$work/$tag.record.out" ||
        { record_s=failed replay_s=failed; return; }
    trace_bytes=$(file_size "$trace")
    replay="$base -icount shift=$shift,rr=replay,rrfile=$trace"
    if run_once "$replay" "$work/$tag.replay.out" &&
        cmp -s "$work/$tag.record.out" "$work/$tag.replay.out"; then
        replay_s=$(measure_seconds "$runs" "timeout $limit $replay </dev/null")
    else
        echo "bench: $name replay failed or its console output differs from the recording" >&2
        replay_s=failed
    fi
    if [ "$emulator" = "$deja" ]; then
        virtual_s=$("$deja_trace" info "$trace" | sed -n 's/^virtual time: *\([0-9.]*\) s.*/\1/p')
    fi
}

# workload NAME: the three configurations, then its table and targets.
workload() {
    workload_name="$1"
    configuration "deja shift=2" "$deja" 2
    d2_plain=$plain_s d2_record=$record_s d2_replay=$replay_s d2_bytes=$trace_bytes d2_virtual=$virtual_s
    configuration "deja shift=7" "$deja" 7
    d7_plain=$plain_s d7_record=$record_s d7_replay=$replay_s d7_bytes=$trace_bytes d7_virtual=$virtual_s
    configuration "qemu shift=7" "$qemu" 7
    q_plain=$plain_s q_record=$record_s q_replay=$replay_s q_bytes=$trace_bytes
    q_virtual="-"
    if [ "$q_bytes" != "-" ]; then
        if [ "$workload_name" = linux ]; then
            q_virtual=$(sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p' "$work/qemu-shift_7.record.out" | tail -n 1)
        else
            q_virtual=$d7_virtual
        fi
    fi
    [ -n "$q_virtual" ] || q_virtual="-"

    echo
    echo "$workload_title, mean of $runs runs (load average at the end: $(load))"
    format='%-14s %9s %9s %9s %9s %8s %10s %10s %9s\n'
    printf "$format" "" "plain (s)" "record(s)" "overhead" "replay(s)" "replay" \
        "trace" "guest (s)" "trace B/s"
    row() { # name plain record replay bytes virtual
        printf "$format" "$1" "$2" "$3" "$(overhead "$3" "$2")" "$4" "$(speedup "$3" "$4")" \
            "$(human "$5")" "$(calc '"%.2f" % a[0]' "$6")" "$(per_second "$5" "$6")"
    }
    row "deja shift=2" "$d2_plain" "$d2_record" "$d2_replay" "$d2_bytes" "$d2_virtual"
    row "deja shift=7" "$d7_plain" "$d7_record" "$d7_replay" "$d7_bytes" "$d7_virtual"
    row "qemu shift=7" "$q_plain" "$q_record" "$q_replay" "$q_bytes" "$q_virtual"
    echo "overhead: record vs plain; replay: record time / replay time (above 1x: replay faster)"
    echo "trace size at shift=7, deja / qemu: $(calc '"%.3f" % (a[0] / a[1])' "$d7_bytes" "$q_bytes")"

    # The issue's targets, on deja's default clock (shift=2) for the times and
    # at QEMU's shift=7 for the trace size.
    target_overhead=$(calc '"PASS" if a[0] <= a[1] * 1.05 else "MISS"' "$d2_record" "$d2_plain")
    target_replay=$(calc '"PASS" if a[1] <= a[0] else "MISS"' "$d2_record" "$d2_replay")
    target_size=$(calc '"PASS" if a[0] < a[1] else "MISS"' "$d7_bytes" "$q_bytes")
    [ "$target_overhead" = "-" ] && target_overhead=MISS
    [ "$target_replay" = "-" ] && target_replay=MISS
    [ "$target_size" = "-" ] && target_size=MISS
    summary="$summary
$(printf '%-6s record overhead <= 5%%: %s %s | replay >= record speed: %s %s | trace < qemu'"'"'s: %s %s vs %s' \
        "$workload_name" "$target_overhead" "$(overhead "$d2_record" "$d2_plain")" \
        "$target_replay" "$(speedup "$d2_record" "$d2_replay")" \
        "$target_size" "$(human "$d7_bytes")" "$(human "$q_bytes")")"
}

# --- the workloads -----------------------------------------------------------

echo "bench: $(nproc) cores, load average at the start: $(load)"
summary=""
if [ "$workload" != bare ]; then
    if [ ! -f "$guest/Image" ] || [ ! -f "$guest/initramfs.cpio.gz" ]; then
        "$root/guest/fetch-debian.sh"
        "$root/guest/build-initramfs.sh"
    fi
    cp "$guest/Image" "$guest/initramfs.cpio.gz" "$guest/manifest" "$work/"
    machine="-M virt -m 512M -nographic -bios $firmware -kernel $work/Image"
    machine="$machine -initrd $work/initramfs.cpio.gz -append 'console=ttyS0 deja.scenario=smoke'"
    ok='^smoke: done'
    workload_title="Linux $(sed -n 's/^kernel_version //p' "$work/manifest") boot to poweroff (smoke)"
    workload linux
fi
if [ "$workload" != linux ]; then
    "$here/build.sh" "$elf"
    cp "$elf" "$work/bench.elf" && elf="$work/bench.elf"
    machine="-M virt -m 128M -nographic -bios none -kernel $elf"
    reference=$(timeout "$limit" $qemu $machine -icount shift=0,sleep=off </dev/null | tr -d '\r')
    checksum=$(echo "$reference" | sed -n 's/.*checksum \(0x[0-9a-f]*\).*/\1/p')
    [ -n "$checksum" ] || { echo "bench: reference run of $elf failed" >&2; exit 1; }
    ok="checksum $checksum"
    workload_title="bare-metal benchmark (bench/bench.c, $checksum)"
    workload bare
fi
echo
echo "targets (deja shift=2 for the times, shift=7 for the size against qemu):$summary"
