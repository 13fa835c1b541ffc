// The NetCore and NetTLS servers under test. netbench runs each in a process of its own (a
// hidden `serve-…` subcommand), so the load generator never shares a process with them.
#if canImport(Glibc)
import Glibc
#endif
import NetCore
import NetTLS

/// Raises the soft descriptor limit to the hard one, as Go's runtime does at start.
/// Prints "port N" (what the driver waits for) and flushes.
func announce(_ listener: TCPListener) {
    print("port \(listener.address.port)")
    fflush(nil)
}

/// `serve-… ` entry point. Arguments after the subcommand; returns an exit status.
/// `@concurrent`: the server runs off the main actor that top-level code runs on.
@concurrent func runServer(_ mode: String, _ args: [String]) async -> Int32 {
    raiseDescriptorLimit()
    // A time bound of its own, besides the driver's: nothing outlives a lost driver for long.
    let bound = Int(Env.get("NETBENCH_CHILD_BOUND") ?? "") ?? 900
    alarm(UInt32(bound))
    do {
        switch mode {
        case "serve-proxy":
            guard args.count >= 3 else { break }
            try await serveProxy(listen: args[0], target: args[1], splice: args[2] == "splice")
            return 0
        case "serve-echo":
            guard args.count >= 2 else { break }
            if Env.get("NETBENCH_MALLINFO") != nil { startHeapReporter() }
            let size = args.count >= 3 ? Int(args[2]) ?? 32768 : 32768
            try await serveEcho(listen: args[0], mode: EchoMode(rawValue: args[1]) ?? .read, bufferSize: size)
            return 0
        case "serve-get":
            guard args.count >= 1 else { break }
            try await serveGet(listen: args[0])
            return 0
        case "serve-tls":
            guard args.count >= 3 else { break }
            try await serveTLS(listen: args[0], certificateFile: args[1], keyFile: args[2])
            return 0
        default:
            break
        }
    } catch {
        printError("netbench \(mode): \(error)")
        return 1
    }
    printError("netbench: usage: \(mode) …")
    return 2
}

enum Env {
    static func get(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

/// The proxy: for each client, dial the target and copy both ways, half-closing each direction
/// at its end of stream. `splice`: NetCore's `copy(from:to:)` (splice(2) between two TCPConns);
/// otherwise a plain loop through a 32 KiB buffer with `read(into:)` and `write`.
func serveProxy(listen: String, target: String, splice: Bool) async throws {
    let listener = try TCPListener.listen(address: listen)
    announce(listener)
    try await serve(listener) { client in
        guard let upstream = try? await TCPConn.dial(target) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                if splice { _ = try? await copy(from: client, to: upstream) } else { await readWriteLoop(from: client, to: upstream) }
                try? upstream.closeWrite()
            }
            group.addTask {
                if splice { _ = try? await copy(from: upstream, to: client) } else { await readWriteLoop(from: upstream, to: client) }
                try? client.closeWrite()
            }
        }
        try? upstream.close()
    }
}

/// The read/write-loop proxy direction: 32 KiB through user space per read.
func readWriteLoop(from source: TCPConn, to destination: TCPConn) async {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        guard let n = try? await source.read(into: buffer), n > 0 else { return }
        do {
            try await destination.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        } catch {
            return
        }
    }
}

/// The echo server. `copyMode`: `copy(from: conn, to: conn)` (Go's `io.Copy(c, c)`); otherwise
/// a read/write loop with a `bufferSize` buffer allocated when the connection starts (Go's
/// `buf := make([]byte, 32*1024)` loop).
/// How `serve-echo` echoes: `read` into a buffer the handler allocates up front (Go's read
/// loop), `array` with `read(upToCount:)` (no buffer held while idle), or `copy(from:to:)`.
enum EchoMode: String {
    case read, array, copy
}

