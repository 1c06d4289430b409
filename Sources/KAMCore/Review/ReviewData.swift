/// What the review pack is drawn from: the run's own results and tables, nothing computed
/// again (README, "Review pack").
struct ReviewData {
    var rows: [AccountReportRow]
    var clean: CleanData
    var keyAccounts: KeyAccountResult
    /// `kpi_summary.csv` and `tier_migration.csv` as the run wrote them.
    var summary: ReportTable
    var migration: ReportTable
    var config: PipelineConfig

    /// The KPI summary's rows by name: value, unit, value at the previous quarter end, change.
    func kpi(_ name: String) -> (value: ReportCell, unit: String, quarterEnd: ReportCell, change: ReportCell)? {
        for row in summary.rows {
            guard case .text(let n) = row[0], n == name else { continue }
            guard case .text(let unit) = row[2] else { return nil }
            return (row[1], unit, row[4], row[5])
        }
        return nil
    }

    /// As-of of the previous quarter-end run, when the history has one.
    var quarterEndAsOf: Day? {
        for row in summary.rows { if case .date(let d) = row[6] { return d } }
        return nil
    }

    /// The tier-migration counts, from tier → to tier, when the history has a quarter-end run.
    var migrationCounts: (from: [String], to: [String], counts: [[Int]])? {
        guard !migration.rows.isEmpty else { return nil }
        let from = ["A", "B", "C", "new"], to = ["A", "B", "C", "gone"]
        var counts = Array(repeating: Array(repeating: 0, count: to.count), count: from.count)
        for row in migration.rows {
            guard case .text(let f) = row[0], case .text(let t) = row[1], case .count(let n) = row[2],
                let i = from.firstIndex(of: f), let j = to.firstIndex(of: t)
            else { continue }
            counts[i][j] += n
        }
        return (from, to, counts)
    }

    /// Key-account decisions with a status, by status (new, kept, demoted) then rank: sorted
    /// once, as the pages read it many times and the decisions cover every account.
    let listed: [KeyAccountDecision]

    init(
        rows: [AccountReportRow], clean: CleanData, keyAccounts: KeyAccountResult, summary: ReportTable, migration: ReportTable,
        config: PipelineConfig
    ) {
        self.rows = rows
        self.clean = clean
        self.keyAccounts = keyAccounts
        self.summary = summary
        self.migration = migration
        self.config = config
        let order: [KeyAccountStatus] = [.new, .kept, .demoted]
        listed = keyAccounts.decisions.values.filter { $0.status.map(order.contains) == true }.sorted {
            let a = order.firstIndex(of: $0.status!)!, b = order.firstIndex(of: $1.status!)!
            if a != b { return a < b }
            return ($0.rank ?? .max, $0.accountId) < ($1.rank ?? .max, $1.accountId)
        }
    }
}
