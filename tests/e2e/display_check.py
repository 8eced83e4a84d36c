#!/usr/bin/env python3
"""Checks a screendump of the "display" guest scenario (tests/e2e/display_linux.sh).

usage: display_check.py FILE.ppm FILE.png

 - the PPM is 1280x800 and the PNG decodes (zlib + row filters, done here)
   to the same pixels;
 - the four text lines the guest printed on tty0 (8x16 font, top left) show
   as non-background pixels in each of their rows of cells, and only in
   the left part (the lines are 69 characters: 552 pixels);
 - everything below them (y >= 80) and right of them (x >= 560) is
   background. Exit 0 if all hold, 1 otherwise (each failure printed)."""
import struct
import sys
import zlib


def read_ppm(path):
    data = open(path, "rb").read()
    parts = data.split(b"\n", 3)
    if parts[0] != b"P6" or parts[2] != b"255":
        raise ValueError("not a binary 8-bit PPM")
    w, h = map(int, parts[1].split())
    pix = parts[3]
    if len(pix) != w * h * 3:
        raise ValueError("PPM size %d, want %d" % (len(pix), w * h * 3))
    return w, h, pix


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if (depth, color, interlace) != (8, 2, 0):
                raise ValueError("PNG is not 8-bit RGB non-interlaced")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * 3
    out = bytearray()
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                row[i] = (row[i] + a) & 255
            elif f == 2:
                row[i] = (row[i] + b) & 255
            elif f == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + pred) & 255
        out += row
        prev = row
    return w, h, bytes(out)


def main():
    fails = 0

    def check(cond, what):
        nonlocal fails
        if not cond:
            print("display_check: FAIL %s" % what)
            fails += 1

    w, h, pix = read_ppm(sys.argv[1])
    check((w, h) == (1280, 800), "size %dx%d, want 1280x800" % (w, h))
    pw, ph, ppix = read_png(sys.argv[2])
    check((pw, ph) == (w, h) and ppix == pix, "PNG pixels differ from the PPM")
    bg = pix[0:3] if pix[0:3] == b"\0\0\0" else b"\0\0\0"

    def lit(x0, x1, y0, y1):
        n = 0
        for y in range(y0, y1):
            row = pix[(y * w + x0) * 3:(y * w + x1) * 3]
            n += sum(1 for i in range(0, len(row), 3) if row[i:i + 3] != bg)
        return n

    for line in range(4):
        n = lit(0, 560, 16 * line, 16 * line + 16)
        check(n > 500, "text line %d: %d lit pixels, want > 500" % (line + 1, n))
    # the same text on every line except the digit: similar pixel counts
    counts = [lit(0, 560, 16 * i, 16 * i + 16) for i in range(4)]
    check(max(counts) - min(counts) < 100, "text lines differ too much: %s" % counts)
    check(lit(560, w, 0, 64) == 0, "pixels lit right of the text")
    below = bytes(pix[80 * w * 3:])
    check(below.count(0) == len(below), "pixels lit below the text (y >= 80)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
