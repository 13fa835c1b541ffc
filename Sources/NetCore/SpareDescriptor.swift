#if canImport(Glibc)
import Glibc
#endif
import CNetShim

/// One descriptor that NetCore holds in reserve and lets go of when `accept` runs out of
/// descriptors (EMFILE or ENFILE), so that a server at its limit still has one free.
///
/// Why: libdispatch, under Swift's global executor and `Task.sleep`, checks on its worker
/// threads once a second by opening `/proc/TID/stat`, and stops the whole process (SIGILL,
/// "workq: registered worker exited prematurely") when that open fails. A NetCore server that
/// holds every descriptor it may have, and sleeps before retrying its accept as it should,
/// would die of that check a second later. With the spare given back, the check's open finds
/// a descriptor; the next `accept` takes the spare again first, so it is free only while the
/// server is at its limit. (Go needs no such thing: its runtime opens nothing at run time.)
enum SpareDescriptor {
    private static let held = Locked<Int32>(openSpare())  // Locked, not Mutex: TSan sees it

    private static func openSpare() -> Int32 {
        cnet_open_dev_null()
    }

    /// Before an accept: takes the spare back if it was given away and a descriptor is free.
    static func reclaim() {
        held.withLock { fd in
            if fd < 0 { fd = openSpare() }
        }
    }

    /// After an accept failed with EMFILE or ENFILE: gives the spare back to the process.
    static func release() {
        held.withLock { fd in
            if fd >= 0 {
                _ = Glibc.close(fd)
                fd = -1
            }
        }
    }
}
