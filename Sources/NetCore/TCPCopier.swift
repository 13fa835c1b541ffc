#if canImport(Glibc)
import Glibc
#endif
import CNetShim

/// The synchronous state machine behind a copy between two TCP conns (`tcpCopy`): each `step`
/// moves what it can without blocking and says what to wait for next. `CopyPolicy` decides,
/// from the sizes it sees, whether the next bytes are read into a buffer or spliced; this type
/// does the syscalls. The buffered half is here, the splice half in Splice.swift.
///
/// Bytes are never reordered or held back across a switch: a chunk read into the buffer is
/// sent in full, and the pipe is emptied into the destination, before the source is read
/// again in either mode. So an error is thrown only after everything already taken from the
/// source has been written (or the destination itself failed), and its `bytesTransferred`
/// counts exactly what reached the destination.
///
/// While it waits for the source it holds no buffer and no pipe: a buffered read goes into the
/// thread's scratch buffer and is sent at once; only what the destination cannot take yet is
/// copied into a buffer of its own (`pending`), freed once sent. An idle conn's copy costs
/// its frames and nothing else.
struct TCPCopier {
    enum Next: Equatable {
        /// End of stream, or the limit reached, with everything written.
        case finished
        case waitForSource
        /// A read came back short, so the source is empty for now: wait without reading it
        /// again first (`TCPConn.waitForMoreAfterShortRead`).
        case waitForMoreFromSource
        case waitForDestination
    }

    /// What one read or splice from the source did.
    enum Transfer {
        /// Something happened (bytes moved, or the mode changed): step again.
        case again
        case endOfStream
        case wouldBlock
        /// A read took less than it asked for, and all of it was sent.
        case drained
    }

    let source: TCPConn
    let destination: TCPConn
    let limit: Int64?
    /// Bytes the caller copied before this copy, counted in errors.
    let copied: Int64
    /// Bytes written to the destination by this copy.
    var total: Int64 = 0
    /// Set after a wait that reported readiness: the retry skips the deadline check once.
    var woke = false
    var policy: CopyPolicy

    // The splice half (Splice.swift).
    var pipe: SplicePipe?
    /// Bytes drained into the pipe and not yet pumped out.
    var inPipe = 0
    /// No splice from the source has moved a byte yet (EINVAL now means "not supported").
    var firstDrain = true

    // The buffered half.
    /// Bytes read that the destination could not take yet (at most `CopyPolicy.bufferSize`),
    /// their count, and how many of them are sent since. Kept as small as it can be: this
    /// struct lives in the frame of every idle copy.
    private var pending: UnsafeMutableRawPointer?
    private var pendingCount: UInt32 = 0
    private var pendingSent: UInt32 = 0

    init(source: TCPConn, destination: TCPConn, limit: Int64?, copied: Int64, mode: CopyMode = .buffered) {
        self.source = source
        self.destination = destination
        self.limit = limit
        self.copied = copied
        self.policy = CopyPolicy(mode: mode)
    }

    /// What an error reports as transferred: everything written to the destination.
    var countForErrors: Int { Int(copied + total) }

    /// Whether a splice pipe is held now (never while waiting for the source).
    var holdsPipe: Bool { pipe != nil }
    /// Bytes in the pipe, drained from the source and not yet written to the destination.
    var bytesInPipe: Int { inPipe }
    /// Whether read bytes wait in a buffer for the destination.
    var holdsBuffer: Bool { pending != nil }

    /// Never inlined: its locals (and those of everything it calls) would otherwise land in the
    /// frame of the async loop that calls it, which stays allocated while an idle conn waits.
    @inline(never)
    mutating func step() throws -> Next {
        while true {
            if pending != nil {
                if try !flushPending() { return .waitForDestination }
                continue
            }
            if inPipe > 0 {
                if try !pump() { return .waitForDestination }
                continue
            }
            if let limit, total >= limit { return .finished }
            let transfer = policy.mode == .buffered ? try readAndSend() : try spliceFromSource()
            switch transfer {
            case .again: continue
            case .endOfStream: return .finished
            case .wouldBlock:
                releasePipe()  // empty here: the pool can lend it to someone busy meanwhile
                return .waitForSource
            case .drained:
                releasePipe()
                return .waitForMoreFromSource
            }
        }
    }

