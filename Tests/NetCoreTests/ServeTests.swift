import Foundation
import Testing
@testable import NetCore

@Suite("serve and the poller", .timeLimit(.minutes(1)))
struct ServeTests {
    @Test("one task per connection: a silent client blocks nobody; a failing handler cancels no sibling")
    func serveIsolatesConnections() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        let server = Task {
            try await serve(listener) { conn in
                guard let first = try? await conn.read(upToCount: 5), !first.isEmpty else { return }
                if first == Array("crash".utf8) { return }  // this handler gives up at once
                try? await conn.write(first)
                _ = try? await copy(from: conn, to: conn)
            }
        }
        let silent = try await TCPConn.dial(listener.address.description)
        let crasher = try await TCPConn.dial(listener.address.description)
        try await crasher.write("crash")
        #expect(try await readAll(crasher).isEmpty, "the crashing handler's conn was closed by serve")
        let talker = try await TCPConn.dial(listener.address.description)
        try talker.setReadDeadline(.after(.seconds(5)))
        try await talker.write("hello")
        #expect(try await talker.readExactly(5) == Array("hello".utf8))
        try listener.close()
        try await server.value  // returns once closed; the silent client's handler is cancelled
        #expect(try await readAll(silent).isEmpty)
        try silent.close()
        try talker.close()
        try crasher.close()
    }

    @Test("8 blocked reads and a ping-pong all finish; the sockets go back to baseline")
    func noStarvationNoFDLeak() async throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        defer { try? listener.close() }
        let port = listener.address.port
        let baseline = socketsInvolving(port: port)
        var blocked: [Pair] = []
        var readers: [Task<Void, Never>] = []
        for _ in 0..<8 {
            async let accepted = listener.accept()
            let client = try await TCPConn.dial(listener.address.description)
            let pair = Pair(listener: listener, client: client, server: try await accepted)
            blocked.append(pair)
            readers.append(Task { _ = try? await pair.server.read(upToCount: 1) })
        }
        async let accepted = listener.accept()
        let client = try await TCPConn.dial(listener.address.description)
        let server = try await accepted
        for i in 0..<200 {
            try await client.write([UInt8(i % 256)])
            let got = try await server.readExactly(1)
            try await server.write(got)
            #expect(try await client.readExactly(1) == [UInt8(i % 256)])
        }
        for pair in blocked {
            try pair.client.close()
            try pair.server.close()
        }
        for reader in readers { await reader.value }
        try client.close()
        try server.close()
        #expect(await eventually { socketsInvolving(port: port) == baseline })
    }

    @Test("on EMFILE, accept backs off 5, 10, 20 … ms up to 1 s, then recovers")
    func acceptBackoffOnEMFILE() async throws {
        // The descriptor limit is process-wide, so this runs in a child process.
        let probe = Process()
        probe.executableURL = try probeExecutable()
        probe.arguments = ["emfile"]
        let output = Pipe()
        probe.standardOutput = output
        try probe.run()
        defer { if probe.isRunning { probe.terminate() } }
        let lines = LineReader(handle: output.fileHandleForReading)
        let portLine = try #require(await lines.next(within: .seconds(10)))
        let port = try #require(UInt16(portLine.dropFirst(5)))
        let conn = try await TCPConn.dial("127.0.0.1:\(port)", timeout: .seconds(5))
        try conn.setReadDeadline(.after(.seconds(15)))
        #expect(try await conn.readExactly(2) == Array("ok".utf8))
        var delays: [Int] = []
        var accepted = false
        while let line = await lines.next(within: .seconds(5)) {
            if line.hasPrefix("backoff ") && !accepted {
                delays.append(Int(line.split(separator: " ")[1]) ?? -1)
                #expect(line.hasSuffix("too many open files"), "\(line)")
            }
            if line == "accepted" { accepted = true }
            if line == "done" { break }
        }
        #expect(Array(delays.prefix(9)) == [5, 10, 20, 40, 80, 160, 320, 640, 1000])
        #expect(accepted)
        try conn.close()
    }
}

/// The probe executable, built next to the test bundle by `swift build`.
func probeExecutable() throws -> URL {
    let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    var directory = exe.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("netcore-probe")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    throw NetError(.invalidAddress, detail: "netcore-probe not found near \(exe.path)")
}

/// Lines from a pipe, each awaited with a time bound (reading happens on a thread of its own).
final class LineReader: @unchecked Sendable {
    private let lock = NSCondition()
    private var lines: [String] = []
    private var finished = false

    init(handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lock.withLock {
                        lines.append(line); lock.broadcast()
                    }
                }
            }
            lock.withLock {
                finished = true; lock.broadcast()
            }
        }
    }

    func next(within bound: Duration) async -> String? {
        let deadline = ContinuousClock.now + bound
        while ContinuousClock.now < deadline {
            let line: String?? = lock.withLock {
                if !lines.isEmpty { return .some(lines.removeFirst()) }
                return finished ? .some(nil) : nil
            }
            if let line { return line }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

@Suite("Descriptor limit")
struct DescriptorLimitTests {
    @Test func softLimitIsRaisedToTheHardLimit() {
        let now = raiseDescriptorLimit()
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #expect(limit.rlim_cur == limit.rlim_max)
        #expect(now == Int(clamping: limit.rlim_cur))
        #expect(now >= 1024)
    }
}
