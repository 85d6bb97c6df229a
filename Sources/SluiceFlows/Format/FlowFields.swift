import Foundation

/// Which Windmill fields Sluice accepts with a warning because they only tune execution (where a
/// job runs, caching, priorities, concurrency limits) and cannot change a result. docs/flows.md
/// lists these sets; every other field Sluice does not implement is refused.
enum FlowFields {
    static let topLevelTuning: Set<String> = [
        "ws_error_handler_muted", "visible_to_runner_only", "dedicated_worker", "tag", "priority", "timeout", "on_behalf_of_email",
        "lock_error_logs", "draft_only",
    ]
    static let flowValueTuning: Set<String> = [
        "same_worker", "concurrent_limit", "concurrency_time_window_s", "concurrency_key", "cache_ttl", "priority", "debounce_delay_s",
        "debounce_key",
    ]
    static let moduleTuning: Set<String> = ["delete_after_use", "apply_preprocessor"]
    static let branchTuning: Set<String> = ["parallel"]
    static let valueTuning: Set<String> = [
        "lock", "tag", "tag_override", "concurrent_limit", "concurrency_time_window_s", "custom_concurrency_key", "is_trigger", "asset",
        "assets",
    ]

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
