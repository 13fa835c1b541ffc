/// `expect UP wait N …` and `expect UP waits backoff …`: the pauses a program makes between
/// its connection attempts, as an upstream sees them.
///
/// A **wait** is the time from the end of one connection of the upstream (its own reset or
/// close, or the program's) to the start of the next one: wait 1 runs from the end of
/// connection 1 to the start of connection 2. The upstream measures it, so a program's log
/// cannot change it.
public enum WaitExpectation: Sendable, Equatable {
    /// `wait N OP EXPR [within T]`: wait N (from 1) compares as given. The step waits, at most
    /// T, for connection N + 1 to arrive.
    case one(index: Int, Comparison, within: Duration?)
    /// `waits backoff FIRST cap CAP jitter MODE [within T]`: the waits so far follow
    /// exponential backoff (see ``Backoff``). The step first waits, at most T, for
    /// ``Backoff/minimumWaits`` waits.
    case backoff(Backoff, within: Duration?)

    /// Exponential backoff with a cap: the k-th wait (from 0) has the full delay
    /// `min(cap, first · 2^k)`, and jitter draws the wait from part of it.
    public struct Backoff: Sendable, Equatable {
        public enum Jitter: String, Sendable, Equatable, CaseIterable {
            /// Exactly the full delay.
            case none
            /// Uniform between half the delay and all of it (AWS's "equal jitter").
            case equal
            /// Uniform between zero and the delay (AWS's "full jitter").
            case full
        }

        public var first: Duration
        public var cap: Duration
        public var jitter: Jitter

        public init(first: Duration, cap: Duration, jitter: Jitter) {
            self.first = first
            self.cap = cap
            self.jitter = jitter
        }

        /// The full delay before attempt k + 1 (k from 0): `min(cap, first · 2^k)`.
        public func delay(_ k: Int) -> Duration {
            var d = first
            for _ in 0..<min(k, 62) {
                if d >= cap { break }
                d = d * 2
            }
            return min(d, cap)
        }

        /// The bounds a wait k may have: the rule's range, widened by ``slackBelow`` and
        /// ``slackAbove`` (a busy machine wakes late; a reset takes a moment to arrive).
        public func bounds(_ k: Int) -> ClosedRange<Duration> {
            let d = delay(k)
            let low: Duration =
                switch jitter {
                case .none: d
                case .equal: d / 2
                case .full: .zero
                }
            return max(.zero, low - Self.slackBelow)...(d + Self.slackAbove + d / 4)
        }

        /// How much shorter than its bound a wait may be.
        public static let slackBelow: Duration = .milliseconds(10)
        /// How much longer than its bound a wait may be, plus a quarter of its delay: a loaded
        /// machine (load 8 on 2 cores) was seen to add 270 ms to a 100 ms wait.
        public static let slackAbove: Duration = .milliseconds(300)
        /// With jitter, some wait whose delay is at least ``jitterMinimumDelay`` must be shorter
        /// than this share of its delay: a program that sleeps the full delay every time (no
        /// jitter) cannot do that, while a jittered one fails it with a chance of 0.2^n for n
        /// such waits under equal jitter.
        public static let jitterShare = 0.9
        /// Waits with shorter delays do not count towards jitter: scheduling noise is too large
        /// a share of them.
        public static let jitterMinimumDelay: Duration = .milliseconds(200)
        /// The fewest waits the step judges.
        public static let minimumWaits = 2
    }
}
