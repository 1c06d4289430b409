import CSVIO
import Foundation

/// `kam backtest`: fit at a cutoff, predict (cutoff, until], compare with what happened.
///
/// Purchases and spend are compared over the whole period; churn over (cutoff, cutoff + H] with
/// H = `churn.horizon_days` (cut at `until` if that comes first).
public enum Backtester {
    public struct Summary: Sendable {
        public var accounts: Int
        public var actualPurchases: Int
        public var expectedPurchases: Double
        public var model: ChurnMetrics
        public var supervised: ChurnMetrics?
        public var chosen: ChurnMetrics
    }

    public static func run(_ config: PipelineConfig, cutoff: Day, until: Day, output: String, threads: Int, progress: Progress) throws
        -> Summary
    {
        let runId = Runner.makeRunId(Date())
        // Tiers, decisions and relationship as the run at the cutoff would have seen them.
        var atCutoff = config
        atCutoff.asOf = cutoff
        let folder = try RunFolder(destination: output, runId: runId, protected: config.protectedFolders)
        defer { folder.release() }
        // The run's stages, fitted and scored as of the cutoff; the gate is the reject rates
        // alone (a backtest replaces no run folder).
        let graph = try StageGraph([
            CleanStage.Step(
                config: config, threads: threads, progress: progress, cutoffs: [cutoff, cutoff - config.churn.horizonDays, until],
                gate: { clean in
                    let failures = QualityGate.failures(clean, config: config, previous: [:], previousFolder: "", acceptDrop: true)
                    if !failures.isEmpty { throw QualityGateError(failures: failures) }
                }),
            ValueStage.Step(config: config, asOf: cutoff, threads: threads),
            ChurnStage.Step(config: config, asOf: cutoff, threads: threads),
            SegmentStage.Step(config: atCutoff),
            SegmentStage.DecideStep(config: atCutoff),
            RelationshipStage.ContactsStep(config: atCutoff, asOf: cutoff, threads: threads),
            RelationshipStage.Step(config: atCutoff, asOf: cutoff, threads: threads),
        ])
        let values = StageValues()
        _ = try graph.runReportingFailure(values, progress: progress)
        let clean = try values.get(Slots.clean), value = try values.get(Slots.value), churn = try values.get(Slots.churn)
        let relationship = try values.get(Slots.relationship)
        let unit = config.timeUnit
        let period = Double(until - cutoff) / unit.days
        let churnEnd = min(until, cutoff + config.churn.horizonDays)
        let model = value.model
        let histories = clean.historiesById
        let ids = value.accounts.keys.sorted()

        struct Row {
            var id: String
            var v: AccountValue
            var actual: Int
            var expected: Double
            var actualSpend: Money
            var expectedSpend: Double
            var churned: Bool
            var churn: AccountChurn
            var trailingRevenue: Money
        }
        let rows: [Row] = ids.map { id in
            let v = value.accounts[id]!
            let history = histories[id]!
            let actual = history.purchaseDays(after: cutoff, through: until)
            let spend = history.net(after: cutoff, through: until)
            let boughtInChurnWindow = history.bought(after: cutoff, through: churnEnd)
            let expected = model.expected(t: period, x: v.frequency, tx: v.recency, T: v.age)
            return Row(
                id: id, v: v, actual: actual, expected: expected, actualSpend: spend, expectedSpend: expected * v.expectedSpend,
                churned: !boughtInChurnWindow, churn: churn.accounts[id]!, trailingRevenue: history.net(after: cutoff - 365, through: cutoff))
        }
        let labels = rows.map(\.churned)
        let modelMetrics = ChurnMetrics(scores: rows.map(\.churn.model), churned: labels)
        let supervisedMetrics =
            churn.supervisedAvailable ? ChurnMetrics(scores: rows.map { $0.churn.supervised ?? $0.churn.model }, churned: labels) : nil
        let chosenMetrics = ChurnMetrics(scores: rows.map(\.churn.chosen), churned: labels)

        let actualTotal = rows.reduce(0) { $0 + $1.actual }
        let expectedTotal = rows.reduce(0.0) { $0 + $1.expected }
        let mae = rows.isEmpty ? 0 : rows.reduce(0.0) { $0 + abs(Double($1.actual) - $1.expected) } / Double(rows.count)
        let corr = RankingMetrics.pearson(rows.map { Double($0.actual) }, rows.map(\.expected))
        let spendActual = rows.reduce(Money.zero) { $0 + $1.actualSpend }
        let spendExpected = rows.reduce(0.0) { $0 + $1.expectedSpend }
        let spendMAE = rows.isEmpty ? 0 : rows.reduce(0.0) { $0 + abs($1.actualSpend.double - $1.expectedSpend) } / Double(rows.count)
        let spendCorr = RankingMetrics.pearson(rows.map(\.actualSpend.double), rows.map(\.expectedSpend))

        let json: JSONValue = .object([
            ("pipeline", .string(config.name)), ("cutoff", .string(cutoff.iso)), ("until", .string(until.iso)),
            ("time_unit", .string(unit.rawValue)), ("period_length", .double(period)), ("accounts", .int(rows.count)),
            ("model_used", .string(value.modelUsed.rawValue)),
            ("models", Manifest.models(value, config: config)),
            (
                "repeat_purchases",
                .object([
                    ("actual", .int(actualTotal)), ("expected", .double(expectedTotal)),
                    ("ratio_expected_to_actual", .double(actualTotal > 0 ? expectedTotal / Double(actualTotal) : 0)),
                    ("mae_per_account", .double(mae)), ("correlation", .double(corr)),
                ])
            ),
            (
                "spend",
                .object([
                    ("currency", .string(config.baseCurrency)), ("actual", .money(spendActual)),
                    ("expected", .number(CSVFormat.money(spendExpected))),
                    ("mae_per_account", .double(spendMAE)), ("correlation", .double(spendCorr)),
                ])
            ),
            (
                "churn",
                .object([
                    ("window", .string("no purchase day in (\(cutoff.iso), \(churnEnd.iso)]")), ("horizon_days", .int(churnEnd - cutoff)),
                    ("used", .string(churn.used.rawValue)), ("reason", .string(churn.reason)),
                    ("model_based", modelMetrics.json), ("supervised", supervisedMetrics?.json ?? .null), ("chosen", chosenMetrics.json),
                ])
            ),
            ("health", healthSection(rows.map { ($0.id, $0.churned, $0.churn.chosen) }, relationship)),
            ("clv_ranking", clvRanking(rows.map { ($0.id, $0.v.clv, $0.trailingRevenue.double, $0.actualSpend.double) }, cutoff: cutoff, until: until)),
        ])
        try folder.write("backtest.json", text: json.rendered() + "\n")
        var table = ReportTable(
            columns: [
                "account_id", "repeat_purchase_days", "purchase_span_\(unit.rawValue)s", "age_\(unit.rawValue)s", "mean_repeat_spend", "actual_purchases",
                "expected_purchases", "actual_spend", "expected_spend", "clv", "revenue_12m_at_cutoff", "churned", "churn_probability", "churn_probability_model", "churn_probability_supervised", "time_unit",
            ], text: ["account_id", "time_unit"])
        for r in rows {
            table.append([
                .text(r.id), .count(Int(r.v.frequency)), .measure(r.v.recency, decimals: 4), .measure(r.v.age, decimals: 4),
                .amount(r.v.frequency > 0 ? r.v.monetary : nil),
                .count(r.actual), .measure(r.expected, decimals: 4), .money(r.actualSpend), .amount(r.expectedSpend), .amount(r.v.clv),
                .money(r.trailingRevenue),
                .count(r.churned ? 1 : 0), .probability(r.churn.chosen), .probability(r.churn.model), .probability(r.churn.supervised),
                .text(unit.rawValue),
            ])
        }
        try folder.write("backtest_accounts.csv", bytes: table.csv(bom: config.report.excelBOM))
        // What makes the folder recognisably kam's, so a later backtest may replace it.
        let manifest = JSONValue.object([
            ("run_id", .string(runId)), ("pipeline", .string(config.name)), ("tool", .string("kam")),
            ("tool_version", .string(KAMVersion.current)), ("kind", .string("backtest")),
            ("cutoff", .string(cutoff.iso)), ("until", .string(until.iso)),
            ("outputs", .array(["backtest.json", "backtest_accounts.csv", "manifest.json"].map(JSONValue.string))),
        ])
        try folder.write("manifest.json", text: manifest.rendered() + "\n")
        try folder.commit()
        progress.note("wrote \(folder.destination)")
        return Summary(
            accounts: rows.count, actualPurchases: actualTotal, expectedPurchases: expectedTotal, model: modelMetrics,
            supervised: supervisedMetrics, chosen: chosenMetrics)
    }

