import CLibcsv
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict libcsv parser (RFC 4180 quoting; unterminated quotes reported at the end) and the
/// C sink its callbacks write to (see `kam_field_sink` in CLibcsv/include/kam_csv.h). Not thread-safe;
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
        sink.pointee.cursor = KAM_LOST
        kam_field_sink_set_dialect(sink, dialect.delimiter, dialect.quote)
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

    /// Parses the records of `base[start..<end]` into `chunk` (`kam_parse_chunk`).
    func parseChunk(
        _ chunk: inout kam_chunk, _ base: UnsafePointer<UInt8>, start: Int, end: Int, endOfFile: Bool, expected: Int,
        maxRecords: Int
    ) {
        kam_parse_chunk(parser, sink, &chunk, base, start, end, endOfFile ? 1 : 0, expected, maxRecords)
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

/// A chunk's text from `0` to `count`, and after it the room where unescaped copies of quoted
/// fields go. Either malloc'ed (text read or decoded into it) or a private mapping of the file
/// itself (no copy of the text); freed with the last batch that uses it.
// @unchecked because the bytes are written only before the buffer is handed to a batch.
@usableFromInline
final class TextBuffer: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutableRawPointer
    /// Bytes of text (the side room starts here).
    var count: Int
    private let release: Release

    private enum Release {
        case pool(bytes: Int)
        case unmap(UnsafeMutableRawPointer, bytes: Int)
    }

    /// Room for `textCapacity` bytes of text and as many again for unescaped copies (rounded
    /// up to 64 KiB, so blocks of one reader can reuse each other's memory).
    init(textCapacity: Int) {
        let rounded = (max(textCapacity, 64) + (1 << 16) - 1) & ~((1 << 16) - 1)
        let (pointer, bytes) = MemoryPool.take(2 * rounded + 64)
        base = pointer
        release = .pool(bytes: bytes)
        count = 0
    }

    /// `length` bytes of the open file `fd` from `offset`, mapped privately (the file never
    /// changes), with as many writable bytes again after them for unescaped copies: an
    /// anonymous region is reserved and the file mapped over its start, so the room after the
    /// text is the rest of the file's last page (copied on write) and then zeroed memory. Nil
    /// when the system cannot map the file. `count` starts at `length`.
    init?(mapping fd: Int32, offset: Int, length: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let aligned = offset / page * page, lead = offset - aligned
        let fileBytes = (lead + length + page - 1) / page * page
        let total = (lead + 2 * length + 64 + page - 1) / page * page
        guard let region = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), region != MAP_FAILED else {
            return nil
        }
        if length > 0 {
            let file = mmap(region, fileBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, off_t(aligned))
            guard file == region else {
                munmap(region, total)
                return nil
            }
        }
        base = region + lead
        release = .unmap(region, bytes: total)
        count = length
    }

    deinit {
        switch release {
        case .pool(let bytes): MemoryPool.give(base, bytes: bytes)
        case .unmap(let region, let bytes): munmap(region, bytes)
        }
    }
}

/// The records of one parse (`kam_record`s written by `kam_parse_chunk`), freed with the batch.
// @unchecked because the records are written only before the table is handed to a batch.
@usableFromInline
final class RecordTable: @unchecked Sendable {
    @usableFromInline let entries: UnsafeMutablePointer<kam_record>
    @usableFromInline let count: Int
    private let capacity: Int

    init(entries: UnsafeMutablePointer<kam_record>, count: Int, capacity: Int) {
        self.entries = entries
        self.count = count
        self.capacity = capacity
    }

    deinit { MemoryPool.give(UnsafeMutableRawPointer(entries), bytes: capacity * MemoryLayout<kam_record>.stride) }
}

/// Blocks of malloc'ed memory handed back by finished batches, for the next blocks to reuse:
/// a fresh multi-megabyte allocation costs a page fault and a zeroed page per 4 KiB, which
/// `make bench` measured at several per cent of the reader's time. Holds at most 32 MiB.
enum MemoryPool {
    /// A malloc'ed block nobody uses.
    // @unchecked because a block in the pool is owned by the pool alone.
    private struct Block: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
    }
    private static let free = Mutex<[Block]>([])
    private static let limit = 32 << 20
    /// Sizes are whole multiples of this, and a block is reused only for a request of its own
    /// size (text, field and record arrays each keep to their own blocks).
    private static let granule = 64 << 10

    /// A block of at least `bytes` bytes, reused or new, and its size.
    static func take(_ bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
        let size = (max(bytes, 1) + granule - 1) / granule * granule
        // On a miss the oldest block goes: a size asked for once (a block joined with the
        // record its predecessor cut) must not stay in the pool for the rest of the run, or the
        // pool would fill up with such sizes, the longer the file the more.
        let (reused, evicted) = free.withLock { blocks -> (Block?, Block?) in
            if let i = blocks.lastIndex(where: { $0.bytes == size }) { return (blocks.remove(at: i), nil) }
            return (nil, blocks.isEmpty ? nil : blocks.removeFirst())
        }
        if let evicted { Glibc.free(evicted.pointer) }
        if let reused { return (reused.pointer, reused.bytes) }
        guard let pointer = malloc(size) else { fatalError("out of memory (\(size) bytes)") }
        return (pointer, size)
    }

    /// Gives a block from ``take(_:)`` (or from malloc/realloc) back; one of a size no request
    /// asks for (grown by realloc) is freed.
    static func give(_ pointer: UnsafeMutableRawPointer?, bytes: Int) {
        guard let pointer else { return }
        guard bytes % granule == 0 else {
            Glibc.free(pointer)
            return
        }
        let block = Block(pointer: pointer, bytes: bytes)
        let kept = free.withLock { blocks -> Bool in
            guard blocks.reduce(0, { $0 + $1.bytes }) + bytes <= limit else { return false }
            blocks.append(block)
            return true
        }
        if !kept { Glibc.free(pointer) }
    }
}
