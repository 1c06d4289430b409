import ArgumentParser
import Foundation
import KAMCore

/// `kam`: the nightly key-account analytics pipeline.
///
/// ```
/// kam run pipelines/nightly.yaml --as-of 2024-12-31
/// kam validate pipelines/nightly.yaml
/// ```
@main
struct Kam: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kam",
        abstract: "Key-account analytics: ranked accounts, CLV, churn risk and KPI tables from CRM exports.",
        version: KAMVersion.current,
        subcommands: [Run.self, Validate.self, Backtest.self, Generate.self])
}

/// Options every pipeline command shares.
struct PipelineOptions: ParsableArguments {
    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(help: "Override the pipeline's as_of: a date (YYYY-MM-DD) or 'today'.")
    var asOf: String?

    @Option(help: "Worker threads (default: the machine's cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress on stderr.")
    var quiet = false
}

/// Maps errors to the exit codes of DESIGN §9: 2 usage or config, 3 data quality, 1 anything else.
func kamExitCode(for error: any Error) -> ExitCode {
    let message = "\(error)"
    FileHandle.standardError.write(Data("kam: error: \(message)\n".utf8))
    return ExitCode(ExitStatus.code(for: error))
}
