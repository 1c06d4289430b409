#if canImport(Glibc)
    import Glibc
#endif

/// Tells a file declared UTF-8 that is really GB18030 (GBK) from one that is merely damaged,
/// so the error can say which `encoding:` to set instead of rejecting every Chinese row as
/// `not_text`.
public enum EncodingSniffer {
    /// How much of the file's start is looked at.
    public static let sampleBytes = 1 << 20

    /// The byte offset of the first byte that is not UTF-8, when the file's first
    /// ``sampleBytes`` (up to its last line feed) are not valid UTF-8 but are valid GB18030
    /// holding Chinese characters; nil otherwise (valid UTF-8, or neither).
    public static func gb18030Evidence(path: String) -> Int? {
        guard let sample = readSample(path) else { return nil }
        guard let offset = firstInvalidUTF8(sample) else { return nil }
        guard let decoded = decodeGB18030(sample) else { return nil }
        let hasChinese = decoded.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) || (0x3400...0x4DBF).contains($0.value) }
        return hasChinese ? offset : nil
    }

    /// The file's first bytes, cut after the last line feed (ASCII in both encodings, so no
    /// character is split), or all of a short file.
    static func readSample(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: sampleBytes)
        var count = 0
        while count < sampleBytes {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, sampleBytes - count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        if count == sampleBytes, let lastLineFeed = bytes.lastIndex(of: 0x0A) { bytes.removeSubrange((lastLineFeed + 1)...) }
        return bytes
    }

    /// The offset of the first byte of the first sequence that is not UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The bytes decoded strictly from GB18030, or nil when any sequence is invalid.
    static func decodeGB18030(_ bytes: [UInt8]) -> String? {
        guard let cd = iconv_open("UTF-8", "GB18030"), cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        let (result, produced): (Int, Int) = input.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                var ip = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var op = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inRaw.count, outLeft = outRaw.count
                let r = iconv(cd, &ip, &inLeft, &op, &outLeft)
                return (inLeft == 0 ? r : -1, outRaw.count - outLeft)
            }
        }
        guard result != -1 else { return nil }
        return String(decoding: output.prefix(produced), as: UTF8.self)
    }
}
