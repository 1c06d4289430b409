import Foundation

/// Number formatting for the CSV outputs: fixed decimals, `.` separator, no grouping, never
/// `nan` or `inf` (an undefined value is an empty cell), never a negative zero.
enum CSVFormat {
    /// `x` with `places` decimals, rounded exactly as C's `printf("%.*f")` rounds: the exact
    /// binary value to nearest, ties to even. Printing the account table's cells was the
    /// report's largest cost (Benchmarks/RESULTS.md), so the common case — places ≤ 9 and
    /// |x| · 10^places < 2^52 — is done in integers: x · 10^places is rounded from its exact
    /// value, which `fma` gives as the product plus its rounding error. Other values go to
    /// printf itself.
    static func decimal(_ x: Double, _ places: Int) -> String {
        guard x.isFinite else { return "" }
        if let (units, negative) = units(x, places) { return integerDecimal(units, negative: negative, places: places) }
        let s = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 400) { buffer in
            _ = withVaList([Int32(min(places, 60)), x]) { vsnprintf(buffer.baseAddress!, 400, "%.*f", $0) }
            return String(cString: buffer.baseAddress!)
        }
        // "-0.00" reads as a negative zero to finance: write it as zero.
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    /// |x| · 10^places rounded as printf rounds, and whether the printed value is negative;
    /// nil outside the common case (see ``decimal(_:_:)``).
    @inline(__always)
    private static func units(_ x: Double, _ places: Int) -> (UInt64, Bool)? {
        guard places >= 0 && places <= 9 else { return nil }
        let scale = powersOfTen[places]
        let y = x * scale
        guard abs(y) < 4_503_599_627_370_496 else { return nil }  // 2^52: y's fraction is exact to a half
        let error = (-y.magnitude).addingProduct(x.magnitude, scale)  // exact |x| · 10^places − |y|, by fma
        var units = y.magnitude.rounded(.toNearestOrEven)
        // A tie in y is a tie of the exact product only when the product was exact.
        if y.magnitude - y.magnitude.rounded(.down) == 0.5 && error != 0 {
            units = error > 0 ? y.magnitude.rounded(.up) : y.magnitude.rounded(.down)
        }
        return (UInt64(units), x < 0 && units != 0)
    }

    /// The number ``decimal(_:_:)`` prints, as the nearest `Double` (what reading the printed
    /// text gives), and the printed text's length: for the workbook, which stores numbers as
    /// the CSV prints them, without printing and reading them back. Nil for a non-finite `x`.
    static func printedValue(_ x: Double, _ places: Int) -> (value: Double, length: Int)? {
        guard x.isFinite else { return nil }
        guard let (units, negative) = units(x, places) else {
            let text = decimal(x, places)
            return Double(text).map { ($0, text.count) }
        }
        // units / 10^places, both exact in a Double, divided once: the correctly rounded
        // quotient, which is the double nearest the printed decimal.
        let magnitude = Double(units) / powersOfTen[places]
        var digits = 1, rest = units / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let length = max(digits, places + 1) + (places > 0 ? 1 : 0) + (negative ? 1 : 0)
        return (negative ? -magnitude : magnitude, length)
    }

    static func money(_ x: Double) -> String { decimal(x, 2) }

    private static let powersOfTen: [Double] = (0...9).map { pow(10, Double($0)) }

    /// `units` / 10^places as text.
    private static func integerDecimal(_ units: UInt64, negative: Bool, places: Int) -> String {
        var digits = String(units)
        if places > 0 {
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
        }
        return negative ? "-" + digits : digits
    }
}
