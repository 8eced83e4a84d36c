#!/bin/bash
# deja test runner: unit tests, ISA programs on deja (against the reviewed
# expected output), the same programs on QEMU (differential, when QEMU is
# installed), the random differential test, then tests/e2e/*.sh.
#
# Tests: unit/NAME, isa/NAME (deja vs reviewed expected output),
# isa-qemu/NAME (deja vs QEMU), determinism/isa (two deja runs give the same
# bytes), diff/random, e2e/NAME.
#
# Usage: tests/run-all.sh [--no-build] [PATTERN]
#   PATTERN          run only tests whose name (e.g. unit/fpu, isa/rv64i,
#                    isa-qemu/rv64i, diff/random, e2e/boot) matches the
#                    shell glob *PATTERN*
#   --no-build       do not run make (also NO_BUILD=1)
# Environment:
#   ASAN=1           use build-asan/deja and sanitizer-built unit tests
#   DEJA=PATH        emulator under test (default build/deja, or
#                    build-asan/deja with ASAN=1); DEJA=qemu-system-riscv64
#                    validates the guest programs against QEMU alone
#   QEMU=PATH        reference emulator (default qemu-system-riscv64)
#   TEST_TIMEOUT=S   per-test time limit in seconds (default 60)
#   DIFF_SEEDS=N     seeds for the random differential test (default 20)
# Prints one line per test and ends with "N passed, N failed[, N skipped]";
# exits nonzero if any test failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
. tests/lib/common.sh

build=1
pattern=
for arg in "$@"; do
    case $arg in
    --no-build) build=0 ;;
    -h | --help)
        sed -n '2,/^set -u$/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *) pattern=$arg ;;
    esac
done
[ "${NO_BUILD:-0}" = 1 ] && build=0

if [ "${ASAN:-0}" = 1 ]; then
    builddir=build-asan
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
    builddir=build
