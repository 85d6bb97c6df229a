import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@testable import SluiceStore

/// A flow decision's long texts travel beside its plan as `advance_flow`'s own arguments, and
/// the script puts them back where the plan names them.
@Suite("A plan's long texts travel beside it")
struct PlanTextsTests {
    let server: RedisServer

    init() async throws {
        server = try await RedisServer.start()
    }

    @Test("strings from the minimum length are taken out, each once, at ARGV places from 2; shorter ones and other values stay")
    func lifting() throws {
        let long = String(repeating: #"say "hi" \ "#, count: 10)
        let other = String(repeating: "é", count: 40)
        let plan: JSONValue = [
            "flow": "F", "ops": [["op": "record", "field": "s0", "value": .string(long)], ["op": "set_input", "args": .string(other)]],
            "held": ["payload": .string(long), "logs": "short", "delivery": 2, "skipped": true],
        ]
        let lifted = PlanTexts(lifting: plan, minimumLength: 64)
        #expect(lifted.texts == [long, other])
        let reference = { (place: Int) -> JSONValue in ["$argv": .number(Double(place))] }
        #expect(lifted.plan["ops"]?.arrayValue?[0]["value"] == reference(2))
        #expect(lifted.plan["ops"]?.arrayValue?[1]["args"] == reference(3))
        #expect(lifted.plan["held"]?["payload"] == reference(2), "the same text is sent once")
        #expect(lifted.plan["held"]?["logs"] == "short")
        #expect(lifted.plan["held"]?["delivery"] == 2)
        #expect(lifted.plan["flow"] == "F")
        // Below the minimum nothing moves: the plan is sent as it was.
        let kept = PlanTexts(lifting: plan, minimumLength: 10_000)
        #expect(kept.texts.isEmpty)
        #expect(kept.plan == plan)
    }

    @Test("a plan's values are written once each: the memo answers every value's own text, for repeated, equal and different values")
    func textMemo() {
        var memo = JSONTextMemo()
        let values: [JSONValue] =
            (0..<20).map { ["row": .number(Double($0)), "note": #"say "hi""#] } + [
                "a", 1, true, nil, [1, 2], ["row": 3, "note": #"say "hi""#], [2, 1], ["b": ["c": "d"]],
            ]
        for _ in 0..<2 {
            for value in values + values.reversed() {
                #expect(memo.text(of: value) == value.jsonText)
            }
        }
        // Objects equal but for member order are different values, with different texts.
        let ab: JSONValue = ["a": 1, "b": 2]
        let ba: JSONValue = ["b": 2, "a": 1]
        #expect(memo.text(of: ab) == #"{"a":1,"b":2}"#)
        #expect(memo.text(of: ba) == #"{"b":2,"a":1}"#)
    }

    @Test("advance_flow puts each text back where the plan names it, byte for byte, in arrays and objects")
    func advanceFlowPutsTextsBack() throws {
        let connection = try server.connect()
        let keys = KeySpace(prefix: "plan-texts")
        let flowID = JobID(milliseconds: 1_700_000_000_000)
        let input = #"{"rows":[{"note":"say \"hi\"\n","path":"C:\\tmp"}],"name":"é😀"}"# + String(repeating: " ", count: 2000)
        let result = "[" + String(repeating: #""\u0001\t", "#, count: 300) + "1]"
        let plan: JSONValue = [
            "flow": .string(flowID.rawValue), "retention": 60, "cap": 10, "create": true,
            "ops": [
                [
                    "op": "create", "flow": .string(flowID.rawValue),
                    "fields": ["id", .string(flowID.rawValue), "kind", "flow", "state", "running", "args", .string(input)],
                ],
                ["op": "record", "field": "s0", "value": .string(result)],
                ["op": "record", "field": "s1", "value": .string(input)],
            ],
        ]
        let lifted = PlanTexts(lifting: plan)
        #expect(lifted.texts.count == 2)
        _ = try connection.advanceFlow(plan: lifted.plan.jsonText, texts: lifted.texts, flow: flowID, keys: keys)
        #expect(try connection.send(["HGET", .string(keys.job(flowID)), "args"]).string == input)
        #expect(try connection.send(["HGET", .string(keys.flowResults(flowID)), "s0"]).string == result)
        #expect(try connection.send(["HGET", .string(keys.flowResults(flowID)), "s1"]).string == input)
    }

    @Test("a plan naming a text it was not given is refused before anything is written")
    func missingTextRefused() throws {
        let connection = try server.connect()
        let keys = KeySpace(prefix: "plan-texts-missing")
        let flowID = JobID(milliseconds: 1_700_000_000_000)
        let flow = flowID.rawValue
        for reference in [#"{"$argv":3}"#, #"{"$argv":1}"#, #"{"$argv":"2"}"#, #"{"$argv":2.5}"#] {
            let plan =
                #"{"flow":"\#(flow)","retention":60,"cap":10,"create":true,"ops":[{"op":"create","flow":"\#(flow)","fields":["id","\#(flow)","kind","flow","state","running"]},"#
                + #"{"op":"record","field":"s0","value":\#(reference)}]}"#
            do {
                _ = try connection.advanceFlow(plan: plan, texts: ["a text"], flow: flowID, keys: keys)
                Issue.record("the plan naming \(reference) was applied")
            } catch {
                #expect("\(error)".contains("names a text it was not given"), "\(error)")
            }
            #expect(try connection.send(["EXISTS", .string(keys.job(flowID))]).integer == 0, "nothing was written for \(reference)")
        }
    }
}
