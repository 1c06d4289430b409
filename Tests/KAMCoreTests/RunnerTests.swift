import Foundation
import Testing

@testable import KAMCore

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A generated data set and a pipeline over it, in a fresh folder.
func generatedPipeline(
    accounts: Int = 300, transactions: Int = 6000, seed: UInt64 = 3, extra: String = "", interactions: Bool = true, notes: Bool = false,
    years: Int = 3, costs: Bool = false
) throws -> (path: String, dir: URL) {
    let dir = temporaryFolder()
    _ = try DataGenerator(
        .init(accounts: accounts, transactions: transactions, seed: seed, output: dir.appendingPathComponent("data").path, years: years)
    ).generate()
    let path = write("""
        name: gen
        as_of: 2024-12-31
        base_currency: CNY
        output: out/run
        inputs:
          transactions:
            path: data/transactions.csv
            dedupe: txn_id
            columns: { account_id: account_id, date: txn_date, amount: amount, txn_id: txn_id, line_no: line_no, currency: currency, status: status }
        \(interactions ? """
          interactions:
            path: data/interactions.csv
            satisfaction_scale: "1-10"
            columns: { account_id: account_id, date: date, type: type, satisfaction: satisfaction, resolution_days: resolution_days\(notes ? ", notes: notes" : "") }
        """ : "")
          accounts:
            path: data/accounts.csv
            columns: { account_id: account_id, name: name, industry: industry, region: region, size: size, account_manager: account_manager }
          fx_rates:
            path: data/fx_rates.csv
            columns: { currency: currency, rate: rate }
        \(costs ? """
          costs:
            path: data/costs.csv
            columns: { account_id: account_id, date: cost_date, amount: amount, currency: currency, category: category }
        """ : "")
        \(extra)
        """, to: dir.appendingPathComponent("p.yaml"))
    return (path, dir)
}

func files(in folder: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
        out[name] = FileManager.default.contents(atPath: folder + "/" + name)
    }
    return out
}

