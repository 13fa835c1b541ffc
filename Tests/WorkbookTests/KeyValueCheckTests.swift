@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
import Testing

/// A key-value server (docs/kv-protocol.md) in Python, one thread a connection, wrong in the way
/// `--mode` says: `good`, `wrong-status` (a get of a stored key answers not-ok), `bad-footer`,
/// `huge-length` (a reply announcing 2 MiB), `bad-body` (a reply body with wire type 3),
/// `half-frame` (5 bytes of a reply, then EOF), `slow` (replies a byte at a time),
/// `leak-threads` (a thread left behind for each connection), `busy` (a thread spinning).
let keyValueServerSource = #"""
    import os, signal, socket, struct, sys, threading, time
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    args = sys.argv
    addr = args[args.index('--listen') + 1]
    mode = args[args.index('--mode') + 1] if '--mode' in args else 'good'
    host, port = addr.rsplit(':', 1)
    store, lock = {}, threading.Lock()
    FOOTER = b'\r\n\r\n'

    def varint(n):
        out = b''
        while n >= 0x80:
            out += bytes([n & 0x7f | 0x80]); n >>= 7
        return out + bytes([n])

    def encode(key=b'', value=b'', kind=0, status=0):
        out = b''
        if key: out += b'\x0a' + varint(len(key)) + key
        if value: out += b'\x12' + varint(len(value)) + value
        if kind: out += b'\x18' + varint(kind)
        if status: out += b'\x20' + varint(status)
        return out

    def decode(body):
        f, i = {1: b'', 2: b'', 3: 0, 4: 0}, 0
        def rv():
            nonlocal i
            n = s = 0
            while True:
                if i >= len(body): raise ValueError('truncated varint')
                b = body[i]; i += 1; n |= (b & 0x7f) << s; s += 7
                if not b & 0x80: return n
                if s >= 70: raise ValueError('varint too long')
        while i < len(body):
            tag = rv(); num, wt = tag >> 3, tag & 7
            if wt == 0: v = rv()
            elif wt == 1: v = body[i:i + 8]; i += 8
            elif wt == 2: n = rv(); v = body[i:i + n]; i += n
            elif wt == 5: v = body[i:i + 4]; i += 4
            else: raise ValueError('wire type %d' % wt)
            if i > len(body): raise ValueError('truncated field %d' % num)
            if num in f: f[num] = v
        for k in (1, 2): f[k].decode('utf-8')
        return f[1], f[2], f[3]

    def frame(body):
        return struct.pack('<I', len(body) + 4) + body + FOOTER

    def read_exact(c, n):
        data = b''
        while len(data) < n:
            got = c.recv(n - len(data))
            if not got: return None if not data else data
            data += got
        return data

    def handle(c, a):
        sys.stderr.write('accepted %s:%d\n' % a); sys.stderr.flush()
        if mode == 'leak-threads':
            threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
        try:
            while True:
                head = read_exact(c, 4)
                if head is None: break
                if len(head) < 4: raise ValueError('eof in a frame')
                n = struct.unpack('<I', head)[0]
                if n < 4 or n > 1 << 20: raise ValueError('bad length %d' % n)
                rest = read_exact(c, n)
                if rest is None or len(rest) < n: raise ValueError('eof in a frame')
                if rest[-4:] != FOOTER: raise ValueError('bad footer')
                key, value, kind = decode(rest[:-4])
                if kind == 1:
                    with lock: store[key] = value
                    reply = encode(key, kind=1)
                elif kind == 2:
                    with lock: v = store.get(key)
                    reply = encode(key, v, 2) if v is not None else encode(key, kind=2, status=1)
                    if mode == 'wrong-status': reply = encode(key, kind=2, status=1)
                else:
                    reply = encode(key, kind=kind, status=1)
                out = frame(reply)
                if mode == 'bad-footer': out = out[:-4] + b'\n\n\n\n'
                if mode == 'huge-length': out = struct.pack('<I', 2 << 20) + out[4:]
                if mode == 'bad-body': out = frame(reply + b'\x1b')
                if mode == 'half-frame': c.sendall(out[:5]); break
                if mode == 'slow':
                    for b in out: c.sendall(bytes([b])); time.sleep(0.002)
                else:
                    c.sendall(out)
        except Exception as e:
            sys.stderr.write('error: %s:%d: %s\n' % (a[0], a[1], e)); sys.stderr.flush()
        finally:
            c.close()
            sys.stderr.write('closed %s:%d\n' % a); sys.stderr.flush()

    if mode == 'busy':
        def spin():
            while True: pass
        threading.Thread(target=spin, daemon=True).start()
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port))); s.listen(64)
    print('netlab: listening on %s:%d' % s.getsockname(), flush=True)
    while True:
        c, a = s.accept()
        threading.Thread(target=handle, args=(c, a), daemon=True).start()
    """#

/// The Python key-value server, ready to run; remove `folder` when done.
func keyValueServer(_ name: String) throws -> (launch: ProgramLaunch, folder: URL) {
    let (launch, _, folder) = try pythonProgram(keyValueServerSource, name: name)
    return (launch, folder)
}

@Suite("Key-value steps against a Python server, right and wrong", .serialized, .timeLimit(.minutes(3)))
struct KeyValueCheckTests {
    @Test("a correct server passes put, get, other kinds, unknown fields, several frames in one write, chunked delivery")
    func correctServer() async throws {
        let (python, folder) = try keyValueServer("kvgood")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await runOne(
            #"""
            start --listen {listen} --mode good
            check "kv"
              connect a
              send a put "color" "blue"
              expect a ok key "color" kind put within 10s
              send a get "color"
              expect a value "blue" key "color" within 10s
              send a get "nope"
              expect a not-ok key "nope" kind get within 10s
              send a kv key "x" value "y" kind 7
              expect a reply key "x" kind 7 status not-ok within 10s
              send a kv key "k" field 9 varint 300 field 10 bytes "zz" field 11 fixed32 5 field 12 fixed64 6 value "v" kind put
              expect a ok key "k" within 10s
              send a put "a" "1" then get "a" then get "color" in chunks of 1 every 1ms within 30s
              expect a ok key "a" within 10s
              expect a received value "1" within 10s
              expect a value "blue" within 10s
              send a put "crlf" "\r\n\r\n" in 3 chunks
              expect a ok within 10s
              connect b
              send b get "crlf"
              expect b value "\r\n\r\n" within 10s
              send b kv
              expect b not-ok key "" kind 0 within 10s
            """#, program: python)
        expectPass(r)
        #expect(r.transcript.contains(#"[client a] sent put "color" = "blue" (frame of 23 bytes)"#), "\(r.transcript)")
        #expect(r.transcript.contains(#"[client a] received ok for key "color" (kind put), frame of 17 bytes"#), "\(r.transcript)")
        #expect(r.transcript.contains(#"[client a] received ok for key "color": value "blue" (kind get), frame of 23 bytes"#), "\(r.transcript)")
        #expect(
            r.transcript.contains(#"[client a] sent put "a" = "1", get "a", get "color" (3 frames, 46 bytes) in 46 chunks every 1ms"#),
            "\(r.transcript)")
        #expect(r.transcript.contains(#"[client b] sent kv (frame of 8 bytes)"#), "\(r.transcript)")
    }

    @Test("replies that arrive a byte at a time are put together")
    func slowReplies() async throws {
        let (python, folder) = try keyValueServer("kvslow")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await runOne(
            """
            start --listen {listen} --mode slow
            check "slow"
              connect a
              send a put "color" "blue" then get "color"
              expect a ok within 5s
              expect a value "blue" within 5s
            """, program: python)
        expectPass(r)
    }

    @Test("a body the server must refuse, and raw bytes, still reach it: it logs an error and closes")
    func protocolErrors() async throws {
        let (python, folder) = try keyValueServer("kverr")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await runOne(
            """
            start --listen {listen} --mode good
            check "errors"
              connect a
              send a kv body hex "1b"
              expect a closed within 3s
              expect server log /^error: 127\\.0\\.0\\.1:\\d+: wire type 3$/ within 3s
              connect b
              send b hex "00 00 20 00"
              expect b closed within 3s
              expect server log /^error: .*bad length 2097152/ within 3s
              connect c
              send c kv key "\\xff"
              expect c closed within 3s
              expect server log /^error: .*utf-8/ within 3s
            """, program: python)
        expectPass(r)
        #expect(r.transcript.contains(#"[client a] sent kv body hex "1b" (frame of 9 bytes)"#), "\(r.transcript)")
    }

    /// Runs `expect` after a put and a get against the server in `mode`, and returns the result.
    func wrongServer(_ mode: String, expect: String = #"expect a value "blue" within 3s"#) async throws -> CheckResult {
        let (python, folder) = try keyValueServer("kv\(mode)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await runOne(
            """
            start --listen {listen} --mode \(mode)
            check "wrong"
              connect a
              send a put "color" "blue" then get "color"
              expect a reply key "color" within 3s
              \(expect)
            """, program: python)
    }

    @Test("a wrong status is shown decoded")
    func wrongStatus() async throws {
        let r = try await wrongServer("wrong-status")
        expectFail(r, #"expected ok with value "blue" from client a; got not-ok for key "color" (kind get) (checks.netlab:6:3)"#)
    }

    @Test("a bad footer, an oversized length, a malformed body and half a frame say which")
    func badFrames() async throws {
        let footer = try await wrongServer("bad-footer", expect: "")
        expectFail(
            footer,
            "expected a reply with key \"color\" from client a; got bytes that are not a valid frame: it ends with 0a 0a 0a 0a where the footer 0d 0a 0d 0a should be"
        )
        #expect(footer.transcript.contains(#"received: hex "0d 00 00 00 0a 05 63 6f 6c 6f 72 18 01 0a 0a 0a 0a"#), "\(footer.transcript)")
        let huge = try await wrongServer("huge-length", expect: "")
        expectFail(huge, "got bytes that are not a valid frame: its length is 2097152, more than the limit of 1048576 (1 MiB)")
        let body = try await wrongServer("bad-body", expect: "")
        expectFail(body, "got a frame of 18 bytes whose body is malformed: field 3 at byte 9 has wire type 3; expected 0")
        let half = try await wrongServer("half-frame", expect: "")
        // Closing with the get unread, the server may send a RST rather than a FIN.
        expectFail(half, "got 5 of the 17 bytes of a frame, then the connection ended: ")
    }

    @Test("no reply within the bound says what arrived")
    func noReply() async throws {
        let (python, folder) = try keyValueServer("kvquiet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await runOne(
            """
            start --listen {listen} --mode good
            check "quiet"
              connect a
              expect a ok within 300ms
            """, program: python)
        expectFail(r, "expected ok from client a within 300ms; got nothing")
    }
}
