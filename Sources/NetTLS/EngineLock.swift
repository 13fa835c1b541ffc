#if canImport(Glibc)
import Glibc
#endif

/// A plain mutex for the OpenSSL engine: held only around `SSL_*` calls, never across an await.
///
/// Not NetCore's `Locked`: that one is internal to NetCore, and it guards one value, where this
/// guards several of `TLSConn`'s stored properties at once.
final class EngineLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
