import Foundation
public import SluiceCore
import Synchronization

extension ScriptRunner {
    /// The flow runs that have a `./shared` folder on this worker (`same_worker` flows).
    public var sharedFlowRuns: [JobID] {
        (workspace.prepared.withLock { $0?.scratch.sharedFolders } ?? []).compactMap(JobID.init)
    }

    /// Removes the `./shared` folder of flow run `flow` (it ended).
    public func removeSharedFolder(of flow: JobID) {
        workspace.prepared.withLock { $0?.scratch.removeSharedFolder(of: flow.rawValue) }
    }
}
