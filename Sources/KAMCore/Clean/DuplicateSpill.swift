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
/// one of 256 partitions by its key's hash; after the pass the partitions are read back
/// (``forEachPartition(threads:_:)``), each a small fraction of the rows, in file order, and
/// looked at in parallel. Partitions are buffered in memory (3 MiB in all) and written as
/// 12 KiB chunks to one unlinked temporary file, so nothing is left behind, even by a crash.
final class DuplicateSpill {
    /// One keyed row, 48 bytes. Its base-currency amount is not kept: it follows from the
    /// amount, currency, day and status (the book converts it again for the rare row it takes
    /// back).
    struct Entry {
        var key: UInt64
        var content: UInt64
        var amount: Int64
        var cost: Int64
        var account: Int32
        var day: Int32
        /// Index into the book's currency codes.
        var currency: Int32
        var status: TransactionStatus

        func row(base: Int64) -> TransactionRows.Row {
            TransactionRows.Row(
                accountHash: 0, day: day, status: status, amount: amount, slot: currency, base: base, cost: cost, line: 0,
                key: key, keyed: true, content: content)
        }
    }

    static let partitionCount = 256
    /// Whole pages: a write that covers its pages exactly spares the file system reading or
    /// zeroing the rest of a page (which cost more than the write itself).
    private static let chunkBytes = 3 * 4096
    private static let chunkEntries = chunkBytes / MemoryLayout<Entry>.stride

    /// Each partition's chunk being filled: `chunkEntries` entries a partition, side by side.
    private let pending: UnsafeMutablePointer<Entry>
    /// How many entries each partition's chunk holds (a pointer: no exclusivity check per row).
    private let filled: UnsafeMutablePointer<Int>
    /// Each partition's written chunks, as chunk numbers in the file (every chunk is full).
    private var chunks: [[UInt32]]
    private let descriptor: Int32
    private let path: String
    private var written = 0

    init() throws {
        precondition(Self.chunkBytes % MemoryLayout<Entry>.stride == 0, "entries must fill a chunk")
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

    private static func partition(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56) }

    func add(_ entry: Entry) throws {
        let p = Self.partition(entry.key)
        let n = filled[p]
        (pending + p * Self.chunkEntries + n).initialize(to: entry)
        filled[p] = n + 1
        if n + 1 == Self.chunkEntries { try flush(p) }
    }

    private func flush(_ p: Int) throws {
        let bytes = UnsafeRawBufferPointer(start: pending + p * Self.chunkEntries, count: Self.chunkBytes)
        guard TemporaryFile.write(descriptor, bytes, at: written * Self.chunkBytes) else {
            throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: " + String(cString: strerror(errno)))
        }
        guard written < Int(UInt32.max) else { throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: too large") }
        chunks[p].append(UInt32(written))
        written += 1
        filled[p] = 0
    }

    /// Calls `body` with each partition's entries in file order, `threads` partitions at a
    /// time, and returns what it returns in partition order. Memory holds at most `threads`
    /// partitions.
    func forEachPartition<T: Sendable>(threads: Int, _ body: @Sendable ([Entry]) -> T) throws -> [T] {
        let layout = Layout(descriptor: descriptor, path: path, chunks: chunks, pending: pending, filled: filled)
        let results = try parallelMap(Self.partitionCount, threads: threads) { p in body(try layout.entries(p)) }
        for p in 0..<Self.partitionCount {
            chunks[p] = []
            filled[p] = 0
        }
        return results
    }

    /// Where each partition's entries are, for reading them back from several threads.
    // @unchecked because the pending chunks are only read, and only while forEachPartition
    // waits for the readers.
    private struct Layout: @unchecked Sendable {
        let descriptor: Int32
        let path: String
        let chunks: [[UInt32]]
        let pending: UnsafeMutablePointer<Entry>
        let filled: UnsafeMutablePointer<Int>

        func entries(_ p: Int) throws -> [Entry] {
            let tail = filled[p]
            return try [Entry](unsafeUninitializedCapacity: chunks[p].count * chunkEntries + tail) { buffer, count in
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                for (i, chunk) in chunks[p].enumerated() {
                    let into = UnsafeMutableRawBufferPointer(start: raw + i * chunkBytes, count: chunkBytes)
                    guard TemporaryFile.read(descriptor, into: into, at: Int(chunk) * chunkBytes) else {
                        throw CSVError.writeFailed(
                            file: path, reason: "temporary file for duplicates cannot be read back: " + String(cString: strerror(errno)))
                    }
                    count += chunkEntries
                }
                (buffer.baseAddress! + count).initialize(from: pending + p * chunkEntries, count: tail)
                count += tail
            }
        }
    }
}
