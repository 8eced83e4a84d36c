#!/bin/sh
# The Linux console answers input: the guest's "echo" scenario prints a
# prompt, reads a line from ttyS0 and prints it back. The line is sent only
# after the prompt (Linux drops what the UART received before the console
# was opened), through -nographic stdio, a pty (-serial pty) and a TCP
# server (-serial tcp::PORT,server,nowait). Exit 77 without the guest or
# python3 (tests/e2e/serial_expect.py drives the ports).
set -u
cd "$(dirname "$0")/../.." || exit 2
DEJA=${DEJA:-build/deja}
# A sanitizer build (ASAN=1 tests/run-all.sh) boots Linux ~5x slower.
case $DEJA in *asan*) limit=250 ;; *) limit=50 ;; esac
guest="${XDG_CACHE_HOME:-$HOME/.cache}/deja/guest"
if [ ! -f "$guest/Image" ] || [ ! -f "$guest/initramfs.cpio.gz" ]; then
    echo "no Linux guest in $guest (run guest/fetch-debian.sh and guest/build-initramfs.sh)"
    exit 77
fi
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
fail=0
linux="-M virt -m 512M -kernel $guest/Image -initrd $guest/initramfs.cpio.gz"
append="console=ttyS0 deja.scenario=echo"
# A port unlikely to be taken, different for concurrent runs.
port=$((20000 + $$ % 20000))

echo_through() { # NAME CHANNEL-OPTION... -- DEJA-OPTIONS...
    name=$1
    shift
    # shellcheck disable=SC2086
    if result=$(python3 tests/e2e/serial_expect.py --timeout "$limit" "$@" 2>&1); then
        echo "ok   $name"
    else
        echo "FAIL $name"
        printf '%s\n' "$result" | tail -n 25 | sed 's/^/    /'
        fail=1
    fi
}
# shellcheck disable=SC2086
echo_through echo-stdio --stdio --prompt "echo: type a line" --send "hello stdio" \
    --expect "echo: got: hello stdio" -- "$DEJA" $linux -nographic -append "$append"
# shellcheck disable=SC2086
echo_through echo-pty --pty serial0 --prompt "echo: type a line" --send "hello pty" \
    --expect "echo: got: hello pty" -- "$DEJA" $linux -serial pty -append "$append"
# shellcheck disable=SC2086
echo_through echo-tcp --tcp "$port" --prompt "echo: type a line" --send "hello tcp" \
    --expect "echo: got: hello tcp" -- "$DEJA" $linux -serial "tcp::$port,server,nowait" \
    -append "$append"
exit $fail
