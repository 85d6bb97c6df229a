import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceFlows
import SluiceStore

/// Asks the person who ran a flow, in their terminal, at each gate of the flow they may answer
/// (Windmill's prompts), and records their answer through the gate's rules like a link would.
/// Questions go to stderr so stdout keeps only the result.
struct TerminalPrompter {
    /// Who answers: the `--as` name, else the login name.
    let runner: String

    static var loginName: String {
        ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "operator"
    }

    /// Asks at every open gate of `flow` not asked before that the runner may answer.
    func answerOpenGates(of flow: JobID, asked: inout Set<JobID>, session: Session) throws {
        let store = GateStore(keys: session.jobs.keys)
        let open = try session.perform { try store.gates(ofFlow: flow, on: session.connection) }.filter {
            $0.state == "open" && !asked.contains($0.id)
        }
        guard !open.isEmpty else { return }
        let groups = try session.perform { try GroupStore(keys: session.jobs.keys).list(on: session.connection) }
        let members = Dictionary(groups.map { ($0.name, $0.members) }, uniquingKeysWith: { first, _ in first })
        for gate in open {
            asked.insert(gate.id)
            guard GatePrompt.mayAnswer(gate, runner: runner, groupMembers: members) else { continue }
            try ask(gate, store: store, session: session)
        }
    }

    private func ask(_ gate: GateRecord, store: GateStore, session: Session) throws {
        let prompt = GatePrompt(gate: gate)
        let write: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
        while true {
            let decision = prompt.converse(read: { readLine() }, write: write)
            var payload: JSONValue = .emptyObject
            var reason: String?
            var reject = false
            switch decision {
            case .undecided:
                write("Not answered; the flow stays parked.\n")
                return
            case .reject(let given):
                reject = true
                reason = given
            case .approve(let answers):
                payload = answers
                if let form = gate.form {
                    do {
                        payload = try JSONSchema(form).validate(answers, root: "payload")
                    } catch {
                        write("  \(error); answer again.\n")
                        continue
                    }
                }
            }
            let outcome = try session.perform {
                try store.record(
                    gate: gate.id, subject: .named(runner), reject: reject, payload: payload, reason: reason, via: "prompt", on: session.connection)
            }
            switch outcome {
            case .recorded(let count, let required): write("Recorded: \(count) of \(required) approvals; waiting for the others.\n")
            case .decided(let decision, _, _): write("The gate is \(decision); the flow moves on.\n")
            case .duplicate(let message): write("\(message)\n")
            case .refused(let why): write("Refused: \(why)\n")
            case .closed(let state): write("The gate is already closed (\(state)).\n")
            case .unknown: write("The gate is gone.\n")
            }
            return
        }
    }
}