@Suite(.serialized) struct RunnerTests {
    @Test func writesTheRunFolderAndTheSameCSVBytesWhateverTheThreadCount() throws {
        let (path, dir) = try generatedPipeline()
        let config = try PipelineConfig.load(path: path)
        let one = dir.appendingPathComponent("one").path, four = dir.appendingPathComponent("four").path
        _ = try Runner.run(config, outputOverride: one, threads: 1, progress: Progress(quiet: true))
        _ = try Runner.run(config, outputOverride: four, threads: 4, progress: Progress(quiet: true))
        let a = try files(in: one), b = try files(in: four)
        #expect(Set(a.keys) == Set(Runner.outputFiles + [FinanceWorkbook.fileName, "manifest.json"]))
        for name in a.keys where name.hasSuffix(".csv") { #expect(a[name] == b[name], "\(name) differs between 1 and 4 threads") }
        for page in Runner.otherOutputs {
            let x = FileManager.default.contents(atPath: one + "/" + page), y = FileManager.default.contents(atPath: four + "/" + page)
            #expect(x != nil && x == y, "\(page) differs between 1 and 4 threads")
        }
        // No temporary or lock leftovers beside the run folder but the lock file.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(siblings.isEmpty)
        let manifest = try JSONSerialization.jsonObject(with: a["manifest.json"]!) as! [String: Any]
        let inputs = manifest["inputs"] as! [String: [String: Any]]
        for (_, e) in inputs {
            let read = e["rows_read"] as! Int
            let parts = ["rows_accepted", "rows_rejected", "duplicates_merged", "excluded_after_as_of"].map { e[$0] as! Int }
            #expect(read == parts.reduce(0, +))
            // Computed while the file was parsed; it must equal a digest of the file read alone.
            #expect(e["sha256"] as! String == (try CleanStage.sha256(path: e["path"] as! String)))
        }
        #expect((manifest["stages"] as! [[String: Any]]).map { $0["name"] as! String } == ["ingest+clean", "segment", "value", "churn", "decide", "contacts", "relationship", "key accounts", "report", "csv files", "review pack", "finance workbook", "manifest", "history record"])
    }

    /// Every Total row and control total adds up as printed, to the cent; where the exact
    /// total differs, it is stated beside it with the difference.
    @Test func totalsAddUpAsPrinted() throws {
        let (path, _) = try generatedPipeline(accounts: 400, transactions: 8000)
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        func decimal(_ s: String) -> Decimal { Decimal(string: s) ?? .nan }
        var sawDifference = false
        for d in KPITables.dimensions {
            let lines = try String(contentsOfFile: out + "/" + d.file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let header = lines[0]
            let totalAt = try #require(lines.firstIndex { $0[0] == "Total" })
            for column in KPITables.additiveColumns {
                let c = header.firstIndex(of: column)!
                // A group without the figure (e.g. no cost data) prints an empty cell; a column
                // no group has stays empty in the Total too.
                if lines[totalAt][c].isEmpty {
                    #expect(lines[1..<totalAt].allSatisfy { $0[c].isEmpty }, "\(d.file) \(column)")
                    continue
                }
                let sum = lines[1..<totalAt].reduce(Decimal(0)) { $0 + ($1[c].isEmpty ? 0 : decimal($1[c])) }
                #expect(sum == decimal(lines[totalAt][c]), "\(d.file) \(column)")
                if totalAt + 2 < lines.count {
                    #expect(decimal(lines[totalAt][c]) - decimal(lines[totalAt + 1][c]) == decimal(lines[totalAt + 2][c]), "\(d.file) \(column)")
                    sawDifference = sawDifference || decimal(lines[totalAt + 2][c]) != 0
                }
            }
        }
        #expect(sawDifference, "the data set should make at least one rounding difference to show")
        let manifest = try #require(OutputOwnership.kamManifest(out))
        let totals = try #require(((manifest["inputs"] as? [String: Any])?["transactions"] as? [String: Any])?["control_totals"] as? [String: Any])
        func printed(_ bucket: String, _ currency: String?) -> Decimal {
            let t = totals[bucket] as? [String: Any]
            let n = currency.map { (t?["by_currency"] as? [String: Any])?[$0] } ?? t?["base"]
            // JSONSerialization reads numbers as doubles: back to the four printed decimals.
            return (n as? NSNumber).map { decimal(String(format: "%.4f", $0.doubleValue)) } ?? 0
        }
        let currencies = ((totals["read"] as? [String: Any])?["by_currency"] as? [String: Any])?.keys.sorted() ?? []
        #expect(!currencies.isEmpty)
        for currency in currencies.map(Optional.some) + [nil] {
            let parts = ["accepted", "rejected", "duplicates_merged", "excluded_after_as_of", "excluded_open"].reduce(Decimal(0)) { $0 + printed($1, currency) }
            #expect(printed("read", currency) == parts, "\(currency ?? "base")")
        }
    }

    @Test func aFailedRunLeavesThePreviousFolderUntouched() throws {
        let (path, dir) = try generatedPipeline(accounts: 80, transactions: 1500)
        let config = try PipelineConfig.load(path: path)
        let out = try Runner.run(config, threads: 2, progress: Progress(quiet: true)).folder
        let before = try files(in: out)
        // Break the input past the quality gate: most rows with a bad date.
        let tx = dir.appendingPathComponent("data/transactions.csv")
        let original = try String(contentsOf: tx, encoding: .utf8)
        let text = original.replacingOccurrences(of: ",2024-", with: ",2024/")
        try text.write(to: tx, atomically: true, encoding: .utf8)
        #expect(throws: QualityGateError.self) { try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)) }
        #expect(try files(in: out) == before)
        // A missing mapped column: a config error, previous folder untouched.
        try text.replacingOccurrences(of: "txn_date", with: "date").write(to: tx, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)) }
        #expect(try files(in: out) == before)
        // Wrong encoding declared: a GBK accounts file read as UTF-8 is named as such, with
        // the setting to change, before any work: exit 2 from run and validate alike.
        try original.write(to: tx, atomically: true, encoding: .utf8)
        let accounts = dir.appendingPathComponent("data/accounts.csv")
        let accountsText = try String(contentsOf: accounts, encoding: .utf8)
        try Data(gb18030Bytes(accountsText)).write(to: accounts)
        let says = "input 'accounts' (\(accounts.path)): declared utf-8, but byte offset"
        #expect {
            try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true))
        } throws: { e in
            "\(e)".contains(says) && "\(e)".hasSuffix("it looks like GB18030: set `encoding: gb18030`") && ExitStatus.code(for: e) == 2
        }
        #expect {
            try Validator.validate(try PipelineConfig.load(path: path))
        } throws: { e in "\(e)".contains(says) && ExitStatus.code(for: e) == 2 }
        #expect(try files(in: out) == before)
        // Binary damage is not mistaken for GB18030: those rows are rejected as not_text.
        var damaged = Array(try Data(contentsOf: tx))
        for i in stride(from: 200, to: damaged.count, by: 97) { damaged[i] = 0xFF }
        try Data(damaged).write(to: tx)
        try accountsText.write(to: accounts, atomically: true, encoding: .utf8)
        #expect {
            try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true))
        } throws: { e in
            guard let gate = e as? QualityGateError else { return false }
            return gate.failures.map(\.input) == [.transactions] && gate.failures[0].reason.contains("not_text")
        }
        #expect(try files(in: out) == before)
    }

    @Test func aSecondRunCannotWriteALockedFolder() throws {
        let dir = temporaryFolder()
        let held = try RunFolder(destination: dir.appendingPathComponent("run").path, runId: "a")
        #expect(throws: RunFolder.Failure.self) { try RunFolder(destination: dir.appendingPathComponent("run").path, runId: "b") }
        try held.write("x.csv", text: "x\n")
        try held.commit()
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/x.csv").path))
    }

    /// The demo's outputs are pinned; after an intended change, `make golden` regenerates them.
    @Test func demoMatchesTheGoldenFiles() throws {
        let config = try PipelineConfig.load(path: packageRoot.appendingPathComponent("pipelines/nightly.yaml").path)
        let out = temporaryFolder().appendingPathComponent("run").path
        _ = try Runner.run(config, outputOverride: out, threads: 2, progress: Progress(quiet: true))
        let golden = packageRoot.appendingPathComponent("fixtures/golden").path
        let expected = try files(in: golden)
        let actual = try files(in: out)
        #expect(!expected.isEmpty)
        for (name, data) in expected {
            #expect(actual[name] == data, "\(name) differs from fixtures/golden (run `make golden` if the change is intended)")
        }
        // KPI revenue reconciles to the clean stage's control total, to the cent.
        let manifest = try JSONSerialization.jsonObject(with: actual["manifest.json"]!) as! [String: Any]
        let tx = (manifest["inputs"] as! [String: Any])["transactions"] as! [String: Any]
        let net12 = (tx["accepted_lines"] as! [String: Any])["net_revenue_base_12m"] as! NSNumber
        let summary = String(decoding: actual["kpi_summary.csv"]!, as: UTF8.self)
        let revenue = summary.split(separator: "\n").first { $0.hasPrefix("revenue_12m,") }!.split(separator: ",")[1]
        #expect(String(revenue) == String(format: "%.2f", net12.doubleValue))
    }
}

