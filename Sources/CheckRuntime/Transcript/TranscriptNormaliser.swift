import Foundation

/// Makes a transcript comparable with a reviewed ("golden") copy: times, ports and temporary
/// paths vary from run to run, so they become `+T`, `PORT` and `TMP`.
public enum TranscriptNormaliser {
    public static func normalised(_ transcript: String) -> String {
        var text = transcript
        let rules: [(String, String)] = [
            // A time inside a sentence (`at +0.420s, before this step`) keeps its punctuation.
            (#"\+\d+\.\d{3}s(?=[,;)])"#, "+T"),
            (#"\+\d+\.\d{3}s *"#, "+T "),
            (#"\d+\.\d{3}s"#, "Ns"),
            (#"(127\.0\.0\.1|\[::1\]):\d+"#, "$1:PORT"),
            (#"/[^ ]*/netlab-testserver"#, "netlab-testserver"),
            (#"/[^ ]*/\.build/[^ ]*/(lesson|solution|mistakes)(\d\d)"#, "$1$2"),
            (#"/[^ ]*netlab-check-[^ /]*"#, "TMP"),
            (#"/[^ ]*netlab-tls-[^ /]*"#, "TMP"),
        ]
        for (pattern, replacement) in rules {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }
}
