#if canImport(Glibc)
import Glibc
#endif
import CNetShim
import Synchronization

/// A kernel pipe used as the middle of a splice: socket → pipe → socket, with no copy through
/// user space. Made non-blocking and close-on-exec, grown to 1 MiB where the kernel allows.
struct SplicePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32
}

/// Idle splice pipes, reused across copies as Go's `splicePipePool` does. A pipe is given
/// back only when empty; one that still holds data is destroyed, never reused. At most
/// `maxIdle` pipes wait here, so the pool's descriptors are bounded and do not grow with the
/// number of connections.
enum PipePool {
    static let maxIdle = 16
    static let pipeSize: Int32 = 1 << 20

    private static let idle = Locked<[SplicePipe]>([])
    private static let live = Atomic<Int>(0)

    /// Pipes that exist now, idle or in use (each holds two descriptors).
    static var liveCount: Int { live.load(ordering: .relaxed) }
    /// Pipes waiting in the pool.
    static var idleCount: Int { idle.withLock { $0.count } }

    /// What a copy calls for a pipe: `take`, unless a test bound `takeForTesting` (a task
    /// local rather than a parameter, so that it costs no room in every copy's frame).
    static func takeForCopy() throws -> SplicePipe {
        if let take = takeForTesting { return try take() }
        return try take()
    }

    /// Replaces `take` for the copies of the task that binds it (tests of the EMFILE fallback).
    @TaskLocal static var takeForTesting: (@Sendable () throws -> SplicePipe)?

    static func take() throws -> SplicePipe {
        if let pipe = idle.withLock({ $0.popLast() }) { return pipe }
        var fds: [Int32] = [-1, -1]
        guard cnet_pipe2(&fds) == 0 else { throw NetError.fromErrno("splice") }
        _ = cnet_set_pipe_size(fds[1], pipeSize)  // best effort: the default 64 KiB still works
        live.wrappingAdd(1, ordering: .relaxed)
        return SplicePipe(readFD: fds[0], writeFD: fds[1])
    }

    static func giveBack(_ pipe: SplicePipe) {
        let kept = idle.withLock { pool in
            guard pool.count < maxIdle else { return false }
            pool.append(pipe)
            return true
        }
        if !kept { destroy(pipe) }
    }

    static func destroy(_ pipe: SplicePipe) {
        _ = Glibc.close(pipe.readFD)
        _ = Glibc.close(pipe.writeFD)
        live.wrappingSubtract(1, ordering: .relaxed)
    }
}
