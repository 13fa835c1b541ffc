/// A conn that keeps a copy of every byte read through it. Like Go's `io.TeeReader(conn, &buf)`:
/// the talk reads the ClientHello through a tee into a buffer, and then replays that buffer to
/// the backend with `prefixConn{io.MultiReader(&buf, conn), conn}`. Here the two compose the
/// same way: read the hello from `let tee = TeeConn(base: client)`, then wrap the same base in
/// `PrefixConn(prefix: tee.recorded, base: client)`, and whoever reads that sees the stream
/// from its first byte. The reader needs no change: it reads a `Conn`, as before.
///
/// Only reads are recorded; writes, close, deadlines and addresses go to `base`. The record
/// grows with every byte read and is never trimmed: read through a tee only what is bounded
/// (a ClientHello under its size cap), then go on reading from `base`, not from the tee.
public final class TeeConn<Base: Conn>: Conn, WriteForwarding {
    /// The conn that reads, writes and everything else go to.
    public let base: Base
    private let record: Locked<[UInt8]>

    /// Wraps `base`, with nothing recorded yet.
    public init(base: Base) {
        self.base = base
        record = Locked([])
    }

    /// Every byte read through this conn so far, in the order it was read. Like the
    /// `bytes.Buffer` that Go's `io.TeeReader` writes to.
    public var recorded: [UInt8] { record.withLock { $0 } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        let count = try await base.read(into: buffer)
        if count > 0 { record.withLock { $0.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count])) } }
        return count
    }

    /// Reads through `base`'s own `read(upToCount:)`, so that a `TCPConn` still holds no buffer
    /// while it waits, and records what came.
    public func read(upToCount maxCount: Int) async throws -> [UInt8] {
        let bytes = try await base.read(upToCount: maxCount)
        if !bytes.isEmpty { record.withLock { $0.append(contentsOf: bytes) } }
        return bytes
    }

    public func write(_ bytes: UnsafeRawBufferPointer) async throws { try await base.write(bytes) }
    public func write(_ bytes: [UInt8]) async throws { try await base.write(bytes) }
    public func close() throws { try base.close() }
    public func setDeadline(_ deadline: Deadline?) throws { try base.setDeadline(deadline) }
    public func setReadDeadline(_ deadline: Deadline?) throws { try base.setReadDeadline(deadline) }
    public func setWriteDeadline(_ deadline: Deadline?) throws { try base.setWriteDeadline(deadline) }
    public var localAddress: SocketAddress { base.localAddress }
    public var remoteAddress: SocketAddress { base.remoteAddress }

    var writeTarget: any Conn { base }
}

extension TeeConn: HalfClosable where Base: HalfClosable {
    public func closeWrite() throws { try base.closeWrite() }
    public func closeRead() throws { try base.closeRead() }
}
