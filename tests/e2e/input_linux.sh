#!/bin/sh
# virtio-input with the Debian guest (scenario "input" of guest/init.sh,
# added to the initrd as a second cpio archive with the current init.sh),
# driven by tests/e2e/input_drive.py; docs/display.md:
#  - record: keys, mouse moves and buttons from the monitor (sendkey,
#    mouse_move, mouse_button) and QMP (input-send-event) reach the guest's
#    evdev devices with the right codes;
#    in the same recording, under Xvfb, keys typed with xdotool into the
#    SDL window, and a key and a click from a VNC client (RFB 3.8, Python
#    stdlib), which also sees the guest's console on the virtio-gpu screen;
#  - replay with no X server and -display none (and a monitor whose
#    sendkey is refused): identical console output, end state matches;
#  - replay with the SDL window while xdotool types into it: the same;
#  - malformed -display / -vnc / -device options give clear errors.
# Exit 0 pass, 1 fail, 77 skip (no guest, no python3). The SDL part is
# skipped (with a message) without Xvfb or xdotool.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
need_guest
grep -q virtio_input "$GUEST/manifest" 2>/dev/null || skip "guest without virtio_input"
need_cmd python3
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/input-linux.XXXXXX) # private: runs may overlap

mkdir -p "$OUT/stage"
cp guest/init.sh "$OUT/stage/init"
chmod 755 "$OUT/stage/init"
python3 guest/mkcpio.py "$OUT/stage" | gzip -n >"$OUT/extra.cpio.gz"
cat "$GUEST/initramfs.cpio.gz" "$OUT/extra.cpio.gz" >"$OUT/initrd.gz"

set -- -M virt -m 256M -kernel "$GUEST/Image" -initrd "$OUT/initrd.gz" \
    -append "console=tty0 console=ttyS0 deja.scenario=input" \
    -device virtio-keyboard-device -device virtio-mouse-device -device virtio-tablet-device \
    -device virtio-gpu-device,xres=800,yres=600
DRIVE="python3 tests/e2e/input_drive.py"
# A sanitizer build (DEJA=build-asan/deja) is several times slower.
scale=1
case "$DEJA" in *asan*) scale=6 ;; esac
export INPUT_TIMEOUT_SCALE=$scale

# The evdev node of a device, from the guest's "input: eventN: NAME" lines.
node() { sed -n "s/^input: \(event[0-9]*\): QEMU Virtio $2.*/\1/p" "$1" | head -n 1; }
# expect FILE NAME LINE...: every line "input: LINE" is in FILE.
expect() {
    file=$1 name=$2
    shift 2
    missing=""
    for line in "$@"; do
        grep -q "^input: $line.\{0,1\}\$" "$file" || missing="$missing [$line]"
    done
    if [ -z "$missing" ]; then ok "$name"; else bad "$name: missing$missing"; grep '^input' "$file"; fi
}

