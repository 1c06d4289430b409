/// A file that cannot be read at all. Problems with single records are not errors: they come
/// out as records flagged with a ``CSVRecordProblem``.
public enum CSVError: Error, Sendable, Equatable {
    case cannotOpen(file: String, reason: String)
    case readFailed(file: String, reason: String)
    /// The file has no header row (zero bytes, or only a byte-order mark and blank lines).
    case emptyFile(file: String)
    /// A byte sequence that is not valid in the declared encoding.
    case invalidEncoding(file: String, byteOffset: Int, encoding: String)
    /// The header row itself is malformed (bad quoting, not text).
    case badHeader(file: String, line: Int, reason: String)
    /// A single record is larger than the reader will buffer.
    case recordTooLarge(file: String, line: Int, limitBytes: Int)
    case writeFailed(file: String, reason: String)
}

extension CSVError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason): return "\(file): cannot open: \(reason)"
        case .readFailed(let file, let reason): return "\(file): read failed: \(reason)"
        case .emptyFile(let file): return "\(file): the file is empty (expected a header row)"
        case .invalidEncoding(let file, let offset, let encoding):
            return "\(file): byte offset \(offset): invalid \(encoding) byte sequence (is the declared encoding right?)"
        case .badHeader(let file, let line, let reason): return "\(file):\(line): bad header row: \(reason)"
        case .recordTooLarge(let file, let line, let limit):
            return "\(file):\(line): a record is larger than \(limit) bytes (unterminated quote?)"
        case .writeFailed(let file, let reason): return "\(file): write failed: \(reason)"
        }
    }
}

/// Why a record could not be read as a row of fields. The record still comes out, with its
/// line and raw text, so the clean stage can put it in the rejects file.
public enum CSVRecordProblem: Sendable, Hashable {
    /// The number of fields differs from the header's.
    case fieldCount(expected: Int, found: Int)
    /// A quoted field is never closed before the end of the file.
    /// A quote opened on the record's first line is never closed, or the field it opens runs
    /// across lines into a record of the wrong width or a bad quote: a stray quote. The
    /// record is that first line alone; reading goes on from the next line.
    case unterminatedQuote
    /// A quote character where RFC 4180 does not allow one (`ab"c`, `"ab"c`).
    case badQuote
    /// The record's bytes are not valid UTF-8 or contain NUL bytes (binary data).
    case notText
    /// A carriage return outside quotes in the middle of a line (old Mac line ends, or a CR
    /// typed into an unquoted field).
    case bareCarriageReturn

    /// A stable code for the rejects file.
    public var code: String {
        switch self {
        case .fieldCount: return "field_count"
        case .unterminatedQuote: return "unterminated_quote"
        case .badQuote: return "bad_quote"
        case .notText: return "not_text"
        case .bareCarriageReturn: return "bare_carriage_return"
        }
    }

    public var message: String {
        switch self {
        case .fieldCount(let expected, let found): return "expected \(expected) fields as in the header, found \(found)"
        case .unterminatedQuote:
            return "a quote opened on this line is not closed, or the field it opens runs across lines into a record of the wrong width (a stray quote); only this line is rejected"
        case .badQuote: return "a quote character inside a field that RFC 4180 does not allow"
        case .notText: return "the record is not UTF-8 text (binary data or NUL bytes)"
        case .bareCarriageReturn: return "a carriage return outside quotes that does not end the line"
        }
    }
}
