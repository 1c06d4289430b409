import ArgumentParser
import Foundation
import KAMCore

extension Kam {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every stage and write the run folder.")

        @OptionGroup var options: PipelineOptions

        @Option(help: "Write the run folder here instead of the pipeline's output.")
        var out: String?

        @Flag(help: "Accept, for this run, inputs whose accepted rows fell below min_rows_ratio of the previous run's.")
        var acceptDrop = false

        func run() throws {
            try reportingErrors {
                let config = try PipelineConfig.load(path: options.pipeline, asOfOverride: options.asOf)
                let progress = Progress(quiet: options.quiet)
                let outcome = try Runner.run(
                    config, outputOverride: out, acceptDrop: acceptDrop, threads: max(1, options.threads), progress: progress)
                // The run is written and the process ends: it exits holding the run's data
                // rather than freeing it object by object first.
                withExtendedLifetime(outcome) { Foundation.exit(0) }
            }
        }
    }

}
