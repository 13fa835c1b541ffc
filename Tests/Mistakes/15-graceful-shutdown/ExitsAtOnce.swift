// mistake: exits-at-once
// fails: on SIGTERM every client gets a close 1001, and the server exits 0 once they answer
//
// SIGTERM never taken over: the process dies where it stands, as a Go program does without
// signal.NotifyContext. No client gets a close frame (each sees its TCP connection drop, the
// abnormal 1006 in a browser), and whatever was queued for them is gone.
import LessonKit

enum ExitsAtOnce {
    static func main() -> Never {
        serveChat(Variant(takesSignal: false))
    }
}
