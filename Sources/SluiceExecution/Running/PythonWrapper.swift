/// The Python program that runs a python3 script the Windmill way: it imports the script, calls
/// `main(**args)` with the arguments `main` accepts (for a triggered run with a preprocessor: the
/// dict `preprocessor(event)` returns), and writes `json.dumps` of the return value to
/// `result.json`; an exception is written to `error.json` with its traceback (and printed to stderr).
enum PythonWrapper {
    static let fileName = "_sluice_wrapper.py"

    /// `Programs/python/_sluice_wrapper.py`.
    static let source = String(decoding: PackageResources._sluice_wrapper_py, as: UTF8.self)
}
