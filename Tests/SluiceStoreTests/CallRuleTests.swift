import SluiceCore
import SluiceStore
import Testing

/// The rule for what a job may start and write through its channel (pure).
@Suite("Call rule")
struct CallRuleTests {
    @Test(
        "a job starts scripts of its own folder, and of another folder only where its callers rule names the job",
        arguments: [
            ("f/ops/report", "f/ops/restart", nil, true),
            ("f/ops/report", "f/ops/sub/deep", nil, true),
            ("f/ops/report", "f/opsx/restart", nil, false),
            ("f/ops/report", "f/billing/charge", nil, false),
            ("f/ops/report", "f/billing/charge", ["f/ops/"], true),
            ("f/ops/report", "f/billing/charge", ["f/ops/report"], true),
            ("f/ops/report", "f/billing/charge", ["f/opsx/"], false),
            ("f/ops/report", "f/billing/charge", [], false),
            ("u/alice/sync", "u/alice/helper", nil, true),
            ("u/alice/sync", "u/bob/helper", nil, false),
            ("f/flow/run/step", "f/flow/helper", nil, true),
        ] as [(String, String, [String]?, Bool)])
    func start(caller: String, target: String, callers: [String]?, allowed: Bool) {
        #expect(CallRule.mayStart(target, caller: Caller(paths: [caller]), callers: callers.map(AccessRule.init(prefixes:))) == allowed)
    }

    @Test("a job writes only in its own folder, and an existing item only when its access rule lets the job read it")
    func write() {
        let caller = Caller(paths: ["f/crm/refresh"])
        #expect(CallRule.mayWrite("f/crm/token", caller: caller, existing: nil))
        #expect(CallRule.mayWrite("f/crm/token", caller: caller, existing: .everyone))
        #expect(CallRule.mayWrite("f/crm/token", caller: caller, existing: AccessRule(prefixes: ["f/crm/"])))
        #expect(!CallRule.mayWrite("f/crm/token", caller: caller, existing: AccessRule(prefixes: ["f/crm/admin/"])))
        #expect(!CallRule.mayWrite("f/payments/key", caller: caller, existing: nil))
        #expect(!CallRule.mayWrite("f/crmx/token", caller: caller, existing: nil))
        #expect(CallRule.ruleForCreated(by: caller) == AccessRule(prefixes: ["f/crm/"]))
        #expect(CallRule.folder(of: "f/x") == "f/x/")
    }
}
