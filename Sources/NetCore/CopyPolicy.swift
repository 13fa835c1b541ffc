/// How a copy between two TCP conns moves its bytes at a given moment.
enum CopyMode: Sendable, Equatable {
    /// read(2) into a buffer, then send(2): two syscalls and one copy through user space per
    /// chunk. Cheapest for small, interactive messages.
    case buffered
    /// splice(2) source → pipe → destination: no copy through user space, but a pipe in the
    /// middle. Cheapest for bulk.
    case spliced
}

/// When `copy(from:to:)` reads into a buffer and when it splices: a pure decision on the sizes
/// of the transfers it has seen, with no I/O of its own.
///
/// - It starts `.buffered`. A read that fills the buffer (`bufferSize` bytes) means more is
///   waiting: bulk, so it switches to `.spliced`.
/// - While spliced, a splice that moves less than `bufferSize` is small: it would have fitted
///   the buffer. `interactiveRun` small ones in a row mean the traffic turned interactive, so it
///   switches back to `.buffered`. A large one in between starts the count again.
/// - Once splicing is unavailable (the kernel refused it, or no pipe could be had), it stays
///   `.buffered` for the rest of the copy.
///
/// Go's `io.Copy` between TCP conns always splices (`TCPConn.ReadFrom`), so a 64-byte message
/// pays for a pipe in the middle: twice the syscalls of its own 32 KiB read loop.
struct CopyPolicy: Sendable, Equatable {
    /// The buffer a buffered read fills; a read that fills it means bulk.
    static let bufferSize = 32 * 1024
    /// Small splices in a row that turn the copy back to buffered reads.
    static let interactiveRun = 4

    private(set) var mode: CopyMode
    /// False once splicing failed in a way that will not get better during this copy.
    private(set) var canSplice = true
    /// Small splices since the last large one.
    private(set) var smallInARow: UInt8 = 0  // a byte: it lives in every idle copy's frame

    init(mode: CopyMode = .buffered) {
        self.mode = mode
    }

    /// Records a buffered read of `count` bytes (0 is end of stream and changes nothing).
    /// Returns true if the mode changed.
    mutating func didRead(_ count: Int) -> Bool {
        guard mode == .buffered, canSplice, count >= Self.bufferSize else { return false }
        mode = .spliced
        smallInARow = 0
        return true
    }

    /// Records a splice that moved `count` bytes from the source into the pipe. Returns true if
    /// the mode changed.
    mutating func didSplice(_ count: Int) -> Bool {
        guard mode == .spliced else { return false }
        if count >= Self.bufferSize {
            smallInARow = 0
            return false
        }
        smallInARow += 1
        guard Int(smallInARow) >= Self.interactiveRun else { return false }
        mode = .buffered
        smallInARow = 0
        return true
    }

    /// Splicing cannot be used for the rest of this copy (EINVAL on the first splice, or no
    /// descriptor left for a pipe). Returns true if the mode changed.
    mutating func spliceUnavailable() -> Bool {
        canSplice = false
        smallInARow = 0
        guard mode == .spliced else { return false }
        mode = .buffered
        return true
    }

    /// Called with each mode a copy switches to, for tests and tracing; nil (the default) costs
    /// one task-local lookup per switch, and switches are rare.
    @TaskLocal static var observer: (@Sendable (CopyMode) -> Void)?
}
