# The gdb remote serial protocol from the client side, for the raw
# protocol checks (raw.py, trap.py): $body#checksum packets out, replies
# in, each acknowledged with '+'.
import socket


class Remote:
    def __init__(self, port, timeout=20):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.settimeout(timeout)
        self.buf = b""

    def packet(self, data):
        body = data.encode() if isinstance(data, str) else data
        self.s.sendall(b"$" + body + b"#%02x" % (sum(body) & 0xFF))

    def reply(self):
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                body = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                self.s.sendall(b"+")
                return body.decode("latin-1")
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def ask(self, data):
        self.packet(data)
        return self.reply()
