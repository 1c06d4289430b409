import CLibcsv
import CFileSystem
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams a CSV file through libcsv, parsing blocks of it on several threads and handing the
/// records on in file order.
///
/// A producer thread reads the file in blocks (1 MiB by default) cut after their last line
/// feed outside quotes (``blockCutAndLines(_:count:quote:)``), counts their lines, and gives each block
/// to a worker, which parses it with libcsv and runs the caller's `transform` on the records.
/// The consumer (the calling thread) takes the results in file order. A block is assumed to
/// start at a record boundary; when the block before it still ended inside a quoted field (a
/// stray quote misled the cut, or a note longer than a block), the consumer parses
/// that record's start and the block again as one, so the result is always the same as one
/// sequential parse. At most `2 × threads + 1` blocks are in flight, so memory does not grow
/// with the file. A UTF-8 file is mapped block by block rather than read (the text is not
/// copied; a mapping is released with its last batch); GB18030 is decoded as it is read.
///
/// ```swift
/// let reader = try CSVReader(path: "transactions.csv", dialect: CSVDialect())
/// try reader.forEachBatch(threads: 2, transform: { batch in batch.count }, consume: { total += $0 })
/// ```
public final class CSVReader {
    public let path: String
    public let dialect: CSVDialect
    /// Column names from the header row (trimmed; a BOM removed), or `1`, `2`, … without one.
    public private(set) var header: [String] = []
    /// Line on which the header row starts.
    public private(set) var headerLine = 0
    /// Bytes of (decoded) text read so far.
    public private(set) var bytesConsumed = 0
    /// Whether the file started with a byte-order mark.
    public private(set) var hadByteOrderMark = false

    private let source: any ByteSource
    private let blockBytes: Int
    private let maxRecordBytes = 1 << 28
    private var expectedFields: Int?
    private var endOfFile = false
    /// Text read but not yet given to a block: it starts at input offset `carryOffset`, on
    /// line `carryLine`.
    private var carry: [UInt8] = []
    private var carryOffset = 0
    private var carryLine = 1
    /// Title lines skipped above the header (``CSVDialect/skipRows``).
    public private(set) var skippedLines = 0
    /// A UTF-8 regular file's descriptor and size when its blocks are mapped (after the header,
    /// which is read); nil when they are read.
    private var mapped: (fd: Int32, size: Int)?
    private let observer: RawBytesObserver?
    /// Bytes of the file the observer has seen.
    private var observed = 0

    /// Whether the whole file has been read.
    public var readToEnd: Bool { endOfFile }

    /// - Parameters:
    ///   - windowBytes: bytes read per block (a block grows when one line is longer).
    ///   - observer: sees the file's raw bytes as they are read (a digest in the same pass).
    public init(path: String, dialect: CSVDialect, windowBytes: Int = 1 << 20, observer: RawBytesObserver? = nil) throws {
        self.path = path
        self.dialect = dialect
        blockBytes = max(windowBytes, 64)
        self.observer = observer
        switch dialect.encoding {
        case .utf8: source = try FileByteSource(path: path, observer: observer)
        case .gb18030: source = try GB18030ByteSource(path: path, observer: observer)
        }
        try readFirstRecord()
        if let file = source as? FileByteSource, !endOfFile {
            var info = stat()
            if fstat(file.fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) >= file.bytesRead {
                mapped = (file.fd, Int(info.st_size))
                observed = file.bytesRead
                carry = []
                _ = Self.installSigbusHandler
            }
        }
    }

    /// A file cut short under a mapped block faults with SIGBUS: the handler says what happened
    /// and exits 1, instead of the default silent crash. Installed once.
    private static let installSigbusHandler: Void = kam_install_sigbus_handler()

    deinit { source.close() }

