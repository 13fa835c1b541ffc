// --metrics-listen: GET /metrics answered with the connections accepted so far, in Prometheus's
// text format, for the check language's `scrape` (docs/checks.md's complete example).
import LessonKit
import NetCore
import Synchronization

/// Connections accepted on the main listener.
let acceptedConnections = Atomic<Int>(0)

/// Serves the metrics listener until the program exits.
func serveTestMetrics(_ listener: TCPListener) async throws {
    try await serve(listener) { conn in
        defer { try? conn.close() }
        try? conn.setDeadline(.after(.seconds(5)))
        guard let (head, _) = try? await HTTPRequestHead.read(from: conn, maxBytes: 8192) else { return }
        let body =
            "# HELP proxy_connections_total Connections accepted.\n# TYPE proxy_connections_total counter\n"
            + "proxy_connections_total \(acceptedConnections.load(ordering: .relaxed))\n"
        let response =
            head.target == "/metrics"
            ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        try? await conn.write(response)
    }
}
