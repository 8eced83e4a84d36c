#!/bin/sh
# Disks and virtio-rng with the Debian guest (scenario "disk" of
# guest/init.sh): an ext4 image built on the host (mkfs.ext4 -d) is
# mounted by the guest, which prints the md5 of its files and writes one.
#  - plain run: the write reaches the image file;
#  - -snapshot: the image file is unchanged;
#  - qcow2 over the raw image, and a compressed qcow2 (qemu-img convert -c):
#    same checksums, files unchanged;
#  - record + replay with blkreplay and virtio-rng: identical console
#    output (file checksums, the md5 of 64 bytes of /dev/hwrng), "end state
#    matches", and the image byte-identical to its pristine copy;
#  - record without blkreplay is refused; replay with another image fails
#    naming the drive.
# Exit 0 pass, 1 fail, 77 skip (no guest or no mkfs.ext4).
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
GUEST=${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest
[ -r "$GUEST/Image" ] && [ -r "$GUEST/initramfs.cpio.gz" ] || { echo "skip: no guest in $GUEST"; exit 77; }
MKFS=$(command -v mkfs.ext4 || echo /sbin/mkfs.ext4)
[ -x "$MKFS" ] || { echo "skip: no mkfs.ext4 (e2fsprogs)"; exit 77; }
grep -q ext4 "$GUEST/manifest" 2>/dev/null || { echo "skip: guest without ext4 (run guest/build-initramfs.sh)"; exit 77; }
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/block-linux.XXXXXX) # private: runs may overlap
mkdir -p "$OUT/files/sub"
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

echo "hello from the host" > "$OUT/files/hello.txt"
seq 1 30000 > "$OUT/files/sub/seq.txt"
"$MKFS" -q -F -d "$OUT/files" "$OUT/pristine.img" 8M >/dev/null 2>&1 || { echo "skip: mkfs.ext4 -d failed"; exit 77; }
expect_hello=$(md5sum < "$OUT/files/hello.txt" | cut -d ' ' -f 1)
expect_seq=$(md5sum < "$OUT/files/sub/seq.txt" | cut -d ' ' -f 1)

set -- -M virt -m 256M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=disk"
guest_ok() { # output file
    grep -q "disk: md5 $expect_hello  ./hello.txt" "$1" &&
        grep -q "disk: md5 $expect_seq  ./sub/seq.txt" "$1" && grep -q "disk: unmounted" "$1"
}

# Plain run: the guest's write lands in the file.
cp "$OUT/pristine.img" "$OUT/plain.img"
timeout 100 "$DEJA" "$@" -drive file=$OUT/plain.img,format=raw,if=none,id=d0 \
    -device virtio-blk-device,drive=d0 -serial file:$OUT/plain.out </dev/null 2>$OUT/plain.err
status=$?
if [ $status -eq 0 ] && guest_ok $OUT/plain.out && ! cmp -s $OUT/pristine.img $OUT/plain.img; then
    ok plain-run
else
    bad "plain-run: status $status"; grep "disk:" $OUT/plain.out; cat $OUT/plain.err
fi
if command -v debugfs >/dev/null 2>&1 || [ -x /sbin/debugfs ]; then
    DEBUGFS=$(command -v debugfs || echo /sbin/debugfs)
    if "$DEBUGFS" -R "cat /written.txt" $OUT/plain.img 2>/dev/null | grep -q "written by the guest"; then
        ok plain-run-file-written
    else
        bad "plain-run: written.txt not in the image"
    fi
fi

# -snapshot (if=virtio, probed format): the file stays pristine.
cp "$OUT/pristine.img" "$OUT/snap.img"
timeout 100 "$DEJA" "$@" -drive file=$OUT/snap.img,if=virtio -snapshot -serial file:$OUT/snap.out \
    </dev/null 2>$OUT/snap.err
status=$?
if [ $status -eq 0 ] && guest_ok $OUT/snap.out && cmp -s $OUT/pristine.img $OUT/snap.img &&
    grep -q "WARNING: Image format was not specified for '$OUT/snap.img' and probing guessed raw." $OUT/snap.err; then
    ok snapshot
else
    bad "snapshot: status $status"; grep "disk:" $OUT/snap.out; cat $OUT/snap.err
fi

