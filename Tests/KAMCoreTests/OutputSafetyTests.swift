import Foundation
import Testing

@testable import KAMCore

/// What kam may replace, how it swaps a run in, and the gates that keep a worse run out.
@Suite(.serialized) struct OutputSafetyTests {
    /// A small pipeline in a fresh folder: `data/tx.csv` and `p.yaml` (output `out/run`).
    func smallPipeline(
        _ transactions: String = "account_id,date,amount\nA,2024-01-05,10\nB,2024-02-05,20\nA,2024-03-05,5\n", extra: String = ""
    )
        -> (path: String, dir: URL)
    {
        let dir = temporaryFolder()
        write(transactions, to: dir.appendingPathComponent("data/tx.csv"))
        let path = write(
            """
            name: t
            as_of: 2024-12-31
            output: out/run
            inputs:
              transactions:
                path: data/tx.csv
                columns: { account_id: account_id, date: date, amount: amount }
            \(extra)
            """, to: dir.appendingPathComponent("p.yaml"))
        return (path, dir)
    }

    func run(_ path: String, out: String? = nil, acceptDrop: Bool = false, asOf: String? = nil) throws -> Runner.Outcome {
        try Runner.run(
            try PipelineConfig.load(path: path, asOfOverride: asOf), outputOverride: out, acceptDrop: acceptDrop, threads: 2,
            progress: Progress(quiet: true))
    }

    /// Every file under `dir`, by relative path, with its bytes (symbolic links as their target).
    func snapshot(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        for case let rel as String in fm.enumerator(atPath: dir.path)! {
            let full = dir.appendingPathComponent(rel).path
            if let target = try? fm.destinationOfSymbolicLink(atPath: full) {
                out[rel] = Data(("link:" + target).utf8)
            } else if let data = fm.contents(atPath: full) {
                out[rel] = data
            } else {
                out[rel] = Data("dir".utf8)
            }
        }
        return out
    }

