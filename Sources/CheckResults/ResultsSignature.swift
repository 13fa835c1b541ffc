import Foundation
import NetTLS

/// Signed results files: an HMAC-SHA256 with a class key, so that `netlab report --key` can tell
/// a file `netlab check --json` wrote from one edited by hand.
///
/// **What is signed.** The exact bytes netlab wrote, not a re-encoding: `netlab check` encodes
/// the results (pretty-printed, sorted keys, ending `\n}\n`), computes
/// `HMAC-SHA256(key, "netlab results v1\n" + those bytes)`, and writes the same bytes with one
/// last member added before the closing brace:
///
/// ```
///   "version" : 3,
///   "netlab_signature" : "hmac-sha256:5f1c…(64 hex digits)"
/// }
/// ```
///
/// `report` takes that trailer off, which gives back exactly the signed bytes, checks the MAC
/// (in constant time), and then reads the results *from the signed bytes*, so what it shows is
/// what was signed. Signing bytes rather than a canonical re-encoding means verification does
/// not depend on `JSONEncoder` producing the same text in another netlab or Swift version, and
/// any change at all (a digit, a space, a key added anywhere) breaks the signature. The file
/// stays an Exercism v3 results document: tools that do not know `netlab_signature` ignore it.
/// A tool that re-formats the file (`jq .`) breaks the signature too; that is the price of
/// signing bytes, and `report` says so.
///
/// **What a signature proves**: that the file was written by a netlab that had the class key
/// and was not changed afterwards. It does not prove who ran the checks, that the program was
/// the student's own work, or that netlab itself was not modified or run under a debugger:
/// anyone who has the key (every machine of the class setup) can sign anything.
public enum ResultsSignature {
    /// The top-level key that holds the signature.
    public static let field = "netlab_signature"
    static let scheme = "hmac-sha256:"
    /// Bound to the purpose, so a MAC made with the same key for anything else never verifies.
    static let context = Array("netlab results v1\n".utf8)
    static let trailerStart = Array(",\n  \"\(field)\" : \"\(scheme)".utf8)
    static let trailerEnd = Array("\"\n}\n".utf8)
    static let close = Array("\n}\n".utf8)

    /// What `report` found out about one file.
    public enum Verdict: Sendable, Equatable {
        /// Signed with the key given, and not changed since.
        case verified
        /// No signature: the results are self-reported.
        case unsigned
        /// A signature, but no key to check it with.
        case notChecked
        /// A signature that does not verify: the file was changed after it was signed, or
        /// signed with another key. Why, in words.
        case bad(String)
    }

    /// `encoded` (as ``ResultsJSON/encode(_:)`` makes it) with its signature under `key`.
    public static func sign(_ encoded: Data, key: ClassKey) throws -> Data {
        let bytes = Array(encoded)
        guard bytes.count > close.count + 1, Array(bytes.suffix(close.count)) == close else {
            throw ClassKey.Problem(message: "cannot sign results that do not end with a closing brace on its own line")
        }
        let mac = hmacSHA256(key: key.bytes, data: context + bytes)
        var out = Array(bytes.dropLast(close.count))
        out += trailerStart + Array(hex(mac).utf8) + trailerEnd
        return Data(out)
    }

    /// Checks the signature of a results file. Returns the verdict and the bytes to read the
    /// results from: the signed bytes when the file is signed (whatever the verdict), else the
    /// file as it is.
    public static func verify(_ data: Data, key: ClassKey?) -> (verdict: Verdict, payload: Data) {
        let bytes = Array(data)
        let macLength = 64
        let trailerLength = trailerStart.count + macLength + trailerEnd.count
        if bytes.count > trailerLength,
            Array(bytes.suffix(trailerEnd.count)) == trailerEnd,
            Array(bytes[(bytes.count - trailerLength)..<(bytes.count - trailerLength + trailerStart.count)]) == trailerStart
        {
            let macStart = bytes.count - trailerLength + trailerStart.count
            let macText = String(decoding: bytes[macStart..<(macStart + macLength)], as: UTF8.self)
            let payload = Array(bytes[..<(bytes.count - trailerLength)]) + close
            guard let claimed = unhex(macText) else {
                return (.bad("the signature is not 64 hex digits"), Data(payload))
            }
            guard let key else { return (.notChecked, Data(payload)) }
            if macsEqual(hmacSHA256(key: key.bytes, data: context + payload), claimed) { return (.verified, Data(payload)) }
            // Signed with a student's own key (``ClassKey/forStudent(_:)``): derived from the
            // class key and the name the file claims, so it verifies only as that student.
            if key.student == nil, let student = try? ResultsJSON.decodeAny(Data(payload)).student, !student.isEmpty,
                macsEqual(hmacSHA256(key: key.forStudent(student).bytes, data: context + payload), claimed)
            {
                return (.verified, Data(payload))
            }
            return (.bad("the file was changed after it was signed, or signed with another class key"), Data(payload))
        }
        // A signature anywhere else means a file netlab did not write in this form.
        if contains(bytes, Array("\"\(field)\"".utf8)) {
            return (.bad("the signature is not the file's last member, as netlab writes it (was the file re-formatted or edited?)"), data)
        }
        return (.unsigned, data)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { Bytes.hex($0) }.joined()
    }