    /// Gives back the pipe and frees the pending buffer: the end of the copy, however it ended.
    mutating func finish() {
        releasePipe()
        pending?.deallocate()
        pending = nil
        pendingCount = 0
    }

    /// Tells `CopyPolicy.observer`, if any, that the copy switched to `mode`.
    func announce(_ mode: CopyMode) {
        CopyPolicy.observer?(mode)
    }

    // MARK: The buffered half

    /// One read(2) into the thread's scratch buffer, then send(2) of what came; what the
    /// destination cannot take now is kept in `pending`.
    private mutating func readAndSend() throws -> Transfer {
        let want = Int(min(Int64(CopyPolicy.bufferSize), limit.map { $0 - total } ?? Int64.max))
        let scratch = cnet_thread_scratch()
        let buffer =
            scratch.map { UnsafeMutableRawBufferPointer(start: $0, count: want) }
            ?? UnsafeMutableRawBufferPointer.allocate(byteCount: want, alignment: 16)
        defer { if scratch == nil { buffer.deallocate() } }
        guard let count = try readSource(into: buffer) else { return .wouldBlock }
        if count == 0 { return .endOfStream }
        if policy.didRead(count) { announce(policy.mode) }
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
        let sent = try send(chunk)
        if sent < count {
            let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: count - sent, alignment: 16)
            rest.copyMemory(from: UnsafeRawBufferPointer(rebasing: chunk[sent...]))
            pending = rest.baseAddress
            pendingCount = UInt32(rest.count)
            pendingSent = 0
            return .again
        }
        // A short read emptied the socket: the next read would only say EAGAIN. Go's read loop
        // pays for that syscall on every message; this copy waits for the poller instead.
        return count < want ? .drained : .again
    }

    /// Sends what `pending` still holds: true once it is all sent (and freed).
    private mutating func flushPending() throws -> Bool {
        guard let buffer = pending else { return true }
        let rest = UnsafeRawBufferPointer(start: buffer + Int(pendingSent), count: Int(pendingCount - pendingSent))
        pendingSent += UInt32(try send(rest))
        if pendingSent < pendingCount { return false }
        buffer.deallocate()
        pending = nil
        pendingCount = 0
        pendingSent = 0
        return true
    }

    /// One read(2) from the source: the count (0 at end of stream), or nil when nothing has
    /// arrived yet.
    private mutating func readSource(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        while true {
            if let failure = source.descriptor.begin(.read, afterWake: woke) {
                throw source.error(failure, "read", bytes: countForErrors)
            }
            woke = false
            let n = Glibc.read(source.descriptor.fd, buffer.baseAddress, buffer.count)
            let code = errno
            source.descriptor.end()
            if n >= 0 { return n }
            if code == EINTR { continue }
            if code == EAGAIN { return nil }
            throw NetError(.system(code), op: "read", address: source.pairName, bytesTransferred: countForErrors)
        }
    }

    /// send(2) until `bytes` are all sent or the destination is full; returns how many were sent.
    private mutating func send(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        var sent = 0
        while sent < bytes.count {
            if let failure = destination.descriptor.begin(.write, afterWake: woke) {
                throw destination.error(failure, "write", bytes: countForErrors)
            }
            woke = false
            let n = cnet_send(destination.descriptor.fd, bytes.baseAddress! + sent, bytes.count - sent)
            let code = errno
            destination.descriptor.end()
            if n >= 0 {
                sent += n
                total += Int64(n)
                continue
            }
            if code == EINTR { continue }
            if code == EAGAIN { break }
            throw NetError(.system(code), op: "write", address: destination.pairName, bytesTransferred: countForErrors)
        }
        return sent
    }
}
