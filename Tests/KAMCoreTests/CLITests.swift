import Foundation
import Testing

@testable import KAMCore

/// The `kam` executable as a user runs it: exit codes and messages.
@Suite struct CLITests {
    static var binary: String? {
        ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)/kam").path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func kam(_ args: [String]) throws -> (code: Int32, stderr: String, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Self.binary, "build kam first (make setup)"))
        p.arguments = args
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile(), o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self), String(decoding: o, as: UTF8.self))
    }

    func pipelineFile(_ transform: (String) -> String) throws -> String {
        let dir = temporaryFolder()
        write("account_id,txn_date,amount\nA,2024-01-05,1\n", to: dir.appendingPathComponent("tx.csv"))
        return write(transform("""
            name: t
            as_of: 2024-12-31
            output: out
            inputs:
              transactions:
                path: tx.csv
                columns: { account_id: account_id, date: txn_date, amount: amount }
            """), to: dir.appendingPathComponent("p.yaml"))
    }

    @Test func validateAcceptsAGoodPipeline() throws {
        let r = try kam(["validate", try pipelineFile { $0 }])
        #expect(r.code == 0)
        #expect(r.stdout.contains("headers: account_id, txn_date, amount"))
    }

    @Test func validateFailsWithExit2OnAMisspelledKey() throws {
        let path = try pipelineFile { $0.replacingOccurrences(of: "output: out", with: "ouput: out") }
        let r = try kam(["validate", path])
        #expect(r.code == 2)
        #expect(r.stderr.contains("\(path):3: unknown key 'ouput'"), "\(r.stderr)")
    }

    @Test func validateFailsWithExit2OnAMissingColumn() throws {
        let path = try pipelineFile { $0.replacingOccurrences(of: "date: txn_date", with: "date: order_date") }
        let r = try kam(["validate", path])
        #expect(r.code == 2)
        #expect(r.stderr.contains("column 'order_date'") && r.stderr.contains("headers found: account_id, txn_date, amount"), "\(r.stderr)")
    }

    @Test func runFailsWithExit3OverTheRejectLimit() throws {
        let path = try pipelineFile { $0 }
        write("account_id,txn_date,amount\nA,2024-01-05,1\nB,bad,1\n", to: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tx.csv"))
        let r = try kam(["run", path, "--quiet"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("input 'transactions'") && r.stderr.contains("bad_date 1"), "\(r.stderr)")
    }

    @Test func validateReportsWhatTheFirstRowsWouldRejectAndExits3OverTheLimit() throws {
        let path = try pipelineFile { $0 }
        let rows = ["A,2024-01-05,1", "B,2024/01/05,1", "C,2024/01/06,1", "D,2024-01-07,N/A"] + (0..<2_100).map { "E\($0),2024-02-01,1" }
        write((["account_id,txn_date,amount"] + rows).joined(separator: "\n") + "\n", to: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tx.csv"))
        let ok = try kam(["validate", path])
        #expect(ok.code == 0)
        #expect(ok.stdout.contains("first 2000 rows: 3 would be rejected (0.15 %): bad_date 2 (\"2024/01/05\" ×1, \"2024/01/06\" ×1); bad_amount 1 (\"N/A\" ×1)"), "\(ok.stdout)")
        let strictPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("strict.yaml")
        write(try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "path: tx.csv", with: "path: tx.csv\n    max_reject_rate: 0.001"), to: strictPath)
        let failed = try kam(["validate", strictPath.path])
        #expect(failed.code == 3)
        #expect(failed.stderr.contains("above max_reject_rate 0.10 %") && failed.stderr.contains("bad_date 2"), "\(failed.stderr)")
    }

    @Test func aHeldLockExits4SoASchedulerCanRetry() throws {
        let path = try pipelineFile { $0 }
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out").path
        let held = try RunFolder(destination: out, runId: "holder")
        let r = try kam(["run", path, "--quiet"])
        #expect(r.code == 4)
        #expect(r.stderr.contains("another run is writing this folder"), "\(r.stderr)")
        withExtendedLifetime(held) {}
    }

    @Test func generateWritesOnlyANewEmptyOrItsOwnFolder() throws {
        let dir = temporaryFolder()
        let args = ["generate", "--accounts", "20", "--transactions", "200", "--out"]
        // Someone's real export is never overwritten.
        write("account_id,date,amount\nREAL,2024-01-01,1\n", to: dir.appendingPathComponent("exports/transactions.csv"))
        let refused = try kam(args + [dir.appendingPathComponent("exports").path])
        #expect(refused.code == 2 && refused.stderr.contains("no ground_truth.json"), "\(refused.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("exports/transactions.csv"), encoding: .utf8).contains("REAL"))
        // A new folder, then the same folder again (its own files).
        let own = dir.appendingPathComponent("generated").path
        #expect(try kam(args + [own]).code == 0)
        #expect(try kam(args + [own]).code == 0)
        write("mine\n", to: dir.appendingPathComponent("generated/notes.txt"))
        let mixed = try kam(args + [own])
        #expect(mixed.code == 2 && mixed.stderr.contains("notes.txt"), "\(mixed.stderr)")
    }
}
