#!/bin/busybox sh
# /init of deja's test initramfs (busybox). Mounts the pseudo file systems,
# loads the virtio modules listed in /etc/deja-modules (dependencies first)
# and runs the scenario named by deja.scenario=NAME on the kernel command line:
#   shell  (default) interactive shell on the console; poweroff when it exits
#   smoke  prints CPU, nproc, a checksum of generated data and the RTC date,
#          then powers off
#   echo   reads one line from the console, prints it back, powers off; send
#          the line after the prompt "echo: type a line": Linux discards what
#          the UART received before the console was opened (QEMU does the same)
#   audio  virtio-sound test: captures 2 s with /bin/deja-audio (added by
#          tests/e2e/audio_linux.sh), prints its md5 and RMS, plays a
#          1000 Hz tone for 1 s
#   input  virtio-input test: prints the evdev events of /dev/input/event*
#          ("input: eventN type T code C value V") after "input: ready";
#          powers off when Esc is released
#   upper  record/replay test: prints "upper: ready", then reads console
#          lines and prints each as "upper N: LINE IN UPPER CASE" until a
#          line "quit"; then powers off
#   serial2  second serial port (boot with two -serial): lists /dev/ttyS*,
#          prints "serial2: type a line" on ttyS1, reads one line from ttyS1
#          (20 s at most), prints it back on ttyS1 and on the console
#   disk   block test: mounts /dev/vda (ext4), prints the md5sum of every
#          file under it, writes written.txt, syncs, unmounts; with a
#          virtio-rng device also prints the md5 of 64 bytes of /dev/hwrng;
#          with deja.hold=1 it prints "disk: holding" after writing and waits
#          for a console line (a test's fixed point for savevm)
#   diskbench  disk benchmark (bench/disk.sh): writes deja.mb= MiB (default
#          64) of zeros to /dev/vda with dd (conv=fsync), drops the page
#          cache, reads them back; "diskbench: ..." marks each phase
#   net    network test (virtio-net on -netdev user): DHCP on eth0 with
#          udhcpc, prints the lease, then the md5 of
#          http://10.0.2.2:PORT/file (PORT from deja.port=, default 8000)
#   netserve  hostfwd test: DHCP on eth0, busybox httpd on port 80 serving
#          /data (seq 1 20000), prints "netserve: ready", powers off once
#          the log shows the file was fetched (60 s at most)
#   display  virtio-gpu test: reports /dev/fb0, clears the screen (tty0),
#          stops the cursor blinking, prints four known lines on it, waits
#          1 s (the fbdev flush is deferred), prints "display: ready", then
#          idles 20 s and powers off
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /run
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp

loaded=0
failed=""
for module in $(cat /etc/deja-modules); do
    if insmod "/lib/modules/$module" 2>/dev/null; then
        loaded=$((loaded + 1))
    else
        failed="$failed ${module##*/}"
    fi
done
echo "deja-init: loaded $loaded modules${failed:+, failed:$failed}"

scenario=shell
for word in $(cat /proc/cmdline); do
    case "$word" in
    deja.scenario=*) scenario="${word#deja.scenario=}" ;;
    deja.port=*) port="${word#deja.port=}" ;;
    deja.mb=*) mb="${word#deja.mb=}" ;;
    deja.hold=*) hold="${word#deja.hold=}" ;;
    esac
done
echo "deja-init: scenario $scenario"

case "$scenario" in
smoke)
    echo "smoke: cpu: $(grep -m 1 '^isa' /proc/cpuinfo | sed 's/.*: //')"
    echo "smoke: mmu: $(grep -m 1 '^mmu' /proc/cpuinfo | sed 's/.*: //')"
    echo "smoke: nproc: $(nproc)"
    echo "smoke: md5 of seq 1 100000: $(seq 1 100000 | md5sum | cut -d ' ' -f 1)"
    if [ -e /dev/rtc0 ]; then
        echo "smoke: rtc: $(hwclock -r -u -f /dev/rtc0 2>&1)"
    else
        echo "smoke: rtc: no /dev/rtc0"
    fi
    echo "smoke: date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "smoke: virtio devices: $(ls /sys/bus/virtio/devices 2>/dev/null | wc -l)"
    echo "smoke: done"
    ;;
echo)
    echo "echo: type a line"
    read -r line
    echo "echo: got: $line"
    ;;
serial2)
    echo "serial2: ports: $(ls /dev/ttyS* | head -n 4 | tr '\n' ' ')"
    echo "serial2: $(dmesg | grep -c 'ttyS[0-9].*16550') 16550 ports registered"
    stty -F /dev/ttyS1 raw -echo 2>/dev/null
    exec 3<>/dev/ttyS1
    echo "serial2: type a line" >&3
    if read -r -t 20 line <&3; then
        echo "serial2: ttyS1 got: $line" >&3
        echo "serial2: ttyS1 got: $line"
    else
        echo "serial2: no line on ttyS1"
    fi
    exec 3>&-
    ;;
disk)
    echo "disk: block devices: $(ls /sys/block | grep vd | tr '\n' ' ')"
    mkdir -p /mnt
    if mount -t ext4 /dev/vda /mnt; then
        (cd /mnt && find . -type f ! -path './lost+found/*' | sort | while read -r f; do
            echo "disk: md5 $(md5sum "$f")"
        done)
        echo "written by the guest" > /mnt/written.txt
        sync
        echo "disk: wrote $(cat /mnt/written.txt | wc -c) bytes"
        if [ -n "${hold:-}" ]; then
            echo "disk: holding"
            read -r _ || true
        fi
        umount /mnt && echo "disk: unmounted"
    else
        echo "disk: mount failed"
    fi
    if grep -q virtio /sys/class/misc/hw_random/rng_available 2>/dev/null; then
        echo "disk: hwrng md5 $(head -c 64 /dev/hwrng | md5sum | cut -d ' ' -f 1)"
    fi
    echo "disk: done"
    ;;
