import Foundation

/// A JSON value with ordered object keys, so the manifest reads the same way every run.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    /// Written as is: exact decimals (money) that must not pass through a Double.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    public func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return String(format: "%.10g", d)
        case .number(let s): return s
        case .string(let s): return JSONValue.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .object = $0 { return false }; if case .array = $0 { return false }; return true }) {
                return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { pad + JSONValue.quote($0.0) + ": " + $0.1.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A money amount with two decimals (rounded half to even).
    public static func money(_ m: Money) -> JSONValue { .number(m.formatted) }

    /// A money amount exactly as held, with four decimals: control totals, which must add up
    /// as printed.
    public static func exactMoney(_ m: Money) -> JSONValue { .number(Money.format(m.units, decimals: 4)) }

    /// Replaces the value of an object's entry `key`, in its place.
    mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var pairs) = self, let i = pairs.firstIndex(where: { $0.0 == key }) else { return }
        pairs[i].1 = value
        self = .object(pairs)
    }

    /// Inserts `key` before the entry `before` of an object (at its end when there is none).
    mutating func insert(_ key: String, _ value: JSONValue, before: String) {
        guard case .object(var pairs) = self else { return }
        pairs.insert((key, value), at: pairs.firstIndex { $0.0 == before } ?? pairs.endIndex)
        self = .object(pairs)
    }
}
