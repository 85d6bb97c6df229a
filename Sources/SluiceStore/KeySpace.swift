import Foundation
public import SluiceCore

/// Every Redis key Sluice uses, under one prefix wrapped in a hash tag (default `{sluice}`), so
/// all keys hash to one slot and every Lua script is valid on Redis Cluster.
///
/// The layout is documented key by key in docs/redis-keys.md. The key segments below are the one
/// definition of the layout: the Swift functions build keys from them, and the Lua prelude
/// (``LuaPrelude``) is generated from them, so Lua builds the keys it derives from data (a job's
/// queue, a popped id) from the same text, under the namespace passed as `KEYS[1]`.
public struct KeySpace: Sendable, Equatable {
    /// The prefix with its hash tag, e.g. `{sluice}`.
    public let prefix: String

    /// Keys for `prefix`; braces are added when the prefix has no hash tag of its own.
    public init(prefix: String = "sluice") {
        if prefix.contains("{"), prefix.contains("}") {
            self.prefix = prefix
        } else {
            self.prefix = "{\(prefix)}"
        }
    }

    /// The text of each key segment, by the name Lua knows it as (`KEY.<name>`).
    public enum Segment {
        public static let job = "job:"
        public static let queue = "queue:"
        public static let signalSuffix = ":signal"
        public static let queues = "queues"
        public static let delayed = "delayed"
        public static let leases = "leases"
        public static let leasesWatched = "leases:watched"
        public static let workers = "workers"
        public static let worker = "worker:"
        public static let finished = "finished:"
        /// Every finished run people start (not a flow's steps or events), by creation time, for
        /// as long as finished jobs are retained: the web console's jobs list pages through it.
        public static let runsFinished = "runs:finished"
        /// The finished runs that failed or were canceled (`runs:state:failure`), by creation time.
        public static let runsByState = "runs:state:"
        /// The finished runs of one exact script or flow path, by creation time.
        public static let runsByPath = "runs:path:"
        /// The finished runs one person (or trigger) started (`created_by`), by creation time.
        public static let runsByCreator = "runs:by:"
        public static let stats = "stats:"
        public static let throughput = "throughput:"
        public static let schedulerWake = "scheduler:wake"
        public static let acknowledgements = "acks"
        public static let content = "content:"
        public static let script = "script:"
        public static let versionsSuffix = ":versions"
        public static let lockSuffix = ":lock"
        public static let scripts = "scripts"
        public static let flow = "flow:"
        public static let flows = "flows"
        public static let activeFlows = "flows:active"
        public static let gate = "gate:"
        public static let gateDeadlines = "gates:deadlines"
        public static let approvalsSuffix = ":approvals"
        public static let decidersSuffix = ":deciders"
        public static let rejectionsSuffix = ":rejections"
        public static let group = "group:"
        public static let groups = "groups"
        public static let logsSuffix = ":logs"
        public static let doneSuffix = ":done"
        /// The jobs a job started through its channel (`run_script_by_path`…).
        public static let callsSuffix = ":calls"
        public static let resultsSuffix = ":results"
        public static let stepsSuffix = ":steps"
        public static let framesSuffix = ":frames"
        public static let gatesSuffix = ":gates"
        public static let itemsInfix = ":items:"
        public static let collectInfix = ":collect:"
        public static let kidsInfix = ":kids:"
        public static let templatesInfix = ":tpl:"
        public static let cache = "cache:"
        public static let schedule = "schedule:"
        public static let runsSuffix = ":runs"
        public static let schedules = "schedules"
        public static let schedulesDue = "schedules:due"
        public static let schedulesSettle = "schedules:settle"
        public static let variable = "variable:"
        public static let variables = "variables"
        public static let resource = "resource:"
        public static let resources = "resources"
        public static let state = "state:"
        public static let secrets = "secrets"
        /// The queue name prefix of a worker's private queue (`@<worker id>`): the steps of a
        /// `same_worker` flow pinned to that worker wait there.
        public static let privateQueue = "@"
        /// A trigger delivery's idempotency key (hashed) → the run it started, for its window.
        public static let delivery = "delivery:"
        public static let token = "token:"
        public static let tokens = "tokens"
        public static let routes = "routes"
        public static let rate = "rate:"

