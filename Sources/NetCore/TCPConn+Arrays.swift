/// `readExactly` and `write(_: [UInt8])` on a TCP conn, straight into and out of the array.
///
/// `Conn`'s defaults go through a buffer of their own, because a pointer into an array must
/// not be held across an await. These take the array's pointer afresh for each synchronous
/// attempt instead, so a frame that has arrived whole costs one read(2) and no copy, and a
/// reply the socket takes whole costs one send(2) and no copy. The semantics are the
/// defaults': the same errors, the same byte counts in them, the same deadline checks (each
/// attempt after progress checks the deadline, the retry after a wake does not, as in `read`).
extension TCPConn {
    /// Reads exactly `count` bytes, like Go's `io.ReadFull`; see `Conn.readExactly`.
    public func readExactly(_ count: Int) async throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(count, 0))
        try await readLock.lock()
        defer { readLock.unlock() }
        var filled = 0
        var woke = false
        while filled < count {
            guard let n = try readMore(into: &bytes, at: filled, afterWake: woke) else {
                try await waitUntilReady(.read, "read", bytes: filled)
                woke = true
                continue
            }
            if n == 0 { throw NetError(.unexpectedEOF, op: "read", bytesTransferred: filled) }
            filled += n
            woke = false
        }
        return bytes
    }

    /// Writes all of `bytes`; see `Conn.write(_:)`.
    public func write(_ bytes: [UInt8]) async throws {
        try await writeLock.lock()
        defer { writeLock.unlock() }
        var sent = 0
        var woke = false
        while true {
            sent = try bytes.withUnsafeBytes { try attemptWrite($0, from: sent, afterWake: woke) }
            if sent == bytes.count { return }
            try await waitUntilReady(.write, "write", bytes: sent)
            woke = true
        }
    }

    /// One read into `bytes[start...]`: the count, or nil when nothing has arrived. An error
    /// counts the `start` bytes already read. Synchronous, to keep the async frame small.
    private func readMore(into bytes: inout [UInt8], at start: Int, afterWake: Bool) throws -> Int? {
        do {
            return try bytes.withUnsafeMutableBytes {
                try attemptRead(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...]), afterWake: afterWake)
            }
        } catch var error as NetError {
            error.bytesTransferred = start
            throw error
        }
    }
}
