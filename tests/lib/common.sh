# Shell helpers shared by tests/run-all.sh, tests/diff/ and tests/lib/ scripts.
# Source this file; it defines functions only.

# run_guest EMULATOR ELF OUTFILE [TIMEOUT]: runs a bare-metal program on a
# QEMU-command-line-compatible emulator (deja or qemu-system-riscv64) and
# writes its console output to OUTFILE. Returns the emulator's exit status
# (124 on timeout). Extra emulator options may be given in GUEST_EXTRA_ARGS.
run_guest() {
    local emu=$1 elf=$2 out=$3 limit=${4:-60}
    # shellcheck disable=SC2086
    timeout --kill-after=5 "$limit" "$emu" -M virt -m 128M -nographic -bios none \
        -kernel "$elf" ${GUEST_EXTRA_ARGS:-} </dev/null >"$out.raw" 2>"$out.err"
    local rc=$?
    # Console output may carry CRs; keep the text only.
    tr -d '\r' <"$out.raw" >"$out"
    rm -f "$out.raw"
    return $rc
}

# strip_impl FILE: prints FILE without lines marked [impl] (values that are
# legitimately implementation-specific and so not compared).
strip_impl() {
    grep -v '^\[impl\]' "$1" || true
}

# first_difference A B: prints "line N: expected '...' got '...'" for the
# first differing line of two files with [impl] lines removed; returns 0 if
# they are equal.
first_difference() {
    local a b
    a=$(mktemp) b=$(mktemp)
    strip_impl "$1" >"$a"
    strip_impl "$2" >"$b"
    if cmp -s "$a" "$b"; then
        rm -f "$a" "$b"
        return 0
    fi
    awk 'NR==FNR { want[FNR] = $0; n = FNR; next }
         { got[FNR] = $0; m = FNR }
         END {
             max = n > m ? n : m
             for (i = 1; i <= max; i++)
                 if (want[i] != got[i] || (i > n) != (i > m)) {
                     printf "line %d: expected \"%s\" got \"%s\"\n", i,
                            (i <= n ? want[i] : "<end>"), (i <= m ? got[i] : "<end>")
                     exit
                 }
         }' "$a" "$b"
    rm -f "$a" "$b"
    return 1
}

# have_qemu: true when qemu-system-riscv64 can be run.
have_qemu() {
    command -v "${QEMU:-qemu-system-riscv64}" >/dev/null 2>&1
}
