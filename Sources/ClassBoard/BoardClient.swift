import Foundation
import NetCore

/// `netlab check --submit URL`: posts one signed results file to a class board.
public enum BoardClient {
    /// What came of a post.
    public enum Outcome: Sendable, Equatable {
        /// The board answered: its status and the first line of its body (escaped by the caller).
        case answered(status: Int, message: String)
        /// No answer: why (a bad URL, refused, a timeout).
        case failed(String)
    }

    /// The host and port of `url` (`http://HOST:PORT[/PATH]`) and the path to post to
    /// (`PATH/results`, or PATH when it ends in `/results`); nil when it is not such a URL.
    public static func target(_ url: String) -> (hostPort: String, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let hostPort = String(rest[..<slash])
        var path = String(rest[slash...])
        guard !hostPort.isEmpty, hostPort.contains(":"), !hostPort.contains("@"),
            path.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "?" && $0 != "#" })
        else { return nil }
        if !path.hasSuffix("/results") { path = (path.hasSuffix("/") ? String(path.dropLast()) : path) + "/results" }
        return (hostPort, path)
    }

    /// Posts `data` to the board at `url`, all of it bounded by `timeout`.
    public static func post(_ data: Data, to url: String, timeout: Duration = .seconds(20)) async -> Outcome {
        guard let (hostPort, path) = target(url) else {
            return .failed("\(url) is not a board URL: http://HOST:PORT/")
        }
        let deadline = ContinuousClock.now + timeout
        do {
            let conn = try await TCPConn.dial(hostPort, deadline: deadline)
            defer { try? conn.close() }
            try conn.setDeadline(deadline)
            let head =
                "POST \(path) HTTP/1.1\r\nHost: \(hostPort)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(data.count)\r\nConnection: close\r\n\r\n"
            try await conn.write(Array(head.utf8) + Array(data))
            var response: [UInt8] = []
            while response.count < 64 << 10 {
                let chunk = try await conn.read(upToCount: 16 << 10)
                if chunk.isEmpty { break }
                response += chunk
            }
            let text = String(decoding: response, as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                return .failed("the answer is not HTTP")
            }
            let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
            let line = body.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            return .answered(status: status, message: String(line.prefix(300)))
        } catch {
            return .failed(NetError.reason(of: error))
        }
    }
}
