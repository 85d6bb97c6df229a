// swift-tools-version:6.2
import PackageDescription

/// Stricter settings shared by every target, as Hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Sluice builds and runs on Linux only: the job sandbox (bubblewrap, Landlock, PID namespaces)
// and the C shims are Linux's, and its sources import Glibc unconditionally. So no Apple
// platform is listed.
let package = Package(
    name: "sluice",
    products: [
        .executable(name: "worker", targets: ["worker"]),
        .executable(name: "scheduler", targets: ["scheduler"]),
        .executable(name: "resumer", targets: ["resumer"]),
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-bench", targets: ["sluice-bench"]),
        .executable(name: "sluice-chaos", targets: ["sluice-chaos"]),
        .library(name: "SluiceCore", targets: ["SluiceCore"]),
        .library(name: "SluiceExpressions", targets: ["SluiceExpressions"]),
        .library(name: "SluiceFlows", targets: ["SluiceFlows"]),
        .library(name: "SluiceCron", targets: ["SluiceCron"]),
        .library(name: "SluiceRedis", targets: ["SluiceRedis"]),
        .library(name: "SluiceSecrets", targets: ["SluiceSecrets"]),
        .library(name: "SluiceStore", targets: ["SluiceStore"]),
        .library(name: "SluiceRuntime", targets: ["SluiceRuntime"]),
        .library(name: "SluiceExecution", targets: ["SluiceExecution"]),
        .library(name: "SluiceWorker", targets: ["SluiceWorker"]),
        .library(name: "SluiceScheduler", targets: ["SluiceScheduler"]),
        .library(name: "SluiceApprovals", targets: ["SluiceApprovals"]),
        .library(name: "SluiceHTTP", targets: ["SluiceHTTP"]),
        .library(name: "SluiceResumer", targets: ["SluiceResumer"]),
        .library(name: "SluiceConsole", targets: ["SluiceConsole"]),
        .library(name: "SluiceTriggers", targets: ["SluiceTriggers"]),
        .library(name: "SluiceMetrics", targets: ["SluiceMetrics"]),
        .library(name: "SluiceScripts", targets: ["SluiceScripts"]),
        .library(name: "SluiceTesting", targets: ["SluiceTesting"]),
        .executable(name: "sluice-fuzz", targets: ["sluice-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // The only C in the project: hiredis, seen through one shim header.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // Linux calls Swift cannot import (variadic prctl), behind fixed-argument C functions; only
        // SluiceWorker's ProcessHardening imports it.
        .target(name: "CSluiceLinux"),
        // The hiredis wrapper: the only Swift code that imports CHiredis.
        .target(
            name: "SluiceRedis",
            dependencies: [
                "CHiredis",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure domain values: JSON, job ids and states, scripts. No Redis, no I/O.
        .target(
            name: "SluiceCore",
            dependencies: [
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The safe JavaScript-subset interpreter used by input transforms.
        .target(
            name: "SluiceExpressions",
            dependencies: ["SluiceCore", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: swiftSettings
        ),
        // Flows: the OpenFlow subset, input schemas, and the pure decisions of what happens next.
        .target(
            name: "SluiceFlows",
            dependencies: [
                "SluiceCore",
                "SluiceExpressions",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Schedules: cron expressions, next fire times in a time zone, the pure catch-up decision. Foundation only.
        .target(
            name: "SluiceCron",
            swiftSettings: swiftSettings
        ),
        // Secrets sealed at rest (HPKE to an X25519 key, bound to the variable's path), the private
        // key's file and the keyring that opens them. No Redis: the store keeps what this seals.
        .target(
            name: "SluiceSecrets",
            dependencies: [
                "SluiceCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Redis key layout, the Lua scripts (Lua/, compiled in with embedInCode and listed in LuaSources.swift)
        // and typed operations on them.
        .target(
            name: "SluiceStore",
            dependencies: [
                "SluiceCore",
                "SluiceRedis",
                "SluiceSecrets",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("Lua")],
            swiftSettings: swiftSettings
        ),
        // The flow runtime: pushing and starting flows, preparing and reporting steps, flow events —
        // the pure decisions of SluiceFlows applied through the store.
        .target(
            name: "SluiceRuntime",
            dependencies: ["SluiceSecrets", "SluiceCore", "SluiceFlows", "SluiceRedis", "SluiceStore"],
            swiftSettings: swiftSettings
        ),
        // What scripts need besides their text: finding python3, deno and uv; Python requirements
        // (declared or inferred) and their locks.
        .target(
            name: "SluiceScripts",
            dependencies: [
                "SluiceCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // Running a script: the job sandbox (bubblewrap, Landlock, the slot launcher), the runners and
        // warm interpreters, the job's channel server, the JavaScript expression engine. Never Redis:
        // what a job asks through its channel is answered by a JobChannelHandler the caller gives.
        .target(
            name: "SluiceExecution",
            dependencies: [
                "CSluiceLinux",
                "SluiceCore",
                "SluiceFlows",
                "SluiceScripts",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            // The Python, TypeScript and JavaScript the runners write out for jobs (Programs/), compiled in.
            resources: [.embedInCode("Programs")],
            swiftSettings: swiftSettings
        ),
        // Taking jobs, reporting them, advancing flows, answering jobs' channels from Redis.
        .target(
            name: "SluiceWorker",
            dependencies: [
                "SluiceSecrets",
                "SluiceExecution",
                "SluiceCore",
                "SluiceFlows",
                "SluiceRuntime",
                "SluiceScripts",
                "SluiceStore",
                "SluiceRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // Firing what is due: delayed jobs, expired leases, gate deadlines, schedules' ticks.
        .target(
            name: "SluiceScheduler",
            dependencies: [
                "SluiceCore",
                "SluiceRuntime",
                "SluiceCron",
                "SluiceStore",
                "SluiceRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Approvals and rejections as one operation — read the gate, check the credential, decide,
        // record — shared by the resumer's links and `sluice resume`.
        .target(
            name: "SluiceApprovals",
            dependencies: ["SluiceCore", "SluiceRedis", "SluiceStore"],
            swiftSettings: swiftSettings
        ),
        // Prometheus metrics on --metrics-port for the worker and the scheduler, and the gauges every
        // process reads from Redis at a scrape.
        .target(
            name: "SluiceMetrics",
            dependencies: [
                "SluiceRedis", "SluiceStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Triggers: what outside systems send (webhooks, HTTP routes) turned into runs — tokens and
        // their scopes, Windmill's body-to-arguments rules, signatures, route patterns, one run per
        // delivery — independent of the HTTP server that receives them.
        .target(
            name: "SluiceTriggers",
            dependencies: [
                "SluiceSecrets",
                "SluiceCore", "SluiceFlows", "SluiceRedis", "SluiceRuntime", "SluiceStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP server behind the secret links and the triggers.
        // What the HTTP servers (the resumer, the console) share: the security headers on every answer.
        .target(
            name: "SluiceHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceResumer",
            dependencies: [
                "SluiceSecrets",
                "SluiceApprovals", "SluiceMetrics", "SluiceTriggers", "SluiceHTTP",
                "SluiceCore",
                "SluiceFlows",
                "SluiceStore",
                "SluiceRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The HTML templates, stylesheet and script (Templates/), compiled in.
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings
        ),
        // The operator's web console (`sluice console`): overview, jobs, gates, live updates over
        // server-sent events; pages rendered on the server (swift-mustache), Redis calls on a pool.
        .target(
            name: "SluiceConsole",
            dependencies: [
                "SluiceSecrets",
                "SluiceApprovals", "SluiceCore", "SluiceFlows", "SluiceRedis", "SluiceRuntime", "SluiceCron", "SluiceStore", "SluiceHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The HTML templates, stylesheet and script (Templates/), compiled in.
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings
        ),
        // What the executables share: connection options, environment fallbacks, logging, output
        // formats — and the CLI's work on folders: workspaces as `wmill sync` writes them (Workspace/).
        .target(
            name: "SluiceCommandLine",
            dependencies: [
                "SluiceSecrets",
                "SluiceCore", "SluiceFlows", "SluiceRuntime", "SluiceCron", "SluiceStore", "SluiceRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test support for Sluice users and for our own tests: a private redis-server.
        .target(
            name: "SluiceTesting",
            dependencies: ["SluiceRedis", "SluiceStore"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "worker",
            dependencies: [
                "SluiceSecrets",
                "SluiceCommandLine", "SluiceMetrics", "SluiceWorker", "SluiceExecution", "SluiceStore", "SluiceCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "scheduler",
            dependencies: [
                "SluiceCommandLine", "SluiceMetrics", "SluiceScheduler", "SluiceStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "resumer",
            dependencies: [
                "SluiceCommandLine", "SluiceResumer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceSecrets",
                "SluiceApprovals", "SluiceCommandLine", "SluiceConsole", "SluiceCore", "SluiceFlows", "SluiceRuntime", "SluiceCron",
                "SluiceScripts",
                "SluiceStore", "SluiceRedis", "SluiceTriggers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "SluiceCore", "SluiceFlows", "SluiceRuntime", "SluiceCron", "SluiceStore", "SluiceRedis", "SluiceTesting", "SluiceWorker",
                "SluiceExecution",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "bench/sluice-bench",
            swiftSettings: swiftSettings
        ),
        // Fuzzing: what each fuzz target checks (fuzz/SluiceFuzzing), its libFuzzer entry point and
        // corpus replayer (fuzz/sluice-fuzz; `make fuzz` builds it with -sanitize=fuzzer,address).
        .target(
            name: "SluiceFuzzing",
            dependencies: ["SluiceApprovals", "SluiceCore", "SluiceExpressions", "SluiceFlows"],
            path: "fuzz/SluiceFuzzing",
            swiftSettings: swiftSettings
        ),
        .target(name: "CLibFuzzer", path: "fuzz/CLibFuzzer"),
        .executableTarget(
            name: "sluice-fuzz",
            dependencies: ["CLibFuzzer", "SluiceFuzzing"],
            path: "fuzz/sluice-fuzz",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceFuzzingTests",
            dependencies: ["SluiceFuzzing"],
            swiftSettings: swiftSettings
        ),
        // The fault-injection suite (`make chaos`): real processes against a redis-server per scenario.
        .executableTarget(
            name: "sluice-chaos",
            dependencies: [
                "SluiceCore", "SluiceFlows", "SluiceRuntime", "SluiceStore", "SluiceRedis", "SluiceTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/sluice-chaos",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceCoreTests",
            dependencies: ["SluiceCore", "SluiceScripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceCommandLineTests",
            dependencies: ["SluiceCommandLine", "SluiceCore", "SluiceFlows", "SluiceStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceTriggersTests",
            dependencies: ["SluiceTriggers", "SluiceCore", "SluiceStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceExecutionTests",
            dependencies: ["SluiceExecution", "SluiceCore", "SluiceTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceSecretsTests",
            dependencies: ["SluiceSecrets"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceStoreTests",
            dependencies: ["SluiceStore", "SluiceCore", "SluiceCron", "SluiceRedis", "SluiceSecrets", "SluiceTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceSchedulerTests",
            dependencies: ["SluiceScheduler", "SluiceCron"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceFlowsTests",
            dependencies: ["SluiceFlows", "SluiceCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceCronTests",
            dependencies: ["SluiceCron"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceExpressionsTests",
            dependencies: ["SluiceExpressions", "SluiceCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceRedisTests",
            dependencies: ["SluiceRedis", "SluiceTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceIntegrationTests",
            dependencies: [
                "SluiceSecrets",
                "SluiceCore", "SluiceFlows", "SluiceRuntime", "SluiceCron", "SluiceScripts", "SluiceStore", "SluiceRedis", "SluiceWorker",
                "SluiceExecution",
                "SluiceScheduler", "SluiceTriggers",
                "SluiceResumer", "SluiceTesting", "SluiceConsole", "SluiceApprovals",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