func serveEcho(listen: String, mode: EchoMode, bufferSize: Int) async throws {
    let listener = try TCPListener.listen(address: listen)
    announce(listener)
    try await serve(listener) { conn in
        switch mode {
        case .copy:
            _ = try? await copy(from: conn, to: conn)
            return
        case .array:
            while let bytes = try? await conn.read(upToCount: bufferSize), !bytes.isEmpty {
                guard (try? await conn.write(bytes)) != nil else { return }
            }
            return
        case .read:
            break
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            guard let n = try? await conn.read(into: buffer), n > 0 else { return }
            do {
                try await conn.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            } catch {
                return
            }
        }
    }
}

/// 256 KiB of zeros, written again and again by the TLS bulk responses.
nonisolated(unsafe) let zeros: UnsafeRawBufferPointer = {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    buffer.initializeMemory(as: UInt8.self, repeating: 0)
    return UnsafeRawBufferPointer(buffer)
}()

/// The tiny protocol of the TLS servers, in plaintext: "GET /N HTTP/1.0\r\n\r\n" → a header
/// and N bytes, then close. The upstream behind the TLS-terminating proxies of `netbench twins`
/// (lesson 7), so that netload's TLS clients get the answer they expect through them.
func serveGet(listen: String) async throws {
    let listener = try TCPListener.listen(address: listen)
    announce(listener)
    try await serve(listener) { conn in
        defer { try? conn.close() }
        var request: [UInt8] = []
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while !request.suffix(4).elementsEqual(end) && request.count < 8192 {
            guard let chunk = try? await conn.read(upToCount: 4096), !chunk.isEmpty else { return }
            request += chunk
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        var remaining = parts.count >= 2 ? max(0, Int(parts[1].dropFirst()) ?? 1) : 1
        do {
            try await conn.write("HTTP/1.0 200 ok\r\n\r\n")
            while remaining > 0 {
                let chunk = min(remaining, zeros.count)
                try await conn.write(UnsafeRawBufferPointer(rebasing: zeros[..<chunk]))
                remaining -= chunk
            }
            try conn.closeWrite()
            // Wait for the client's end (the proxy passes it on), so that no reset cuts the reply.
            try conn.setReadDeadline(.after(.seconds(10)))
            while let bytes = try? await conn.read(upToCount: 4096), !bytes.isEmpty {}
        } catch {
            return
        }
    }
}

/// The TLS server (NetTLS over NetCore), speaking the same tiny protocol as `openssl s_server
/// -WWW` and Benchmarks/go/tlsserver.go: "GET /N HTTP/1.0\r\n\r\n" → a header and N bytes, then
/// close with close_notify.
func serveTLS(listen: String, certificateFile: String, keyFile: String) async throws {
    let config = try TLSServerConfig(certificateFile: certificateFile, keyFile: keyFile)
    let listener = try TCPListener.listen(address: listen)
    announce(listener)
    try await serve(listener) { conn in
        let tls = TLSConn.server(wrapping: conn, config: config)
        do {
            try await tls.handshake()
            var request: [UInt8] = []
            let end: [UInt8] = Array("\r\n\r\n".utf8)
            while !request.suffix(4).elementsEqual(end) && request.count < 8192 {
                let chunk = try await tls.read(upToCount: 4096)
                if chunk.isEmpty { return }
                request += chunk
            }
            let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
            let parts = line.split(separator: " ")
            var remaining = parts.count >= 2 ? Int(parts[1].dropFirst()) ?? 1 : 1
            try await tls.write("HTTP/1.0 200 ok\r\n\r\n")
            while remaining > 0 {
                let chunk = min(remaining, zeros.count)
                try await tls.write(UnsafeRawBufferPointer(rebasing: zeros[..<chunk]))
                remaining -= chunk
            }
            try await tls.closeGracefully()
        } catch {
            try? tls.close()
        }
    }
}

func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// With NETBENCH_MALLINFO set, a thread has glibc print its heap statistics (malloc_stats:
/// bytes in use per arena and in total) to stderr every second: heap in use per connection, to
/// set beside RSS per connection.
func startHeapReporter() {
    var thread = pthread_t()
    pthread_create(
        &thread, nil,
        { _ in
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_stats") else { return nil }
            let mallocStats = unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)
            while true {
                mallocStats()
                sleep(1)
            }
        }, nil)
    pthread_detach(thread)
}
