/// A date pattern such as `yyyy-MM-dd`, `dd/MM/yyyy`, `yyyy/M/d` or `yyyy年M月d日`.
///
/// `yyyy` is four digits, `MM`/`dd` exactly two, `M`/`d` one or two; anything else is a literal.
/// The day/month order is whatever the pattern says; it is never guessed. A time of day after
/// the date (`2024-03-05 14:30`, `2024-03-05T14:30:00Z`) is allowed and ignored.
public struct DatePattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case year4, month(exact: Bool), day(exact: Bool), literal([UInt8])
    }
    let tokens: [Token]
    public let text: String
    /// For patterns whose fields all have a fixed width (`yyyy-MM-dd`, `dd/MM/yyyy`): where
    /// each field and literal byte sits, so a parse is a few compares with no array access.
    let fixed: FixedLayout?

    struct FixedLayout: Sendable, Hashable {
        var length: Int
        var year: Int, month: Int, day: Int
        /// Up to eight literal bytes and their positions, one per byte lane.
        var literalBytes: UInt64 = 0, literalPositions: UInt64 = 0, literalCount = 0

        init?(_ tokens: [Token]) {
            var at = 0
            var y = -1, m = -1, d = -1
            var bytes: UInt64 = 0, positions: UInt64 = 0, count = 0
            for t in tokens {
                switch t {
                case .year4: y = at; at += 4
                case .month(let exact): guard exact else { return nil }; m = at; at += 2
                case .day(let exact): guard exact else { return nil }; d = at; at += 2
                case .literal(let l):
                    for b in l {
                        guard count < 8, at < 256 else { return nil }
                        bytes |= UInt64(b) << UInt64(8 * count)
                        positions |= UInt64(at) << UInt64(8 * count)
                        count += 1
                        at += 1
                    }
                }
            }
            guard y >= 0, m >= 0, d >= 0 else { return nil }
            (length, year, month, day) = (at, y, m, d)
            (literalBytes, literalPositions, literalCount) = (bytes, positions, count)
        }

        @inline(__always)
        func parse(_ s: UnsafeBufferPointer<UInt8>) -> Day?? {
            guard s.count >= length else { return .some(nil) }
            for k in 0..<literalCount {
                let position = Int((literalPositions >> UInt64(8 * k)) & 0xFF)
                guard s[position] == UInt8(truncatingIfNeeded: literalBytes >> UInt64(8 * k)) else { return .some(nil) }
            }
            // The eight digits, each checked; no loop (the widths are fixed).
            let y0 = s[year] &- 0x30, y1 = s[year + 1] &- 0x30, y2 = s[year + 2] &- 0x30, y3 = s[year + 3] &- 0x30
            let m0 = s[month] &- 0x30, m1 = s[month + 1] &- 0x30, d0 = s[day] &- 0x30, d1 = s[day + 1] &- 0x30
            guard y0 < 10, y1 < 10, y2 < 10, y3 < 10, m0 < 10, m1 < 10, d0 < 10, d1 < 10 else { return .some(nil) }
            let y = Int(y0) * 1000 + Int(y1) * 100 + Int(y2) * 10 + Int(y3)
            let m = Int(m0) * 10 + Int(m1), d = Int(d0) * 10 + Int(d1)
            if s.count > length {
                // A longer text may still match the general rules (a time of day after it).
                return nil
            }
            return .some(Day(year: y, month: m, day: d))
        }
    }

    public init?(_ pattern: String) {
        var tokens: [Token] = []
        var chars = Array(pattern)
        var sawYear = false, sawMonth = false, sawDay = false
        while !chars.isEmpty {
            let c = chars[0]
            var run = 0
            while run < chars.count && chars[run] == c { run += 1 }
            switch (c, run) {
            case ("y", 4): tokens.append(.year4); sawYear = true
            case ("M", 1), ("M", 2): tokens.append(.month(exact: run == 2)); sawMonth = true
            case ("d", 1), ("d", 2): tokens.append(.day(exact: run == 2)); sawDay = true
            case ("y", _), ("M", _), ("d", _): return nil
            default:
                let bytes = Array(String(chars[0..<run]).utf8)
                if case .literal(let prev)? = tokens.last {
                    tokens[tokens.count - 1] = .literal(prev + bytes)
                } else {
                    tokens.append(.literal(bytes))
                }
            }
            chars.removeFirst(run)
        }
        guard sawYear, sawMonth, sawDay else { return nil }
        self.tokens = tokens
        self.text = pattern
        fixed = FixedLayout(tokens)
    }

    /// Parses trimmed UTF-8 bytes; nil when they do not match or name no real day.
    public func parse(_ s: UnsafeBufferPointer<UInt8>) -> Day? {
        if let fixed, let decided = fixed.parse(s) { return decided }
        var i = 0
        var y = 0, m = 0, d = 0
        func digits(min: Int, max: Int) -> Int? {
            var n = 0, count = 0
            while count < max, i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
                n = n * 10 + Int(s[i] - 0x30)
                i += 1
                count += 1
            }
            return count >= min ? n : nil
        }
        for token in tokens {
            switch token {
            case .year4: guard let v = digits(min: 4, max: 4) else { return nil }; y = v
            case .month(let exact): guard let v = digits(min: exact ? 2 : 1, max: 2) else { return nil }; m = v
            case .day(let exact): guard let v = digits(min: exact ? 2 : 1, max: 2) else { return nil }; d = v
            case .literal(let bytes):
                guard i + bytes.count <= s.count else { return nil }
                for b in bytes {
                    guard s[i] == b else { return nil }
                    i += 1
                }
            }
        }
        if i < s.count {
            // Only a time of day may follow: a space or 'T', then a digit.
            guard s[i] == 0x20 || s[i] == UInt8(ascii: "T"), i + 1 < s.count, s[i + 1] >= 0x30, s[i + 1] <= 0x39 else { return nil }
        }
        return Day(year: y, month: m, day: d)
    }
}

