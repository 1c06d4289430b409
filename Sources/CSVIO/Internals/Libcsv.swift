import CLibcsv
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict libcsv parser (RFC 4180 quoting; unterminated quotes reported at the end) and the
/// C sink its callbacks write to (see `kam_field_sink` in the CLibcsv shim). Not thread-safe;
/// each chunk parse owns one.
struct LibcsvParser: ~Copyable {
    private let parser: UnsafeMutablePointer<csv_parser>
    let sink: UnsafeMutablePointer<kam_field_sink>

    /// - Parameters:
    ///   - buffer: the buffer whose text (up to `limit`) is parsed; fields that must be copied
    ///     are written to it from `sideStart` on.
    ///   - fieldCapacity: a first guess of the number of fields.
    init(dialect: CSVDialect, buffer: UnsafeMutableRawPointer, limit: Int, sideStart: Int, fieldCapacity: Int) {
        sink = .allocate(capacity: 1)
        sink.initialize(to: kam_field_sink())
        sink.pointee.buffer = buffer.assumingMemoryBound(to: UInt8.self)
        sink.pointee.limit = limit
        sink.pointee.side = sideStart
        sink.pointee.cursor = -1
        sink.pointee.delimiter = dialect.delimiter
        sink.pointee.quote = dialect.quote
        let capacity = max(16, fieldCapacity)
        let starts = MemoryPool.take(capacity * 4), ends = MemoryPool.take(capacity * 4)
        sink.pointee.starts = starts.pointer.assumingMemoryBound(to: Int32.self)
        sink.pointee.ends = ends.pointer.assumingMemoryBound(to: Int32.self)
        sink.pointee.capacity = min(starts.bytes, ends.bytes) / 4
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
        free(sink.pointee.starts)
        free(sink.pointee.ends)
        sink.deallocate()
    }

    /// Feeds bytes; returns false when libcsv found a quoting error.
    @inline(__always)
    func parse(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        let used = kam_csv_parse(parser, bytes, count, sink)
        return used == count && parser.pointee.status == CSV_SUCCESS
    }

    /// Ends the input: submits a last unterminated row; false for an unterminated quote.
    func finish() -> Bool { kam_csv_fini(parser, sink) == 0 }

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

    /// Hands the field positions over (the sink starts empty again).
    func takeFields() -> FieldPositions {
        let positions = FieldPositions(
            starts: sink.pointee.starts, ends: sink.pointee.ends, count: sink.pointee.count, capacity: sink.pointee.capacity)
        sink.pointee.starts = nil
        sink.pointee.ends = nil
        sink.pointee.count = 0
        sink.pointee.capacity = 0
        return positions
    }
}

/// The start and end of every field of a batch in its buffer (malloc'ed by the C sink, freed
/// with the batch).
// @unchecked because the arrays are written only before the positions are handed to a batch.
@usableFromInline
final class FieldPositions: @unchecked Sendable {
    @usableFromInline let starts: UnsafeMutablePointer<Int32>?
    @usableFromInline let ends: UnsafeMutablePointer<Int32>?
    let count: Int
    let capacity: Int

    init(starts: UnsafeMutablePointer<Int32>?, ends: UnsafeMutablePointer<Int32>?, count: Int, capacity: Int) {
        self.starts = starts
        self.ends = ends
        self.count = count
        self.capacity = capacity
    }

    deinit {
        MemoryPool.give(starts.map { UnsafeMutableRawPointer($0) }, bytes: capacity * 4)
        MemoryPool.give(ends.map { UnsafeMutableRawPointer($0) }, bytes: capacity * 4)
    }
}

/// A malloc'ed byte buffer: a chunk's text from `0` to `count`, and after it the room where
/// unescaped copies of quoted fields go. Freed with the last batch that uses it.
// @unchecked because the bytes are written only before the buffer is handed to a batch.
@usableFromInline
final class TextBuffer: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutableRawPointer
    let capacity: Int
    /// Bytes of text (the side room starts here).
    var count: Int

    /// Room for `textCapacity` bytes of text and as many again for unescaped copies (rounded
    /// up to 64 KiB, so blocks of one reader can reuse each other's memory).
    init(textCapacity: Int) {
        let rounded = (max(textCapacity, 64) + (1 << 16) - 1) & ~((1 << 16) - 1)
        (base, capacity) = MemoryPool.take(2 * rounded + 64)
        count = 0
    }

    deinit { MemoryPool.give(base, bytes: capacity) }
}

/// Where one record lies: its fields, its raw text in the buffer and its line.
@usableFromInline
struct RecordEntry {
    /// Cumulative number of fields after the record.
    @usableFromInline var fieldEnd: Int32
    /// The raw text (without its line terminator).
    @usableFromInline var rawStart: Int32
    @usableFromInline var rawEnd: Int32
    /// First line, counted from the parse's first line.
    @usableFromInline var line: Int32
}

/// The records of one parse, in a manually grown buffer (one store per record, no
/// copy-on-write checks in the parse loop).
// @unchecked because the table is appended to only before it is handed to a batch.
@usableFromInline
final class RecordTable: @unchecked Sendable {
    // Unchecked: appended to by one parse, then only read (no dynamic exclusivity checks on
    // every record access).
    @exclusivity(unchecked) @usableFromInline private(set) var entries: UnsafeMutablePointer<RecordEntry>
    @exclusivity(unchecked) @usableFromInline private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        entries = .allocate(capacity: self.capacity)
    }

    deinit { entries.deallocate() }

    @inline(__always)
    func append(_ entry: RecordEntry) {
        if count == capacity { grow() }
        (entries + count).initialize(to: entry)
        count += 1
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<RecordEntry>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: entries, count: count)
        entries.deallocate()
        entries = bigger
        capacity *= 2
    }
}

/// Blocks of malloc'ed memory handed back by finished batches, for the next blocks to reuse:
/// a fresh multi-megabyte allocation costs a page fault and a zeroed page per 4 KiB, which
/// `make bench` measured at several per cent of the reader's time. Holds at most 64 MiB.
enum MemoryPool {
    /// A malloc'ed block nobody uses.
    // @unchecked because a block in the pool is owned by the pool alone.
    private struct Block: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
    }
    private static let free = Mutex<[Block]>([])
    private static let limit = 64 << 20

    /// A block of at least `bytes` bytes, reused or new, and its size.
    static func take(_ bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
        let reused = free.withLock { blocks -> Block? in
            guard let i = blocks.firstIndex(where: { $0.bytes >= bytes && $0.bytes <= 2 * bytes }) else { return nil }
            return blocks.remove(at: i)
        }
        if let reused { return (reused.pointer, reused.bytes) }
        guard let pointer = malloc(bytes) else { fatalError("out of memory (\(bytes) bytes)") }
        return (pointer, bytes)
    }

    /// Gives a block from ``take(_:)`` (or from malloc/realloc) back.
    static func give(_ pointer: UnsafeMutableRawPointer?, bytes: Int) {
        guard let pointer else { return }
        let block = Block(pointer: pointer, bytes: bytes)
        let kept = free.withLock { blocks -> Bool in
            guard blocks.reduce(0, { $0 + $1.bytes }) + bytes <= limit else { return false }
            blocks.append(block)
            return true
        }
        if !kept { Glibc.free(pointer) }
    }
}
