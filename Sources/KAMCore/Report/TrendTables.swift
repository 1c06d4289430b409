/// Trends against recorded runs (README "Trends"): each account's previous-run and
/// previous-quarter-end values beside today's, and the tier migration matrix.
enum TrendTables {
    /// For each baseline (`_prev`: the previous run, `_qe`: the previous quarter-end run): the
    /// tier then, and CLV, churn probability and health score then with today's change.
    static func accountColumnSpecs(currency: String) -> [ColumnSpec] {
        [("prev", "the previous recorded run"), ("qe", "the latest recorded run on or before the previous quarter end")].flatMap { b, run in
            [
                ColumnSpec("tier_\(b)", "A/B/C", "tier at \(run)", text: true),
                ColumnSpec("clv_\(b)", currency, "clv at \(run)"),
                ColumnSpec("clv_change_\(b)", currency, "clv minus clv_\(b)"),
                ColumnSpec("churn_probability_\(b)", "probability", "churn_probability at \(run)"),
                ColumnSpec("churn_probability_change_\(b)", "probability", "churn_probability minus churn_probability_\(b)"),
                ColumnSpec("health_score_\(b)", "score 0–100", "health_score at \(run)"),
                ColumnSpec("health_score_change_\(b)", "points", "health_score minus health_score_\(b)"),
            ]
        }
    }

    static func accountCells(_ r: AccountReportRow, baseline: TrendBaseline) -> [ReportCell] {
        [baseline.previous, baseline.quarterEnd].flatMap { run -> [ReportCell] in
            guard let then = run?.accounts[r.accountId] else { return Array(repeating: .empty, count: 7) }
            let clv = r.value?.clv, churn = r.churn?.chosen, health = r.relationship?.health?.score
            return [
                .text(then.tier), .amount(then.clv), .amount(difference(clv, then.clv)), .probability(then.churnProbability),
                .probability(difference(churn, then.churnProbability)), .count(then.healthScore),
                .count(health.flatMap { h in then.healthScore.map { h - $0 } }),
            ]
        }
    }

    static func difference(_ now: Double?, _ then: Double?) -> Double? { now.flatMap { n in then.map { n - $0 } } }

    /// `tier_migration.csv`: accounts and revenue by tier at the previous quarter-end run
    /// (`from_tier`; `new` for accounts that run did not have) and now (`to_tier`; `gone` for
    /// accounts this run does not have). Revenue is today's revenue_12m, or the quarter end's for
    /// accounts gone. Only the header when no quarter-end run was recorded.
    static func tierMigration(_ rows: [AccountReportRow], baseline: TrendBaseline.Run?, config: PipelineConfig) -> ReportTable {
        var table = ReportTable(specs: OutputColumns.tierMigration(config.baseCurrency))
        guard let baseline else { return table }
        var cells: [String: (accounts: Int, revenue: Money)] = [:]
        func add(_ from: String, _ to: String, _ revenue: Money) {
            let key = from + "\u{1F}" + to
            cells[key] = ((cells[key]?.accounts ?? 0) + 1, (cells[key]?.revenue ?? .zero) + revenue)
        }
        var present = Set<String>()
        for r in rows {
            present.insert(r.accountId)
            add(baseline.accounts[r.accountId]?.tier ?? "new", r.tier.rawValue, r.revenue12m)
        }
        for (id, then) in baseline.accounts where !present.contains(id) { add(then.tier, "gone", then.revenue12m) }
        let order = ["A", "B", "C", "new", "gone"]
        for from in order {
            for to in order {
                guard let c = cells[from + "\u{1F}" + to] else { continue }
                table.append([.text(from), .text(to), .count(c.accounts), .money(c.revenue), .date(baseline.asOf), .text(config.baseCurrency)])
            }
        }
        return table
    }
}
