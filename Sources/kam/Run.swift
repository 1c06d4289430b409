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
            do {
                let config = try PipelineConfig.load(path: options.pipeline, asOfOverride: options.asOf)
                let progress = Progress(quiet: options.quiet)
                _ = try Runner.run(config, outputOverride: out, acceptDrop: acceptDrop, threads: max(1, options.threads), progress: progress)
            } catch let e as ExitCode {
                throw e
            } catch {
                throw kamExitCode(for: error)
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pipeline file, that its inputs exist, and that every mapped column is in the headers.")

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Option(help: "Check this output folder instead of the pipeline's output, as `kam run --out` would use it.")
        var out: String?

        func run() throws {
            do {
                let config = try PipelineConfig.load(path: pipeline)
                let report = try Validator.validate(config, outputOverride: out)
                print(report)
            } catch {
                throw kamExitCode(for: error)
            }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic CRM export set with known truth (accounts, transactions, interactions, FX rates).")

        @Option(help: "Number of accounts.") var accounts: Int = 1000
        @Option(help: "About this many transaction lines.") var transactions: Int = 100_000
        @Option(help: "Random seed: the same seed gives the same files.") var seed: UInt64 = 42
        @Option(help: "Output folder.") var out: String
        @Option(help: "Last day of the data (YYYY-MM-DD).") var end: String = "2024-12-31"
        @Option(help: "Years of history.") var years: Int = 3

        func run() throws {
            guard let endDay = Day(iso: end) else { throw ValidationError("--end: expected YYYY-MM-DD") }
            guard accounts > 0, transactions >= 0, years > 0 else { throw ValidationError("--accounts, --transactions and --years must be positive") }
            do {
                let t0 = Date()
                let truth = try DataGenerator(.init(accounts: accounts, transactions: transactions, seed: seed, output: out, endDay: endDay, years: years)).generate()
                FileHandle.standardError.write(Data(String(
                    format: "kam: generated %d accounts, %d transaction rows, %d interaction rows in %@ (%.1f s)\n",
                    truth.accountRows, truth.transactionRows, truth.interactionRows, out, Date().timeIntervalSince(t0)).utf8))
            } catch {
                throw kamExitCode(for: error)
            }
        }
    }
}
