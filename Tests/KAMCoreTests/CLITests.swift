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
}
