import CSVIO
import Foundation

/// `kam validate`: the pipeline file, its inputs and their headers, without running.
public enum Validator {
    /// - Parameter outputOverride: `--out`, as `kam run` would take it.
    public static func validate(_ config: PipelineConfig, outputOverride: String? = nil) throws -> String {
        // The output path first: a run would refuse it before reading anything.
        let output = try config.outputPath(override: outputOverride)
        try OutputOwnership.check(output, protected: config.protectedFolders)
        var lines = [
            "pipeline \(config.name) (\(config.file)): as_of \(config.asOf.iso), base currency \(config.baseCurrency), time unit \(config.timeUnit.rawValue)"
        ]
        var fx = FXTable(baseCurrency: config.baseCurrency, inline: config.fx)
        if let fxConfig = config.inputs.fxRates { _ = try CleanStage.readFXRates(fxConfig, config, into: &fx) }
        var failures: [GateFailure] = []
        for (kind, input) in config.inputs.all {
            let sample = try InputSample.take(input, config: config, fx: fx)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0
            lines.append(
                "  \(kind.rawValue): \(input.path) (\(bytes) bytes, \(input.dialect.encoding.rawValue), delimiter \(String(UnicodeScalar(input.dialect.delimiter)).debugDescription))"
            )
            lines.append("    headers: \(sample.header.joined(separator: ", "))")
            for (field, column) in input.columns.sorted(by: { $0.key < $1.key }) { lines.append("    \(field) ← \(column)") }
            lines.append("    \(sample.summary)")
            if sample.rejectRate > input.maxRejectRate {
                failures.append(GateFailure(input: kind, reason: String(
                    format: "input '%@' (%@): %@; above max_reject_rate %.2f %%",
                    kind.rawValue, input.path, sample.summary, input.maxRejectRate * 100)))
            }
        }
        lines.append("output: \(output) (\(FileManager.default.fileExists(atPath: output) ? "a folder kam may replace" : "new"))")
        if !failures.isEmpty { throw QualityGateError(failures: failures, report: lines.joined(separator: "\n")) }
        lines.append("ok")
        return lines.joined(separator: "\n")
    }
}
