/// A pipeline file that cannot be used. Exit code 2; every case names the file and, where the
/// YAML has one, the line.
public enum ConfigError: Error, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case syntax(file: String, line: Int, reason: String)
    case unknownKey(file: String, line: Int, key: String, allowed: [String])
    case missingKey(file: String, line: Int, key: String)
    case invalidValue(file: String, line: Int, key: String, value: String, expected: String)
    case inputNotFound(file: String, line: Int, input: String, path: String)
    case missingColumn(file: String, input: String, field: String, column: String, headersFound: [String])
    case badAsOf(value: String)
    /// An input declared UTF-8 whose bytes are GB18030 (GBK) text.
    case looksLikeGB18030(file: String, input: String, path: String, byteOffset: Int)
}

extension ConfigError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .syntax(let file, let line, let reason): return "\(file):\(line): YAML syntax error: \(reason)"
        case .unknownKey(let file, let line, let key, let allowed):
            let name = String(key.split(separator: ".").last ?? "")
            let hint = ConfigError.nearest(name, in: allowed).map { "did you mean '\($0)'? " } ?? ""
            return "\(file):\(line): unknown key '\(key)' (\(hint)allowed here: \(allowed.joined(separator: ", ")))"
        case .missingKey(let file, let line, let key): return "\(file):\(line): missing required key '\(key)'"
        case .invalidValue(let file, let line, let key, let value, let expected):
            return "\(file):\(line): '\(key)': invalid value '\(value)' (expected \(expected))"
        case .inputNotFound(let file, let line, let input, let path):
            return "\(file):\(line): input '\(input)': file not found: \(path)"
        case .missingColumn(let file, let input, let field, let column, let headers):
            return
                "\(file): input '\(input)': column '\(column)' (for \(field)) is not in the header; headers found: \(headers.joined(separator: ", "))"
        case .badAsOf(let value): return "--as-of: invalid date '\(value)' (expected YYYY-MM-DD or 'today')"
        case .looksLikeGB18030(let file, let input, let path, let offset):
            return "\(file): input '\(input)' (\(path)): declared utf-8, but byte offset \(offset) is not UTF-8; it looks like GB18030: set `encoding: gb18030`"
        }
    }
}

extension ConfigError {
    /// The allowed key closest to `key` by edit distance, when it is close enough to be a typo
    /// (at most a third of its letters differ).
    static func nearest(_ key: String, in allowed: [String]) -> String? {
        // Edit distance with adjacent transpositions counted as one edit (`nmae` → `name`).
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
            for i in 0...a.count { d[i][0] = i }
            for j in 0...b.count { d[0][j] = j }
            for i in stride(from: 1, through: a.count, by: 1) {
                for j in stride(from: 1, through: b.count, by: 1) {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
                }
            }
            return d[a.count][b.count]
        }
        let k = Array(key.lowercased())
        let best = allowed.map { ($0, distance(k, Array($0))) }.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        guard let best, best.1 <= max(1, best.0.count / 3) else { return nil }
        return best.0
    }
}
