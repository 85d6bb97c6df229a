import Foundation

/// The Windmill fields Sluice reads and does not honour, where they stand, with what Sluice does
/// instead: accepted with a warning naming the place (docs/flows.md has the whole table).
enum FlowFields {
    static let tunes = "only tunes where or how often Windmill runs it; Sluice ignores it"

    static func ignoring(_ names: [String], _ what: String = tunes) -> [String: String] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, what) })
    }

    static let topLevel = ignoring([
        "ws_error_handler_muted", "visible_to_runner_only", "dedicated_worker", "tag", "priority", "timeout", "on_behalf_of_email",
        "lock_error_logs", "draft_only", "path", "edited_by", "edited_at", "archived", "extra_perms", "version_id", "workspace_id",
    ])
    static let flowValue = ignoring([
        "concurrent_limit", "concurrency_time_window_s", "concurrency_key", "cache_ttl", "priority", "debounce_delay_s",
        "debounce_key",
    ]).merging(
        [
            "early_return":
                "not honoured: Windmill answers a caller waiting on the run with that step's result while the flow goes on; "
                + "Sluice answers with the flow's final result",
            "skip_expr": "not honoured: Windmill skips the whole run when it holds; Sluice always runs the flow",
            "chat_input_enabled": "only shapes Windmill's UI; ignored",
            "notes": "only shapes Windmill's editor; ignored",
        ], uniquingKeysWith: { $1 })
    static let module = ignoring(["apply_preprocessor"], "ignored: Sluice starts no run through a preprocessor").merging(
        ["delete_after_use": "not honoured: a step's arguments and result stay until the run's records expire (docs/redis-keys.md)"],
        uniquingKeysWith: { $1 })
    static let branchOneBranch = ignoring(
        ["parallel", "skip_failure"], "has no meaning on a branchone branch (Windmill's UI writes it; Windmill ignores it there)")
    static let branchAllBranch = ignoring(["expr"], "has no meaning on a branchall branch (every branch runs); ignored, as Windmill does")
        .merging(
            ignoring(["parallel"], "is decided by the branchall's own 'parallel'; ignored on a branch, as Windmill does"), uniquingKeysWith: { $1 })
    static let value =
        ignoring([
            "tag", "tag_override", "concurrent_limit", "concurrency_time_window_s", "custom_concurrency_key", "is_trigger", "asset",
            "assets", "concurrency_key", "debounce_delay_s", "debounce_key",
        ]).merging(
            ignoring(["timeout", "retry"], "is read on the module, not inside its value: ignored here, as Windmill does"), uniquingKeysWith: { $1 }
        ).merging(
            ignoring(
                ["lock"],
                "Windmill's lock of an inline python3 script is not read: Sluice locks its requirements itself when the flow is pushed (uv)"),
            uniquingKeysWith: { $1 })
    static let resumeForm = ignoring(["required"], "belongs inside resume_form.schema; ignored here, as Windmill does")
    static let javascriptTransform = ignoring(["value"], "is not read beside 'expr' (the expression gives the value); ignored, as Windmill does")
    static let staticTransform = ignoring(["expr"], "is not read in a static transform (its 'value' is the value); ignored, as Windmill does")

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.count <= 64
            && text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// The file named by `'!inline name.py'`, if `content` is such a reference.
    static func inlineReference(_ content: String) -> String? {
        guard content.hasPrefix("!inline ") else { return nil }
        let name = content.dropFirst("!inline ".count).trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }
}
