#!/usr/bin/env python3
"""Times phases of a guest run from its console (bench/disk.sh, bench/net.sh).

    EMULATOR | phases.py PREFIX MARKER1 MARKER2 [...] [--log FILE]

Reads the console on stdin and notes the host time at which the first line
containing "PREFIX: MARKERi" arrives. At the end of input it prints the
seconds between consecutive markers (MARKER1->MARKER2, MARKER2->MARKER3, ...)
on one line, or "failed" when a marker never came. --log copies the console.
"""
import sys
import time

args = sys.argv[1:]
log = None
if "--log" in args:
    i = args.index("--log")
    log = open(args[i + 1], "wb")
    del args[i:i + 2]
prefix, markers = args[0], args[1:]
needles = [("%s: %s" % (prefix, m)).encode() for m in markers]
seen = [None] * len(markers)
for line in sys.stdin.buffer:
    now = time.monotonic()
    if log:
        log.write(line)
    for i, needle in enumerate(needles):
        if seen[i] is None and needle in line:
            seen[i] = now
if None in seen:
    print("failed")
else:
    print(" ".join("%.3f" % (b - a) for a, b in zip(seen, seen[1:])))
