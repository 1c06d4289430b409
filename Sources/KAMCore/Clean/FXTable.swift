import Foundation

/// Rates to the base currency, from the inline `fx:` map and the `fx_rates` input.
///
/// A rate with `valid_from` applies from that day until the next one; a rate without it applies
/// to every day no dated rate covers. The base currency is always 1.
public struct FXTable: Sendable {
    public let baseCurrency: String
    private var undated: [String: FXRate] = [:]
    private var dated: [String: [(from: Day, rate: FXRate)]] = [:]

    public init(baseCurrency: String, inline: [String: Decimal] = [:]) {
        self.baseCurrency = baseCurrency
        for (c, d) in inline {
            if let r = FXTable.parseRate("\(d)") { undated[c] = r }
        }
    }

    /// Adds a rate; false when it conflicts with a different rate already given for the same
    /// currency and day.
    @discardableResult
    mutating func add(currency: String, rate: FXRate, validFrom: Day?) -> Bool {
        if let validFrom {
            var list = dated[currency, default: []]
            if let existing = list.first(where: { $0.from == validFrom }) { return existing.rate == rate }
            list.append((validFrom, rate))
            list.sort { $0.from < $1.from }
            dated[currency] = list
        } else {
            if let existing = undated[currency] { return existing == rate }
            undated[currency] = rate
        }
        return true
    }

    /// Whether any rate carries a validity date (then the rate depends on the day).
    public var hasDatedRates: Bool { !dated.isEmpty }

    public func rate(for currency: String, on day: Day) -> FXRate? {
        if currency == baseCurrency { return .one }
        if let list = dated[currency] {
            var found: FXRate?
            for entry in list {
                if entry.from <= day { found = entry.rate } else { break }
            }
            if let found { return found }
        }
        return undated[currency]
    }

    /// The rate a transaction dated `day` is converted at: its own day's rate when any rate
    /// carries a date; otherwise each currency has one rate, looked up as of `asOf`.
    func rate(for currency: String, transactionDay day: Day, asOf: Day) -> FXRate? {
        rate(for: currency, on: hasDatedRates ? day : asOf)
    }

    public var currencies: [String] { Array(Set(undated.keys).union(dated.keys).union([baseCurrency])).sorted() }

    /// A positive decimal with at most eight decimals (`7.1234`, `0.13895`).
    static func parseRate(_ s: String) -> FXRate? {
        let parts = s.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 1_000_000_000 else { return nil }
        var nano = whole * FXRate.scale
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 8, frac.allSatisfy(\.isASCII), let f = Int64(frac), f >= 0 else { return nil }
            nano += f * Int64(pow(10, Double(8 - frac.count)))
        }
        return nano > 0 ? FXRate(nanoUnits: nano) : nil
    }
}
