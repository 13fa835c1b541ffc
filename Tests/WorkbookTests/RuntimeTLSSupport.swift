import NetTLS

enum NetTLSSupport {
    /// A CA that signed nothing netlab presents.
    static func writeOtherCA(to path: String) throws {
        let ca = try DevCA.create(commonName: "some other CA")
        try ca.write(certificateTo: path, keyTo: path + ".key")
    }
}
