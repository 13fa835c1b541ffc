// mistake: truncates-at-nul
// fails: rejects a host name with a NUL in it
//
// Reads the host name as a C string, up to its first NUL, and checks only that part. A client that
// sends `good.test\0evil.test` is logged as `sni good.test`: the log, and anything that routes by
// it, sees a name the client did not send.
enum TruncatesAtNUL {
    static func main() -> Never {
        HelloServer(serverName: { message in
            try solutionServerName(
                inClientHello: message,
                readHostName: { data in
                    try hostName(
                        inServerNameExtension: data,
                        validName: { bytes in
                            // The mistake: the bytes after a NUL are dropped instead of refused.
                            try validHostName(Array(bytes.prefix { $0 != 0 }))
                        })
                })
        }).run()
    }
}
