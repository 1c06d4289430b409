import CSVIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Canonical field → column index in one file, checked against its header.
struct ColumnMap: Sendable {
    private var indices: [String: Int] = [:]

    /// Throws ``ConfigError/missingColumn`` listing the headers found when a mapped header is
    /// absent. Headers are compared after trimming; `column_1`-style names address files
    /// without a header row by position (1-based).
    init(config: InputConfig, header: [String], pipelineFile: String) throws {
        for (field, column) in config.columns.sorted(by: { $0.key < $1.key }) {
            if let i = header.firstIndex(of: column.trimmingASCIIWhitespaceAndBOM()) {
                indices[field] = i
            } else if !config.dialect.hasHeader, let n = Int(column), n >= 1, n <= header.count {
                indices[field] = n - 1
            } else {
                throw ConfigError.missingColumn(
                    file: pipelineFile, input: config.kind.rawValue, field: field, column: column, headersFound: header)
            }
        }
    }

    subscript(field: String) -> Int? { indices[field] }
}

extension String {
    func trimmingASCIIWhitespaceAndBOM() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\u{FEFF}" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}

extension CSVRecord {
    /// This record as a line of the rejects ledger, with its raw text.
    func reject(_ source: InputKind, field: String, reason: RejectReason, message: String) -> Reject {
        Reject(source: source, line: line, field: field, reason: reason, message: message, raw: raw)
    }

    /// The trimmed field, or nil when the column is not mapped or the field is empty.
    func text(_ column: Int?) -> String? {
        guard let column else { return nil }
        return withFieldBytes(column) { raw in
            let t = trimmed(raw)
            return t.isEmpty ? nil : String(decoding: t, as: UTF8.self)
        }
    }
}

extension InputConfig {
    /// The input's date patterns, tried in order, and Excel serial days when enabled.
    var dateParser: DateParser { DateParser(formats: dateFormats, excelSerialDates: excelSerialDates) }
}

/// FNV-1a, 64 bits: a hash that is the same in every run (Swift's `Hasher` is seeded per
/// process). It picks the churn hold-out accounts, so it must not change.
struct StableHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ s: String) {
        for b in s.utf8 {
            value ^= UInt64(b)
            value &*= 0x100_0000_01b3
        }
        value ^= 0x1F
        value &*= 0x100_0000_01b3
    }
}

/// A 64-bit hash of a row's fields that is the same in every run, for duplicate keys and row
/// contents: eight bytes at a time, each word multiplied in and folded (the length goes into
/// the last word, and ``addField(_:)`` and ``add(_:)-(String)`` add a separator).
struct RowHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
        value ^= value >> 29
    }

    @inline(__always)
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else {
            mix(0)
            return
        }
        var i = 0
        while i + 8 <= bytes.count {
            mix(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            i += 8
        }
        // The last 0–7 bytes, with their count in the top byte.
        let rest = bytes.count - i
        mix(UInt64(rest) << 56 | littleEndianWord(UnsafeRawPointer(base + i), count: rest))
    }

    /// A field's bytes and a separator (the same as ``add(_:)-(String)`` of its text).
    @inline(__always)
    mutating func addField(_ bytes: UnsafeBufferPointer<UInt8>) {
        add(bytes)
        mix(0x1F)
    }

    mutating func add(_ s: String) {
        var s = s
        s.withUTF8 { add($0) }
        mix(0x1F)
    }

    @inline(__always)
    mutating func add(_ n: Int64) {
        mix(UInt64(bitPattern: n))
    }

    /// The hash of one field (equal to ``add(_:)-(String)`` of its text on a fresh hash).
    static func of(field bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = RowHash()
        h.addField(bytes)
        return h.value
    }

    /// The hash of a record's raw bytes: the key `dedupe: exact` merges identical records by.
    @inline(__always)
    static func of(record: CSVRecord) -> UInt64 {
        var h = RowHash()
        record.withRawBytes { h.add($0) }
        return h.value
    }

    /// The hash of one string (the same as ``of(field:)`` of its UTF-8 bytes).
    static func of(_ s: String) -> UInt64 {
        var h = RowHash()
        h.add(s)
        return h.value
    }
}

/// Remembers a function of a short byte string for the few distinct values a column holds
/// (currency codes, status labels): a compare or two per row instead of building,
/// case-folding and hashing a String. Remembers up to 64 values.
struct ByteMemo<Value> {
    private var keys: [[UInt8]] = []
    private var values: [Value] = []

    func find(_ key: UnsafeBufferPointer<UInt8>) -> Value? {
        for i in keys.indices where keys[i].elementsEqual(key) { return values[i] }
        return nil
    }

    /// Remembers `value` for `key` (the first 64 keys).
    mutating func remember(_ key: UnsafeBufferPointer<UInt8>, _ value: Value) {
        guard keys.count < 64, find(key) == nil else { return }
        keys.append(Array(key))
        values.append(value)
    }
}

/// Up to 8 bytes at `p` as one little-endian word (byte k in bits 8k…8k+7, the rest zero), read
/// with at most two loads that may overlap (an overlapping byte is the same byte in both): the
/// tail of a field for ``RowHash``, without a loop over its bytes.
@inline(__always)
func littleEndianWord(_ p: UnsafeRawPointer, count: Int) -> UInt64 {
    if count >= 8 { return p.loadUnaligned(as: UInt64.self) }
    if count >= 4 {
        return UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << UInt64(8 * (count - 4))
    }
    if count >= 2 {
        return UInt64(p.loadUnaligned(as: UInt16.self)) | UInt64(p.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)) << UInt64(8 * (count - 2))
    }
    return count == 1 ? UInt64(p.load(as: UInt8.self)) : 0
}

/// What `Int(text) != nil` says of the trimmed text, or true for an empty field: an optional
/// sign and decimal digits that fit in an `Int`. One to three plain digits (a line number)
/// are answered inline; the rest out of line.
@inline(__always)
func isWholeNumberOrEmpty(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = s.count
    if n == 0 { return true }
    if n <= 3, let p = s.baseAddress {
        let a = p[0] &- 0x30, b = n > 1 ? p[1] &- 0x30 : 0, c = n > 2 ? p[2] &- 0x30 : 0
        if a < 10 && b < 10 && c < 10 { return true }
    }
    return isWholeNumberSlow(s)
}

@inline(never)
private func isWholeNumberSlow(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    if s[0] == UInt8(ascii: "+") || s[0] == UInt8(ascii: "-") { i = 1 }
    let digits = s.count - i
    guard digits > 0 else { return false }
    for k in i..<s.count where s[k] < 0x30 || s[k] > 0x39 { return false }
    return digits <= 18 || Int(String(decoding: s, as: UTF8.self)) != nil
}
