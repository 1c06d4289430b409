import CLibcsv

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Collects what libcsv hands to its callbacks: unescaped field bytes and row ends.
///
/// A plain final class so that its address can travel through libcsv's `void *` context.
final class FieldSink {
    var fieldBytes: [UInt8] = []
    /// Cumulative end offset of each field in `fieldBytes`.
    var fieldEnds: [Int32] = []
    /// Rows libcsv has ended since the counter was last cleared.
    var rowsEnded = 0

    init(capacity: Int) {
        fieldBytes.reserveCapacity(capacity)
        fieldEnds.reserveCapacity(capacity / 8)
    }

    /// Forgets the fields appended after `fieldIndex` (a record that turned out malformed or
    /// incomplete).
    func rollback(toField fieldIndex: Int) {
        fieldEnds.removeSubrange(fieldIndex...)
        fieldBytes.removeSubrange(Int(fieldIndex == 0 ? 0 : fieldEnds[fieldIndex - 1])...)
    }
}

private let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    data, length, context in
    let sink = Unmanaged<FieldSink>.fromOpaque(context!).takeUnretainedValue()
    if length > 0, let data {
        sink.fieldBytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    sink.fieldEnds.append(Int32(truncatingIfNeeded: sink.fieldBytes.count))
}

private let onRow: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    let sink = Unmanaged<FieldSink>.fromOpaque(context!).takeUnretainedValue()
    sink.rowsEnded &+= 1
}

/// Only LF ends a row; CR is trimmed like a trailing space, so CRLF and LF files read the same
/// and a CR inside a quoted field is kept as data.
private let isTerminator: @convention(c) (UInt8) -> Int32 = { $0 == 0x0A ? 1 : 0 }
private let isSpace: @convention(c) (UInt8) -> Int32 = { ($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) ? 1 : 0 }

/// A strict libcsv parser (RFC 4180 quoting; unterminated quotes reported at the end).
///
/// Not thread-safe; each chunk-parsing task owns one.
struct LibcsvParser: ~Copyable {
    private let parser: UnsafeMutablePointer<csv_parser>
    let sink: FieldSink
    private let context: UnsafeMutableRawPointer

    init(dialect: CSVDialect, sink: FieldSink) {
        self.sink = sink
        self.context = Unmanaged.passUnretained(sink).toOpaque()
        parser = .allocate(capacity: 1)
        parser.initialize(to: csv_parser())
        _ = csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(parser, dialect.delimiter)
        csv_set_quote(parser, dialect.quote)
        csv_set_term_func(parser, isTerminator)
        csv_set_space_func(parser, isSpace)
        csv_set_blk_size(parser, 4096)
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
    }

    /// Feeds bytes; returns false when libcsv found a quoting error.
    mutating func parse(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        let used = csv_parse(parser, bytes, count, onField, onRow, context)
        return used == count && csv_error(parser) == CSV_SUCCESS
    }

    /// Ends the input: submits a last unterminated row; false for an unterminated quote.
    mutating func finish() -> Bool {
        csv_fini(parser, onField, onRow, context) == 0
    }

    /// True between rows (libcsv's `ROW_NOT_BEGUN` state).
    var isBetweenRows: Bool { parser.pointee.pstate == 0 }

    /// Drops any partial row and clears an error, ready for the next record.
    mutating func reset() {
        parser.pointee.pstate = 0
        parser.pointee.quoted = 0
        parser.pointee.spaces = 0
        parser.pointee.entry_pos = 0
        parser.pointee.status = 0
    }
}
