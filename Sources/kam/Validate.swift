import ArgumentParser
import Foundation
import KAMCore

extension Kam {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pipeline file, that its inputs exist, and that every mapped column is in the headers.")

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Option(help: "Check this output folder instead of the pipeline's output, as `kam run --out` would use it.")
        var out: String?

        func run() throws {
            try reportingErrors {
                let config = try PipelineConfig.load(path: pipeline)
                let report = try Validator.validate(config, outputOverride: out)
                print(report)
            }
        }
    }
}
