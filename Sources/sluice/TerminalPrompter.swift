import Foundation
import SluiceApprovals
import SluiceCommandLine
import SluiceCore
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
            $0.state == .open && !asked.contains($0.id)
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

    /// One conversation at `gate`, handed in through the same ``ApprovalDesk`` as links and
    /// `sluice resume`; an answer the form refuses is asked again.
    private func ask(_ gate: GateRecord, store: GateStore, session: Session) throws {
        let prompt = GatePrompt(gate: gate)
        let write: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
        let desk = ApprovalDesk(gates: store)
        while true {
            let action: ApprovalSubmission.Action
            switch prompt.converse(read: { readLine() }, write: write) {
            case .undecided:
                write("Not answered; the flow stays parked.\n")
                return
            case .reject(let reason): action = .reject(reason: reason)
            case .approve(let answers): action = .approve(.json(answers))
            }
            let submission = ApprovalSubmission(gate: gate.id, subject: .named(runner), credential: .prompt, action: action)
            do {
                switch try desk.submit(submission, on: session.connection) {
                case .counted(let count, let required, _): write("Recorded: \(count) of \(required) approvals; waiting for the others.\n")
                case .rejectionKept: write("Rejection recorded.\n")
                case .decided(let state, _, _): write("The gate is \(state); the flow moves on.\n")
                case .alreadyDecided(let message): write("\(message)\n")
                case .countedBefore(let state, let rejected): write(ApprovalOutcome.countedBeforeMessage(state: state, rejected: rejected) + "\n")
                }
                return
            } catch let refusal as ApprovalRefusal {
                if case .invalid = refusal {
                    write("  \(refusal); answer again.\n")
                    continue
                }
                write("\(refusal)\n")
                return
            } catch {
                throw CommandFailure("\(error)")
            }
        }
    }
}
