#if canImport(Glibc)
@preconcurrency import Glibc
#endif

extension LessonProgram {
    /// Ends the program with `status` at once, whatever its other threads are doing: flushes
    /// stdout and stderr, then `_exit`. Like Go's `os.Exit`, it runs no exit handlers.
    ///
    /// `exit` would run them while the program's tasks still run on other threads, and
    /// OpenSSL's handler frees its global state: a TLS handshake in flight then crashes the
    /// program (signal 11, or 4 from a Swift trap) instead of it exiting with `status`. Lesson
    /// 7's reference did that to 5 SIGTERMs in 24 under a handshake load.
    static func end(status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }
}
