import Foundation

/// Finds the netlab package root: the nearest folder, from a start folder upwards, that holds a
/// `Package.swift` next to a `lessons/` folder. So `netlab` works from any subfolder
/// (`lessons/04-proxy/`, `Sources/…`).
public enum PackageRoot {
    /// The root above (or at) `start`, or nil when no folder on the way up qualifies.
    public static func find(from start: URL, fileManager: FileManager = .default) -> URL? {
        var dir = start.standardizedFileURL
        while true {
            if isRoot(dir, fileManager: fileManager) { return dir }
            let parent = dir.deletingLastPathComponent().standardizedFileURL
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// Whether `dir` has a `Package.swift` file and a `lessons` folder.
    public static func isRoot(_ dir: URL, fileManager: FileManager = .default) -> Bool {
        var isDir: ObjCBool = false
        let manifest = dir.appendingPathComponent("Package.swift").path
        let lessons = dir.appendingPathComponent("lessons").path
        return fileManager.fileExists(atPath: manifest)
            && fileManager.fileExists(atPath: lessons, isDirectory: &isDir) && isDir.boolValue
    }
}
