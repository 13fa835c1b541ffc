// mistake: always-epollout
// fails: sleeps while every client is idle
//
// Watches every conn for .out all the time, not only while replies wait: a socket with room in
// its send buffer is writable nearly always, so (level-triggered) every epollWait returns at
// once, and the loop spins like lesson 10's while nobody says anything.
import LessonKit
import Syscall

enum AlwaysEpollout {
    static func main() -> Never {
        serveEventLoop(makeConn: { AlwaysWritable(fd: $0, peer: $1, epfd: $2) })
    }

    final class AlwaysWritable: Conn {
        override init(fd: FD, peer: Sockaddr, epfd: FD) {
            super.init(fd: fd, peer: peer, epfd: epfd)
            interest = [.in, .out]
        }

        override func wantedEvents() -> EpollEvents {
            var wanted: EpollEvents = .out
            if !peerDone && output.count < maxPendingOutput { wanted.insert(.in) }
            return wanted
        }
    }
}
