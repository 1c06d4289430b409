import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rejected rows of one stream (an input's pass, or its settled duplicate conflicts), in
/// the order they came, kept in an unlinked temporary file so that memory does not grow with
/// them: a dirty export can reject millions of rows, each with its raw text.
///
/// The file is unlinked as soon as it is opened, so nothing is left behind, even by a crash.
/// Should no temporary file be available, the rows are kept in memory instead.
// @unchecked because a log is appended to by one thread at a time (the book that owns it, on
// the reader's consumer thread) and only read after that pass is over.
final class RejectLog: @unchecked Sendable {
    private var descriptor: Int32 = -1
    /// Encoded rows not yet written.
    private var pending: [UInt8] = []
    private var written = 0
    private var memory: [Reject] = []
    private(set) var count = 0
    /// Whether rows came in (line, reason) order; a log that did not is sorted when read.
    private(set) var inOrder = true
    private var lastLine = Int.min
    private var lastReason = ""
    /// Each reason's values (``Reject/exampleValue``) and how often they came.
    private(set) var examples: [RejectReason: RejectExamples] = [:]

    convenience init() {
        self.init(descriptor: TemporaryFile.openUnlinked(prefix: "kam-rejects").descriptor)
    }

    /// A log over an open file it now owns (-1: none, rows kept in memory; tests give one whose
    /// writes start failing).
    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Whether the rows are in memory: no temporary file could be opened, or a write failed.
    var keptInMemory: Bool { descriptor < 0 }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func append(_ r: Reject) {
        count += 1
        examples[r.reason, default: RejectExamples()].count(r.exampleValue)
        if r.line < lastLine || (r.line == lastLine && r.reason.rawValue < lastReason) { inOrder = false }
        lastLine = r.line
        lastReason = r.reason.rawValue
        guard descriptor >= 0 else { return memory.append(r) }
        Self.encode(r, into: &pending)
        if pending.count >= 1 << 20 { flush() }
    }

    /// One row: its length (u32), then its line (i64) and five strings (u32 length, UTF-8).
    private static func encode(_ r: Reject, into out: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        let strings = [r.source.rawValue, r.field, r.reason.rawValue, r.message, r.raw]
        put(UInt32(8 + strings.reduce(0) { $0 + 4 + $1.utf8.count }))
        put(Int64(r.line))
        for s in strings {
            put(UInt32(s.utf8.count))
            out.append(contentsOf: s.utf8)
        }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer) -> Reject {
        var at = 0
        func get<T: FixedWidthInteger>(_: T.Type) -> T {
            defer { at += MemoryLayout<T>.size }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
        }
        let line = Int(get(Int64.self))
        var strings: [String] = []
        for _ in 0..<5 {
            let n = Int(get(UInt32.self))
            strings.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]), as: UTF8.self))
            at += n
        }
        return Reject(
            source: InputKind(rawValue: strings[0])!, line: line, field: strings[1], reason: RejectReason(rawValue: strings[2])!,
            message: strings[3], raw: strings[4])
    }

    /// Writes what is pending; on a write error (a full disk), every row moves to memory.
    private func flush() {
        guard descriptor >= 0, !pending.isEmpty else { return }
        if pending.withUnsafeBytes({ TemporaryFile.write(descriptor, $0, at: written) }) {
            written += pending.count
            pending.removeAll(keepingCapacity: true)
            return
        }
        var rows: [Reject] = []
        var cursor = Cursor(self, flushing: false)
        while let r = cursor.next() { rows.append(r) }
        pending.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                let n = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                rows.append(Self.decode(UnsafeRawBufferPointer(rebasing: raw[(at + 4)..<(at + 4 + n)])))
                at += 4 + n
            }
        }
        pending = []
        memory = rows
        close(descriptor)
        descriptor = -1
    }

    /// Reads the rows back in the order they were appended.
    struct Cursor {
        private let log: RejectLog
        private var offset = 0
        private var chunk: [UInt8] = []
        private var position = 0
        private var memoryIndex = 0

        init(_ log: RejectLog, flushing: Bool = true) {
            if flushing { log.flush() }
            self.log = log
        }

        mutating func next() -> Reject? {
            guard log.descriptor >= 0 else {
                guard memoryIndex < log.memory.count else { return nil }
                memoryIndex += 1
                return log.memory[memoryIndex - 1]
            }
            guard need(4) else { return nil }
            let n = Int(UInt32(littleEndian: chunk.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: UInt32.self) }))
            guard need(4 + n) else { return nil }
            let r = chunk.withUnsafeBytes { RejectLog.decode(UnsafeRawBufferPointer(rebasing: $0[(position + 4)..<(position + 4 + n)])) }
            position += 4 + n
            return r
        }

        /// Makes `n` bytes available from `position`; false at the end of the log.
        private mutating func need(_ n: Int) -> Bool {
            if chunk.count - position >= n { return true }
            chunk.removeFirst(position)
            position = 0
            let want = min(max(n - chunk.count, 256 << 10), log.written - offset)
            guard chunk.count + want >= n else { return false }
            let old = chunk.count
            chunk += repeatElement(0, count: want)
            let (descriptor, at) = (log.descriptor, offset)
            guard chunk.withUnsafeMutableBytes({ TemporaryFile.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: $0[old...]), at: at) })
            else { return false }
            offset += want
            return true
        }
    }
}

