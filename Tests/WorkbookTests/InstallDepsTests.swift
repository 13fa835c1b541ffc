import Foundation
import ProcessSupervision
import Testing

/// scripts/install-deps.sh on a made-up machine: a folder of stand-in commands is the whole
/// PATH, and `apt-get` writes down what it was asked to install.
@Suite("scripts/install-deps.sh")
struct InstallDepsTests {
    /// Runs the script with `commands` (name → shell body) as the only commands, and
    /// `systemPython` (one of them, by name) as NETLAB_SYSTEM_PYTHON, else a path that does not
    /// exist; what apt-get was asked, and the exit status.
    func run(with commands: [String: String], systemPython: String? = nil) async throws -> (status: Int32, apt: String) {
        // The script runs and is waited for on a thread of its own, not on the cooperative pool.
        try await offPool { try runBlocking(with: commands, systemPython: systemPython) }
    }

    func runBlocking(with commands: [String: String], systemPython: String?) throws -> (status: Int32, apt: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-deps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("apt.log")
        var all = commands
        all["id"] = "echo 0"
        all["apt-get"] = "echo \"$*\" >> \(log.path)"
        for (name, body) in all {
            try writeExecutable("#!/bin/bash\n\(body)\n", to: dir.appendingPathComponent(name).path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [packageRoot.appendingPathComponent("scripts/install-deps.sh").path]
        process.environment = ["PATH": dir.path, "NETLAB_SYSTEM_PYTHON": dir.appendingPathComponent(systemPython ?? "no-system-python").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    let present = [
        "pkg-config": "exit 0", "openssl": "exit 0", "curl": "exit 0", "python3": "exit 0", "protoc": "exit 0", "promtool": "exit 0",
        "chromium": "exit 0",
    ]

    /// Every command present, OpenBSD's netcat included.
    var everything: [String: String] {
        var commands = present
        commands["nc"] = "printf 'usage: nc [-46CDdFhklNnrStUuvZz]\\n\\t-N\\t\\tShutdown the network socket after EOF on stdin\\n'; exit 1"
        return commands
    }

    @Test func installsNetcatWhenThereIsNone() async throws {
        let r = try await run(with: present)
        #expect(r.status == 0)
        #expect(r.apt.contains("install -y -qq netcat-openbsd"), "\(r.apt)")
        #expect(!r.apt.contains("libssl-dev"))
    }

    @Test func installsOpenBSDNetcatOverOneWithoutDashN() async throws {
        var commands = present
        commands["nc"] = "echo 'usage: nc [-46bCDdhjklnrStUuvZz] [-c prog] [-e prog]'; exit 1"
        #expect(try await run(with: commands).apt.contains("netcat-openbsd"))
    }

    @Test func leavesAMachineWithEverythingAlone() async throws {
        let r = try await run(with: everything)
        #expect(r.status == 0)
        #expect(r.apt.isEmpty, "\(r.apt)")
    }

    @Test func installsProtocWhenThereIsNone() async throws {
        var commands = everything
        commands["protoc"] = nil
        let r = try await run(with: commands)
        #expect(r.apt.contains("install -y -qq protobuf-compiler"), "\(r.apt)")
        #expect(!r.apt.contains("python3-protobuf"))
    }

    @Test func installsPythonProtobufWhenPython3CannotImportIt() async throws {
        var commands = everything
        commands["python3"] = "case \"$*\" in *google.protobuf*) exit 1 ;; esac; exit 0"
        let r = try await run(with: commands)
        #expect(r.apt.contains("install -y -qq python3-protobuf"), "\(r.apt)")
        #expect(!r.apt.contains("protobuf-compiler"))
    }

    @Test func acceptsTheSystemPythonsProtobufWhenPython3OnPathLacksIt() async throws {
        var commands = everything
        commands["python3"] = "case \"$*\" in *google.protobuf*) exit 1 ;; esac; exit 0"
        commands["system-python3"] = "exit 0"
        let r = try await run(with: commands, systemPython: "system-python3")
        #expect(r.status == 0)
        #expect(r.apt.isEmpty, "\(r.apt)")
    }

    @Test func installsPythonWebsocketsWhenPython3CannotImportIt() async throws {
        var commands = everything
        commands["python3"] = "case \"$*\" in *websockets*) exit 1 ;; esac; exit 0"
        let r = try await run(with: commands)
        #expect(r.apt.contains("install -y -qq python3-websockets"), "\(r.apt)")
        #expect(!r.apt.contains("python3-protobuf"))
    }

    @Test func acceptsTheSystemPythonsWebsocketsWhenPython3OnPathLacksIt() async throws {
        var commands = everything
        commands["python3"] = "case \"$*\" in *websockets*) exit 1 ;; esac; exit 0"
        commands["system-python3"] = "exit 0"
        let r = try await run(with: commands, systemPython: "system-python3")
        #expect(r.status == 0)
        #expect(r.apt.isEmpty, "\(r.apt)")
    }

    @Test func installsPrometheusToolsWhenMissing() async throws {
        var commands = everything
        commands["promtool"] = nil
        commands["python3"] = "case \"$*\" in *prometheus_client*) exit 1 ;; esac; exit 0"
        let r = try await run(with: commands)
        #expect(r.apt.contains("python3-prometheus-client") && r.apt.contains("prometheus"), "\(r.apt)")
        #expect(!r.apt.contains("python3-websockets"))
    }
}

extension InstallDepsTests {
    @Test func installsChromiumWhenThereIsNone() async throws {
        var commands = everything
        commands["chromium"] = nil
        let r = try await run(with: commands)
        #expect(r.status == 0)
        #expect(r.apt.contains("chromium"), "\(r.apt)")
    }
}
