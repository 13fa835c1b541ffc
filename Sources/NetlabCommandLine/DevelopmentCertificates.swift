import Foundation
import NetTLS
import Workbook

extension NetlabCLI {
    /// Makes `.netlab/certs/` if needed and returns the paths (nil if it cannot be made).
    func ensureCertificates(_ w: OpenedWorkbook, force: Bool = false) throws -> (CertificatePaths, created: Bool) {
        let dir = w.root.appendingPathComponent(".netlab/certs")
        let paths = CertificatePaths(
            ca: dir.appendingPathComponent("ca.pem"), caKey: dir.appendingPathComponent("ca-key.pem"),
            cert: dir.appendingPathComponent("localhost.pem"), key: dir.appendingPathComponent("localhost-key.pem"))
        let fm = FileManager.default
        let all = [paths.ca, paths.caKey, paths.cert, paths.key].allSatisfy { fm.fileExists(atPath: $0.path) }
        if all, !force { return (paths, false) }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let ca: DevCA
        if !force, fm.fileExists(atPath: paths.ca.path), fm.fileExists(atPath: paths.caKey.path),
            let loaded = try? DevCA.load(certificatePEMFile: paths.ca.path, keyPEMFile: paths.caKey.path)
        {
            ca = loaded
        } else {
            ca = try DevCA.create()
            try ca.write(certificateTo: paths.ca.path, keyTo: paths.caKey.path)
        }
        let leaf = try ca.issue(names: Self.certificateNames)
        try leaf.write(certificateTo: paths.cert.path, keyTo: paths.key.path)
        return (paths, true)
    }

    /// `*.test` alone is not enough: curl and OpenSSL refuse a wildcard right under a top-level
    /// name, so the names the lessons use are listed too.
    static let certificateNames = ["localhost", "example.test", "a.test", "b.test", "c.test", "*.test", "127.0.0.1", "::1"]
}
