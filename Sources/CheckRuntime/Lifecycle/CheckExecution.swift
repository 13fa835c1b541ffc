import CheckLanguage
import Foundation
import Synchronization

/// One check being run: its upstreams, its server process, its clients, and what happened.
package final class CheckExecution: Sendable {
    let check: Check
    let runner: CheckRunner
    let transcript: Transcript
    let upstreams: [String: UpstreamPeer]
    let process: ServerProcess?
    /// Where clients connect by default (from the ready line); nil when the server is not ready.
    let serverAddress: String?
    /// Why `serverAddress` is nil.
    let notReady: String
    let tmp: URL
    /// `{metrics}`: the port netlab reserved for the program's metrics listener, when the start
    /// line names it.
    let metricsAddress: String?
    /// What `scrape NAME` read, by NAME, and how (to scrape again for `within`).
    let scrapes = Mutex<[String: (step: Scrape, vars: [String: Int], exposition: Exposition)]>([:])
    /// Whether the socket on `{metrics}` was found to be the program's: checked before the
    /// check's first scrape, not again (reading the process table takes a while).
    let metricsOwned = Mutex(false)

    let clients = Mutex<[String: Client]>([:])
    /// Where each client connected from, once its TCP connection was up: `{NAME.addr}` in
    /// patterns. Kept apart from `clients`, which has no entry for a `tls-connect … fails`
    /// whose handshake failed, though the server saw (and may have logged) its connection.
    let clientAddresses = Mutex<[String: String]>([:])
    let data = Mutex<[String: [UInt8]]>([:])
    /// The names `send … hello sni random as NAME` made: `{NAME.name}` in patterns.
    let serverNames = Mutex<[String: String]>([:])
    /// Bytes the check's clients have written so far: `cpu-usage` says whether any client sent
    /// something during its window.
    let clientBytesSent = Mutex<Int>(0)
    let captures = Mutex<[String: Measured]>([:])
    let usedLogLines = Mutex<Set<Int>>([])
    /// See EventMark.swift: log lines read before it do not satisfy `expect server log`.
    let eventMark = Mutex<ContinuousClock.Instant?>(nil)
    let currentStep = Mutex<Step?>(nil)
    let lifecycle: ProgramLifecycle

    var script: CheckScript { runner.script }
    var stepTimeout: Duration { script.stepTimeout }

    init(
        check: Check, runner: CheckRunner, transcript: Transcript, upstreams: [String: UpstreamPeer],
        process: ServerProcess?, serverAddress: String?, notReady: String, tmp: URL,
        metricsAddress: String? = nil, lifecycle: ProgramLifecycle = ProgramLifecycle()
    ) {
        self.metricsAddress = metricsAddress
        self.check = check
        self.runner = runner
        self.transcript = transcript
        self.upstreams = upstreams
        self.process = process
        self.serverAddress = serverAddress
        self.notReady = notReady
        self.tmp = tmp
        self.lifecycle = lifecycle
    }
}
