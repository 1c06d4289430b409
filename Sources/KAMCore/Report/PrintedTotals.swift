/// Totals that foot as printed: a finance user adds up the figures a table shows, so a Total
/// row is the sum of the printed (rounded) figures above it, to the cent. Where that differs
/// from the exact total, the exact total and the difference are stated beside it.
enum PrintedTotals {
    struct Footed {
        /// The Total row: the sum of the printed parts in the additive columns, the exact
        /// figure elsewhere (ratios and means of the whole).
        var total: [ReportCell]
        /// The exact Total row (as computed from unrounded figures), when it differs.
        var exact: [ReportCell]
        /// Total − exact in the additive columns (empty elsewhere), when any differs.
        var difference: [ReportCell]?
    }

    /// - Parameters:
    ///   - parts: the rows being totalled.
    ///   - exact: the Total row as computed from unrounded figures.
    ///   - columns: the indices of the additive columns: counts, or money shown with two
    ///     decimals.
    static func foot(_ parts: [[ReportCell]], exact: [ReportCell], columns: [Int]) -> Footed {
        var total = exact
        var difference = Array(repeating: ReportCell.empty, count: exact.count)
        var differs = false
        for c in columns {
            let decimals = exact[c].printed.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0
            guard decimals == 0 || decimals == 2, let exactScaled = scaled(exact[c].printed, decimals) else { continue }
            let printed = parts.reduce(Int64(0)) { $0 + (scaled($1[c].printed, decimals) ?? 0) }
            total[c] = cell(printed, decimals)
            difference[c] = cell(printed - exactScaled, decimals)
            if printed != exactScaled { differs = true }
        }
        return Footed(total: total, exact: exact, difference: differs ? difference : nil)
    }

    /// A count, or cents as exact money.
    private static func cell(_ value: Int64, _ decimals: Int) -> ReportCell {
        decimals == 0 ? .count(Int(value)) : .money(Money(units: value * (Money.scale / 100)))
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
}
