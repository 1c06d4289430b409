import CSVIO
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Rows of a transactions pass (`dedupe: txn_id` or `exact`) set aside on disk by key, so that
/// finding duplicates takes memory that does not grow with the rows.
///
/// A duplicate must be recognised wherever in the file it comes, so one pass would have to
/// remember every key. Instead each entry goes to one of 256 partitions by its key's hash;
/// after the pass the partitions are read back (``Layout/entries(_:)``), each a small fraction
/// of the entries, in file order. Partitions are buffered in memory (one 4 KiB page each,
/// 1 MiB in all, touched only as entries come; with 1024 partitions, 4 MiB, the pass took
/// about 2 % more CPU: the pages fit the caches less well) and written as whole pages to one
/// unlinked temporary file, so nothing is left behind, even by a crash. The book keeps two: every keyed
/// row's key (``KeyEntry``, 16 bytes), and the few rows whose key may have been seen before,
/// whole (``CandidateEntry``).
final class DuplicateSpill<Entry> {
    static var partitionCount: Int { 256 }
    private static var stride: Int { MemoryLayout<Entry>.stride }
    /// Bytes a partition buffers before they are written: by default a whole 4 KiB page (a
    /// write that covers its pages exactly spares the file system reading or zeroing the rest
    /// of a page, which cost more than the write itself); less for a spill of few entries,
    /// whose buffers would otherwise take 1 MiB as its entries spread over the partitions.
    private let pageBytes: Int
    private let pageEntries: Int

    /// Each partition's page being filled, side by side.
    private let pending: UnsafeMutableRawPointer
    /// How many entries each partition's page holds (a pointer: no exclusivity check per row).
    private let filled: UnsafeMutablePointer<Int>
    /// Each partition's written pages, as page numbers in the file (every page is full).
    private var pages: [[UInt32]]
    private let descriptor: Int32
    private let path: String
    private var written = 0

    init(pageBytes: Int = 4096) throws {
        self.pageBytes = pageBytes
        pageEntries = pageBytes / Self.stride
        precondition(pageEntries > 0 && _isPOD(Entry.self), "an entry is plain bytes, less than a page")
        (descriptor, path) = TemporaryFile.openUnlinked(prefix: "kam-duplicates")
        guard descriptor >= 0 else {
            throw CSVError.writeFailed(file: path, reason: "cannot create a temporary file: " + String(cString: strerror(errno)))
        }
        pending = .allocate(byteCount: Self.partitionCount * pageBytes, alignment: 4096)
        filled = .allocate(capacity: Self.partitionCount)
        filled.initialize(repeating: 0, count: Self.partitionCount)
        pages = Array(repeating: [], count: Self.partitionCount)
    }

    deinit {
        close(descriptor)
        pending.deallocate()
        filled.deallocate()
    }

    /// The partition of a key (the same for every spill, so a partition of one meets the same
    /// keys' entries in another).
    static func partition(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56) }

    @inline(__always)
    func add(_ entry: Entry, key: UInt64) throws {
        let p = Self.partition(key)
        let n = filled[p]
        pending.storeBytes(of: entry, toByteOffset: p * pageBytes + n * Self.stride, as: Entry.self)
        filled[p] = n + 1
        if n + 1 == pageEntries { try flush(p) }
    }

    private func flush(_ p: Int) throws {
        let bytes = UnsafeRawBufferPointer(start: pending + p * pageBytes, count: pageBytes)
        guard TemporaryFile.write(descriptor, bytes, at: written * pageBytes) else {
            throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: " + String(cString: strerror(errno)))
        }
        guard written < Int(UInt32.max) else { throw CSVError.writeFailed(file: path, reason: "temporary file for duplicates: too large") }
        pages[p].append(UInt32(written))
        written += 1
        filled[p] = 0
    }

    /// Where each partition's entries are, for reading them back from several threads while
    /// nothing is added; valid until ``clear()``.
    var layout: Layout {
        Layout(descriptor: descriptor, path: path, pageBytes: pageBytes, pages: pages, pending: pending, filled: filled)
    }

    /// Forgets every entry (after the partitions were read).
    func clear() {
        for p in 0..<Self.partitionCount {
            pages[p] = []
            filled[p] = 0
        }
    }

    // @unchecked because the pending pages are only read, and only while the spill's owner
    // waits for the readers.
    struct Layout: @unchecked Sendable {
        let descriptor: Int32
        let path: String
        let pageBytes: Int
        let pages: [[UInt32]]
        let pending: UnsafeMutableRawPointer
        let filled: UnsafeMutablePointer<Int>

        /// Partition `p`'s entries, in the order they were added.
        func entries(_ p: Int) throws -> [Entry] {
            let tail = filled[p], stride = DuplicateSpill.stride, pageEntries = pageBytes / stride
            // One entry more than are read: each page is read whole, and its unused bytes (less
            // than an entry) land where the next page's first entry goes (the last page's, in
            // this slack).
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

/// One keyed row in the key spill, 16 bytes: its key, 32 bits of its content's hash (a later
/// row with the same key and different content is a conflict; two different contents agree
/// on these bits once in 2^32), and its account.
struct KeyEntry {
    var key: UInt64
    var content: UInt32
    var account: Int32
}

/// A keyed row whose key may have been seen before (``KeySightings``), kept whole, 48 bytes,
/// and not yet added to its account: it is added, merged or rejected once the keys are known.
/// Its base-currency amount is not kept: it follows from the amount, currency, day and status
/// (the book converts it again).
struct CandidateEntry {
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

/// The keys seen so far in a pass, approximately: a blocked Bloom filter of 8 MiB (2^17
/// blocks of 512 bits, four bits per key, all in one block, so a look-up touches one cache
/// line). Its memory is the same whatever the rows.
final class KeySightings {
    static let defaultBlockBits = 17
    private let blockBits: Int
    private let words: UnsafeMutablePointer<UInt64>

    /// 2^`blockBits` blocks of 64 bytes (tests make it tiny, so that new keys often look seen).
    init(blockBits: Int = defaultBlockBits) {
        precondition((0...30).contains(blockBits))
        self.blockBits = blockBits
        words = .allocate(capacity: 8 << blockBits)
        words.initialize(repeating: 0, count: 8 << blockBits)
    }

    deinit { words.deallocate() }

    /// Notes the keys of a batch's keyed rows, in order, and says of each row whether its key
    /// may have been seen before (false for a row without a key): always true for a key seen
    /// before; for a new key, rarely (after 5 million keys, about 1 in 250). A key picks its
    /// block by a multiplicative hash and sets four of the block's 512 bits, nine bits of the
    /// key each.
    func insert(keysOf rows: [TransactionRows.Row]) -> [Bool] {
        let multiplier: UInt64 = 0xD6E8_FEB8_6659_FD93
        let shift = UInt64(64 - blockBits)
        return rows.map { row in
            guard row.keyed else { return false }
            let block = words + (blockBits == 0 ? 0 : Int((row.key &* multiplier) >> shift) * 8)
            var seen = true
            for k in 0..<4 {
                let b = (row.key >> UInt64(9 * k)) & 511
                let bit: UInt64 = 1 << (b & 63)
                if block[Int(b >> 6)] & bit == 0 {
                    seen = false
                    block[Int(b >> 6)] |= bit
                }
            }
            return seen
        }
    }
}
