/// Copies from `source` to `destination` until end of stream, an error, or `limit` bytes, and
/// returns the count. Like Go's `io.Copy` (or `io.CopyN` with a limit):
///
/// - Between two `TCPConn`s it adapts to the traffic: it reads into a buffer while reads come
///   back small (one read and one send per message, like Go's 32 KiB read loop), and splices
///   (no copy through user space, as Go's `TCPConn.ReadFrom` does) once a read fills the
///   buffer, until the traffic turns interactive again. See `CopyPolicy`.
/// - A `PrefixConn` source first writes the bytes it still holds, then copies from its base
///   conn, so a sniffed-then-proxied connection still splices after the prefix.
/// - A `PrefixConn` destination is written through to its base conn.
/// - Anything else goes through a 32 KiB buffer.
///
/// End of stream is not an error. On an error, the thrown `NetError`'s `bytesTransferred` is
/// the number of bytes written to `destination`. Deadlines set on either conn apply.
@discardableResult
public func copy(from source: some Conn, to destination: some Conn, limit: Int64? = nil) async throws -> Int64 {
    // Every error thrown below already counts the bytes copied before it (`copied:`), so this
    // frame, which stays allocated for as long as the copy waits, needs no error handling.
    var reader: any Conn = source
    var writer: any Conn = destination
    while let forwarding = writer as? any WriteForwarding { writer = forwarding.writeTarget }

    var total: Int64 = 0
    while let prefixed = reader as? any PrefixSource {
        let pending = prefixed.takePrefix(upTo: limit.map { Int(clamping: $0 - total) })
        if !pending.isEmpty {
            try await write(pending, to: writer, copied: total)
            total += Int64(pending.count)
        }
        if let limit, total >= limit { return total }
        reader = prefixed.prefixBase
    }
    if let from = reader as? TCPConn, let to = writer as? TCPConn {
        return total + (try await tcpCopy(from: from, to: to, limit: limit.map { $0 - total }, copied: total))
    }
    return total + (try await bufferedCopy(from: reader, to: writer, limit: limit.map { $0 - total }, copied: total))
}

/// Copies between two TCP conns with `TCPCopier`, reading into a buffer or splicing as
/// `CopyPolicy` decides, until end of stream or `limit`; returns the bytes written. `copied` is
/// what the caller copied before, for the counts in errors. The async loop holds only a few
/// words across its waits; the syscalls and the errors live in `TCPCopier`'s synchronous steps,
/// because an idle conn's async frames are most of its memory.
func tcpCopy(
    from source: TCPConn, to destination: TCPConn, limit: Int64?, copied: Int64 = 0, mode: CopyMode = .buffered
) async throws -> Int64 {
    try await source.readLock.lock()
    defer { source.readLock.unlock() }
    try await destination.writeLock.lock()
    defer { destination.writeLock.unlock() }

    var copier = TCPCopier(source: source, destination: destination, limit: limit, copied: copied, mode: mode)
    defer { copier.finish() }
    while true {
        switch try copier.step() {
        case .finished: return copier.total
        case .waitForSource: try await source.waitUntilReadyOutOfLine(.read, "read", bytes: copier.countForErrors)
        case .waitForMoreFromSource: try await source.waitForMoreAfterShortRead(bytes: copier.countForErrors)
        case .waitForDestination: try await destination.waitUntilReadyOutOfLine(.write, "write", bytes: copier.countForErrors)
        }
        copier.woke = true
    }
}

/// Writes `bytes`; an error counts `copied` bytes more than the write itself sent.
private func write(_ bytes: [UInt8], to writer: any Conn, copied: Int64) async throws {
    do {
        try await writer.write(bytes)
    } catch {
        throw counting(error, from: copied, plus: true)
    }
}

/// `error` with `bytesTransferred` set to `base` (or raised by it, when `plus`), if it is a
/// `NetError`. Synchronous, so that the async callers keep small frames.
@inline(never)
func counting(_ error: any Error, from base: Int64, plus: Bool) -> any Error {
    guard var error = error as? NetError else { return error }
    error.bytesTransferred = plus ? error.bytesTransferred + Int(base) : Int(base)
    return error
}

/// The portable path: a 32 KiB buffer, read then write, like Go's `io.copyBuffer`. `copied`
/// is what the caller copied before, for the counts in errors.
func bufferedCopy(from source: any Conn, to destination: any Conn, limit: Int64?, copied: Int64 = 0) async throws -> Int64 {
    let size = 32 * 1024
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    var total: Int64 = 0
    while limit.map({ total < $0 }) ?? true {
        let want = Int(min(Int64(size), limit.map { $0 - total } ?? Int64(size)))
        let n: Int
        do {
            n = try await source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]))
        } catch {
            throw counting(error, from: copied + total, plus: false)
        }
        if n == 0 { break }
        do {
            try await destination.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        } catch {
            throw counting(error, from: copied + total, plus: true)
        }
        total += Int64(n)
    }
    return total
}

/// A conn that holds bytes already read from its base (a `PrefixConn`): `copy` writes them
/// first and then copies from the base directly, keeping the splice path.
protocol PrefixSource: Conn {
    func takePrefix(upTo limit: Int?) -> [UInt8]
    var prefixBase: any Conn { get }
}

/// A conn whose writes go straight to another conn (a `PrefixConn` writes to its base).
protocol WriteForwarding: Conn {
    var writeTarget: any Conn { get }
}
