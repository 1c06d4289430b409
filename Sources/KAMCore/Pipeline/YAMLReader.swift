import Foundation
import Yams

/// A YAML mapping read key by key: each key taken is ticked off, and ``finish()`` reports the
/// first key nobody asked for, with its line. That is what makes a typo an error.
struct YAMLMap {
    let file: String
    let node: Node
    let path: String
    private let pairs: [(key: String, value: Node, line: Int)]
    private var taken: Set<String> = []

    init(file: String, node: Node, path: String) throws {
        self.file = file
        self.node = node
        self.path = path
        guard let mapping = node.mapping else {
            throw ConfigError.invalidValue(
                file: file, line: node.line, key: path, value: node.string ?? "(not a mapping)", expected: "a mapping of keys")
        }
        pairs = mapping.map { ($0.key.string ?? "", $0.value, $0.key.line) }
    }

    var line: Int { node.line }
    var keys: [String] { pairs.map(\.key) }

    mutating func value(_ key: String) -> Node? {
        taken.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    /// Every key with its node, ticking all off (for free-form maps such as `columns`).
    mutating func all() -> [(key: String, value: Node, line: Int)] {
        taken.formUnion(pairs.map(\.key))
        return pairs
    }

    /// Refuses the first key not in `allowed`, before any value is read, so that a
    /// misspelled key (`inptus:`) is named rather than reported as a missing required one.
    func allowOnly(_ allowed: [String]) throws {
        if let extra = pairs.first(where: { !allowed.contains($0.key) }) {
            throw ConfigError.unknownKey(
                file: file, line: extra.line, key: path.isEmpty ? extra.key : "\(path).\(extra.key)", allowed: allowed.sorted())
        }
    }

    func keyLine(_ key: String) -> Int { pairs.first { $0.key == key }?.line ?? line }

    func finish() throws {
        if let extra = pairs.first(where: { !taken.contains($0.key) }) {
            throw ConfigError.unknownKey(
                file: file, line: extra.line, key: path.isEmpty ? extra.key : "\(path).\(extra.key)",
                allowed: taken.sorted())
        }
    }

    mutating func string(_ key: String) throws -> String? {
        guard let node = value(key) else { return nil }
        guard let s = node.string, node.scalar != nil else {
            throw invalid(key, node, expected: "a text value")
        }
        return s
    }

    mutating func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw ConfigError.missingKey(file: file, line: line, key: qualified(key)) }
        return s
    }

    mutating func double(_ key: String, in range: ClosedRange<Double>? = nil) throws -> Double? {
        guard let node = value(key) else { return nil }
        guard let d = node.string.flatMap(Double.init), d.isFinite, range.map({ $0.contains(d) }) ?? true else {
            throw invalid(key, node, expected: range.map { "a number in \($0.lowerBound)…\($0.upperBound)" } ?? "a number")
        }
        return d
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let node = value(key) else { return nil }
        guard let i = node.string.flatMap({ Int($0) }), range.map({ $0.contains(i) }) ?? true else {
            throw invalid(key, node, expected: range.map { "a whole number in \($0.lowerBound)…\($0.upperBound)" } ?? "a whole number")
        }
        return i
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let node = value(key) else { return nil }
        switch node.string?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw invalid(key, node, expected: "true or false")
        }
    }

    mutating func enumValue<E: RawRepresentable>(_ key: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let node = value(key) else { return nil }
        guard let s = node.string, let e = E(rawValue: s) else {
            throw invalid(key, node, expected: "one of the documented values")
        }
        return e
    }

    mutating func stringList(_ key: String) throws -> [String]? {
        guard let node = value(key) else { return nil }
        if let s = node.scalar?.string { return [s] }
        guard let seq = node.sequence else { throw invalid(key, node, expected: "a list of text values") }
        return try seq.map { n in
            guard let s = n.scalar?.string else { throw invalid(key, n, expected: "a list of text values") }
            return s
        }
    }

    mutating func map(_ key: String) throws -> YAMLMap? {
        guard let node = value(key) else { return nil }
        return try YAMLMap(file: file, node: node, path: qualified(key))
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func invalid(_ key: String, _ node: Node, expected: String) -> ConfigError {
        .invalidValue(file: file, line: node.line, key: qualified(key), value: node.string ?? "(a \(node.kindName))", expected: expected)
    }
}

extension Node {
    var line: Int { mark?.line ?? 0 }
    var kindName: String {
        switch self {
        case .scalar: return "value"
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .alias: return "alias"
        }
    }
}
