#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// Copies from one TCP conn to another with splice(2) through a pooled pipe, like Go's
/// `TCPConn.ReadFrom` → `poll.Splice`: drain up to 1 MiB from the source into the pipe, then
/// pump the pipe into the destination until it is empty, waiting on the poller for either
/// socket, so deadlines and close apply as they do to read and write.
///
/// Returns `.fallBack` when splicing cannot go on and nothing is lost by stopping: the kernel
/// refused the first splice with EINVAL (nothing was consumed), or no pipe could be had (out
/// of descriptors: EMFILE or ENFILE) while the copy held none. The caller copies the rest
/// through a buffer, as Go's `io.Copy` does when `getPipe` fails: a process at its descriptor
/// limit keeps copying instead of failing every conn that needs a pipe.
///
/// The pipe goes back to the pool whenever the copy waits for the source with the pipe empty,
/// so an idle copy (a proxied conn between requests, an echo nobody talks to) holds one
/// descriptor, its socket, not three. (Go 1.19 keeps the pipe for the whole copy: at 20,000
/// descriptors it serves a third as many idle `io.Copy` conns.) The async loop holds only a
/// few words across its waits; the syscalls and the errors live in `SpliceCopier`'s
/// synchronous steps, because an idle conn's async frames are most of its memory.
func spliceCopy(
    from source: TCPConn, to destination: TCPConn, limit: Int64?, copied: Int64 = 0,
    takePipe: @escaping @Sendable () throws -> SplicePipe = PipePool.take
) async throws -> SpliceOutcome {
    try await source.readLock.lock()
    defer { source.readLock.unlock() }
    try await destination.writeLock.lock()
    defer { destination.writeLock.unlock() }

    var copier = SpliceCopier(source: source, destination: destination, limit: limit, copied: copied, takePipe: takePipe)
    defer { copier.releasePipe() }
    SpliceStatistics.calls.wrappingAdd(1, ordering: .relaxed)
    while true {
        switch try copier.step() {
        case .finished: return .done(copier.total)
        case .unsupported: return .fallBack(copied: copier.total)
        case .waitForSource: try await source.waitUntilReadyOutOfLine(.read, "read", bytes: copier.countForErrors)
        case .waitForDestination: try await destination.waitUntilReadyOutOfLine(.write, "write", bytes: copier.countForErrors)
        }
        copier.woke = true
    }
}

/// How `spliceCopy` ended.
enum SpliceOutcome: Equatable {
    /// The copy is complete: end of stream or the limit, after this many bytes.
    case done(Int64)
    /// Splicing stopped after `copied` bytes with nothing held back: copy the rest another way.
    case fallBack(copied: Int64)
}

/// The synchronous state machine behind `spliceCopy`: each `step` moves what it can without
/// blocking and says what to wait for next.
struct SpliceCopier {
    enum Next {
        case finished
        /// The first splice failed with EINVAL, or no pipe could be had: nothing is held, copy
        /// the rest another way.
        case unsupported
        case waitForSource
        case waitForDestination
    }

    let source: TCPConn
    let destination: TCPConn
    let limit: Int64?
    /// Bytes the caller copied before this splice, counted in errors.
    let copied: Int64
    private(set) var total: Int64 = 0
    /// Set after a wait that reported readiness: the retry skips the deadline check once.
    var woke = false
    private var pipe: SplicePipe?
    private let takePipe: @Sendable () throws -> SplicePipe
    /// Bytes drained into the pipe and not yet pumped out.
    private var inPipe = 0
    private var firstDrain = true

    init(
        source: TCPConn, destination: TCPConn, limit: Int64?, copied: Int64,
        takePipe: @escaping @Sendable () throws -> SplicePipe = PipePool.take
    ) {
        self.source = source
        self.destination = destination
        self.limit = limit
        self.copied = copied
        self.takePipe = takePipe
    }

    /// Whether a splice pipe is held now (never while waiting for the source).
    var holdsPipe: Bool { pipe != nil }
    /// Bytes in the pipe, drained from the source and not yet written to the destination.
    var bytesInPipe: Int { inPipe }

    /// What an error reports as transferred: everything written to the destination.
    var countForErrors: Int { Int(copied + total) }

    mutating func step() throws -> Next {
        while true {
            if inPipe > 0 {
                if try !pump() { return .waitForDestination }
                continue
            }
            if let limit, total >= limit { return .finished }
            if pipe == nil {
                do {
                    pipe = try takePipe()
                } catch let error as NetError where error.isOutOfDescriptors {
                    return .unsupported  // the pipe is empty and nothing is owed: buffer the rest
                }
            }
            switch try drain() {
            case .moved: continue
            case .endOfStream: return .finished
            case .unsupported: return .unsupported
            case .wouldBlock:
                releasePipe()  // empty here: the pool can lend it to someone busy meanwhile
                return .waitForSource
            }
        }
    }

    private enum Drain { case moved, endOfStream, unsupported, wouldBlock }

    /// Source socket → pipe, one splice.
    private mutating func drain() throws -> Drain {
        let chunk = Int(min(Int64(PipePool.pipeSize), limit.map { $0 - total } ?? Int64.max))
        while true {
            if let outcome = source.descriptor.begin(.read, afterWake: woke) {
                throw source.error(outcome, "read", bytes: countForErrors)
            }
            woke = false
            let n = cnet_splice(source.descriptor.fd, pipe!.writeFD, chunk)
            let code = errno
            source.descriptor.end()
            if n > 0 {
                inPipe = n
                firstDrain = false
                return .moved
            }
            if n == 0 { return .endOfStream }
            if code == EINTR { continue }
            if code == EAGAIN { return .wouldBlock }
            if code == EINVAL && firstDrain { return .unsupported }
            throw NetError(.system(code), op: "read", address: source.pairName, bytesTransferred: countForErrors)
        }
    }

    /// Pipe → destination socket until the pipe is empty (true) or the socket is full (false).
    private mutating func pump() throws -> Bool {
        while inPipe > 0 {
            if let outcome = destination.descriptor.begin(.write, afterWake: woke) {
                throw destination.error(outcome, "write", bytes: countForErrors)
            }
            woke = false
            let n = cnet_splice(pipe!.readFD, destination.descriptor.fd, inPipe)
            let code = errno
            destination.descriptor.end()
            if n > 0 {
                inPipe -= n
                total += Int64(n)
                SpliceStatistics.bytes.wrappingAdd(n, ordering: .relaxed)
            } else if n < 0 && code == EINTR {
                continue
            } else if n < 0 && code == EAGAIN {
                return false
            } else {
                throw NetError(n == 0 ? .system(EPIPE) : .system(code), op: "write", address: destination.pairName, bytesTransferred: countForErrors)
            }
        }
        return true
    }

    /// Gives the pipe back to the pool if it is empty, destroys it if it still holds bytes
    /// (they belong to this copy, and no other copy may ever read them).
    mutating func releasePipe() {
        guard let held = pipe else { return }
        pipe = nil
        if inPipe == 0 { PipePool.giveBack(held) } else { PipePool.destroy(held) }
        inPipe = 0
    }
}

/// Counters that let tests and benchmarks prove the splice path was taken.
public enum SpliceStatistics {
    static let calls = Atomic<Int>(0)
    static let bytes = Atomic<Int>(0)
    /// How many copies have gone through splice since the process started.
    public static var spliceCopies: Int { calls.load(ordering: .relaxed) }
    /// How many bytes have moved through splice since the process started.
    public static var splicedBytes: Int { bytes.load(ordering: .relaxed) }
}
