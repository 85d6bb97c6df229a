import Foundation
public import SluiceCore
import SluiceFlows
public import SluiceStore

/// What `sluice run --wait` asks the person who ran a flow when it parks at a gate they may
/// answer (Windmill's "prompts"): the step's description, one question per form field, then
/// approve or reject. Pure: the terminal and Redis are wired by the caller.
public struct GatePrompt: Sendable {
    public let gate: GateRecord
    public let questions: [PromptQuestion]

    public init(gate: GateRecord) {
        self.gate = gate
        let schema = gate.form.flatMap { try? JSONSchema($0) }
        let defaults = gate.page["default_args"]
        let enums = gate.page["enums"]
        questions = (schema?.properties ?? []).map { property in
            PromptQuestion(property, defaultArgument: defaults?[property.name], dynamicChoices: enums?[property.name]?.arrayValue)
        }
    }

    /// Whether `runner` is someone the gate's rules let answer: not its creator when self-approval
    /// is disabled, and a member of one of its groups when it names groups.
    public static func mayAnswer(_ gate: GateRecord, runner: String, groupMembers: [String: [String]]) -> Bool {
        guard gate.state == .open else { return false }
        if gate.selfApprovalDisabled, gate.createdBy == runner { return false }
        if !gate.groups.isEmpty, !gate.groups.contains(where: { groupMembers[$0]?.contains(runner) == true }) { return false }
        return true
    }

    /// The lines shown before the questions.
    public var header: [String] {
        var lines = ["", "The flow is waiting for approval at '\(gate.moduleSummary.isEmpty ? gate.moduleID : gate.moduleSummary)'"]
        if let iteration = gate.iteration { lines[1] += " (iteration \(iteration))" }
        lines[1] += gate.required > 1 ? ", \(gate.approvals.count) of \(gate.required) approvals so far." : "."
        if let description = gate.page["description"]?.stringValue, !description.isEmpty {
            lines.append(contentsOf: description.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
        }
        lines.append("(Ctrl-C leaves the flow parked; its links stay valid.)")
        return lines
    }

    /// The person's answer.
    public enum Decision: Sendable, Equatable {
        case approve(JSONValue)
        case reject(reason: String?)
        /// Input ended before a decision: nothing is sent.
        case undecided
    }

    /// Asks every question (again until the answer is acceptable), then approve / reject.
    /// `read` returns a line, or nil when input ends; `write` shows text without a newline added.
    public func converse(read: () -> String?, write: (String) -> Void) -> Decision {
        for line in header { write(line + "\n") }
        var members: [(String, JSONValue)] = []
        for question in questions {
            if let description = question.description, !description.isEmpty { write("  \(description)\n") }
            while true {
                write(question.prompt)
                guard let typed = read() else { return .undecided }
                switch question.parse(typed) {
                case .value(let value):
                    members.append((question.name, value))
                case .omitted:
                    break
                case .invalid(let why):
                    write("  \(why)\n")
                    continue
                }
                break
            }
        }
        let choices = gate.hideCancel ? "[A]pprove or [s]kip" : "[A]pprove, [r]eject or [s]kip"
        while true {
            write("\(choices)? ")
            guard let typed = read()?.trimmingCharacters(in: .whitespaces).lowercased() else { return .undecided }
            switch typed {
            case "", "a", "approve", "y", "yes": return .approve(JSONValue(members: members))
            case "r", "reject":
                guard !gate.hideCancel else {
                    write("  this gate takes no rejection; answer a or s\n")
                    continue
                }
                write("Reason (optional): ")
                let reason = read()?.trimmingCharacters(in: .whitespaces)
                return .reject(reason: reason?.isEmpty == false ? reason : nil)
            case "s", "skip": return .undecided
            default: write("  answer a, \(gate.hideCancel ? "" : "r, ")or s\n")
            }
        }
    }
}
