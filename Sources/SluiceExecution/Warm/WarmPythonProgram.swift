/// The Python program behind warm runners (see ``WarmRunner``), in one of two modes:
///
/// - `fork`: a fork server. It has imported everything the job wrapper needs; for each job it forks
///   a child that becomes the job: its own process group, a subreaper for what it starts, stdout
///   and stderr on the job's output file, stdin on /dev/null, no other descriptor but its outcome
///   file, the job's environment and scratch directory (its arguments and environment read from a
///   memory file only the child reads, so the server never holds one job's variables when it
///   forks the next), and its own Landlock domain (Linux ≥ 6.12, ABI 6):
///   it can read the system's visible paths and write only its scratch directory, and can neither
///   signal, ptrace nor read /proc/<pid>/environ of any process outside its domain — the server,
///   other jobs — nor reach their abstract unix sockets. The server itself is a subreaper: what a
///   job leaves running when it exits is reparented to the server and killed.
/// - `dedicated`: one long-lived process per script version that imported the script once and runs
///   its jobs in-process, one at a time (each with its own scratch directory, environment and output
///   file), inside one Landlock domain of its own.
///
/// Protocol on fd 0/1 (a unix socket to the worker; the runner moves it off fd 0 and puts
/// /dev/null there), one line per message. The worker's messages separate their fields with tabs
/// (a directory or a job's JSON may hold spaces); the runner's answers with spaces, and an
/// outcome after a tab. The worker sends `run TOKEN DIR [SCRIPT]` with the job's output file attached
/// (SCM_RIGHTS; a fork server compiles SCRIPT, the worker's cached copy, once, and its children
/// run the compiled code — they cannot read the cache themselves; a fork server also gets two
/// memory files: the job's arguments and environment, which only the child reads, and the one
/// the child writes its outcome to, `{"result": …}` or `{"error": …}`) and, only after that job's
/// `run`, `kill TOKEN` (a kill for a token the runner does not know is ignored); the runner
/// answers `ready ABI` once, then per job `started TOKEN PID` (a fork server: the child's pid in
/// its PID namespace, so the worker can tell the job's processes from other jobs' on its channel)
/// and `exit TOKEN CODE` or `signal TOKEN SIGNAL`. A dedicated
/// process gets the job's arguments and environment in the message (`run TOKEN DIR - JOB`) and
/// answers with the outcome (`exit TOKEN CODE<TAB>{"result": …}` or `{"error": …}`): two files
/// fewer per job. End of file
/// on the socket (the worker exited, even by SIGKILL) kills every job and ends the runner.
enum WarmPythonProgram {
    static let fileName = "_sluice_warm.py"

    /// `Programs/python/_sluice_warm.py`.
    static let source = String(decoding: PackageResources._sluice_warm_py, as: UTF8.self)
}