fi
deja=${DEJA:-$builddir/deja}
qemu=${QEMU:-qemu-system-riscv64}
limit=${TEST_TIMEOUT:-60}
work=$(mktemp -d "${TMPDIR:-/tmp}/deja-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
selected() { [ -z "$pattern" ] || [[ $1 == *$pattern* ]]; }

# ---- build ----
if [ $build = 1 ]; then
    if [ "${ASAN:-0}" = 1 ]; then
        make_args=(BUILD=build-asan OPT=-O1
            "SANITIZE=-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined")
    else
        make_args=()
    fi
    if ! make -s -j"$(nproc)" "${make_args[@]}" all >"$work/make.log" 2>&1; then
        fail build "make failed (last lines below)"
        tail -n 20 "$work/make.log" | sed 's/^/    /'
    fi
    if ! make -s -j"$(nproc)" "${make_args[@]}" unit >"$work/make-unit.log" 2>&1; then
        fail build-unit "make unit failed (last lines below)"
        tail -n 20 "$work/make-unit.log" | sed 's/^/    /'
    fi
fi
# ISA programs: built whenever the cross compiler exists; a program that
# fails to build fails its tests (make -k builds the others).
isa_built=0
if command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
    isa_built=1
    if ! make -s -k -C tests/isa O="$root/build/isa" >"$work/make-isa.log" 2>&1; then
        fail build-isa "building the ISA programs failed (last lines below)"
        tail -n 20 "$work/make-isa.log" | sed 's/^/    /'
    fi
fi

# ---- unit tests ----
for bin in "$builddir"/tests/unit/*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    name=unit/$(basename "$bin")
    selected "$name" || continue
    timeout --kill-after=5 "$limit" "$bin" >"$work/unit.out" 2>&1
    rc=$?
    if [ $rc = 0 ]; then
        pass "$name"
    elif [ $rc = 124 ]; then
        fail "$name" "timed out after ${limit}s"
    else
        fail "$name" "exit status $rc; $(tail -n 3 "$work/unit.out" | tr '\n' ' ')"
    fi
done

# ---- ISA programs ----
# isa/NAME: the program on deja, output compared with the reviewed
# tests/isa/expected/NAME.out and exit status 0.
# isa-qemu/NAME: the same program on QEMU, its output compared line by line
# with deja's (differential); [impl] lines are skipped everywhere.
run_isa() { # TESTNAME EMULATOR ELF EXPECTED OUT
    local name=$1 emu=$2 elf=$3 expected=$4 out=$5 rc why
    run_guest "$emu" "$elf" "$out" "$limit"
    rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        fail "$name" "timed out after ${limit}s; last output: $(tail -n 1 "$out")"
        return
    fi
    if [ ! -f "$expected" ]; then
        fail "$name" "no expected output file $expected"
        return
    fi
    if ! why=$(first_difference "$expected" "$out"); then
        fail "$name" "output differs from $(basename "$expected") at $why (exit status $rc)"
        return
    fi
    if [ $rc != 0 ]; then
        fail "$name" "exit status $rc; $(tail -n 2 "$out.err" | tr '\n' ' ')"
        return
    fi
    pass "$name"
}

isa_names=()
for src in tests/isa/*.c; do
    [ -f "$src" ] && isa_names+=("$(basename "$src" .c)")
done
deja_found=0
if [ -x "$deja" ] || command -v "$deja" >/dev/null 2>&1; then
    deja_found=1
fi
deja_is_qemu=0
[ "$(basename "$deja")" = "$(basename "$qemu")" ] && deja_is_qemu=1
for n in "${isa_names[@]}"; do
    name=isa/$n
    selected "$name" || continue
    if [ $isa_built = 0 ]; then
        skip "$name" "riscv64-unknown-elf-gcc not installed"
    elif [ ! -f "build/isa/$n.elf" ] || [ "tests/isa/$n.c" -nt "build/isa/$n.elf" ]; then
        fail "$name" "program build/isa/$n.elf did not build"
    elif [ $deja_found = 0 ]; then
        fail "$name" "emulator $deja not found"
    else
        run_isa "$name" "$deja" "build/isa/$n.elf" "tests/isa/expected/$n.out" "$work/deja-$n.out"
    fi
done
for n in "${isa_names[@]}"; do
    name=isa-qemu/$n
    selected "$name" || continue
    if [ $isa_built = 0 ]; then
        skip "$name" "riscv64-unknown-elf-gcc not installed"
    elif ! have_qemu; then
        skip "$name" "qemu-system-riscv64 not installed"
    elif [ $deja_is_qemu = 1 ]; then
        skip "$name" "DEJA is QEMU"
    elif [ ! -f "build/isa/$n.elf" ] || [ "tests/isa/$n.c" -nt "build/isa/$n.elf" ]; then
        fail "$name" "program build/isa/$n.elf did not build"
    else
        out=$work/qemu-$n.out
        run_guest "$qemu" "build/isa/$n.elf" "$out" "$limit"
        rc=$?
        if [ $rc = 124 ] || [ $rc = 137 ]; then
            fail "$name" "QEMU timed out after ${limit}s"
        elif [ ! -f "$work/deja-$n.out" ]; then
            # deja's run was filtered out or impossible: check QEMU against
            # the expected file instead.
            if why=$(first_difference "tests/isa/expected/$n.out" "$out"); then
                pass "$name"
            else
                fail "$name" "QEMU output differs from $n.out at $why"
            fi
        elif why=$(first_difference "$out" "$work/deja-$n.out"); then
            pass "$name"
        else
            fail "$name" "deja differs from QEMU at $why"
        fi
    fi
done

# determinism/isa: deja is deterministic, so a second run of every program
# must print exactly the same bytes, [impl] and timing lines included.
name=determinism/isa
if selected "$name" && [ $deja_found = 1 ] && [ $deja_is_qemu = 0 ] && [ $isa_built = 1 ]; then
    differing=()
    for n in "${isa_names[@]}"; do
        first=$work/deja-$n.out
        [ -f "$first" ] || continue
        run_guest "$deja" "build/isa/$n.elf" "$work/again.out" "$limit"
        cmp -s "$first" "$work/again.out" || differing+=("$n")
    done
    if [ ${#differing[@]} = 0 ]; then
        pass "$name"
    else
        fail "$name" "second run printed different output for: ${differing[*]}"
    fi
fi

# ---- random differential ----
name=diff/random
if selected "$name"; then
    if ! have_qemu; then
        skip "$name" "qemu-system-riscv64 not installed"
    elif ! command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
        skip "$name" "riscv64-unknown-elf-gcc not installed"
    elif [ $deja_is_qemu = 1 ]; then
        skip "$name" "DEJA is QEMU"
    elif [ $deja_found = 0 ]; then
        fail "$name" "emulator $deja not found"
    elif why=$(DEJA=$deja QEMU=$qemu tests/diff/run.sh --seeds "${DIFF_SEEDS:-20}" 2>&1); then
        pass "$name"
    else
        fail "$name" "$(echo "$why" | grep -v '^ok ' | head -n 3 | tr '\n' ' ')"
    fi
fi

# ---- end-to-end scripts ----
for script in tests/e2e/*.sh; do
    [ -f "$script" ] || continue
    name=e2e/$(basename "$script" .sh)
    selected "$name" || continue
    DEJA=$deja timeout --kill-after=5 "${E2E_TIMEOUT:-300}" bash "$script" >"$work/e2e.out" 2>&1
    rc=$?
    case $rc in
    0) pass "$name" ;;
    77) skip "$name" "$(tail -n 1 "$work/e2e.out")" ;;
    124) fail "$name" "timed out" ;;
    *)
        fail "$name" "exit status $rc; $(grep -m 5 '^FAIL' "$work/e2e.out" | tr '\n' ' ')$(tail -n 3 "$work/e2e.out" | tr '\n' ' ')"
        # The failing script's own output (its last 60 lines), so that a CI
        # log says which check failed and why.
        tail -n 60 "$work/e2e.out" | sed 's/^/    | /'
        ;;
    esac
done

summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ $failed = 0 ]
