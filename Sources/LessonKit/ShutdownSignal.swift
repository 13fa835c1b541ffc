#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGTERM and SIGINT as an event a task can await, for a program that shuts down gracefully.
/// Like Go's `signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)`.
///
/// Without it, a lesson program exits with status 0 the moment either signal comes
/// (`LessonProgram.run`). After `ShutdownSignal.notify()`, the first one is delivered to the
/// tasks waiting in `wait()` instead, and the program goes on running; a second one exits at
/// once, as before (an impatient operator's second Ctrl-C). The signals are never handled on
/// the cooperative pool: LessonKit's signal thread, blocked in `sigwait`, resumes the waiting
/// continuations, so no task blocks and no async-signal-unsafe code runs in a handler.
///
/// ```swift
/// let shutdown = ShutdownSignal.notify()
/// …
/// let signal = try await shutdown.wait()      // SIGTERM: stop accepting, drain, exit
/// log.event("shutting down: \(ShutdownSignal.name(of: signal))")
/// ```
public final class ShutdownSignal: Sendable {
    private let state = Mutex(State())

    private struct State {
        /// Whether the program asked for the signal (`notify()` was called).
        var taken = false
        /// The first signal, once it came.
        var received: Int32?
        /// The tasks waiting in `wait()`, by a number of their own (for cancellation).
        var waiters: [Int: CheckedContinuation<Int32, any Error>] = [:]
        var nextWaiter = 0
    }

    /// The program's one instance; LessonKit's signal thread delivers to it.
    static let shared = ShutdownSignal()

    init() {}

    /// Takes SIGTERM and SIGINT over from the default (exit 0 at once): the first one is
    /// delivered to `wait()`. Call it before the program logs its ready line, so that a signal
    /// that comes early is not the default's. Like Go's `signal.NotifyContext`.
    public static func notify() -> ShutdownSignal {
        shared.take()
        return shared
    }

    func take() { state.withLock { $0.taken = true } }

    /// The signal that came, or nil while none has.
    public var received: Int32? { state.withLock { $0.received } }

    /// Waits for the first SIGTERM or SIGINT and returns which one came (at once when it already
    /// has). Throws `CancellationError` if the calling task is cancelled first: a task group
    /// that ends for another reason does not wait for a signal forever. Like `<-ctx.Done()`.
    public func wait() async throws -> Int32 {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Int32, any Error>? = state.withLock { state in
                    if let signal = state.received { return .success(signal) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Called by the signal thread for each SIGTERM or SIGINT. Returns true when the signal was
    /// taken (the first one, after `notify()`): the waiters are resumed; false when the program
    /// should exit as it would without this type (not taken over, or a second signal).
    func deliver(_ signal: Int32) -> Bool {
        let waiters: [CheckedContinuation<Int32, any Error>]? = state.withLock { state in
            guard state.taken, state.received == nil else { return nil }
            state.received = signal
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(returning: signal) }
        return true
    }

    /// `SIGTERM`, `SIGINT`, or `signal N` for another number: for a log line.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(signal)"
        }
    }
}
