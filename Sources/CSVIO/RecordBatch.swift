/// A run of consecutive records from one chunk of a file, in file order. Immutable.
///
/// Fields are stored unescaped in one byte buffer; the raw text of every record (exactly as in
/// the file, without its line terminator) stays available for the rejects file.
public final class RecordBatch: Sendable {
    /// The chunk's text (UTF-8) from its first record to its last record's end.
    let text: [UInt8]
    /// Byte offset of `text[0]` in the (decoded) input.
    let textOffset: Int
    let fields: FieldStorage
    /// Cumulative number of fields after each record.
    let recordFieldEnds: [Int32]
    let rawStarts: [Int32]
    let rawEnds: [Int32]
    /// Starting physical line of each record, relative to `firstLine`.
    let relativeLines: [Int32]
    let firstLine: Int
    let problems: [Int: CSVRecordProblem]

    init(parts: ChunkParts, firstLine: Int, textOffset: Int) {
        text = parts.text
        self.textOffset = textOffset
        fields = parts.fields
        recordFieldEnds = parts.recordFieldEnds
        rawStarts = parts.rawStarts
        rawEnds = parts.rawEnds
        relativeLines = parts.lines
        self.firstLine = firstLine
        problems = parts.problems
    }

    /// Number of records.
    public var count: Int { relativeLines.count }

    /// The record at `index` (0-based within the batch).
    public subscript(index: Int) -> CSVRecord { CSVRecord(batch: self, index: index) }

    /// Number of records flagged with a problem.
    public var problemCount: Int { problems.count }
}

/// The unescaped field bytes of a batch and each field's end offset, owned here and freed with
/// the batch.
// @unchecked because the buffers are written only before the storage is handed to a batch.
final class FieldStorage: @unchecked Sendable {
    let bytes: UnsafeMutablePointer<UInt8>
    let ends: UnsafeMutablePointer<Int32>
    let count: Int

    init(bytes: UnsafeMutablePointer<UInt8>, ends: UnsafeMutablePointer<Int32>, count: Int) {
        self.bytes = bytes
        self.ends = ends
        self.count = count
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }
}

/// One record of a ``RecordBatch``: its position, fields, raw text and any problem.
public struct CSVRecord {
    let batch: RecordBatch
    let index: Int

    /// Physical line (1-based) on which the record starts.
    public var line: Int { batch.firstLine + Int(batch.relativeLines[index]) }
    /// Byte offset of the record's first byte in the input (after decoding, for non-UTF-8 input).
    public var byteOffset: Int { batch.textOffset + Int(batch.rawStarts[index]) }
    /// Set when the record could not be read as a row of the header's width.
    public var problem: CSVRecordProblem? { batch.problems.isEmpty ? nil : batch.problems[index] }

    private var firstField: Int { index == 0 ? 0 : Int(batch.recordFieldEnds[index - 1]) }
    public var fieldCount: Int { Int(batch.recordFieldEnds[index]) - firstField }

    /// The bytes of field `column` (unescaped), valid for the duration of `body`.
    @inline(__always)
    public func withFieldBytes<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let f = firstField + column
        let storage = batch.fields
        let start = f == 0 ? 0 : Int(storage.ends[f - 1])
        let end = Int(storage.ends[f])
        return try body(UnsafeBufferPointer(start: storage.bytes + start, count: end - start))
    }

    /// Field `column` as a string (empty when the record has fewer fields).
    public func field(_ column: Int) -> String {
        guard column < fieldCount else { return "" }
        return withFieldBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as strings.
    public var fields: [String] { (0..<fieldCount).map(field) }

    /// The record's text exactly as in the input, without its line terminator.
    public var raw: String { String(decoding: rawBytes, as: UTF8.self) }

    /// The raw bytes, for callers that must not lose invalid UTF-8.
    public var rawBytes: ArraySlice<UInt8> { batch.text[Int(batch.rawStarts[index])..<Int(batch.rawEnds[index])] }
}
