#!/usr/bin/env python3
"""Drives deja's QMP (docs/qmp.md) for tests/e2e/qmp.sh.

usage: qmp_client.py SCENARIO ADDRESS OUTFILE -- DEJA ARGS...
ADDRESS is a unix socket path or HOST:PORT. Starts deja (serial on its
stdin/stdout), connects as QEMU's Python QMP client does (greeting,
qmp_capabilities, then commands with ids, events interleaved), runs the
scenario, writes the serial output to OUTFILE and prints "ok NAME" /
"FAIL NAME: why". Exit 0 if all passed, 1 otherwise.

Standard library only. The client class has the API of QEMU's legacy
QEMUMonitorProtocol (connect, cmd_obj, cmd, pull_event, get_events,
close); with QMP_CLIENT=qemu the scenarios run through qemu.qmp's own
class instead (not packaged in Debian; see docs/qmp.md)."""
import json
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


def check(name, cond, why=""):
    if cond:
        ok(name)
    else:
        bad(name, why)


class QMPError(Exception):
    pass


class Client:
    """A minimal QMP client: one JSON object per line, replies matched by
    id, events queued, as qemu.qmp does."""

    def __init__(self, address):
        self.address = address
        self.sock = None
        self.buf = b""
        self.events = []
        self.next_id = 0
        self.greeting = None

    def _open(self, timeout):
        deadline = time.time() + timeout
        while True:
            if isinstance(self.address, tuple):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            else:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.address)
                return s
            except OSError:
                s.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def connect(self, negotiate=True, timeout=10):
        self.sock = self._open(timeout)
        self.greeting = self._read_message(timeout)
        if "QMP" not in self.greeting:
            raise QMPError("bad greeting %r" % self.greeting)
        if negotiate:
            # As qemu.qmp's QMPClient._negotiate: empty arguments (no oob
            # offered), no id, the reply must be a return.
            self.sock.sendall(json.dumps({"execute": "qmp_capabilities", "arguments": {}}).encode())
            resp = self.read_reply()
            if "return" not in resp or "error" in resp:
                raise QMPError("negotiation failed: %r" % resp)
        return self.greeting

    def send_raw(self, data):
        self.sock.sendall(data)

    def _read_message(self, timeout=20):
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no QMP message; have %r" % self.buf)
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError("QMP connection closed")
                self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line.decode())

    def read_reply(self, timeout=20):
        """The next non-event message (events are queued)."""
        while True:
            msg = self._read_message(timeout)
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd_obj(self, obj, timeout=20):
        obj = dict(obj)
        if "id" not in obj:
            self.next_id += 1
            obj["id"] = "__qmp#%05d" % self.next_id  # qemu.qmp's ids
        self.sock.sendall(json.dumps(obj).encode())
        while True:
            msg = self.read_reply(timeout)
            if msg.get("id") == obj["id"]:
                return msg
            raise QMPError("reply %r does not match id %r" % (msg, obj["id"]))

    def cmd(self, name, args=None):
        obj = {"execute": name}
        if args is not None:
            obj["arguments"] = args
        return self.cmd_obj(obj)

    def pull_event(self, wait=False):
        if not self.events and wait:
            timeout = 20 if wait is True else wait
            self.events.append(self._read_message_event(timeout))
        return self.events.pop(0) if self.events else None

    def _read_message_event(self, timeout):
        msg = self._read_message(timeout)
        if "event" not in msg:
            raise QMPError("expected an event, got %r" % msg)
        return msg

    def get_events(self, wait=False):
        if wait and not self.events:
            self.events.append(self._read_message_event(20 if wait is True else wait))
        events, self.events = self.events, []
        return events

    def wait_eof(self, timeout=20):
        """Reads until the server closes (after quit), queueing events."""
        try:
            while True:
                msg = self._read_message(timeout)
                if "event" in msg:
                    self.events.append(msg)
        except EOFError:
            return True
        except (TimeoutError, OSError):
            return False

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


def make_client(address):
    if os.environ.get("QMP_CLIENT") == "qemu":
        from qemu.qmp.legacy import QEMUMonitorProtocol  # noqa: E402
        return QEMUMonitorProtocol(address)
    return Client(address)