    /// Reads into `buffer` from `filled` until it is full (less than 16 bytes of room: a decoder
    /// needs room for a whole character) or the input ends. Returns the new fill.
    private func fill(_ buffer: TextBuffer, from filled: Int, upTo limit: Int) throws -> Int {
        var filled = filled
        while limit - filled >= 16 && !endOfFile {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer.base + filled, count: limit - filled))
            if n == 0 { endOfFile = true }
            filled += n
        }
        return filled
    }

    /// Doubles `limit`, moves what was read to a buffer that size and reads on; a record that
    /// would need more than `maxRecordBytes` (starting on `line`) is an error.
    private func readMore(into buffer: inout TextBuffer, filled: inout Int, limit: inout Int, line: Int) throws {
        guard limit * 2 <= maxRecordBytes else {
            throw CSVError.recordTooLarge(file: path, line: line, limitBytes: maxRecordBytes)
        }
        limit *= 2
        let bigger = TextBuffer(textCapacity: limit)
        bigger.base.copyMemory(from: buffer.base, byteCount: filled)
        buffer = bigger
        filled = try fill(buffer, from: filled, upTo: limit)
    }

    /// Reads the header (or, without one, the first record to learn the width).
    private func readFirstRecord() throws {
        var limit = min(blockBytes, 1 << 20)
        var buffer = TextBuffer(textCapacity: limit)
        var filled = try fill(buffer, from: 0, upTo: limit)
        var dataStart = 0
        if filled >= 3, buffer.base.load(fromByteOffset: 0, as: UInt8.self) == 0xEF,
            buffer.base.load(fromByteOffset: 1, as: UInt8.self) == 0xBB,
            buffer.base.load(fromByteOffset: 2, as: UInt8.self) == 0xBF
        {
            hadByteOrderMark = true
            dataStart = 3
        }
        // Title lines above the header: up to and including their line feeds, never parsed.
        while skippedLines < dialect.skipRows {
            let text = UnsafeRawBufferPointer(start: buffer.base + dataStart, count: filled - dataStart)
            if let lineFeed = text.firstIndex(of: 0x0A) {
                dataStart += lineFeed + 1
                skippedLines += 1
            } else if endOfFile {
                throw CSVError.emptyFile(file: path)
            } else {
                try readMore(into: &buffer, filled: &filled, limit: &limit, line: 1 + skippedLines)
            }
        }
        carryLine = 1 + skippedLines
        while true {
            buffer.count = filled
            let result = ChunkParser.parse(
                buffer: buffer.base, start: dataStart, end: filled, sideStart: filled, isEndOfFile: endOfFile,
                dialect: dialect, expectedFields: nil, maxRecords: 1)
            if result.parts.count == 0 {
                if endOfFile { throw CSVError.emptyFile(file: path) }
                // The first record is longer than what was read: read more.
                try readMore(into: &buffer, filled: &filled, limit: &limit, line: 1 + result.linesConsumed)
                continue
            }
            let first = RecordBatch(buffer: buffer, parts: result.parts, firstLine: carryLine, bufferOffset: 0)[0]
            if let problem = first.problem {
                throw CSVError.badHeader(file: path, line: first.line, reason: problem.message)
            }
            if dialect.hasHeader {
                header = first.fields.map { $0.trimmingASCIIWhitespace() }
                headerLine = first.line
                carryLine += result.linesConsumed
                dataStart = result.endPosition
            } else {
                // The record is parsed again with the rest of the data; it only sets the width.
                header = (1...max(1, first.fieldCount)).map(String.init)
                headerLine = 0
            }
            expectedFields = header.count
            carry = Array(UnsafeRawBufferPointer(start: buffer.base + dataStart, count: filled - dataStart))
            carryOffset = dataStart
            return
        }
    }

    /// Parses every record after the header. `transform` runs on worker threads, one call per
    /// batch; `consume` receives the results on the calling thread in file order.
    public func forEachBatch<T: Sendable>(
        threads: Int,
        transform: @escaping @Sendable (RecordBatch) throws -> T,
        consume: (T) throws -> Void
    ) throws {
        let threads = max(1, threads)
        let inFlight = counting(2 * threads + 1)
        let order = HandOff<Block<T>>(capacity: 2 * threads + 2)
        let work = HandOff<Block<T>>(capacity: 2 * threads + 2 + threads)
        let cancelled = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        let producer = ProducerBox(reader: self)
        let dialect = self.dialect
        let expected = expectedFields

        for _ in 0..<threads {
            spawnThread {
                while let block = try? work.pop() {
                    block.run(dialect: dialect, expectedFields: expected, skip: cancelled.load(ordering: .relaxed), transform: transform)
                }
                finished.signal()
            }
        }
        spawnThread {
            do {
                while true {
                    inFlight.wait()
                    if cancelled.load(ordering: .acquiring) { break }
                    let block = try producer.reader.nextBlock(T.self)
                    if !order.push(block) { break }
                    _ = work.push(block)
                    if block.isLast { break }
                }
                order.push(.success(nil))
            } catch {
                order.push(.failure(error))
            }
            for _ in 0..<threads { _ = work.push(.success(nil)) }
            finished.signal()
        }
        defer {
            cancelled.store(true, ordering: .releasing)
            order.cancel()
            inFlight.signal()
            for _ in 0...threads { finished.wait() }
        }

        // The start of a record cut by the end of the previous block, when there is one.
        var tail: Tail?
        while let block = try order.pop() {
            block.done.wait()
            let outcome: Block<T>.Outcome
            if let pending = tail {
                outcome = try block.joined(
                    after: pending, dialect: dialect, expectedFields: expected, transform: transform)
            } else {
                outcome = block.outcome!
            }
            tail = outcome.tail
            bytesConsumed = outcome.endOffset
            if let value = try outcome.value.get() { try consume(value) }
            inFlight.signal()
        }
        if let tail { bytesConsumed = tail.offset }
    }

    /// The next block of text, cut by ``blockCutAndLines(_:count:quote:)`` (the rest is kept for the
    /// next block); at the end of the input, the last block (possibly empty).
    private func nextBlock<T>(_: T.Type) throws -> Block<T> {
        if let mapped { return try nextMappedBlock(T.self, file: mapped) }
        var limit = carry.count + blockBytes
        var buffer = TextBuffer(textCapacity: limit)
        carry.withUnsafeBytes { buffer.base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        var filled = try fill(buffer, from: carry.count, upTo: limit)
        var textEnd = filled
        var lines: Int?
        while !endOfFile {
            if let (cut, linesBeforeCut) = blockCutAndLines(buffer.base, count: filled, quote: dialect.quote) {
                textEnd = cut
                lines = linesBeforeCut
                break
            }
            // One line longer than the block: read on.
            try readMore(into: &buffer, filled: &filled, limit: &limit, line: carryLine)
            textEnd = filled
        }
        buffer.count = textEnd
        let isLast = endOfFile && textEnd == filled
        let block = Block<T>(
            buffer: buffer, firstLine: carryLine, offset: carryOffset, isLast: isLast)
        carryLine += lines ?? countLineFeeds(buffer.base, count: textEnd)
        carryOffset += textEnd
        carry = Array(UnsafeRawBufferPointer(start: buffer.base + textEnd, count: filled - textEnd))
        return block
    }

    /// The next block of a mapped file: up to `blockBytes` from where the last one ended, cut by
    /// ``blockCutAndLines(_:count:quote:)`` (a longer line maps a window twice as long); the observer sees
    /// the bytes it has not seen yet. A file that shrinks while it is read is an error (its
    /// pages past the new end could not be read).
    private func nextMappedBlock<T>(_: T.Type, file: (fd: Int32, size: Int)) throws -> Block<T> {
        var info = stat()
        if fstat(file.fd, &info) != 0 || Int(info.st_size) < file.size {
            throw CSVError.readFailed(file: path, reason: "the file changed size while it was read")
        }
        let start = carryOffset
        var window = blockBytes
        while true {
            let length = min(window, file.size - start)
            guard let buffer = TextBuffer(mapping: file.fd, offset: start, length: length) else {
                throw CSVError.readFailed(file: path, reason: "cannot map the file: \(String(cString: strerror(errno)))")
            }
            let isLast = start + length == file.size
            var lines: Int?
            if !isLast {
                guard let (cut, linesBeforeCut) = blockCutAndLines(buffer.base, count: length, quote: dialect.quote) else {
                    // One line longer than the window: map a longer one.
                    guard window * 2 <= maxRecordBytes else {
                        throw CSVError.recordTooLarge(file: path, line: carryLine, limitBytes: maxRecordBytes)
                    }
                    window *= 2
                    continue
                }
                buffer.count = cut
                lines = linesBeforeCut
            }
            let end = start + buffer.count
            if let observer, end > observed {
                let from = max(start, observed)
                observer(UnsafeRawBufferPointer(start: buffer.base + (from - start), count: end - from))
                observed = end
            }
            if isLast { endOfFile = true }
            let block = Block<T>(buffer: buffer, firstLine: carryLine, offset: start, isLast: isLast, mappedFrom: file.fd)
            carryLine += lines ?? countLineFeeds(buffer.base, count: buffer.count)
            carryOffset = end
            return block
        }
    }

    /// Reads every record sequentially into memory. For tests and small files.
    public func readAll(threads: Int = 1) throws -> [RecordBatch] {
        var all: [RecordBatch] = []
        try forEachBatch(threads: threads, transform: { $0 }, consume: { all.append($0) })
        return all
    }
}

