import Foundation
import Mustache
import SluiceApprovals
import SluiceCore
import SluiceFlows
import SluiceStore

/// Renders the approval page and the result pages from ``PageTemplates``.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        try library.register(PageTemplates.layout, named: "layout")
        try library.register(PageTemplates.approval, named: "approval")
        try library.register(PageTemplates.confirmReject, named: "confirmReject")
        try library.register(PageTemplates.message, named: "message")
        try library.register(PageTemplates.inbox, named: "inbox")
        self.library = library
    }

    private func page(_ title: String, template: String, _ values: [String: Any]) -> String {
        let body = library.render(values, withTemplate: template) ?? ""
        return library.render(["title": title, "body": body], withTemplate: "layout") ?? body
    }

    /// The approval page of a gate, for the approver of `view.link`.
    func approvalPage(_ view: ApprovalView, actionBase: String) -> String {
        let gate = view.gate
        let title = gate.flowSummary.isEmpty ? (gate.flowPath ?? "Approval") : gate.flowSummary
        var step = gate.moduleSummary.isEmpty ? gate.moduleID : "\(gate.moduleSummary) (\(gate.moduleID))"
        if let iteration = gate.iteration {
            step += ", iteration \(iteration)"
        } else if let frame = gate.frame, frame != "r" {
            step += ", in a branch"
        }
        var identityNote: String?
        if view.link.subject.isAnonymous, gate.userAuthRequired || gate.selfApprovalDisabled || !gate.groups.isEmpty {
            identityNote = "This link is anonymous, and this gate counts only identified approvers: ask for a link made for you."
        } else if !gate.groups.isEmpty {
            identityNote = "Only members of \(gate.groups.joined(separator: ", ")) count for this gate."
        }
        let approverName = view.link.subject.isAnonymous ? nil : view.link.subject.approverName
        var values: [String: Any] = [
            "title": title, "step": step, "count": gate.approvals.count, "required": gate.required, "plural": gate.required != 1,
            "pending": gate.state == .pending, "hideCancel": gate.hideCancel, "resumeAction": actionBase + "/resume",
            "cancelAction": actionBase + "/cancel", "fields": fields(gate),
            "approveLabel": approverName.map { "Approve as \($0)" } ?? "Approve",
            "history": GatePresenterLines.lines(gate).map { ["text": $0] }, "hasHistory": !gate.approvals.isEmpty || !gate.rejections.isEmpty,
        ]
        if let path = gate.flowPath { values["flowPath"] = path }
        if let createdBy = gate.createdBy { values["startedBy"] = createdBy }
        if let created = view.flow?.createdAt, created > 0 { values["startedAt"] = Self.time(created) }
        if let deadline = gate.deadline { values["deadline"] = Self.time(deadline) }
        if let inputs = view.flow?.arguments, inputs != .emptyObject { values["inputs"] = inputs.prettyJSONText }
        if let description = gate.page["description"]?.stringValue, !description.isEmpty {
            values["descriptionHTML"] = SafeMarkdown.html(description)
        }
        if let identityNote { values["identityNote"] = identityNote }
        return page(title, template: "approval", values)
    }

    /// The confirmation page behind a GET on a reject link: it changes nothing.
    func rejectConfirmation(_ view: ApprovalView, actionBase: String) -> String {
        let gate = view.gate
        let title = gate.flowSummary.isEmpty ? (gate.flowPath ?? "Approval") : gate.flowSummary
        return page("Reject? — \(title)", template: "confirmReject", ["title": title, "step": gate.moduleID, "cancelAction": actionBase + "/cancel"])
    }

    /// An approver's inbox: the gates they may decide, each with their approval link.
    func inbox(name: String, entries: [ApproverInbox.Entry]) -> String {
        let rows: [[String: Any]] = entries.map { entry in
            let gate = entry.gate
            var row: [String: Any] = [
                "gate": gate.id.rawValue, "title": gate.flowSummary.isEmpty ? (gate.flowPath ?? "Approval") : gate.flowSummary,
                "step": gate.moduleSummary.isEmpty ? gate.moduleID : gate.moduleSummary, "count": gate.approvals.count, "required": gate.required,
                "url": entry.approvalPage,
            ]
            if let path = gate.flowPath { row["flowPath"] = path }
            if let createdBy = gate.createdBy { row["startedBy"] = createdBy }
            if let deadline = gate.deadline { row["deadline"] = Self.time(deadline) }
            return row
        }
        return page("Decisions waiting for \(name)", template: "inbox", ["name": name, "entries": rows])
    }

    /// A result or error page.
    func message(heading: String, message: String, detail: String? = nil, success: Bool) -> String {
        var values: [String: Any] = ["heading": heading, "message": message, "statusClass": success ? "status-ok" : "status-error"]
        if let detail { values["detail"] = detail }
        return page(heading, template: "message", values)
    }

    /// The fields of the gate's ``ApprovalForm`` (its `resume_form.schema`, choices from the
    /// step's `enums` where it gives them), pre-filled from the step's `default_args` (else the
    /// schema's defaults). The server accepts exactly what these fields can send.
    func fields(_ gate: GateRecord) -> [[String: Any]] {
        guard let schema = (try? ApprovalForm(gate: gate))?.schema else { return [] }
        let defaults = gate.page["default_args"]
        return schema.properties.map { SchemaFormField($0, prefilled: defaults?[$0.name]).templateValues() }
    }

    static func time(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(
            .iso8601.year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}

/// The gate's history as sentences for the page.
enum GatePresenterLines {
    static func lines(_ gate: GateRecord) -> [String] {
        let approvals = gate.approvals.map { ($0.at, "Approved by \($0.approver) at \(PageRenderer.time($0.at))") }
        let rejections = gate.rejections.map { entry in
            (
                entry.at,
                "Rejected by \(entry.approver) at \(PageRenderer.time(entry.at))" + ((entry.reason ?? "").isEmpty ? "" : ": \(entry.reason ?? "")")
            )
        }
        return (approvals + rejections).sorted { $0.0 < $1.0 }.map(\.1)
    }
}
