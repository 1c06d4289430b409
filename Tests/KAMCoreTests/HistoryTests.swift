import Foundation
import GRDB
import Testing

@testable import KAMCore

@Suite struct HistoryTests {
    /// Every run records itself; the same pipeline and as_of again replaces its snapshot.
    @Test func runsAreRecordedAndARerunReplacesItsSnapshot() throws {
        let (path, dir) = try generatedPipeline(accounts: 80, transactions: 2000, seed: 6)
        for asOf in ["2024-09-30", "2024-12-31", "2024-12-31"] {
            _ = try Runner.run(try PipelineConfig.load(path: path, asOfOverride: asOf), threads: 2, progress: Progress(quiet: true))
        }
        let history = try RunHistory(path: dir.appendingPathComponent("out/history.sqlite").path, readOnly: true)
        let runs = try history.runs()
        #expect(runs.map(\.asOf.iso) == ["2024-09-30", "2024-12-31"] && runs.allSatisfy { $0.pipeline == "gen" && $0.accounts == 80 })
        let snapshots = try history.snapshots(account: "C00001")
        #expect(snapshots.map(\.run.asOf.iso) == ["2024-09-30", "2024-12-31"])
        let kpis = try history.kpis()
        #expect(kpis.allSatisfy { run in run.kpis.first { $0.name == "accounts" }?.value == 80 })
    }

    /// A file kam did not create, a damaged one, one written by a newer kam and one locked by
    /// another writer are each refused with exit 1, and left byte for byte as they were.
    @Test func aForeignDamagedNewerOrLockedHistoryIsRefusedAndLeftAlone() throws {
        let dir = temporaryFolder()
        let foreign = dir.appendingPathComponent("foreign.sqlite").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')") }
        let damaged = dir.appendingPathComponent("damaged.sqlite").path
        write(String(repeating: "not a database\n", count: 300), to: URL(fileURLWithPath: damaged))
        let newer = dir.appendingPathComponent("newer.sqlite").path
        _ = try RunHistory(path: newer)
        try DatabaseQueue(path: newer).write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9: from the future')") }
        for (path, expected) in [(foreign, "not a kam history"), (damaged, "cannot be used"), (newer, "newer kam")] {
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect {
                _ = try RunHistory(path: path)
            } throws: { error in
                ExitStatus.code(for: error) == 1 && "\(error)".contains(expected) && "\(error)".contains(path)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(path)")
        }
        let locked = dir.appendingPathComponent("locked.sqlite").path
        let history = try RunHistory(path: locked, busySeconds: 0.2)
        let other = try DatabaseQueue(path: locked)
        try other.inDatabase { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            #expect(throws: HistoryError.locked(path: locked)) {
                try history.record(RunRecord(
                    pipeline: "p", asOf: Day(year: 2024, month: 1, day: 1)!, runId: "r", toolVersion: "t", recordedUTC: "u", inputs: "{}",
                    accounts: [], kpis: []))
            }
            try db.execute(sql: "ROLLBACK")
        }
    }

    /// The history may not live inside the run folder, which each run replaces whole.
    @Test func aHistoryInsideTheRunFolderIsAConfigurationError() throws {
        let (path, _) = try generatedPipeline(accounts: 10, transactions: 100, seed: 2, extra: "history: out/run/history.sqlite")
        #expect {
            _ = try Runner.run(try PipelineConfig.load(path: path), threads: 1, progress: Progress(quiet: true))
        } throws: { error in
            ExitStatus.code(for: error) == 2 && "\(error)".contains("outside the run folder")
        }
    }
}
