import Foundation

/// What a Python script needs from PyPI, read from its text, in this order:
///
/// 1. PEP 723 inline metadata — a `# /// script` … `# ///` comment block whose TOML has
///    `dependencies = ["six==1.17", "idna"]`;
/// 2. Windmill's `# requirements:` block — a comment line `# requirements:` followed by one
///    requirement per comment line (`# six==1.17.0`), up to the first line that is not a comment;
/// 3. otherwise, inferred from the script's imports: every `import x` / `from x import …` whose
///    top-level module is not in the standard library, not relative and not one of Sluice's helper
///    modules (`sluice`, `wmill`), becomes a requirement, named by ``importToPackage`` when the
///    module and its PyPI project differ (`yaml` → `PyYAML`), else by the module's name.
///
/// A declaration, even an empty one, turns inference off: that is the escape hatch for imports the
/// table maps wrongly or modules that come from elsewhere.
public struct PythonRequirements: Sendable, Equatable {
    /// Where the requirements came from.
    public enum Source: String, Sendable {
        case pep723 = "PEP 723 metadata"
        case windmill = "# requirements: block"
        case inferred = "imports"
    }

    public var requirements: [String]
    public var source: Source

    /// Import names whose PyPI project is named differently.
    public static let importToPackage: [String: String] = [
        "yaml": "PyYAML", "PIL": "Pillow", "cv2": "opencv-python", "sklearn": "scikit-learn", "skimage": "scikit-image",
        "bs4": "beautifulsoup4", "dateutil": "python-dateutil", "dotenv": "python-dotenv", "jwt": "PyJWT", "jose": "python-jose",
        "Crypto": "pycryptodome", "OpenSSL": "pyOpenSSL", "nacl": "PyNaCl", "magic": "python-magic", "docx": "python-docx",
        "pptx": "python-pptx", "serial": "pyserial", "usb": "pyusb", "ldap": "python-ldap", "MySQLdb": "mysqlclient",
        "psycopg2": "psycopg2-binary", "attr": "attrs", "git": "GitPython", "slugify": "python-slugify", "multipart": "python-multipart",
        "telegram": "python-telegram-bot", "discord": "discord.py", "zmq": "pyzmq", "gi": "PyGObject", "fitz": "PyMuPDF",
        "Levenshtein": "python-Levenshtein", "dns": "dnspython", "kafka": "kafka-python", "ruamel": "ruamel.yaml",
        "google": "protobuf", "grpc": "grpcio", "pkg_resources": "setuptools", "markdown": "Markdown", "mpl_toolkits": "matplotlib",
        "stripe": "stripe", "boto3": "boto3", "botocore": "botocore", "snowflake": "snowflake-connector-python",
    ]

    /// Modules Sluice provides to every script; never requirements.
    public static let provided: Set<String> = ["sluice", "wmill"]

