#if canImport(Glibc)
import Glibc
#endif

extension LessonProgram {
    /// The frame of a lesson program with no async code at all: blocking sockets and OS threads
    /// (lesson 9), a loop over non-blocking sockets (lesson 10), an epoll loop (lesson 11). The
    /// same flags, ready line, log and signal behaviour as `run`, but `body` is a plain throwing
    /// closure, called on the main thread, that may block as long as it likes: nothing else
    /// runs on that thread, and no task pool waits behind it.
    ///
    /// ```swift
    /// import LessonKit
    /// import Syscall
    ///
    /// LessonProgram.runBlocking { options, log in
    ///     let address = try Sockaddr(options.listen)
    ///     let listener = try socket(address.domain, .stream)
    ///     try setsockoptInt(listener, .reuseAddr, 1)
    ///     try bind(listener, address)
    ///     try listen(listener, 128)
    ///     try log.ready(getsockname(listener))     // netlab: listening on 127.0.0.1:PORT
    ///     while true {
    ///         let (conn, peer) = try accept(listener)
    ///         log.accepted(peer)
    ///         …
    ///     }
    /// }
    /// ```
    ///
    /// Like `run`, it never returns:
    ///
    /// - bad flags: `NAME: MESSAGE` on stderr, exit status 2; `--help`: the usage, status 0;
    /// - SIGTERM or SIGINT: exit status 0 at once, whatever `body` or its threads are blocked in
    ///   (a thread of its own waits for the signals; the main thread and every thread started
    ///   from it have them blocked, so a blocking call is never interrupted by them);
    /// - `body` returns: exit status 0; `body` throws: `error: …` in the log (a `SyscallError`
    ///   gives the system's message, such as `address already in use`), exit status 1;
    /// - SIGPIPE is ignored: a write to a peer that has gone throws `.brokenPipe`;
    /// - stdout is line-buffered, and the descriptor limit raised to the hard limit, as in `run`.
    public static func runBlocking(
        name: String? = nil,
        flags: [Flag] = [],
        _ body: (Options, Log) throws -> Void
    ) -> Never {
        let (options, log) = start(name: name, flags: flags)
        do {
            try body(options, log)
            end(status: 0)
        } catch {
            log.error(Log.reason(error))
            end(status: 1)
        }
    }
}
