public import SluiceCore

/// How a frame ended.
public enum FrameEnd: Sendable, Equatable {
    /// Its last module finished; `result` is that module's result (or the frame's input when empty).
    case completed(module: String?, result: JSONValue)
    /// `stop_after_if` held on `module`: the frame — and the flow, or the loop it is an iteration of — stops.
    case stopped(module: String, result: JSONValue, skipped: Bool)
    /// `stop_after_if` held with an `error_message`.
    case stoppedWithError(module: String, result: JSONValue, message: String)
    /// A module failed for good.
    case failed(module: String, message: String)
    /// A gate was rejected or timed out without `continue_on_disapprove_timeout`: the flow is canceled.
    case canceled(String)
}
