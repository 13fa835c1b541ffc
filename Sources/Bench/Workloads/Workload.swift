/// What a bench drives a lesson's program with: the flags it starts the program with, the
/// upstream it needs, and its scenarios (one table section each).
package protocol Workload: Sendable {
    /// A short name for the JSON and for tests: `echo`, `proxy`, `handshake`, `kv`.
    var name: String { get }
    /// The table's heading: `echo ping-pong, 64-byte messages, one in flight per connection`.
    var title: String { get }
    /// What netlab starts for the program before it starts the program.
    var upstream: UpstreamNeed { get }
    /// Whether the program is given `--cert` and `--key` (netlab's development certificate).
    var needsCertificate: Bool { get }
    /// The program's flags after `--listen`: `--upstream ADDR`, `--cert FILE --key FILE`, …
    func serverFlags(upstream: String?, certificate: (cert: String, key: String)?) -> [String]
    /// The scenarios, for `--conns LIST` when given (connections, streams or threads).
    func scenarios(connections: [Int]?) -> [Scenario]
}

/// The upstream a program needs, started by netlab (netload's) and shared by every round.
package enum UpstreamNeed: String, Sendable, Equatable {
    /// None.
    case none
    /// `netload sink`: takes everything, sends nothing, closes at EOF (a proxy's far end).
    case sink
    /// `netload threadecho`: echoes (the upstream of the TLS-terminating proxy of lesson 7).
    case echo
}

/// The unit of a scenario's rate.
package enum RateUnit: String, Sendable, Equatable, Codable {
    case requests = "req/s"
    case operations = "ops/s"
    case megabytes = "MB/s"
    case handshakes = "hs/s"
    /// Broadcasts to a whole room (lesson 13's fan-out).
    case broadcasts = "bc/s"
    /// The idle scenario measures cost, not a rate.
    case none = ""

    /// What ``Sample/cpuPerOperation`` is per: `req`, `op`, `MB`, `hs`.
    package var operation: String {
        switch self {
        case .requests: "req"
        case .operations: "op"
        case .megabytes: "MB"
        case .handshakes: "hs"
        case .broadcasts: "bc"
        case .none: ""
        }
    }
}

/// One load: what netload runs against the program.
package enum Load: Sendable, Equatable {
    /// Ping-pong of 64-byte messages, one in flight per connection.
    case echo(connections: Int)
    /// A stream of bytes through a proxy to netlab's sink.
    case proxy(streams: Int)
    /// Newline-ended lines of at most 4 KiB through a forwarder to netlab's sink (lesson 12).
    case lines(streams: Int)
    /// A stream through an SNI router to netlab's sink, each opening with a ClientHello for
    /// ``RoutedProxyWorkload/serverName`` (lesson 6).
    case routed(streams: Int)
    /// TLS handshakes, each followed by a 64-byte echo, on `threads` blocking clients.
    case handshake(threads: Int)
    /// Put and get, one in flight per connection.
    case keyValue(connections: Int)
    /// A WebSocket chat room of `clients` that read, and `silent` more that read nothing, one
    /// broadcast in flight (lesson 13).
    case fanOut(clients: Int, silent: Int)
    /// `connections` idle key-value connections: memory, descriptors, threads and CPU they cost.
    case idle(connections: Int)

    /// Connections (streams, threads) the load opens.
    package var connections: Int {
        switch self {
        case .echo(let n), .proxy(let n), .lines(let n), .routed(let n), .handshake(let n), .keyValue(let n), .fanOut(let n, _),
            .idle(let n):
            n
        }
    }
}

/// One section of a bench table.
package struct Scenario: Sendable, Equatable {
    package var load: Load
    /// `100 connections`, `8 streams`.
    package var label: String
    package var unit: RateUnit

    package init(load: Load, label: String, unit: RateUnit) {
        self.load = load
        self.label = label
        self.unit = unit
    }

    /// Whether it runs for the bench's duration (the idle scenario does not).
    package var isTimed: Bool {
        if case .idle = load { return false }
        return true
    }
}

/// Which workload each lesson gets.
package enum Workloads {
    /// The lessons that have a workload.
    package static let lessons = [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13]

    /// Lesson `number`'s workload; nil when it has none (5, the SNI parser, which closes every
    /// connection after one ClientHello, and lessons without one yet).
    package static func forLesson(_ number: Int) -> (any Workload)? {
        switch number {
        case 1: EchoWorkload(defaultConnections: [1, 10])
        case 2: EchoWorkload(defaultConnections: [1, 100, 1000])
        // Lesson 3's program closes idle clients: an idle timeout longer than any round.
        case 3: EchoWorkload(defaultConnections: [1, 100, 1000], extraFlags: ["--idle-timeout", "60s"])
        case 4: ProxyWorkload()
        case 6: RoutedProxyWorkload()
        case 7: HandshakeWorkload()
        case 8, 9, 10, 11: KeyValueWorkload()
        case 12: LineForwardWorkload()
        case 13: FanOutWorkload()
        default: nil
        }
    }

    /// What `netlab bench N` says for a lesson without a workload.
    package static func missingMessage(lesson number: Int) -> String {
        let why: String
        switch number {
        case 5: why = "its program reads one ClientHello and closes, so there is no steady load to measure"
        default: why = "no workload fits it yet"
        }
        let list = lessons.map(String.init).joined(separator: ", ")
        return "no workload for lesson \(number): \(why); lessons \(list) have one"
    }
}