# qcow2 over the raw image (when qemu-img is installed), snapshot=on:
# neither file changes.
if command -v qemu-img >/dev/null 2>&1; then
    qemu-img create -q -f qcow2 -F raw -b pristine.img $OUT/over.qcow2 &&
        cp $OUT/over.qcow2 $OUT/over.qcow2.orig
    timeout 100 "$DEJA" "$@" -drive file=$OUT/over.qcow2,format=qcow2,if=none,id=q0,snapshot=on \
        -device virtio-blk-device,drive=q0 -serial file:$OUT/qcow2.out </dev/null 2>$OUT/qcow2.err
    status=$?
    if [ $status -eq 0 ] && guest_ok $OUT/qcow2.out && cmp -s $OUT/over.qcow2 $OUT/over.qcow2.orig &&
        grep -q "disk: wrote" $OUT/qcow2.out; then
        ok qcow2-snapshot
    else
        bad "qcow2-snapshot: status $status"; grep "disk:" $OUT/qcow2.out; cat $OUT/qcow2.err
    fi
    # Compressed clusters (qemu-img convert -c): same checksums in the guest.
    qemu-img convert -c -O qcow2 $OUT/pristine.img $OUT/packed.qcow2
    timeout 100 "$DEJA" "$@" -drive file=$OUT/packed.qcow2,format=qcow2,if=none,id=c0,snapshot=on \
        -device virtio-blk-device,drive=c0 -serial file:$OUT/packed.out </dev/null 2>$OUT/packed.err
    status=$?
    if [ $status -eq 0 ] && guest_ok $OUT/packed.out && ! grep -q warning $OUT/packed.err; then
        ok qcow2-compressed
    else
        bad "qcow2-compressed: status $status"; grep "disk:" $OUT/packed.out; cat $OUT/packed.err
    fi
fi

# Record without blkreplay: refused, showing the blkreplay line.
cp "$OUT/pristine.img" "$OUT/rr.img"
"$DEJA" "$@" -drive file=$OUT/rr.img,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -icount shift=2,rr=record,rrfile=$OUT/refused.rr -serial null </dev/null 2>$OUT/refused.err
status=$?
if [ $status -eq 1 ] && grep -q "driver=blkreplay,if=none,image=d0" $OUT/refused.err; then
    ok record-refuses-plain-drive
else
    bad "record-refuses-plain-drive: status $status"; cat $OUT/refused.err
fi

# Record + replay through blkreplay, with virtio-rng.
timeout 150 "$DEJA" "$@" -drive file=$OUT/rr.img,format=raw,if=none,id=d0 \
    -drive driver=blkreplay,if=none,image=d0,id=d0-rr -device virtio-blk-device,drive=d0-rr \
    -device virtio-rng-device -icount shift=2,rr=record,rrfile=$OUT/disk.rr \
    -serial file:$OUT/record.out </dev/null 2>$OUT/record.err
status=$?
if [ $status -eq 0 ] && guest_ok $OUT/record.out && grep -q "disk: hwrng md5 " $OUT/record.out &&
    cmp -s $OUT/pristine.img $OUT/rr.img; then
    ok record
else
    bad "record: status $status"; grep "disk:" $OUT/record.out; cat $OUT/record.err
fi
timeout 150 "$DEJA" "$@" -drive file=$OUT/rr.img,format=raw,if=none,id=d0 \
    -drive driver=blkreplay,if=none,image=d0,id=d0-rr -device virtio-blk-device,drive=d0-rr \
    -device virtio-rng-device -icount shift=2,rr=replay,rrfile=$OUT/disk.rr \
    -serial file:$OUT/replay.out </dev/null 2>$OUT/replay.err
status=$?
if [ $status -eq 0 ] && grep -q "end state matches the recording" $OUT/replay.err &&
    cmp -s $OUT/record.out $OUT/replay.out && cmp -s $OUT/pristine.img $OUT/rr.img; then
    ok "replay (same console, same hwrng bytes, image untouched)"
else
    bad "replay: status $status"; cat $OUT/replay.err; cmp $OUT/record.out $OUT/replay.out
fi

# Replay with another image: refused before running, naming the drive.
cp "$OUT/pristine.img" "$OUT/other.img"
printf 'x' | dd of=$OUT/other.img bs=1 seek=70000 conv=notrunc 2>/dev/null
"$DEJA" "$@" -drive file=$OUT/other.img,format=raw,if=none,id=d0 \
    -drive driver=blkreplay,if=none,image=d0,id=d0-rr -device virtio-blk-device,drive=d0-rr \
    -device virtio-rng-device -icount shift=2,rr=replay,rrfile=$OUT/disk.rr \
    -serial null </dev/null 2>$OUT/other.err
status=$?
if [ $status -eq 1 ] && grep -q "replay: drive:d0 differs from the recording" $OUT/other.err; then
    ok replay-refuses-other-image
else
    bad "replay-refuses-other-image: status $status"; cat $OUT/other.err
fi
[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