@Suite struct GeneratorTests {
    @Test func sameSeedSameBytes() throws {
        let a = temporaryFolder().path, b = temporaryFolder().path
        _ = try DataGenerator(.init(accounts: 50, transactions: 800, seed: 9, output: a)).generate()
        _ = try DataGenerator(.init(accounts: 50, transactions: 800, seed: 9, output: b)).generate()
        #expect(try files(in: a) == files(in: b))
    }

    /// Every kind of dirt the generator wrote is found with exactly its count; every valid
    /// oddity is accepted.
    @Test func cleanFindsExactlyTheDirtTheGeneratorWrote() throws {
        let (path, dir) = try generatedPipeline(accounts: 400, transactions: 30_000, seed: 21, costs: true)
        let truth = try JSONDecoder().decode(DataGenerator.Truth.self, from: Data(contentsOf: dir.appendingPathComponent("data/ground_truth.json")))
        let data = try clean(path, threads: 2)
        let tx = data.ledgers[.transactions]!
        #expect(tx.rowsRead == truth.transactionRecords)
        #expect(tx.rejectsByReason[.missingAccountId] == truth.transactionDirt["missing_account_id"])
        #expect(tx.rejectsByReason[.badDate] == truth.transactionDirt["bad_date"])
        #expect(tx.rejectsByReason[.badAmount] == truth.transactionDirt["bad_amount"])
        #expect(tx.duplicatesMerged == truth.transactionDirt["exact_duplicate"])
        #expect(tx.rowsRejected == truth.transactionDirt.filter { $0.key != "exact_duplicate" }.values.reduce(0, +))
        #expect(data.ledgers[.interactions]!.rejectsByReason[.missingAccountId] == truth.interactionDirt["missing_account_id"])
        #expect(data.ledgers[.interactions]!.rowsRejected == truth.interactionDirt.values.reduce(0, +))
        let costs = data.ledgers[.costs]!
        #expect(costs.rowsRead == truth.costRows)
        #expect(costs.duplicatesMerged == truth.costDirt["exact_duplicate"])
        for (kind, reason) in [("missing_account_id", RejectReason.missingAccountId), ("bad_date", .badDate), ("bad_amount", .badAmount)] {
            #expect(costs.rejectsByReason[reason] == truth.costDirt[kind], "\(kind)")
        }
        // Oddities were written and all accepted: the BOM, thousands separators, trailing spaces, notes.
        #expect(truth.byteOrderMark && data.files[.transactions]!.hadByteOrderMark)
        #expect(truth.transactionOddities["thousands_separator", default: 0] > 0)
        #expect(truth.transactionOddities["trailing_spaces", default: 0] > 0)
        #expect(truth.transactionOddities["multiline_note", default: 0] > 0)
        // The dirt file names each rejected line.
        let text = try String(contentsOf: dir.appendingPathComponent("data/ground_truth_dirt.csv"), encoding: .utf8)
        for source in [InputKind.transactions, .costs] {
            var dirtLines: [Int] = []
            for row in text.split(separator: "\n").dropFirst() {
                let cells = row.split(separator: ",").map(String.init)
                if cells[0] == source.rawValue && cells[2] != "exact_duplicate" { dirtLines.append(Int(cells[1])!) }
            }
            let rejectLines: [Int] = data.rejects.filter { $0.source == source }.map { $0.line }
            #expect(dirtLines.sorted() == rejectLines.sorted(), "\(source)")
        }
    }
}
