#!/usr/bin/env python3
"""Feeds a recording run of deja (tests/e2e/replay_*.sh): starts the
command with a pipe on stdin, copies its stdout to OUT, waits for PROMPT
in it, then sends each LINE after DELAY seconds; finally waits for the
process and exits with its status (124 on timeout).

  replay_feed.py OUT PROMPT DELAY LINE... -- COMMAND..."""
import os
import select
import subprocess
import sys
import time


def main():
    sep = sys.argv.index("--")
    out_path, prompt, delay = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3])
    lines = sys.argv[4:sep]
    command = sys.argv[sep + 1:]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    seen = b""
    deadline = time.monotonic() + 90
    sent = 0
    next_send = None
    with open(out_path, "wb") as out:
        while True:
            now = time.monotonic()
            if now > deadline:
                proc.kill()
                proc.wait()
                return 124
            if next_send is None and prompt in seen:
                next_send = now + delay
            if next_send is not None and sent < len(lines) and now >= next_send:
                proc.stdin.write(lines[sent].encode() + b"\n")
                proc.stdin.flush()
                sent += 1
                next_send = now + delay
            ready, _, _ = select.select([proc.stdout], [], [], 0.05)
            if ready:
                data = os.read(proc.stdout.fileno(), 65536)
                if not data:
                    break
                out.write(data)
                seen += data
    try:
        return proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        return 124


if __name__ == "__main__":
    sys.exit(main())
