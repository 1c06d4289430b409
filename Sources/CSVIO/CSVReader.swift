import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams a CSV file through libcsv in fixed-size windows, parsing each window's chunks on
/// several threads and handing the records on in file order.
///
/// Memory is bounded by the window (16 MiB by default) and the batches in flight, whatever the
/// file's size. Chunk edges are chosen at line breaks and checked afterwards: a chunk whose
/// assumed start turns out to lie inside a quoted field (a multi-line note) is parsed again from
/// the true record boundary, so the result is the same as a sequential parse.
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
    /// Bytes of (decoded) text handed to the parser so far.
    public private(set) var bytesConsumed = 0
    /// Whether the file started with a byte-order mark.
    public private(set) var hadByteOrderMark = false

    private let source: any ByteSource
    private var window: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var dataStart = 0
    private var windowOffset = 0
    private var lineAtDataStart = 1
    private var endOfFile = false
    private var expectedFields: Int?
    private let maxWindowBytes = 1 << 30
    /// Windows smaller than this are parsed as one chunk (thread hand-off costs more).
    var minimumParallelBytes = 1 << 20

    public init(path: String, dialect: CSVDialect, windowBytes: Int = 16 << 20) throws {
        self.path = path
        self.dialect = dialect
        switch dialect.encoding {
        case .utf8: source = try FileByteSource(path: path)
        case .gb18030: source = try GB18030ByteSource(path: path)
        }
        window = .allocate(byteCount: max(windowBytes, 4096), alignment: 16)
        try fill()
        if filled >= 3, window[0] == 0xEF, window[1] == 0xBB, window[2] == 0xBF {
            hadByteOrderMark = true
            dataStart = 3
        }
        try readFirstRecord()
    }

    deinit {
        source.close()
        window.deallocate()
    }

    private func fill() throws {
        while !windowIsFull && !endOfFile {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: window[filled...]))
            if n == 0 { endOfFile = true }
            filled += n
        }
    }

    /// Reads the header (or, without one, the first record to learn the width).
    private func readFirstRecord() throws {
        while true {
            let result = ChunkParser.parse(
                window: UnsafeRawBufferPointer(window), start: dataStart, stopAt: filled, end: filled,
                isEndOfFile: endOfFile, dialect: dialect, expectedFields: nil, maxRecords: 1)
            if result.parts.count == 0 {
                if endOfFile { throw CSVError.emptyFile(file: path) }
                try growOrFail(line: lineAtDataStart + result.linesConsumed)
                continue
            }
            let first = RecordBatch(parts: result.parts, firstLine: lineAtDataStart, textOffset: windowOffset + dataStart)[0]
            let line = first.line
            if let problem = first.problem {
                throw CSVError.badHeader(file: path, line: line, reason: problem.message)
            }
            if dialect.hasHeader {
                header = first.fields.map { $0.trimmingASCIIWhitespace() }
                headerLine = line
                dataStart = result.endPosition
                lineAtDataStart += result.linesConsumed
            } else {
                // The record is parsed again with the rest of the data; it only sets the width.
                header = (1...max(1, first.fieldCount)).map(String.init)
                headerLine = 0
            }
            expectedFields = header.count
            return
        }
    }

    /// A decoder needs room for a whole character, so the last few bytes are never filled.
    private var windowIsFull: Bool { window.count - filled < 16 }

    private func growOrFail(line: Int) throws {
        guard windowIsFull else { return }
        let newSize = window.count * 2
        if newSize > maxWindowBytes { throw CSVError.recordTooLarge(file: path, line: line, limitBytes: maxWindowBytes) }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: newSize, alignment: 16)
        bigger.copyMemory(from: UnsafeRawBufferPointer(window))
        window.deallocate()
        window = bigger
        try fill()
    }

    /// Parses every record after the header. `transform` runs on worker threads, one call per
    /// batch; `consume` receives the results on the calling thread in file order.
    ///
    /// Reading, parsing and `transform` run one window ahead of `consume` on a producer thread
    /// (at most two windows of results wait), so the file-order work in `consume` overlaps
    /// with the parallel work on the next window.
    public func forEachBatch<T: Sendable>(
        threads: Int,
        transform: @escaping @Sendable (RecordBatch) throws -> T,
        consume: (T) throws -> Void
    ) throws {
        do {
            let queue = HandOff<[T]>(capacity: 2)
            let producer = ProducerBox(reader: self)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                do {
                    try producer.reader.produce(threads: threads, transform: transform) { queue.push(.success($0)) }
                    _ = queue.push(.success(nil))
                } catch {
                    _ = queue.push(.failure(error))
                }
                done.signal()
            }
            defer {
                queue.cancel()
                done.wait()
            }
            while let values = try queue.pop() {
                for value in values { try consume(value) }
            }
        }
    }

    /// The producer side of ``forEachBatch``: windows in file order; stops when `deliver`
    /// returns false (the consumer gave up).
    private func produce<T: Sendable>(
        threads: Int, transform: @Sendable (RecordBatch) throws -> T, deliver: ([T]) -> Bool
    ) throws {
        let threads = max(1, threads)
        let dialect = self.dialect
        let expected = expectedFields
        while true {
            let span = filled - dataStart
            let chunks = (threads > 1 && span >= minimumParallelBytes) ? threads : 1
            let shared = SharedBytes(buffer: UnsafeRawBufferPointer(window))
            let starts = speculativeStarts(chunks: chunks)
            let dataEnd = filled
            let eof = endOfFile
            var results = parallelMap(chunks, threads: threads) { k in
                ChunkParser.parse(
                    window: shared.buffer, start: starts[k], stopAt: k + 1 < starts.count ? starts[k + 1] : dataEnd,
                    end: dataEnd, isEndOfFile: eof, dialect: dialect, expectedFields: expected)
            }
            // Check each chunk's assumed start against where the previous chunk truly ended.
            var valid = 1
            while valid < results.count {
                let previous = results[valid - 1]
                if previous.incomplete { break }
                if previous.endPosition != starts[valid] {
                    results[valid] = ChunkParser.parse(
                        window: shared.buffer, start: previous.endPosition,
                        stopAt: valid + 1 < starts.count ? max(starts[valid + 1], previous.endPosition) : dataEnd,
                        end: dataEnd, isEndOfFile: eof, dialect: dialect, expectedFields: expected)
                }
                valid += 1
            }
            results.removeSubrange(valid...)
            var line = lineAtDataStart
            var position = dataStart
            var batches: [RecordBatch] = []
            batches.reserveCapacity(results.count)
            for result in results {
                let batch = RecordBatch(parts: result.parts, firstLine: line, textOffset: windowOffset + position)
                line += result.linesConsumed
                position = result.endPosition
                if batch.count > 0 { batches.append(batch) }
            }
            let ready = batches
            let transformed = try parallelMap(ready.count, threads: threads) { try transform(ready[$0]) }
            bytesConsumed += position - dataStart
            if !deliver(transformed) { return }
            let progressed = position > dataStart
            lineAtDataStart = line
            dataStart = position
            if endOfFile && dataStart >= filled { return }
            if !progressed && windowIsFull {
                try growOrFail(line: line)
                continue
            }
            // Keep the unparsed tail (a record cut by the window's end) and read on.
            let tail = filled - dataStart
            if tail > 0 {
                (window.baseAddress! + 0).copyMemory(from: window.baseAddress! + dataStart, byteCount: tail)
            }
            windowOffset += dataStart
            filled = tail
            dataStart = 0
            try fill()
            if endOfFile && filled == 0 { return }
        }
    }

    /// Chunk starts: the first at the data's start, the others just after the first line break
    /// at or after each equal share of the window.
    private func speculativeStarts(chunks: Int) -> [Int] {
        var starts = [dataStart]
        let span = filled - dataStart
        for k in 1..<max(1, chunks) {
            let nominal = dataStart + span * k / chunks
            let from = max(nominal - 1, starts.last!)
            guard from < filled, let nl = memchr(window.baseAddress! + from, 0x0A, filled - from) else { break }
            let start = (UnsafeRawPointer(nl) - UnsafeRawPointer(window.baseAddress!)) + 1
            if start >= filled || start <= starts.last! { break }
            starts.append(start)
        }
        return starts
    }

    /// Reads every record sequentially into memory. For tests and small files.
    public func readAll(threads: Int = 1) throws -> [RecordBatch] {
        var all: [RecordBatch] = []
        try forEachBatch(threads: threads, transform: { $0 }, consume: { all.append($0) })
        return all
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
