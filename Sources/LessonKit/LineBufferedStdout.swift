#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Makes stdout line-buffered even into a pipe (as it is on a terminal): each `print` line goes
/// out as it is made, not in 4 KiB blocks that a SIGTERM (which ends a lesson program with
/// `_exit`) would lose. Called once, before the program's tasks start.
func lineBufferStdout() {
    setvbuf(stdout, nil, _IOLBF, 0)
}
