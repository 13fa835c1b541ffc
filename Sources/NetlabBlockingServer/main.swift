// netlab-blockingserver: a lesson-shaped program on raw blocking sockets, a thread per
// connection, with `LessonProgram.runBlocking`: what lesson 9's solution looks like, minus the
// key-value protocol. It echoes every byte back. LessonKitTests run it to hold runBlocking to
// the same flags, ready line, log and signals as `LessonProgram.run`.
import Foundation
import LessonKit
import Syscall

LessonProgram.runBlocking { options, log in
    let address = try Sockaddr(options.listen)
    let listener = try socket(address.domain, [.stream, .cloexec])
    try setsockoptInt(listener, .reuseAddr, 1)
    try bind(listener, address)
    try listen(listener, 128)
    try log.ready(getsockname(listener))
    while true {
        let (conn, peer) = try accept4(listener, .cloexec)
        log.accepted(peer)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            do {
                while true {
                    let n = try read(conn, &buffer)
                    if n == 0 { break }
                    var sent = 0
                    while sent < n { sent += try write(conn, buffer[sent..<n]) }
                }
                log.closed(peer)
            } catch {
                log.closed(peer, error: error)
            }
            try? close(conn)
        }
    }
}
