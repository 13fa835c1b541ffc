# Lesson 15's chat in Python: lesson 13's chat (asyncio, hand-written RFC 6455 framing, no
# WebSocket library) with the graceful shutdown that lesson 15's README asks for, written from
# that README alone: on SIGTERM stop listening, send every client what was broadcast to it and
# then a close 1001, wait up to --grace for the connections to end, cancel the rest, exit 0. It
# is a judge of the checks: a program that does what the page says must pass every one of them.
import asyncio
import base64
import codecs
import hashlib
import os
import signal
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HEAD_LIMIT = 8192
HEAD_DEADLINE = 5.0


def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def usage_error(message):
    sys.stderr.write(f"chat15: {message}\n")
    sys.exit(2)


def duration(text):
    for unit, scale in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return float(text[: -len(unit)]) * scale
    usage_error(f"bad duration {text!r}")


def options():
    flags = {
        "--listen": None,
        "--read-limit": "4096",
        "--send-queue": "16",
        "--ping-interval": "10s",
        "--pong-timeout": "5s",
        "--grace": "5s",
    }
    args, i, seen = sys.argv[1:], 0, set()
    while i < len(args):
        if args[i] == "--help":
            print("usage: chat15 --listen HOST:PORT [--read-limit BYTES] [--send-queue N] [--ping-interval D] [--pong-timeout D] [--grace D]")
            sys.exit(0)
        if args[i] not in flags or i + 1 >= len(args):
            usage_error(f"unknown flag or missing value: {args[i]}")
        if args[i] in seen:
            usage_error(f"{args[i]} given twice")
        seen.add(args[i])
        flags[args[i]] = args[i + 1]
        i += 2
    if flags["--listen"] is None:
        usage_error("--listen is required")
    try:
        limit, queue = int(flags["--read-limit"]), int(flags["--send-queue"])
    except ValueError:
        usage_error("--read-limit and --send-queue take whole numbers")
    if limit <= 0 or queue <= 0:
        usage_error("--read-limit and --send-queue must be positive")
    host, port = flags["--listen"].rsplit(":", 1)
    return (
        host,
        int(port),
        limit,
        queue,
        duration(flags["--ping-interval"]),
        duration(flags["--pong-timeout"]),
        duration(flags["--grace"]),
    )


HOST, PORT, READ_LIMIT, SEND_QUEUE, PING_INTERVAL, PONG_TIMEOUT, GRACE = options()
GOING_AWAY = object()  # the last item of a client's queue once the server shuts down


def frame(opcode, payload=b""):
    n = len(payload)
    if n <= 125:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


class ProtocolError(Exception):
    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code


def valid_close_code(code):
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1011 or 3000 <= code <= 4999


class Client:
    def __init__(self, reader, writer, address):
        self.reader, self.writer, self.address = reader, writer, address
        self.queue = asyncio.Queue()  # bounded by broadcast(), so GOING_AWAY always fits
        self.closed = False
        self.going_away = False
        self.heard = asyncio.Event()
        self.tasks = []

    def write(self, data):
        if not self.closed:
            self.writer.write(data)

    async def close(self, code=None, reason=b"", deadline=1.0):
        """Sends a close frame (if given), half-closes, drains briefly, closes; only once."""
        if self.closed:
            return
        if code is not None:
            self.writer.write(frame(8, struct.pack("!H", code) + reason))
        self.closed = True
        try:
            await asyncio.wait_for(self.writer.drain(), deadline)
            if self.writer.can_write_eof():
                self.writer.write_eof()
            await asyncio.wait_for(self.reader.read(), deadline)  # until the peer closes too
        except Exception:
            pass
        self.writer.transport.abort()
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()


clients = []
shutting_down = False
connections = set()  # the task of every connection, upgraded or not


def broadcast(opcode, payload):
    if shutting_down:
        return  # nothing is broadcast once the shutdown began
    data = frame(opcode, payload)
    for client in list(clients):
        if client.queue.qsize() < SEND_QUEUE:
            client.queue.put_nowait(data)
        else:
            clients.remove(client)
            log(f"dropped {client.address}: send queue full")
            log(f"left {client.address}: send queue full")
            asyncio.ensure_future(client.close(1008, b"too slow"))


def go_away(client):
    """The shutdown's part for one client: what is queued goes out, then close 1001."""
    if not client.going_away and not client.closed:
        client.going_away = True
        client.queue.put_nowait(GOING_AWAY)


async def writer_task(client):
    while True:
        data = await client.queue.get()
        if data is GOING_AWAY:
            client.write(frame(8, struct.pack("!H", 1001) + b"going away"))
            await client.writer.drain()
            return
        client.write(data)
        await client.writer.drain()


async def pinger_task(client):
    while True:
        await asyncio.sleep(PING_INTERVAL)
        client.heard.clear()
        client.write(frame(9, b"keepalive"))
        try:
            await asyncio.wait_for(client.heard.wait(), PONG_TIMEOUT)
        except asyncio.TimeoutError:
            if client in clients:
                clients.remove(client)
            log(f"timeout {client.address}: no pong")
            log(f"left {client.address}: no pong")
            await client.close(1001, b"no pong")
            return


