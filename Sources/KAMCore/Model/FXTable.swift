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

    public func rate(for currency: String, on day: Day) -> FXRate? { entry(for: currency, on: day)?.rate }

    /// The rate for `currency` on `day` and the day it is valid from (nil: an undated rate,
    /// or the base currency).
    func entry(for currency: String, on day: Day) -> (rate: FXRate, from: Day?)? {
        if currency == baseCurrency { return (.one, nil) }
        if let list = dated[currency] {
            var found: (rate: FXRate, from: Day?)?
            for entry in list {
                if entry.from <= day { found = (entry.rate, entry.from) } else { break }
            }
            if let found { return found }
        }
        return undated[currency].map { ($0, nil) }
    }

    /// Every rate of the table (base currency excepted), by currency and day.
    public var rates: [(key: FXRateKey, rate: FXRate)] {
        var all = undated.map { (FXRateKey(currency: $0.key, validFrom: nil), $0.value) }
        for (c, list) in dated { all += list.map { (FXRateKey(currency: c, validFrom: $0.from), $0.rate) } }
        return all.sorted { $0.0 < $1.0 }
    }

    /// The rate a transaction dated `day` is converted at: its own day's rate when any rate
    /// carries a date; otherwise each currency has one rate, looked up as of `asOf`.
    func rate(for currency: String, transactionDay day: Day, asOf: Day) -> FXRate? {
        rate(for: currency, on: hasDatedRates ? day : asOf)
    }

    /// The same, with the day the rate is valid from.
    func entry(for currency: String, transactionDay day: Day, asOf: Day) -> (rate: FXRate, from: Day?)? {
        entry(for: currency, on: hasDatedRates ? day : asOf)
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

/// One rate of an ``FXTable``: its currency and the day it is valid from (nil: undated).
public struct FXRateKey: Sendable, Hashable, Comparable {
    public var currency: String
    public var validFrom: Day?

    public static func < (a: FXRateKey, b: FXRateKey) -> Bool {
        a.currency != b.currency ? a.currency < b.currency : (a.validFrom?.ordinal ?? Int32.min) < (b.validFrom?.ordinal ?? Int32.min)
    }
}