# 1. One recording: the monitor, QMP, the SDL window (xdotool under Xvfb)
# and a VNC client.
vnc=$((1000 + $$ % 4000))
modes="hmp:$OUT/m.sock,qmp:$OUT/q.sock"
xvfb="" display="-display none"
if command -v Xvfb >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
    dn=$((100 + $$ % 800))
    mkdir -p "$OUT/xfb"
    Xvfb ":$dn" -screen 0 1024x768x24 -br -fbdir "$OUT/xfb" -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
    export XVFB_SCREEN="$OUT/xfb/Xvfb_screen0"
    xvfb=$!
    i=0
    while [ ! -e "/tmp/.X11-unix/X$dn" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    modes="$modes,xdotool"
    display="-display sdl"
    export DISPLAY=":$dn"
else
    echo "skip sdl-xdotool: no Xvfb or xdotool (apt install xvfb xdotool)"
fi
modes="$modes,vnc:$((5900 + vnc))"
$DRIVE "$modes" "$OUT/rec.out" -- "$DEJA" "$@" $display -vnc ":$vnc" -serial stdio \
    -monitor "unix:$OUT/m.sock,server,nowait" -qmp "unix:$OUT/q.sock,server,nowait" \
    -icount shift=2,rr=record,rrfile="$OUT/rec.rr" 2>"$OUT/rec.err" >"$OUT/rec.drive"
status=$?
# Gone before step 3 starts another X server on the same display number.
[ -n "$xvfb" ] && { kill "$xvfb" 2>/dev/null; wait "$xvfb" 2>/dev/null; }
unset DISPLAY XVFB_SCREEN
[ $status -eq 0 ] && ok "record ($(echo "$modes" | sed 's/:[^,]*//g'))" || { bad "record: status $status"; cat "$OUT/rec.drive"; tail -5 "$OUT/rec.err"; }
kbd=$(node "$OUT/rec.out" Keyboard) mouse=$(node "$OUT/rec.out" Mouse) tablet=$(node "$OUT/rec.out" Tablet)
if [ -n "$kbd" ] && [ -n "$mouse" ] && [ -n "$tablet" ]; then ok "three evdev devices"; else bad "evdev devices: '$kbd' '$mouse' '$tablet'"; fi
# sendkey a; sendkey shift-b (press order, release in reverse); ctrl-alt-f1
expect "$OUT/rec.out" sendkey "$kbd type 1 code 30 value 1" "$kbd type 1 code 30 value 0" \
    "$kbd type 1 code 42 value 1" "$kbd type 1 code 48 value 1" "$kbd type 1 code 48 value 0" \
    "$kbd type 1 code 42 value 0" "$kbd type 1 code 29 value 1" "$kbd type 1 code 56 value 1" \
    "$kbd type 1 code 59 value 1" "$kbd type 1 code 59 value 0"
if grep "^input: $kbd type 1 code" "$OUT/rec.out" | head -n 6 | tr -d '\r' | awk '{print $6 $8}' |
    tr '\n' ' ' | grep -q '^301 300 421 481 480 420 $'; then
    ok sendkey-order
else
    bad sendkey-order; grep "^input: $kbd" "$OUT/rec.out" | head -n 6
fi
expect "$OUT/rec.out" mouse_move+mouse_button "$mouse type 2 code 0 value 10" \
    "$mouse type 2 code 1 value -5" "$mouse type 1 code 272 value 1" "$mouse type 1 code 272 value 0"
expect "$OUT/rec.out" input-send-event "$kbd type 1 code 45 value 1" "$kbd type 1 code 45 value 0" \
    "$tablet type 3 code 0 value 100" "$tablet type 3 code 1 value 200" \
    "$mouse type 1 code 273 value 1"
if [ -n "$xvfb" ]; then # "hi" typed into the window, which shows the console
    expect "$OUT/rec.out" sdl-xdotool "$kbd type 1 code 35 value 1" "$kbd type 1 code 35 value 0" \
        "$kbd type 1 code 23 value 1" "$kbd type 1 code 23 value 0"
    lit=$(sed -n 's/^sdl: \([0-9]*\) lit pixels/\1/p' "$OUT/rec.drive")
    if [ "${lit:-0}" -gt 2000 ]; then ok "sdl-shows-screen ($lit lit pixels)"; else bad "sdl-shows-screen: lit pixels '${lit:-}'"; cat "$OUT/rec.drive"; fi
fi
# The VNC client sees the guest's 800x600 screen with the console's text.
lit=$(sed -n 's/^vnc: \([0-9]*\) lit pixels/\1/p' "$OUT/rec.drive")
if grep -q "^vnc: 800x600 desktop" "$OUT/rec.drive" && [ "${lit:-0}" -gt 2000 ]; then
    ok "vnc-shows-screen ($lit lit pixels)"
else
    bad "vnc-shows-screen: lit pixels '${lit:-}'"; cat "$OUT/rec.drive"
fi
# "v" and a left click at (20, 30) of the 800x600 screen
expect "$OUT/rec.out" vnc "$kbd type 1 code 47 value 1" "$kbd type 1 code 47 value 0" \
    "$tablet type 3 code 0 value 820" "$tablet type 3 code 1 value 1641" \
    "$tablet type 1 code 272 value 1" "$tablet type 1 code 272 value 0"
if build/deja-trace dump "$OUT/rec.rr" 2>/dev/null | grep -q " INPUT ch=.* 1:30:1 0:0:0 1:30:0 0:0:0"; then
    ok trace-has-input-events
else
    bad trace-has-input-events; build/deja-trace dump "$OUT/rec.rr" 2>&1 | grep INPUT | head -3
fi

# 2. Replay with no X server and no display; the monitor's sendkey is
# refused there (input comes from the trace).
printf 'sendkey x\n' | env -u DISPLAY timeout $((60 * scale)) "$DEJA" "$@" -display none \
    -serial "file:$OUT/replay.out" -monitor stdio -icount shift=2,rr=replay,rrfile="$OUT/rec.rr" \
    >"$OUT/replay.mon" 2>"$OUT/replay.err"
status=$?
if [ $status -eq 0 ] && cmp -s "$OUT/rec.out" "$OUT/replay.out" &&
    grep -q "end state matches the recording" "$OUT/replay.err"; then
    ok replay-identical
else
    bad "replay: status $status"; cat "$OUT/replay.err"; cmp "$OUT/rec.out" "$OUT/replay.out"
fi
if grep -q "sendkey: the machine is replaying" "$OUT/replay.mon"; then ok replay-refuses-sendkey; else bad replay-refuses-sendkey; cat "$OUT/replay.mon"; fi

# 3. Replay with the SDL window under Xvfb: it shows the replayed screen
# and ignores what is typed into it.
if [ -n "$xvfb" ]; then
    Xvfb ":$dn" -screen 0 1024x768x24 -br -nolisten tcp >"$OUT/xvfb2.log" 2>&1 &
    xvfb=$!
    i=0
    while [ ! -e "/tmp/.X11-unix/X$dn" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    DISPLAY=":$dn" timeout $((60 * scale)) "$DEJA" "$@" -display sdl -serial stdio \
        -icount shift=2,rr=replay,rrfile="$OUT/rec.rr" </dev/null >"$OUT/sdl-replay.out" 2>"$OUT/sdl-replay.err" &
    deja=$!
    title="" typed=0
    while kill -0 $deja 2>/dev/null; do
        wid=$(DISPLAY=":$dn" xdotool search --name '^deja' 2>/dev/null | head -n 1)
        if [ -n "$wid" ]; then
            # The window may be closing under us: keep the last title read.
            name=$(DISPLAY=":$dn" xdotool getwindowname "$wid" 2>/dev/null)
            [ -n "$name" ] && title=$name
            DISPLAY=":$dn" xdotool windowfocus "$wid" type --delay 20 zzqq 2>/dev/null && typed=$((typed + 1))
        fi
        sleep 0.2
    done
    wait $deja
    status=$?
    kill "$xvfb" 2>/dev/null
    if [ $status -eq 0 ] && cmp -s "$OUT/rec.out" "$OUT/sdl-replay.out" &&
        grep -q "end state matches the recording" "$OUT/sdl-replay.err"; then
        ok "sdl-replay-ignores-user (typed $typed times, title '$title')"
    else
        bad "sdl-replay-ignores-user: status $status"; cat "$OUT/sdl-replay.err"
    fi
    case "$title" in *"input ignored"*) ok sdl-replay-title ;; *) bad "sdl-replay-title: '$title'" ;; esac
