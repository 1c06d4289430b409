import ArgumentParser
import Foundation
import KAMCore

extension Kam {
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
            guard accounts > 0, transactions >= 0, years > 0 else {
                throw ValidationError("--accounts, --transactions and --years must be positive")
            }
            try reportingErrors {
                let t0 = Date()
                let truth = try DataGenerator(
                    .init(accounts: accounts, transactions: transactions, seed: seed, output: out, endDay: endDay, years: years)
                ).generate()
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "kam: generated %d accounts, %d transaction rows, %d interaction rows, %d cost rows in %@ (%.1f s)\n",
                            truth.accountRows, truth.transactionRows, truth.interactionRows, truth.costRows, out, Date().timeIntervalSince(t0)
                        ).utf8))
            }
        }
    }
}
