import CLibcsv

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Collects what libcsv hands to its callbacks: unescaped field bytes and row ends.
///
/// Plain manually grown buffers behind one pointer, so the C callbacks append with a `memcpy`
/// and no reference counting or exclusivity checks. Owned by one chunk parse at a time.
struct FieldSinkState {
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCount = 0
    var byteCapacity: Int
    /// Cumulative end offset of each field in `bytes`.
    var ends: UnsafeMutablePointer<Int32>
    var fieldCount = 0
    var fieldCapacity: Int
    /// Rows libcsv has ended since the counter was last cleared.
    var rowsEnded = 0

    init(capacity: Int) {
        byteCapacity = max(64, capacity)
        bytes = .allocate(capacity: byteCapacity)
        fieldCapacity = max(16, capacity / 6)
        ends = .allocate(capacity: fieldCapacity)
    }

    @inline(__always)
    mutating func append(_ data: UnsafeRawPointer?, _ length: Int) {
        if byteCount + length > byteCapacity { grow(length) }
        if length > 0, let data {
            let target = bytes + byteCount
            if length <= 16 {
                // Most fields are short: a byte loop beats a call to memmove.
                let source = data.assumingMemoryBound(to: UInt8.self)
                for i in 0..<length { target[i] = source[i] }
            } else {
                target.update(from: data.assumingMemoryBound(to: UInt8.self), count: length)
            }
        }
        byteCount += length
        if fieldCount == fieldCapacity { growFields() }
        ends[fieldCount] = Int32(truncatingIfNeeded: byteCount)
        fieldCount += 1
    }

    private mutating func grow(_ length: Int) {
        let capacity = max(byteCapacity * 2, byteCount + length)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }

    private mutating func growFields() {
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: fieldCapacity * 2)
        grown.update(from: ends, count: fieldCount)
        ends.deallocate()
        ends = grown
        fieldCapacity *= 2
    }

    /// Forgets the fields from `fieldIndex` on (a record that turned out malformed or incomplete).
    mutating func rollback(toField fieldIndex: Int) {
        fieldCount = fieldIndex
        byteCount = fieldIndex == 0 ? 0 : Int(ends[fieldIndex - 1])
    }

    /// Hands the buffers over to a batch and starts empty ones.
    mutating func takeStorage() -> FieldStorage {
        let storage = FieldStorage(bytes: bytes, ends: ends, count: fieldCount)
        self = FieldSinkState(capacity: 64)
        return storage
    }

    func free() {
        bytes.deallocate()
        ends.deallocate()
    }
}

private let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    data, length, context in
    context!.assumingMemoryBound(to: FieldSinkState.self).pointee.append(data, length)
}

private let onRow: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    context!.assumingMemoryBound(to: FieldSinkState.self).pointee.rowsEnded &+= 1
}


/// A strict libcsv parser (RFC 4180 quoting; unterminated quotes reported at the end) with its
/// field sink. Not thread-safe; each chunk-parsing task owns one.
struct LibcsvParser: ~Copyable {
    private let parser: UnsafeMutablePointer<csv_parser>
    /// The callbacks' context: read and reset it between `parse` calls.
    let sink: UnsafeMutablePointer<FieldSinkState>

    init(dialect: CSVDialect, capacity: Int) {
        sink = .allocate(capacity: 1)
        sink.initialize(to: FieldSinkState(capacity: capacity))
        parser = .allocate(capacity: 1)
        parser.initialize(to: csv_parser())
        _ = csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(parser, dialect.delimiter)
        csv_set_quote(parser, dialect.quote)
        // libcsv's own terminators (CR, LF) and spaces (space, tab): CRLF and LF read alike, a CR
        // inside quotes is data, and the C defaults are much faster than callback functions.
        csv_set_blk_size(parser, 4096)
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
        sink.pointee.free()
        sink.deinitialize(count: 1)
        sink.deallocate()
    }

    /// Feeds bytes; returns false when libcsv found a quoting error.
    func parse(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        let used = csv_parse(parser, bytes, count, onField, onRow, UnsafeMutableRawPointer(sink))
        return used == count && parser.pointee.status == CSV_SUCCESS
    }

    /// Ends the input: submits a last unterminated row; false for an unterminated quote.
    func finish() -> Bool {
        csv_fini(parser, onField, onRow, UnsafeMutableRawPointer(sink)) == 0
    }

    /// True between rows (libcsv's `ROW_NOT_BEGUN` state).
    var isBetweenRows: Bool { parser.pointee.pstate == 0 }

    /// Drops any partial row and clears an error, ready for the next record.
    func reset() {
        parser.pointee.pstate = 0
        parser.pointee.quoted = 0
        parser.pointee.spaces = 0
        parser.pointee.entry_pos = 0
        parser.pointee.status = 0
    }
}
