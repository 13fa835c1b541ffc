#if canImport(Glibc)
import Glibc
#endif

// Reading, writing, closing, and the non-blocking flag: the calls every lesson loop makes.

/// read(2): reads up to `buffer.count` bytes into the start of `buffer` and returns how many
/// came. 0 means end of stream: the peer closed its side (or `buffer` is empty). A blocking
/// socket waits for at least one byte; a non-blocking one throws `.wouldBlock` when none is
/// there yet. A short read is normal: 1 byte may come when 4 were asked for.
/// Like Go's `syscall.Read(fd, p)`.
///
/// ```swift
/// var buffer = [UInt8](repeating: 0, count: 4096)
/// let n = try read(fd, &buffer)
/// pending += buffer[..<n]
/// ```
public func read(_ fd: FD, _ buffer: inout [UInt8]) throws(SyscallError) -> Int {
    let result = buffer.withUnsafeMutableBytes { raw in Result { () throws(SyscallError) -> Int in try read(fd, raw) } }
    return try result.get()
}

/// read(2) into raw memory: up to `buffer.count` bytes. Like Go's `syscall.Read`.
public func read(_ fd: FD, _ buffer: UnsafeMutableRawBufferPointer) throws(SyscallError) -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    return try check(Glibc.read(fd.rawValue, base, buffer.count))
}

/// write(2): writes from `bytes` and returns how many the kernel took, which may be fewer than
/// all (a short write: the socket's send buffer was nearly full); write the rest later. A
/// blocking socket waits for room for at least some; a non-blocking one throws `.wouldBlock`
/// when there is none. A peer that has gone gives `.brokenPipe` or `.connectionReset`.
/// Like Go's `syscall.Write(fd, p)`.
///
/// ```swift
/// var sent = 0
/// while sent < frame.count { sent += try write(fd, frame[sent...]) }    // a blocking socket
/// ```
public func write<Bytes: Collection<UInt8>>(_ fd: FD, _ bytes: Bytes) throws(SyscallError) -> Int {
    let result: Result<Int, SyscallError>? = bytes.withContiguousStorageIfAvailable { buffer in
        Result { () throws(SyscallError) -> Int in try write(fd, UnsafeRawBufferPointer(buffer)) }
    }
    if let result { return try result.get() }
    return try write(fd, Array(bytes))
}

/// write(2) from raw memory. Like Go's `syscall.Write`.
public func write(_ fd: FD, _ bytes: UnsafeRawBufferPointer) throws(SyscallError) -> Int {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    return try check(Glibc.write(fd.rawValue, base, bytes.count))
}

/// close(2): releases the descriptor; its number may be reused by the next one opened. A
/// socket in an epoll instance leaves it when its last descriptor closes. Call it once: a
/// second close may close someone else's new descriptor. Like Go's `syscall.Close`.
///
/// On Linux the descriptor is released even when close reports an error (`.interrupted`
/// included): never call close again after it.
public func close(_ fd: FD) throws(SyscallError) {
    _ = try check(Glibc.close(fd.rawValue))
}

/// fcntl(2) F_SETFL: turns O_NONBLOCK on or off. On a non-blocking descriptor, read, write,
/// accept4 and connect never wait: they throw `.wouldBlock` (or EINPROGRESS) instead.
/// Like Go's `syscall.SetNonblock(fd, true)`.
public func setNonblock(_ fd: FD, _ nonblocking: Bool) throws(SyscallError) {
    let flags = try check(fcntl(fd.rawValue, F_GETFL))
    let wanted = nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
    if wanted != flags { _ = try check(fcntl(fd.rawValue, F_SETFL, wanted)) }
}

/// fcntl(2) F_GETFL: whether O_NONBLOCK is on.
public func isNonblock(_ fd: FD) throws(SyscallError) -> Bool {
    try check(fcntl(fd.rawValue, F_GETFL)) & O_NONBLOCK != 0
}
