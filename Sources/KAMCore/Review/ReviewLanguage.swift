import Foundation

/// The review pack's two languages: labels, headings, and how numbers and dates are written.
/// Account names, managers and actions are shown as exported or configured.
enum ReviewLanguage: String, CaseIterable, Sendable {
    case english = "en"
    case chinese = "zh-CN"

    /// The page's file name in `review/`.
    var fileName: String { self == .english ? "index.html" : "index.zh-CN.html" }

    var drivers: ChurnDriver.Language { self == .english ? .english : .chinese }

    /// A label by key; every key has both languages (a test checks).
    func label(_ key: ReviewLabel) -> String { self == .english ? key.english : key.chinese }

    // MARK: Numbers

    /// Grouped with `,` and fixed decimals (both languages group by three in business use).
    func number(_ x: Double, decimals: Int = 0) -> String {
        guard x.isFinite else { return "–" }
        let printed = CSVFormat.decimal(x, decimals)
        let negative = printed.hasPrefix("-")
        let digits = negative ? String(printed.dropFirst()) : printed
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        var whole = String(parts[0]), grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        grouped = whole + grouped
        return (negative ? "-" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// Money with two decimals and the currency.
    func money(_ x: Double, currency: String) -> String {
        self == .english ? "\(currency) \(number(x, decimals: 2))" : "\(number(x, decimals: 2)) \(currency)"
    }

    /// A short amount for axes and tiles: 1.2M / 350k in English, 1.2亿 / 350万 in Chinese.
    func compact(_ x: Double) -> String {
        let a = abs(x), sign = x < 0 ? "-" : ""
        func trim(_ v: Double) -> String {
            let s = CSVFormat.decimal(v, v < 10 ? 1 : 0)
            return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
        }
        switch self {
        case .english:
            if a >= 1e9 { return sign + trim(a / 1e9) + "B" }
            if a >= 1e6 { return sign + trim(a / 1e6) + "M" }
            if a >= 1e3 { return sign + trim(a / 1e3) + "k" }
        case .chinese:
            if a >= 1e8 { return sign + trim(a / 1e8) + "亿" }
            if a >= 1e4 { return sign + trim(a / 1e4) + "万" }
        }
        return sign + trim(a)
    }

    /// A share (0–1) as a percentage.
    func percent(_ x: Double, decimals: Int = 1) -> String {
        guard x.isFinite else { return "–" }
        return CSVFormat.decimal(x * 100, decimals) + (self == .english ? " %" : "%")
    }

    func date(_ d: Day) -> String {
        let (y, m, day) = d.components
        switch self {
        case .english:
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "\(day) \(months[m - 1]) \(y)"
        case .chinese: return "\(y)年\(m)月\(day)日"
        }
    }

    /// A quarter, short enough for an axis.
    func quarter(_ q: ReviewQuarter) -> String {
        switch self {
        case .english: return "Q\(q.number) \(q.year % 100 < 10 ? "'0" : "'")\(q.year % 100)"
        case .chinese: return "\(q.year % 100)年Q\(q.number)"
        }
    }
}

/// A calendar quarter, with the days it covers up to as_of.
struct ReviewQuarter: Sendable, Hashable {
    var year: Int
    var number: Int
    /// The day before it starts (the previous quarter's end).
    var before: Day
    /// Its last day, or as_of for the quarter as_of falls in.
    var end: Day

    /// The eight calendar quarters up to the one as_of falls in (that one to as_of).
    static func eight(endingAt asOf: Day) -> [ReviewQuarter] {
        let (y, m, _) = asOf.components
        var year = y, number = (m - 1) / 3 + 1
        var out: [ReviewQuarter] = []
        for _ in 0..<8 {
            let start = Day(year: year, month: (number - 1) * 3 + 1, day: 1)!
            let next = number == 4 ? Day(year: year + 1, month: 1, day: 1)! : Day(year: year, month: number * 3 + 1, day: 1)!
            out.append(ReviewQuarter(year: year, number: number, before: start - 1, end: min(asOf, next - 1)))
            number -= 1
            if number == 0 { number = 4; year -= 1 }
        }
        return out.reversed()
    }

    /// The days the histories must keep sums at for these quarters.
    static func points(asOf: Day) -> [Day] {
        let quarters = eight(endingAt: asOf)
        return [quarters[0].before] + quarters.map(\.end)
    }
}
