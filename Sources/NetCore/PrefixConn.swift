import Synchronization

/// A conn that first replays bytes already read from `base` and then reads from `base` itself.
/// Like the talk's `prefixConn{io.MultiReader(&buf, conn), conn}` (and tcpproxy's `Conn` with
/// `Peeked`): after sniffing a TLS ClientHello, wrap the conn so that whoever reads next — a
/// proxy copy, or `TLSConn.server` — sees the stream from its first byte.
///
/// Everything but reading goes to `base`. `copy(from:to:)` writes the prefix and then copies
/// from `base` directly, so two TCP conns still splice after the prefix.
public final class PrefixConn<Base: Conn>: Conn, PrefixSource, WriteForwarding {
    public let base: Base
    private let pending: Locked<(bytes: [UInt8], offset: Int, closed: Bool)>

    /// Wraps `base`; `prefix` is read before anything from `base`.
    public init(prefix: [UInt8], base: Base) {
        self.base = base
        pending = Locked((prefix, 0, false))
    }

    /// Bytes of the prefix not read yet.
    public var bufferedCount: Int { pending.withLock { $0.bytes.count - $0.offset } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        let served: Int? = pending.withLock { p in
            if p.closed { return nil }
            let count = min(buffer.count, p.bytes.count - p.offset)
            if count > 0 {
                p.bytes.withUnsafeBytes { source in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[p.offset..<p.offset + count]))
                }
                p.offset += count
                if p.offset == p.bytes.count { p.bytes = []; p.offset = 0 }
            }
            return count
        }
        guard let served else { throw NetError(.closed, op: "read", address: "\(localAddress)->\(remoteAddress)") }
        if served > 0 || buffer.count == 0 { return served }
        return try await base.read(into: buffer)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) async throws { try await base.write(bytes) }
    public func write(_ bytes: [UInt8]) async throws { try await base.write(bytes) }

    public func close() throws {
        pending.withLock { $0 = ([], 0, true) }
        try base.close()
    }

    public func setDeadline(_ deadline: Deadline?) throws { try base.setDeadline(deadline) }
    public func setReadDeadline(_ deadline: Deadline?) throws { try base.setReadDeadline(deadline) }
    public func setWriteDeadline(_ deadline: Deadline?) throws { try base.setWriteDeadline(deadline) }
    public var localAddress: SocketAddress { base.localAddress }
    public var remoteAddress: SocketAddress { base.remoteAddress }

    func takePrefix(upTo limit: Int?) -> [UInt8] {
        pending.withLock { p in
            let count = min(limit ?? Int.max, p.bytes.count - p.offset)
            guard count > 0 else { return [] }
            let taken = Array(p.bytes[p.offset..<p.offset + count])
            p.offset += count
            if p.offset == p.bytes.count { p.bytes = []; p.offset = 0 }
            return taken
        }
    }

    var prefixBase: any Conn { base }
    var writeTarget: any Conn { base }
}

extension PrefixConn: HalfClosable where Base: HalfClosable {
    public func closeWrite() throws { try base.closeWrite() }
    public func closeRead() throws { try base.closeRead() }
}
