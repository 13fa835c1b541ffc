import CheckLanguage
import Foundation

extension CheckExecution {
    /// A pattern compiled with its `{NAME.addr}`, `{NAME.port}` and `{NAME.name}` filled in, and how to show
    /// it: as written, followed by the values it was given.
    func compiled(_ pattern: Pattern, at location: SourceLocation) throws -> (Regex<AnyRegexOutput>, String) {
        var values: [String] = []
        let source = try pattern.rendered { reference in
            let address: String
            switch reference.owner {
            case .upstream:
                guard let peer = upstreams[reference.name] else { throw CheckError(message: "unknown upstream \(reference.name) (\(location))") }
                address = peer.address
            case .client:
                guard let from = clientAddresses.withLock({ $0[reference.name] }) else {
                    throw StepFailure(message: "\(reference.text) names client \(reference.name), which has not connected", location: location)
                }
                address = from
            case .serverName:
                guard let name = serverNames.withLock({ $0[reference.name] }) else {
                    throw StepFailure(message: "\(reference.text) names a server name that no hello has made yet", location: location)
                }
                values.append("\(reference.text) = \(name)")
                return name
            }
            let value = reference.field == "port" ? String(address.split(separator: ":").last ?? "") : address
            values.append("\(reference.text) = \(value)")
            return value
        }
        guard let regex = try? Regex(source) else { throw CheckError(message: "the pattern \(pattern) does not compile (\(location))") }
        return (regex, values.isEmpty ? pattern.description : "\(pattern) (\(values.joined(separator: ", ")))")
    }
}
