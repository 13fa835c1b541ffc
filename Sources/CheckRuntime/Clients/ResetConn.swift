import Glibc
import NetCore
import NetTLS
import Synchronization

/// The conn of a client that was reset while connecting: every operation fails with ECONNRESET.
final class ResetConn: Conn {
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        throw NetError(.system(ECONNRESET), op: "read")
    }
    func write(_ bytes: UnsafeRawBufferPointer) async throws { throw NetError(.system(ECONNRESET), op: "write") }
    func close() throws {}
    func setReadDeadline(_ deadline: Deadline?) throws {}
    func setWriteDeadline(_ deadline: Deadline?) throws {}
    var localAddress: SocketAddress { SocketAddress(ip: [127, 0, 0, 1], port: 0)! }
    var remoteAddress: SocketAddress { SocketAddress(ip: [127, 0, 0, 1], port: 0)! }
}
