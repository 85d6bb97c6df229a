import SluiceCore
import SluiceExecution
import SluiceRedis
import SluiceRuntime
import SluiceSecrets
import SluiceStore

/// What a job's channel needs to start, follow and cancel other jobs and to write variables and
/// resources: the job as it was taken (its delivery fences every call), the stores, and the
/// worker's slot lender and limits.
struct CallContext: Sendable {
    var job: JobRecord
    var jobs: JobStore
    var engine: FlowEngine
    var keyring: SecretKeyring
    /// Where waits get connections of their own (a wait blocks one).
    var redis: RedisConfiguration
    var lender: SlotLender?
    var maxDepth: Int
    var maxTotal: Int

    var link: CallLink { CallLink(parent: job.id, delivery: job.deliveries, maxDepth: maxDepth, maxTotal: maxTotal) }
}
