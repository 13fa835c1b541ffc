@testable import CheckRuntime
import Foundation
import Testing

/// Lesson 9's resource checks against a thread per connection in the shape a language runtime
/// gives it. Go's, measured with a Go server written from the README (`runtime.LockOSThread` in
/// each connection's goroutine): 5 or 6 threads at the start; 104 with 100 clients, because the
/// first connections run on idle threads the runtime already had; 2 or 3 more than at the start
/// after the clients leave, idle threads the runtime keeps; and 1 or 2 more descriptors, its
/// netpoller's. Every connection's own thread and socket end with it, so the program is correct,
/// and the checks must leave it that room (they asked for 100 more threads, then at most 2, and
/// at most 2 more descriptors of any kind).
@Suite("Lesson 9 and a runtime's own threads", .serialized, .timeLimit(.minutes(2)))
struct RuntimeThreadsTests {
    /// A Python model of that runtime, serving only what the two resource checks send (puts and
    /// gets of short keys).
    func runtimeLikeServer() throws -> ProgramLaunch {
        let program = """
            import os, queue, select, socket, struct, sys, threading

            RUNTIME_THREADS = 5  # idle from the start: the first connections run on them
            LATER_THREADS = 3    # started when the first client leaves, and idle from then on
            store, lock = {}, threading.Lock()
            handoff = queue.Queue()
            idle = [RUNTIME_THREADS]
            runtime_files = []   # like Go's epoll descriptor and wake-up pipe, opened on first use
            later = threading.Event()


            def read_full(conn, n):
                data = b""
                while len(data) < n:
                    chunk = conn.recv(n - len(data))
                    if not chunk:
                        return None
                    data += chunk
                return data


            def reply(body):
                key, value, kind, i = b"", b"", 0, 0
                while i < len(body):
                    tag = body[i]; i += 1
                    if tag & 7 == 2:
                        size = body[i]; i += 1
                        if tag >> 3 == 1: key = body[i:i + size]
                        if tag >> 3 == 2: value = body[i:i + size]
                        i += size
                    else:
                        kind = body[i]; i += 1
                out = b"\\x0a" + bytes([len(key)]) + key
                with lock:
                    if kind == 1:
                        store[key] = value
                        out += b"\\x18\\x01"
                    elif key in store:
                        out += b"\\x12" + bytes([len(store[key])]) + store[key] + b"\\x18\\x02"
                    else:
                        out += b"\\x18\\x02\\x20\\x01"
                return struct.pack("<I", len(out) + 4) + out + b"\\r\\n\\r\\n"


            def serve(conn):
                try:
                    while True:
                        header = read_full(conn, 4)
                        if header is None:
                            break
                        rest = read_full(conn, struct.unpack("<I", header)[0])
                        conn.sendall(reply(rest[:-4]))
                except OSError:
                    pass
                finally:
                    conn.close()
                    if not later.is_set():
                        later.set()
                        for _ in range(LATER_THREADS):
                            threading.Thread(target=runtime_thread, daemon=True).start()


            def runtime_thread():
                while True:
                    conn = handoff.get()
                    if conn is not None:
                        serve(conn)
                    with lock:
                        idle[0] += 1


            def main():
                host, port = sys.argv[sys.argv.index("--listen") + 1].rsplit(":", 1)
                listener = socket.create_server((host, int(port)))
                for _ in range(RUNTIME_THREADS):
                    threading.Thread(target=runtime_thread, daemon=True).start()
                print("netlab: listening on %s:%d" % listener.getsockname()[:2], flush=True)
                while True:
                    conn, _ = listener.accept()
                    if not runtime_files:
                        runtime_files.append(select.epoll())
                        runtime_files.extend(os.pipe())
                    with lock:
                        reuse = idle[0] > 0 and not later.is_set()
                        if reuse:
                            idle[0] -= 1
                    if reuse:
                        handoff.put(conn)
                    else:
                        threading.Thread(target=serve, args=(conn,), daemon=True).start()


            main()
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-kv9-runtime-\(getpid()).py")
        try program.write(to: url, atomically: true, encoding: .utf8)
        return ProgramLaunch(executable: "/usr/bin/env", arguments: ["python3", url.path])
    }

    @Test(
        "a runtime that reuses idle threads and keeps a few passes the thread and descriptor checks",
        arguments: ["a thread for each connection, and back when they leave", "descriptors return to their starting count"])
    func runtimeThreadsPass(_ check: String) async throws {
        let lesson = try #require(LessonUnderTest.all.first { $0.slug == "09-blocking-threads" })
        let results = try await grade(lesson, program: try runtimeLikeServer(), only: check)
        #expect(results.count == 1)
        #expect(results.allSatisfy { $0.status == .pass }, "\(explain(results))")
    }
}
