#!/usr/bin/env python3
"""Drives deja's monitor for tests/e2e/display_linux.sh.

usage: display_drive.py record SOCK SERIAL PREFIX -- deja ARGS...
       display_drive.py replay SOCK SERIAL PREFIX ICOUNT -- deja ARGS...

record: waits for "display: ready" in the SERIAL file, lets the guest go
idle, stops, writes PREFIX.ppm, PREFIX.png and (-f png) PREFIX.forced with
screendump, quits.
replay: (deja started with -S) sets replay_break ICOUNT, continues, waits
for the pause, writes the same dumps, seeks back 10^8 instructions and
forward to ICOUNT again (replay_seek), writes PREFIX-back.ppm there and
PREFIX-seek.ppm back at ICOUNT, quits. Exit 0 when every
command did what it should, 1 otherwise."""
import os
import socket
import subprocess
import sys
import time

PROMPT = b"(deja) "


class Monitor:
    def __init__(self, sock_path, proc):
        deadline = time.time() + 15
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(sock_path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("cannot connect to the monitor at %s" % sock_path)
                time.sleep(0.05)
        self.sock.settimeout(60)
        self.buf = b""
        self.read_prompt()

    def read_prompt(self):
        while PROMPT not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("monitor closed")
            self.buf += data
        text, _, self.buf = self.buf.partition(PROMPT)
        return text.decode(errors="replace").replace("\r\n", "\n")

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\n")
        out = self.read_prompt()
        print("(deja) %s\n%s" % (line, out), end="")
        return out


def wait_file(path, text, proc, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path, "rb") as f:
                if text in f.read():
                    return True
        except OSError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def main():
    sep = sys.argv.index("--")
    args, argv = sys.argv[1:sep], sys.argv[sep + 1:]
    mode, sock, serial, prefix = args[:4]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    ok = True
    try:
        mon = Monitor(sock, proc)
        if mode == "record":
            if not wait_file(serial, b"display: ready", proc, 90):
                print("display_drive: no 'display: ready' from the guest")
                ok = False
            time.sleep(0.5)
            mon.cmd("stop")
        else:
            if mon.cmd("replay_break %s" % args[4]):
                ok = False
            mon.cmd("cont")
            deadline = time.time() + 60
            while "paused" not in mon.cmd("info status"):
                if time.time() > deadline:
                    print("display_drive: the replay did not pause at the break")
                    ok = False
                    break
                time.sleep(0.2)
            mon.cmd("info replay")
        for ext in ("ppm", "png"):
            if mon.cmd("screendump %s.%s" % (prefix, ext)):
                ok = False
        if mon.cmd("screendump -f png %s.forced" % prefix):  # format by option
            ok = False
        mon.cmd("screendump")  # error path: must answer, not crash
        if mode == "replay":
            # Back to an earlier point (a checkpoint restore loads the
            # device state) and forward again: the same picture.
            icount = int(args[4])
            mon.cmd("replay_seek %d" % (icount - 100000000))
            mon.cmd("screendump %s-back.ppm" % prefix)
            mon.cmd("replay_seek %d" % icount)
            if ("instruction count = %d" % icount) not in mon.cmd("info replay"):
                ok = False
            if mon.cmd("screendump %s-seek.ppm" % prefix):
                ok = False
        mon.sock.sendall(b"quit\n")
    except (RuntimeError, EOFError, OSError) as e:
        print("display_drive: %s" % e)
        ok = False
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print("display_drive: deja did not exit after quit")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
