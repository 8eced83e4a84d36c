# Shared by bench/run.sh and bench/linux-boot.sh (sourced, not run).
# measure_seconds RUNS COMMAND: prints the mean wall time in seconds of
# COMMAND (a shell command line, output discarded) over RUNS runs, with
# hyperfine when it is installed and a plain timer loop otherwise.
measure_seconds() {
    runs="$1"
    command="$2"
    if command -v hyperfine >/dev/null 2>&1; then
        json=$(mktemp)
        hyperfine --runs "$runs" --style none --output null --export-json "$json" \
            "$command" >/dev/null 2>&1 || { rm -f "$json"; echo "failed"; return; }
        python3 -c 'import json, sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$json"
        rm -f "$json"
    else
        python3 - "$runs" "$command" <<'PY'
import subprocess, sys, time
runs, command = int(sys.argv[1]), sys.argv[2]
total = 0.0
for _ in range(runs):
    start = time.perf_counter()
    status = subprocess.call(command, shell=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    total += time.perf_counter() - start
    if status:
        print("failed")
        sys.exit(0)
print("%.3f" % (total / runs))
PY
    fi
}

# ratio A B: A / B with two decimals, or "-" when either is not a number.
ratio() {
    python3 -c 'import sys
try: print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))
except (ValueError, ZeroDivisionError): print("-")' "$1" "$2"
}
