#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a column holds text (guarded against formula injection) or numbers (never altered).
public enum CSVColumnKind: Sendable, Hashable {
    case text
    case number
}

/// Writes RFC 4180 CSV: `,` delimiter, LF line ends, fields quoted only when they contain the
/// delimiter, a quote, CR or LF, quotes doubled.
///
/// Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab
/// or CR) get a leading `'`. Number columns are written exactly as given.
public struct CSVWriter: Sendable {
    public let columns: [String]
    public let kinds: [CSVColumnKind]
    public let byteOrderMark: Bool
    private var output: [UInt8] = []

    /// - Parameters:
    ///   - columns: the header, in the order every row follows.
    ///   - kinds: one per column; defaults to text for all.
    ///   - byteOrderMark: write a UTF-8 BOM first (Excel then opens the file as UTF-8).
    public init(columns: [String], kinds: [CSVColumnKind]? = nil, byteOrderMark: Bool = false) {
        precondition(kinds == nil || kinds!.count == columns.count, "one kind per column")
        self.columns = columns
        self.kinds = kinds ?? Array(repeating: .text, count: columns.count)
        self.byteOrderMark = byteOrderMark
        if byteOrderMark { output += [0xEF, 0xBB, 0xBF] }
        appendRow(columns, guardFormulas: false)
    }

    /// Appends one row; it must have one value per column.
    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "row has \(row.count) values for \(columns.count) columns")
        appendRow(row, guardFormulas: true)
    }

    private mutating func appendRow(_ row: [String], guardFormulas: Bool) {
        for (i, value) in row.enumerated() {
            if i > 0 { output.append(UInt8(ascii: ",")) }
            let cell = guardFormulas && kinds[i] == .text ? Self.neutralised(value) : value
            Self.appendField(cell, to: &output)
        }
        output.append(0x0A)
    }

    /// A text cell with a leading `'` when it starts with a formula trigger.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D:
            return "'" + value
        default:
            return value
        }
    }

    /// One field as RFC 4180 writes it (quoted only when needed), without the formula guard.
    public static func escape(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendField(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendField(_ value: String, to output: inout [UInt8]) {
        let bytes = value.utf8
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes {
            output.append(contentsOf: bytes)
            return
        }
        output.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { output.append(b) }
            output.append(b)
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The file's bytes so far.
    public var bytes: [UInt8] { output }

    /// The bytes so far, which the writer then forgets (to write a long file in pieces).
    public mutating func takeBytes() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// Writes the file (creating or replacing it).
    public func write(to path: String) throws {
        try Self.writeFile(path, bytes: output)
    }

    /// Writes bytes to a file with POSIX calls, reporting failures with the path.
    public static func writeFile(_ path: String, bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw CSVError.writeFailed(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CSVError.writeFailed(file: path, reason: String(cString: strerror(errno)))
                }
                written += n
            }
        }
    }
}
