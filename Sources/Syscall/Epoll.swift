#if canImport(Glibc)
import Glibc
#endif
import CSyscall

// epoll: one descriptor that watches many, the kernel half of every event loop (Go's netpoller,
// NetCore's poller). Thin wrappers over epoll_create1, epoll_ctl and epoll_wait.

/// What epoll watches for on a descriptor, and what it reports: Go's `syscall.EPOLLIN`, … .
/// `.edgeTriggered` and `.oneShot` change how it reports.
public struct EpollEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// EPOLLIN: there is something to read (bytes, end of stream, or a connection to accept).
    public static let `in` = EpollEvents(rawValue: UInt32(CSYS_EPOLLIN))
    /// EPOLLOUT: there is room to write.
    public static let out = EpollEvents(rawValue: UInt32(CSYS_EPOLLOUT))
    /// EPOLLRDHUP: the peer shut down its writing side (a read would return 0 once the bytes
    /// before it are read).
    public static let rdhup = EpollEvents(rawValue: UInt32(CSYS_EPOLLRDHUP))
    /// EPOLLPRI: urgent data (rare; not used by TCP servers in practice).
    public static let pri = EpollEvents(rawValue: UInt32(CSYS_EPOLLPRI))
    /// EPOLLERR: an error is pending on the descriptor (always reported; no need to ask).
    public static let err = EpollEvents(rawValue: UInt32(CSYS_EPOLLERR))
    /// EPOLLHUP: both directions are closed, as after a reset (always reported; no need to ask).
    public static let hup = EpollEvents(rawValue: UInt32(CSYS_EPOLLHUP))
    /// EPOLLET, edge-triggered: report a descriptor once each time it BECOMES ready, not on
    /// every wait while it stays ready (level-triggered, the default). With it, read (or write)
    /// until `.wouldBlock` each time, or the rest is never reported again.
    public static let edgeTriggered = EpollEvents(rawValue: CSYS_EPOLLET)
    /// EPOLLONESHOT: report once, then stop watching until `epollCtl(…, .modify, …)` re-arms.
    public static let oneShot = EpollEvents(rawValue: UInt32(CSYS_EPOLLONESHOT))

    /// The flags' names joined by `|`, as in C: `EPOLLIN|EPOLLRDHUP`.
    public var description: String {
        let names: [(EpollEvents, String)] = [
            (.in, "EPOLLIN"), (.pri, "EPOLLPRI"), (.out, "EPOLLOUT"), (.err, "EPOLLERR"), (.hup, "EPOLLHUP"),
            (.rdhup, "EPOLLRDHUP"), (.oneShot, "EPOLLONESHOT"), (.edgeTriggered, "EPOLLET"),
        ]
        var parts = names.filter { contains($0.0) }.map(\.1)
        let rest = rawValue & ~names.reduce(0) { $0 | $1.0.rawValue }
        if rest != 0 { parts.append("0x" + String(rest, radix: 16)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }
}

/// What `epollCtl` does: Go's `syscall.EPOLL_CTL_ADD`, `EPOLL_CTL_MOD`, `EPOLL_CTL_DEL`.
public struct EpollOp: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// EPOLL_CTL_ADD: start watching a descriptor (EEXIST if it is watched already).
    public static let add = EpollOp(rawValue: Int32(CSYS_EPOLL_CTL_ADD))
    /// EPOLL_CTL_MOD: change what a watched descriptor is watched for.
    public static let modify = EpollOp(rawValue: Int32(CSYS_EPOLL_CTL_MOD))
    /// EPOLL_CTL_DEL: stop watching it (closing its last descriptor does the same).
    public static let delete = EpollOp(rawValue: Int32(CSYS_EPOLL_CTL_DEL))
}

/// One readiness report from `epollWait`: which descriptor, and what is ready. Like Go's
/// `syscall.EpollEvent` (`Events`, `Fd`).
public struct EpollEvent: Hashable, Sendable {
    /// What is ready: `.in`, `.out`, `.rdhup`, `.err`, `.hup`, in any combination.
    public var events: EpollEvents
    /// The descriptor it is about.
    public var fd: FD

    public init(events: EpollEvents = [], fd: FD = FD(-1)) {
        self.events = events
        self.fd = fd
    }
}

/// epoll_create1(2): a new epoll instance, closed on exec. Like Go's
/// `syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)`. Close it with `close` when done.
public func epollCreate1() throws(SyscallError) -> FD {
    FD(try check(csys_epoll_create1(Int32(CSYS_EPOLL_CLOEXEC))))
}

/// epoll_ctl(2): adds, modifies or deletes `fd` in the epoll instance `epfd`, watched for
/// `events` (ignored by `.delete`). Events report `fd` back. Like Go's
/// `syscall.EpollCtl(epfd, op, fd, &event)`.
///
/// ```swift
/// try epollCtl(epfd, .add, listener, .in)                       // level-triggered
/// try epollCtl(epfd, .add, conn, [.in, .rdhup, .edgeTriggered])  // edge-triggered
/// try epollCtl(epfd, .modify, conn, [.in, .out])                 // output is pending
/// try epollCtl(epfd, .delete, conn, [])
/// ```
public func epollCtl(_ epfd: FD, _ op: EpollOp, _ fd: FD, _ events: EpollEvents) throws(SyscallError) {
    _ = try check(csys_epoll_ctl(epfd.rawValue, op.rawValue, fd.rawValue, events.rawValue))
}

/// epoll_wait(2): waits until at least one watched descriptor is ready, or `timeoutMilliseconds`
/// pass (-1: no limit; 0: do not wait), and fills the start of `events` (at most
/// `events.count`, and at most 1,024, per call). Returns how many it filled: 0 on a timeout.
/// Like Go's `syscall.EpollWait(epfd, events, msec)`.
///
/// ```swift
/// var events = [EpollEvent](repeating: EpollEvent(), count: 128)
/// while true {
///     let n = try epollWait(epfd, &events, -1)
///     for event in events[..<n] { … }
/// }
/// ```
public func epollWait(_ epfd: FD, _ events: inout [EpollEvent], _ timeoutMilliseconds: Int32) throws(SyscallError) -> Int {
    let capacity = min(events.count, Int(CSYS_EPOLL_MAX_EVENTS))
    guard capacity > 0 else { throw SyscallError(errno: EINVAL) }
    var raw = [csys_epoll_event](repeating: csys_epoll_event(), count: capacity)
    let n = Int(try check(csys_epoll_wait(epfd.rawValue, &raw, Int32(capacity), timeoutMilliseconds)))
    for i in 0..<n {
        events[i] = EpollEvent(events: EpollEvents(rawValue: raw[i].events), fd: FD(raw[i].fd))
    }
    return n
}