/// Every rejected row of a run, as `rejects.csv` lists them: by source, then line and reason.
/// Iterating merges the sources' logs from their files; only `count` is kept in memory.
public struct RejectLedger: Sequence, Sendable {
    let logs: [InputKind: [RejectLog]]

    init(_ logs: [InputKind: [RejectLog]]) { self.logs = logs }

    public var count: Int { logs.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    /// One input's reject reasons, each with its values counted across the input's logs.
    public func examples(_ source: InputKind) -> [RejectReason: RejectExamples] {
        var merged: [RejectReason: RejectExamples] = [:]
        for log in logs[source] ?? [] {
            for (reason, e) in log.examples { merged[reason, default: RejectExamples()].merge(e) }
        }
        return merged
    }

    public var isEmpty: Bool { count == 0 }

    /// The rows as an array (tests, small runs).
    public var all: [Reject] { Array(self) }

    public func makeIterator() -> Iterator { Iterator(logs) }

    public struct Iterator: IteratorProtocol {
        private var sources: [[RejectLog]]
        private var heads: [Reject?] = []
        private var cursors: [Source] = []

        /// One log read in order, or (a log whose rows came out of order) its rows sorted.
        private struct Source {
            var cursor: RejectLog.Cursor?
            var rows: [Reject] = []
            var index = 0

            mutating func next() -> Reject? {
                if cursor != nil { return cursor?.next() }
                guard index < rows.count else { return nil }
                index += 1
                return rows[index - 1]
            }
        }

        init(_ logs: [InputKind: [RejectLog]]) {
            sources = logs.keys.sorted { $0.rawValue < $1.rawValue }.map { logs[$0]! }.reversed()
        }

        public mutating func next() -> Reject? {
            while true {
                if let best = heads.indices.filter({ heads[$0] != nil }).min(by: { Self.before(heads[$0]!, heads[$1]!) }) {
                    let r = heads[best]
                    heads[best] = cursors[best].next()
                    return r
                }
                guard let logs = sources.popLast() else { return nil }
                cursors = logs.map { log in
                    if log.inOrder { return Source(cursor: RejectLog.Cursor(log)) }
                    var c = RejectLog.Cursor(log)
                    var rows: [Reject] = []
                    while let r = c.next() { rows.append(r) }
                    return Source(rows: rows.sorted(by: Self.before))
                }
                heads = cursors.indices.map { cursors[$0].next() }
            }
        }

        /// By line, then reason code (the first of equal rows stays first).
        static func before(_ a: Reject, _ b: Reject) -> Bool {
            (a.line, a.reason.rawValue) < (b.line, b.reason.rawValue)
        }
    }
}
