import Foundation
import NetCore
import NetTLS
import Testing

@Suite("DevCA and certificates", .timeLimit(.minutes(1)))
struct DevCATests {
    @Test func caProfile() throws {
        let ca = try DevCA.create(commonName: "profile CA")
        #expect(ca.certificate.isCA)
        #expect(ca.certificate.subject.contains("CN=profile CA"))
        let years = Double(ca.certificate.notAfter - ca.certificate.notBefore) / (365.25 * 86400)
        #expect(abs(years - 10) < 0.01)
    }

    @Test func leafProfile() throws {
        let leaf = try PKI.ca.issue(names: ["localhost", "127.0.0.1", "::1", "*.dev.test"])
        #expect(!leaf.isCA)
        #expect(leaf.dnsNames == ["localhost", "*.dev.test"])
        #expect(leaf.ipAddresses == ["127.0.0.1", "::1"])
        #expect(leaf.issuer == PKI.ca.certificate.subject)
        // 2 years and 3 months: between 820 and 823 days, whatever the month lengths.
        let days = Double(leaf.notAfter - leaf.notBefore) / 86400
        #expect(days > 819 && days < 824)
        // A random 128-bit serial: at most 32 hex digits, and not the same twice.
        let other = try PKI.ca.issue(names: ["localhost"])
        #expect(leaf.serialNumberHex.count <= 32 && leaf.serialNumberHex.count >= 20)
        #expect(leaf.serialNumberHex != other.serialNumberHex)
        #expect(leaf.certificateChainDER.count == 1)
    }

    @Test func opensslAgreesWithTheProfile() async throws {
        let dir = PKI.files
        let leaf = try PKI.ca.issue(names: ["localhost", "127.0.0.1"])
        try leaf.write(certificateTo: dir + "/profile.pem", keyTo: dir + "/profile-key.pem")
        let verify = try Child(["openssl", "verify", "-CAfile", dir + "/ca.pem", "-purpose", "sslserver", dir + "/profile.pem"])
        #expect(await verify.finish() == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("OK"))
        let caText = try Child(["openssl", "x509", "-noout", "-text", "-in", dir + "/ca.pem"])
        await caText.finish()
        #expect(caText.stdout.contains("CA:TRUE, pathlen:0"))
        #expect(caText.stdout.contains("Certificate Sign, CRL Sign"))
        #expect(caText.stdout.contains("ASN1 OID: prime256v1"))
        #expect(caText.stdout.contains("Subject Key Identifier"))
        let leafText = try Child(["openssl", "x509", "-noout", "-text", "-in", dir + "/profile.pem"])
        await leafText.finish()
        #expect(leafText.stdout.contains("TLS Web Server Authentication"))
        #expect(leafText.stdout.contains("DNS:localhost, IP Address:127.0.0.1"))
        #expect(leafText.stdout.contains("Authority Key Identifier"))
        #expect(leafText.stdout.contains("CA:FALSE"))
    }

    @Test func writeAndLoad() throws {
        let dir = PKI.files + "/ca-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ca = try DevCA.create()
        try ca.write(certificateTo: dir + "/rootCA.pem", keyTo: dir + "/rootCA-key.pem")
        let keyMode = try FileManager.default.attributesOfItem(atPath: dir + "/rootCA-key.pem")[.posixPermissions] as? Int
        let certMode = try FileManager.default.attributesOfItem(atPath: dir + "/rootCA.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(certMode == 0o644)
        // A key file that existed with a loose mode is tightened.
        _ = FileManager.default.createFile(atPath: dir + "/leaf-key.pem", contents: nil, attributes: [.posixPermissions: 0o666])
        let leaf = try ca.issue(names: ["localhost"])
        try leaf.write(certificateTo: dir + "/leaf.pem", keyTo: dir + "/leaf-key.pem")
        #expect(try FileManager.default.attributesOfItem(atPath: dir + "/leaf-key.pem")[.posixPermissions] as? Int == 0o600)

        let loaded = try DevCA.load(certificatePEMFile: dir + "/rootCA.pem", keyPEMFile: dir + "/rootCA-key.pem")
        #expect(loaded.certificatePEM == ca.certificatePEM)
        let again = try TLSCertificate(certificateFile: dir + "/leaf.pem", privateKeyFile: dir + "/leaf-key.pem")
        #expect(again.certificateChainDER == leaf.certificateChainDER)
        // A certificate the loaded CA issues verifies against the original.
        let issued = try loaded.issue(names: ["x.test"])
        #expect(issued.issuer == ca.certificate.subject)

        let notCA = #expect(throws: TLSError.self) {
            try DevCA.load(certificatePEMFile: dir + "/leaf.pem", keyPEMFile: dir + "/leaf-key.pem")
        }
        #expect(notCA?.kind == .invalidCertificate)
        #expect(notCA?.message.contains("not a CA") == true)
    }

    @Test func badNamesAreRefused() {
        #expect(throws: TLSError.self) { try PKI.ca.issue(names: []) }
        #expect(throws: TLSError.self) { try PKI.ca.issue(names: ["bad name,DNS:evil.test"]) }
    }
}
