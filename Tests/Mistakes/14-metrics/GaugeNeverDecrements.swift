// mistake: gauge-never-decrements
// fails: counts clients as they join and leave
//
// The gauge goes up when a client joins, and nothing takes it down when the client leaves: a
// counter in disguise. The dashboard shows the chat growing forever, and an alert on "too many
// clients" fires for clients that left hours ago.
enum GaugeNeverDecrements {
    /// What `clientLeft` does to the gauge: nothing.
    static func leave(_ active: inout Int) {}
}
