import CheckResults
import NetCore

/// One HTTP/1.1 GET with `Connection: close`, bounded: a deadline on the whole exchange, at most
/// 8 KiB of response head and ``Exposition/maximumSize`` of body. The body ends at its
/// `Content-Length`, or where the server closes the connection when it sends none; a chunked
/// body is refused (the format's exporters send a length).
struct HTTPGet {
    struct Response {
        var head: HTTPResponseHead
        var body: [UInt8]
    }

    struct Failure: Error {
        var message: String
    }

    static func run(address: String, path: String, deadline: ContinuousClock.Instant) async throws(Failure) -> Response {
        let conn: TCPConn
        do {
            conn = try await TCPConn.dial(address, deadline: deadline)
        } catch {
            throw Failure(message: "could not connect to \(address): \(NetError.reason(of: error))")
        }
        defer { try? conn.close() }
        var received: [UInt8] = []
        do {
            try conn.setDeadline(deadline)
            let host = address
            try await conn.write("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept: text/plain\r\nUser-Agent: netlab\r\nConnection: close\r\n\r\n")
            var head: HTTPResponseHead?
            var bodyStart = 0
            while true {
                let chunk = try await conn.read(upToCount: 64 * 1024)
                if chunk.isEmpty { break }
                received += chunk
                if head == nil {
                    switch HTTPResponseHead.scan(received) {
                    case .incomplete: continue
                    case .invalid(let why): throw Failure(message: "the answer from \(address) is not an HTTP response: \(why)")
                    case .head(let h):
                        head = h
                        bodyStart = h.size
                    }
                }
                if let head {
                    if let te = head.value("Transfer-Encoding"), te.lowercased() != "identity" {
                        throw Failure(
                            message:
                                "the response's body is sent with Transfer-Encoding: \(Bytes.quoted(Array(te.utf8), limit: 40)); netlab reads a body with a Content-Length, or one that ends when the connection closes"
                        )
                    }
                    let body = received.count - bodyStart
                    if body > Exposition.maximumSize {
                        throw Failure(message: "the response's body is over \(Exposition.maximumSize >> 20) MiB; netlab stopped reading")
                    }
                    if let length = head.value("Content-Length").flatMap({ Int($0) }), body >= length {
                        return Response(head: head, body: Array(received[bodyStart..<(bodyStart + length)]))
                    }
                }
            }
            guard let head else {
                throw Failure(
                    message: received.isEmpty
                        ? "\(address) closed the connection without an answer"
                        : "\(address) closed the connection within the response head: \(Bytes.quoted(received, limit: 80))")
            }
            if let length = head.value("Content-Length").flatMap({ Int($0) }), received.count - bodyStart < length {
                throw Failure(
                    message: "the response announced a body of \(length) bytes, then the connection closed after \(received.count - bodyStart)")
            }
            return Response(head: head, body: Array(received[bodyStart...]))
        } catch let failure as Failure {
            throw failure
        } catch let error as NetError where error.isTimeout {
            throw Failure(message: "no whole response from \(address) in time (\(received.count) bytes so far: \(Bytes.quoted(received, limit: 80)))")
        } catch {
            throw Failure(message: "the GET to \(address) failed: \(NetError.reason(of: error))")
        }
    }
}
