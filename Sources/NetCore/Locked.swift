#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex.
///
/// `Synchronization.Mutex` would do the same job, but on Linux it is built on raw futex calls
/// that ThreadSanitizer cannot see, so every access it guards is reported as a race. A pthread
/// mutex is intercepted by the sanitizer and costs the same uncontended, which keeps
/// `swift test --sanitize=thread` meaningful for the core.
final class Locked<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the state, holding the lock. Never await or call back into code that
    /// may take the same lock from inside `body`.
    @inline(__always)
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
