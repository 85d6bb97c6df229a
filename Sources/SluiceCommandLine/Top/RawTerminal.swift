import Glibc

/// The terminal in raw mode on the alternate screen, for a live full-screen view: keys arrive one
/// at a time without echo, and ``restore()`` puts everything back as it was.
public final class RawTerminal {
    private var saved = termios()
    private var active = false

    /// Whether standard input and output are both a terminal.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    public init() {}

    /// Raw input, alternate screen, hidden cursor.
    public func enter() {
        guard !active, tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG)
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        write("\u{1B}[?1049h\u{1B}[?25l")
        active = true
    }

    /// Back to the screen and modes the terminal had.
    public func restore() {
        guard active else { return }
        write("\u{1B}[?25h\u{1B}[?1049l")
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
        active = false
    }

    /// Draws `lines` from the top left without clearing first (no flicker): each line is
    /// overwritten and its rest erased, then everything below the last line.
    public func draw(_ lines: [String]) {
        var frame = "\u{1B}[H"
        for line in lines { frame += line + "\u{1B}[K\r\n" }
        frame += "\u{1B}[J"
        write(frame)
    }

    /// Waits up to `milliseconds` for a key; returns it, or nil when none came.
    public func key(waitingAtMost milliseconds: Int32) -> UInt8? {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return nil }
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = Glibc.write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    deinit { restore() }
}
