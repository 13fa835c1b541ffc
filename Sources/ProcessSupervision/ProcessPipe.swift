import CNetShim
import Glibc

/// A pipe made for talking to a child process: both ends close-on-exec from the start
/// (`pipe2(O_CLOEXEC)`), so a program another thread starts at the same moment never inherits
/// an end; blocking, because the readers are dedicated threads. Like Go's os.Pipe.
package struct ProcessPipe: Sendable {
    /// The end to read from.
    package let read: Int32
    /// The end to write to (or to hand to a child as its stdout, stderr or stdin).
    package let write: Int32

    /// Makes a pipe, or throws the system's reason (`too many open files`, …).
    package static func make() throws(Failure) -> ProcessPipe {
        var ends: [Int32] = [-1, -1]
        guard cnet_pipe_cloexec(&ends) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        return ProcessPipe(read: ends[0], write: ends[1])
    }

    /// Closes both ends.
    package func close() {
        _ = Glibc.close(read)
        _ = Glibc.close(write)
    }

    /// Why no pipe could be made. Its description is the system's message.
    package struct Failure: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { "cannot make a pipe: \(reason)" }
    }
}
