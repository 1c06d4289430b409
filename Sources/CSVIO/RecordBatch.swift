import CLibcsv

/// A run of consecutive records from one chunk of a file, in file order. Immutable.
///
/// The batch keeps the chunk's text; a field is a range of it (or, for a quoted field, of the
/// unescaped copy kept after the text), so the raw text of every record (exactly as in the
/// file, without its line terminator) stays available for the rejects file.
public final class RecordBatch: Sendable {
    @usableFromInline let buffer: TextBuffer
    /// Byte offset of the buffer's first byte in the (decoded) input.
    let bufferOffset: Int
    @usableFromInline let fields: FieldPositions
    @usableFromInline let records: RecordTable
    @usableFromInline let firstLine: Int
    @usableFromInline let problems: [Int: CSVRecordProblem]
    /// Records past this index are left out (``prefix(_:)``).
    @usableFromInline let limit: Int

    init(buffer: TextBuffer, parts: ChunkParts, firstLine: Int, bufferOffset: Int) {
        self.buffer = buffer
        self.bufferOffset = bufferOffset
        fields = parts.fields
        records = parts.records
        self.firstLine = firstLine
        problems = parts.problems
        limit = Int.max
    }

    private init(_ batch: RecordBatch, limit: Int) {
        (buffer, bufferOffset, fields, records) = (batch.buffer, batch.bufferOffset, batch.fields, batch.records)
        (firstLine, problems, self.limit) = (batch.firstLine, batch.problems, limit)
    }

    /// The batch's first `n` records (all of them when it has fewer), sharing its text.
    public func prefix(_ n: Int) -> RecordBatch { RecordBatch(self, limit: min(limit, max(0, n))) }

    /// Number of records.
    @inlinable public var count: Int { min(records.count, limit) }

    /// The record at `index` (0-based within the batch).
    @inlinable public subscript(index: Int) -> CSVRecord { CSVRecord(batch: self, index: index) }

    /// Number of records flagged with a problem.
    public var problemCount: Int { problems.count }

    /// Calls `body` with an unsafe view of the batch's fields, for loops that read millions of
    /// records: no reference counting per record. The view is valid only inside `body`.
    @inlinable
    public func withFieldTable<R>(_ body: (FieldTable) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) {
            try body(
                FieldTable(
                    base: UnsafePointer(buffer.base.assumingMemoryBound(to: UInt8.self)), starts: UnsafePointer(fields.starts.unsafelyUnwrapped),
                    ends: UnsafePointer(fields.ends.unsafelyUnwrapped), entries: UnsafePointer(records.entries),
                    count: count, firstLine: firstLine, hasProblems: !problems.isEmpty))
        }
    }
}

/// An unsafe view of a ``RecordBatch`` (see ``RecordBatch/withFieldTable(_:)``): the same
/// fields and lines as ``CSVRecord``, read through plain pointers.
public struct FieldTable {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let starts: UnsafePointer<Int32>
    @usableFromInline let ends: UnsafePointer<Int32>
    @usableFromInline let entries: UnsafePointer<kam_record>
    public let count: Int
    @usableFromInline let firstLine: Int
    /// Whether any record of the batch has a problem (then ask the ``CSVRecord``).
    public let hasProblems: Bool

    @inlinable
    init(
        base: UnsafePointer<UInt8>, starts: UnsafePointer<Int32>, ends: UnsafePointer<Int32>, entries: UnsafePointer<kam_record>,
        count: Int, firstLine: Int, hasProblems: Bool
    ) {
        self.base = base
        self.starts = starts
        self.ends = ends
        self.entries = entries
        self.count = count
        self.firstLine = firstLine
        self.hasProblems = hasProblems
    }

    /// The bytes of field `column` of record `record`; the record must have no problem.
    @inlinable @inline(__always)
    public func field(_ record: Int, _ column: Int) -> UnsafeBufferPointer<UInt8> {
        let f = (record == 0 ? 0 : Int(entries[record - 1].field_end)) + column
        let start = Int(starts[f])
        return UnsafeBufferPointer(start: base + start, count: Int(ends[f]) - start)
    }

    /// Physical line (1-based) on which record `record` starts.
    @inlinable public func line(_ record: Int) -> Int { firstLine + Int(entries[record].line) }
}

/// One record of a ``RecordBatch``: its position, fields, raw text and any problem.
public struct CSVRecord {
    @usableFromInline let batch: RecordBatch
    @usableFromInline let index: Int

    @inlinable init(batch: RecordBatch, index: Int) {
        self.batch = batch
        self.index = index
    }

    @inlinable var entry: kam_record { batch.records.entries[index] }

    /// Physical line (1-based) on which the record starts.
    @inlinable public var line: Int { batch.firstLine + Int(entry.line) }
    /// Byte offset of the record's first byte in the input (after decoding, for non-UTF-8 input).
    public var byteOffset: Int { batch.bufferOffset + Int(entry.raw_start) }
    /// Set when the record could not be read as a row of the header's width.
    @inlinable public var problem: CSVRecordProblem? { batch.problems.isEmpty ? nil : batch.problems[index] }

    @inlinable var firstField: Int { index == 0 ? 0 : Int(batch.records.entries[index - 1].field_end) }
    @inlinable public var fieldCount: Int { Int(entry.field_end) - firstField }

    /// The bytes of field `column` (unescaped), valid for the duration of `body`.
    @inlinable @inline(__always)
    public func withFieldBytes<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let f = firstField + column
        let start = Int(batch.fields.starts.unsafelyUnwrapped[f])
        let end = Int(batch.fields.ends.unsafelyUnwrapped[f])
        let bytes = batch.buffer.base.assumingMemoryBound(to: UInt8.self) + start
        return try body(UnsafeBufferPointer(start: bytes, count: end - start))
    }

    /// Field `column` as a string (empty when the record has fewer fields).
    public func field(_ column: Int) -> String {
        guard column < fieldCount else { return "" }
        return withFieldBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as strings.
    public var fields: [String] { (0..<fieldCount).map(field) }

    /// The record's text exactly as in the input, without its line terminator.
    public var raw: String { withRawBytes { String(decoding: $0, as: UTF8.self) } }

    /// The raw bytes, valid for the duration of `body`.
    public func withRawBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = Int(entry.raw_start)
        let end = Int(entry.raw_end)
        let bytes = batch.buffer.base.assumingMemoryBound(to: UInt8.self) + start
        return try body(UnsafeBufferPointer(start: bytes, count: end - start))
    }
}

extension RecordBatch {
    /// All the records of `bytes` (a whole file's text, header included when `dialect` has
    /// one), parsed in one call on this thread: for the fuzz harness and small inputs. The
    /// reader's block cutting and threads are not involved.
    public static func parseWhole(_ bytes: [UInt8], dialect: CSVDialect, expectedFields: Int?) -> RecordBatch {
        let text = TextBuffer(textCapacity: bytes.count)
        bytes.withUnsafeBytes { if let base = $0.baseAddress { text.base.copyMemory(from: base, byteCount: bytes.count) } }
        text.count = bytes.count
        let result = ChunkParser.parse(
            buffer: text.base, start: 0, end: bytes.count, sideStart: bytes.count, isEndOfFile: true, dialect: dialect,
            expectedFields: expectedFields)
        return RecordBatch(buffer: text, parts: result.parts, firstLine: 1, bufferOffset: 0)
    }
}
