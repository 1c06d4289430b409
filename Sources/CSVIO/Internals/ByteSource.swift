#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Called with the file's raw bytes (before any decoding) as they are read: once each, in
/// order, on the reading thread. For digests computed in the same pass as the parse.
public typealias RawBytesObserver = @Sendable (UnsafeRawBufferPointer) -> Void

/// A stream of UTF-8 bytes from a file: read as is, or decoded from GB18030 with iconv.
protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; returns 0 at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    func close()
}

/// Reads a file with POSIX `read(2)` in the caller's buffer (no whole-file load).
final class FileByteSource: ByteSource {
    let path: String
    /// The open file (-1 once closed).
    private(set) var fd: Int32
    /// Bytes read so far (each seen by the observer).
    private(set) var bytesRead = 0
    /// Sees every byte of the file once, in order, as it is read.
    private let observer: RawBytesObserver?

    init(path: String, observer: RawBytesObserver? = nil) throws {
        self.path = path
        self.observer = observer
        fd = open(path, O_RDONLY)
        if fd < 0 { throw CSVError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + total, buffer.count - total)
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVError.readFailed(file: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            observer?(UnsafeRawBufferPointer(start: buffer.baseAddress! + total, count: n))
            total += n
            bytesRead += n
        }
        return total
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// Decodes GB18030 (GBK, GB2312) to UTF-8 with iconv, strictly: an invalid or truncated byte
/// sequence is an error naming its byte offset in the file, never a replacement character.
final class GB18030ByteSource: ByteSource {
    private let file: FileByteSource
    private let converter: iconv_t
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// File offset of `pending[pendingStart]`.
    private var fileOffset = 0
    private var atEnd = false
    private var closed = false

    init(path: String, observer: RawBytesObserver? = nil) throws {
        file = try FileByteSource(path: path, observer: observer)
        let cd = iconv_open("UTF-8", "GB18030")
        if cd == iconv_t(bitPattern: -1) {
            throw CSVError.cannotOpen(file: path, reason: "iconv cannot convert GB18030 to UTF-8 on this system")
        }
        converter = cd!
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        while produced + 4 <= buffer.count {
            if pendingStart == pending.count || (pending.count - pendingStart < 4 && !atEnd) {
                try refill()
            }
            let available = pending.count - pendingStart
            if available == 0 { break }
            var inLeft = available
            var outLeft = buffer.count - produced
            let consumed: Int = pending.withUnsafeMutableBytes { raw in
                var inPointer: UnsafeMutablePointer<CChar>? = raw.baseAddress!.advanced(by: pendingStart)
                    .assumingMemoryBound(to: CChar.self)
                var outPointer: UnsafeMutablePointer<CChar>? = buffer.baseAddress!.advanced(by: produced)
                    .assumingMemoryBound(to: CChar.self)
                _ = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                return available - inLeft
            }
            let error = errno
            produced = buffer.count - outLeft
            pendingStart += consumed
            fileOffset += consumed
            if inLeft == 0 { continue }
            switch error {
            case E2BIG: return produced
            case EINVAL where !atEnd:
                try refill()  // a multi-byte sequence cut at the block's end
            case EINVAL, EILSEQ:
                throw CSVError.invalidEncoding(file: file.path, byteOffset: fileOffset, encoding: "GB18030")
            default:
                if consumed == 0 {
                    throw CSVError.invalidEncoding(file: file.path, byteOffset: fileOffset, encoding: "GB18030")
                }
            }
        }
        return produced
    }

    private func refill() throws {
        if atEnd { return }
        pending.removeSubrange(0..<pendingStart)
        pendingStart = 0
        let old = pending.count
        pending.append(contentsOf: repeatElement(0, count: 1 << 20))
        let n = try pending.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...])) }
        pending.removeSubrange((old + n)...)
        if n == 0 { atEnd = true }
    }

    func close() {
        if closed { return }
        closed = true
        file.close()
        iconv_close(converter)
    }

    deinit { close() }
}

/// Encodes UTF-8 text as GB18030 with iconv (for tests and fixtures of Chinese exports).
public enum GB18030Encoder {
    /// Nil when iconv cannot convert (it always can for valid Unicode text).
    public static func encode(_ text: String) -> [UInt8]? {
        guard let cd = iconv_open("GB18030", "UTF-8"), cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var inLeft = input.count, outLeft = output.count
        let result = input.withUnsafeMutableBytes { i in
            output.withUnsafeMutableBytes { o in
                var ip: UnsafeMutablePointer<CChar>? = i.baseAddress?.assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = o.baseAddress?.assumingMemoryBound(to: CChar.self)
                return iconv(cd, &ip, &inLeft, &op, &outLeft)
            }
        }
        guard result != -1, inLeft == 0 else { return nil }
        return Array(output[0..<(output.count - outLeft)])
    }
}