    /// Lower- or upper-case hex digits, an even number of them; nil otherwise.
    static func unhex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ d: UInt8) -> UInt8? {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

/// The class key an instructor hands out with the class setup: at least 16 random bytes,
/// written as hex in a file (`netlab class-key FILE`, or `openssl rand -hex 32 > FILE`).
///
/// Or one student's own key, derived from the class key and the student's name
/// (`netlab class-key --student NAME --from CLASSKEY FILE`): its file starts with a line
/// `student NAME`. Results signed with it must carry that name, and they verify under the class
/// key only as that student's, so a student who has only their own key cannot sign as another.
public struct ClassKey: Sendable, Equatable {
    public let bytes: [UInt8]
    /// For a student's key, the student it was made for.
    public let student: String?
    /// Bound to the purpose: a student key is never a MAC of anything else.
    static let studentContext = Array("netlab student key v1\n".utf8)

    /// A key file that cannot be used, in words.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Key files are small; a bigger one is the wrong file.
    static let fileLimit = 4096
    static let minimumBytes = 16

    public init(bytes: [UInt8], student: String? = nil) throws(Problem) {
        guard bytes.count >= Self.minimumBytes else {
            throw Problem(
                message: "a class key needs at least \(Self.minimumBytes) bytes (\(Self.minimumBytes * 2) hex digits); this one has \(bytes.count)")
        }
        self.bytes = bytes
        self.student = student
    }

    /// The key of the student `name`: HMAC-SHA256 of the name under this (class) key.
    public func forStudent(_ name: String) -> ClassKey {
        // 32 bytes: always enough for init(bytes:).
        (try? ClassKey(bytes: hmacSHA256(key: bytes, data: Self.studentContext + Array(name.utf8)), student: name)) ?? self
    }

    /// The text of a student key file: `student NAME`, then the key's hex digits.
    public var fileText: String {
        (student.map { "student \($0)\n" } ?? "") + ResultsSignature.hex(bytes) + "\n"
    }

    /// Reads the hex key in `text` (spaces and newlines around it are ignored), after a first
    /// line `student NAME` for a student's key.
    public init(hexText text: String) throws(Problem) {
        var text = Substring(text)
        var student: String?
        if text.hasPrefix("student ") {
            let line = text.prefix { $0 != "\n" }
            let name = line.dropFirst("student ".count).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Problem(message: "a student key file's first line is `student NAME`, with a name")
            }
            student = name
            text = text.dropFirst(line.count)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = ResultsSignature.unhex(trimmed), !trimmed.isEmpty else {
            throw Problem(message: "a class key file holds hex digits only (make one with `netlab class-key FILE` or `openssl rand -hex 32 > FILE`)")
        }
        try self.init(bytes: bytes, student: student)
    }

    /// Reads a key file, naming the file in any error.
    public static func read(path: String, shownAs name: String) throws(Problem) -> ClassKey {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Problem(message: "cannot read the class key file \(name)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: fileLimit + 1)) ?? Data()
        guard data.count <= fileLimit else {
            throw Problem(message: "\(name) is not a class key file: it is longer than \(fileLimit) bytes")
        }
        do {
            return try ClassKey(hexText: String(decoding: data, as: UTF8.self))
        } catch {
            throw Problem(message: "\(name): \(error.message)")
        }
    }

    /// A new key: 32 bytes from OpenSSL's secure generator, as 64 hex digits and a newline.
    public static func generateHex() -> String? {
        secureRandomBytes(32).map { ResultsSignature.hex($0) + "\n" }
    }
}
