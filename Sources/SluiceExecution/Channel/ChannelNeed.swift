import Foundation

/// Whether a job's script can use its channel to the worker, decided from the script's text.
///
/// The channel serves Sluice's helpers — Python's `wmill` and `sluice` modules, TypeScript's
/// `windmill-client`, bash's `sluice-*` commands — and whatever reads `SLUICE_CHANNEL`. A script
/// that names none of them (the words `wmill`, `windmill` or `sluice`, in any case) cannot reach
/// one without building its name at run time, so its job gets no channel: no socket, no token, one
/// inode and a registration fewer per job (about a tenth of a forked python job's cost). A gated
/// step always gets its channel, for its approvers' links. A script that builds a helper's name at
/// run time gets the helper's clear error ("this job has no Sluice channel").
public enum ChannelNeed {
    /// True when `content` names one of the helpers.
    public static func scriptMayUseChannel(_ content: String) -> Bool {
        for word in ["wmill", "windmill", "sluice"] where content.range(of: word, options: .caseInsensitive) != nil { return true }
        return false
    }
}
