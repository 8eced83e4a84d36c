#!/bin/sh
# virtio-sound with the Debian guest (scenario "audio" of guest/init.sh and
# tests/e2e/audio_guest.c, built here for riscv64 and added to the initrd
# as a second cpio archive together with the current guest/init.sh):
#  - record: capture fed by SDL's disk driver from a 440 Hz sine file; the
#    guest captures 2 s and prints md5 and RMS (RMS must be non-zero);
#  - replay with -audiodev wav (no capture device opened): identical
#    console output and end state; the tone the guest played (1000 Hz) is
#    the spectrum peak of the WAV file;
#  - record and replay with -audiodev wav: byte-identical WAV files;
#  - a replay without the sound device is refused; bad -audiodev /
#    -device lines get clear errors.
# Exit 0 pass, 1 fail, 77 skip (no guest, no cross compiler, no SDL disk driver).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/e2e.sh
case "$DEJA" in *qemu*) skip "deja's virtio-sound test (QEMU 7.2 has no virtio-sound)" ;; esac
need_guest
grep -q virtio_snd "$GUEST/manifest" 2>/dev/null || skip "guest without virtio_snd"
CC_RV=${CC_RV:-riscv64-unknown-elf-gcc}
need_cmd "$CC_RV" gcc-riscv64-unknown-elf
need_cmd python3
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/audio-linux.XXXXXX) # private: runs may overlap

# The guest program and an extra initrd archive holding it and /init.
if ! "$CC_RV" -march=rv64gc -mabi=lp64d -O2 -static -nostdlib -ffreestanding -fno-builtin \
    -fno-stack-protector -Wl,--no-warn-rwx-segments -o "$OUT/deja-audio" tests/e2e/audio_guest.c \
    -lgcc 2>"$OUT/cc.err"; then
    bad "build deja-audio"; cat "$OUT/cc.err"; exit 1
fi
mkdir -p "$OUT/stage/bin"
cp "$OUT/deja-audio" "$OUT/stage/bin/deja-audio"
cp guest/init.sh "$OUT/stage/init"
chmod 755 "$OUT/stage/init" "$OUT/stage/bin/deja-audio"
python3 guest/mkcpio.py "$OUT/stage" | gzip -n >"$OUT/extra.cpio.gz"
cat "$GUEST/initramfs.cpio.gz" "$OUT/extra.cpio.gz" >"$OUT/initrd.gz"

