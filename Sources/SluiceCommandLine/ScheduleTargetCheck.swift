public import SluiceRedis
import SluiceRuntime
public import SluiceStore

/// What a schedule needs before it is stored: its path holds a script or a flow (a flow's schema
/// accepts the arguments, and a flow takes no retry: its modules retry), and so does its
/// on-failure path. Used by `sluice schedule set` and `sluice sync push`.
public enum ScheduleTargetCheck {
    /// Throws a ``CommandFailure`` saying what is missing or wrong; Redis errors pass through.
    public static func check(_ definition: ScheduleDefinition, keys: KeySpace, on connection: RedisConnection) throws {
        let flows = FlowStore(keys: keys)
        let scripts = ScriptStore(keys: keys)
        func holds(_ path: String) throws -> (flow: Bool, script: Bool) {
            (try flows.flow(at: path, on: connection) != nil, try scripts.script(at: path, on: connection) != nil)
        }
        let target = try holds(definition.path)
        guard target.flow || target.script else {
            throw CommandFailure(
                "no script or flow at '\(definition.path)' (push one first: sluice script push \(definition.path) FILE, or sluice flow push)")
        }
        if target.flow {
            guard definition.retry == nil else {
                throw CommandFailure("--retry is for scripts; '\(definition.path)' is a flow: give its modules a retry instead")
            }
            do {
                _ = try FlowEngine(flows: flows).checkInput(definition.arguments, forFlowAt: definition.path, on: connection)
            } catch let error as FlowStartError {
                throw CommandFailure("the arguments for the flow '\(definition.path)': \(error)")
            }
        }
        if let onFailure = definition.onFailure {
            let handler = try holds(onFailure)
            guard handler.flow || handler.script else { throw CommandFailure("no script or flow at '\(onFailure)' (its on-failure handler)") }
        }
    }
}
