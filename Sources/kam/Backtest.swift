import ArgumentParser
import Foundation
import KAMCore

extension Kam {
    struct Backtest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit on data up to a cutoff, predict the period after it, and compare with what happened.")

        @OptionGroup var options: PipelineOptions

        @Option(help: "Fit on data up to and including this day (YYYY-MM-DD).")
        var cutoff: String

        @Option(help: "Compare up to this day (default: the pipeline's as_of).")
        var until: String?

        @Option(help: "Write backtest.json and backtest_accounts.csv here (default: the pipeline's output + '-backtest').")
        var out: String?

        func run() throws {
            try reportingErrors {
                var config = try PipelineConfig.load(path: options.pipeline, asOfOverride: options.asOf)
                guard let cutoffDay = Day(iso: cutoff) else { throw ValidationError("--cutoff: expected YYYY-MM-DD") }
                let untilDay =
                    try until.map { s -> Day in
                        guard let d = Day(iso: s) else { throw ValidationError("--until: expected YYYY-MM-DD") }
                        return d
                    } ?? config.asOf
                guard cutoffDay < untilDay else { throw ValidationError("--cutoff must be before --until") }
                config.asOf = untilDay
                let folder = try out == nil ? config.output + "-backtest" : config.outputPath(override: out)
                _ = try Backtester.run(
                    config, cutoff: cutoffDay, until: untilDay, output: folder, threads: max(1, options.threads),
                    progress: Progress(quiet: options.quiet))
            }
        }
    }
}
