#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// Copies from one TCP conn to another with splice(2) through a pooled pipe, like Go's
/// `TCPConn.ReadFrom` → `poll.Splice`: drain up to 1 MiB from the source into the pipe, then
/// pump the pipe into the destination until it is empty, waiting on the poller for either
/// socket, so deadlines and close apply as they do to read and write. Returns nil when the
/// kernel refuses the first splice with EINVAL (nothing was consumed): the caller falls back
/// to a plain copy.
func spliceCopy(from source: TCPConn, to destination: TCPConn, limit: Int64?) async throws -> Int64? {
    try await source.readLock.lock()
    defer { source.readLock.unlock() }
    try await destination.writeLock.lock()
    defer { destination.writeLock.unlock() }

    let pipe = try PipePool.take()
    var pipeIsEmpty = true
    defer { pipeIsEmpty ? PipePool.giveBack(pipe) : PipePool.destroy(pipe) }

    var total: Int64 = 0
    var firstDrain = true
    SpliceStatistics.calls.wrappingAdd(1, ordering: .relaxed)
    while limit.map({ total < $0 }) ?? true {
        let chunk = Int(min(Int64(PipePool.pipeSize), limit.map { $0 - total } ?? Int64.max))
        // Drain: source socket → pipe.
        var inPipe = 0
        var woke = false
        while inPipe == 0 {
            if let outcome = source.descriptor.begin(.read, afterWake: woke) {
                throw source.error(outcome, "read", bytes: Int(total))
            }
            let n = cnet_splice(source.descriptor.fd, pipe.writeFD, chunk)
            let code = errno
            source.descriptor.end()
            if n > 0 {
                inPipe = n
            } else if n == 0 {
                return total
            } else if code == EINTR {
                continue
            } else if code == EAGAIN {
                let outcome = await source.descriptor.wait(.read)
                if outcome != .ready { throw source.error(outcome, "read", bytes: Int(total)) }
                woke = true
            } else if code == EINVAL && firstDrain {
                return nil
            } else {
                throw NetError(.system(code), op: "read", address: source.pairName, bytesTransferred: Int(total))
            }
        }
        firstDrain = false
        pipeIsEmpty = false
        // Pump: pipe → destination socket, until the pipe is empty.
        woke = false
        while inPipe > 0 {
            if let outcome = destination.descriptor.begin(.write, afterWake: woke) {
                throw destination.error(outcome, "write", bytes: Int(total))
            }
            let n = cnet_splice(pipe.readFD, destination.descriptor.fd, inPipe)
            let code = errno
            destination.descriptor.end()
            if n > 0 {
                inPipe -= n
                total += Int64(n)
                SpliceStatistics.bytes.wrappingAdd(n, ordering: .relaxed)
            } else if n < 0 && code == EINTR {
                continue
            } else if n < 0 && code == EAGAIN {
                let outcome = await destination.descriptor.wait(.write)
                if outcome != .ready { throw destination.error(outcome, "write", bytes: Int(total)) }
                woke = true
            } else {
                throw NetError(n == 0 ? .system(EPIPE) : .system(code), op: "write", address: destination.pairName, bytesTransferred: Int(total))
            }
        }
        pipeIsEmpty = true
    }
    return total
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
