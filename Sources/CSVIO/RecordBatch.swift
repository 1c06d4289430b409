/// A run of consecutive records from one chunk of a file, in file order.
///
/// Fields are stored unescaped in one byte buffer; the raw text of every record (exactly as in
/// the file, without its line terminator) stays available for the rejects file.
public struct RecordBatch: Sendable {
    /// The chunk's text (UTF-8) from its first record to its last record's end.
    var text: [UInt8] = []
    /// Byte offset of `text[0]` in the (decoded) input.
    var textOffset = 0
    var fieldBytes: [UInt8] = []
    var fieldEnds: [Int32] = []
    /// Cumulative number of fields after each record.
    var recordFieldEnds: [Int32] = []
    var rawStarts: [Int32] = []
    var rawEnds: [Int32] = []
    /// Starting physical line of each record (1-based once the reader has placed the chunk).
    var lines: [Int] = []
    var problems: [Int: CSVRecordProblem] = [:]

    /// Number of records.
    public var count: Int { lines.count }

    /// The record at `index` (0-based within the batch).
    public subscript(index: Int) -> CSVRecord { CSVRecord(batch: self, index: index) }

    /// Number of records flagged with a problem.
    public var problemCount: Int { problems.count }
}

/// One record of a ``RecordBatch``: its position, fields, raw text and any problem.
public struct CSVRecord {
    let batch: RecordBatch
    let index: Int

    /// Physical line (1-based) on which the record starts.
    public var line: Int { batch.lines[index] }
    /// Byte offset of the record's first byte in the input (after decoding, for non-UTF-8 input).
    public var byteOffset: Int { batch.textOffset + Int(batch.rawStarts[index]) }
    /// Set when the record could not be read as a row of the header's width.
    public var problem: CSVRecordProblem? { batch.problems[index] }

    private var firstField: Int { index == 0 ? 0 : Int(batch.recordFieldEnds[index - 1]) }
    public var fieldCount: Int { Int(batch.recordFieldEnds[index]) - firstField }

    /// The bytes of field `column` (unescaped), valid for the duration of `body`.
    public func withFieldBytes<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let f = firstFieldIndex + column
        let start = f == 0 ? 0 : Int(batch.fieldEnds[f - 1])
        let end = Int(batch.fieldEnds[f])
        return try batch.fieldBytes.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[start..<end]))
        }
    }

    var firstFieldIndex: Int { firstField }

    /// Field `column` as a string (empty when the record has fewer fields).
    public func field(_ column: Int) -> String {
        guard column < fieldCount else { return "" }
        return withFieldBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as strings.
    public var fields: [String] { (0..<fieldCount).map(field) }

    /// The record's text exactly as in the input, without its line terminator.
    public var raw: String {
        let range = Int(batch.rawStarts[index])..<Int(batch.rawEnds[index])
        return batch.text.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The raw bytes, for callers that must not lose invalid UTF-8.
    public var rawBytes: ArraySlice<UInt8> { batch.text[Int(batch.rawStarts[index])..<Int(batch.rawEnds[index])] }
}
