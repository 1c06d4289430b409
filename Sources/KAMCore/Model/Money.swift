/// An exact amount of money in units of 1/10 000 of the currency (four decimal places).
///
/// Inputs with up to four decimals are held exactly; sums are exact; conversions to the base
/// currency round half to even at the fourth decimal, and outputs round half to even at the
/// second (`formatted`). Finance sees only these values, never a `Double`.
public struct Money: Sendable, Hashable, Comparable, Codable, AdditiveArithmetic, CustomStringConvertible {
    public static let scale: Int64 = 10_000
    public var units: Int64

    public init(units: Int64) { self.units = units }
    public static var zero: Money { Money(units: 0) }

    public static func + (a: Money, b: Money) -> Money { Money(units: a.units + b.units) }
    public static func - (a: Money, b: Money) -> Money { Money(units: a.units - b.units) }
    public static prefix func - (a: Money) -> Money { Money(units: -a.units) }
    public static func < (a: Money, b: Money) -> Bool { a.units < b.units }

    public var magnitude: Money { Money(units: abs(units)) }
    public var double: Double { Double(units) / Double(Money.scale) }

    /// Fixed two decimals, `.` separator, no thousands separator, rounded half to even.
    public var formatted: String { Money.format(units, decimals: 2) }
    public var description: String { formatted }

    /// `units` (at 1/10 000) shown with `decimals` (≤ 4) places, rounded half to even.
    static func format(_ units: Int64, decimals: Int) -> String {
        let drop = Int64([1, 10, 100, 1000, 10_000][4 - decimals])
        let q = units / drop
        let r = units % drop
        var rounded = q
        if r != 0 {
            let twice = 2 * abs(r)
            if twice > drop || (twice == drop && abs(q) % 2 == 1) { rounded += units < 0 ? -1 : 1 }
        }
        let negative = rounded < 0
        let a = rounded.magnitude
        let div = UInt64([1, 10, 100, 1000, 10_000][decimals])
        var s = negative ? "-" : ""
        s += String(a / div)
        if decimals > 0 {
            let frac = String(a % div)
            s += "." + String(repeating: "0", count: decimals - frac.count) + frac
        }
        return s
    }

    /// The amount as a line of `status` means it: a refund negative whichever sign the export
    /// gave it, anything else as written.
    func meant(by status: TransactionStatus) -> Money { status == .refund ? -magnitude : self }

    /// Converts at `rate` (units of base per unit, held at 1e-8), rounding half to even; nil
    /// when the result is beyond what ``Money`` holds.
    public func converted(at rate: FXRate) -> Money? {
        if rate.nanoUnits == FXRate.scale { return self }
        // Most products fit in 64 bits: then a 64-bit division, rounded the same way.
        let (product, overflow) = units.multipliedReportingOverflow(by: rate.nanoUnits)
        if !overflow { return Money(units: FXRate.divideRounded(product, by: FXRate.scale)) }
        return FXRate.divideRounded(units.multipliedFullWidth(by: rate.nanoUnits), by: FXRate.scale).map(Money.init(units:))
    }
}

/// An exchange rate to the base currency, exact to eight decimals.
public struct FXRate: Sendable, Hashable, Codable {
    public static let scale: Int64 = 100_000_000
    /// Base-currency units per unit of the foreign currency, × 1e8.
    public var nanoUnits: Int64

    public init(nanoUnits: Int64) { self.nanoUnits = nanoUnits }
    public static let one = FXRate(nanoUnits: scale)

    public var double: Double { Double(nanoUnits) / Double(FXRate.scale) }

    /// `x / d` rounded half to even (`d` positive).
    static func divideRounded(_ x: Int64, by d: Int64) -> Int64 {
        roundedHalfEven(x / d, remainder: x % d, negative: x < 0, by: d)
    }

    /// The same for a 128-bit `x` (a product that does not fit in 64 bits); nil when the
    /// quotient does not fit in 64 bits either (`dividingFullWidth` would trap).
    static func divideRounded(_ x: (high: Int64, low: UInt64), by d: Int64) -> Int64? {
        // With |high| < d / 4, |x| < d · 2^62: the quotient and its rounding stay below 2^62.
        guard x.high > -(d / 4), x.high < d / 4 else { return nil }
        let (q, r) = d.dividingFullWidth(x)
        return roundedHalfEven(q, remainder: r, negative: x.high < 0, by: d)
    }

    /// A truncated quotient moved one away from zero when its remainder is more than half of
    /// `d`, or exactly half and the quotient odd.
    private static func roundedHalfEven(_ q: Int64, remainder r: Int64, negative: Bool, by d: Int64) -> Int64 {
        let twice = 2 * abs(r)  // |r| < d ≤ 2^62: no overflow
        return twice > d || (twice == d && abs(q) % 2 == 1) ? q + (negative ? -1 : 1) : q
    }
}
