import Foundation

/// Number formatting for the CSV outputs: fixed decimals, `.` separator, no grouping, never
/// `nan` or `inf` (an undefined value is an empty cell).
enum CSVFormat {
    static func decimal(_ x: Double, _ places: Int) -> String {
        guard x.isFinite else { return "" }
        let s = String(format: "%.\(places)f", x)
        // "-0.00" reads as a negative zero to finance: write it as zero.
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    static func money(_ x: Double) -> String { decimal(x, 2) }
}
