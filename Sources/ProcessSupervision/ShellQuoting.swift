/// An argument as a POSIX shell needs it to read it back as one word, unchanged: as it is when
/// it holds only characters no shell treats specially (`{cert}`, `127.0.0.1:8080`, `-v`), else
/// in single quotes. Braces stay bare only without a comma, which would make `{a,b}` a brace
/// expansion in bash. Used for every command line netlab shows a person to copy.
package func shellQuoted(_ s: String) -> String {
    let plain = !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=,@+{}".contains($0)) }
    let braceExpansion = s.contains("{") && s.contains(",")
    if plain, !braceExpansion { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