async def read_frames(client):
    """Reads frames until a close; raises ProtocolError for anything RFC 6455 forbids."""
    message, opcode, total, decoder = None, 0, 0, None
    while True:
        b0, b1 = await client.reader.readexactly(2)
        client.heard.set()
        fin, rsv, op, masked, n = b0 & 0x80, b0 & 0x70, b0 & 0x0F, b1 & 0x80, b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", await client.reader.readexactly(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await client.reader.readexactly(8))
            if n >> 63:
                raise ProtocolError(1002, "protocol error: 64-bit length with the top bit set")
        if not masked:
            raise ProtocolError(1002, "protocol error: unmasked frame")
        if rsv:
            raise ProtocolError(1002, "protocol error: RSV bits set")
        if op in (3, 4, 5, 6, 7) or op > 10:
            raise ProtocolError(1002, f"protocol error: reserved opcode {op}")
        if op >= 8 and (n > 125 or not fin):
            raise ProtocolError(1002, "protocol error: bad control frame")
        if op == 0 and message is None:
            raise ProtocolError(1002, "protocol error: continuation without a message")
        if op in (1, 2) and message is not None:
            raise ProtocolError(1002, "protocol error: new message inside a fragmented one")
        if op < 8 and total + n > READ_LIMIT:
            raise ProtocolError(1009, "message too big")
        key = await client.reader.readexactly(4)
        payload = await client.reader.readexactly(n)
        if n:
            mask = (key * (n // 4 + 1))[:n]
            payload = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big")
        if op == 9:
            client.write(frame(10, payload))
            continue
        if op == 10:
            continue
        if op == 8:
            if len(payload) == 1:
                raise ProtocolError(1002, "protocol error: close payload of 1 byte")
            if len(payload) >= 2:
                (code,) = struct.unpack("!H", payload[:2])
                if not valid_close_code(code):
                    raise ProtocolError(1002, f"protocol error: close code {code}")
                try:
                    payload[2:].decode("utf-8")
                except UnicodeDecodeError:
                    raise ProtocolError(1002, "protocol error: close reason not UTF-8")
            return payload[:2]
        if op in (1, 2):
            message, opcode, total = [], op, 0
            decoder = codecs.getincrementaldecoder("utf-8")() if op == 1 else None
        message.append(payload)
        total += n
        if decoder is not None:
            try:
                decoder.decode(payload, final=bool(fin))
            except UnicodeDecodeError:
                raise ProtocolError(1007, "invalid UTF-8 in a text message")
        if fin:
            broadcast(opcode, b"".join(message))
            message, decoder = None, None


async def handshake(reader, writer):
    """Reads and answers the upgrade; returns True when it switched protocols."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_DEADLINE)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.setdefault(name.strip().lower(), value.strip())

    def refuse(status, extra=""):
        writer.write(f"HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
        return False

    if len(parts) != 3 or parts[1] != "/chat":
        return refuse("404 Not Found")
    key = headers.get("sec-websocket-key", "")
    try:
        key_ok = len(base64.b64decode(key, validate=True)) == 16
    except Exception:
        key_ok = False
    connection = [t.strip().lower() for t in headers.get("connection", "").split(",")]
    if parts[0] != "GET" or headers.get("upgrade", "").lower() != "websocket" or "upgrade" not in connection or not key_ok:
        return refuse("400 Bad Request")
    if headers.get("sec-websocket-version") != "13":
        return refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n")
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    writer.write(
        f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode()
    )
    return True


async def serve(reader, writer):
    connections.add(asyncio.current_task())
    try:
        await serve_connection(reader, writer)
    finally:
        connections.discard(asyncio.current_task())


async def serve_connection(reader, writer):
    peer = writer.get_extra_info("peername")
    address = f"{peer[0]}:{peer[1]}"
    try:
        upgraded = await handshake(reader, writer)
    except asyncio.LimitOverrunError:
        writer.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        upgraded = False
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError) as error:
        log(f"error: {address}: {'handshake deadline' if isinstance(error, asyncio.TimeoutError) else 'handshake ended'}")
        upgraded = False
    if not upgraded:
        try:
            await asyncio.wait_for(writer.drain(), 1)
        except Exception:
            pass
        writer.close()
        return
    client = Client(reader, writer, address)
    clients.append(client)
    log(f"joined {address}")
    if shutting_down:
        go_away(client)
    client.tasks = [asyncio.ensure_future(writer_task(client)), asyncio.ensure_future(pinger_task(client))]
    try:
        code = await read_frames(client)
        if client in clients:
            clients.remove(client)
            log(f"left {address}")
        if client.going_away:
            await client.tasks[0]  # the writer: what was queued, then close 1001 (grace bounds it)
            await client.close()
        elif not client.closed:
            client.write(frame(8, code))
            await client.close()
    except ProtocolError as error:
        if client in clients:
            clients.remove(client)
            log(f"error: {address}: {error}")
            log(f"left {address}: {error}")
        await client.close(error.code)
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError) as error:
        if client in clients:
            clients.remove(client)
            log(f"left {address}: {type(error).__name__}")
        await client.close()


def second_signal():
    os._exit(0)  # an impatient operator: out at once


async def main():
    global shutting_down
    loop = asyncio.get_running_loop()
    signalled = asyncio.Event()
    names = {}
    for number, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        def handler(name=name):
            if signalled.is_set():
                second_signal()
            names["first"] = name
            signalled.set()
        loop.add_signal_handler(number, handler)
    server = await asyncio.start_server(serve, HOST, PORT, limit=HEAD_LIMIT)
    print(f"netlab: listening on {HOST}:{server.sockets[0].getsockname()[1]}", flush=True)
    await signalled.wait()
    log(f"shutting down: {names['first']}")
    shutting_down = True
    server.close()  # stop listening first: new connections are refused from here on
    for client in list(clients):
        go_away(client)
    pending = set(connections)
    if pending:
        _, pending = await asyncio.wait(pending, timeout=GRACE)
    if pending:
        log(f"grace period over: cancelling {len(pending)} connections")
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=2)
        log("stopped: grace period over")
    else:
        log("stopped: every connection closed")
    sys.stdout.flush()
    os._exit(0)


asyncio.run(main())
