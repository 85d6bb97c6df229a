import SluiceCore
import SluiceStore

/// A job a slot took, with the scope `advance_flow` read ahead for it when it is a step of the
/// flow that call moved on (``FlowStore/AdvanceResult/prefetched``): beginning it then reads
/// nothing more.
struct TakenJob: Sendable {
    var job: JobRecord
    var prefetched: FlowSnapshot?

    init(job: JobRecord, prefetched: FlowSnapshot? = nil) {
        self.job = job
        self.prefetched = prefetched
    }
}