/// Tries an input's date patterns in order, then Excel serial days when enabled.
public struct DateParser: Sendable {
    public let patterns: [DatePattern]
    public let excelSerialDates: Bool
    /// The first pattern's fixed layout, tried before anything else (most rows match it).
    private let first: DatePattern.FixedLayout?

    public init(formats: [String], excelSerialDates: Bool) {
        patterns = formats.compactMap(DatePattern.init)
        self.excelSerialDates = excelSerialDates
        first = patterns.first?.fixed
    }

    public func parse(_ s: UnsafeBufferPointer<UInt8>) -> Day? {
        if let first, let day = first.parse(s) ?? nil { return day }
        for p in patterns {
            if let day = p.parse(s) { return day }
        }
        if excelSerialDates, !s.isEmpty, s.count <= 7, s.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Excel's day 1 is 1900-01-01 and it counts a 29 Feb 1900 that never was, so
            // serials from 61 on are days since 1899-12-30.
            var n = 0
            for b in s { n = n * 10 + Int(b - 0x30) }
            guard n >= 61 else { return nil }
            return Day(year: 1899, month: 12, day: 30)! + n
        }
        return nil
    }

    public func parse(_ s: String) -> Day? {
        var s = s
        return s.withUTF8 { parse(trimmed($0)) }
    }
}

/// The buffer without leading and trailing ASCII spaces, tabs, CR and LF. A field whose first
/// and last bytes are above 0x20 (nearly every field) is returned at once.
@inline(__always)
func trimmed(_ s: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    guard let p = s.baseAddress, s.count > 0 else { return s }
    if p[0] > 0x20 && p[s.count - 1] > 0x20 { return s }
    return trimmedSlow(s)
}

@inline(never)
private func trimmedSlow(_ s: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var lo = 0, hi = s.count
    while lo < hi, s[lo] == 0x20 || s[lo] == 0x09 || s[lo] == 0x0D || s[lo] == 0x0A { lo += 1 }
    while hi > lo, s[hi - 1] == 0x20 || s[hi - 1] == 0x09 || s[hi - 1] == 0x0D || s[hi - 1] == 0x0A { hi -= 1 }
    return UnsafeBufferPointer(rebasing: s[lo..<hi])
}
