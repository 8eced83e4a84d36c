#!/usr/bin/env python3
"""Drives deja's input paths for tests/e2e/input_linux.sh.

usage: input_drive.py MODE[,MODE...] OUTFILE -- DEJA ARGS...
Starts deja (serial console on its stdout, stdin closed), waits for the
guest's "input: ready", sends input, then Esc (the guest powers off when
it sees Esc released) and waits for deja to exit. The console output goes
to OUTFILE. The modes run in order; Esc goes through the last one. MODE:
  hmp:SOCKET   monitor commands sendkey / mouse_move / mouse_button
  qmp:SOCKET   QMP input-send-event
  xdotool      types into the SDL window (DISPLAY must point at an X server)
  vnc:PORT     an RFB 3.8 client (stdlib only) sends keys and a click
Exit 0 if deja exited with status 0 within the time limit, 1 otherwise."""
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time


# Sanitizer builds run several times slower: wait longer.
SCALE = float(os.environ.get("INPUT_TIMEOUT_SCALE", "1"))


class Deja:
    def __init__(self, argv, outfile):
        self.out = open(outfile, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        self.serial = b""

    def pump(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if r:
            data = os.read(self.proc.stdout.fileno(), 65536)
            self.serial += data
            self.out.write(data)
            self.out.flush()
            return bool(data)
        return True

    def wait_for(self, text, timeout):
        deadline = time.time() + timeout * SCALE
        while text.encode() not in self.serial:
            if time.time() > deadline or self.proc.poll() is not None:
                self.pump(0)
                return text.encode() in self.serial
            self.pump(0.1)
        return True

    def finish(self, timeout):
        deadline = time.time() + timeout * SCALE
        while self.proc.poll() is None and time.time() < deadline:
            self.pump(0.1)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            return None
        while self.pump(0.05) and select.select([self.proc.stdout], [], [], 0)[0]:
            pass
        rest = self.proc.stdout.read()
        self.serial += rest
        self.out.write(rest)
        self.out.close()
        return self.proc.returncode


def connect_unix(path, proc, timeout=15):
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("cannot connect to " + path)
            time.sleep(0.05)


def read_until(sock, marker, deja, timeout=10):
    buf = b""
    deadline = time.time() + timeout
    while marker not in buf:
        if time.time() > deadline:
            raise TimeoutError("waiting for %r, got %r" % (marker, buf))
        deja.pump(0)
        r, _, _ = select.select([sock], [], [], 0.1)
        if r:
            data = sock.recv(4096)
            if not data:
                raise EOFError("connection closed")
            buf += data
    return buf


def mode_hmp(deja, path):
    mon = connect_unix(path, deja.proc)
    read_until(mon, b"(deja) ", deja)
    if not deja.wait_for("input: ready", 60):
        raise RuntimeError("guest not ready")
    for line in ["sendkey a", "sendkey shift-b", "mouse_move 10 -5", "mouse_button 1",
                 "mouse_button 0", "sendkey ctrl-alt-f1"]:
        mon.sendall(line.encode() + b"\n")
        reply = read_until(mon, b"(deja) ", deja)
        if b":" in reply:
            print("monitor: %s -> %s" % (line, reply.decode(errors="replace").strip()))
        time.sleep(0.2)
    deja.wait_for("code 59 value 0", 20)
    def esc():
        mon.sendall(b"sendkey esc\n")
        read_until(mon, b"(deja) ", deja)
    return esc


def mode_qmp(deja, path):
    q = connect_unix(path, deja.proc)
    read_until(q, b"QMP", deja)
    q.sendall(b'{"execute": "qmp_capabilities"}\n')
    read_until(q, b"return", deja)
    if not deja.wait_for("input: ready", 60):
        raise RuntimeError("guest not ready")
    def key(name, down):
        return {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": name}}}
    def send(events):
        q.sendall(json.dumps({"execute": "input-send-event",
                              "arguments": {"events": events}}).encode() + b"\n")
        reply = read_until(q, b"\n", deja)
        if b"error" in reply:
            print("qmp: " + reply.decode(errors="replace").strip())
        time.sleep(0.2)
    for events in ([key("x", True)], [key("x", False)],
                   [{"type": "abs", "data": {"axis": "x", "value": 100}},
                    {"type": "abs", "data": {"axis": "y", "value": 200}}],
                   [{"type": "btn", "data": {"down": True, "button": "right"}}]):
        send(events)
    deja.wait_for("code 273 value 1", 20)
    return lambda: send([key("esc", True), key("esc", False)])


def mode_xdotool(deja):
    if not deja.wait_for("input: ready", 60):
        raise RuntimeError("guest not ready")
    wid = None
    deadline = time.time() + 15
    while not wid and time.time() < deadline:
        r = subprocess.run(["xdotool", "search", "--name", "^deja"], capture_output=True, text=True)
        ids = r.stdout.split()
        wid = ids[0] if ids else None
        if not wid:
            deja.pump(0.2)
    if not wid:
        raise RuntimeError("no deja window found by xdotool")
    subprocess.run(["xdotool", "windowfocus", "--sync", wid], capture_output=True, timeout=10)
    deja.pump(0.3)
    subprocess.run(["xdotool", "type", "--delay", "50", "hi"], timeout=10)
    deja.wait_for("code 23 value 0", 15)
    fb = os.environ.get("XVFB_SCREEN")  # Xvfb -fbdir: the screen as an XWD file
    if fb:
        deja.pump(1.0)  # a refresh of the window
        print("sdl: %d lit pixels" % xwd_lit(fb, 800, 600))
    return lambda: subprocess.run(["xdotool", "key", "Escape"], timeout=10)


def xwd_lit(path, w, h):
    """Non-black pixels in the top-left w x h of an XWD screen image (the
    window sits at 0,0 without a window manager)."""
    data = open(path, "rb").read()
    f = struct.unpack(">25I", data[:100])
    header_size, bpp, bytes_per_line, ncolors = f[0], f[11], f[12], f[19]
    if bpp != 32:
        raise RuntimeError("XWD with %d bits per pixel" % bpp)
    base = header_size + 12 * ncolors
    lit = 0
    for y in range(min(h, f[5])):
        row = data[base + y * bytes_per_line: base + y * bytes_per_line + 4 * min(w, f[4])]
        lit += sum(1 for i in range(0, len(row), 4) if row[i:i + 3] != b"\0\0\0")
    return lit


def rfb_connect(port, deja):
    deadline = time.time() + 15
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            if time.time() > deadline:
                raise
            deja.pump(0.1)
    def recv_exact(n):
        buf = b""
        while len(buf) < n:
            data = s.recv(n - len(buf))
            if not data:
                raise EOFError("VNC server closed the connection")
            buf += data
        return buf
    version = recv_exact(12)
    if not version.startswith(b"RFB "):
        raise RuntimeError("not an RFB server: %r" % version)
    s.sendall(b"RFB 003.008\n")
    ntypes = recv_exact(1)[0]
    if ntypes == 0:
        raise RuntimeError("server refused: %r" % recv_exact(struct.unpack(">I", recv_exact(4))[0]))
    types = recv_exact(ntypes)
    if 1 not in types:
        raise RuntimeError("no 'None' security type: %r" % types)
    s.sendall(b"\x01")
    if struct.unpack(">I", recv_exact(4))[0] != 0:
        raise RuntimeError("security handshake failed")
    s.sendall(b"\x01")  # ClientInit: shared
    w, h = struct.unpack(">HH", recv_exact(4))
    recv_exact(16)  # pixel format
    name_len = struct.unpack(">I", recv_exact(4))[0]
    name = recv_exact(name_len)
    print("vnc: %dx%d desktop %r" % (w, h, name.decode(errors="replace")))
    return s, recv_exact, w, h


def rfb_frame(s, recv_exact, w, h):
    """The whole screen in raw encoding, 32 bpp as the server offers it:
    returns the number of pixels that are not black."""
    s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))  # FramebufferUpdateRequest, full
    lit = 0
    covered = 0
    while covered < w * h:
        msg = recv_exact(1)[0]
        if msg == 2:  # Bell
            continue
        if msg != 0:
            raise RuntimeError("unexpected server message %d" % msg)
        nrects = struct.unpack(">xH", recv_exact(3))[0]
        for _ in range(nrects):
            x, y, rw, rh, enc = struct.unpack(">HHHHi", recv_exact(12))
            if enc != 0:
                raise RuntimeError("unexpected encoding %d" % enc)
            data = recv_exact(rw * rh * 4)
            lit += sum(1 for i in range(0, len(data), 4) if data[i:i + 3] != b"\0\0\0")
            covered += rw * rh
    return lit


def mode_vnc(deja, port):
    if not deja.wait_for("input: ready", 60):
        raise RuntimeError("guest not ready")
    s, recv_exact, w, h = rfb_connect(port, deja)
    print("vnc: %d lit pixels" % rfb_frame(s, recv_exact, w, h))
    def key(sym, down):
        s.sendall(struct.pack(">BBHI", 4, 1 if down else 0, 0, sym))
    key(ord("v"), True)
    key(ord("v"), False)
    deja.wait_for("code 47 value 0", 15)
    s.sendall(struct.pack(">BBHH", 5, 1, 20, 30))  # PointerEvent: left down at 20,30
    s.sendall(struct.pack(">BBHH", 5, 0, 20, 30))
    deja.wait_for("code 272 value 0", 15)
    def esc():
        key(0xff1b, True)
        key(0xff1b, False)
        deja.wait_for("input: done", 30)
        s.close()
    return esc


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[2] != "--":
        sys.exit(__doc__)
    mode, outfile, argv = args[0], args[1], args[3:]
    deja = Deja(argv, outfile)
    esc = None
    try:
        for step in mode.split(","):
            if step.startswith("hmp:"):
                esc = mode_hmp(deja, step[4:])
            elif step.startswith("qmp:"):
                esc = mode_qmp(deja, step[4:])
            elif step == "xdotool":
                esc = mode_xdotool(deja)
            elif step.startswith("vnc:"):
                esc = mode_vnc(deja, int(step[4:]))
            else:
                sys.exit("unknown mode " + step)
        esc()  # the guest powers off when Esc is released
    except Exception as e:  # report, then still collect deja's exit
        print("input_drive: %s: %s" % (mode, e))
        deja.proc.kill()
    status = deja.finish(60)
    if status != 0:
        print("input_drive: deja exit status %s" % status)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
