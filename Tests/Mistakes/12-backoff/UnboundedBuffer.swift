// mistake: unbounded-buffer
// fails: holds at most 1 MiB of lines while the upstream is down
//
// Holds every line while the upstream is away: memory grows with the outage, until the kernel
// kills the program, and every line is lost at once.
enum UnboundedBuffer {
    static let variant = Variant(outboxLimit: nil)
}
