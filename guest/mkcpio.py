#!/usr/bin/env python3
"""Write a newc ("070701") cpio archive of a directory tree to stdout.

Unlike `find | cpio -o`, the archive is reproducible (entries sorted, owner
root, mtime 0), so the same inputs give the same initramfs bytes and hash,
which replay traces record. It also adds device nodes that an unprivileged
user cannot create in the staging directory:

    mkcpio.py STAGING_DIR [--char PATH:MODE:MAJOR:MINOR ...] > archive.cpio
"""
import os
import stat
import sys


def header(ino, mode, nlink, size, rdev_major, rdev_minor, name):
    encoded = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev_major, rdev_minor,
              len(encoded), 0]
    data = b"070701" + b"".join(b"%08X" % value for value in fields) + encoded
    return data + b"\0" * (-len(data) % 4)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    root = args[0]
    devices = []
    i = 1
    while i < len(args):
        if args[i] != "--char" or i + 1 >= len(args):
            sys.exit("mkcpio: unexpected argument %r" % args[i])
        path, mode, major, minor = args[i + 1].split(":")
        devices.append((path.strip("/"), int(mode, 8), int(major), int(minor)))
        i += 2

    entries = []
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(subdirs + files):
            full = os.path.join(directory, name)
            entries.append(os.path.relpath(full, root))
    out = sys.stdout.buffer
    ino = 1
    for relative in sorted(entries):
        full = os.path.join(root, relative)
        info = os.lstat(full)
        permissions = stat.S_IMODE(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            out.write(header(ino, stat.S_IFDIR | permissions, 2, 0, 0, 0, relative))
        elif stat.S_ISLNK(info.st_mode):
            target = os.readlink(full).encode()
            out.write(header(ino, stat.S_IFLNK | 0o777, 1, len(target), 0, 0, relative))
            out.write(target + b"\0" * (-len(target) % 4))
        elif stat.S_ISREG(info.st_mode):
            with open(full, "rb") as handle:
                content = handle.read()
            out.write(header(ino, stat.S_IFREG | permissions, 1, len(content), 0, 0,
                             relative))
            out.write(content + b"\0" * (-len(content) % 4))
        else:
            sys.exit("mkcpio: unsupported file type: %s" % full)
        ino += 1
    for path, mode, major, minor in devices:
        out.write(header(ino, stat.S_IFCHR | mode, 1, 0, major, minor, path))
        ino += 1
    out.write(header(0, 0, 1, 0, 0, 0, "TRAILER!!!"))
    out.flush()


if __name__ == "__main__":
    main()
