import Foundation

/// A value given on the command line, in a file or on standard input (`variable set`,
/// `resource set`). One trailing newline is dropped from a file or stdin, as `echo value > file`
/// adds it.
public enum ValueInput {
    public static func read(argument: String?, file: String?, stdin: Bool) throws -> String {
        if let argument { return argument }
        let data: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read '\(file)'") }
            data = contents
        } else if stdin {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            throw CommandFailure("no value given")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("the value is not UTF-8 text") }
        return dropTrailingNewline(text)
    }

    /// `text` without one final `\n` (or `\r\n`).
    public static func dropTrailingNewline(_ text: String) -> String {
        if text.hasSuffix("\r\n") { return String(text.dropLast(2)) }
        if text.hasSuffix("\n") { return String(text.dropLast()) }
        return text
    }
}
