import Foundation
import SluiceFuzzing

#if FUZZING
    import CLibFuzzer
#endif

// `sluice-fuzz`: the libFuzzer entry point of every fuzz target (`make fuzz` builds it with
// `-sanitize=fuzzer,address -DFUZZING` and picks the target with SLUICE_FUZZ_TARGET), or, built
// normally, a replayer: `sluice-fuzz TARGET FILE|DIR...` runs the target's check on each input.

#if FUZZING
    /// The target this fuzzing process checks, named by SLUICE_FUZZ_TARGET.
    let fuzzedTarget: any FuzzCheck.Type = {
        let name = ProcessInfo.processInfo.environment["SLUICE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTargets.named(name) else {
            fatalError("SLUICE_FUZZ_TARGET must be one of \(FuzzTargets.all.map { $0.name }), got '\(name)'")
        }
        return target
    }()

    /// libFuzzer calls this with each input; a problem is reported as a crash, so libFuzzer keeps the input.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let problems = fuzzedTarget.problems(input)
        if !problems.isEmpty { fatalError("\(fuzzedTarget.name): " + problems.joined(separator: "; ")) }
        return 0
    }

    /// SwiftPM links an executable's entry point under this name (`main` is defined as it), so a
    /// fuzz build starts libFuzzer's driver here instead of libFuzzer's own `main`.
    @_cdecl("sluice_fuzz_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
    }
#else
    @main
    enum FuzzReplay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let name = arguments.first, let target = FuzzTargets.named(name), arguments.count > 1 else {
                print("usage: sluice-fuzz TARGET FILE|DIR... (targets: \(FuzzTargets.all.map { $0.name }.joined(separator: ", ")))")
                exit(2)
            }
            var checked = 0
            var failed = 0
            for path in arguments.dropFirst() {
                for file in FuzzCorpus.files(at: path) {
                    checked += 1
                    let problems = target.problems(FuzzCorpus.bytes(of: file))
                    if !problems.isEmpty {
                        failed += 1
                        print("\(file): " + problems.joined(separator: "; "))
                    }
                }
            }
            print("\(target.name): \(checked) inputs, \(failed) with problems")
            exit(failed == 0 ? 0 : 1)
        }
    }
#endif
