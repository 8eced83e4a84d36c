# Sourced by the end-to-end scripts in tests/e2e/ after they cd to the top
# of the tree: the deja binary to test, the Linux guest's folder, the
# ok/bad/skip reporting every script uses, and prerequisite checks that
# skip (exit 77, which tests/run-all.sh counts as skipped) with a reason.
DEJA=${DEJA:-build/deja}
GUEST=${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
skip() { echo "skip: $*"; exit 77; }

# The Debian test guest (guest/fetch-debian.sh, guest/build-initramfs.sh).
need_guest() {
    [ -r "$GUEST/Image" ] && [ -r "$GUEST/initramfs.cpio.gz" ] ||
        skip "no guest in $GUEST (run guest/fetch-debian.sh and guest/build-initramfs.sh)"
}

# need_cmd COMMAND [WHY]: a host tool the test drives.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || skip "no $1${2:+ ($2)}"
}

# out_dir NAME: a folder under build/tests/e2e for this script's files.
out_dir() {
    OUT=build/tests/e2e/$1
    mkdir -p "$OUT"
}
