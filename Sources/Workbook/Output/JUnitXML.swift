import CheckResults
import CheckRuntime
import Foundation

/// JUnit XML for CI systems: `testsuites > testsuite > testcase > failure | error | system-out`.
/// One `testsuite` per lesson; a lesson that could not be graded (it did not build, …) is one
/// `testcase` named `build` with an `error`.
public enum JUnitXML {
    public static func render(_ results: [LessonResult], scriptLines: [String: [String]] = [:]) -> String {
        func seconds(_ d: Duration) -> String {
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return String(format: "%.3f", s)
        }
        var totalTests = 0, totalFailures = 0, totalErrors = 0
        var totalTime: Duration = .zero
        var suites: [String] = []
        for lesson in results {
            var cases: [String] = []
            var failures = 0, errors = 0
            var time: Duration = .zero
            let className = "netlab.\(lesson.slug)"
            if let error = lesson.error {
                errors += 1
                cases.append(
                    """
                        <testcase classname="\(escape(className))" name="build" time="0.000">
                          <error message="\(escape(firstLine(error)))" type="error">\(escape(error))</error>
                        </testcase>
                    """)
            }
            for check in lesson.checks.sorted(by: { $0.index < $1.index }) {
                time += check.duration
                var body = ""
                let transcript = check.transcript.trimmingBlankLines()
                let detail = transcript + (check.hint.map { transcript.contains("hint: \($0)") ? "" : "\nhint: \($0)" } ?? "")
                switch check.status {
                case .pass:
                    break
                case .fail:
                    failures += 1
                    body += "\n      <failure message=\"\(escape(check.message ?? "failed"))\" type=\"failure\">\(escape(detail))</failure>"
                case .error:
                    errors += 1
                    body += "\n      <error message=\"\(escape(check.message ?? "error"))\" type=\"error\">\(escape(detail))</error>"
                }
                if !check.transcript.isEmpty {
                    body += "\n      <system-out>\(escape(check.transcript))</system-out>"
                }
                let open = "    <testcase classname=\"\(escape(className))\" name=\"\(escape(check.name))\" time=\"\(seconds(check.duration))\""
                cases.append(body.isEmpty ? open + "/>" : open + ">" + body + "\n    </testcase>")
            }
            let tests = lesson.checks.count + (lesson.error != nil ? 1 : 0)
            totalTests += tests
            totalFailures += failures
            totalErrors += errors
            totalTime += time
            let name = "\(lesson.slug): \(lesson.title)"
            suites.append(
                "  <testsuite name=\"\(escape(name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(seconds(time))\">\n"
                    + cases.joined(separator: "\n") + (cases.isEmpty ? "" : "\n") + "  </testsuite>")
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"netlab\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"\(totalErrors)\" skipped=\"0\" time=\"\(seconds(totalTime))\">\n"
            + suites.joined(separator: "\n") + (suites.isEmpty ? "" : "\n")
            + "</testsuites>\n"
    }

    static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    }

    /// Escapes text for XML attributes and content (and HTML). Control characters, C1 controls
    /// and bidi overrides are first made visible by ``UntrustedText`` (`\x1b`, `\r`,
    /// `\u{202e}`): JUnit output is read by people in CI pages, and XML 1.0 cannot carry most C0
    /// controls at all, so the document stays well-formed whatever the program wrote. Newlines
    /// and tabs stay.
    public static func escape(_ s: String) -> String {
        let visible = UntrustedText.escaped(s, multiline: true)
        var out = ""
        out.reserveCapacity(visible.utf8.count)
        for scalar in visible.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
