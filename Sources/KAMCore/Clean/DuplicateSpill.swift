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
/// one of 1024 partitions by its key's hash; after the pass the partitions are read back
/// (``forEachPartition(threads:_:)``), each a small fraction of the rows, in file order, and
/// looked at in parallel. Partitions are buffered in memory (one 4 KiB page each, 4 MiB in
/// all) and written as whole pages to one unlinked temporary file, so nothing is left behind,
/// even by a crash. Many partitions keep the one read back small: 1/1024 of the keyed rows.
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

    static let partitionCount = 1024
    /// A whole page: a write that covers its pages exactly spares the file system reading or
    /// zeroing the rest of a page (which cost more than the write itself). A page holds 85
    /// entries; its last 16 bytes are unused.
    private static let pageBytes = 4096
    private static let stride = MemoryLayout<Entry>.stride
    private static let pageEntries = pageBytes / stride

    /// Each partition's page being filled, side by side.
    private let pending: UnsafeMutableRawPointer
    /// How many entries each partition's page holds (a pointer: no exclusivity check per row).
    private let filled: UnsafeMutablePointer<Int>
    /// Each partition's written pages, as page numbers in the file (every page is full).
    private var pages: [[UInt32]]
    private let descriptor: Int32
    private let path: String
    private var written = 0

    init() throws {
        precondition(Self.stride == 48 && _isPOD(Entry.self), "an entry is 48 plain bytes")
        (descriptor, path) = TemporaryFile.openUnlinked(prefix: "kam-duplicates")
        guard descriptor >= 0 else {
            throw CSVError.writeFailed(file: path, reason: "cannot create a temporary file: " + String(cString: strerror(errno)))
        }
        pending = .allocate(byteCount: Self.partitionCount * Self.pageBytes, alignment: Self.pageBytes)
        filled = .allocate(capacity: Self.partitionCount)
        filled.initialize(repeating: 0, count: Self.partitionCount)
        pages = Array(repeating: [], count: Self.partitionCount)
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
        pending.storeBytes(of: entry, toByteOffset: p * Self.pageBytes + n * Self.stride, as: Entry.self)
        filled[p] = n + 1
        if n + 1 == Self.pageEntries { try flush(p) }
    }

    private func flush(_ p: Int) throws {
        let bytes = UnsafeRawBufferPointer(start: pending + p * Self.pageBytes, count: Self.pageBytes)
        guard TemporaryFile.write(descriptor, bytes, at: written * Self.pageBytes) else {
            throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: " + String(cString: strerror(errno)))
        }
        guard written < Int(UInt32.max) else { throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: too large") }
        pages[p].append(UInt32(written))
        written += 1
        filled[p] = 0
    }

    /// Calls `body` with each partition's entries in file order and returns what it returns,
    /// in partition order. With more than one thread the partitions are read on Dispatch's
    /// pool, so memory holds at most one partition per core (one in all with `threads` 1).
    func forEachPartition<T: Sendable>(threads: Int, _ body: @Sendable ([Entry]) -> T) throws -> [T] {
        let layout = Layout(descriptor: descriptor, path: path, pages: pages, pending: pending, filled: filled)
        let results = try parallelMap(Self.partitionCount, threads: threads) { p in body(try layout.entries(p)) }
        for p in 0..<Self.partitionCount {
            pages[p] = []
            filled[p] = 0
        }
        return results
    }

    /// Where each partition's entries are, for reading them back from several threads.
    // @unchecked because the pending pages are only read, and only while forEachPartition
    // waits for the readers.
    private struct Layout: @unchecked Sendable {
        let descriptor: Int32
        let path: String
        let pages: [[UInt32]]
        let pending: UnsafeMutableRawPointer
        let filled: UnsafeMutablePointer<Int>

        func entries(_ p: Int) throws -> [Entry] {
            let tail = filled[p]
            // One entry more than are read: each page is read whole, and its unused 16 bytes
            // land where the next page's first entry goes (the last page's, in this slack).
            let capacity = pages[p].count * pageEntries + tail + 1
            return try [Entry](unsafeUninitializedCapacity: capacity) { buffer, count in
                let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
                for page in pages[p] {
                    let into = UnsafeMutableRawBufferPointer(start: raw + count * stride, count: pageBytes)
                    guard TemporaryFile.read(descriptor, into: into, at: Int(page) * pageBytes) else {
                        throw CSVError.writeFailed(
                            file: path, reason: "temporary file for duplicates cannot be read back: " + String(cString: strerror(errno)))
                    }
                    count += pageEntries
                }
                (raw + count * stride).copyMemory(from: pending + p * pageBytes, byteCount: tail * stride)
                count += tail
            }
        }
    }
}
