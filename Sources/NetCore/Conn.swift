/// A bidirectional byte stream. Like Go's `net.Conn`: a reader, a writer, close, addresses
/// and deadlines. `TCPConn`, `PrefixConn`, `TeeConn` and NetTLS's `TLSConn` all conform, so code written
/// against `Conn` works over any of them.
///
/// Every operation throws `NetError`. Reads are serialized among themselves, and writes among
/// themselves; a read and a write may run at the same time from two tasks.
public protocol Conn: AnyObject, Sendable {
    /// Reads at least one byte into `buffer` and returns the count; 0 means end of stream.
    /// A zero-length buffer returns 0 at once. The buffer must stay valid until the call returns.
    /// Like Go's `Read`.
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int
    /// Writes all of `bytes`, or throws with `bytesTransferred` telling how many went out.
    /// Like Go's `Write`.
    func write(_ bytes: UnsafeRawBufferPointer) async throws
    /// Reads what is available, at most `maxCount` bytes; an empty array means end of stream.
    /// (A requirement with a default, so that a conn can do it without holding a buffer while
    /// it waits, as `TCPConn` does.)
    func read(upToCount maxCount: Int) async throws -> [UInt8]
    /// Reads exactly `count` bytes. Like Go's `io.ReadFull`: end of stream before the last
    /// byte throws `.unexpectedEOF` (with the bytes read so far counted in `bytesTransferred`).
    /// (A requirement with a default, so that a conn can read straight into the array it
    /// returns, as `TCPConn` does.)
    func readExactly(_ count: Int) async throws -> [UInt8]
    /// Writes all of `bytes`. (A requirement with a default, so that a conn can send straight
    /// from the array, as `TCPConn` does, instead of through a copy.)
    func write(_ bytes: [UInt8]) async throws
    /// Closes the conn; pending reads and writes wake with `.closed`. A second close throws
    /// `.closed`. Like Go's `Close`.
    func close() throws
    /// Sets both deadlines. Like Go's `SetDeadline`.
    func setDeadline(_ deadline: Deadline?) throws
    /// Like Go's `SetReadDeadline`: an absolute time that affects pending and future reads;
    /// `nil` clears it.
    func setReadDeadline(_ deadline: Deadline?) throws
    /// Like Go's `SetWriteDeadline`.
    func setWriteDeadline(_ deadline: Deadline?) throws
    /// Like Go's `LocalAddr`.
    var localAddress: SocketAddress { get }
    /// Like Go's `RemoteAddr`.
    var remoteAddress: SocketAddress { get }
}

/// A conn whose directions can be shut down one at a time, like Go's `*net.TCPConn`.
public protocol HalfClosable: Conn {
    /// Shuts down the sending side: the peer reads EOF, and can still reply. Like Go's `CloseWrite`.
    func closeWrite() throws
    /// Shuts down the receiving side: later reads return 0. Like Go's `CloseRead`.
    func closeRead() throws
}

extension Conn {
    public func setDeadline(_ deadline: Deadline?) throws {
        try setReadDeadline(deadline)
        try setWriteDeadline(deadline)
    }

    /// Reads what is available, at most `maxCount` bytes; an empty array means end of stream.
    public func read(upToCount maxCount: Int) async throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(maxCount, 0), alignment: 1)
        defer { buffer.deallocate() }
        let count = try await read(into: buffer)
        return Array(buffer[..<count])
    }

    /// Reads exactly `count` bytes through a buffer, one `read(into:)` at a time.
    public func readExactly(_ count: Int) async throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 0), alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < count {
            let n: Int
            do {
                n = try await read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            } catch var error as NetError {
                error.bytesTransferred = filled
                throw error
            }
            if n == 0 { throw NetError(.unexpectedEOF, op: "read", bytesTransferred: filled) }
            filled += n
        }
        return Array(buffer)
    }

    /// Writes all of `bytes` through a buffer this call owns.
    public func write(_ bytes: [UInt8]) async throws {
        if bytes.isEmpty { return try await write(UnsafeRawBufferPointer(start: nil, count: 0)) }
        // The buffer must outlive the awaits inside `write`, which `withUnsafeBytes` cannot
        // promise, so the bytes go through a buffer this call owns.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try await write(UnsafeRawBufferPointer(buffer))
    }

    /// Writes the UTF-8 bytes of `text`.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }
}
