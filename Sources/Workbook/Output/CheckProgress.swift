import CheckResults
import CheckRuntime
import Synchronization

/// The transient line that says which check is running while it waits out its bounds
/// (`… running: serves 100 clients at the same time (2/8), 3s`), on a terminal only. It is
/// erased before anything else is printed, so only verdicts stay on screen; off a terminal
/// (a pipe, a file, CI) it prints nothing at all.
public final class CheckProgress: Sendable {
    /// Writes text without a newline (the console's stdout).
    let write: @Sendable (String) -> Void
    let enabled: Bool
    let style: Style
    /// The check names in the order they run (from the lesson's script), for the line's name.
    let names: [String]
    let tick: Duration
    /// Longer names are cut, so that the line fits 80 columns with its count and seconds.
    static let nameWidth = 52
    private let state = Mutex(State())

    struct State {
        /// Position (0-based) of the running check, and when it started.
        var running: Int?
        var started: ContinuousClock.Instant = .now
        /// The text on screen now, nil when the line is erased.
        var shown: String?
        var finished = false
        var ticker: Task<Void, Never>?
    }

    /// `enabled` is whether stdout is a terminal. `tick` is how often the seconds count is
    /// brought up to date.
    public init(
        names: [String], enabled: Bool, style: Style, tick: Duration = .seconds(1),
        write: @escaping @Sendable (String) -> Void
    ) {
        self.names = names
        self.enabled = enabled
        self.style = style
        self.tick = tick
        self.write = write
    }

    /// The first check starts.
    public func start() { begin(0) }

    /// A verdict arrives: the transient line is erased, `text` printed (with a newline), and
    /// the next check, if there is one, shown as running.
    public func finished(_ position: Int, print text: String) {
        state.withLock { s in
            eraseLocked(&s)
            write(text.hasSuffix("\n") ? text : text + "\n")
        }
        begin(position + 1)
    }

    /// Grading is over (or was stopped): the line is erased and nothing more is shown.
    public func stop() {
        let ticker = state.withLock { s -> Task<Void, Never>? in
            eraseLocked(&s)
            s.finished = true
            s.running = nil
            defer { s.ticker = nil }
            return s.ticker
        }
        ticker?.cancel()
    }

    /// `… running: NAME (3/8), 4s`.
    func text(position: Int, elapsed: Duration) -> String {
        var name = position < names.count ? UntrustedText.escaped(names[position]) : "check"
        // One line of a narrow terminal, or the erase would leave the wrapped part behind.
        if name.count > Self.nameWidth { name = String(name.prefix(Self.nameWidth - 1)) + "…" }
        let count = names.isEmpty ? "" : " (\(position + 1)/\(max(names.count, position + 1)))"
        let seconds = elapsed.components.seconds
        return style.dim("… running: \(name)\(count)" + (seconds >= 1 ? ", \(seconds)s" : ""))
    }

    private func begin(_ position: Int) {
        guard enabled else { return }
        let start = state.withLock { s -> Bool in
            guard !s.finished, names.isEmpty || position < names.count else {
                s.running = nil
                return false
            }
            s.running = position
            s.started = .now
            showLocked(&s)
            return s.ticker == nil
        }
        guard start else { return }
        let tick = self.tick
        let ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                guard let self else { return }
                let go = self.state.withLock { s -> Bool in
                    guard !s.finished, s.running != nil else { return false }
                    self.showLocked(&s)
                    return true
                }
                if !go { return }
            }
        }
        state.withLock { s in
            if s.finished || s.ticker != nil { ticker.cancel() } else { s.ticker = ticker }
        }
    }

    private func showLocked(_ s: inout State) {
        guard let position = s.running else { return }
        let line = text(position: position, elapsed: .now - s.started)
        guard line != s.shown else { return }
        write("\r\u{1B}[K" + line)
        s.shown = line
    }

    private func eraseLocked(_ s: inout State) {
        if s.shown != nil { write("\r\u{1B}[K") }
        s.shown = nil
    }
}
