import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceCommandLine
import SluiceCore
import SluiceExecution
import SluiceMetrics
import SluiceStore
import SluiceWorker
import UnixSignals

/// `worker`: takes jobs from Redis queues and runs them until SIGTERM or SIGINT.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Take jobs from Sluice's Redis queues and run them."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(name: .long, help: "Comma-separated queues, in priority order (env SLUICE_QUEUES, default 'default').")
    var queues: String?

    @Option(name: .long, help: "Jobs run at the same time (env SLUICE_CONCURRENCY, default 4).")
    var concurrency: Int?

    @Option(name: .long, help: "Seconds a taken job stays leased without a heartbeat (default 30).")
    var lease: String = "30"

    @Option(name: .long, help: "Default execution timeout of a job in seconds (default 600).")
    var jobTimeout: String = "600"

    @Option(
        name: .long,
        help: "Largest result a job may return, in bytes of JSON; a larger one fails the job, and an error text is cut at it (default 4194304).")
    var resultLimit: Int = 4 << 20

    @Option(name: .long, help: "Seconds to finish running jobs after SIGTERM before they are killed and handed back (default 30).")
    var shutdownGrace: String = "30"

    @Option(name: .long, help: "Name of this worker in Redis (default HOST-PID-RANDOM).")
    var workerID: String?

    @Option(
        name: .long,
        help:
            "Root of the scratch space, owner-only (default $TMPDIR/sluice-<uid>); one directory per worker process inside. A tmpfs is much faster for warm python jobs (not /dev/shm if TypeScript jobs run: Deno refuses /dev)."
    )
    var scratch: String?

    @Option(
        name: .long,
        help: "Root of the caches that outlive a worker (Python virtualenvs), owner-only (default /var/tmp/sluice-<uid>, or the --scratch root).")
    var cache: String?

    @Option(name: .long, help: "How jobs are confined: bwrap (a bubblewrap sandbox per job, default) or none (no isolation; a warning is logged).")
    var sandbox: String = "bwrap"

    @Flag(name: .long, help: "Give sandboxed jobs no network at all.")
    var sandboxNoNetwork = false

    @Option(name: .long, help: "A path inside the visible ones (/usr, /etc, /opt, /bin, /lib…) to hide from sandboxed jobs (repeatable).")
    var sandboxHide: [String] = []

    @Option(name: .long, help: "One more path to show read-only to sandboxed jobs (repeatable).")
    var sandboxShow: [String] = []

    @Option(name: .long, help: "The bubblewrap executable (default /usr/bin/bwrap).")
    var bwrap: String = "/usr/bin/bwrap"

    @Option(
        name: .long,
        help: "The python3 to run scripts with (default: /usr/bin/python3, else the first python3 on PATH that is not a version-manager shim).")
    var python: String?

    @Option(
        name: .long,
        help:
            "How python3 jobs run: fork (a child forked per job from a warm fork server, isolated by Landlock; default), process (a fresh interpreter per job) or dedicated (long-lived processes per script version, one job at a time; docs/scripts.md)."
    )
    var pythonRunner: String = "fork"

    @Option(
        name: .long,
        help:
            "How bash jobs are sandboxed: slot (a warm sandbox per slot, each job in its own namespaces and Landlock domain inside it; default) or process (a bubblewrap sandbox made per job; docs/security.md)."
    )
    var bashRunner: String = "slot"

    /// Set only when the worker starts itself as a slot sandbox's launcher (``SlotSandboxLauncher``).
    @Option(name: .customLong(String(SlotSandboxLauncher.argument.dropFirst(2))), help: .hidden)
    var slotSandbox: String?

    @Option(
        name: .long,
        help: "How TypeScript jobs run: process (a deno per job, default) or dedicated (long-lived deno processes per script version).")
    var denoRunner: String = "process"

    @Option(
        name: .long,
        help: "The deno that runs TypeScript scripts (default: .venv-tools/bin/deno that make deps installed, else the first deno on PATH).")
    var deno: String?

    @Option(
        name: .long,
        help: "The uv that builds Python jobs' virtualenvs (default: .venv-tools/bin/uv that make deps installed, else the first uv on PATH).")
    var uv: String?

    @Option(
        name: .long,
        help:
            "Deno permissions TypeScript jobs get besides their scratch directory, comma-separated: net, env, read, write, run, sys, ffi, import, all, each optionally =LIST (default net; '' grants none)."
    )
    var denoAllow: String = "net"

    @OptionGroup var registries: PackageRegistryOptions

    @Option(name: .long, help: "A variable of the worker's environment to pass to scripts (repeatable; Redis settings never pass).")
    var passEnv: [String] = []

    @Option(name: .long, help: "The resumer's public base URL, for resume links (env SLUICE_PUBLIC_URL, default http://127.0.0.1:8080).")
    var publicURL: String?

    @OptionGroup var secretKeys: SecretKeyOptions

    @Option(name: .long, help: "How deep jobs started by jobs (run_script_by_path…) may nest (default 10).")
    var maxCallDepth = CallLimits.defaultDepth

    @Option(name: .long, help: "How many jobs one chain of calls (a job and everything started under it) may start (default 10000).")
    var maxChainCalls = CallLimits.defaultTotal

    @Option(name: .long, help: "Slots lent at most at once to jobs waiting for jobs they started (default 4 x concurrency).")
    var maxLentSlots: Int?

    @Flag(
        name: .long,
        help:
            "Start even though Redis answers without a password while jobs have the network (env SLUICE_ALLOW_UNAUTHENTICATED_REDIS=1): jobs could then use Redis themselves. Warns at every start."
    )
    var allowUnauthenticatedRedis = false

    func validate() throws {
        if let concurrency, !(1...1024).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 1024") }
        guard (1...100).contains(maxCallDepth) else { throw ValidationError("--max-call-depth must be between 1 and 100") }
        guard (1...10_000_000).contains(maxChainCalls) else { throw ValidationError("--max-chain-calls must be between 1 and 10000000") }
        if let maxLentSlots, !(0...65536).contains(maxLentSlots) { throw ValidationError("--max-lent-slots must be between 0 and 65536") }
        guard (1024...(256 << 20)).contains(resultLimit) else { throw ValidationError("--result-limit must be between 1024 and 268435456 bytes") }
        for (name, value) in [("--lease", lease), ("--job-timeout", jobTimeout), ("--shutdown-grace", shutdownGrace)] {
            guard let duration = DurationParsing.seconds(value), duration > .zero else {
                throw ValidationError("\(name) must be a positive number of seconds, got '\(value)'")
            }
        }
        guard PythonRunnerMode(rawValue: pythonRunner) != nil else {
            throw ValidationError("--python-runner must be fork, process or dedicated, got '\(pythonRunner)'")
        }
        guard BashRunnerMode(rawValue: bashRunner) != nil else {
            throw ValidationError("--bash-runner must be slot or process, got '\(bashRunner)'")
        }
        guard ["process", "dedicated"].contains(denoRunner) else {
            throw ValidationError("--deno-runner must be process or dedicated, got '\(denoRunner)'")
        }
        guard SandboxSettings.Mode(rawValue: sandbox) != nil else { throw ValidationError("--sandbox must be bwrap or none, got '\(sandbox)'") }
        for path in sandboxHide + sandboxShow where !path.hasPrefix("/") {
            throw ValidationError("sandbox paths must be absolute, got '\(path)'")
        }
        do {
            _ = try DenoPermissions(parsing: denoAllow)
        } catch {
            throw ValidationError("--deno-allow: \(error)")
        }
        _ = try metrics.address()
        for queue in queueList where !QueueName.isValid(queue) {
            throw ValidationError("invalid queue name '\(queue)' (letters, digits, '_', '-', '.')")
        }
    }

    var queueList: [String] {
        (queues ?? Environment.value("SLUICE_QUEUES") ?? "default").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    func run() async throws {
        if let slotSandbox { SlotSandboxLauncher.serve(configuration: slotSandbox) }
        let logger = try logging.bootstrap(label: "sluice.worker")
        // No process of the same uid may read this process's environment (a Redis password) or memory.
        try ProcessHardening.makeNonDumpable()
        let redis = try connection.redisConfiguration()
        let sandboxSettings = SandboxSettings(
            mode: SandboxSettings.Mode(rawValue: sandbox) ?? .bubblewrap, network: !sandboxNoNetwork, bubblewrapPath: bwrap,
            hiddenPaths: SandboxSettings.defaultHiddenPaths + sandboxHide, readOnlyPaths: sandboxShow)
        let keyring = try SecretKeyCheck.keyring(secretKeys, sandbox: sandboxSettings, logger: logger)
        let identifier = workerID ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"
        var settings = WorkerSettings(
            workerID: identifier,
            queues: queueList,
            concurrency: concurrency ?? Environment.value("SLUICE_CONCURRENCY").flatMap { Int($0) } ?? 4,
            lease: DurationParsing.seconds(lease) ?? .seconds(30),
            defaultJobTimeout: DurationParsing.seconds(jobTimeout) ?? .seconds(600),
            redis: redis,
            publicURL: publicURL ?? Environment.value("SLUICE_PUBLIC_URL") ?? "http://127.0.0.1:8080",
            keyring: keyring
        )
        settings.maxCallDepth = maxCallDepth
        settings.maxChainCalls = maxChainCalls
        settings.maxLentSlots = maxLentSlots
        let runner = ScriptRunner(
            settings: ScriptRunnerSettings(
                scratchRoot: scratch,
                cacheRoot: cache,
                pythonPath: python,
                denoPath: deno,
                uvPath: uv,
                denoPermissions: (try? DenoPermissions(parsing: denoAllow)) ?? DenoPermissions(),
                npmRegistry: registries.npm,
                jsrRegistry: registries.jsr,
                pythonRunner: PythonRunnerMode(rawValue: pythonRunner) ?? .fork,
                denoDedicated: denoRunner == "dedicated",
                passedEnvironment: ScriptRunnerSettings.defaultPassedEnvironment + passEnv,
                resultLimit: resultLimit,
                sandbox: sandboxSettings,
                bashRunner: BashRunnerMode(rawValue: bashRunner) ?? .slot
            )
        )
        let prefixes = try connection.keySpaces.map { ($0, try connection.redisConfiguration(for: $0)) }
        try RedisExposureCheck.check(
            prefixes.map(\.1), sandbox: sandboxSettings,
            allowed: allowUnauthenticatedRedis || Environment.value("SLUICE_ALLOW_UNAUTHENTICATED_REDIS") == "1", logger: logger)
        // One service per prefix, each with its own slots, connections and links (which name their prefix).
        let services = try PrefixServices.make(prefixes: prefixes, metricsAt: try metrics.address(), logger: logger) { keys, redis in
            var served = settings
            served.redis = redis
            served.publicURL = PrefixLinks.base(publicURL: settings.publicURL, keys: keys)
            return WorkerService(settings: served, store: try connection.jobStore(for: keys), runner: runner, logger: logger)
        }
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = DurationParsing.seconds(shutdownGrace) ?? .seconds(30)
        try await ServiceGroup(configuration: configuration).run()
    }
}
