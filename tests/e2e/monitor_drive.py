#!/usr/bin/env python3
"""Drives deja's human monitor over a unix socket for tests/e2e/monitor.sh.

usage: monitor_drive.py SCENARIO SOCKET OUTFILE -- DEJA ARGS...
Starts deja (serial on its stdin/stdout), connects to the monitor socket,
runs the scenario, writes the serial output to OUTFILE and prints
"ok NAME" / "FAIL NAME: why" lines. Exit 0 if all passed, 1 otherwise."""
import os
import re
import select
import socket
import subprocess
import sys
import time

failures = 0


def ok(name):
    print("ok   " + name)


def bad(name, why):
    global failures
    failures += 1
    print("FAIL %s: %s" % (name, why))


class Deja:
    def __init__(self, sock_path, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.serial = b""
        deadline = time.time() + 10
        while True:
            try:
                self.mon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.mon.connect(sock_path)
                break
            except OSError:
                self.mon.close()
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("cannot connect to the monitor")
                time.sleep(0.05)
        self.mon_buf = b""
        self.read_prompt()

    def pump(self, timeout):
        fds = [self.mon, self.proc.stdout]
        r, _, _ = select.select(fds, [], [], timeout)
        if self.proc.stdout in r:
            data = os.read(self.proc.stdout.fileno(), 4096)
            self.serial += data
        if self.mon in r:
            data = self.mon.recv(4096)
            if not data:
                raise EOFError("monitor closed")
            self.mon_buf += data

    def read_prompt(self, timeout=10):
        deadline = time.time() + timeout
        while b"(deja) " not in self.mon_buf:
            if time.time() > deadline:
                raise TimeoutError("no prompt; got %r" % self.mon_buf)
            self.pump(0.1)
        text, _, self.mon_buf = self.mon_buf.partition(b"(deja) ")
        return text.decode(errors="replace").replace("\r\n", "\n")

    def cmd(self, line):
        self.mon.sendall(line.encode() + b"\n")
        return self.read_prompt()

    def wait_serial(self, text, timeout=10):
        deadline = time.time() + timeout
        while self.serial.count(text[0]) < text[1]:
            if time.time() > deadline:
                return False
            if self.proc.poll() is not None:
                # drain what is left
                rest = self.proc.stdout.read()
                self.serial += rest
                return self.serial.count(text[0]) >= text[1]
            try:
                self.pump(0.1)
            except EOFError:
                pass
        return True

    def send_serial(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def finish(self, timeout=20):
        try:
            self.mon.sendall(b"")
        except OSError:
            pass
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.serial += out
        return self.proc.returncode


def scenario_basic(d):
    out = d.cmd("info status")
    if "VM status: paused" in out:
        ok("info-status-paused")
    else:
        bad("info-status-paused", repr(out))
    out = d.cmd("info registers")
    if re.search(r"^ pc +[0-9a-f]{16}$", out, re.M) and re.search(
            r"^ x0/zero +0{16} x1/ra +[0-9a-f]{16} x2/sp +[0-9a-f]{16} x3/gp +[0-9a-f]{16}$", out,
            re.M) and re.search(r"^ priv +M$", out, re.M) and re.search(r"^ mstatus +[0-9a-f]{16}$", out, re.M):
        ok("info-registers")
    else:
        bad("info-registers", repr(out))
    out = d.cmd("cont")
    if not d.wait_serial((b"ready", 1)):
        bad("cont", "no 'ready' on the serial port")
    else:
        ok("cont")
    d.cmd("stop")
    out = d.cmd("info status")
    if "VM status: paused" in out:
        ok("stop")
    else:
        bad("stop", repr(out))
    xp = d.cmd("xp /4xw 0x80000000")
    x = d.cmd("x /4xw 0x80000000")
    if re.fullmatch(r"0000000080000000:( 0x[0-9a-f]{8}){4}\n", xp) and x == xp:
        ok("x-xp")
    else:
        bad("x-xp", "%r / %r" % (xp, x))
    out = d.cmd("xp /2xg 0x80000000")
    words = re.findall(r"0x([0-9a-f]{16})", out)
    xw = re.findall(r"0x([0-9a-f]{8})", xp)
    if len(words) == 2 and words[0] == xw[1] + xw[0]:
        ok("xp-giant")
    else:
        bad("xp-giant", repr(out))
    out = d.cmd("xp /3db 0x80000000")
    if re.fullmatch(r"0000000080000000:( -?\d+){3}\n", out):
        ok("xp-decimal")
    else:
        bad("xp-decimal", repr(out))
    out = d.cmd("xp /1xw 0x10")
    if "Cannot access memory" in out:
        ok("xp-not-ram")
    else:
        bad("xp-not-ram", repr(out))
    out = d.cmd("foo bar")
    if out.strip() == "unknown command: 'foo'":
        ok("unknown-command")
    else:
        bad("unknown-command", repr(out))
    out = d.cmd("x /3i $pc")
    if "not supported" in out:
        ok("x-i-refused")
    else:
        bad("x-i-refused", repr(out))
    out = d.cmd("info qtree")
    if re.search(r"dev: \S+, addr 0x10000000, size 0x[0-9a-f]+, irq 10", out):
        ok("info-qtree")
    else:
        bad("info-qtree", repr(out))
    out = d.cmd("info replay")
    if out.strip() == "Record/replay is not active":
        ok("info-replay-off")
    else:
        bad("info-replay-off", repr(out))
    d.cmd("cont")
    d.send_serial(b"ab")
    if d.wait_serial((b"AB", 1)):
        ok("serial-after-cont")
    else:
        bad("serial-after-cont", repr(d.serial))
    d.mon.sendall(b"quit\n")
    status = d.finish()
    if status == 0:
        ok("quit")
    else:
        bad("quit", "exit status %d" % status)


def scenario_record(d):
    d.cmd("cont")
    if not d.wait_serial((b"ready", 1)):
        bad("record-ready", repr(d.serial))
    out = d.cmd("info replay")
    if re.fullmatch(r"Recording execution in file '.*'\n", out):
        ok("info-replay-record")
    else:
        bad("info-replay-record", repr(out))
    d.send_serial(b"x")
    d.wait_serial((b"X", 1))
    d.cmd("system_reset")
    if d.wait_serial((b"ready", 2)):
        ok("record-reset")
    else:
        bad("record-reset", repr(d.serial))
    d.send_serial(b"yz")
    d.wait_serial((b"YZ", 1))
    d.send_serial(b"q")
    status = d.finish()
    if status == 5:
        ok("record-exit")
    else:
        bad("record-exit", "status %d" % status)


def scenario_quit_after(d, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        d.pump(0.1)
    d.mon.sendall(b"quit\n")
    status = d.finish()
    if status == 0:
        ok("record-quit")
    else:
        bad("record-quit", "status %d" % status)


def scenario_break(d, icount, want_status):
    out = d.cmd("replay_break %d" % icount)
    if out:
        bad("replay-break-set", repr(out))
    d.cmd("cont")
    deadline = time.time() + 20
    while time.time() < deadline:
        out = d.cmd("info status")
        if "paused" in out:
            break
        time.sleep(0.05)
    out = d.cmd("info replay")
    want = "instruction count = %d" % icount
    # the first line; replay_seek's lines (docs/replay.md) follow it
    if out.split("\n")[0].endswith(want) and out.startswith("Replaying execution '"):
        ok("replay-break")
    else:
        bad("replay-break", repr(out))
    out = d.cmd("system_reset")
    if "not allowed while replaying" in out:
        ok("replay-refuses-reset")
    else:
        bad("replay-refuses-reset", repr(out))
    d.cmd("cont")
    status = d.finish()
    if status == want_status:
        ok("replay-after-break")
    else:
        bad("replay-after-break", "status %d" % status)


def run_mux(argv, outfile):
    """-nographic: Ctrl-A c to the monitor and back, on a pty."""
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    seen = b""

    def expect(text, timeout=10):
        nonlocal seen
        deadline = time.time() + timeout
        while text not in seen and time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        return text in seen

    if expect(b"ready"):
        ok("mux-console")
    else:
        bad("mux-console", repr(seen))
    seen = b""
    os.write(master, b"\x01c")
    if expect(b"(deja) "):
        ok("mux-ctrl-a-c")
    else:
        bad("mux-ctrl-a-c", repr(seen))
    seen = b""
    os.write(master, b"info status\r")
    if expect(b"VM status: running") and expect(b"(deja) "):
        ok("mux-command")
    else:
        bad("mux-command", repr(seen))
    os.write(master, b"\x01c")
    time.sleep(0.2)
    seen = b""
    os.write(master, b"hi")
    if expect(b"HI"):
        ok("mux-back-to-console")
    else:
        bad("mux-back-to-console", repr(seen))
    os.write(master, b"\x01x")
    try:
        status = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = proc.wait()
    if status == 0:
        ok("mux-quit")
    else:
        bad("mux-quit", "status %d" % status)
    os.close(master)
    with open(outfile, "wb") as f:
        f.write(seen)
    return 1 if failures else 0


def main():
    scenario, sock, outfile = sys.argv[1:4]
    argv = sys.argv[5:]
    if scenario == "mux":
        return run_mux(argv, outfile)
    try:
        d = Deja(sock, argv)
    except Exception as e:  # noqa: BLE001 - reported as a failure
        bad(scenario, str(e))
        return 1
    try:
        if scenario == "basic":
            scenario_basic(d)
        elif scenario == "record":
            scenario_record(d)
        elif scenario.startswith("break:"):
            _, icount, status = scenario.split(":")
            scenario_break(d, int(icount), int(status))
        elif scenario.startswith("quit-after:"):
            scenario_quit_after(d, float(scenario[11:]))
    except Exception as e:  # noqa: BLE001
        bad(scenario, "%s: %s" % (type(e).__name__, e))
        if d.proc.poll() is None:
            d.proc.kill()
        d.finish()
    with open(outfile, "wb") as f:
        f.write(d.serial)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
