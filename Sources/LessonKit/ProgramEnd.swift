#if canImport(Glibc)
@preconcurrency import Glibc
#endif

extension LessonProgram {
    /// Ends the program with `status` at once, whatever its other threads are doing: flushes
    /// stdout (line-buffered, so at most a line without its newline is waiting), then `_exit`.
    /// Like Go's `os.Exit`, it runs no exit handlers. stderr is unbuffered.
    ///
    /// The flush happens only if no other thread is inside a `print`: one blocked writing to a
    /// pipe nobody reads holds stdout's lock, and the exit must not wait for it.
    ///
    /// `exit` would run them while the program's tasks still run on other threads, and
    /// OpenSSL's handler frees its global state: a TLS handshake in flight then crashes the
    /// program (signal 11, or 4 from a Swift trap) instead of it exiting with `status`. Lesson
    /// 7's reference did that to 5 SIGTERMs in 24 under a handshake load.
    static func end(status: Int32) -> Never {
        if ftrylockfile(stdout) == 0 {
            fflush(stdout)  // the lock is this thread's now, and it is recursive
            funlockfile(stdout)
        }
        _exit(status)
    }
}
