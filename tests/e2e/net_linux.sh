#!/bin/sh
# virtio-net on -netdev user (libslirp) with the Debian guest (scenarios
# "net" and "netserve" of guest/init.sh):
#  - plain run: DHCP lease from slirp, then the guest fetches a file from
#    a python http.server on the host's 127.0.0.1 (10.0.2.2 in the guest)
#    and prints its md5; the filter-dump pcap is well formed;
#  - record with filter-replay (server running), then replay with the
#    server stopped: identical console output, "end state matches", and
#    byte-identical filter-dump pcaps (virtual-time stamps);
#  - record without filter-replay, replay without the netdev, and
#    -netdev tap are refused;
#  - tshark reads the pcap and finds the HTTP request (skipped without tshark);
#  - hostfwd during a recording: the host fetches a file from busybox httpd
#    in the guest; the replay gives the same console output.
# Exit 0 pass, 1 fail, 77 skip (no guest).
set -u
cd "$(dirname "$0")/../.."
DEJA=${DEJA:-build/deja}
GUEST=${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest
[ -r "$GUEST/Image" ] && [ -r "$GUEST/initramfs.cpio.gz" ] || { echo "skip: no guest in $GUEST"; exit 77; }
grep -q virtio_net "$GUEST/manifest" 2>/dev/null || { echo "skip: guest without virtio_net"; exit 77; }
zcat "$GUEST/initramfs.cpio.gz" | grep -aq netserve || { echo "skip: guest without the net scenarios (run guest/build-initramfs.sh)"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
mkdir -p build/tests/e2e
OUT=$(mktemp -d build/tests/e2e/net-linux.XXXXXX) # private: runs may overlap
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mkdir -p "$OUT/www"
head -c 200000 /dev/urandom > "$OUT/www/file"
expect=$(md5sum < "$OUT/www/file" | cut -d ' ' -f 1)
PORT=$(free_port)
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$OUT/www" >"$OUT/http.log" 2>&1 &
server=$!
for i in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/file', timeout=1)" \
        2>/dev/null && break
    sleep 0.1
done

set -- -M virt -m 256M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
    -append "console=ttyS0 deja.scenario=net deja.port=$PORT"
NET="-netdev user,id=n0 -device virtio-net-device,netdev=n0"
guest_ok() { # output file
    grep -q "net: lease 10.0.2.15/24 router 10.0.2.2" "$1" && grep -q "net: md5 $expect" "$1"
}
pcap_ok() { # file: classic pcap, LINKTYPE_ETHERNET, whole records, time never goes back
    python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
magic, major, minor, _, _, snaplen, link = struct.unpack('<IHHiIII', d[:24])
assert magic == 0xa1b2c3d4 and (major, minor) == (2, 4) and link == 1, 'bad header'
off, n, last = 24, 0, 0
while off < len(d):
    sec, usec, incl, orig = struct.unpack('<IIII', d[off:off + 16])
    assert incl == orig and 14 <= incl <= snaplen and usec < 1000000, 'bad record'
    assert sec * 1000000 + usec >= last, 'time goes back'
    last = sec * 1000000 + usec
    off += 16 + incl
    n += 1
assert off == len(d) and n > 10, 'truncated or empty'
PY
}

# Plain run.
timeout 60 "$DEJA" "$@" $NET -object filter-dump,id=dump,netdev=n0,file=$OUT/plain.pcap \
    -serial file:$OUT/plain.out </dev/null 2>$OUT/plain.err
status=$?
if [ $status -eq 0 ] && guest_ok $OUT/plain.out; then
    ok plain-dhcp-http
else
    bad "plain-dhcp-http: status $status"; grep "net:" $OUT/plain.out; cat $OUT/plain.err
fi
if pcap_ok $OUT/plain.pcap; then ok plain-pcap; else bad plain-pcap; fi
# tshark reads the pcap and finds the guest's HTTP request (the server's
# port is not 80: tell tshark it is HTTP).
if command -v tshark >/dev/null 2>&1; then
    uris=$(tshark -r $OUT/plain.pcap -d tcp.port==$PORT,http -Y http.request \
        -T fields -e http.request.method -e http.request.uri 2>$OUT/tshark.err)
    if printf '%s\n' "$uris" | grep -q "^GET	/file$"; then
        ok tshark-reads-http-request
    else
        bad "tshark-reads-http-request: got '$uris'"; cat $OUT/tshark.err
    fi
else
    echo "skip tshark-reads-http-request: tshark not installed (scripts/install-deps.sh)"
fi

# Record without filter-replay: refused with the line to add.
"$DEJA" "$@" $NET -serial null -icount shift=auto,rr=record,rrfile=$OUT/bad.rr </dev/null \
    2>$OUT/nofilter.err
status=$?
if [ $status -ne 0 ] && grep -q -- "-object filter-replay,id=replay,netdev=n0" $OUT/nofilter.err; then
    ok record-needs-filter-replay
else
    bad "record-needs-filter-replay: status $status"; cat $OUT/nofilter.err
fi

# Record, then replay with the server gone.
RR="-object filter-replay,id=replay,netdev=n0"
timeout 60 "$DEJA" "$@" $NET $RR -object filter-dump,id=dump,netdev=n0,file=$OUT/rec.pcap \
    -serial file:$OUT/rec.out -icount shift=auto,rr=record,rrfile=$OUT/net.rr </dev/null \
    2>$OUT/rec.err
status=$?
if [ $status -eq 0 ] && guest_ok $OUT/rec.out; then
    ok record
else
    bad "record: status $status"; grep "net:" $OUT/rec.out; cat $OUT/rec.err
fi
kill $server 2>/dev/null
wait $server 2>/dev/null
timeout 60 "$DEJA" "$@" $NET $RR -object filter-dump,id=dump,netdev=n0,file=$OUT/rep.pcap \
    -serial file:$OUT/rep.out -icount shift=auto,rr=replay,rrfile=$OUT/net.rr </dev/null \
    2>$OUT/rep.err
status=$?
if [ $status -eq 0 ] && cmp -s $OUT/rec.out $OUT/rep.out && grep -q "end state matches" $OUT/rep.err; then
    ok replay-identical-output
else
    bad "replay: status $status"; cat $OUT/rep.err; diff $OUT/rec.out $OUT/rep.out | head
fi
if pcap_ok $OUT/rec.pcap && cmp -s $OUT/rec.pcap $OUT/rep.pcap; then
    ok replay-identical-pcap
else
    bad "replay-identical-pcap"
fi

# Replay without the network: refused by the header check.
"$DEJA" "$@" -serial null -icount shift=auto,rr=replay,rrfile=$OUT/net.rr </dev/null \
    2>$OUT/nonet.err
status=$?
if [ $status -ne 0 ] && grep -Eq "(netdevs|virtio-devices) differs" $OUT/nonet.err; then
    ok replay-without-netdev-refused
else
    bad "replay-without-netdev-refused: status $status"; cat $OUT/nonet.err
fi

# Other backends: a clear error.
"$DEJA" "$@" -netdev tap,id=t0 </dev/null 2>$OUT/tap.err
status=$?
if [ $status -ne 0 ] && grep -q "tap: backend not supported (use -netdev user)" $OUT/tap.err; then
    ok tap-refused
else
    bad "tap-refused: status $status"; cat $OUT/tap.err
fi

# hostfwd to busybox httpd in the guest, during a recording; the replay
# (no backend, no host client) reproduces the guest's side.
HPORT=$(free_port)
serve() { # extra options...
    timeout 80 "$DEJA" -M virt -m 256M -nographic -kernel "$GUEST/Image" \
        -initrd "$GUEST/initramfs.cpio.gz" -append "console=ttyS0 deja.scenario=netserve" \
        -netdev user,id=n0,hostfwd=tcp::$HPORT-:80 -device virtio-net-device,netdev=n0 \
        -object filter-replay,id=replay,netdev=n0 "$@" </dev/null
}
serve -icount shift=auto,rr=record,rrfile=$OUT/serve.rr -serial file:$OUT/serve.out 2>$OUT/serve.err &
guest=$!
for i in $(seq 300); do
    grep -q "netserve: ready" $OUT/serve.out 2>/dev/null && break
    sleep 0.1
done
got=$(python3 -c "import urllib.request, hashlib; print(hashlib.md5(urllib.request.urlopen('http://127.0.0.1:$HPORT/data', timeout=20).read()).hexdigest())" 2>$OUT/fetch.err)
wait $guest
status=$?
want=$(seq 1 20000 | md5sum | cut -d ' ' -f 1)
if [ $status -eq 0 ] && [ "$got" = "$want" ] && grep -q "netserve: served 1 requests" $OUT/serve.out; then
    ok hostfwd-record
else
    bad "hostfwd-record: status $status, got '$got'"; grep "net" $OUT/serve.out; cat $OUT/serve.err $OUT/fetch.err
fi
serve -icount shift=auto,rr=replay,rrfile=$OUT/serve.rr -serial file:$OUT/serve-rep.out \
    2>$OUT/serve-rep.err
status=$?
if [ $status -eq 0 ] && cmp -s $OUT/serve.out $OUT/serve-rep.out &&
    grep -q "end state matches" $OUT/serve-rep.err; then
    ok hostfwd-replay
else
    bad "hostfwd-replay: status $status"; cat $OUT/serve-rep.err; diff $OUT/serve.out $OUT/serve-rep.out | head
fi

[ $fail -eq 0 ] && rm -rf "$OUT"
exit $fail