fi

# 4. Bad options.
bad_option() { # name expected-text args...
    name=$1 text=$2
    shift 2
    env -u DISPLAY -u WAYLAND_DISPLAY timeout 20 "$DEJA" -M virt -bios none "$@" </dev/null \
        >"$OUT/opt.out" 2>&1
    st=$?
    if [ $st -eq 1 ] && grep -q "$text" "$OUT/opt.out"; then ok "$name"; else bad "$name: status $st"; cat "$OUT/opt.out"; fi
}
bad_option display-gtk "display 'gtk' is not supported" -display gtk
bad_option display-sdl-gl "no OpenGL" -display sdl,gl=on
bad_option vnc-no-colon "expected :N or HOST:N" -vnc 5
bad_option vnc-range "display number must be" -vnc :70000
bad_option vnc-options "options after the display" -vnc :1,password=on
bad_option keyboard-property "Property 'foo' not found" -device virtio-keyboard-device,foo=1
bad_option sdl-no-x "no X11 or Wayland display" -display sdl
bad_option nographic-sdl "nographic" -nographic -display sdl
# A VNC port already taken: a clear error at start, not a hang.
python3 - "$DEJA" "$((5900 + vnc))" <<'PY' && ok vnc-port-in-use || bad vnc-port-in-use
import socket, subprocess, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[2])))
s.listen()
r = subprocess.run([sys.argv[1], "-M", "virt", "-bios", "none", "-display", "none", "-vnc",
                    ":%d" % (int(sys.argv[2]) - 5900)], capture_output=True, text=True, timeout=60)
print(r.stderr.strip())
sys.exit(0 if r.returncode == 1 and "cannot listen on 127.0.0.1 port" in r.stderr else 1)
PY

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
