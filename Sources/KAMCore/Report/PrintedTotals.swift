/// Totals that foot as printed: a finance user adds up the figures a table shows, so a Total
/// row is the sum of the printed (rounded) figures above it, to the cent. Where that differs
/// from the exact total, the exact total and the difference are stated beside it.
enum PrintedTotals {
    struct Footed {
        /// The Total row: the sum of the printed parts in the additive columns, the exact
        /// figure elsewhere (ratios and means of the whole).
        var total: [String]
        /// The exact Total row (as computed from unrounded figures), when it differs.
        var exact: [String]
        /// Total − exact in the additive columns (empty elsewhere), when any differs.
        var difference: [String]?
    }

    /// - Parameters:
    ///   - parts: the printed rows being totalled.
    ///   - exact: the Total row as computed from unrounded figures.
    ///   - columns: the indices of the additive columns (fixed decimals: money or counts).
    static func foot(_ parts: [[String]], exact: [String], columns: [Int]) -> Footed {
        var total = exact
        var difference = Array(repeating: "", count: exact.count)
        var differs = false
        for c in columns {
            let decimals = exact[c].split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0
            let printed = parts.reduce(Int64(0)) { $0 + (scaled($1[c], decimals) ?? 0) }
            guard let exactScaled = scaled(exact[c], decimals) else { continue }
            total[c] = format(printed, decimals)
            difference[c] = format(printed - exactScaled, decimals)
            if printed != exactScaled { differs = true }
        }
        return Footed(total: total, exact: exact, difference: differs ? difference : nil)
    }

    /// A printed fixed-decimal number (`-1234.50`) as an integer of its last decimal place.
    static func scaled(_ text: String, _ decimals: Int) -> Int64? {
        guard !text.isEmpty else { return nil }
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        let pieces = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int64(pieces[0]), pieces.count <= 2 else { return nil }
        let fraction = pieces.count == 2 ? String(pieces[1]) : ""
        guard fraction.count == decimals, let part = Int64("0" + fraction) else { return nil }
        var power: Int64 = 1
        for _ in 0..<decimals { power *= 10 }
        let value = whole * power + part
        return negative ? -value : value
    }

    static func format(_ value: Int64, _ decimals: Int) -> String {
        var power: Int64 = 1
        for _ in 0..<decimals { power *= 10 }
        let magnitude = value.magnitude
        var s = String(magnitude / UInt64(power))
        if decimals > 0 {
            let fraction = String(magnitude % UInt64(power))
            s += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return value < 0 ? "-" + s : s
    }
}
