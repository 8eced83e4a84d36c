#!/bin/sh
# savevm / loadvm / delvm with the Debian guest (docs/snapshots.md):
#  - record the "disk" scenario (blkreplay drive, the guest writes a file)
#    with the monitor on a unix socket; savevm s1 when the guest lists its
#    disks, savevm s2 once it has written the file;
#  - replay from each snapshot (-S, loadvm, cont): the output is a suffix
#    of the recording's (from the snapshot's point on), without the
#    boot lines before it, and the END digest verdict matches again;
#  - a plain run (no record/replay, "upper" scenario fed through a fifo)
#    with -snapshot-dir: savevm, more input, loadvm: the guest's line
#    counter is back; info snapshots, delvm;
#  - a corrupt snapshot and a foreign one (other -m) are refused with a
#    clear error, and loadvm without a directory names -snapshot-dir.
# Exit 0 pass, 1 fail, 77 skip (no guest, no mkfs.ext4).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
need_guest
MKFS=$(command -v mkfs.ext4 || echo /sbin/mkfs.ext4)
[ -x "$MKFS" ] || skip "no mkfs.ext4 (e2fsprogs)"
grep -q ext4 "$GUEST/manifest" 2>/dev/null || skip "guest without ext4"
need_cmd python3 "monitor client"
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/snapshot-linux.XXXXXX)
OUT=$(cd "$OUT" && pwd)

mkdir -p "$OUT/files"
echo "hello from the host" > "$OUT/files/hello.txt"
"$MKFS" -q -F -d "$OUT/files" "$OUT/disk.img" 8M >/dev/null 2>&1 || skip "mkfs.ext4 -d failed"

# Monitor client: python3 mon.py SOCKET [wait:FILE:TEXT | COMMAND]...
# wait:FILE:TEXT waits (60 s max) until FILE contains TEXT; send:FILE:TEXT
# writes a line to FILE (a fifo); other arguments are monitor commands,
# whose output goes to stdout.
cat > "$OUT/mon.py" <<'EOF'
import socket, sys, time
path = sys.argv[1]
s = None
for _ in range(600):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(path); break
    except OSError:
        s = None; time.sleep(0.05)
if s is None:
    sys.exit("cannot connect to " + path)
s.settimeout(120)
buf = b""
def prompt():
    global buf
    while b"(deja) " not in buf:
        d = s.recv(65536)
        if not d:
            raise SystemExit("monitor closed")
        buf += d
    out, _, buf = buf.partition(b"(deja) ")
    return out.decode(errors="replace")
prompt()
for a in sys.argv[2:]:
    if a.startswith("send:"):
        _, f, text = a.split(":", 2)
        with open(f, "w") as w:
            w.write(text + "\n")
        continue
    if a.startswith("wait:"):
        _, f, text = a.split(":", 2)
        for _ in range(1200):
            try:
                if text in open(f, errors="replace").read():
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            sys.exit("timeout waiting for %r in %s" % (text, f))
        continue
    s.sendall(a.encode() + b"\n")
    sys.stdout.write(prompt().replace("\r", ""))
    sys.stdout.flush()
EOF

set -- -M virt -m 256M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=disk deja.hold=1" -drive file=$OUT/disk.img,format=raw,if=none,id=d0 \
    -drive driver=blkreplay,if=none,image=d0,id=d0-rr -device virtio-blk-device,drive=d0-rr
RR=$OUT/disk.rr

# Record, two snapshots through the monitor. deja.hold=1 keeps the guest
# waiting for a console line after it wrote its file, so that s2 is taken
# there however slow the host is; the line comes through a fifo (and is
# recorded like any serial input).
mkfifo $OUT/record.fifo
timeout 150 "$DEJA" "$@" -icount shift=2,rr=record,rrfile=$RR -serial stdio \
    -monitor unix:$OUT/rec.sock,server,nowait <$OUT/record.fifo >$OUT/record.out 2>$OUT/record.err &
pid=$!
exec 4>$OUT/record.fifo
timeout 140 python3 $OUT/mon.py $OUT/rec.sock "wait:$OUT/record.out:disk: block devices" "savevm s1" \
    "wait:$OUT/record.out:disk: holding" "savevm s2" "send:$OUT/record.fifo:go" "info snapshots" \
    >$OUT/rec.mon 2>&1
wait $pid
status=$?
exec 4>&-
if [ $status -eq 0 ] && grep -q "disk: done" $OUT/record.out && [ -f $RR.snapshots/s1.snap ] &&
    [ -f $RR.snapshots/s2.snap ] && grep -q "s1 " $OUT/rec.mon && grep -q "s2 " $OUT/rec.mon &&
    ! grep -q Error $OUT/rec.mon; then
    ok record-savevm
else
    bad "record-savevm: status $status"; cat $OUT/rec.mon $OUT/record.err
fi

