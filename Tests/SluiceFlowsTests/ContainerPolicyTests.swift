import SluiceCore
import SluiceFlows
import Testing

/// Each container module's facts, read from its one policy.
@Suite("Container policies")
struct ContainerPolicyTests {
    static let flow = """
        value:
          modules:
            - id: each
              value: {type: forloopflow, iterator: {type: javascript, expr: '[1, 2]'}, parallel: true, skip_failures: true, modules: [{id: x, value: {type: identity}}]}
            - id: again
              value: {type: whileloopflow, skip_failures: false, modules: [{id: y, value: {type: identity}}]}
            - id: pick
              value: {type: branchone, branches: [{expr: 'true', modules: [{id: z, value: {type: identity}}]}], default: []}
            - id: fan
              value:
                type: branchall
                parallel: false
                branches:
                  - {skip_failure: true, modules: [{id: p, value: {type: identity}}]}
                  - {skip_failure: false, modules: [{id: q, value: {type: identity}}]}
            - id: plain
              value: {type: identity}
        """

    @Test("kind, parallelism, tolerated failures, launch budget and end check per container; none for a plain step")
    func policies() throws {
        let modules = try FlowParser().parse(Self.flow).definition.modules
        let policies = modules.map { ContainerPolicy($0.value) }
        let each = try #require(policies[0])
        #expect(each.kind == .forLoop && each.parallel && each.isLoop && each.stopsAfterAllChildren)
        #expect(each.tolerates(child: 0) && each.tolerates(child: 7))
        #expect(each.launchBudget == 1)
        let again = try #require(policies[1])
        #expect(again.kind == .whileLoop && !again.parallel && again.isLoop && !again.tolerates(child: 0))
        let pick = try #require(policies[2])
        #expect(pick.kind == .branchOne && !pick.isLoop && !pick.stopsAfterAllChildren && pick.launchBudget == 0)
        #expect(!pick.tolerates(child: 0))
        let fan = try #require(policies[3])
        #expect(fan.kind == .branchAll && !fan.parallel && fan.launchBudget == 1)
        #expect(fan.tolerates(child: 0) && !fan.tolerates(child: 1) && !fan.tolerates(child: 2))
        #expect(policies[4] == nil)
        #expect(ContainerKind.allCases.map(\.rawValue) == ["for", "while", "one", "all"])
    }
}
