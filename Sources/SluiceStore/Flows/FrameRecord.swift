/// A flow frame's record: one JSON object per frame in `P:job:<flow>:frames` (docs/redis-keys.md),
/// written by the flow scripts and by ``FlowOperation/frame(id:set:unset:flow:)``, read back by
/// the runtime. Its field names and status values are defined here once; the Lua prelude
/// (``LuaPrelude``) carries them as `FRAME.<field>` and `FRAME_STATUS.<status>`, and a test refuses
/// a frame field written as a bare letter in Lua.
public enum FrameRecord {
    /// The record's fields, one letter each: a flow keeps a record per frame it ever ran.
    public enum Field: String, CaseIterable, Sendable {
        /// What the frame is doing (``Status``).
        case status = "s"
        /// The step job it runs (or last ran).
        case job = "j"
        /// The gate it is parked at.
        case gate = "g"
        /// The module it is at (its index in the frame's modules).
        case cursor = "c"
        /// The attempt of that module's step (retries).
        case attempt = "a"
        /// What the gate's decision gave the next step (`resume`, `resumes`, `approvers`), JSON text.
        case resume = "r"
        /// The failure handler's frame: the error that started it, JSON text.
        case error = "e"
    }

    /// What a frame is doing.
    public enum Status: String, CaseIterable, Sendable {
        /// Running a step.
        case run
        /// Waiting for a container's children (a loop, a branch, a subflow).
        case wait
        /// Parked at a gate.
        case park
    }
}
