// The second listener: GET /metrics answered with the exposition. Given: the lesson is in
// main.swift. Go: `http.Handle("/metrics", promhttp.Handler())` on a server of its own.
import LessonKit
import NetCore

/// The content type of Prometheus's text format, version 0.0.4.
let expositionContentType = "text/plain; version=0.0.4; charset=utf-8"

/// Answers one HTTP/1.1 request on the metrics listener, then closes: `GET /metrics` gets 200
/// and `metrics.exposition()`; another path 404, another method 405. The request head is read
/// under the same cap and deadline as the chat's handshake.
func serveMetrics(_ conn: TCPConn, metrics: Metrics, log: Log) async {
    defer { try? conn.close() }
    let peer = conn.remoteAddress
    do {
        try conn.setDeadline(.after(HeadLimits.deadline))
        let (head, _) = try await HTTPRequestHead.read(from: conn, maxBytes: HeadLimits.maxBytes)
        let response: String
        if head.target != "/metrics" {
            response = httpError(404, "Not Found")
        } else if head.method != "GET" && head.method != "HEAD" {
            response = httpError(405, "Method Not Allowed", extra: "Allow: GET, HEAD\r\n")
        } else {
            let body = metrics.exposition()
            let headers =
                "HTTP/1.1 200 OK\r\nContent-Type: \(expositionContentType)\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n"
            response = head.method == "HEAD" ? headers : headers + body
        }
        try await conn.write(response)
        await lingeringClose(conn)
    } catch {
        log.error("metrics \(peer): \(Log.reason(error))")
    }
}
