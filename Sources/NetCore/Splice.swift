#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// The splice half of `TCPCopier`, like Go's `TCPConn.ReadFrom` → `poll.Splice`: drain up to
/// 1 MiB from the source into a pooled pipe, then pump the pipe into the destination until it
/// is empty, waiting on the poller for either socket, so deadlines and close apply as they do
/// to read and write.
///
/// Splicing stops for the rest of the copy, with nothing lost, when it cannot go on: the
/// kernel refused the first splice with EINVAL (nothing was consumed), or no pipe could be had
/// (out of descriptors: EMFILE or ENFILE) while the copy held none. The copy then goes on
/// through the buffer, as Go's `io.Copy` does when `getPipe` fails: a process at its
/// descriptor limit keeps copying instead of failing every conn that needs a pipe.
///
/// The pipe goes back to the pool whenever the copy waits for the source with the pipe empty,
/// so an idle copy (a proxied conn between requests, an echo nobody talks to) holds one
/// descriptor, its socket, not three. (Go 1.19 keeps the pipe for the whole copy: at 20,000
/// descriptors it serves a third as many idle `io.Copy` conns.)
extension TCPCopier {
    private enum Drain { case moved(Int), endOfStream, unsupported, wouldBlock }

    /// Takes a pipe if none is held, then one splice from the source into it.
    mutating func spliceFromSource() throws -> Transfer {
        if pipe == nil {
            do {
                pipe = try PipePool.takeForCopy()
            } catch let error as NetError where error.isOutOfDescriptors {
                return stopSplicing()  // the pipe is empty and nothing is owed: buffer the rest
            } catch {
                throw counting(error, from: copied + total, plus: false)
            }
        }
        switch try drain() {
        case .moved(let count):
            if firstDrain {
                firstDrain = false
                SpliceStatistics.calls.wrappingAdd(1, ordering: .relaxed)
            }
            if policy.didSplice(count) { announce(policy.mode) }
            return .again
        case .endOfStream: return .endOfStream
        case .unsupported: return stopSplicing()
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Splicing will not work for this copy: go on through the buffer.
    private mutating func stopSplicing() -> Transfer {
        releasePipe()
        if policy.spliceUnavailable() { announce(policy.mode) }
        return .again
    }

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
                return .moved(n)
            }
            if n == 0 { return .endOfStream }
            if code == EINTR { continue }
            if code == EAGAIN { return .wouldBlock }
            if code == EINVAL && firstDrain { return .unsupported }
            throw NetError(.system(code), op: "read", address: source.pairName, bytesTransferred: countForErrors)
        }
    }

    /// Pipe → destination socket until the pipe is empty (true) or the socket is full (false).
    mutating func pump() throws -> Bool {
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
                throw NetError(
                    n == 0 ? .system(EPIPE) : .system(code), op: "write", address: destination.pairName,
                    bytesTransferred: countForErrors)
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
    /// How many copies have spliced at least once since the process started.
    public static var spliceCopies: Int { calls.load(ordering: .relaxed) }
    /// How many bytes have moved through splice since the process started.
    public static var splicedBytes: Int { bytes.load(ordering: .relaxed) }
}
