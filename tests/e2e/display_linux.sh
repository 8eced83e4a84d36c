#!/bin/sh
# virtio-gpu with the Debian guest (scenario "display" of guest/init.sh:
# fbcon on the virtio_gpu DRM driver, four known lines printed on tty0).
#  - record: the guest reports fb0 "virtio_gpudrmfb 1280,800"; at the end
#    (monitor `stop` once the text is on the screen) screendump writes a
#    PPM and a PNG; the PNG decodes to the PPM's pixels; the picture shows
#    the text lines at the top left and background everywhere else
#    (tests/e2e/display_check.py);
#  - replay: `replay_break` at the recording's last instruction count, then
#    the same screendumps: byte-identical to the recorded ones; and again
#    after `replay_seek` back 10^8 instructions and forward (the device's
#    state restored from a checkpoint);
#  - screendump -f png gives the same bytes as a .png name;
#  - screendump errors: no display device, no scanout yet (-nographic),
#    no file name; QMP screendump errors; bad -device virtio-gpu-device
#    properties.
# Exit 0 pass, 1 fail, 77 skip (no guest or no python3).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
TRACE_TOOL=${DEJA_TRACE:-build/deja-trace}
need_guest
need_cmd python3
grep -q virtio_gpu "$GUEST/manifest" 2>/dev/null || skip "guest without virtio_gpu (run guest/build-initramfs.sh)"
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/display-linux.XXXXXX) # private: runs may overlap

set -- -M virt -m 256M -display none -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=tty0 console=ttyS0 deja.scenario=display" -device virtio-gpu-device

# Record: stop once the text is on the screen, dump it.
timeout 100 python3 tests/e2e/display_drive.py record "$OUT/rec.sock" "$OUT/rec.serial" \
    "$OUT/rec" -- "$DEJA" "$@" -serial "file:$OUT/rec.serial" \
    -monitor "unix:$OUT/rec.sock,server,nowait" \
    -icount "shift=7,rr=record,rrfile=$OUT/display.rr" >"$OUT/rec.log" 2>&1
status=$?
if [ $status -eq 0 ] && grep -q "display: fb0 virtio_gpudrmfb 1280,800" "$OUT/rec.serial" &&
    [ -s "$OUT/rec.ppm" ] && [ -s "$OUT/rec.png" ]; then
    ok record-screendump
else
    bad "record-screendump: status $status"; cat "$OUT/rec.log"; grep -a "display:" "$OUT/rec.serial"
fi
if cmp -s "$OUT/rec.png" "$OUT/rec.forced"; then
    ok screendump-format-option
else
    bad "screendump-format-option: -f png differs from the .png dump"
fi
if grep -q "screendump: filename expected" "$OUT/rec.log"; then
    ok screendump-needs-filename
else
    bad screendump-needs-filename
fi
if [ -s "$OUT/rec.ppm" ] && python3 tests/e2e/display_check.py "$OUT/rec.ppm" "$OUT/rec.png"; then
    ok picture-shows-console-text
else
    bad picture-shows-console-text
fi

# Replay: break at the recording's last instruction, dump again.
end=$("$TRACE_TOOL" info "$OUT/display.rr" 2>/dev/null | sed -n 's/^end: *END at instruction \([0-9]*\).*/\1/p')
if [ -n "$end" ]; then
    timeout 100 python3 tests/e2e/display_drive.py replay "$OUT/rep.sock" "$OUT/rep.serial" \
        "$OUT/rep" "$end" -- "$DEJA" "$@" -S -serial "file:$OUT/rep.serial" \
        -monitor "unix:$OUT/rep.sock,server,nowait" \
        -icount "shift=7,rr=replay,rrfile=$OUT/display.rr" >"$OUT/rep.log" 2>&1
    status=$?
    if [ $status -eq 0 ] && grep -q "instruction count = $end" "$OUT/rep.log" &&
        cmp -s "$OUT/rec.ppm" "$OUT/rep.ppm" && cmp -s "$OUT/rec.png" "$OUT/rep.png"; then
        ok replay-screendump-identical
    else
        bad "replay-screendump-identical: status $status (break at $end)"; cat "$OUT/rep.log"
    fi
    # (10^8 instructions back is normally before the text was drawn, so
    # the seek went through a different picture; said, not required.)
    cmp -s "$OUT/rec.ppm" "$OUT/rep-back.ppm" &&
        echo "note: the picture 10^8 instructions back was already the final one"
    if cmp -s "$OUT/rec.ppm" "$OUT/rep-seek.ppm"; then
        ok replay-seek-restores-picture
    else
        bad "replay-seek-restores-picture"; tail -n 20 "$OUT/rep.log"
    fi
else
    bad "replay-screendump-identical: no end instruction count in the trace"
fi

# Errors: no display device; a display device before the guest set a
# scanout (-nographic, monitor on the Ctrl-A c mux); bad properties.
(sleep 0.5; printf 'screendump %s/none.ppm\n' "$OUT"; sleep 0.3; printf 'quit\n') |
    timeout 20 "$DEJA" -M virt -display none -S -kernel "$GUEST/Image" -serial null \
    -monitor stdio >"$OUT/none.log" 2>&1
if grep -q "screendump: no display device" "$OUT/none.log" && [ ! -e "$OUT/none.ppm" ]; then
    ok screendump-no-device
else
    bad screendump-no-device; cat "$OUT/none.log"
fi
(sleep 0.5; printf '\001cscreendump %s/early.ppm\n' "$OUT"; sleep 0.3; printf 'quit\n') |
    timeout 20 "$DEJA" -M virt -nographic -S -kernel "$GUEST/Image" -device virtio-gpu-device \
    >"$OUT/early.log" 2>&1
if grep -q "screendump: the guest has not set up the display yet" "$OUT/early.log" &&
    [ ! -e "$OUT/early.ppm" ]; then
    ok screendump-no-scanout-nographic
else
    bad screendump-no-scanout-nographic; cat "$OUT/early.log"
fi
# QMP screendump: errors as QEMU's GenericError.
(sleep 0.5; printf '{"execute":"qmp_capabilities"}\n{"execute":"screendump","arguments":{"filename":"%s/q.ppm"}}\n{"execute":"screendump","arguments":{"filename":"%s/q.ppm","format":"jpg"}}\n{"execute":"quit"}\n' "$OUT" "$OUT"; sleep 0.5) |
    timeout 20 "$DEJA" -M virt -display none -S -kernel "$GUEST/Image" -serial null \
    -device virtio-gpu-device -qmp stdio >"$OUT/qmp.log" 2>&1
if grep -q '"desc": "the guest has not set up the display yet' "$OUT/qmp.log" &&
    grep -q "Parameter 'format' does not accept value 'jpg'" "$OUT/qmp.log" &&
    [ ! -e "$OUT/q.ppm" ]; then
    ok qmp-screendump-errors
else
    bad qmp-screendump-errors; cat "$OUT/qmp.log"
fi
for spec in "virtio-gpu-device,xres=5:Parameter 'xres' expects" \
    "virtio-gpu-device,yres=abc:Parameter 'yres' expects" \
    "virtio-gpu-device,drive=d0:Property 'drive' not found"; do
    dev=${spec%%:*}
    want=${spec#*:}
    msg=$("$DEJA" -M virt -display none -kernel "$GUEST/Image" -device "$dev" 2>&1 </dev/null)
    status=$?
    case "$msg" in
    *"$want"*) [ $status -ne 0 ] && ok "bad-property $dev" || bad "bad-property $dev: status 0" ;;
    *) bad "bad-property $dev: $msg" ;;
    esac
done

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
