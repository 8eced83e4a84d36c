#!/usr/bin/env python3
"""Drives replay_seek over the monitor for tests/e2e/replay_seek.sh and
bench/seek.sh.

usage: seek_drive.py MODE SOCKET END SEED COUNT -- DEJA ARGS...
  MODE  reference: a straight replay paused at each target in ascending
        order with replay_break; prints "T DIGEST" lines.
        seek: replay_seek to each target in a fixed pseudo-random order
        (forwards and backwards), checks `info replay` lands exactly
        there, prints "T DIGEST MS" lines (MS: wall time of the seek as
        seen by the client), then `cont` to the end.
        latency: (bench) seeks to END - 1 first (checkpoints all along),
        then times each seek (until `info status` answers), prints the
        median and the worst.
  SEED  seeds the targets, or list=T1,T2,... gives them.
  END   the trace's end instruction count; targets lie in [1, END), or
        in [1, SPAN) when given as END:SPAN.
deja is started with -S (paused); its stderr goes to ours.
Exit 0 if all went well, 1 otherwise."""
import random
import re
import socket
import subprocess
import sys
import time


class Monitor:
    def __init__(self, path, proc):
        deadline = time.time() + 20
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("cannot connect to the monitor")
                time.sleep(0.05)
        self.buf = b""
        self.read_prompt()

    def read_prompt(self, timeout=60):
        deadline = time.time() + timeout
        self.s.settimeout(1)
        while b"(deja) " not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no prompt; got %r" % self.buf)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise EOFError("monitor closed")
            self.buf += data
        text, _, self.buf = self.buf.partition(b"(deja) ")
        return text.decode(errors="replace").replace("\r\n", "\n")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self.read_prompt()


def info(mon):
    out = mon.cmd("info replay")
    m = re.search(r"instruction count = (\d+)", out)
    d = re.search(r"State digest: ([0-9a-f]{16})", out)
    if not m or not d:
        raise RuntimeError("unexpected info replay output: %r" % out)
    return int(m.group(1)), d.group(1), out


def wait_paused(mon, timeout=60):
    deadline = time.time() + timeout
    while "paused" not in mon.cmd("info status"):
        if time.time() > deadline:
            raise TimeoutError("the machine did not pause")
        time.sleep(0.01)


def targets(end, seed, count):
    rng = random.Random(seed)
    return [rng.randrange(1, end) for _ in range(count)]


def main():
    sep = sys.argv.index("--")
    mode, path, end, seed, count = sys.argv[1:sep]
    argv = sys.argv[sep + 1:]
    end, _, span = end.partition(":")
    end, count = int(end), int(count)
    if seed.startswith("list="):
        ts = [int(t) for t in seed[5:].split(",")]
    else:
        ts = targets(int(span) if span else end, int(seed), count)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    failed = False
    try:
        mon = Monitor(path, proc)
        if mode == "reference":
            for t in sorted(set(ts)):
                out = mon.cmd("replay_break %d" % t)
                if out.strip():
                    raise RuntimeError("replay_break %d: %s" % (t, out))
                mon.cmd("cont")
                wait_paused(mon)
                at, digest, _ = info(mon)
                if at != t:
                    print("FAIL reference: paused at %d, not %d" % (at, t))
                    failed = True
                print("%d %s" % (t, digest), flush=True)
            mon.cmd("quit")
        elif mode == "latency":
            mon.cmd("replay_seek %d" % (end - 1))  # warm-up: checkpoints all along
            wait_paused(mon, 600)
            times, inside, cpu, replayed = [], [], [], []
            for t in ts:
                t0 = time.time()
                out = mon.cmd("replay_seek %d" % t)
                status = mon.cmd("info status")  # held until the seek is done
                times.append((time.time() - t0) * 1000)
                if out.strip() or "paused" not in status:
                    print("FAIL replay_seek %d: %s %s" % (t, out.strip(), status.strip()))
                    failed = True
                at, _, text = info(mon)
                if at != t:
                    print("FAIL latency: landed at %d, not %d" % (at, t))
                    failed = True
                m = re.search(r"Last seek: ([0-9.]+) ms \(CPU ([0-9.]+) ms\).* (\d+) instructions "
                              r"replayed", text)
                if m:
                    inside.append(float(m.group(1)))
                    cpu.append(float(m.group(2)))
                    replayed.append(int(m.group(3)))

            def stat(v):
                v = sorted(v)
                return "median %.1f ms worst %.1f ms" % (v[len(v) // 2], v[-1]) if v else "-"
            print("%d seeks: client %s; in deja %s; CPU %s; replayed at most %d instructions" %
                  (len(times), stat(times), stat(inside), stat(cpu), max(replayed or [0])))
            for line in text.splitlines():
                if line.startswith("Checkpoints:"):
                    print(line)
            mon.cmd("quit")
        else:
            # a seek past the end and a malformed one are refused, clearly
            out = mon.cmd("replay_seek %d" % (end + 1000))
            if "past the end of the trace" not in out:
                print("FAIL seek-past-end: %r" % out)
                failed = True
            out = mon.cmd("replay_seek banana")
            if "instruction count expected" not in out:
                print("FAIL seek-garbage: %r" % out)
                failed = True
            for t in ts:
                t0 = time.time()
                out = mon.cmd("replay_seek %d" % t)
                if out.strip():
                    print("FAIL replay_seek %d: %s" % (t, out.strip()))
                    failed = True
                    continue
                at, digest, text = info(mon)
                ms = (time.time() - t0) * 1000
                if "paused" not in mon.cmd("info status"):
                    print("FAIL seek %d: not paused" % t)
                    failed = True
                if at != t:
                    print("FAIL seek %d: landed at %d" % (t, at))
                    failed = True
                print("%d %s %.1f" % (t, digest, ms), flush=True)
            mon.s.sendall(b"cont\n")
        rc = proc.wait(timeout=120)
        print("exit %d" % rc, flush=True)
    except Exception as e:  # noqa: BLE001 - any failure is a test failure
        print("FAIL %s: %s" % (mode, e))
        failed = True
        proc.kill()
        proc.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
