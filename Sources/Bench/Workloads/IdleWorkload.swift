/// What idle connections cost a key-value server: netload `kvidle` opens them, makes one put on
/// each (so every connection has been accepted and served), and holds them. netlab measures the
/// program's process tree before they open and after: resident memory and descriptors added
/// per connection, threads, and CPU over a second in which nothing happens (a busy-waiting
/// server burns a core; an event loop sleeps).
package enum IdleWorkload {
    /// How many idle connections.
    package static let defaultConnections = 1000
    /// How long the CPU is watched with every connection idle.
    package static let window: Duration = .seconds(1)

    package static func scenario(connections: Int = defaultConnections) -> Scenario {
        Scenario(load: .idle(connections: connections), label: "\(connections) idle connections", unit: .none)
    }

    /// `netload kvidle ADDR CONNS HOLDSECS`: holds far longer than netlab needs; netlab stops it.
    static func netloadArguments(address: String, connections: Int) -> [String] {
        ["kvidle", address, String(connections), "60"]
    }
}
