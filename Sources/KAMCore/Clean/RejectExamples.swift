/// The values behind one reject reason and how often each came, so that a single run tells
/// the user what to map (`unknown_status: "待审核" ×901`).
///
/// Counts are exact for the first ``limit`` distinct values; later new values are only
/// counted in ``others`` (a file with a million different bad amounts keeps a bounded table).
public struct RejectExamples: Sendable {
    public static let limit = 256
    private(set) var counts: [String: Int] = [:]
    /// Rows whose value came after the table was full.
    public private(set) var others = 0

    /// Counts `value` `times` more times.
    mutating func count(_ value: String, times: Int = 1) {
        if let n = counts[value] {
            counts[value] = n + times
        } else if counts.count < Self.limit {
            counts[value] = times
        } else {
            others += times
        }
    }

    mutating func merge(_ other: RejectExamples) {
        for (value, n) in other.counts.sorted(by: { $0.key < $1.key }) { count(value, times: n) }
        others += other.others
    }

    /// The `k` most frequent values, ties by value (deterministic).
    public func top(_ k: Int = 5) -> [(value: String, count: Int)] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map { ($0.key, $0.value) }
    }
}

extension Reject {
    /// The value that made the row a reject, as the message quotes it (`'待审核' is not in
    /// status_map`), the currency of an unknown one, `(empty)` for a missing value, or the
    /// message itself for a record that could not be read (at most 80 characters).
    var exampleValue: String {
        if message.hasPrefix("'"), let end = message.dropFirst().firstIndex(of: "'") {
            return String(message[message.index(after: message.startIndex)..<end].prefix(80))
        }
        if message.hasSuffix(" is empty") { return "(empty)" }
        switch reason {
        case .unknownCurrency where message.hasPrefix("no rate from "):
            return String(message.dropFirst("no rate from ".count).prefix { $0 != " " })
        default: return String(message.prefix(80))
        }
    }
}
