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
}

extension ConfigError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .syntax(let file, let line, let reason): return "\(file):\(line): YAML syntax error: \(reason)"
        case .unknownKey(let file, let line, let key, let allowed):
            return "\(file):\(line): unknown key '\(key)' (allowed here: \(allowed.joined(separator: ", ")))"
        case .missingKey(let file, let line, let key): return "\(file):\(line): missing required key '\(key)'"
        case .invalidValue(let file, let line, let key, let value, let expected):
            return "\(file):\(line): '\(key)': invalid value '\(value)' (expected \(expected))"
        case .inputNotFound(let file, let line, let input, let path):
            return "\(file):\(line): input '\(input)': file not found: \(path)"
        case .missingColumn(let file, let input, let field, let column, let headers):
            return "\(file): input '\(input)': column '\(column)' (for \(field)) is not in the header; headers found: \(headers.joined(separator: ", "))"
        case .badAsOf(let value): return "--as-of: invalid date '\(value)' (expected YYYY-MM-DD or 'today')"
        }
    }
}
