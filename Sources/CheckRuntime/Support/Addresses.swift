func hostPart(_ address: String) -> String {
    guard let colon = address.lastIndex(of: ":") else { return address }
    var host = String(address[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host
}

func isIPLiteral(_ host: String) -> Bool {
    host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." })
}

/// The ready line's address, made connectable: `0.0.0.0:P` and `:P` become `127.0.0.1:P`,
/// `[::]:P` becomes `[::1]:P`.
func connectableAddress(_ address: String) -> String {
    let host = hostPart(address)
    let port = address.split(separator: ":").last.map(String.init) ?? ""
    switch host {
    case "", "0.0.0.0": return "127.0.0.1:\(port)"
    case "::": return "[::1]:\(port)"
    default: return address
    }
}
