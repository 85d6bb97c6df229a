import Foundation
import SluiceFuzzing
import Testing

/// Every input kept for the fuzz targets — the hand-written seeds, the committed corpus and the
/// inputs that once broke something (`fuzz/regressions`) — checked again on every `make test`,
/// so a crash found by `make fuzz` stays fixed.
@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz").path

    static let targetNames = FuzzTargets.all.map { $0.name }

    @Test("the seeds, corpus and regressions of each target show no problem", arguments: targetNames)
    func replay(target name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let files = ["seeds", "corpus", "regressions"].flatMap { FuzzCorpus.files(at: "\(Self.fuzzDirectory)/\($0)/\(name)") }
        #expect(files.count >= 20, "the \(name) corpus is committed")
        for file in files {
            let problems = target.problems(FuzzCorpus.bytes(of: file))
            #expect(problems.isEmpty, "\(file): \(problems)")
        }
    }
}
