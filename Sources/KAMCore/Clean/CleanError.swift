/// An input the clean stage cannot finish: exit 1, naming the input.
public enum CleanError: Error, Sendable, Equatable {
    /// The input's amounts add up past what kam holds exactly (about ±9.2 × 10^14 currency
    /// units, at four decimals); `line` is where the sum of their magnitudes crossed it.
    case totalOverflow(input: String, path: String, line: Int)
    /// Each input's amounts fit, but together with the cost to serve they add up past what
    /// kam holds exactly (``CleanStage/checkCombinedBound(_:interactionRows:config:)``).
    case combinedOverflow(inputs: [String])
}

extension CleanError {
    /// Adds a batch's magnitude (Σ of its amounts' sizes) to an input's running `total`; throws
    /// ``totalOverflow`` at the line where the batch stopped, or at its last line when the sum
    /// passes `Int64.max` (no total of the input can overflow below that).
    static func add(
        _ batch: UInt64, overflowLine: Int?, lastLine: Int, to total: inout UInt64, input: InputKind, path: String
    ) throws {
        let (sum, overflow) = total.addingReportingOverflow(batch)
        if let line = overflowLine ?? (overflow || sum > UInt64(Int64.max) ? lastLine : nil) {
            throw CleanError.totalOverflow(input: input.rawValue, path: path, line: line)
        }
        total = sum
    }
}

extension CleanError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .totalOverflow(let input, let path, let line):
            return "input '\(input)' (\(path)): the amounts up to line \(line) add up to more than kam can total exactly "
                + "(±922,337,203,685,477.5807 in any currency); check the amount column for values in the wrong unit or corrupted digits"
        case .combinedOverflow(let inputs):
            return "the amounts of inputs \(inputs.joined(separator: ", ")) and the interactions at their cost_to_serve rates add up to more than kam can total exactly "
                + "(±922,337,203,685,477.5807); check the amount columns and cost_to_serve.per_interaction for values in the wrong unit"
        }
    }
}
