import Glibc

/// Writes a whole buffer to an open file descriptor, going on after short writes and `EINTR`.
public enum DescriptorWriter {
    /// Writes every byte of `bytes` to `descriptor`; on failure, the `errno` text.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress?.advanced(by: offset), $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return String(cString: strerror(errno)) }
            offset += written
        }
        return nil
    }
}
