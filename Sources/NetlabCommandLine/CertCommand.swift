import Foundation
import Workbook

/// `netlab cert [--force]`: the development CA and localhost certificate of the TLS lessons.
struct CertCommand: NetlabCommand, Equatable {
    static let name = "cert"
    static let usage = "netlab cert [--force]"
    static let summary = "Makes a local development CA and a certificate for localhost under .netlab/certs/ (like mkcert), for the TLS lessons."

    enum Option: String, CommandOption {
        case force

        var form: CommandSpec.Option.Form { .flag(help: "make a new CA and certificate even if they exist") }
    }

    /// `--force`: make new ones even if they exist.
    var force: Bool

    init(_ arguments: CommandArguments<Option>) { force = arguments.flag(.force) }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.cert(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func cert(_ c: CertCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let (paths, created) = try ensureCertificates(w, force: c.force)
        let r = { (u: URL) in self.relative(u, w) }
        console.out(
            created
                ? "Made a development CA and a certificate for localhost:"
                : "The development CA and localhost certificate already exist (`netlab cert --force` makes new ones):")
        console.out()
        console.out("  CA certificate     \(style.bold(r(paths.ca)))   trust this one in clients")
        console.out("  CA private key     \(r(paths.caKey))   keep it private; never share it")
        console.out("  certificate        \(style.bold(r(paths.cert)))   for \(Self.certificateNames.joined(separator: ", "))")
        console.out("  private key        \(style.bold(r(paths.key)))")
        console.out()
        console.out("Checks use them as {ca}, {cert} and {key}. To run a TLS lesson by hand:")
        console.out("  \(commandName) run N -- --cert \(r(paths.cert)) --key \(r(paths.key))")
        console.out("and talk to it (PORT is the one netlab run prints):")
        console.out("  openssl s_client -connect 127.0.0.1:PORT -servername localhost -CAfile \(r(paths.ca))")
        console.out("  curl --cacert \(r(paths.ca)) https://localhost:PORT/")
        console.out()
        console.out(style.dim("Only programs you point at \(r(paths.ca)) trust it; nothing is added to the system's trust store."))
        return ExitCode.success
    }
}
