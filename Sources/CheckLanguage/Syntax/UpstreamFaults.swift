/// What an `echo` or `sink` upstream does wrong on purpose, so that a check can watch a
/// program cope with an upstream that is down, that drops it, or that comes back later:
/// `upstream sink as up down for 2s reset first 6 close after 64`.
///
/// The faults apply in order: nothing listens until `downFor` has passed; then the first
/// `resetFirst` connections are accepted and reset at once; the first connection after those
/// is closed once it has received `closeAfter` bytes; every later one is a plain `echo` or `sink`.
public struct UpstreamFaults: Sendable, Equatable {
    /// `down for T`: for T after the upstream is made, its port is held but nothing listens on it,
    /// so a connection attempt is refused (ECONNREFUSED); then it listens. Attempts made while
    /// it is down leave no trace the upstream can see.
    public var downFor: Duration?
    /// `reset first N`: its first N connections are accepted and at once closed with a reset
    /// (RST), each one's time recorded: a dial succeeds, then the first read or write fails
    /// with "connection reset by peer".
    public var resetFirst: Int?
    /// `close after SIZE`: the first connection it keeps is closed (a FIN, after every byte it
    /// received was read) as soon as it has received SIZE bytes: an upstream that goes away
    /// mid-stream.
    public var closeAfter: Int?

    public init(downFor: Duration? = nil, resetFirst: Int? = nil, closeAfter: Int? = nil) {
        self.downFor = downFor
        self.resetFirst = resetFirst
        self.closeAfter = closeAfter
    }

    /// No fault: the upstream behaves as its kind says from the start.
    public var isEmpty: Bool { downFor == nil && resetFirst == nil && closeAfter == nil }

    /// The most connections `reset first` may name.
    public static let maxResets = 1_000
}