        /// The segments Lua builds keys from data with (a job's queue, a popped id), by their Lua
        /// name; the shared keys (``SharedKey``) come through `KEYS` instead.
        static let lua: [(String, String)] = [
            ("job", job), ("queue", queue), ("signal_suffix", signalSuffix), ("worker", worker), ("finished", finished), ("stats", stats),
            ("throughput", throughput),
            ("gate", gate), ("approvals_suffix", approvalsSuffix),
            ("deciders_suffix", decidersSuffix), ("rejections_suffix", rejectionsSuffix), ("group", group), ("logs_suffix", logsSuffix),
            ("done_suffix", doneSuffix), ("calls_suffix", callsSuffix), ("results_suffix", resultsSuffix), ("steps_suffix", stepsSuffix),
            ("frames_suffix", framesSuffix),
            ("gates_suffix", gatesSuffix), ("items_infix", itemsInfix), ("collect_infix", collectInfix), ("kids_infix", kidsInfix),
            ("templates_infix", templatesInfix), ("schedule", schedule), ("runs_suffix", runsSuffix),
            ("variable", variable), ("private_queue", privateQueue), ("delivery", delivery), ("token", token),
            ("runs_by_state", runsByState), ("runs_by_path", runsByPath), ("runs_by_creator", runsByCreator),
        ]
    }

    /// `{sluice}:` — the start of every key.
    public var namespace: String { prefix + ":" }

    /// The keys of a prefix that belong to no one job, gate or schedule — the queue index, the
    /// delayed, leases and gate-deadline sets, the scheduler's wake list and the settle set — which
    /// the shared Lua helpers touch on behalf of many scripts. A script receives the ones its
    /// helpers use through `KEYS`, after its own keys, and reads them as `K.<name>` (``StoreScript``);
    /// no script builds one from the namespace.
    public enum SharedKey: String, CaseIterable, Sendable {
        case queues
        case delayed
        case leases
        case schedulerWake = "scheduler_wake"
        case gateDeadlines = "gate_deadlines"
        case schedulesSettle = "schedules_settle"
        case activeFlows = "active_flows"
        case workers
        case runsFinished = "runs_finished"

        /// The key under `space`.
        public func key(in space: KeySpace) -> String {
            switch self {
            case .queues: space.queues
            case .delayed: space.delayed
            case .leases: space.leases
            case .schedulerWake: space.schedulerWake
            case .gateDeadlines: space.gateDeadlines
            case .schedulesSettle: space.schedulesSettle
            case .activeFlows: space.activeFlows
            case .workers: space.workers
            case .runsFinished: space.runsFinished
            }
        }
    }

    /// The prefix without its braces (`{payments}` → `payments`): how links and labels name it.
    public var name: String { prefix.trimmingCharacters(in: CharacterSet(charactersIn: "{}")) }

