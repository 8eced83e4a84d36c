#!/bin/sh
# Install the Debian 12 packages that building and testing deja needs.
# Idempotent: asks dpkg which packages are already installed and only runs
# apt-get (update + install) when something is missing. Runs as root, or
# through sudo when started by another user.
set -eu

packages="build-essential pkg-config libfdt-dev device-tree-compiler
gcc-riscv64-unknown-elf qemu-system-misc opensbi gdb-multiarch libzstd-dev
libxxhash-dev libslirp-dev libjansson-dev cpio xz-utils zstd hyperfine python3 qemu-utils
e2fsprogs zlib1g-dev tshark libpng-dev libsdl2-dev libvncserver-dev xvfb xdotool"

missing=""
for package in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    case "$status" in
    *" ok installed") ;;
    *) missing="$missing $package" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "install-deps: all build dependencies are installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: not root and sudo is not available; install them as root" >&2
    exit 1
fi

echo "install-deps: installing$missing"
# tshark: answer "no" to wireshark-common's setuid question (no prompt).
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    $as_root debconf-set-selections 2>/dev/null || true
# shellcheck disable=SC2086 # word splitting of the lists is intended
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
echo "install-deps: done"