/// Where a block of `count` bytes (starting at a record boundary) ends — just past its last line
/// feed outside quotes, going by the quotes' parity, else just past its last line feed; nil
/// without a line feed — and the line feeds before that cut, from one pass (`kam_block_cut`).
/// Cutting outside quotes spares the consumer from parsing the next block again joined to a
/// cut record.
func blockCutAndLines(_ bytes: UnsafeRawPointer, count: Int, quote: UInt8) -> (cut: Int, lines: Int)? {
    var lines = 0
    let cut = kam_block_cut(bytes.assumingMemoryBound(to: UInt8.self), count, quote, &lines)
    return cut < 0 ? nil : (cut, lines)
}

/// Line feeds in `count` bytes.
func countLineFeeds(_ bytes: UnsafeRawPointer, count: Int) -> Int {
    Int(kam_count_byte(bytes.assumingMemoryBound(to: UInt8.self), count, 0x0A))
}

/// The start of a record that a block's end cut: its bytes, input offset and line.
struct Tail {
    var bytes: [UInt8]
    var offset: Int
    var line: Int
}

/// One block of text on its way through a worker to the consumer.
// @unchecked because `outcome` is written by one worker before `done` is signalled and read by
// the consumer only after waiting for it.
final class Block<T: Sendable>: @unchecked Sendable {
    struct Outcome {
        var value: Result<T?, any Error>
        /// Input offset just past the last complete record.
        var endOffset: Int
        var tail: Tail?
    }