class Deja:
    def __init__(self, address, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.serial = b""
        self.address = address
        self.finished = False

    def pump(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if r:
            data = os.read(self.proc.stdout.fileno(), 4096)
            self.serial += data
            return bool(data)
        return True

    def wait_serial(self, text, count=1, timeout=20):
        deadline = time.time() + timeout
        while self.serial.count(text) < count:
            if time.time() > deadline or self.proc.poll() is not None:
                return False
            self.pump(0.1)
        return True

    def send_serial(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def finish(self, timeout=20):
        if self.finished:
            return self.proc.returncode
        self.finished = True
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.serial += out
        return self.proc.returncode


def is_error(resp, klass=None):
    return ("error" in resp and set(resp["error"]) >= {"class", "desc"} and
            isinstance(resp["error"]["desc"], str) and
            (klass is None or resp["error"]["class"] == klass))


def check_event(name, ev, want):
    good = (ev is not None and ev.get("event") == want and
            isinstance(ev.get("timestamp", {}).get("seconds"), int) and
            isinstance(ev.get("timestamp", {}).get("microseconds"), int))
    check(name, good, repr(ev))
    return good


def wait_event(q, want, timeout=20):
    """Pulls events until `want` (others are dropped); None on timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            ev = q.pull_event(wait=max(0.1, deadline - time.time()))
        except Exception:
            return None
        if ev and ev.get("event") == want:
            return ev
    return None


def scenario_basic(d):
    # A client that asks for a lot and never reads: deja goes on (it is
    # disconnected once 16 MiB wait for it), the next client is served.
    hog = Client(d.address)
    hog.connect()
    big = {"execute": "human-monitor-command", "arguments": {"command-line": "xp /65536xg 0x80000000"}}
    for _ in range(12):
        hog.send_raw(json.dumps(big).encode())
    time.sleep(1)
    hog.close()
    # Raw client first: the greeting, and negotiation being required.
    raw = Client(d.address)
    greeting = raw.connect(negotiate=False)
    g = greeting.get("QMP", {})
    v = g.get("version", {}).get("qemu", {})
    check("greeting", isinstance(g.get("capabilities"), list) and
          all(isinstance(v.get(k), int) for k in ("major", "minor", "micro")) and
          isinstance(g.get("version", {}).get("package"), str), repr(greeting))
    resp = raw.cmd("query-status")
    check("capabilities-required", is_error(resp, "CommandNotFound") and
          "qmp_capabilities" in resp["error"]["desc"], repr(resp))
    resp = raw.cmd("qmp_capabilities", {"enable": ["oob"]})
    check("capability-not-offered", is_error(resp, "GenericError"), repr(resp))
    resp = raw.cmd("qmp_capabilities")
    check("capabilities", resp.get("return") == {}, repr(resp))
    resp = raw.cmd("qmp_capabilities")
    check("capabilities-twice", is_error(resp, "CommandNotFound"), repr(resp))

    # Malformed input: every piece gets an error reply, nothing crashes.
    raw.send_raw(b'{"execute": }\n')
    r1 = raw.read_reply()
    raw.send_raw(b'garbage\n')
    r2 = raw.read_reply()
    raw.send_raw(b'[1, 2]\n')
    r3 = raw.read_reply()
    raw.send_raw(b'{"arguments": {}, "id": 7}\n')
    r4 = raw.read_reply()
    raw.send_raw(b'{"execute": 12, "id": 8}\n')
    r5 = raw.read_reply()
    raw.send_raw(b'{"execute": "stop", "arguments": [], "id": 9}\n')
    r6 = raw.read_reply()
    raw.send_raw(b'{"execute": "stop", "bogus": 1, "id": 10}\n')
    r7 = raw.read_reply()
    check("malformed-json", is_error(r1, "GenericError") and "id" not in r1, repr(r1))
    check("malformed-token", is_error(r2, "GenericError"), repr(r2))
    check("malformed-not-object", is_error(r3, "GenericError") and "object" in r3["error"]["desc"], repr(r3))
    check("malformed-no-execute", is_error(r4) and r4.get("id") == 7, repr(r4))
    check("malformed-execute-type", is_error(r5) and r5.get("id") == 8, repr(r5))
    check("malformed-arguments-type", is_error(r6) and r6.get("id") == 9, repr(r6))
    check("malformed-member", is_error(r7) and r7.get("id") == 10, repr(r7))
    # Two requests in one write, one split over two writes, then a deep one.
    raw.send_raw(b'{"execute": "query-name", "id": 1}{"execute": "query-kvm", "id": 2}\n')
    a, b = raw.read_reply(), raw.read_reply()
    raw.send_raw(b'{"execute": "query-')
    time.sleep(0.1)
    raw.send_raw(b'target", "id": "x\\"}"}')
    c = raw.read_reply()
    raw.send_raw(b"[" * 5000 + b"\n")
    deep = raw.read_reply()
    check("pipelined-requests", a.get("id") == 1 and b.get("id") == 2 and
          b.get("return", {}).get("enabled") is False, repr((a, b)))
    check("split-request", c.get("id") == 'x"}' and c.get("return") == {"arch": "riscv64"}, repr(c))
    check("too-deep", is_error(deep), repr(deep))
    resp = raw.cmd("frobnicate")
    check("unknown-command", is_error(resp, "CommandNotFound") and
          "frobnicate" in resp["error"]["desc"], repr(resp))
    resp = raw.cmd("replay-break", {"icount": "10"})
    check("wrong-argument-type", is_error(resp, "GenericError") and "icount" in resp["error"]["desc"], repr(resp))
    resp = raw.cmd("replay-break", {})
    check("missing-argument", is_error(resp, "GenericError") and "missing" in resp["error"]["desc"], repr(resp))
    resp = raw.cmd("query-status", {"verbose": True})
    check("unexpected-argument", is_error(resp, "GenericError") and "verbose" in resp["error"]["desc"], repr(resp))
    raw.close()

    # Then the protocol as QEMU's Python client speaks it: a new
    # connection gets a new greeting and negotiates again.
    q = make_client(d.address)
    q.connect()
    ok("reconnect-greeting")
    resp = q.cmd_obj({"execute": "query-status"})
    check("query-status-prelaunch", resp.get("return") ==
          {"running": False, "singlestep": False, "status": "prelaunch"}, repr(resp))
    resp = q.cmd_obj({"execute": "query-replay"})
    check("query-replay-none", resp.get("return") == {"mode": "none", "icount": 0}, repr(resp))
    resp = q.cmd_obj({"execute": "replay-break", "arguments": {"icount": 1000}})
    check("replay-break-needs-replay", is_error(resp), repr(resp))
    resp = q.cmd_obj({"execute": "replay-seek", "arguments": {"icount": 1000}})
    check("replay-seek-needs-replay", is_error(resp), repr(resp))
    resp = q.cmd_obj({"execute": "query-commands"})
    names = {c["name"] for c in resp.get("return", [])}
    check("query-commands", names >= {"qmp_capabilities", "query-status", "query-replay", "replay-break",
                                      "replay-delete-break", "replay-seek", "stop", "cont", "quit",
                                      "system_reset", "system_powerdown", "human-monitor-command"},
          repr(resp))
    resp = q.cmd_obj({"execute": "query-version"})
    check("query-version", resp.get("return", {}).get("qemu", {}).get("major") == 7, repr(resp))

    resp = q.cmd_obj({"execute": "cont"})
    check("cont", resp.get("return") == {}, repr(resp))
    check_event("resume-event", wait_event(q, "RESUME"), "RESUME")
    check("guest-runs", d.wait_serial(b"ready"), repr(d.serial))
    resp = q.cmd_obj({"execute": "query-status"})
    check("query-status-running", resp.get("return") ==
          {"running": True, "singlestep": False, "status": "running"}, repr(resp))
    resp = q.cmd_obj({"execute": "stop"})
    check("stop", resp.get("return") == {}, repr(resp))
    check_event("stop-event", wait_event(q, "STOP"), "STOP")
    resp = q.cmd_obj({"execute": "query-status"})
    check("query-status-paused", resp.get("return") ==
          {"running": False, "singlestep": False, "status": "paused"}, repr(resp))
    resp = q.cmd_obj({"execute": "human-monitor-command",
                      "arguments": {"command-line": "info registers"}})
    out = resp.get("return", "")
    check("hmp-info-registers", isinstance(out, str) and
          re.search(r"^ pc +[0-9a-f]{16}\r$", out, re.M) and
          re.search(r"^ x0/zero +0{16} ", out, re.M), repr(resp))
    resp = q.cmd_obj({"execute": "human-monitor-command",
                      "arguments": {"command-line": "xp /65536xg 0x80000000"}})
    out = resp.get("return", "")
    check("hmp-big-output", out.count("\r\n") == 32768 and out.startswith("0000000080000000: 0x"),
          "%d lines" % out.count("\r\n"))
    resp = q.cmd_obj({"execute": "human-monitor-command",
                      "arguments": {"command-line": "info status", "cpu-index": 0}})
    check("hmp-info-status", resp.get("return") == "VM status: paused\r\nReplay mode: none\r\n", repr(resp))
    resp = q.cmd_obj({"execute": "human-monitor-command", "arguments": {"command-line": "cont"}})
    check("hmp-cont", resp.get("return") == "" and wait_event(q, "RESUME") is not None, repr(resp))
    resp = q.cmd_obj({"execute": "human-monitor-command", "arguments": {"command-line": "nope"}})
    check("hmp-unknown", "unknown command" in resp.get("return", ""), repr(resp))
    d.send_serial(b"ab")
    check("serial-after-cont", d.wait_serial(b"AB"), repr(d.serial))
    resp = q.cmd_obj({"execute": "quit"})
    check("quit", resp.get("return") == {}, repr(resp))
    eof = q.wait_eof() if isinstance(q, Client) else True
    ev = wait_event(q, "SHUTDOWN", 5)
    check("shutdown-event", eof and ev is not None and
          ev.get("data") == {"guest": False, "reason": "host-qmp-quit"}, repr(ev))
    status = d.finish()
    check("quit-exit-status", status == 0, "status %d" % status)


def scenario_record(d):
    q = make_client(d.address)
    q.connect()
    resp = q.cmd_obj({"execute": "query-replay"})
    r = resp.get("return", {})
    check("query-replay-record", r.get("mode") == "record" and r.get("filename", "").endswith(".rr")
          and isinstance(r.get("icount"), int), repr(resp))
    q.cmd_obj({"execute": "cont"})
    check("record-ready", d.wait_serial(b"ready"), repr(d.serial))
    d.send_serial(b"x")
    d.wait_serial(b"X")
    resp = q.cmd_obj({"execute": "query-replay"})
    check("record-icount-grows", resp.get("return", {}).get("icount", 0) > 0, repr(resp))
    resp = q.cmd_obj({"execute": "system_reset"})
    check("record-reset", resp.get("return") == {} and d.wait_serial(b"ready", 2), repr(resp))
    ev = wait_event(q, "RESET", 5)
    check("reset-event", ev is not None and ev.get("data", {}).get("guest") is False, repr(ev))
    d.send_serial(b"yz")
    d.wait_serial(b"YZ")
    resp = q.cmd_obj({"execute": "quit"})
    check("record-quit", resp.get("return") == {}, repr(resp))
    ev = wait_event(q, "SHUTDOWN")
    check("record-shutdown-event", ev is not None, repr(ev))
    status = d.finish()
    check("record-exit", status == 0, "status %d" % status)


def scenario_break(d, icount, seek):
    q = make_client(d.address)
    q.connect()
    resp = q.cmd_obj({"execute": "query-replay"})
    r = resp.get("return", {})
    check("query-replay-play", r.get("mode") == "play" and r.get("icount") == 0 and
          r.get("filename", "").endswith(".rr"), repr(resp))
    resp = q.cmd_obj({"execute": "system_reset"})
    check("replay-refuses-reset", is_error(resp, "GenericError"), repr(resp))
    resp = q.cmd_obj({"execute": "replay-break", "arguments": {"icount": -5}})
    check("replay-break-negative", is_error(resp), repr(resp))
    resp = q.cmd_obj({"execute": "replay-break", "arguments": {"icount": icount}})
    check("replay-break-set", resp.get("return") == {}, repr(resp))
    q.cmd_obj({"execute": "cont"})
    ev = wait_event(q, "STOP", 30)
    check_event("replay-break-stop-event", ev, "STOP")
    resp = q.cmd_obj({"execute": "query-replay"})
    check("replay-break-exact", resp.get("return", {}).get("icount") == icount, repr(resp))
    resp = q.cmd_obj({"execute": "query-status"})
    check("replay-break-paused", resp.get("return", {}).get("status") == "paused", repr(resp))
    resp = q.cmd_obj({"execute": "replay-break", "arguments": {"icount": icount - 1}})
    check("replay-break-past", is_error(resp), repr(resp))
    resp = q.cmd_obj({"execute": "replay-break", "arguments": {"icount": icount + 1000}})
    resp2 = q.cmd_obj({"execute": "replay-delete-break"})
    check("replay-delete-break", resp.get("return") == {} and resp2.get("return") == {}, repr((resp, resp2)))
    # replay-seek (backwards, then forwards): either lands exactly
    # (query-replay) or is a QMP error relayed from the seek engine; never
    # a broken reply. A backward seek runs guest code again, so the serial
    # output of this run is not compared.
    for target in ([icount // 2, icount + 3] if seek else []):
        resp = q.cmd_obj({"execute": "replay-seek", "arguments": {"icount": target}})
        if "return" in resp:
            r = q.cmd_obj({"execute": "query-replay"})
            s = q.cmd_obj({"execute": "query-status"})
            check("replay-seek-%d" % target, r.get("return", {}).get("icount") == target and
                  s.get("return", {}).get("status") == "paused", repr((r, s)))
        else:
            check("replay-seek-error-relayed", is_error(resp, "GenericError"), repr(resp))
            print("note replay-seek: %s" % resp["error"]["desc"])
    resp = q.cmd_obj({"execute": "cont"})
    check("replay-cont", resp.get("return") == {}, repr(resp))
    ev = wait_event(q, "SHUTDOWN", 30)
    check("replay-shutdown-event", ev is not None, repr(ev))
    status = d.finish()
    check("replay-exit", status == 0, "status %d" % status)


def scenario_linux_record(d, seconds):
    """A Linux boot recorded for a few seconds, looked at, ended by quit."""
    q = make_client(d.address)
    q.connect()
    resp = q.cmd_obj({"execute": "query-replay"})
    check("linux-query-replay-record", resp.get("return", {}).get("mode") == "record", repr(resp))
    check("linux-boots", d.wait_serial(b"Linux version", 1, 30), repr(d.serial[-200:]))
    deadline = time.time() + seconds
    while time.time() < deadline:
        d.pump(0.1)
    q.cmd_obj({"execute": "stop"})
    check_event("linux-stop-event", wait_event(q, "STOP"), "STOP")
    resp = q.cmd_obj({"execute": "human-monitor-command", "arguments": {"command-line": "info registers"}})
    out = resp.get("return", "")
    check("linux-info-registers", re.search(r"^ priv +[SUM]\r$", out, re.M) and
          re.search(r"^ satp +[0-9a-f]{16}\r$", out, re.M), repr(resp))
    resp = q.cmd_obj({"execute": "query-replay"})
    icount = resp.get("return", {}).get("icount", 0)
    check("linux-icount", icount > 1000000, repr(resp))
    print("icount %d" % icount)
    q.cmd_obj({"execute": "cont"})
    q.cmd_obj({"execute": "quit"})
    ev = wait_event(q, "SHUTDOWN")
    check("linux-shutdown-event", ev is not None and ev.get("data", {}).get("reason") == "host-qmp-quit",
          repr(ev))
    status = d.finish()
    check("linux-record-exit", status == 0, "status %d" % status)


def scenario_mon(d):
    """QMP on -chardev socket + -mon mode=control (QEMUMachine's way)."""
    q = make_client(d.address)
    greeting = q.connect()
    g = greeting.get("QMP", {}) if isinstance(greeting, dict) else {}
    check("mon-greeting", isinstance(g.get("version", {}).get("qemu"), dict) and
          isinstance(g.get("capabilities"), list), repr(greeting))
    resp = q.cmd_obj({"execute": "query-status"})
    check("mon-query-status", resp.get("return", {}).get("status") == "prelaunch" and
          resp.get("return", {}).get("running") is False, repr(resp))
    resp = q.cmd_obj({"execute": "quit"})
    check("mon-quit", resp.get("return") == {}, repr(resp))
    ev = wait_event(q, "SHUTDOWN")
    check("mon-shutdown-event", ev is not None and ev.get("data", {}).get("reason") == "host-qmp-quit",
          repr(ev))
    status = d.finish()
    check("mon-exit", status == 0, "status %d" % status)


def scenario_hmp(d):
    """The human monitor on -chardev socket + -mon mode=readline."""
    deadline = time.time() + 10
    while True:
        family = socket.AF_INET if isinstance(d.address, tuple) else socket.AF_UNIX
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect(d.address)
            break
        except OSError:
            s.close()
            if time.time() > deadline or d.proc.poll() is not None:
                raise
            time.sleep(0.05)
    buf = b""

    def until_prompt():
        nonlocal buf
        end = time.time() + 20
        while b"(deja) " not in buf:
            r, _, _ = select.select([s], [], [], max(0, end - time.time()))
            if not r:
                raise TimeoutError("no monitor prompt; have %r" % buf)
            data = s.recv(4096)
            if not data:
                raise EOFError("monitor closed; have %r" % buf)
            buf += data
        text, _, buf = buf.partition(b"(deja) ")
        return text.decode(errors="replace")

    banner = until_prompt()
    check("mon-hmp-banner", "monitor" in banner.lower(), repr(banner))
    s.sendall(b"info status\n")
    out = until_prompt()
    check("mon-hmp-info-status", "VM status: paused" in out, repr(out))
    s.sendall(b"cont\n")
    until_prompt()
    s.sendall(b"info status\n")
    out = until_prompt()
    check("mon-hmp-cont", "VM status: running" in out, repr(out))
    check("mon-hmp-guest-runs", d.wait_serial(b"ready"), repr(d.serial))
    s.sendall(b"quit\n")
    status = d.finish()
    check("mon-hmp-quit-exit", status == 0, "status %d" % status)
    s.close()


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    scenario, address, outfile = args[:3]
    argv = args[sep + 1:]
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        address = (host, int(port))
    d = Deja(address, argv)
    try:
        name, _, arg = scenario.partition(":")
        if name == "basic":
            scenario_basic(d)
        elif name == "record":
            scenario_record(d)
        elif name in ("break", "seek"):
            scenario_break(d, int(arg), name == "seek")
        elif name == "tcp":
            q = make_client(d.address)
            q.connect()
            resp = q.cmd_obj({"execute": "query-status"})
            check("tcp-query-status", resp.get("return", {}).get("status") == "running", repr(resp))
            check("tcp-guest-runs", d.wait_serial(b"ready"), repr(d.serial))
            d.send_serial(b"q")  # the guest powers off (finisher, status 5)
            ev = wait_event(q, "SHUTDOWN")
            check("guest-shutdown-event", ev is not None and
                  ev.get("data") == {"guest": True, "reason": "guest-shutdown"}, repr(ev))
            status = d.finish()
            check("guest-shutdown-status", status == 5, "status %d" % status)
        elif name == "mon":
            scenario_mon(d)
        elif name == "hmp":
            scenario_hmp(d)
        elif name == "linux-record":
            scenario_linux_record(d, float(arg))
        else:
            raise SystemExit("unknown scenario " + scenario)
    except Exception as e:  # a protocol failure is a test failure, not a traceback
        bad(scenario, "%s: %s" % (type(e).__name__, e))
    finally:
        if d.proc.poll() is None:
            d.proc.kill()
        d.finish()
        with open(outfile, "wb") as f:
            f.write(d.serial)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
