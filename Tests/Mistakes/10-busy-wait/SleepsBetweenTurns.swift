// mistake: sleeps-between-turns
// fails: busy-waits: burns CPU while every client is idle
//
// Sleeps 50 ms after every round to spare the CPU: everyone is still served, a little later, but
// the loop no longer busy-waits, so the cost the lesson sets out to measure is hidden (and
// every reply waits up to 50 ms). Lesson 11 spares the CPU the right way: the kernel says which
// socket is ready.
import Foundation
import LessonKit
import Syscall

enum SleepsBetweenTurns {
    static func main() -> Never {
        serveBusyWaiting(betweenTurns: { usleep(50_000) })
    }
}
