/// `send NAME hello [sni HOST | sni random as N] …`: a TLS ClientHello that the checker builds
/// afresh every time the step runs, with a random session id, random, key shares, GREASE values
/// (RFC 8701), padding and extension order, like a browser's. Its server name can be a fresh
/// random DNS name, bound to N so that later patterns can say `{N.name}`: nothing in the lesson
/// folder holds the answer, so only a program that parses the hello can log it.
///
/// The options that break the hello on purpose (`second-sni`, `second-host-name`, `nul-in-name`,
/// `trailing-dot`) each make one rule of RFC 6066 / RFC 8446 fail, and leave every length right.
public struct HelloPayload: Sendable, Equatable {
    /// A server name as written: `example.test`, or `random as N`.
    public enum Name: Sendable, Equatable {
        /// `sni example.test`: this name, every run.
        case literal(String)
        /// `sni random as N`: a fresh random DNS name each time the step runs (lowercase letters,
        /// digits and hyphens, dot-separated, such as `x7k2q9.example`), bound to `N`.
        case random(binding: String)
    }

    /// `sni …`: the host_name in the server_name extension; nil sends no server_name at all.
    public var serverName: Name?
    /// `second-sni …`: a second server_name extension, later in the hello, holding this name
    /// (RFC 8446 §4.2 allows at most one extension of each type).
    public var secondExtension: Name?
    /// `second-host-name …`: a second host_name entry after the first, in the same list (RFC 6066
    /// §3 allows at most one name of each type).
    public var secondEntry: Name?
    /// `nul-in-name`: the first name is sent followed by a NUL and a random decoy name, in the
    /// same entry (`x7k2q9.example\0ab1.test`): a parser that stops at the NUL sees `x7k2q9.example`.
    public var nulInName = false
    /// `trailing-dot`: the first name is sent with a dot at its end (`x7k2q9.example.`), which
    /// RFC 6066 §3 forbids.
    public var trailingDot = false
    /// `record-version "03 00"`: the legacy version in every record header (03 01 when not given,
    /// as almost every client sends).
    public var recordVersion: UInt16 = 0x0301
    /// `records of SIZE`: the handshake message is cut into records whose fragments hold at most
    /// SIZE bytes (1 to 16384; 16384 when not given).
    public var recordSize = HelloPayload.maximumRecordSize

    public static let maximumRecordSize = 16_384

    public init(serverName: Name? = nil) {
        self.serverName = serverName
    }

    /// The names that `random as N` binds, in the order they are written.
    public var bindings: [String] {
        [serverName, secondExtension, secondEntry].compactMap { name in
            if case .random(let binding) = name { binding } else { nil }
        }
    }
}