diskbench)
    echo "diskbench: write start ${mb:-64} MiB"
    dd if=/dev/zero of=/dev/vda bs=1M count="${mb:-64}" conv=fsync 2>&1 | sed 's/^/diskbench: dd: /'
    echo "diskbench: write done"
    echo 3 >/proc/sys/vm/drop_caches
    echo "diskbench: read start"
    dd if=/dev/vda of=/dev/null bs=1M count="${mb:-64}" 2>&1 | sed 's/^/diskbench: dd: /'
    echo "diskbench: read done"
    ;;
net|netserve)
    # udhcpc only reports the lease: this script applies it.
    cat >/tmp/udhcpc.sh <<'EOS'
#!/bin/sh
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; done
    echo "net: lease $ip/${mask:-24} router $router dns $dns"
    ;;
esac
EOS
    chmod +x /tmp/udhcpc.sh
    ip link set lo up
    ip link set eth0 up
    echo "net: eth0 mac $(cat /sys/class/net/eth0/address 2>/dev/null)"
    if udhcpc -i eth0 -s /tmp/udhcpc.sh -q -n -t 5 -T 2 >/tmp/udhcpc.log 2>&1; then
        grep '^net:' /tmp/udhcpc.log
        if [ "$scenario" = net ]; then
            echo "net: md5 $(wget -q -O - "http://10.0.2.2:${port:-8000}/file" | md5sum | cut -d ' ' -f 1)"
        else
            mkdir -p /tmp/www
            seq 1 20000 >/tmp/www/data
            echo "netserve: md5 $(md5sum </tmp/www/data | cut -d ' ' -f 1)"
            httpd -f -vv -p 80 -h /tmp/www 2>/tmp/httpd.log &
            echo "netserve: ready"
            n=0
            while ! grep -q 'url:/data' /tmp/httpd.log 2>/dev/null && [ $n -lt 60 ]; do
                sleep 1
                n=$((n + 1))
            done
            sleep 1
            echo "netserve: served $(grep -c 'url:/data' /tmp/httpd.log) requests"
        fi
    else
        echo "net: dhcp failed"
        cat /tmp/udhcpc.log
    fi
    echo "net: done"
    ;;
display)
    if [ -e /dev/fb0 ]; then
        echo "display: fb0 $(cat /sys/class/graphics/fb0/name) $(cat /sys/class/graphics/fb0/virtual_size)"
    else
        echo "display: no /dev/fb0"
    fi
    echo 0 >/sys/class/graphics/fbcon/cursor_blink 2>/dev/null
    printf '\033[2J\033[H\033[?25l' >/dev/tty0
    for i in 1 2 3 4; do
        echo "deja display test line $i: the quick brown fox jumps over the lazy dog" >/dev/tty0
    done
    sleep 1
    echo "display: ready"
    sleep 20
    ;;
audio)
    # deja-audio comes from tests/e2e/audio_linux.sh (an extra initrd
    # archive): capture (md5 + RMS), then a tone played for the wav test.
    echo "audio: card: $(head -n 1 /proc/asound/cards 2>/dev/null)"
    echo "audio: devices: $(ls /dev/snd 2>/dev/null | tr '\n' ' ')"
    if [ -x /bin/deja-audio ]; then
        deja-audio capture 2 /tmp/capture.raw &&
            echo "audio: capture md5 $(md5sum </tmp/capture.raw | cut -d ' ' -f 1)"
        deja-audio play 1000 1
    else
        echo "audio: no /bin/deja-audio"
    fi
    echo "audio: done"
    ;;
input)
    # virtio-input test (tests/e2e/input_linux.sh): names each evdev
    # device, prints every event read from /dev/input/event* (SYN_REPORT
    # left out) as "input: eventN type T code C value V", and powers off
    # once Esc (code 1) is released.
    for dev in /dev/input/event*; do
        [ -e "$dev" ] || { echo "input: no /dev/input/event*"; break; }
        n=${dev##*/}
        echo "input: $n: $(cat /sys/class/input/$n/device/name 2>/dev/null)"
        (
            exec 3<"$dev" # one open for all reads: each open is a new evdev client
            while :; do
                set -- $(dd bs=24 count=1 <&3 2>/dev/null | od -An -tu2 -j16 -v)
                [ $# -eq 4 ] || continue
                [ "$1" = 0 ] && continue
                v=$(($3 + $4 * 65536))
                [ "$4" -ge 32768 ] && v=$((v - 4294967296))
                echo "input: $n type $1 code $2 value $v"
                [ "$1" = 1 ] && [ "$2" = 1 ] && [ $v = 0 ] && touch /tmp/input-done
            done
        ) &
    done
    sleep 1
    echo "input: ready"
    while [ ! -e /tmp/input-done ]; do sleep 1; done
    echo "input: done"
    ;;
upper)
    stty -echo 2>/dev/null
    echo "upper: ready"
    n=0
    while read -r line; do
        [ "$line" = quit ] && break
        n=$((n + 1))
        echo "upper $n: $(echo "$line" | tr a-z A-Z)"
    done
    echo "upper: $n lines"
    ;;
shell)
    echo "deja-init: starting a shell; exit it to power off"
    setsid cttyhack sh -l
    ;;
*)
    echo "deja-init: unknown scenario '$scenario' (known: shell, smoke, echo, upper, serial2, disk, diskbench, net, netserve, display, audio, input)"
    ;;
esac
echo "deja-init: powering off"
poweroff -f
