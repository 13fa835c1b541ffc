/// The largest values a check script may use. Every size, count and duration is bounded when
/// the script is parsed (and file sizes when a file is read), so that no script, however
/// hostile, can make netlab allocate, loop or wait without end. docs/checks.md lists them
/// under "Limits"; the lessons stay far below each one (their largest `random` is 64 MiB).
public enum ScriptLimits {
    /// `random SIZE`: the most pseudo-random bytes one `send` makes (256 MiB).
    public static let randomSize = 256 << 20
    /// The most `random` bytes the copies of `parallel` blocks hold at once: the size times the
    /// copies of every enclosing `parallel` (1 GiB).
    public static let parallelRandomBytes = 1 << 30
    /// Data named by `random … as NAME` that one check keeps for later `expect`s (1 GiB):
    /// checked when a step would keep more, since loops can name data without end (`x{i}`).
    public static let namedData = 1 << 30
    /// `in chunks of SIZE`: the largest piece (256 MiB, as large as any payload).
    public static let chunkSize = 256 << 20
    /// The most pieces one `send` may cut its data into (`in N chunks`, or `in chunks of SIZE`
    /// of the data): 1,000,000.
    public static let pieces = 1_000_000
    /// A fixture read by `send … file` or `expect … file` (256 MiB).
    public static let fileSize = 256 << 20
    /// Every duration a script writes: a step's bound, a check's `timeout`, `sleep`, `every`,
    /// `for`, `after`, and durations in comparisons (10 minutes).
    public static let duration = Duration.seconds(600)
    /// A whole number in a comparison (`fds <= 1000`, `connections >= 20`): 1,000,000,000.
    public static let count = 1_000_000_000
    /// A size in a comparison (`rss <= 64MiB`): 1 TiB.
    public static let comparedSize = 1 << 40
    /// `points N` on a check: 1,000.
    public static let points = 1_000

    /// `600s` as a script would write it: `10m`.
    static var durationText: String { duration.scriptText }
}
