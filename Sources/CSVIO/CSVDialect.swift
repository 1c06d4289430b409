/// How a CSV file is written: separator, quote, header, text encoding.
///
/// Line endings (LF or CRLF) and a byte-order mark are recognised on their own; they are not
/// part of the dialect.
public struct CSVDialect: Sendable, Hashable {
    /// Field separator: `,` `;` tab or `|` in practice; any single ASCII byte is accepted.
    public var delimiter: UInt8
    /// Quote character (RFC 4180: `"`, doubled inside a quoted field).
    public var quote: UInt8
    /// Whether the first record names the columns.
    public var hasHeader: Bool
    /// Text encoding of the file's bytes.
    public var encoding: TextEncoding
    /// Physical lines above the header (a report title, an export date) that are skipped,
    /// counted, and never parsed.
    public var skipRows = 0

    public init(
        delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\""),
        hasHeader: Bool = true, encoding: TextEncoding = .utf8
    ) {
        self.delimiter = delimiter
        self.quote = quote
        self.hasHeader = hasHeader
        self.encoding = encoding
    }
}

/// The text encodings kam reads. Both are decoded strictly: a bad byte is an error.
public enum TextEncoding: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    /// GB18030, a superset of GBK and GB2312 (Chinese Windows exports), decoded with iconv.
    case gb18030

    /// Accepts the spellings people write in config files (`UTF8`, `gbk`, `GB2312`, …).
    public init?(label: String) {
        switch String(label.lowercased().map { $0 == "_" ? "-" : $0 }) {
        case "utf-8", "utf8": self = .utf8
        case "gb18030", "gbk", "gb2312", "cp936": self = .gb18030
        default: return nil
        }
    }
}
