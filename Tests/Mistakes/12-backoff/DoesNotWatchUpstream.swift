// mistake: does-not-watch-upstream
// fails: loses no line when the upstream goes away mid-stream
//
// Only writes to the upstream, never reads: when the upstream closes, the program learns of it
// only from a later write. The first write after the close still succeeds (it reached the kernel,
// and the upstream answers it with a reset), and that line is lost.
enum DoesNotWatchUpstream {
    static let variant = Variant(watchesUpstream: false)
}
