/// The Python program that drives the lesson 13 solution in WebSocketInteropTests, with the
/// `websockets` library (Debian's python3-websockets 10.4), which checks every frame a server
/// sends against RFC 6455. `python3 - SCENARIO PORT [LIMIT]` runs one scenario; it prints `ok`
/// and exits 0, or prints what went wrong and exits 1. Every wait is bounded.
let webSocketClientScript = #"""
    import asyncio, sys, websockets
    from websockets.exceptions import ConnectionClosed

    STEP = 10  # seconds any one wait may take

    async def connect(port, **kw):
        return await asyncio.wait_for(websockets.connect(f"ws://127.0.0.1:{port}/chat", max_size=None, **kw), STEP)

    async def recv(ws):
        return await asyncio.wait_for(ws.recv(), STEP)

    async def expect_closed(ws, code):
        try:
            while True:
                await recv(ws)
        except ConnectionClosed as e:
            got = e.rcvd.code if e.rcvd else None
            assert got == code, f"expected a close frame {code} from the server, got {got} ({e})"

    async def lengths(port, limit):
        a, b = await connect(port), await connect(port)
        for n in [0, 1, 125, 126, 127, 65535, 65536, 65537, 1 << 20]:
            assert n <= limit
            for message in ["é" * (n // 2) + "x" * (n % 2), bytes(i % 251 for i in range(n))]:
                await a.send(message)
                for ws in (a, b):
                    got = await recv(ws)
                    assert got == message, f"{n} bytes ({type(message).__name__}) came back as {len(got)} bytes"
        await a.close(); await b.close()

    async def fragments(port, limit):
        a, b = await connect(port), await connect(port)
        await a.send(["frag", "ment", "ed ", "ünïcode"])   # an iterable goes out as fragments
        await a.send([b"\x00", b"\x01\x02", b""])
        for ws in (a, b):
            got = [await recv(ws), await recv(ws)]
            assert got == ["fragmented ünïcode", b"\x00\x01\x02"], f"got {got}"
        await b.send((chunk for chunk in ["from ", "b"]))
        for ws in (a, b):
            got = await recv(ws)
            assert got == "from b", f"got {got}"
        await a.close(); await b.close()

    async def pings(port, limit):
        # Our pings get their pongs; the server's pings (every 200 ms here) are answered by the
        # library, and the connection outlives several pong timeouts.
        a = await connect(port)
        for payload in [b"", b"p", b"x" * 125]:
            waiter = await a.ping(payload)
            await asyncio.wait_for(waiter, STEP)
        await asyncio.sleep(1.5)
        await a.send("still here")
        assert await recv(a) == "still here"
        await a.close()

    async def close_paths(port, limit):
        a = await connect(port)
        await a.close(1000, "bye")
        assert a.close_code == 1000, f"client close 1000 answered with {a.close_code}"
        b = await connect(port)
        await b.close(4001, "custom")
        assert b.close_code == 4001, f"client close 4001 answered with {b.close_code}"
        c = await connect(port)
        await c.send("x" * (limit + 1))
        await expect_closed(c, 1009)

    async def slow(port, limit):
        # b reads nothing while a sends 300 messages of 60 KB, each after the echo of the one
        # before: 18 MB, more than the kernel's buffers hold for b, so b's queue fills and the hub
        # must drop b, whatever the machine's speed, while a gets every message back at once.
        # Then b reads what reached it. Its close 1008 is sent with a 1 s write deadline into
        # buffers that are full: b sees it when there was room, else the end of the connection.
        b = await connect(port, max_queue=1, read_limit=1 << 14)
        a = await connect(port)
        count, size = 300, 60000
        for i in range(count):
            await a.send(str(i % 10) * size)
            got = await recv(a)
            assert got == str(i % 10) * size, f"a's message {i} came back wrong"
        try:
            while True:
                await recv(b)
        except ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else None
        assert code in (1008, None), f"the slow client saw close code {code}, not 1008"
        await a.close()

    async def order(port, limit):
        clients = [await connect(port) for _ in range(3)]
        async def talk(i, ws):
            for n in range(40):
                await ws.send(f"{i}:{n}")
        async def listen(ws):
            return [await recv(ws) for _ in range(120)]
        heard = asyncio.gather(*(listen(ws) for ws in clients))
        await asyncio.gather(*(talk(i, ws) for i, ws in enumerate(clients)))
        seen = await asyncio.wait_for(heard, 30)
        assert seen[0] == seen[1] == seen[2], "the clients saw different orders"
        for i in range(3):
            mine = [m for m in seen[0] if m.startswith(f"{i}:")]
            assert mine == [f"{i}:{n}" for n in range(40)], f"client {i}'s messages out of order"
        for ws in clients:
            await ws.close()

    async def raw_handshake(port):
        import base64, hashlib, os
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), STEP)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), STEP)
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        assert head.startswith(b"HTTP/1.1 101 ") and b"Sec-WebSocket-Accept: " + accept in head, head
        return reader, writer

    async def raw_frame(reader):
        first, second = await asyncio.wait_for(reader.readexactly(2), STEP)
        assert second & 0x80 == 0, "a server frame is masked"
        length = second & 0x7F
        assert length < 126
        return first & 0x0F, await asyncio.wait_for(reader.readexactly(length), STEP)

    async def raw(port, limit):
        # What a library client never sends: an unmasked frame (close 1002), and silence after a
        # ping (the server closes, with no close frame needed).
        reader, writer = await raw_handshake(port)
        writer.write(bytes([0x81, 5]) + b"hello")
        opcode, payload = await raw_frame(reader)
        while opcode == 0x9:
            opcode, payload = await raw_frame(reader)
        assert opcode == 0x8 and payload[:2] == (1002).to_bytes(2, "big"), (opcode, payload)
        assert await asyncio.wait_for(reader.read(), STEP) == b"", "the connection stays open after the close"
        writer.close()
        reader, writer = await raw_handshake(port)
        opcode, payload = await raw_frame(reader)
        assert opcode == 0x9, f"expected a ping first, got opcode {opcode}"
        rest = await asyncio.wait_for(reader.read(), STEP)   # pings, then the end of the stream
        assert all(b in (0x89, 0x00) for b in rest[::2]), rest
        writer.close()

    async def main():
        scenario, port = sys.argv[1], int(sys.argv[2])
        limit = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
        await asyncio.wait_for(globals()[scenario](port, limit), 90)
        print("ok")

    asyncio.run(main())
    """#