    public func job(_ id: JobID) -> String { namespace + Segment.job + id.rawValue }
    /// A trigger delivery's remembered run, by its hashed idempotency key.
    public func delivery(_ hashedKey: String) -> String { namespace + Segment.delivery + hashedKey }
    /// A trigger token's record, by the token's id.
    public func token(_ id: String) -> String { namespace + Segment.token + id }
    /// Token names → ids.
    public var tokens: String { namespace + Segment.tokens }
    /// HTTP routes: `METHOD /path` → the route's definition (JSON).
    public var routes: String { namespace + Segment.routes }
    /// A rate limit's token bucket (`token:<id>` or `route:<METHOD /path>`).
    public func rate(_ subject: String) -> String { namespace + Segment.rate + subject }
    public func jobLogs(_ id: JobID) -> String { job(id) + Segment.logsSuffix }
    public func jobDone(_ id: JobID) -> String { job(id) + Segment.doneSuffix }
    /// The jobs `id` started through its channel.
    public func jobCalls(_ id: JobID) -> String { job(id) + Segment.callsSuffix }
    public func queue(_ name: String) -> String { namespace + Segment.queue + name }
    public func queueSignal(_ name: String) -> String { queue(name) + Segment.signalSuffix }
    public var queues: String { namespace + Segment.queues }
    public var delayed: String { namespace + Segment.delayed }
    public var leases: String { namespace + Segment.leases }
    public var leasesWatched: String { namespace + Segment.leasesWatched }
    /// The flow runs not ended, by when the flow audit last looked at each (or when it started).
    public var activeFlows: String { namespace + Segment.activeFlows }
    public var workers: String { namespace + Segment.workers }
    public var runsFinished: String { namespace + Segment.runsFinished }
    /// The finished runs in final state `state`.
    public func runsFinished(state: JobState) -> String { namespace + Segment.runsByState + state.rawValue }
    /// The finished runs of exactly `path`.
    public func runsFinished(path: String) -> String { namespace + Segment.runsByPath + path }
    /// The finished runs `createdBy` started.
    public func runsFinished(createdBy: String) -> String { namespace + Segment.runsByCreator + createdBy }
    /// The private queue of `worker` (its name, as queues are named): `same_worker` flows' steps.
    public static func privateQueue(of worker: String) -> String { Segment.privateQueue + worker }
    public func worker(_ id: String) -> String { namespace + Segment.worker + id }
    public func finished(_ queue: String) -> String { namespace + Segment.finished + queue }
    public func stats(_ queue: String) -> String { namespace + Segment.stats + queue }
    public func throughput(_ queue: String, minute: Int64) -> String { namespace + Segment.throughput + queue + ":" + String(minute) }
    public var schedulerWake: String { namespace + Segment.schedulerWake }
    /// The counter every durable acknowledgement increments before its `WAIT` (``RedisConnection/awaitReplicas(in:)``).
    public var acknowledgements: String { namespace + Segment.acknowledgements }
    public func content(_ hash: String) -> String { namespace + Segment.content + hash }
    /// The Python lock resolved for a script's content (uv's hash-pinned requirements), if it has one.
    public func contentLock(_ hash: String) -> String { content(hash) + Segment.lockSuffix }
    public func script(_ path: String) -> String { namespace + Segment.script + path }
    public func scriptVersions(_ path: String) -> String { script(path) + Segment.versionsSuffix }
    public var scripts: String { namespace + Segment.scripts }
    public func flow(_ path: String) -> String { namespace + Segment.flow + path }
    public func flowVersions(_ path: String) -> String { flow(path) + Segment.versionsSuffix }
    public var flows: String { namespace + Segment.flows }
    public func flowResults(_ id: JobID) -> String { job(id) + Segment.resultsSuffix }
    public func flowSteps(_ id: JobID) -> String { job(id) + Segment.stepsSuffix }
    public func flowFrames(_ id: JobID) -> String { job(id) + Segment.framesSuffix }
    public func flowGates(_ id: JobID) -> String { job(id) + Segment.gatesSuffix }
    public func containerItems(_ id: JobID, container: String) -> String { job(id) + Segment.itemsInfix + container }
    public func containerCollected(_ id: JobID, container: String) -> String { job(id) + Segment.collectInfix + container }
    public func containerChildren(_ id: JobID, container: String) -> String { job(id) + Segment.kidsInfix + container }
    public func containerTemplates(_ id: JobID, container: String) -> String { job(id) + Segment.templatesInfix + container }
    /// A module's cached result (`cache_ttl`), by the hash of what it ran with.
    public func cachedResult(_ hash: String) -> String { namespace + Segment.cache + hash }
    public func gate(_ id: JobID) -> String { namespace + Segment.gate + id.rawValue }
    public var gateDeadlines: String { namespace + Segment.gateDeadlines }
    public func gateApprovals(_ id: JobID) -> String { gate(id) + Segment.approvalsSuffix }
    public func gateDeciders(_ id: JobID) -> String { gate(id) + Segment.decidersSuffix }
    public func gateRejections(_ id: JobID) -> String { gate(id) + Segment.rejectionsSuffix }
    public func group(_ name: String) -> String { namespace + Segment.group + name }
    public var groups: String { namespace + Segment.groups }
    public func schedule(_ name: String) -> String { namespace + Segment.schedule + name }
    public func scheduleRuns(_ name: String) -> String { schedule(name) + Segment.runsSuffix }
    public var schedules: String { namespace + Segment.schedules }
    public var schedulesDue: String { namespace + Segment.schedulesDue }
    public var schedulesSettle: String { namespace + Segment.schedulesSettle }
    /// A variable (a secret or not) and its settings.
    public func variable(_ path: String) -> String { namespace + Segment.variable + path }
    /// Every variable path, scored by when it last changed.
    public var variables: String { namespace + Segment.variables }
    public func resource(_ path: String) -> String { namespace + Segment.resource + path }
    public var resources: String { namespace + Segment.resources }
    /// A script's (or a flow step's) state kept between runs (`get_state`/`set_state`).
    public func state(_ path: String) -> String { namespace + Segment.state + path }
    /// The secrets key in use: its id and public key.
    public var secrets: String { namespace + Segment.secrets }
}
