// mistake: no-deadline
// fails: closes a client that stops mid-record at the deadline
//
// Reads the hello without a read deadline: a client that sends half a record and stops holds its
// connection (and a descriptor) for as long as it likes.
enum NoDeadline {
    static func main() -> Never {
        HelloServer(startDeadline: { _, _ in }).run()
    }
}
