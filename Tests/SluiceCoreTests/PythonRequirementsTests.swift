import SluiceScripts
import Testing

@Suite("Python requirements: declared or inferred")
struct PythonRequirementsTests {
    @Test("PEP 723 inline metadata wins, with its dependencies as written")
    func pep723() throws {
        let script = """
            # /// script
            # requires-python = ">=3.11"
            # dependencies = [
            #   "six==1.17.0",  # pinned
            #   'idna>=3',
            # ]
            # ///
            import yaml

            def main(): pass
            """
        let found = try PythonRequirements(script: script)
        #expect(found == PythonRequirements(requirements: ["six==1.17.0", "idna>=3"], source: .pep723))
    }

    @Test("Windmill's # requirements: block, up to the first line that is not a comment")
    func windmillBlock() throws {
        let script = "# requirements:\n# six==1.17.0\n#idna\n\nimport requests\n"
        #expect(try PythonRequirements(script: script) == PythonRequirements(requirements: ["six==1.17.0", "idna"], source: .windmill))
        // An empty block declares no packages: the escape hatch from inference.
        #expect(try PythonRequirements(script: "# requirements:\n\nimport mystery_module\n").requirements == [])
    }

    @Test("inferred from imports: standard library, relative imports, Sluice's helpers and docstrings skipped; known names mapped")
    func inferred() throws {
        let script = """
            \"\"\"A script.

            import notarequirement
            \"\"\"
            from __future__ import annotations
            import os, sys, json
            import six
            import yaml as pyyaml
            from dateutil import parser
            from PIL.Image import open as open_image
            from . import sibling
            import wmill, sluice
            import idna.core  # a submodule

            def main():
                import bs4
                return six.PY3
            """
        let found = try PythonRequirements(script: script)
        #expect(found.source == .inferred)
        #expect(found.requirements == ["six", "PyYAML", "python-dateutil", "Pillow", "idna", "beautifulsoup4"])
        #expect(try PythonRequirements(script: "import json\ndef main(): return 1\n").requirements == [])
    }

    @Test("a PEP 723 block that is not closed, or whose dependencies are not strings, is refused")
    func malformed() {
        #expect(throws: ScriptRequirementsError.self) { try PythonRequirements(script: "# /// script\n# dependencies = []\nimport six\n") }
        #expect(throws: ScriptRequirementsError.self) { try PythonRequirements(script: "# /// script\n# dependencies = [six]\n# ///\n") }
    }
}
