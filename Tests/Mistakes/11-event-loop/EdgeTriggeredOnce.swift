// mistake: edge-triggered-once
// fails: one thread serves 1,000 clients
//
// Registers everything edge-triggered but handles each report as level-triggered code does: one
// accept per report of the listener. Connections that arrive together make one report, so all
// but one of them wait in the listen queue until another client arrives, and the last ones
// wait forever.
import LessonKit
import Syscall

enum EdgeTriggeredOnce {
    static func main() -> Never {
        serveEventLoop(triggering: .edgeTriggered, acceptOnePerEvent: true)
    }
}
