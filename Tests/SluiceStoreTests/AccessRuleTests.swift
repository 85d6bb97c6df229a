import SluiceCore
import SluiceStore
import Testing

@Suite("Access rules")
struct AccessRuleTests {
    @Test(
        "a prefix allows its folder and the path itself, never a sibling with the same start",
        arguments: [
            ("f/payments/", "f/payments/refund", true), ("f/payments", "f/payments/refund", true), ("f/payments", "f/payments", true),
            ("f/payments/", "f/payments-old/x", false), ("f/pay", "f/payments/refund", false), ("f/", "f/anything/x", true),
        ])
    func prefixes(prefix: String, path: String, allowed: Bool) {
        #expect(AccessRule.path(path, isUnder: prefix) == allowed)
        #expect(AccessRule(prefixes: [prefix]).allows(Caller(paths: [path])) == allowed)
    }

    @Test("without prefixes every job may read; with them, any of the caller's paths may match")
    func callers() {
        #expect(AccessRule.everyone.allows(Caller(paths: ["u/x/y"])))
        let rule = AccessRule(prefixes: ["f/payments/"])
        #expect(rule.allows(Caller(paths: ["f/shared/notify", "f/payments/refund_flow"])))
        #expect(!rule.allows(Caller(paths: ["f/shared/notify"])))
        #expect(!rule.allows(Caller(paths: [])))
        #expect(
            AccessRule.isValidPrefix("f/payments/") && AccessRule.isValidPrefix("f") && !AccessRule.isValidPrefix("/")
                && !AccessRule.isValidPrefix(""))
    }
}
