#!/usr/bin/env python3
"""Talks to a serial port of a running deja (used by tests/e2e/serial_*.sh
and linux_*.sh): starts deja, waits for PROMPT on the chosen port, sends
LINE, then waits for EXPECT on that port and for deja to exit.

  serial_expect.py CHANNEL --prompt P --send LINE --expect E
                   [--console-expect C] [--timeout S] -- DEJA ARGS...

CHANNEL: --stdio (deja's stdin/stdout), --pty LABEL (the pty deja
announces on stderr as "char device redirected to /dev/pts/N (label
LABEL)"), --tcp PORT (connect to 127.0.0.1:PORT), --unix PATH.
Exit status 0 when EXPECT came back, every --console-expect text is in
deja's stdout and deja exited with status 0; otherwise 1, after printing
what was seen."""
import argparse
import os
import re
import select
import socket
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--stdio", action="store_true")
    group.add_argument("--pty")
    group.add_argument("--tcp", type=int)
    group.add_argument("--unix")
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--send", required=True)
    parser.add_argument("--expect", required=True)
    parser.add_argument("--console-expect", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=50)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    proc = subprocess.Popen(args.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + args.timeout
    stdout, stderr, port_text = b"", b"", b""
    port_fd = None  # fd of the port when it is not stdio
    port_sock = None
    sent = got = False
    prompt, expect = args.prompt.encode(), args.expect.encode()
    open_fds = {proc.stdout.fileno(), proc.stderr.fileno()}
    if args.stdio:
        port_fd = proc.stdout.fileno()

    while time.monotonic() < deadline:
        if port_fd is None:
            if args.pty is not None:
                m = re.search(rb"char device redirected to (\S+) \(label " +
                              re.escape(args.pty.encode()) + rb"\)", stderr)
                if m:
                    port_fd = os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
            else:
                family = socket.AF_UNIX if args.unix else socket.AF_INET
                address = args.unix if args.unix else ("127.0.0.1", args.tcp)
                s = socket.socket(family, socket.SOCK_STREAM)
                try:
                    s.connect(address)
                    port_sock, port_fd = s, s.fileno()
                except OSError:
                    s.close()
        fds = set(open_fds)
        if port_fd is not None and port_fd >= 0 and not args.stdio:
            fds.add(port_fd)
        if not fds:
            break
        ready, _, _ = select.select(list(fds), [], [], 0.1)
        for fd in ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if fd == port_fd and not args.stdio:
                if not data:
                    port_fd = -1  # closed: stop reading it
                port_text += data
                continue
            if not data:
                open_fds.discard(fd)
            if fd == proc.stdout.fileno():
                stdout += data
                if args.stdio:
                    port_text += data
            else:
                stderr += data
        if not sent and prompt in port_text:
            line = args.send.encode() + b"\n"
            if args.stdio:
                proc.stdin.write(line)
                proc.stdin.flush()
            else:
                os.write(port_fd, line)
            sent = True
            port_text_after_prompt = port_text.index(prompt) + len(prompt)
        if sent and expect in port_text[port_text_after_prompt:]:
            got = True
        if got and not open_fds:
            break
    try:
        status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        status = proc.wait()
        print("serial_expect: deja did not exit in %gs" % args.timeout)
    if port_sock is not None:
        port_sock.close()
    elif port_fd is not None and port_fd >= 0 and not args.stdio:
        os.close(port_fd)

    console = stdout.decode(errors="replace")
    missing = [c for c in args.console_expect if c not in console]
    if got and not missing and status == 0:
        return 0
    print("serial_expect: prompt %s, line %s, echo %s, exit status %d, console lacks %s" %
          ("seen" if prompt in port_text else "NOT SEEN", "sent" if sent else "NOT SENT",
           "seen" if got else "NOT SEEN", status, missing or "nothing"))
    print("--- port ---\n" + port_text.decode(errors="replace")[-1500:])
    if not args.stdio:
        print("--- console ---\n" + console[-1500:])
    print("--- stderr ---\n" + stderr.decode(errors="replace")[-1500:])
    return 1


if __name__ == "__main__":
    sys.exit(main())
