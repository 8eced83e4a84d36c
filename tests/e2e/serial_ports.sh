#!/bin/sh
# Serial ports and their backends (docs/cli.md): -serial and -chardev
# syntax errors, the device tree of four ports, output to a socket nobody
# listens to (dropped, the machine runs on), and with the Linux guest a
# second UART (ttyS1) that Linux registers and that talks over a TCP server
# (wait=on: deja waits for the client), a pty and a unix socket given as
# -chardev. Needs python3 for the Linux part (tests/e2e/serial_expect.py).
set -u
cd "$(dirname "$0")/../.." || exit 2
DEJA=${DEJA:-build/deja}
# A sanitizer build (ASAN=1 tests/run-all.sh) boots Linux ~5x slower.
case $DEJA in *asan*) limit=250 ;; *) limit=50 ;; esac
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"
out=$(mktemp -d "${TMPDIR:-/tmp}/deja-serial.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0
port=$((20000 + $$ % 20000))

error() { # NAME MESSAGE-SUBSTRING DEJA-ARGS...
    name=$1 text=$2
    shift 2
    timeout 20 "$DEJA" "$@" </dev/null >"$out/stdout" 2>"$out/stderr"
    status=$?
    if [ $status -ne 1 ] || [ "$(wc -l <"$out/stderr")" -ne 1 ] ||
        ! grep -q -- "deja: .*$text" "$out/stderr"; then
        echo "FAIL $name: exit status $status (expected 1), stderr:"
        sed 's/^/    /' "$out/stderr"
        fail=1
    else
        echo "ok   $name"
    fi
}

# ---- errors ----
error unknown-backend "-serial vc: character backend 'vc' is not supported" -bios none -serial vc
error bad-port "-serial tcp::70000,server,nowait: '70000' is not a port number" \
    -bios none -serial tcp::70000,server,nowait
error bad-host "cannot resolve host 'no.such.host.invalid'" \
    -bios none -serial tcp:no.such.host.invalid:4444,server,nowait
error bad-socket-option "socket option 'telnet' is not supported" \
    -bios none -serial tcp::4444,server,nowait,telnet
error missing-id "-chardev socket,port=4444,server=on: missing id=ID" \
    -bios none -chardev socket,port=4444,server=on
error unknown-chardev "-serial chardev:nope: no -chardev with id 'nope'" -bios none -serial chardev:nope
error two-stdio "stdio can be used by only one" -bios none -serial stdio -serial stdio
error five-ports "at most 4 serial ports" -bios none -serial null -serial null -serial null \
    -serial null -serial null
error file-no-path "file: needs a path" -bios none -serial file:
if command -v python3 >/dev/null; then
    # A port already taken by another listener.
    python3 -c '
import socket, subprocess, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
p = s.getsockname()[1]
r = subprocess.run([sys.argv[1], "-bios", "none", "-serial", "tcp::%d,server,nowait" % p],
                   capture_output=True, text=True, stdin=subprocess.DEVNULL)
ok = r.returncode == 1 and ("tcp::%d,server,nowait: cannot listen on 127.0.0.1:%d: Address already in use" % (p, p)) in r.stderr
print(("ok   port-in-use" if ok else "FAIL port-in-use: status %d, %s" % (r.returncode, r.stderr.strip())))
sys.exit(0 if ok else 1)' "$DEJA" || fail=1
fi

# ---- device tree of four ports ----
if command -v dtc >/dev/null; then
    if "$DEJA" -M virt,dumpdtb="$out/four.dtb" -bios none -serial null -serial null \
        -serial null -serial null && dtc -I dtb -O dts "$out/four.dtb" >"$out/four.dts" 2>/dev/null; then
        problems=""
        for i in 0 1 2 3; do
            irq=$(printf '0x%02x' $((i == 0 ? 10 : 11 + i)))
            # The node, its IRQ (next lines) and its alias.
            grep -A3 "serial@10000${i}00 {" "$out/four.dts" | grep -q "interrupts = <$irq>" ||
                problems="$problems; serial@10000${i}00 lacks interrupts <$irq>"
            grep -q "serial$i = \"/soc/serial@10000${i}00\"" "$out/four.dts" ||
                problems="$problems; no alias serial$i"
        done
        grep -q 'stdout-path = "/soc/serial@10000000"' "$out/four.dts" ||
            problems="$problems; stdout-path is not the first port"
        if [ -n "$problems" ]; then
            echo "FAIL dtb-four-ports$problems"; fail=1
        else
            echo "ok   dtb-four-ports"
        fi
    else
        echo "FAIL dtb-four-ports: dumpdtb or dtc failed"; fail=1
    fi
fi

# ---- bare metal: output to a socket without a client is dropped ----
if command -v riscv64-unknown-elf-gcc >/dev/null; then
    riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
        -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
        tests/e2e/board/hello.c -o "$out/hello.elf" || exit 1
    timeout 20 "$DEJA" -M virt -bios none -kernel "$out/hello.elf" \
        -serial "tcp::$port,server,nowait" </dev/null >"$out/stdout" 2>&1
    status=$?
    if [ $status -eq 7 ]; then
        echo "ok   socket-without-client"
    else
        echo "FAIL socket-without-client: exit status $status (expected 7, hello's code)"; fail=1
    fi
    # One client at a time; after the first leaves, the next is served.
    if command -v python3 >/dev/null; then
        riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib \
            -ffreestanding -O2 -T tests/e2e/board/link.ld tests/e2e/board/start.S \
            tests/e2e/board/echo.c -o "$out/echo.elf" || exit 1
        python3 - "$DEJA" "$out/echo.elf" "$port" <<'PYTHON' || fail=1
import socket, subprocess, sys, time
deja, elf, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = subprocess.Popen([deja, "-M", "virt", "-bios", "none", "-kernel", elf, "-serial",
                      "tcp::%d,server,nowait" % port], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def exchange(byte):
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            time.sleep(0.05)
    else:
        return b"(no connection)"
    s.sendall(byte)
    got = b""
    try:
        while b">" not in got:
            data = s.recv(64)
            if not data:
                break
            got += data
    except OSError:
        pass
    s.close()
    return got
first, second = exchange(b"a"), exchange(b"b")
p.kill()
p.wait()
ok = first.endswith(b"<a>") and second.endswith(b"<b>")
print("ok   socket-reconnect" if ok else "FAIL socket-reconnect: got %r then %r" % (first, second))
sys.exit(0 if ok else 1)
PYTHON
    fi
    timeout 20 "$DEJA" -M virt -bios none -kernel "$out/hello.elf" \
        -chardev "file,id=log,path=$out/hello.txt" -serial chardev:log </dev/null >/dev/null 2>&1
    if grep -q "time advances" "$out/hello.txt" 2>/dev/null; then
        echo "ok   chardev-file"
    else
        echo "FAIL chardev-file: $out/hello.txt lacks 'time advances'"; fail=1
    fi
fi

# ---- Linux: a second port ----
if [ ! -f "$guest/Image" ] || [ ! -f "$guest/initramfs.cpio.gz" ]; then
    echo "skip linux: no guest in $guest (guest/fetch-debian.sh, guest/build-initramfs.sh)"
    exit $fail
fi
if ! command -v python3 >/dev/null; then
    echo "skip linux: python3 not installed"
    exit $fail
fi
linux="-M virt -m 512M -kernel $guest/Image -initrd $guest/initramfs.cpio.gz"
append="console=ttyS0 deja.scenario=serial2"
second_port() { # NAME CHANNEL-OPTION... -- DEJA-OPTIONS...
    name=$1
    shift
    if result=$(python3 tests/e2e/serial_expect.py --timeout "$limit" "$@" 2>&1); then
        echo "ok   $name"
    else
        echo "FAIL $name"
        printf '%s\n' "$result" | tail -n 25 | sed 's/^/    /'
        fail=1
    fi
}
# shellcheck disable=SC2086
second_port ttyS1-tcp-wait --tcp "$port" --prompt "serial2: type a line" --send "via tcp" \
    --expect "serial2: ttyS1 got: via tcp" --console-expect "/dev/ttyS1" \
    --console-expect "serial2: ttyS1 got: via tcp" -- \
    "$DEJA" $linux -serial stdio -serial "tcp:127.0.0.1:$port,server" -append "$append"
# shellcheck disable=SC2086
second_port ttyS1-chardev-unix --unix "$out/ttyS1.sock" --prompt "serial2: type a line" \
    --send "via unix" --expect "serial2: ttyS1 got: via unix" \
    --console-expect "serial2: ttyS1 got: via unix" -- \
    "$DEJA" $linux -chardev stdio,id=console \
    -chardev "socket,id=second,path=$out/ttyS1.sock,server=on,wait=off" \
    -serial chardev:console -serial chardev:second -append "$append"
# Console in a file, second port on a pty.
# shellcheck disable=SC2086
second_port ttyS1-pty --pty serial1 --prompt "serial2: type a line" --send "via pty" \
    --expect "serial2: ttyS1 got: via pty" -- \
    "$DEJA" $linux -serial "file:$out/console.txt" -serial pty -append "$append"
if grep -q "serial2: ttyS1 got: via pty" "$out/console.txt" 2>/dev/null &&
    grep -q "serial2: ports: /dev/ttyS0 /dev/ttyS1" "$out/console.txt"; then
    echo "ok   console-file"
else
    echo "FAIL console-file: $out/console.txt lacks the scenario's lines"; fail=1
fi
exit $fail
