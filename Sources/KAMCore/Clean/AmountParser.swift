/// Reads money as exports write it, exactly, and refuses anything it would have to guess.
///
/// Accepted: `1234.5`, `1,234.50` (thousands in groups of three), `(1,234.00)` (negative),
/// `-12`, `+12`, a currency sign before or after (`￥1,200`, `¥`, `$`, `€`, `£`, `元`), full-width
/// digits and punctuation, surrounding spaces, and with `decimal_comma` `1.234,56`. At most four
/// decimals. Everything else is nil (a reject).
public struct AmountParser: Sendable {
    public let decimalComma: Bool

    public init(decimalComma: Bool) { self.decimalComma = decimalComma }

    public func parse(_ raw: UnsafeBufferPointer<UInt8>) -> Money? {
        if let plain = plainDecimal(raw) { return plain }
        return parseByRules(raw)
    }

    /// The full rules, without the one-pass shortcut for common amounts (which must never
    /// give another answer: a test compares the two).
    func parseByRules(_ raw: UnsafeBufferPointer<UInt8>) -> Money? {
        let s = trimmed(raw)
        if s.isEmpty { return nil }
        if s.allSatisfy({ $0 < 0x80 }) { return parseASCII(s) }
        // Fold full-width forms and drop currency signs, then parse the ASCII that remains.
        var ascii: [UInt8] = []
        ascii.reserveCapacity(s.count)
        for scalar in String(decoding: s, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0xFF10...0xFF19: ascii.append(UInt8(scalar.value - 0xFF10 + 0x30))
            case 0xFF0E: ascii.append(UInt8(ascii: "."))
            case 0xFF0C: ascii.append(UInt8(ascii: ","))
            case 0xFF0D, 0x2212: ascii.append(UInt8(ascii: "-"))
            case 0xFF08: ascii.append(UInt8(ascii: "("))
            case 0xFF09: ascii.append(UInt8(ascii: ")"))
            case 0xFFE5, 0x00A5, 0x20AC, 0x00A3, 0x5143, 0x3000: ascii.append(0x20)  // ￥ ¥ € £ 元, ideographic space
            case 0..<0x80: ascii.append(UInt8(scalar.value))
            default: return nil
            }
        }
        return ascii.withUnsafeBufferPointer { parseASCII(trimmed($0)) }
    }

    public func parse(_ s: String) -> Money? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    /// The common cases, digits with at most four decimals and nothing else (`1234`, `75.90`),
    /// or with thousands separators in the rules' own groups (`3,137.49`: one to three digits,
    /// then groups of exactly three), read in one pass; nil sends everything else to the full
    /// rules (never a different answer).
    @inline(__always)
    private func plainDecimal(_ s: UnsafeBufferPointer<UInt8>) -> Money? {
        let n = s.count
        let point = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: "."), group = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var i = 0
        var integer: Int64 = 0
        while i < n {
            let d = s[i] &- 0x30
            if d >= 10 { break }
            integer = integer &* 10 &+ Int64(d)
            i += 1
        }
        // Up to 14 integer digits cannot overflow; longer ones take the checked path.
        guard i > 0, i <= 14 else { return nil }
        if i < n && s[i] == group {
            guard i <= 3 else { return nil }
            var digits = i
            while i < n && s[i] == group {
                guard i + 3 < n, digits <= 11 else { return nil }
                let a = s[i + 1] &- 0x30, b = s[i + 2] &- 0x30, c = s[i + 3] &- 0x30
                guard a < 10, b < 10, c < 10 else { return nil }
                integer = integer &* 1000 &+ Int64(a) &* 100 &+ Int64(b) &* 10 &+ Int64(c)
                digits += 3
                i += 4
            }
            // After the last group: the end, or the decimal point (a digit would make a group
            // of four).
            guard i == n || s[i] == point else { return nil }
        }
        if i == n { return Money(units: integer &* Money.scale) }
        let decimals = n - i - 1
        guard s[i] == point, decimals >= 1, decimals <= 4 else { return nil }
        var fraction: Int64 = 0
        for k in (i + 1)..<n {
            let d = s[k] &- 0x30
            guard d < 10 else { return nil }
            fraction = fraction &* 10 &+ Int64(d)
        }
        for _ in decimals..<4 { fraction &*= 10 }
        return Money(units: integer &* Money.scale &+ fraction)
    }

    private func parseASCII(_ input: UnsafeBufferPointer<UInt8>) -> Money? {
        var s = input
        var negative = false
        if s.first == UInt8(ascii: "("), s.last == UInt8(ascii: ")") {
            negative = true
            s = trimmed(UnsafeBufferPointer(rebasing: s[1..<(s.count - 1)]))
        }
        // Signs and currency symbols, in either order, before the digits; a symbol after them.
        var lo = 0, hi = s.count
        var signSeen = false
        while lo < hi {
            let c = s[lo]
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                if signSeen || negative { return nil }
                signSeen = true
                negative = c == UInt8(ascii: "-")
            } else if c == UInt8(ascii: "$") || c == 0x20 {
            } else { break }
            lo += 1
        }
        while hi > lo, s[hi - 1] == UInt8(ascii: "$") || s[hi - 1] == 0x20 { hi -= 1 }
        if lo >= hi { return nil }
        let point = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let group = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var digitsInGroup = 0
        var groupsSeen = false
        var inFraction = false
        var anyDigit = false
        for i in lo..<hi {
            let c = s[i]
            if c >= 0x30 && c <= 0x39 {
                anyDigit = true
                let v = Int64(c - 0x30)
                if inFraction {
                    fractionDigits += 1
                    if fractionDigits > 4 { return nil }
                    fraction = fraction * 10 + v
                } else {
                    let (m, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(v)
                    if o1 || o2 || a > Int64.max / Money.scale { return nil }
                    integer = a
                    digitsInGroup += 1
                }
            } else if c == group && !inFraction {
                // A thousands separator: 1–3 digits before the first, exactly 3 between.
                if digitsInGroup == 0 || digitsInGroup > 3 || (groupsSeen && digitsInGroup != 3) { return nil }
                groupsSeen = true
                digitsInGroup = 0
            } else if c == point && !inFraction {
                if groupsSeen && digitsInGroup != 3 { return nil }
                inFraction = true
            } else {
                return nil
            }
        }
        if !anyDigit { return nil }
        if !inFraction && groupsSeen && digitsInGroup != 3 { return nil }
        if inFraction && fractionDigits == 0 { return nil }
        for _ in fractionDigits..<4 { fraction *= 10 }
        // integer ≤ Int64.max / scale, so only the fraction can carry it past the largest amount.
        let (units, overflow) = (integer * Money.scale).addingReportingOverflow(fraction)
        if overflow { return nil }
        return Money(units: negative ? -units : units)
    }
}