    /// CLV at the cutoff against trailing 12-month revenue as a ranking of the net revenue the
    /// accounts brought in (cutoff, until].
    static func clvRanking(_ rows: [(id: String, clv: Double, trailing: Double, realised: Double)], cutoff: Day, until: Day) -> JSONValue {
        let ids = rows.map(\.id), realised = rows.map(\.realised)
        let clv = RankingMetrics(ids: ids, key: rows.map(\.clv), realised: realised)
        let trailing = RankingMetrics(ids: ids, key: rows.map(\.trailing), realised: realised)
        return .object([
            ("realised", .string("net revenue in (\(cutoff.iso), \(until.iso)]")), ("accounts", .int(rows.count)),
            ("by_clv", clv.json), ("by_revenue_12m", trailing.json),
            ("clv_ranks_at_least_as_well", .bool(clv.spearman >= trailing.spearman && clv.topDecileShare >= trailing.topDecileShare)),
        ])
    }

    /// The health score as a churn predictor over the accounts it scored: its AUC (risk = 100 −
    /// score) beside the chosen churn probability's on the same accounts, and the churn rate of
    /// each band.
    static func healthSection(_ rows: [(id: String, churned: Bool, chosen: Double)], _ r: RelationshipResult) -> JSONValue {
        let scored = rows.compactMap { row in r.accounts[row.id]?.health.map { (row, $0) } }
        guard !scored.isEmpty else { return .null }
        let labels = scored.map(\.0.churned)
        let health = ChurnMetrics(scores: scored.map { Double(100 - $0.1.score) }, churned: labels)
        let chosen = ChurnMetrics(scores: scored.map(\.0.chosen), churned: labels)
        let bands: [(String, JSONValue)] = HealthScore.Band.allCases.map { band in
            let members = scored.filter { $0.1.band == band }
            let churned = members.filter(\.0.churned).count
            return (
                band.rawValue,
                .object([
                    ("accounts", .int(members.count)), ("churned", .int(churned)),
                    ("churn_rate", members.isEmpty ? .null : .double(Double(churned) / Double(members.count))),
                ])
            )
        }
        return .object([
            ("accounts", .int(scored.count)), ("auc", .double(health.auc)), ("chosen_churn_auc_same_accounts", .double(chosen.auc)),
            ("by_band", .object(bands)),
        ])
    }
}
