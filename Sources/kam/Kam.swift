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
        subcommands: [Run.self, Validate.self, Backtest.self, Generate.self, History.self])
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

/// Runs a command's work and turns what it throws into kam's exit codes (README "Exit
/// codes"): the message on stderr, then the code ``ExitStatus`` gives. The one place the CLI
/// maps errors; argument-parser's own errors (usage) pass through unchanged.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        FileHandle.standardError.write(Data("kam: error: \(error)\n".utf8))
        throw ExitCode(ExitStatus.code(for: error))
    }
}
