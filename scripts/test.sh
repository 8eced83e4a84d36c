#!/bin/sh
# The whole test suite, as CI runs it (.ci/run):
#   1. install the build dependencies (scripts/install-deps.sh)
#   2. fetch and build the Linux test guest (best effort; tests that need it
#      skip when it is missing); DEJA_NO_GUEST=1 skips this step
#   3. make, make unit, then tests/run-all.sh (all tests, optimised build)
#   4. second pass under AddressSanitizer + UBSan (make asan): the unit tests
#      and the ISA programs, ASAN=1 tests/run-all.sh unit/ and isa/
# The last line printed is the combined "N passed, N failed" of all passes;
# the exit status is nonzero when a test failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
jobs=$(nproc 2>/dev/null || echo 2)
log=$(mktemp -d "${TMPDIR:-/tmp}/deja-test.XXXXXX")
trap 'rm -rf "$log"' EXIT

step() { echo; echo "==== $* ===="; }

total_passed=0
total_failed=0
total_skipped=0
# add_counts FILE: adds the "N passed, N failed[, N skipped]" last summary of a
# run-all.sh output to the totals; a run that printed none counts as one failure.
add_counts() {
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "test.sh: $2 ended without a summary line; counted as a failure"
        total_failed=$((total_failed + 1))
        return
    fi
    # shellcheck disable=SC2086 # split the summary into words on purpose
    set -- $summary
    total_passed=$((total_passed + $1))
    total_failed=$((total_failed + $3))
    case "$summary" in
    *skipped*) total_skipped=$((total_skipped + $5)) ;;
    esac
}

step "dependencies"
if ! scripts/install-deps.sh; then
    echo "test.sh: installing dependencies failed; continuing with what is installed"
fi

if [ "${DEJA_NO_GUEST:-0}" != 1 ]; then
    step "Linux test guest"
    if guest/fetch-debian.sh && guest/build-initramfs.sh; then
        :
    else
        echo "test.sh: could not build the Linux guest; tests needing it will skip"
    fi
fi

step "build (make, make unit)"
# A build failure is reported (and counted) by run-all.sh below.
make -j"$jobs" all || echo "test.sh: make failed"
make -j"$jobs" unit || echo "test.sh: make unit failed"

if [ ! -x tests/run-all.sh ]; then
    echo "test.sh: tests/run-all.sh is missing"
    echo "0 passed, 1 failed"
    exit 1
fi

step "tests (optimised build)"
tests/run-all.sh 2>&1 | tee "$log/main.out"
add_counts "$log/main.out" "tests/run-all.sh"

step "sanitizers (make asan; unit and ISA tests under ASan+UBSan)"
make -j"$jobs" asan || echo "test.sh: make asan failed"
ASAN=1 tests/run-all.sh unit/ 2>&1 | tee "$log/asan-unit.out"
add_counts "$log/asan-unit.out" "ASAN=1 tests/run-all.sh unit/"
ASAN=1 tests/run-all.sh --no-build isa/ 2>&1 | tee "$log/asan-isa.out"
add_counts "$log/asan-isa.out" "ASAN=1 tests/run-all.sh isa/"

echo
[ "$total_skipped" -gt 0 ] && echo "($total_skipped skipped)"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
