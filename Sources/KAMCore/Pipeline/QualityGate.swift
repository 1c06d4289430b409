import Foundation

/// One input that failed a data-quality gate, and why in words with the numbers.
public struct GateFailure: Sendable, Equatable {
    public var input: InputKind
    public var reason: String
}

/// Data-quality gates failed: exit 3. Every failing input is listed; `diagnostics` is the
/// `<output>.failed/` folder with the manifest and the rejects, when it could be written.
public struct QualityGateError: Error, Sendable, CustomStringConvertible {
    public var failures: [GateFailure]
    public var diagnostics: String?
    /// Why the diagnostics folder could not be written, when it could not.
    public var diagnosticsProblem: String?
    /// What `kam validate` found, printed before the failures.
    public var report: String?

    public init(failures: [GateFailure], report: String? = nil) {
        self.failures = failures
        self.report = report
    }

    public var description: String {
        var lines = report.map { [$0] } ?? []
        lines.append(report == nil ? "data-quality gate failed; the previous run folder is untouched:" : "would fail the data-quality gate:")
        lines += failures.map { "  \($0.reason)" }
        if let diagnostics {
            lines.append(
                "see \(diagnostics)/manifest.json (every input's reconciliation, reject reasons with example values) and \(diagnostics)/rejects.csv"
            )
        } else if let diagnosticsProblem {
            lines.append("no diagnostics folder: \(diagnosticsProblem)")
        }
        return lines.joined(separator: "\n")
    }
}

/// The gates a run must pass before it may replace the previous run folder:
/// - an input's reject rate above its `max_reject_rate`;
/// - an input with no accepted row;
/// - an input whose accepted rows fall below `min_rows_ratio` of the previous run's (from the
///   previous run folder's manifest), unless `--accept-drop`.
public enum QualityGate {
    /// Accepted rows per input in the previous run folder's manifest, if there is one kam wrote.
    public static func previousAccepted(in folder: String) -> [InputKind: Int] {
        guard let manifest = OutputOwnership.kamManifest(folder), manifest["status"] as? String ?? "ok" == "ok",
            let inputs = manifest["inputs"] as? [String: Any]
        else { return [:] }
        var accepted: [InputKind: Int] = [:]
        for (name, value) in inputs {
            if let kind = InputKind(rawValue: name), let n = (value as? [String: Any])?["rows_accepted"] as? Int { accepted[kind] = n }
        }
        return accepted
    }

    public static func failures(
        _ clean: CleanData, config: PipelineConfig, previous: [InputKind: Int], previousFolder: String, acceptDrop: Bool
    ) -> [GateFailure] {
        var failures: [GateFailure] = []
        for (kind, input) in config.inputs.all {
            guard let ledger = clean.ledgers[kind] else { continue }
            let name = "input '\(kind.rawValue)' (\(input.path))"
            if ledger.rowsAccepted == 0 {
                failures.append(GateFailure(input: kind, reason: "\(name): no row accepted of \(ledger.rowsRead) read\(reasons(ledger))"))
                continue
            }
            if ledger.rejectRate > input.maxRejectRate {
                failures.append(
                    GateFailure(
                        input: kind,
                        reason: String(
                            format: "%@: %.2f %% of rows rejected (%d of %d), above max_reject_rate %.2f %%%@",
                            name, ledger.rejectRate * 100, ledger.rowsRejected, ledger.rowsRead, input.maxRejectRate * 100, reasons(ledger))
                    ))
            }
            if !acceptDrop, let before = previous[kind], Double(ledger.rowsAccepted) < input.minRowsRatio * Double(before) {
                failures.append(
                    GateFailure(
                        input: kind,
                        reason: String(
                            format:
                                "%@: %d rows accepted, below min_rows_ratio %g of the previous run's %d (%@); if the drop is real, run once with --accept-drop",
                            name, ledger.rowsAccepted, input.minRowsRatio, before, previousFolder)))
            }
        }
        return failures
    }

    private static func reasons(_ ledger: InputLedger) -> String {
        let top = ledger.topReasons.prefix(3).map { "\($0.0.rawValue) \($0.1)" }
        return top.isEmpty ? "" : " (top reasons: \(top.joined(separator: ", ")))"
    }
}
