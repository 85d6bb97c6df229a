import Foundation
import Mustache
import SluiceCore
import SluiceFlows
import SluiceStore

/// Renders the console's pages from ``ConsoleTemplates``: whole pages in the layout, and the
/// fragments the live streams send.
struct ConsolePages: Sendable {
    private let library: MustacheLibrary
    let prefix: String
    private(set) var operatorName: String
    /// Whether the operator signed in (`--auth token`): the pages offer to sign out.
    private(set) var signedIn = false

    init(prefix: String, operatorName: String) throws {
        var library = MustacheLibrary()
        for (name, template) in [
            ("layout", ConsoleTemplates.layout), ("overview", ConsoleTemplates.overview), ("overviewFragment", ConsoleTemplates.overviewFragment),
            ("jobs", ConsoleTemplates.jobs), ("job", ConsoleTemplates.job), ("jobFragment", ConsoleTemplates.jobFragment),
            ("confirm", ConsoleTemplates.confirm), ("gates", ConsoleTemplates.gates), ("catalogue", ConsoleTemplates.catalogue),
            ("schedules", ConsoleTemplates.schedules),
            ("variables", ConsoleTemplates.variables),
            ("runnable", ConsoleTemplates.runnable), ("login", ConsoleTemplates.login), ("link", ConsoleTemplates.link),
            ("audit", ConsoleTemplates.audit), ("message", ConsoleTemplates.message),
        ] {
            try library.register(template, named: name)
        }
        self.library = library
        self.prefix = prefix
        self.operatorName = operatorName
    }

    /// These pages for operator `name`.
    func speaking(as name: String) -> ConsolePages {
        var copy = self
        copy.operatorName = name
        copy.signedIn = true
        return copy
    }

    /// The login page (`--auth token`).
    func login(error: String?) -> String {
        var values: [String: Any] = [:]
        if let error { values["error"] = error }
        return render("layout", ["title": "Sign in", "body": render("login", values), "prefix": prefix, "operator": "—"])
    }

