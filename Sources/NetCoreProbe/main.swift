// A separate process for NetCore tests that change process-wide state (the descriptor limit),
// which must not disturb the tests running in parallel in the test process.
//
// `netcore-probe emfile`: lowers RLIMIT_NOFILE, fills every descriptor, and runs `serve`.
// It prints `port N`, then `backoff MS` for each temporary accept error; once the delay
// reaches 1 s it frees the descriptors, and the queued connection is accepted and answered.
#if canImport(Glibc)
import Glibc
#endif
import NetCore
import Synchronization

/// Writes a line straight to descriptor 1, unbuffered, so the test sees it at once.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

guard CommandLine.arguments.dropFirst().first == "emfile" else {
    say("usage: netcore-probe emfile")
    exit(2)
}

let listener = try TCPListener.listen(address: "127.0.0.1:0")
say("port \(listener.address.port)")

// Dispatch makes its own descriptors (epoll, eventfd, timerfd) the first time they are needed;
// let it make them now, while descriptors are still to be had.
try await Task.sleep(for: .milliseconds(20))

var limit = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
// Leave room for four more descriptors, then take them all.
let highestOpen = open("/dev/null", O_RDONLY)
limit.rlim_cur = rlim_t(highestOpen + 4)
setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
var fillers: [Int32] = [highestOpen]
while true {
    let fd = open("/dev/null", O_RDONLY)
    if fd < 0 { break }
    fillers.append(fd)
}
let held = Mutex(fillers)

try await serve(
    listener,
    onTemporaryError: { error, delay in
        say("backoff \(Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)) \(error.reason)")
        if delay >= .seconds(1) {
            held.withLock { fds in
                fds.forEach { _ = close($0) }
                fds.removeAll()
            }
        }
    },
    handler: { conn in
        say("accepted")
        try? await conn.write("ok")
        try? listener.close()
    })
say("done")