    /// The script's requirements; throws when a declaration cannot be read.
    public init(script: String) throws(ScriptRequirementsError) {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.trimmingSuffix("\r")) }
        if let declared = try Self.pep723(lines) {
            self.init(requirements: declared, source: .pep723)
        } else if let declared = Self.windmillBlock(lines) {
            self.init(requirements: declared, source: .windmill)
        } else {
            self.init(requirements: Self.inferred(lines), source: .inferred)
        }
    }

    public init(requirements: [String], source: Source) {
        self.requirements = requirements
        self.source = source
    }

    /// The requirements as a requirements.txt (one per line), what uv resolves.
    public var text: String { requirements.map { $0 + "\n" }.joined() }

    // MARK: - PEP 723

    static func pep723(_ lines: [String]) throws(ScriptRequirementsError) -> [String]? {
        guard let start = lines.firstIndex(where: { $0.trimmingTrailingSpaces == "# /// script" }) else { return nil }
        var toml: [String] = []
        var closed = false
        for line in lines[(start + 1)...] {
            if line.trimmingTrailingSpaces == "# ///" {
                closed = true
                break
            }
            guard line.hasPrefix("#") else { break }
            toml.append(line.hasPrefix("# ") ? String(line.dropFirst(2)) : String(line.dropFirst()))
        }
        guard closed else { throw ScriptRequirementsError("the `# /// script` block (PEP 723) is not closed with `# ///`") }
        let text = toml.joined(separator: "\n")
        guard let key = text.range(of: "dependencies") else { return [] }
        var rest = text[key.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { throw ScriptRequirementsError("PEP 723: expected `dependencies = [...]`") }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard rest.first == "[" else { throw ScriptRequirementsError("PEP 723: `dependencies` must be a list of strings") }
        rest = rest.dropFirst()
        var requirements: [String] = []
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "," }
            if rest.first == "#" { rest = rest.drop { $0 != "\n" }; continue }
            guard let first = rest.first else { throw ScriptRequirementsError("PEP 723: the `dependencies` list is not closed") }
            if first == "]" { return requirements }
            guard first == "\"" || first == "'" else {
                throw ScriptRequirementsError("PEP 723: `dependencies` must be a list of strings, found '\(rest.prefix(20))'")
            }
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: first) else { throw ScriptRequirementsError("PEP 723: an unterminated string in `dependencies`") }
            let requirement = String(body[..<end]).trimmingTrailingSpaces
            if !requirement.isEmpty { requirements.append(requirement) }
            rest = body[body.index(after: end)...]
        }
    }

    // MARK: - Windmill's # requirements:

    static func windmillBlock(_ lines: [String]) -> [String]? {
        guard let start = lines.firstIndex(where: { $0.trimmingTrailingSpaces == "# requirements:" || $0.trimmingTrailingSpaces == "#requirements:" })
        else { return nil }
        var requirements: [String] = []
        for line in lines[(start + 1)...] {
            guard line.hasPrefix("#") else { break }
            let requirement = String(line.dropFirst()).trimmingLeadingSpaces.trimmingTrailingSpaces
            if requirement.isEmpty { break }
            requirements.append(requirement)
        }
        return requirements
    }

    // MARK: - Inference

    static func inferred(_ lines: [String]) -> [String] {
        var packages: [String] = []
        var inString: String?
        for raw in lines {
            // Skip the insides of triple-quoted strings (docstrings), where "import x" is prose.
            var line = Substring(raw)
            if let quote = inString {
                guard let end = line.range(of: quote) else { continue }
                line = line[end.upperBound...]
                inString = nil
            }
            let stripped = line.trimmingLeadingSpaces
            for quote in ["\"\"\"", "'''"] where stripped.hasPrefix(quote) {
                let after = stripped.dropFirst(3)
                if !after.contains(quote) { inString = quote }
            }
            if inString != nil { continue }
            for module in importedModules(stripped) {
                let top = String(module.split(separator: ".").first ?? "")
                guard !top.isEmpty, !PythonStandardLibrary.modules.contains(top), !provided.contains(top), top != "__future__" else { continue }
                let package = importToPackage[top] ?? top
                if !packages.contains(package) { packages.append(package) }
            }
        }
        return packages
    }

    /// The absolute modules an `import` or `from … import` statement names.
    static func importedModules(_ statement: String) -> [String] {
        let code = statement.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if code.hasPrefix("import ") {
            return code.dropFirst(7).split(separator: ",").compactMap { part in
                let name = part.trimmingLeadingSpaces.split(separator: " ").first.map(String.init) ?? ""
                return isModuleName(name) ? name : nil
            }
        }
        if code.hasPrefix("from ") {
            let name = code.dropFirst(5).trimmingLeadingSpaces.split(separator: " ").first.map(String.init) ?? ""
            guard isModuleName(name), code.contains(" import") else { return [] }
            return [name]
        }
        return []
    }

    private static func isModuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "." else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

/// A requirements declaration that cannot be read.
public struct ScriptRequirementsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension StringProtocol {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " || $0 == "\t" }) }
    var trimmingTrailingSpaces: String {
        var text = String(self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }
    func trimmingSuffix(_ suffix: String) -> SubSequence {
        hasSuffix(suffix) ? self[..<index(endIndex, offsetBy: -suffix.count)] : self[...]
    }
}
