import CNetShim

/// A value guarded by a mutex of one word (`cnet_mutex_lock`, a futex lock in CNetShim).
///
/// Not `Synchronization.Mutex`: on Linux it is built on futex calls inside the standard
/// library, which ThreadSanitizer cannot see, so every access it guards is reported as a race.
/// Not a pthread mutex either, which the sanitizer does see, but which takes 40 bytes where
/// this takes 4, and a call into libc each way: measured with `netbench echo`, the pthread
/// locks were 5% of the server's CPU at 1,000 connections. CNetShim's lock is compiled by
/// clang with the sanitizer's instrumentation, so `swift test --sanitize=thread` still sees
/// every acquire and release.
///
/// The value and the lock live in one allocation (a `ManagedBuffer` whose header is the value
/// and whose one element is the lock word): every conn holds several of these, and an idle
/// conn's memory is mostly such small objects.
struct Locked<State>: @unchecked Sendable {
    private final class Storage: ManagedBuffer<State, Int32> {}

    private let storage: Storage

    init(_ state: State) {
        let buffer = Storage.create(minimumCapacity: 1) { _ in state }
        storage = unsafeDowncast(buffer, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { $0.initialize(to: 0) }
    }

    /// Runs `body` with the state, holding the lock. Never await or call back into code that
    /// may take the same lock from inside `body`.
    @inline(__always)
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        try storage.withUnsafeMutablePointers { state, word in
            cnet_mutex_lock(word)
            defer { cnet_mutex_unlock(word) }
            return try body(&state.pointee)
        }
    }
}
