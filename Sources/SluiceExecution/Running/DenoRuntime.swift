/// The TypeScript a Deno job runs besides its script, written once per worker process into
/// `<worker scratch>/deno/` and shown read-only to jobs:
///
/// - `main.ts`, the runner: reads the run's `context.json` (arguments, `main`'s parameter names,
///   the job's channel), imports the script, calls `main` with the arguments by parameter
///   name, and writes the JSON of the returned value to `result.json`; an exception is written to
///   `error.json` with its name, message and stack (and printed to stderr).
/// - `windmill-client.ts`: Sluice's implementation of the part of Windmill's TypeScript client
///   Sluice supports — today's `windmill-client` and the legacy Deno client
///   (`https://deno.land/x/windmill@vX/mod.ts`) — through the job's channel. Each script's
///   import map (``DenoSetup/importMap(for:lock:)``) resolves every spelling of the client the
///   script uses to it, so an unmodified Windmill approval script runs without the npm registry.
/// - `bun.ts`: the `Bun` global for scripts that use it (``BunCompatibility``).
/// - `context.ts`: the run's context, shared by the runner, the client and `bun.ts`.
/// - `dedicated.ts`: the dedicated runner — a long-lived process for one script version that
///   imported it once and runs its jobs one at a time: `run TOKEN DIR` lines (tab-separated) on stdin, `exit TOKEN
///   CODE` lines on stdout; each job's console output goes to `DIR/.sluice-output`.
enum DenoRuntime {
    static let runnerFile = "main.ts"
    static let dedicatedFile = "dedicated.ts"
    static let clientFile = "windmill-client.ts"

    /// The files by name.
    static let files: [String: String] = [
        runnerFile: runner, dedicatedFile: dedicated, "context.ts": context, clientFile: client, "bun.ts": BunCompatibility.module,
    ]

    /// What the runner imports in a warm-up run, so the worker's Deno cache holds the runtime's
    /// compiled code before jobs (which see the cache read-only) start (`Programs/deno/warm_up.ts`).
    static let warmUpScript = String(decoding: PackageResources.warm_up_ts, as: UTF8.self)

    /// `Programs/deno/context.ts`.
    static let context = String(decoding: PackageResources.context_ts, as: UTF8.self)

    /// `Programs/deno/main.ts`.
    static let runner = String(decoding: PackageResources.main_ts, as: UTF8.self)

    /// `Programs/deno/dedicated.ts`.
    static let dedicated = String(decoding: PackageResources.dedicated_ts, as: UTF8.self)

    /// `Programs/deno/windmill-client.ts`.
    static let client = String(decoding: PackageResources.windmill_client_ts, as: UTF8.self)
}
