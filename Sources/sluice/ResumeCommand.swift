import ArgumentParser
import Foundation
import SluiceApprovals
import SluiceCommandLine
import SluiceCore
import SluiceStore

/// `sluice resume ID`: approve or reject a gate as an operator, through the same ``ApprovalDesk``
/// as the resumer's links — the gate's state, deadline, form and rules apply alike.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Approve (or --reject) a suspended flow as an operator. The gate's rules still apply to the named approver.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The flow's id (or the gate's).") var id: String
    @Option(help: "Approve as this person (default: operator).") var approver: String = "operator"
    @Option(help: "The approval's payload, a JSON object (checked against the gate's form).") var payload: String?
    @Flag(help: "Reject instead of approving.") var reject = false
    @Option(help: "Why (with --reject).") var reason: String?

    func run() throws {
        let target = try JobCommand.parse(id)
        var body: JSONValue = .emptyObject
        if let payload {
            do {
                body = try JSONValue(parsing: payload, maximumDepth: JSONValue.maximumInputDepth)
            } catch {
                throw CommandFailure("--payload is not valid JSON: \(error)")
            }
            guard body.memberList != nil else { throw CommandFailure("--payload must be a JSON object") }
        }
        let session = try Session(connection)
        let gateID = try gate(of: target, session: session)
        let submission = ApprovalSubmission(
            gate: gateID, subject: .named(approver), credential: .operator, action: reject ? .reject(reason: reason) : .approve(.json(body)))
        let outcome: ApprovalOutcome
        do {
            outcome = try ApprovalDesk(gates: GateStore(keys: session.jobs.keys)).submit(submission, on: session.connection)
        } catch let refusal as ApprovalRefusal {
            throw CommandFailure(refusal == .notFound ? "no gate for '\(id)'" : refusal.description)
        } catch {
            throw CommandFailure("\(error)")
        }
        switch outcome {
        case .counted(let count, let required, let pending):
            print("recorded: \(count) of \(required) approvals\(pending ? " (the step is still running; counted when the flow parks)" : "")")
        case .rejectionKept:
            print("rejection recorded; it decides the gate when the step before it finishes")
        case .decided(let decision, let count, let required):
            print("gate \(decision) (\(count)/\(required) approvals); the flow moves on")
        case .alreadyDecided(let message): print(message)
        case .countedBefore(let state, let rejected): print(ApprovalOutcome.countedBeforeMessage(state: state, rejected: rejected))
        }
    }

    /// The gate `target` names: itself, or the one gate its flow waits at.
    private func gate(of target: JobID, session: Session) throws -> JobID {
        guard let job = try session.perform({ try session.jobs.job(target, on: session.connection) }), job.kind == .flow else { return target }
        let gates = try session.perform { try GateStore(keys: session.jobs.keys).gates(ofFlow: target, on: session.connection) }
        let waiting = gates.filter { $0.state.isAcceptingDecisions }
        guard let first = waiting.first else {
            let last = gates.last.map { " (its last gate is \($0.currentState))" } ?? ""
            throw CommandFailure("flow \(id) has no open gate\(last)")
        }
        guard waiting.count == 1 else {
            let list = waiting.map { "\($0.id) (\($0.moduleID) \(JobPresenter.place($0.frame)))" }.joined(separator: ", ")
            throw CommandFailure("flow \(id) waits at \(waiting.count) gates; name one: \(list)")
        }
        return first.id
    }
}
