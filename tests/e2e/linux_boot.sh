#!/bin/sh
# Boots the Debian Linux test guest (guest/fetch-debian.sh +
# guest/build-initramfs.sh) to its "smoke" scenario with one and with four
# harts and checks what the guest printed: ISA and MMU from /proc/cpuinfo,
# nproc, an md5 computed in the guest (exercises the CPU for a while), the
# RTC date, and a clean poweroff (exit status 0). Exit 77 without the guest.
set -u
cd "$(dirname "$0")/../.." || exit 2
DEJA=${DEJA:-build/deja}
# A sanitizer build (ASAN=1 tests/run-all.sh) boots Linux ~5x slower.
case $DEJA in *asan*) limit=250 ;; *) limit=50 ;; esac
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"
if [ ! -f "$guest/Image" ] || [ ! -f "$guest/initramfs.cpio.gz" ]; then
    echo "no Linux guest in $guest (run guest/fetch-debian.sh and guest/build-initramfs.sh)"
    exit 77
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/deja-linux-boot.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
year=$(date -u +%Y)

boot_smoke() { # HARTS
    harts=$1
    log=$out/smp$harts.log
    timeout "$limit" "$DEJA" -M virt -m 512M -smp "$harts" -nographic -kernel "$guest/Image" \
        -initrd "$guest/initramfs.cpio.gz" -append "console=ttyS0 deja.scenario=smoke" \
        </dev/null >"$log.raw" 2>&1
    status=$?
    tr -d '\r' <"$log.raw" >"$log"
    problems=""
    for want in '^smoke: cpu: rv64imafdc' '^smoke: mmu: sv' "^smoke: nproc: $harts\$" \
        '^smoke: md5 of seq 1 100000: dea9193b768319cbb4ff1a137ac03113$' \
        "^smoke: date: $year-[0-9][0-9]-[0-9][0-9] [0-9:]* UTC" '^smoke: done' \
        'reboot: Power down'; do
        grep -q -- "$want" "$log" || problems="$problems; lacks '$want'"
    done
    [ "$status" = 0 ] || problems="$problems; exit status $status"
    if [ -n "$problems" ]; then
        echo "FAIL smoke -smp $harts$problems"
        tail -n 15 "$log" | sed 's/^/    /'
        fail=1
    else
        echo "ok   smoke -smp $harts"
    fi
}

boot_smoke 1
boot_smoke 4
exit $fail
