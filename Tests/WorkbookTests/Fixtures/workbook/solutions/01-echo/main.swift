import LessonKit

// Accept connections and echo every byte back.
let flags = LessonFlags.parse()
let listener = try await listen(flags.listen)
print("netlab: listening on \(listener.address)")
for try await conn in listener {
    Task { try await copy(from: conn, to: conn) }
}
