import CSVIO
import Foundation

/// `kam validate`: the pipeline file, its inputs and their headers, without running.
public enum Validator {
    public static func validate(_ config: PipelineConfig) throws -> String {
        var lines = ["pipeline \(config.name) (\(config.file)): as_of \(config.asOf.iso), base currency \(config.baseCurrency), time unit \(config.timeUnit.rawValue)"]
        for (kind, input) in config.inputs.all {
            let (reader, _, _) = try CleanStage.open(input, config)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0
            lines.append("  \(kind.rawValue): \(input.path) (\(bytes) bytes, \(input.dialect.encoding.rawValue), delimiter \(String(UnicodeScalar(input.dialect.delimiter)).debugDescription))")
            lines.append("    headers: \(reader.header.joined(separator: ", "))")
            for (field, column) in input.columns.sorted(by: { $0.key < $1.key }) { lines.append("    \(field) ← \(column)") }
        }
        lines.append("output: \(config.output)")
        lines.append("ok")
        return lines.joined(separator: "\n")
    }
}
