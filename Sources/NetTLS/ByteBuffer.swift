import COpenSSL

/// Bytes in one heap block that grows but never shrinks, so a conn reuses it for every record
/// instead of allocating per record. Not thread-safe: its owner guards it.
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes after `count`.
    func reserve(extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity
        while newCapacity < count + extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    var isEmpty: Bool { count == 0 }
    func removeAll() { count = 0 }

    /// Moves everything waiting in memory BIO `bio` to the end of this buffer.
    func append(draining bio: OpaquePointer) {
        while true {
            let pending = Int(BIO_ctrl_pending(bio))
            if pending <= 0 { return }
            reserve(extra: pending)
            let n = BIO_read(bio, base + count, Int32(clamping: pending))
            if n <= 0 { return }
            count += Int(n)
        }
    }
}