    private func render(_ template: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: template) ?? ""
    }

    private func page(_ title: String, template: String, _ values: [String: Any]) -> String {
        render("layout", ["title": title, "body": render(template, values), "prefix": prefix, "operator": operatorName, "signedIn": signedIn])
    }

    // MARK: Overview

    func overview(_ overview: ConsoleOverview) -> String {
        page("Overview", template: "overview", ["fragment": overviewFragment(overview)])
    }

    func overviewFragment(_ overview: ConsoleOverview) -> String {
        let snapshot = overview.snapshot
        let queues: [[String: Any]] = snapshot.queues.map { queue in
            [
                "queue": queue.queue, "pending": queue.pending, "running": queue.running, "delayed": queue.delayed, "succeeded": queue.succeeded,
                "failed": queue.failed, "canceled": queue.canceled, "lastMinute": queue.finishedLastMinute,
            ]
        }
        let workers: [[String: Any]] = snapshot.workers.map { worker in
            let jobs = (overview.held[worker.status.id] ?? []).map { ["id": $0.id.rawValue, "path": $0.path] }
            return [
                "id": worker.status.id, "queues": worker.queues.joined(separator: ", "), "slots": worker.concurrency.map(String.init) ?? "?",
                "busy": worker.running, "jobs": jobs, "seen": ConsoleTime.text(worker.status.lastSeen),
            ]
        }
        let gates: [[String: Any]] = overview.gates.map { gate in
            [
                "id": gate.id.rawValue, "flow": gate.flowID.rawValue, "flowName": gate.flowPath ?? gate.flowID.rawValue,
                "step": gate.moduleSummary.isEmpty ? gate.moduleID : gate.moduleSummary, "count": gate.approvals.count, "required": gate.required,
                "deadline": gate.deadline.map(ConsoleTime.text) ?? "",
            ]
        }
        let schedules: [[String: Any]] = overview.schedules.map { ["name": $0.name, "path": $0.path, "next": ConsoleTime.text($0.nextDue)] }
        return render(
            "overviewFragment",
            [
                "now": ConsoleTime.text(snapshot.now), "openGates": snapshot.openGates, "queues": queues, "workers": workers, "gates": gates,
                "schedules": schedules, "chart": ThroughputChart.svg(overview.throughput), "minutes": ConsoleOverview.minutes,
            ])
    }

    // MARK: Jobs

    func jobs(_ filter: JobFilter, rows: [JobSummary], more: Bool, bounded: Bool = false) -> String {
        func link(page: Int) -> String {
            let items = filter.queryItems + [("page", String(page))]
            return "/jobs?" + items.map { "\(Self.queryEscape($0.0))=\(Self.queryEscape($0.1))" }.joined(separator: "&")
        }
        var values: [String: Any] = [
            "states": JobState.allCases.map { ["value": $0.rawValue, "selected": $0 == filter.state] },
            "queue": filter.queue ?? "", "path": filter.path ?? "", "createdBy": filter.createdBy ?? "",
            "since": filter.since.map(ConsoleTime.inputValue) ?? "", "until": filter.until.map(ConsoleTime.inputValue) ?? "",
            "allKinds": filter.kinds == .all, "page": filter.page,
            "rows": rows.map { job -> [String: Any] in
                var took = ""
                if let started = job.startedAt, let finished = job.finishedAt { took = ConsoleTime.duration(finished - started) }
                return [
                    "id": job.id.rawValue, "kind": job.kind.rawValue, "state": job.state.rawValue, "queue": job.queue, "path": job.path ?? "",
                    "createdBy": job.createdBy ?? "", "created": ConsoleTime.text(job.createdAt), "took": took,
                ]
            },
        ]
        if filter.page > 1 { values["previous"] = link(page: filter.page - 1) }
        if more { values["next"] = link(page: filter.page + 1) }
        if bounded { values["bounded"] = JobListing.finishedScanLimit.formatted() }
        return page("Jobs", template: "jobs", values)
    }

    func job(_ detail: JobDetail, csrf: String) -> String {
        let job = detail.job
        var values: [String: Any] = [
            "heading": job.path ?? job.kind.rawValue, "id": job.id.rawValue, "kind": job.kind.rawValue, "queue": job.queue,
            "live": "/live/jobs/\(job.id.rawValue)",
            "fragment": jobFragment(detail, csrf: csrf),
        ]
        if let createdBy = job.createdBy { values["createdBy"] = createdBy }
        if let flow = job.flowID { values["flow"] = flow.rawValue }
        return page(job.path ?? "Job \(job.id.rawValue)", template: "job", values)
    }

    func jobFragment(_ detail: JobDetail, csrf: String) -> String {
        let job = detail.job
        var values: [String: Any] = [
            "state": job.state.rawValue, "created": ConsoleTime.text(job.createdAt), "deliveries": job.deliveries,
            "maxDeliveries": job.maxDeliveries, "arguments": job.arguments.prettyJSONText, "logs": detail.logs ?? "",
            "id": job.id.rawValue, "canCancel": !job.state.isFinal, "canRunAgain": ConsoleActions.canRunAgain(job),
            "canDelete": ConsoleActions.canDelete(job),
            "following": !job.state.isFinal, "hasSteps": !detail.steps.isEmpty, "hasGates": !detail.gates.isEmpty,
        ]
        if let scheduled = job.scheduledFor { values["scheduled"] = ConsoleTime.text(scheduled) }
        if let started = job.startedAt { values["started"] = ConsoleTime.text(started) }
        if let finished = job.finishedAt { values["finished"] = ConsoleTime.text(finished) }
        if let started = job.startedAt, let finished = job.finishedAt { values["took"] = ConsoleTime.duration(finished - started) }
        if let worker = job.worker { values["worker"] = worker }
        if let timeout = job.timeoutSeconds { values["timeout"] = timeout }
        if let language = job.language { values["language"] = language.rawValue }
        if let hash = job.scriptHash { values["scriptHash"] = hash }
        if let result = job.result { values["result"] = result.prettyJSONText }
        if let error = job.error { values["error"] = error }
        values["steps"] = detail.steps.map { step -> [String: Any] in
            var took = ""
            if let started = step.startedAt, let finished = step.finishedAt { took = ConsoleTime.duration(finished - started) }
            return [
                "id": step.id.rawValue, "module": step.module, "type": step.type, "frame": step.frame, "state": step.state.rawValue, "took": took,
            ]
        }
        values["gates"] = detail.gates.map { gate -> [String: Any] in
            var entry: [String: Any] = [
                "module": gate.moduleID, "state": gate.currentState.rawValue, "count": gate.approvals.count, "required": gate.required,
                "history": GateHistory.lines(gate).map { ["text": $0] },
            ]
            if let deadline = gate.deadline { entry["deadline"] = ConsoleTime.text(deadline) }
            return entry
        }
        if let definition = detail.definition {
            values["graph"] = FlowGraphSVG.svg(FlowGraph(definition: definition, steps: detail.steps, gates: detail.gates), now: detail.now)
        }
        values["openGates"] = detail.gates.filter(\.isAcceptingDecisions).map { gate -> [String: Any] in
            var entry: [String: Any] = [
                "id": gate.id.rawValue, "module": gate.moduleID, "count": gate.approvals.count, "required": gate.required, "csrf": csrf,
                "operator": operatorName, "fields": GateFormFields.fields(gate), "history": GateHistory.lines(gate).map { ["text": $0] },
            ]
            if let deadline = gate.deadline { entry["deadline"] = ConsoleTime.text(deadline) }
            return entry
        }
        return render("jobFragment", values)
    }

    // MARK: Scripts and flows

    func catalogue(scripts: [StoredScript], flows: [StoredFlow]) -> String {
        page(
            "Scripts and flows", template: "catalogue",
            [
                "scripts": scripts.map {
                    ["path": $0.path, "language": $0.language.rawValue, "summary": $0.summary, "updated": ConsoleTime.text($0.updatedAt)]
                },
                "flows": flows.map { ["path": $0.path, "summary": $0.summary, "updated": ConsoleTime.text($0.updatedAt)] },
            ])
    }

    func script(_ script: Catalogue.ScriptPage, csrf: String) -> String {
        page(
            script.script.path, template: "runnable",
            [
                "path": script.script.path, "kind": "script", "language": script.script.language.rawValue, "summary": script.script.summary,
                "hash": script.script.hash, "updated": ConsoleTime.text(script.script.updatedAt), "csrf": csrf, "jsonArgs": true,
                "operator": operatorName, "source": script.source, "hasVersions": !script.versions.isEmpty,
                "versions": script.versions.map { ["hash": $0.hash, "at": ConsoleTime.text($0.pushedAt)] },
            ])
    }

    func flow(_ flow: Catalogue.FlowPage, csrf: String) -> String {
        var values: [String: Any] = [
            "path": flow.flow.path, "kind": "flow", "summary": flow.flow.summary, "hash": flow.flow.hash,
            "updated": ConsoleTime.text(flow.flow.updatedAt), "csrf": csrf, "operator": operatorName,
            "source": (try? JSONValue(parsing: flow.document).prettyJSONText) ?? flow.document, "hasVersions": !flow.versions.isEmpty,
            "versions": flow.versions.map { ["hash": $0] },
        ]
        if let description = flow.definition?.description, !description.isEmpty { values["description"] = description }
        if let schema = flow.definition?.schema.flatMap({ try? JSONSchema($0, lenient: true) }) {
            values["fields"] = RunFormFields.fields(schema)
        } else {
            values["jsonArgs"] = true
        }
        return page(flow.flow.path, template: "runnable", values)
    }

    // MARK: Schedules and variables

    func schedules(_ schedules: [(ScheduleRecord, [ScheduleRun])], csrf: String) -> String {
        let rows: [[String: Any]] = schedules.map { schedule, runs in
            [
                "name": schedule.name, "path": schedule.definition.path, "cron": schedule.definition.cron, "timeZone": schedule.definition.timeZone,
                "enabled": schedule.definition.enabled, "next": schedule.nextDue.map(ConsoleTime.text) ?? "—", "fired": schedule.fired,
                "skipped": schedule.skipped, "csrf": csrf,
                "runs": runs.map { run -> [String: Any] in
                    var entry: [String: Any] = ["outcome": run.outcome ?? run.kind.rawValue, "at": ConsoleTime.text(run.handledAt)]
                    if let job = run.job { entry["job"] = job.rawValue }
                    return entry
                },
            ]
        }
        return page("Schedules", template: "schedules", ["schedules": rows])
    }

    /// Variables and resources. A secret's stored (sealed) value is not passed to the template at all.
    func variables(_ variables: [StoredVariable], resources: [StoredResource], csrf: String) -> String {
        let rows: [[String: Any]] = variables.map { variable in
            var row: [String: Any] = [
                "path": variable.path, "secret": variable.isSecret, "description": variable.description, "version": variable.version,
                "updated": ConsoleTime.text(variable.updatedAt), "csrf": csrf,
            ]
            if !variable.isSecret { row["value"] = variable.storedValue }
            return row
        }
        let resourceRows: [[String: Any]] = resources.map {
            ["path": $0.path, "type": $0.type, "value": $0.value.prettyJSONText, "description": $0.description, "version": $0.version, "csrf": csrf]
        }
        return page("Variables", template: "variables", ["variables": rows, "resources": resourceRows, "csrf": csrf])
    }

    // MARK: Gates

    func gates(_ gates: [GateRecord], soonest: Bool, csrf: String, canMint: Bool) -> String {
        let rows: [[String: Any]] = gates.map { gate in
            [
                "id": gate.id.rawValue, "flow": gate.flowID.rawValue, "flowName": gate.flowPath ?? gate.flowID.rawValue,
                "step": gate.moduleSummary.isEmpty ? gate.moduleID : gate.moduleSummary, "createdBy": gate.createdBy ?? "",
                "count": gate.approvals.count, "required": gate.required, "approvers": gate.approvals.map(\.approver).joined(separator: ", "),
                "deadline": gate.deadline.map(ConsoleTime.text) ?? "", "csrf": csrf, "canMint": canMint,
            ]
        }
        return page("Gates", template: "gates", ["gates": rows, "soonest": soonest])
    }

    func link(_ url: String, approver: String, gate: GateRecord) -> String {
        page(
            "A link for \(approver)", template: "link",
            ["url": url, "approver": approver, "flow": gate.flowID.rawValue, "gate": gate.id.rawValue])
    }

    // MARK: Actions, audit, messages

    func confirm(_ action: ConsoleActions.Action, job: JobRecord, csrf: String) -> String {
        let values: [String: Any] = [
            "isJob": true, "heading": action.heading, "question": action.question, "id": job.id.rawValue, "path": job.path ?? "",
            "state": job.state.rawValue, "action": "/jobs/\(job.id.rawValue)/\(action.rawValue)", "csrf": csrf, "button": action.button,
            "buttonClass": action == .runAgain ? "" : "reject", "back": "/jobs/\(job.id.rawValue)",
        ]
        return page(action.heading, template: "confirm", values)
    }

    /// Asks to confirm deleting variable or resource `path` (`kind`: `variable` or `resource`).
    func confirmDelete(kind: String, path: String, secret: Bool, csrf: String) -> String {
        let heading = "Delete \(kind)"
        let question =
            "Delete this \(secret ? "secret" : kind) for good? Scripts and flows that read it fail until it is set again"
            + (kind == "variable" ? "; resources naming it with $var: too." : ".")
        let values: [String: Any] = [
            "isItem": true, "heading": heading, "question": question, "item": path, "action": "/\(kind)s/delete", "csrf": csrf,
            "button": "Delete", "buttonClass": "reject", "back": "/variables",
        ]
        return page(heading, template: "confirm", values)
    }

    func audit(_ entries: [AuditLog.Entry], limit: Int) -> String {
        let rows: [[String: Any]] = entries.map { entry in
            var row: [String: Any] = [
                "at": ConsoleTime.text(entry.at), "who": entry.who, "action": entry.action, "target": entry.target, "outcome": entry.outcome,
            ]
            if JobID(entry.target) != nil { row["link"] = "/jobs/\(entry.target)" }
            return row
        }
        return page("Audit", template: "audit", ["entries": rows, "limit": limit])
    }

    func message(heading: String, message: String, success: Bool, link: (url: String, text: String)? = nil) -> String {
        var values: [String: Any] = ["heading": heading, "message": message, "statusClass": success ? "status-ok" : "status-error"]
        if let link {
            values["link"] = link.url
            values["linkText"] = link.text
        }
        return page(heading, template: "message", values)
    }

    /// Percent-escapes a query component.
    static func queryEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// A gate's decisions so far as sentences, oldest first.
enum GateHistory {
    static func lines(_ gate: GateRecord) -> [String] {
        let approvals = gate.approvals.map { ($0.at, "approved by \($0.approver) (\($0.via)) at \(ConsoleTime.text($0.at))") }
        let rejections = gate.rejections.map { entry in
            (
                entry.at,
                "rejected by \(entry.approver) (\(entry.via)) at \(ConsoleTime.text(entry.at))"
                    + ((entry.reason ?? "").isEmpty ? "" : ": \(entry.reason ?? "")")
            )
        }
        return (approvals + rejections).sorted { $0.0 < $1.0 }.map(\.1)
    }
}
