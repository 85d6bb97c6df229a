import Foundation
import Glibc

extension ScratchSpace {
    /// Where `same_worker` flows' `./shared` folders live on this worker: one owner-only folder per
    /// flow run, named by its id.
    var shared: String { directory + "/shared" }

    /// The `./shared` folder of flow run `flow` (made on first use), linked as `shared` from the run
    /// directory `directory`. Returns the folder's path, which a sandbox must show writable.
    func sharedFolder(for flow: String, linkedFrom directory: String) throws(ScratchError) -> String {
        guard !flow.isEmpty, flow.allSatisfy({ $0.isLetter || $0.isNumber }) else { throw ScratchError("invalid flow id '\(flow)'") }
        for path in [shared, shared + "/" + flow] where mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw ScratchError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let folder = shared + "/" + flow
        guard symlink(folder, directory + "/shared") == 0 else {
            throw ScratchError("cannot link \(directory)/shared: \(String(cString: strerror(errno)))")
        }
        return folder
    }

    /// The flow runs that have a `./shared` folder here.
    var sharedFolders: [String] { (try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? [] }

    /// Removes flow run `flow`'s `./shared` folder (the run ended).
    func removeSharedFolder(of flow: String) {
        guard !flow.isEmpty, flow.allSatisfy({ $0.isLetter || $0.isNumber }) else { return }
        try? FileManager.default.removeItem(atPath: shared + "/" + flow)
    }
}
