# The key-value protocol (docs/kv-protocol.md) and the lesson contract (lessons/README.md), in
# Python, written from those pages alone: shared by kv10.py and kv11.py.
import signal
import struct
import sys

FOOTER = b"\r\n\r\n"
MAX_LENGTH = 1 << 20


def listen_address(name):
    """The HOST and PORT of --listen, the only flag; a bad command line exits 2 with one line."""
    def usage_error(message):
        sys.stderr.write(f"{name}: {message}\n")
        sys.exit(2)

    args, listen, i = sys.argv[1:], None, 0
    while i < len(args):
        if args[i] == "--help":
            print(f"usage: {name} --listen HOST:PORT")
            sys.exit(0)
        if args[i] != "--listen":
            usage_error(f"unknown flag {args[i]}")
        if listen is not None:
            usage_error("--listen given twice")
        if i + 1 >= len(args):
            usage_error("--listen needs a value")
        listen, i = args[i + 1], i + 2
    if listen is None:
        usage_error("--listen is required")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    host, port = listen.rsplit(":", 1)
    return host, int(port)


def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def varint(body, i):
    value = 0
    for n in range(10):
        if i >= len(body):
            raise ValueError("truncated varint")
        byte = body[i]
        i += 1
        value |= (byte & 0x7F) << (7 * n)
        if byte < 0x80:
            return value, i
    raise ValueError("varint longer than 10 bytes")


def decode(body):
    """key, value and kind of a KeyValueMessage; ValueError (or UnicodeDecodeError) if malformed."""
    key, value, kind, i = "", "", 0, 0
    while i < len(body):
        tag, i = varint(body, i)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            number, i = varint(body, i)
            if field in (3, 4) and number >= 1 << 32:
                raise ValueError(f"field {field} is over 32 bits")
            if field == 3:
                kind = number
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        elif wire == 2:
            n, i = varint(body, i)
            if i + n > len(body):
                raise ValueError("truncated field")
            if field == 1:
                key = body[i:i + n].decode("utf-8")
            elif field == 2:
                value = body[i:i + n].decode("utf-8")
            i += n
        else:
            raise ValueError(f"wire type {wire}")
        if i > len(body):
            raise ValueError("truncated field")
    return key, value, kind


def encode_varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def frame(key, value, kind, status):
    body = bytearray()
    for number, text in ((1, key), (2, value)):
        if text:
            data = text.encode()
            body += encode_varint(number << 3 | 2) + encode_varint(len(data)) + data
    for number, n in ((3, kind), (4, status)):
        if n:
            body += encode_varint(number << 3) + encode_varint(n)
    return struct.pack("<I", len(body) + 4) + bytes(body) + FOOTER


def answer_frames(inbuf, store, out_limit=None):
    """Answers the whole frames at the start of `inbuf` (a bytearray, consumed), while the
    replies are under `out_limit` bytes; returns the replies."""
    replies = bytearray()
    while len(inbuf) >= 4 and (out_limit is None or len(replies) < out_limit):
        n = struct.unpack("<I", inbuf[:4])[0]
        if n < 4 or n > MAX_LENGTH:
            raise ValueError(f"frame length {n} is outside 4...{MAX_LENGTH}")
        if len(inbuf) < 4 + n:
            break
        whole = bytes(inbuf[4:4 + n])
        del inbuf[:4 + n]
        if whole[-4:] != FOOTER:
            raise ValueError("the frame does not end with 0d 0a 0d 0a")
        key, value, kind = decode(whole[:-4])
        if kind == 1:
            store[key] = value
            replies += frame(key, "", 1, 0)
        elif kind == 2 and key in store:
            replies += frame(key, store[key], 2, 0)
        else:
            replies += frame(key, "", kind, 1)
    return replies
