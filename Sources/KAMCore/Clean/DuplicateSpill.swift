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
        /// Unused: pads an entry to 64 bytes, so a chunk is one 4 KiB page (see `chunkEntries`).
        var padding: Int64 = 0
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
    /// Whole pages: a write that covers its pages exactly spares the file system reading or
    /// zeroing the rest of a page (which cost more than the write itself).
    private static let chunkEntries = 4096 / MemoryLayout<Entry>.stride

    /// Each partition's chunk being filled: `chunkEntries` entries a partition, side by side.
    private let pending: UnsafeMutablePointer<Entry>
    /// How many entries each partition's chunk holds (a pointer: no exclusivity check per row).
    private let filled: UnsafeMutablePointer<Int>
    /// Each partition's written chunks, as page numbers of the file (every chunk is full).
    private var chunks: [[UInt32]]
    private let descriptor: Int32
    private let path: String
    private var pages = 0

    init() throws {
        precondition(4096 % MemoryLayout<Entry>.stride == 0, "an entry must divide a page")
        (descriptor, path) = TemporaryFile.openUnlinked(prefix: "kam-duplicates")
        guard descriptor >= 0 else {
            throw CSVError.writeFailed(file: path, reason: "cannot create a temporary file: " + String(cString: strerror(errno)))
        }
        pending = .allocate(capacity: Self.partitionCount * Self.chunkEntries)
        filled = .allocate(capacity: Self.partitionCount)
        filled.initialize(repeating: 0, count: Self.partitionCount)
        chunks = Array(repeating: [], count: Self.partitionCount)
    }

    deinit {
        close(descriptor)
        pending.deallocate()
        filled.deallocate()
    }

    private static func partition(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 54) }

    func add(_ entry: Entry) throws {
        let p = Self.partition(entry.key)
        let n = filled[p]
        (pending + p * Self.chunkEntries + n).initialize(to: entry)
        filled[p] = n + 1
        if n + 1 == Self.chunkEntries { try flush(p) }
    }

    private func flush(_ p: Int) throws {
        guard TemporaryFile.write(descriptor, UnsafeRawBufferPointer(start: pending + p * Self.chunkEntries, count: 4096), at: pages * 4096) else {
            throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: " + String(cString: strerror(errno)))
        }
        guard pages < Int(UInt32.max) else { throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: too large") }
        chunks[p].append(UInt32(pages))
        pages += 1
        filled[p] = 0
    }

    /// Calls `body` with each partition's entries in file order; memory holds one partition at
    /// a time.
    func forEachPartition(_ body: ([Entry]) throws -> Void) throws {
        for p in 0..<Self.partitionCount {
            let tail = filled[p]
            let entries = try [Entry](unsafeUninitializedCapacity: chunks[p].count * Self.chunkEntries + tail) { buffer, count in
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                for (i, page) in chunks[p].enumerated() {
                    guard TemporaryFile.read(descriptor, into: UnsafeMutableRawBufferPointer(start: raw + i * 4096, count: 4096), at: Int(page) * 4096)
                    else {
                        throw CSVError.writeFailed(
                            file: path, reason: "temporary file for duplicates cannot be read back: " + String(cString: strerror(errno)))
                    }
                    count += Self.chunkEntries
                }
                (buffer.baseAddress! + count).initialize(from: pending + p * Self.chunkEntries, count: tail)
                count += tail
            }
            chunks[p] = []
            filled[p] = 0
            try body(entries)
        }
    }
}
