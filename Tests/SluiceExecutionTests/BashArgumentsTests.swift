import Testing

@testable import SluiceExecution

@Suite("bash argument declarations")
struct BashArgumentsTests {
    @Test(
        "declared names in positional order",
        arguments: [
            ("name=\"$1\"\ncount=$2\n", ["name", "count"]),
            ("b=\"${2:-x}\"\na=\"$1\"\n", ["a", "b"]),
            ("  local msg='$1'\nexport level=\"${2}\"\n", ["msg", "level"]),
            ("x=$10\ny=$1\n", ["y", "x"]),
            ("echo $1\nv=\"$1x\"\nok=\"$1\"\n", ["ok"]),
            ("# comment=$1\nname=\"$1\"\n", ["name"]),
            ("", []),
        ])
    func declared(script: String, names: [String]) {
        #expect(BashArguments.declaredNames(in: script) == names)
    }
}