# Replay from each snapshot.
for snap in s1 s2; do
    timeout 100 "$DEJA" "$@" -icount shift=2,rr=replay,rrfile=$RR -serial file:$OUT/$snap.out \
        -S -monitor unix:$OUT/$snap.sock,server,nowait </dev/null 2>$OUT/$snap.err &
    pid=$!
    timeout 90 python3 $OUT/mon.py $OUT/$snap.sock "loadvm $snap" "info replay" "cont" >$OUT/$snap.mon 2>&1
    wait $pid
    status=$?
    full=$(wc -c < $OUT/record.out)
    part=$(wc -c < $OUT/$snap.out)
    if [ $status -eq 0 ] && [ "$part" -gt 0 ] && [ "$part" -lt "$full" ] &&
        tail -c "$part" $OUT/record.out | cmp -s - $OUT/$snap.out &&
        ! grep -q "Linux version" $OUT/$snap.out && grep -q "disk: done" $OUT/$snap.out &&
        grep -q "end state matches" $OUT/$snap.err && ! grep -q Error $OUT/$snap.mon; then
        ok "replay-from-$snap"
    else
        bad "replay-from-$snap: status $status, $part of $full bytes"
        cat $OUT/$snap.mon; tail -5 $OUT/$snap.err
    fi
done

# A corrupt snapshot and a foreign one (another -m) are refused.
cp $RR.snapshots/s1.snap $RR.snapshots/bad.snap
printf 'XXXX' | dd of=$RR.snapshots/bad.snap bs=1 seek=100000 conv=notrunc 2>/dev/null
timeout 60 "$DEJA" "$@" -icount shift=2,rr=replay,rrfile=$RR -serial null -S \
    -monitor unix:$OUT/bad.sock,server,nowait </dev/null 2>$OUT/bad.err &
pid=$!
timeout 50 python3 $OUT/mon.py $OUT/bad.sock "loadvm bad" "loadvm nosuch" "quit" >$OUT/bad.mon 2>&1
wait $pid
if grep -q "Error: loadvm: .*bad.snap.*corrupt (checksum mismatch)" $OUT/bad.mon &&
    grep -q "snapshot 'nosuch' does not exist" $OUT/bad.mon; then
    ok corrupt-refused
else
    bad corrupt-refused; cat $OUT/bad.mon
fi

# Outside record/replay, the "upper" scenario (numbers and upper-cases
# console lines) with -snapshot-dir: savevm after line 1, loadvm after
# line 2: the next line is numbered 2 again.
SD=$OUT/plain-snaps
mkfifo $OUT/plain.fifo
timeout 100 "$DEJA" -M virt -m 256M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=upper" -snapshot-dir $SD -serial stdio \
    -monitor unix:$OUT/plain.sock,server,nowait <$OUT/plain.fifo >$OUT/plain.out 2>$OUT/plain.err &
pid=$!
exec 3>$OUT/plain.fifo
timeout 90 python3 $OUT/mon.py $OUT/plain.sock "wait:$OUT/plain.out:upper: ready" \
    "send:$OUT/plain.fifo:one" "wait:$OUT/plain.out:upper 1: ONE" "savevm p1" \
    "send:$OUT/plain.fifo:two" "wait:$OUT/plain.out:upper 2: TWO" "savevm p2" "info snapshots" \
    "delvm p2" "delvm p2" "loadvm p1" "send:$OUT/plain.fifo:three" \
    "wait:$OUT/plain.out:upper 2: THREE" "quit" >$OUT/plain.mon 2>&1
exec 3>&-
wait $pid
if grep -q "upper 2: THREE" $OUT/plain.out && ! grep -q "upper 3" $OUT/plain.out &&
    grep -q "p1 " $OUT/plain.mon && grep -q "p2 " $OUT/plain.mon && [ -f $SD/p1.snap ] &&
    [ ! -f $SD/p2.snap ] && grep -q "snapshot 'p2' does not exist" $OUT/plain.mon; then
    ok plain-savevm-loadvm
else
    bad "plain-savevm-loadvm"; cat $OUT/plain.mon $OUT/plain.err; grep upper $OUT/plain.out
fi

# Foreign: the same snapshot directory with -m 128M.
timeout 60 "$DEJA" -M virt -m 128M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=upper" -snapshot-dir $SD -serial null -S -monitor unix:$OUT/foreign.sock,server,nowait </dev/null 2>$OUT/foreign.err &
pid=$!
timeout 50 python3 $OUT/mon.py $OUT/foreign.sock "loadvm p1" "quit" >$OUT/foreign.mon 2>&1
wait $pid
if grep -q "Error: loadvm: snapshot 'p1' belongs to a different machine: snapshot has 'ram=268435456', this machine has 'ram=134217728'" $OUT/foreign.mon; then
    ok foreign-refused
else
    bad foreign-refused; cat $OUT/foreign.mon
fi

# No directory at all: the message names the option.
timeout 60 "$DEJA" -M virt -m 64M -nographic -bios none -serial null -S \
    -monitor unix:$OUT/nodir.sock,server,nowait </dev/null 2>/dev/null &
pid=$!
timeout 50 python3 $OUT/mon.py $OUT/nodir.sock "savevm x" "quit" >$OUT/nodir.mon 2>&1
wait $pid
if grep -q "give one with -snapshot-dir DIR" $OUT/nodir.mon; then
    ok no-directory
else
    bad no-directory; cat $OUT/nodir.mon
fi

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
