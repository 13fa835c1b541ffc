#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex.
///
/// `Synchronization.Mutex` would do the same job, but on Linux it is built on raw futex calls
/// that ThreadSanitizer cannot see, so every access it guards is reported as a race. A pthread
/// mutex is intercepted by the sanitizer and costs the same uncontended, which keeps
/// `swift test --sanitize=thread` meaningful for the core.
///
/// The value and the mutex live in one allocation (a `ManagedBuffer` whose header is the value
/// and whose one element is the mutex): every conn holds several of these, and an idle conn's
/// memory is mostly such small objects.
struct Locked<State>: @unchecked Sendable {
    private final class Storage: ManagedBuffer<State, pthread_mutex_t> {
        deinit {
            _ = withUnsafeMutablePointerToElements { pthread_mutex_destroy($0) }
        }
    }

    private let storage: Storage

    init(_ state: State) {
        let buffer = Storage.create(minimumCapacity: 1) { _ in state }
        storage = unsafeDowncast(buffer, to: Storage.self)
        _ = storage.withUnsafeMutablePointerToElements { pthread_mutex_init($0, nil) }
    }

    /// Runs `body` with the state, holding the lock. Never await or call back into code that
    /// may take the same lock from inside `body`.
    @inline(__always)
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        try storage.withUnsafeMutablePointers { state, mutex in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&state.pointee)
        }
    }
}
