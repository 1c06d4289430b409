import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unlinked temporary files read and written at given offsets: the clean stage's reject logs
/// and duplicate spill, which keep what grows with the rows out of memory.
enum TemporaryFile {
    /// Creates `prefix-XXXXXX` in the temporary folder (`$TMPDIR`, else `/tmp`) and unlinks it
    /// at once, so nothing is left behind, even by a crash. The descriptor is -1 (and `errno`
    /// says why) when no file could be created.
    static func openUnlinked(prefix: String) -> (descriptor: Int32, path: String) {
        var template = Array((NSTemporaryDirectory() + "/" + prefix + "-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if descriptor >= 0 { unlink(path) }
        return (descriptor, path)
    }

    /// Writes all of `bytes` at `offset`; false on an error (`errno` says which).
    static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        whole(bytes.count) { done in pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
    }

    /// Fills all of `buffer` from `offset`; false on an error or at the end of the file.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        whole(buffer.count) { done in pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done)) }
    }

    /// Repeats `transfer` (a `pwrite` or `pread` of what remains after `done` bytes) until
    /// `count` bytes have moved, again after an interrupted call; false when a call fails or
    /// moves nothing.
    private static func whole(_ count: Int, _ transfer: (_ done: Int) -> Int) -> Bool {
        var done = 0
        while done < count {
            let n = transfer(done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
