import Foundation
import GRDB

/// Why kam will not use a history file. Each is exit 1, and the file is left as it was.
public enum HistoryError: Error, CustomStringConvertible, Equatable {
    case notKam(path: String)
    case newer(path: String, unknown: [String])
    case locked(path: String)
    case unusable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notKam(let path):
            return "\(path) is not a kam history file (an SQLite file without kam's application id); set `history:` to another path"
        case .newer(let path, let unknown):
            return "\(path) was written by a newer kam (schema steps this kam does not know: \(unknown.joined(separator: ", "))); run that kam, or set `history:` to another path"
        case .locked(let path):
            return "\(path) is locked by another process; try again once it has finished"
        case .unusable(let path, let reason):
            return "\(path) cannot be used as the run history (\(reason)); move it aside to start a new history"
        }
    }
}

/// The run history (README "History"; ARCHITECTURE.md §8): every recorded run of every
/// pipeline in one SQLite file, through GRDB. A run is one row of `run` with its account and
/// KPI snapshots; recording the same pipeline and as_of again replaces it, in one transaction.
public final class RunHistory: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    /// "kam1": marks a file as kam's, so that kam never writes into another program's database.
    static let applicationId: Int32 = 0x6B61_6D31

    /// Opens (or creates) the history at `path`. `busySeconds`: how long to wait for another
    /// run that is writing it. `readOnly`: open an existing history only, and change nothing.
    public init(path: String, busySeconds: Double = 10, readOnly: Bool = false) throws {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        if readOnly && !existed { throw HistoryError.unusable(path: path, reason: "no such file: no run has been recorded there yet") }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busySeconds)
        configuration.foreignKeysEnabled = true
        configuration.readonly = readOnly
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if readOnly {
                try queue.read { db in
                    guard try Int32.fetchOne(db, sql: "PRAGMA application_id") == Self.applicationId else { throw HistoryError.notKam(path: path) }
                    if try Self.migrator.hasBeenSuperseded(db) { throw HistoryError.newer(path: path, unknown: []) }
                }
                return
            }
            try queue.writeWithoutTransaction { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if id != Self.applicationId {
                    guard !existed || tables == 0 else { throw HistoryError.notKam(path: path) }
                    try db.execute(sql: "PRAGMA application_id = \(Self.applicationId)")
                }
                if try Self.migrator.hasBeenSuperseded(db) {
                    let known = Set(Self.migrator.migrations)
                    let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                    throw HistoryError.newer(path: path, unknown: applied.filter { !known.contains($0) })
                }
            }
            try Self.migrator.migrate(queue)
        } catch let error as HistoryError {
            throw error
        } catch let error as DatabaseError {
            throw Self.failure(error, path: path)
        }
    }

    static func failure(_ error: DatabaseError, path: String) -> HistoryError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked(path: path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .unusable(path: path, reason: "not an SQLite database, or damaged")
        default: return .unusable(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// The schema, step by step; a step is never changed once released, only added to.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: runs, account and KPI snapshots") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("pipeline", .text).notNull()
                t.column("as_of", .text).notNull()
                t.column("run_id", .text).notNull()
                t.column("tool_version", .text).notNull()
                t.column("recorded_utc", .text).notNull()
                t.column("inputs", .text).notNull()
                t.uniqueKey(["pipeline", "as_of"])
            }
            try db.create(table: "account_snapshot") { t in
                t.column("run", .integer).notNull().references("run", onDelete: .cascade)
                t.column("account_id", .text).notNull()
                t.column("name", .text)
                t.column("parent_account_id", .text)
                t.column("tier", .text).notNull()
                t.column("lifecycle", .text).notNull()
                t.column("rfm_segment", .text)
                t.column("revenue_12m_units", .integer).notNull()
                t.column("clv", .double)
                t.column("churn_probability", .double)
                t.column("health_score", .integer)
                t.column("health_band", .text)
                t.column("key_status", .text)
                t.column("key_eligible", .boolean)
                t.primaryKey(["run", "account_id"])
            }
            try db.create(table: "kpi_snapshot") { t in
                t.column("run", .integer).notNull().references("run", onDelete: .cascade)
                t.column("kpi", .text).notNull()
                t.column("value", .double)
                t.column("unit", .text).notNull()
                t.primaryKey(["run", "kpi"])
            }
        }
        return m
    }

    /// Records `run`, replacing a run of the same pipeline and as_of, in one transaction: a
    /// crash leaves the history as it was before, never half a run. `beforeCommit` runs inside
    /// the transaction once the run is written (the runner commits its run folder there), so a
    /// history that cannot take the run stops it before its folder is swapped in, and a failure
    /// of `beforeCommit` leaves the history as it was.
    public func record(_ run: RunRecord, beforeCommit: () throws -> Void = {}) throws {
        do {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM run WHERE pipeline = ? AND as_of = ?", arguments: [run.pipeline, run.asOf.iso])
                try db.execute(
                    sql: "INSERT INTO run (pipeline, as_of, run_id, tool_version, recorded_utc, inputs) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [run.pipeline, run.asOf.iso, run.runId, run.toolVersion, run.recordedUTC, run.inputs])
                let id = db.lastInsertedRowID
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO account_snapshot (run, account_id, name, parent_account_id, tier, lifecycle, rfm_segment,
                        revenue_12m_units, clv, churn_probability, health_score, health_band, key_status, key_eligible)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for a in run.accounts {
                    try insert.execute(arguments: [
                        id, a.accountId, a.name, a.parentAccountId, a.tier, a.lifecycle, a.rfmSegment, a.revenue12m.units, a.clv,
                        a.churnProbability, a.healthScore, a.healthBand, a.keyStatus, a.keyEligible,
                    ])
                }
                RunFolder.killPoint(.historyHalfWritten)
                let kpi = try db.makeStatement(sql: "INSERT INTO kpi_snapshot (run, kpi, value, unit) VALUES (?, ?, ?, ?)")
                for k in run.kpis { try kpi.execute(arguments: [id, k.name, k.value, k.unit]) }
                try beforeCommit()
            }
        } catch let error as DatabaseError {
            throw Self.failure(error, path: path)
        }
    }

    /// Recorded runs, oldest as_of first (one pipeline, or all).
    public func runs(pipeline: String? = nil) throws -> [RecordedRun] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.pipeline, r.as_of, r.run_id, r.tool_version, r.recorded_utc,
                    (SELECT count(*) FROM account_snapshot a WHERE a.run = r.id) AS accounts
                    FROM run r \(pipeline == nil ? "" : "WHERE r.pipeline = ?") ORDER BY r.pipeline, r.as_of
                    """, arguments: pipeline.map { [$0] } ?? [])
            return rows.map {
                RecordedRun(
                    id: $0["id"], pipeline: $0["pipeline"], asOf: Day(iso: $0["as_of"])!, runId: $0["run_id"],
                    toolVersion: $0["tool_version"], recordedUTC: $0["recorded_utc"], accounts: $0["accounts"])
            }
        }
    }

    /// One account's snapshots over time (one pipeline, or all), oldest first.
    public func snapshots(account: String, pipeline: String? = nil) throws -> [(run: RecordedRun, snapshot: AccountSnapshot)] {
        let runs = try self.runs(pipeline: pipeline)
        let byId = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0) })
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM account_snapshot WHERE account_id = ?", arguments: [account]).compactMap { row in
                byId[row["run"]].map { ($0, AccountSnapshot(row)) }
            }
        }.sorted { ($0.run.pipeline, $0.run.asOf) < ($1.run.pipeline, $1.run.asOf) }
    }

    /// The latest run of `pipeline` before `asOf`, if any.
    public func previousRun(pipeline: String, before asOf: Day) throws -> RecordedRun? {
        try runs(pipeline: pipeline).last { $0.asOf < asOf }
    }

    /// Every account snapshot of one run, by account id.
    public func accounts(run: RecordedRun) throws -> [String: AccountSnapshot] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM account_snapshot WHERE run = ?", arguments: [run.id])
            return Dictionary(uniqueKeysWithValues: rows.map { (($0["account_id"] as String), AccountSnapshot($0)) })
        }
    }

    /// The latest run of `pipeline` on or before `day`, if any.
    public func run(pipeline: String, onOrBefore day: Day) throws -> RecordedRun? {
        try runs(pipeline: pipeline).last { $0.asOf <= day }
    }

    /// The KPIs of one run.
    public func kpis(run: RecordedRun) throws -> [KPISnapshot] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT kpi, value, unit FROM kpi_snapshot WHERE run = ? ORDER BY rowid", arguments: [run.id]).map {
                KPISnapshot(name: $0["kpi"], value: $0["value"], unit: $0["unit"])
            }
        }
    }

    /// The KPIs of each run (one pipeline, or all), oldest first.
    public func kpis(pipeline: String? = nil) throws -> [(run: RecordedRun, kpis: [KPISnapshot])] {
        let runs = try self.runs(pipeline: pipeline)
        return try read { db in
            try runs.map { run in
                let rows = try Row.fetchAll(db, sql: "SELECT kpi, value, unit FROM kpi_snapshot WHERE run = ? ORDER BY rowid", arguments: [run.id])
                return (run, rows.map { KPISnapshot(name: $0["kpi"], value: $0["value"], unit: $0["unit"]) })
            }
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw Self.failure(error, path: path)
        }
    }
}
