# shellcheck shell=sh disable=SC2034,SC2154 # uses $root, $deja; sets kernel/initrd/deja/have_deja for the caller
# Shared by the guest benchmarks in bench/ (sourced, not run).

# bench_guest WORK SCENARIO: sets $kernel and $initrd to a guest whose
# initramfs knows SCENARIO. The cached guest (guest/fetch-debian.sh +
# guest/build-initramfs.sh, run here when missing) is used when it has it;
# otherwise, when guest/init.sh is newer than the cache, a private
# initramfs is built into WORK from the cached packages (the shared cache
# is left alone: other runs may be replaying against it).
bench_guest() {
    bg_cache="${XDG_CACHE_HOME:-$HOME/.cache}/deja"
    if [ ! -f "$bg_cache/guest/Image" ] || [ ! -f "$bg_cache/guest/initramfs.cpio.gz" ]; then
        "$root/guest/fetch-debian.sh"
        "$root/guest/build-initramfs.sh"
    fi
    kernel="$bg_cache/guest/Image"
    initrd="$bg_cache/guest/initramfs.cpio.gz"
    if ! zcat "$initrd" | grep -aqE "^([a-z0-9|]*[|])?$2([|][a-z0-9|]*)?[)]"; then
        echo "bench: the cached initramfs has no '$2' scenario; building a private one"
        mkdir -p "$1/cache/deja"
        ln -s "$bg_cache/rootfs-kernel" "$1/cache/deja/rootfs-kernel"
        ln -s "$bg_cache/rootfs-busybox" "$1/cache/deja/rootfs-busybox"
        XDG_CACHE_HOME="$1/cache" "$root/guest/build-initramfs.sh" >/dev/null
        kernel="$1/cache/deja/guest/Image"
        initrd="$1/cache/deja/guest/initramfs.cpio.gz"
    fi
}

# private_deja WORK: copies $deja into WORK (teammates rebuild build/ while
# a benchmark runs) and points $deja at the copy, with have_deja=1;
# have_deja=0 and a message when $deja is not built.
private_deja() {
    have_deja=0
    if [ -x "$deja" ]; then
        cp "$deja" "$1/deja" && deja="$1/deja" && have_deja=1
    else
        echo "bench: $deja not built; timing QEMU only"
    fi
    return 0 # a failed copy leaves have_deja=0 under set -e too
}

# calc EXPRESSION NUMBER...: a python expression over a[] (the numbers as
# floats); "-" when one is not a number.
calc() {
    calc_expression="$1"
    shift
    python3 -c "import sys
try:
    a = [float(x) for x in sys.argv[1:]]
    print($calc_expression)
except (ValueError, ZeroDivisionError):
    print('-')" "$@"
}
load() { cut -d' ' -f1-3 </proc/loadavg 2>/dev/null; }