    let buffer: TextBuffer
    let firstLine: Int
    let offset: Int
    let isLast: Bool
    /// The file the block is mapped from (its text lies at `offset` there), when it is mapped.
    let mappedFrom: Int32?
    let done = DispatchSemaphore(value: 0)
    var outcome: Outcome?

    init(buffer: TextBuffer, firstLine: Int, offset: Int, isLast: Bool, mappedFrom: Int32? = nil) {
        self.buffer = buffer
        self.firstLine = firstLine
        self.offset = offset
        self.isLast = isLast
        self.mappedFrom = mappedFrom
    }

    /// Parses the block as if it started at a record boundary (the worker's job).
    func run(dialect: CSVDialect, expectedFields: Int?, skip: Bool, transform: (RecordBatch) throws -> T) {
        if skip {
            done.signal()
            return
        }
        outcome = Self.parse(
            buffer, firstLine: firstLine, offset: offset, isLast: isLast, dialect: dialect,
            expectedFields: expectedFields, transform: transform)
        done.signal()
    }

    /// Parses `tail` and this block's text as one (the block's own start was inside a record):
    /// a mapped block maps the two again as one range of the file, others are copied together.
    func joined(
        after tail: Tail, dialect: CSVDialect, expectedFields: Int?, transform: (RecordBatch) throws -> T
    ) throws -> Outcome {
        let length = tail.bytes.count + buffer.count
        let joined: TextBuffer
        if let fd = mappedFrom, tail.offset + tail.bytes.count == offset, let mapped = TextBuffer(mapping: fd, offset: tail.offset, length: length) {
            joined = mapped
        } else {
            joined = TextBuffer(textCapacity: length)
            tail.bytes.withUnsafeBytes { joined.base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            (joined.base + tail.bytes.count).copyMemory(from: buffer.base, byteCount: buffer.count)
            joined.count = length
        }
        return Self.parse(
            joined, firstLine: tail.line, offset: tail.offset, isLast: isLast, dialect: dialect,
            expectedFields: expectedFields, transform: transform)
    }

    private static func parse(
        _ buffer: TextBuffer, firstLine: Int, offset: Int, isLast: Bool, dialect: CSVDialect, expectedFields: Int?,
        transform: (RecordBatch) throws -> T
    ) -> Outcome {
        let result = ChunkParser.parse(
            buffer: buffer.base, start: 0, end: buffer.count, sideStart: buffer.count, isEndOfFile: isLast,
            dialect: dialect, expectedFields: expectedFields)
        var tail: Tail?
        if result.incomplete {
            tail = Tail(
                bytes: Array(UnsafeRawBufferPointer(start: buffer.base + result.endPosition, count: buffer.count - result.endPosition)),
                offset: offset + result.endPosition, line: firstLine + result.linesConsumed)
        }
        let batch = RecordBatch(buffer: buffer, parts: result.parts, firstLine: firstLine, bufferOffset: offset)
        let value = Result<T?, any Error> { batch.count > 0 ? try transform(batch) : nil }
        return Outcome(value: value, endOffset: offset + result.endPosition, tail: tail)
    }
}

extension String {
    /// Removes leading and trailing spaces, tabs, CR/LF and a byte-order mark.
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\u{FEFF}" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" || c == "\n" { s.removeLast() }
        return String(s)
    }
}
