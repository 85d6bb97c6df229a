import Foundation
public import SluiceCore
import SluiceStore

/// What the jobs list shows: filters from the page's query string, each checked, and the page.
/// A malformed value is refused naming its field (``ConsoleInputError``), never ignored.
public struct JobFilter: Sendable, Equatable {
    /// Which kinds are listed: runs people start (scripts, identity jobs, flows) or every job,
    /// flow steps and flow events too.
    public enum Kinds: String, Sendable {
        case runs
        case all
    }

    public var state: JobState?
    public var queue: String?
    /// A path prefix (`f/ops/` lists everything under that folder).
    public var path: String?
    public var createdBy: String?
    /// Created at or after (ms).
    public var since: Int64?
    /// Created before (ms).
    public var until: Int64?
    public var kinds: Kinds = .runs
    /// 1-based.
    public var page: Int = 1

    public static let pageSize = 50

    public init() {}

    /// Reads the query's fields; unknown fields are ignored, empty ones mean "any".
    public init(query: [String: String]) throws(ConsoleInputError) {
        func value(_ name: String) -> String? {
            guard let text = query[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        if let text = value("state") {
            guard let state = JobState(rawValue: text) else {
                throw ConsoleInputError(field: "state", "must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.state = state
        }
        if let text = value("queue") {
            guard QueueName.isValid(text) else { throw ConsoleInputError(field: "queue", "is not a valid queue name") }
            queue = text
        }
        if let text = value("path") {
            guard text.count <= 512 else { throw ConsoleInputError(field: "path", "is longer than 512 characters") }
            path = text
        }
        if let text = value("created_by") {
            guard text.count <= 256 else { throw ConsoleInputError(field: "created_by", "is longer than 256 characters") }
            createdBy = text
        }
        if let text = value("since") {
            guard let time = ConsoleTime.parse(text) else { throw ConsoleInputError(field: "since", "is not a time like 2026-12-06T13:05") }
            since = time
        }
        if let text = value("until") {
            guard let time = ConsoleTime.parse(text) else { throw ConsoleInputError(field: "until", "is not a time like 2026-12-06T13:05") }
            until = time
        }
        if let text = value("kinds") {
            guard let kinds = Kinds(rawValue: text) else { throw ConsoleInputError(field: "kinds", "must be runs or all") }
            self.kinds = kinds
        }
        if let text = value("page") {
            guard let page = Int(text), (1...10_000).contains(page) else { throw ConsoleInputError(field: "page", "must be a number from 1") }
            self.page = page
        }
    }

    /// Whether a listed job passes every filter.
    func matches(_ job: JobSummary) -> Bool {
        if let state, job.state != state { return false }
        if let queue, job.queue != queue { return false }
        if let path, !(job.path ?? "").hasPrefix(path) { return false }
        if let createdBy, job.createdBy != createdBy { return false }
        if let since, job.createdAt < since { return false }
        if let until, job.createdAt >= until { return false }
        if kinds == .runs, job.kind == .step || job.kind == .flowEvent { return false }
        return true
    }

    /// The query string of these filters (without the page), for the pager's links.
    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let state { items.append(("state", state.rawValue)) }
        if let queue { items.append(("queue", queue)) }
        if let path { items.append(("path", path)) }
        if let createdBy { items.append(("created_by", createdBy)) }
        if let since { items.append(("since", ConsoleTime.inputValue(since))) }
        if let until { items.append(("until", ConsoleTime.inputValue(until))) }
        if kinds != .runs { items.append(("kinds", kinds.rawValue)) }
        return items
    }
}
