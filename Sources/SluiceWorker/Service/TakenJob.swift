import SluiceCore
import SluiceStore

/// A job a slot took, with what the take read for its scope when it is a flow step created with
/// its reads (``TakenScope``): beginning it then reads nothing more.
struct TakenJob: Sendable {
    var job: JobRecord
    var scope: TakenScope?

    init(job: JobRecord) {
        (self.job, scope) = TakenScope.separate(job)
    }
}
