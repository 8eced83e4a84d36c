#!/bin/sh
# Build deja's test guest from what guest/fetch-debian.sh fetched:
#   $CACHE/guest/Image               the Debian kernel, uncompressed RISC-V Image
#   $CACHE/guest/initramfs.cpio.gz   busybox + virtio modules + guest/init.sh as /init
#   $CACHE/guest/manifest            versions, module list, sha256 of both files
# where CACHE = ${XDG_CACHE_HOME:-~/.cache}/deja. The initramfs is
# reproducible: the same packages give the same bytes.
# Safe to run again: rebuilds only when an input is newer than the output.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/deja"
kernel_root="$cache/rootfs-kernel"
busybox_root="$cache/rootfs-busybox"
out="$cache/guest"

# Drivers the virt board's devices need, by module name; missing ones are
# skipped (they may be built in). Dependencies are added from each module's
# modinfo "depends=" field.
wanted_modules="virtio_mmio virtio_blk virtio_net virtio_rng virtio_input virtio_gpu
virtio_snd evdev crc32c_generic ext4"

say() { echo "build-initramfs: $*"; }
die() { echo "build-initramfs: error: $*" >&2; exit 1; }

[ -f "$kernel_root/.extracted" ] && [ -f "$busybox_root/.extracted" ] ||
    die "run guest/fetch-debian.sh first"
busybox="$busybox_root/usr/bin/busybox"
[ -f "$busybox" ] || busybox="$busybox_root/bin/busybox"
[ -f "$busybox" ] || die "no busybox binary in $busybox_root"
kernel_file=$(ls "$kernel_root"/boot/vmlinu[xz]-* | head -n 1)
version=${kernel_file##*/vmlinu?-}
modules_dir="$kernel_root/usr/lib/modules/$version"
[ -d "$modules_dir" ] || modules_dir="$kernel_root/lib/modules/$version"
[ -d "$modules_dir" ] || die "no modules directory for kernel $version"

mkdir -p "$out"
if [ -f "$out/initramfs.cpio.gz" ] && [ -f "$out/Image" ] && [ -f "$out/manifest" ] &&
    [ "$out/manifest" -nt "$kernel_root/.extracted" ] &&
    [ "$out/manifest" -nt "$busybox_root/.extracted" ] &&
    [ "$out/manifest" -nt "$here/init.sh" ] && [ "$out/manifest" -nt "$0" ] &&
    [ "$out/manifest" -nt "$here/mkcpio.py" ]; then
    say "up to date: $out"
    exit 0
fi

# The kernel: Debian's riscv64 vmlinux-* is already a flat Image (an EFI/PE
# stub header with "RISCV" at 0x30); accept gzip and ELF too in case that changes.
magic=$(od -A n -t x1 -N 4 "$kernel_file" | tr -d ' \n')
case "$magic" in
1f8b*) gzip -dc "$kernel_file" >"$out/Image.tmp" ;;
7f454c46) riscv64-unknown-elf-objcopy -O binary "$kernel_file" "$out/Image.tmp" ;;
*) cp "$kernel_file" "$out/Image.tmp" ;;
esac
image_magic=$(od -A n -c -j 48 -N 5 "$out/Image.tmp" | tr -d ' \n')
[ "$image_magic" = "RISCV" ] || die "$kernel_file does not look like a RISC-V Image"
mv "$out/Image.tmp" "$out/Image"

# Index every module file by its module name (dashes and underscores are the same).
index="$out/modules.index"
(cd "$modules_dir" && find kernel -name '*.ko*') | while read -r path; do
    name=${path##*/}
    name=${name%%.ko*}
    echo "$(echo "$name" | tr - _) $path"
done | sort >"$index"

module_path() { awk -v name="$1" '$1 == name { print $2; exit }' "$index"; }
module_depends() { # path -> names it depends on
    case "$1" in
    *.xz) xz -dc "$modules_dir/$1" ;;
    *.zst) zstd -dc "$modules_dir/$1" ;;
    *.gz) gzip -dc "$modules_dir/$1" ;;
    *) cat "$modules_dir/$1" ;;
    esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1 | tr ',-' ' _'
}

# Depth-first, dependencies before dependants: the order /init loads them in.
order=""
visit() {
    case " $order " in *" $1 "*) return ;; esac
    path=$(module_path "$1")
    if [ -z "$path" ]; then
        if grep -q "/$1.ko\$\|/$(echo "$1" | tr _ -).ko\$" "$modules_dir/modules.builtin" 2>/dev/null; then
            say "module $1 is built into the kernel"
        else
            say "warning: module $1 not found"
        fi
        return
    fi
    for dependency in $(module_depends "$path"); do
        visit "$dependency"
    done
    order="$order $1"
}
for module in $wanted_modules; do
    visit "$module"
done

staging="$out/staging"
rm -rf "$staging"
mkdir -p "$staging/bin" "$staging/etc" "$staging/lib/modules" "$staging/dev" \
    "$staging/proc" "$staging/sys" "$staging/tmp" "$staging/root"
cp "$busybox" "$staging/bin/busybox"
chmod 755 "$staging/bin/busybox"
ln -s busybox "$staging/bin/sh"
cp "$here/init.sh" "$staging/init"
chmod 755 "$staging/init"
: >"$staging/etc/deja-modules"
for module in $order; do
    path=$(module_path "$module")
    plain=${path##*/}
    plain=${plain%.xz}
    plain=${plain%.zst}
    plain=${plain%.gz}
    # Decompressed, so busybox insmod needs no decompressor in the guest.
    case "$path" in
    *.xz) xz -dc "$modules_dir/$path" ;;
    *.zst) zstd -dc "$modules_dir/$path" ;;
    *.gz) gzip -dc "$modules_dir/$path" ;;
    *) cat "$modules_dir/$path" ;;
    esac >"$staging/lib/modules/$plain"
    echo "$plain" >>"$staging/etc/deja-modules"
done
echo "deja test initramfs, kernel $version" >"$staging/etc/issue"
# Reproducible mtimes do not matter for newc (mkcpio writes 0) but permissions do.
python3 "$here/mkcpio.py" "$staging" --char dev/console:600:5:1 --char dev/null:666:1:3 |
    gzip -n -9 >"$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
rm -rf "$staging" "$index"

{
    echo "kernel_package $(cat "$cache/kernel-package" 2>/dev/null || echo unknown)"
    echo "kernel_version $version"
    echo "busybox_deb $(cat "$busybox_root/.extracted")"
    echo "modules$order"
    (cd "$out" && sha256sum Image initramfs.cpio.gz) | awk '{ print "sha256 " $2 " " $1 }'
} >"$out/manifest"
say "built $out/Image and $out/initramfs.cpio.gz"
cat "$out/manifest"
