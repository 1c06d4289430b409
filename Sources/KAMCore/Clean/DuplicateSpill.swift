import CSVIO
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The keyed rows of a transactions pass (`dedupe: txn_id` or `exact`), set aside on disk by
/// key so that finding duplicates takes memory that does not grow with the rows.
///
/// A duplicate must be recognised wherever in the file it comes, so one pass would have to
/// remember every key. Instead each keyed row goes, with the values needed to take it back, to
/// one of 1024 partitions by its key's hash; after the pass the partitions are read one at a
/// time (``forEachPartition(_:)``), each a small fraction of the rows, in file order. Partitions are buffered in memory (4 MiB in all) and written as 4 KiB chunks to one unlinked
/// temporary file, so nothing is left behind, even by a crash.
final class DuplicateSpill {
    /// One keyed row.
    struct Entry {
        var key: UInt64
        var content: UInt64
        var amount: Int64
        var base: Int64
        var cost: Int64
        var account: Int32
        var day: Int32
        /// Index into the book's currency codes.
        var currency: Int32
        var status: TransactionStatus

        var row: TransactionRows.Row {
            TransactionRows.Row(
                accountHash: 0, day: day, status: status, amount: amount, slot: currency, base: base, cost: cost, line: 0,
                key: key, keyed: true, content: content)
        }
    }

    static let partitionCount = 1024
    private static let chunkEntries = (4 << 10) / MemoryLayout<Entry>.stride

    private var buffers: [[Entry]]
    /// Where each partition's written chunks are: byte offset and entry count.
    private var chunks: [[(offset: Int, count: Int)]]
    private let descriptor: Int32
    private let path: String
    private var written = 0

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/kam-duplicates-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard descriptor >= 0 else {
            throw CSVError.writeFailed(file: path, reason: "cannot create a temporary file: " + String(cString: strerror(errno)))
        }
        unlink(path)
        buffers = Array(repeating: [], count: Self.partitionCount)
        chunks = Array(repeating: [], count: Self.partitionCount)
    }

    deinit { close(descriptor) }

    private static func partition(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 54) }

    func add(_ entry: Entry) throws {
        let p = Self.partition(entry.key)
        if buffers[p].isEmpty { buffers[p].reserveCapacity(Self.chunkEntries) }
        buffers[p].append(entry)
        if buffers[p].count == Self.chunkEntries { try flush(p) }
    }

    private func flush(_ p: Int) throws {
        let n = buffers[p].count
        guard n > 0 else { return }
        try buffers[p].withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let w = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(written + done))
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else {
                    throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: " + String(cString: strerror(errno)))
                }
                done += w
            }
        }
        chunks[p].append((written, n))
        written += n * MemoryLayout<Entry>.stride
        buffers[p].removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each partition's entries in file order; memory holds one partition at
    /// a time.
    func forEachPartition(_ body: ([Entry]) throws -> Void) throws {
        for p in 0..<Self.partitionCount {
            var entries: [Entry] = []
            entries.reserveCapacity(chunks[p].reduce(0) { $0 + $1.count } + buffers[p].count)
            for (offset, n) in chunks[p] {
                let old = entries.count
                entries.append(contentsOf: repeatElement(Entry(key: 0, content: 0, amount: 0, base: 0, cost: 0, account: 0, day: 0, currency: 0, status: .paid), count: n))
                try entries.withUnsafeMutableBytes { raw in
                    let start = old * MemoryLayout<Entry>.stride, size = n * MemoryLayout<Entry>.stride
                    var done = 0
                    while done < size {
                        let r = pread(descriptor, raw.baseAddress! + start + done, size - done, off_t(offset + done))
                        if r < 0 && errno == EINTR { continue }
                        guard r > 0 else {
                            throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates cannot be read back: " + String(cString: strerror(errno)))
                        }
                        done += r
                    }
                }
            }
            entries += buffers[p]
            buffers[p] = []
            try body(entries)
        }
    }
}