    /// Runs with `out` and expects a refusal (exit 2) whose message contains `says`, with
    /// every file under the pipeline's folder untouched.
    func expectRefused(_ path: String, _ dir: URL, out: String?, says: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try snapshot(dir)
        #expect(sourceLocation: sourceLocation) {
            _ = try run(path, out: out)
        } throws: { e in
            ExitStatus.code(for: e) == 2 && "\(e)".contains(says)
        }
        #expect(try snapshot(dir) == before, "files changed", sourceLocation: sourceLocation)
        // `kam validate` reports the same.
        #expect(sourceLocation: sourceLocation) {
            _ = try Validator.validate(try PipelineConfig.load(path: path), outputOverride: out)
        } throws: { e in
            ExitStatus.code(for: e) == 2 && "\(e)".contains(says)
        }
    }

    @Test func refusesEveryPathKamDidNotWrite() throws {
        let (path, dir) = smallPipeline()
        let other = dir.appendingPathComponent("other")
        write("keep me\n", to: other.appendingPathComponent("notes.txt"))
        try expectRefused(path, dir, out: other.path, says: "holds files kam did not write (notes.txt)")
        try expectRefused(path, dir, out: other.appendingPathComponent("notes.txt").path, says: "is a regular file")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link").path, withDestinationPath: other.path)
        try expectRefused(path, dir, out: dir.appendingPathComponent("link").path, says: "symbolic link to \(other.path)")
        try expectRefused(path, dir, out: ".", says: "reserved path")
        try expectRefused(path, dir, out: "", says: "is empty")
        try expectRefused(path, dir, out: "~", says: "refusing to write a run folder there")
        try expectRefused(path, dir, out: "/", says: "the root folder")
        try expectRefused(path, dir, out: dir.path, says: "the pipeline file's folder")
        try expectRefused(path, dir, out: dir.appendingPathComponent("data").path, says: "the folder of input 'transactions'")
        try expectRefused(path, dir, out: dir.deletingLastPathComponent().path, says: "the pipeline file's folder")
        // `output:` in the file is checked the same way.
        let dot = write(
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "output: out/run", with: "output: \".\""),
            to: dir.appendingPathComponent("dot.yaml"))
        try expectRefused(dot, dir, out: nil, says: "output: '.'")
        let empty = write(
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "output: out/run", with: "output: \"\""),
            to: dir.appendingPathComponent("empty.yaml"))
        try expectRefused(empty, dir, out: nil, says: "output: is empty")
    }

    @Test func writesANewPathAnEmptyFolderOrItsOwnFolderOnly() throws {
        let (path, dir) = smallPipeline()
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        _ = try run(path, out: empty.path)
        #expect(FileManager.default.fileExists(atPath: empty.appendingPathComponent("manifest.json").path))
        let first = try run(path).folder
        let second = try run(path).folder
        #expect(first == second && FileManager.default.fileExists(atPath: second + "/ranked_accounts.csv"))
        // A file the user put into a run folder makes it theirs: refused, nothing removed.
        write("mine\n", to: URL(fileURLWithPath: second).appendingPathComponent("notes.txt"))
        try expectRefused(path, dir, out: nil, says: "holds files kam did not write (notes.txt); files beyond those its manifest lists")
    }

    /// A kill at each step of the commit leaves the previous or the new complete folder, and
    /// the next run removes what the killed one left behind.
    @Test func aKillAtAnyCommitStepLeavesACompleteFolder() throws {
        let binary = try #require(CLITests.binary, "build kam first (make setup)")
        let (path, dir) = smallPipeline()
        let out = dir.appendingPathComponent("out/run").path
        _ = try run(path)
        let previous = try snapshot(URL(fileURLWithPath: out))
        for step in RunFolder.CommitStep.allCases {
            let asOfBefore = OutputOwnership.kamManifest(out)?["as_of"] as? String
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["run", path, "--quiet", "--as-of", "2024-12-30"]
            p.environment = ProcessInfo.processInfo.environment.merging(["KAM_TEST_KILL_AT": step.rawValue]) { $1 }
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 137, "\(step)")
            let now = try snapshot(URL(fileURLWithPath: out))
            let manifest = try #require(OutputOwnership.kamManifest(out), "\(step): no complete folder")
            let complete = Set(now.keys) == Set(previous.keys)
            #expect(complete, "\(step): \(now.keys.sorted())")
            let asOf = manifest["as_of"] as? String
            let swapped = step != .beforeSwap && step != .historyHalfWritten
            #expect(asOf == (swapped ? "2024-12-30" : asOfBefore), "\(step)")
            // The history's transaction commits after the folder is swapped in: a kill at any
            // step leaves it without the killed run, never with part of it (it rolls back).
            let history = try RunHistory(path: dir.appendingPathComponent("out/history.sqlite").path)
            #expect(try history.runs().map(\.asOf.iso) == ["2024-12-31"], "\(step)")
            let ranked = try String(contentsOfFile: out + "/ranked_accounts.csv", encoding: .utf8).split(separator: "\n").count - 1
            let recorded = try history.accounts(run: try #require(history.runs().first))
            let kpis = try history.kpis()
            #expect(recorded.count == ranked && kpis.first?.kpis.isEmpty == false, "\(step)")
        }
        _ = try run(path, asOf: "2024-12-30")
        _ = try run(path, asOf: "2024-12-30")
        let history = try RunHistory(path: dir.appendingPathComponent("out/history.sqlite").path)
        #expect(try history.runs().map(\.asOf.iso) == ["2024-12-30", "2024-12-31"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        #expect(left.sorted() == [".run.lock", "history.sqlite", "run"])
    }

    @Test func aHeaderOnlyExportFailsAndKeepsLastNightsReport() throws {
        let (path, dir) = smallPipeline()
        let out = try run(path).folder
        let before = try snapshot(URL(fileURLWithPath: out))
        write("account_id,date,amount\n", to: dir.appendingPathComponent("data/tx.csv"))
        #expect {
            _ = try run(path)
        } throws: { e in
            ExitStatus.code(for: e) == 3 && "\(e)".contains("input 'transactions'") && "\(e)".contains("no row accepted of 0 read")
                && "\(e)".contains("\(out).failed/manifest.json")
        }
        #expect(try snapshot(URL(fileURLWithPath: out)) == before)
        let failed = try #require(OutputOwnership.kamManifest(out + ".failed"))
        #expect(failed["status"] as? String == "failed")
        #expect(FileManager.default.fileExists(atPath: out + ".failed/rejects.csv"))
    }

    @Test func aDropInAcceptedRowsFailsUnlessAccepted() throws {
        let (path, dir) = try generatedPipeline(accounts: 80, transactions: 1500)
        let out = try run(path).folder
        func accepted() -> Int? {
            ((OutputOwnership.kamManifest(out)?["inputs"] as? [String: Any])?["transactions"] as? [String: Any])?["rows_accepted"] as? Int
        }
        let before = try #require(accepted())
        // Last night's export cut to its first third.
        let tx = dir.appendingPathComponent("data/transactions.csv")
        let lines = try String(contentsOf: tx, encoding: .utf8).split(separator: "\n")
        write(lines.prefix(lines.count / 3).joined(separator: "\n") + "\n", to: tx)
        #expect {
            _ = try run(path)
        } throws: { e in
            ExitStatus.code(for: e) == 3 && "\(e)".contains("below min_rows_ratio 0.5 of the previous run's \(before) (\(out))")
                && "\(e)".contains("--accept-drop")
        }
        #expect(accepted() == before)
        _ = try run(path, acceptDrop: true)
        #expect(try #require(accepted()) < before / 2)
    }

    @Test func everyFailingInputIsReportedWithExampleValues() throws {
        let (path, dir) = smallPipeline(
            "account_id,date,amount,status\nA,2024-01-05,10,待审核\nB,2024-01-05,10,待审核\nC,2024-01-05,10,paid\nD,2024-01-05,10,pending\n",
            extra: """
                  accounts:
                    path: data/accounts.csv
                    columns: { account_id: id, created_date: created }
                """)
        write("id,created\nA,bad\nB,2024-01-01\n", to: dir.appendingPathComponent("data/accounts.csv"))
        let yaml = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "amount: amount }", with: "amount: amount, status: status }")
        write(yaml, to: URL(fileURLWithPath: path))
        #expect {
            _ = try run(path)
        } throws: { e in
            let text = "\(e)"
            return text.contains("input 'accounts'") && text.contains("input 'transactions'")
                && text.contains("75.00 % of rows rejected (3 of 4)")
        }
        let failed = try #require(OutputOwnership.kamManifest(dir.appendingPathComponent("out/run.failed").path))
        let tx = (failed["inputs"] as? [String: Any])?["transactions"] as? [String: Any]
        let examples = (tx?["reject_examples"] as? [String: Any])?["unknown_status"] as? [String: Int]
        #expect(examples == ["待审核": 2, "pending": 1])
    }

    @Test func amountsKamCannotHoldNeverCrashARun() throws {
        // One amount past Int64 units: a bad_amount reject that says why.
        let (one, _) = smallPipeline(
            "account_id,date,amount\nA,2024-01-05,922337203685477.5808\nB,2024-01-05,1\n", extra: "    max_reject_rate: 1")
        _ = try run(one)
        let rejects = try String(
            contentsOfFile: URL(fileURLWithPath: one).deletingLastPathComponent().appendingPathComponent("out/run/rejects.csv").path,
            encoding: .utf8)
        #expect(rejects.contains("bad_amount,'922337203685477.5808' is not an amount kam holds exactly"))
        // Two amounts whose sum is past it: exit 1 naming the input and the line.
        let (two, _) = smallPipeline("account_id,date,amount\nA,2024-01-05,900000000000000\nB,2024-01-05,900000000000000\n")
        #expect(
            throws: CleanError.totalOverflow(
                input: "transactions",
                path: URL(fileURLWithPath: two).deletingLastPathComponent().appendingPathComponent("data/tx.csv").path, line: 3)
        ) {
            _ = try run(two)
        }
        // One USD amount that fits but not once converted: a bad_amount reject.
        let (usd, _) = smallPipeline(
            "account_id,date,amount,currency\nA,2024-01-05,900000000000000,USD\nB,2024-01-05,1,CNY\n",
            extra: "    max_reject_rate: 1\nfx: { USD: 7.10 }")
        let yaml = try String(contentsOfFile: usd, encoding: .utf8).replacingOccurrences(
            of: "amount: amount }", with: "amount: amount, currency: currency }")
        write(yaml, to: URL(fileURLWithPath: usd))
        _ = try run(usd)
        let usdRejects = try String(
            contentsOfFile: URL(fileURLWithPath: usd).deletingLastPathComponent().appendingPathComponent("out/run/rejects.csv").path,
            encoding: .utf8)
        #expect(usdRejects.contains("bad_amount,'900000000000000' is too large to convert to CNY exactly"))
    }

    @Test func aWriteErrorNamesThePathAndTheSystemsReason() throws {
        let file = try OutputFile(path: "/dev/full")
        defer { file.close() }
        #expect {
            try file.write(Array(repeating: 0x41, count: 1 << 16))
            try file.finish()
        } throws: { e in
            "\(e)".contains("/dev/full") && "\(e)".contains("No space left on device")
        }
    }
}
