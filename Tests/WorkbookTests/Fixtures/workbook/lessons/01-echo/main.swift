import LessonKit

// TODO: accept connections and echo every byte back.
let flags = LessonFlags.parse()
print("netlab: listening on \(flags.listen)")