# 30 s of a 440 Hz sine, 48 kHz stereo S16LE: SDL's disk driver reads it
# as the capture device at real-time pace.
python3 - "$OUT/sine.raw" <<'PY'
import math, struct, sys
rate = 48000
one = b"".join(struct.pack("<hh", v, v) for v in
               (int(10000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(rate)))
open(sys.argv[1], "wb").write(one * 30)
PY

set -- -M virt -m 256M -nographic -kernel "$GUEST/Image" -initrd "$OUT/initrd.gz" \
    -append "console=ttyS0 deja.scenario=audio"
SND="-device virtio-sound-device,audiodev=snd0"

# Record with the sine source (paced by real time: SDL's disk driver and
# icount sleep=on) and, meanwhile, record and replay with wav output.
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILEIN="$OUT/sine.raw" SDL_DISKAUDIOFILE=/dev/null \
    timeout 90 "$DEJA" "$@" -audiodev sdl,id=snd0 $SND -serial file:$OUT/rec.out \
    -icount shift=auto,rr=record,rrfile=$OUT/rec.rr </dev/null 2>$OUT/rec.err &
rec_pid=$!
(
    timeout 90 "$DEJA" "$@" -audiodev wav,id=snd0,path=$OUT/rec-wav.wav $SND \
        -serial file:$OUT/recwav.out -icount shift=auto,sleep=off,rr=record,rrfile=$OUT/recwav.rr \
        </dev/null 2>$OUT/recwav.err
    echo $? >$OUT/recwav.status
    timeout 90 "$DEJA" "$@" -audiodev wav,id=snd0,path=$OUT/rep-wav.wav $SND \
        -serial file:$OUT/repwav.out -icount shift=auto,sleep=off,rr=replay,rrfile=$OUT/recwav.rr \
        </dev/null 2>$OUT/repwav.err
    echo $? >$OUT/repwav.status
) &
wav_pid=$!
wait $rec_pid
rec_status=$?

if grep -q "cannot open the capture device\|SDL audio:" $OUT/rec.err; then
    wait $wav_pid; cat $OUT/rec.err; echo "skip: SDL's disk audio driver is not available"; exit 77
fi
rms=$(sed -n 's/.*audio: captured [0-9]* frames, rms \([0-9]*\),.*/\1/p' $OUT/rec.out)
md5=$(sed -n 's/.*audio: capture md5 \([0-9a-f]*\).*/\1/p' $OUT/rec.out)
if [ $rec_status -eq 0 ] && [ -n "$md5" ] && [ "${rms:-0}" -gt 1000 ] &&
    grep -q "audio: card:.*virtio-snd" $OUT/rec.out && grep -q "audio: done" $OUT/rec.out; then
    ok "record-capture (md5 $md5, rms $rms)"
else
    bad "record-capture: status $rec_status rms '${rms:-}'"; grep -a "audio" $OUT/rec.out; cat $OUT/rec.err
fi

# Replay with the wav backend (different backend: allowed).
timeout 60 "$DEJA" "$@" -audiodev wav,id=snd0,path=$OUT/rep.wav $SND -serial file:$OUT/rep.out \
    -icount shift=auto,rr=replay,rrfile=$OUT/rec.rr </dev/null 2>$OUT/rep.err
rep_status=$?
wait $wav_pid
recwav_status=$(cat $OUT/recwav.status 2>/dev/null || echo none)
repwav_status=$(cat $OUT/repwav.status 2>/dev/null || echo none)
if [ $rep_status -eq 0 ] && cmp -s $OUT/rec.out $OUT/rep.out &&
    grep -q "audio: capture md5 $md5" $OUT/rep.out && grep -q "end state matches" $OUT/rep.err; then
    ok "replay-capture (identical md5 and console)"
else
    bad "replay-capture: status $rep_status"; diff $OUT/rec.out $OUT/rep.out | head; cat $OUT/rep.err
fi
if peak=$(python3 - $OUT/rep.wav <<'PY'
import math, struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"RIFF" and d[8:16] == b"WAVEfmt ", "not a WAV file"
fmt, channels, rate = struct.unpack("<HHI", d[20:28])
bits = struct.unpack("<H", d[34:36])[0]
size = struct.unpack("<I", d[40:44])[0]
assert fmt == 1 and bits == 16 and size == len(d) - 44 and size > 0, "bad header"
s = struct.unpack("<%dh" % (size // 2), d[44:])[::channels][:16384]
def power(f):  # Goertzel
    c = 2 * math.cos(2 * math.pi * f / rate)
    a = b = 0.0
    for x in s:
        a, b = x + c * a - b, a
    return a * a + b * b - c * a * b
print(max(range(100, 5001, 50), key=power))
PY
) && [ "$peak" = 1000 ]; then
    ok "wav-spectrum-peak (1000 Hz)"
else
    bad "wav-spectrum-peak: '${peak:-}'"
fi
if [ "$recwav_status" = 0 ] && [ "$repwav_status" = 0 ] && [ -s $OUT/rec-wav.wav ] &&
    cmp -s $OUT/rec-wav.wav $OUT/rep-wav.wav && grep -q "audio: capture md5" $OUT/recwav.out &&
    grep -q "rms 0," $OUT/recwav.out; then
    ok "wav-record-replay-identical"
else
    bad "wav-record-replay-identical: status $recwav_status/$repwav_status"
    ls -l $OUT/*.wav; cat $OUT/recwav.err $OUT/repwav.err
fi

# Different audio hardware: refused before the guest runs.
"$DEJA" "$@" -serial null -icount shift=auto,rr=replay,rrfile=$OUT/rec.rr </dev/null \
    2>$OUT/nosnd.err
st=$?
if [ $st -eq 1 ] && grep -q "virtio-snd" $OUT/nosnd.err; then
    ok "replay-without-sound-device-refused"
else
    bad "replay-without-sound-device-refused: status $st"; cat $OUT/nosnd.err
fi

# Bad command lines.
refused() { # name, expected message part, options...
    name=$1 want=$2
    shift 2
    "$DEJA" -M virt -nographic -bios none -serial null "$@" </dev/null >/dev/null 2>$OUT/err.txt
    st=$?
    if [ $st -eq 1 ] && grep -q -- "$want" $OUT/err.txt; then
        ok "$name"
    else
        bad "$name: status $st"; cat $OUT/err.txt
    fi
}
refused unknown-backend "does not accept value 'alsa'" -audiodev alsa,id=a
refused unknown-option "Invalid parameter 'volume'" -audiodev none,id=a,volume=3
refused missing-id "Parameter 'id' is missing" -audiodev none
refused bad-rate "rate not supported" -audiodev wav,id=a,out.frequency=22050
refused missing-audiodev-link "audiodev property not set" -device virtio-sound-device
refused unknown-audiodev "can't find value 'x'" -audiodev none,id=a -device virtio-sound-device,audiodev=x

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
