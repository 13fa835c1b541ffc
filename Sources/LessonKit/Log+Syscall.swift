import Syscall

/// The log's address events for programs on raw sockets (the Syscall module's `Sockaddr`),
/// in the same words as for NetCore's addresses.
extension Log {
    /// Prints the ready line `netlab: listening on HOST:PORT` on stdout, once (see
    /// `ready(_: String)`); pass `getsockname(listener)` to show the port bind picked.
    public func ready(_ address: Sockaddr) { ready(address.description) }

    /// `accepted ADDRESS`
    public func accepted(_ peer: Sockaddr) { event("accepted \(peer)") }

    /// `closed ADDRESS` or `closed ADDRESS: REASON` (a `SyscallError` gives the system's message,
    /// such as `connection reset by peer`).
    public func closed(_ peer: Sockaddr, error: (any Error)? = nil) {
        if let error { event("closed \(peer): \(Log.reason(error))") } else { event("closed \(peer)") }
    }
}
