/// What the load generator measured in one run (one `netload` line).
package struct LoadFigures: Sendable, Equatable {
    /// Requests, operations, handshakes or bytes completed in the measured window.
    package var operations: Double
    package var seconds: Double
    /// Latencies in microseconds, when the load measures them.
    package var p50: Double?
    package var p99: Double?
    package var max: Double?
    /// Log2 buckets of microseconds (``LatencyHistogram``).
    package var histogram: [UInt64]
    /// The load generator's own CPU time in the window, in seconds.
    package var loadCPU: Double
    package var errors: Int
    /// Connections that got at least one answer in the window (echo and kv); nil when not counted.
    package var answered: Int?

    package init(
        operations: Double, seconds: Double, p50: Double? = nil, p99: Double? = nil, max: Double? = nil,
        histogram: [UInt64] = [], loadCPU: Double, errors: Int, answered: Int? = nil
    ) {
        self.answered = answered
        self.operations = operations
        self.seconds = seconds
        self.p50 = p50
        self.p99 = p99
        self.max = max
        self.histogram = histogram
        self.loadCPU = loadCPU
        self.errors = errors
    }

    /// Operations per second; 0 for an empty window.
    package var rate: Double { seconds > 0 ? operations / seconds : 0 }
}

/// One round of one scenario against one program: the load's figures and the server's.
package struct Sample: Sendable, Equatable, Codable {
    /// Operations (or bytes) per second.
    package var rate: Double
    /// Latency in microseconds.
    package var p50: Double?
    package var p99: Double?
    package var max: Double?
    /// The server's CPU time (its whole process tree) per operation, in microseconds (per MB for bytes).
    package var cpuPerOperation: Double?
    /// Resident memory and descriptors added per connection, in bytes and descriptors.
    package var rssPerConnection: Double?
    package var fdsPerConnection: Double?
    /// Threads of the server's process tree while loaded.
    package var threads: Int?
    /// The server's CPU with its connections idle, in cores (1.0 = one core busy).
    package var idleCPU: Double?
    /// The load generator's CPU, in cores.
    package var loadCores: Double
    package var errors: Int
    package var histogram: [UInt64]
    /// Connections that got at least one answer (echo and kv), of ``connections``.
    package var answered: Int?
    package var connections: Int?

    package init(
        rate: Double, p50: Double? = nil, p99: Double? = nil, max: Double? = nil, cpuPerOperation: Double? = nil,
        rssPerConnection: Double? = nil, fdsPerConnection: Double? = nil, threads: Int? = nil, idleCPU: Double? = nil,
        loadCores: Double = 0, errors: Int = 0, histogram: [UInt64] = [], answered: Int? = nil, connections: Int? = nil
    ) {
        self.answered = answered
        self.connections = connections
        self.rate = rate
        self.p50 = p50
        self.p99 = p99
        self.max = max
        self.cpuPerOperation = cpuPerOperation
        self.rssPerConnection = rssPerConnection
        self.fdsPerConnection = fdsPerConnection
        self.threads = threads
        self.idleCPU = idleCPU
        self.loadCores = loadCores
        self.errors = errors
        self.histogram = histogram
    }
}
