import Foundation
import Testing

/// The worker's own Python, TypeScript and JavaScript live as files in Sources/SluiceExecution/Programs,
/// compiled in by SwiftPM's `embedInCode` (as `PackageResources.<file name with _ for . and ->`);
/// each must be read by name somewhere in the worker's Swift, so none is carried and never used.
@Suite("Embedded programs")
struct EmbeddedProgramsTests {
    @Test("every file in Sources/SluiceExecution/Programs is read by name in the worker's Swift, and nothing else is embedded")
    func everyProgramIsUsed() throws {
        let execution = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SluiceExecution")
        let files = FileManager.default
        var programs: [String] = []
        var swift = ""
        let walker = try #require(files.enumerator(at: execution, includingPropertiesForKeys: nil))
        for case let url as URL in walker {
            if url.pathExtension == "swift" {
                swift += try String(contentsOf: url, encoding: .utf8)
            } else if url.path.contains("/Programs/"), !url.hasDirectoryPath {
                programs.append(url.lastPathComponent)
            }
        }
        #expect(programs.count >= 10, "\(programs)")
        for program in programs {
            let member = String(program.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
            #expect(swift.contains("PackageResources.\(member)"), "Programs/…/\(program) is embedded but no Swift reads it")
        }
        for reference in swift.components(separatedBy: "PackageResources.").dropFirst() {
            let member = String(reference.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            #expect(
                programs.contains { String($0.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }) == member },
                "PackageResources.\(member) names no file in Programs")
        }
    }
}
