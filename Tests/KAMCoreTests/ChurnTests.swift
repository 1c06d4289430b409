import Foundation
import Testing

@testable import KAMCore

@Suite struct ChurnTests {
    /// P(no purchase in the next t) against a direct computation from the BG/NBD definitions:
    /// draw (λ, p) from the prior, weight each draw by the likelihood of the history (alive:
    /// (1−p)ˣλˣe^(−λT); dropped after the last purchase: p(1−p)^(x−1)λˣe^(−λtₓ)), and average
    /// "dropped, or alive and silent for t" (e^(−λt)).
    @Test func bgnbdChurnFormulaMatchesADirectComputation() throws {
        let (summaries, asOf) = try cdnowSummaries()
        let inputs = ModelInput.collapse(summaries.map { (Double($0.frequency), $0.recency(in: .week), $0.age(asOf: asOf, in: .week)) })
        let (m, _) = ModelFitter.fitBGNBD(inputs, threads: 2)
        var rng = RandomSource(seed: 99)
        let draws = (0..<300_000).map { _ in (rng.gamma(shape: m.r) / m.alpha, rng.beta(m.a, m.b)) }
        for (x, tx, T, t) in [(0.0, 0.0, 38.0, 13.0), (2.0, 30.43, 38.86, 13.0), (7.0, 35.0, 38.0, 39.0), (1.0, 5.0, 38.0, 26.0)] {
            var numerator = 0.0, denominator = 0.0
            for (lambda, p) in draws {
                let alive = pow(1 - p, x) * pow(lambda, x) * exp(-lambda * T)
                let dropped = x > 0 ? p * pow(1 - p, x - 1) * pow(lambda, x) * exp(-lambda * tx) : 0
                numerator += dropped + alive * exp(-lambda * t)
                denominator += dropped + alive
            }
            let direct = numerator / denominator
            let formula = m.probabilityNoPurchase(t: t, x: x, tx: tx, T: T)
            #expect(abs(direct - formula) < 0.01, "x=\(x) tx=\(tx) T=\(T): direct \(direct), formula \(formula)")
        }
    }

    /// BG/NBD puts P(alive) = 1 at x = 0; the churn score must still call a one-time buyer of
    /// three years ago high risk, and riskier than a one-time buyer of last week.
    @Test func aLongGoneOneTimeBuyerIsHighRisk() throws {
        let (summaries, asOf) = try cdnowSummaries()
        let inputs = ModelInput.collapse(summaries.map { (Double($0.frequency), $0.recency(in: .week), $0.age(asOf: asOf, in: .week)) })
        let (m, _) = ModelFitter.fitBGNBD(inputs, threads: 2)
        #expect(m.probabilityAlive(x: 0, tx: 0, T: 156) == 1)
        let old = m.probabilityNoPurchase(t: 90.0 / 7, x: 0, tx: 0, T: 156)
        let recent = m.probabilityNoPurchase(t: 90.0 / 7, x: 0, tx: 0, T: 1)
        #expect(ChurnRiskBand(probability: old, settings: ChurnSettings()) == .high, "\(old)")
        #expect(old > recent)
        // And through the value stage, for a real history.
        var d = DayTotals(day: Day(iso: "2021-12-01")!)
        d.paid = Money(units: 100 * Money.scale)
        d.paidLines = 1
        let config = try PipelineConfig.load(path: cdnowPipeline(asOf: "2024-12-01"))
        let cutoffs = [config.asOf]
        let value = ValueStage.run(histories: [AccountHistory(accountId: "X", days: [d], cutoffs: cutoffs)] + (0..<50).map { i in
            AccountHistory(accountId: "R\(i)", days: (0..<(2 + i % 5)).map { k in
                var t = DayTotals(day: Day(iso: "2024-01-01")! + (k * 30 + i))
                t.paid = Money(units: 50 * Money.scale)
                t.paidLines = 1
                return t
            }, cutoffs: cutoffs)
        }, asOf: config.asOf, config: config, threads: 1)
        #expect(value.accounts["X"]!.probabilityNoPurchase >= 0.6)
    }

    @Test func logisticRegressionRecoversKnownCoefficients() {
        var rng = RandomSource(seed: 17)
        let truth = [-0.5, 1.0, -2.0, 0.5]
        var rows: [[Double]] = [], labels: [Double] = []
        for _ in 0..<40_000 {
            let x = [rng.normal(), rng.normal(), rng.normal()]
            let p = LogisticRegression.sigmoid(truth[0] + truth[1] * x[0] + truth[2] * x[1] + truth[3] * x[2])
            rows.append(x)
            labels.append(rng.uniform() < p ? 1 : 0)
        }
        let lr = LogisticRegression.fit(names: ["a", "b", "c"], rows: rows, labels: labels, l2: 1e-6)
        #expect(lr.converged)
        // Back to the raw scale: β_raw = β_std / sd, intercept adjusted by the means.
        let slopes = (0..<3).map { lr.coefficients[$0 + 1] / lr.scales[$0] }
        let intercept = lr.coefficients[0] - (0..<3).reduce(0) { $0 + slopes[$1] * lr.means[$1] }
        for (estimate, expected) in zip([intercept] + slopes, truth) {
            #expect(abs(estimate - expected) < 0.06, "\(estimate) vs \(expected)")
        }
    }

    @Test func aStrongerPenaltyShrinksCoefficients() {
        var rng = RandomSource(seed: 3)
        let rows = (0..<2000).map { _ in [rng.normal()] }
        let labels = rows.map { rng.uniform() < LogisticRegression.sigmoid(2 * $0[0]) ? 1.0 : 0.0 }
        let loose = LogisticRegression.fit(names: ["x"], rows: rows, labels: labels, l2: 0.001)
        let tight = LogisticRegression.fit(names: ["x"], rows: rows, labels: labels, l2: 5000)
        #expect(abs(tight.coefficients[1]) < abs(loose.coefficients[1]) / 2)
    }

    @Test func riskBandBoundariesAreInclusiveAtTheirLowerEnd() {
        let s = ChurnSettings()
        #expect(ChurnRiskBand(probability: 0.2999, settings: s) == .low)
        #expect(ChurnRiskBand(probability: 0.3, settings: s) == .medium)
        #expect(ChurnRiskBand(probability: 0.5999, settings: s) == .medium)
        #expect(ChurnRiskBand(probability: 0.6, settings: s) == .high)
    }

    @Test func metricsOnAHandExample() {
        let m = ChurnMetrics(scores: [0.9, 0.8, 0.7, 0.2, 0.1, 0.05, 0.6, 0.3, 0.4, 0.5], churned: [true, true, false, false, false, false, true, false, true, false])
        // Churned scores 0.9, 0.8, 0.6, 0.4 against 0.7, 0.2, 0.1, 0.05, 0.3, 0.5: 6 + 6 + 5 + 4 = 21
        // of 24 pairs ordered.
        #expect(abs(m.auc - 21.0 / 24) < 1e-12)
        #expect(abs(m.topDecileLift - 1 / 0.4) < 1e-12)
        let brier = [0.01, 0.04, 0.49, 0.04, 0.01, 0.0025, 0.16, 0.09, 0.36, 0.25].reduce(0, +) / 10
        #expect(abs(m.brier - brier) < 1e-12)
        // One score per tenth; a bin takes its lower edge (0.1 is in 0.1–0.2).
        #expect(m.calibration.map(\.accounts) == Array(repeating: 1, count: 10))
        #expect(m.calibration[1].meanPredicted == 0.1 && m.calibration[6].observedRate == 1)
    }

    /// On generated data whose interactions warn before dropout, the supervised score ranks
    /// better than the purchase model in a backtest, and is calibrated.
    @Test func supervisedBeatsModelBasedOnGeneratedData() throws {
        let (path, dir) = try generatedPipeline(accounts: 3000, transactions: 30_000, seed: 5)
        let config = try PipelineConfig.load(path: path)
        let summary = try Backtester.run(
            config, cutoff: Day(iso: "2024-09-30")!, until: Day(iso: "2024-12-31")!, output: dir.appendingPathComponent("bt").path,
            threads: 2, progress: Progress(quiet: true))
        let supervised = try #require(summary.supervised)
        #expect(supervised.auc > summary.model.auc, "supervised \(supervised.auc) vs model \(summary.model.auc)")
        for bin in supervised.calibration where bin.accounts >= 100 {
            #expect(abs(bin.meanPredicted - bin.observedRate) <= 0.1, "\(bin)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("bt/backtest.json"))) as! [String: Any]
        #expect((json["churn"] as! [String: Any])["used"] as? String == "supervised")
        // CLV at the cutoff ranks the revenue that followed at least as well as trailing revenue.
        let ranking = json["clv_ranking"] as! [String: Any]
        let byCLV = ranking["by_clv"] as! [String: Double], byRevenue = ranking["by_revenue_12m"] as! [String: Double]
        #expect(byCLV["spearman"]! >= byRevenue["spearman"]!, "\(ranking)")
        let csv = try String(contentsOf: dir.appendingPathComponent("bt/backtest_accounts.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == summary.accounts + 1)
    }
}

/// Churn drivers (issue 21, point 7): only factors that raise the risk against the account's own
/// baseline, nothing but "no sign of risk" for a low-risk account, no P(alive) for a one-time
/// buyer, plurals right, and every driver in Chinese too.
@Suite struct ChurnDriverTests {
    static func row(days: Int, gap: Double?, pAlive: Double, expected: Double, last90: Int = 0) -> ChurnFeatureRow {
        ChurnFeatureRow(
            values: [], daysSinceLastPurchase: days, usualGapDays: gap, purchaseDays90: last90, revenueTrend: 0, unresolvedComplaints: 0,
            complaints180: 0, meanResolutionDays: nil, satisfactionLatest: nil, satisfactionChange: nil, competitorMentions: 0,
            daysSinceContact: nil, meetings90: 0, pAlive: pAlive, expectedPurchases: expected, refundShare: 0, tenureDays: 800)
    }

    @Test func aLowRiskAccountHasNoReasons() {
        let found = ChurnDrivers.modelBased(row: Self.row(days: 1, gap: 1, pAlive: 1, expected: 60), horizonDays: 90)
        #expect(found.isEmpty)
        let printed = ChurnDrivers.final(found, risk: .low, probability: 0.01, horizonDays: 90)
        #expect(printed == [.noSignOfRisk])
    }

    @Test func aOneTimeBuyerIsNeverToldItsPAliveIsOne() {
        // BG/NBD's P(alive) is 1 at x = 0 whatever the silence.
        let found = ChurnDrivers.modelBased(row: Self.row(days: 776, gap: nil, pAlive: 1, expected: 0.1), horizonDays: 90)
        #expect(found == [.onePurchaseOnly(daysAgo: 776)])
        #expect(!found.map { $0.text(.english) }.joined().contains("P("))
    }

    @Test func overdueOnlyAgainstTheAccountsOwnGap() {
        // 40 days against a usual 30: not overdue (needs 1.5 × the gap); 60 days: overdue.
        #expect(ChurnDrivers.modelBased(row: Self.row(days: 40, gap: 30, pAlive: 0.9, expected: 2.5), horizonDays: 90).isEmpty)
        let late = ChurnDrivers.modelBased(row: Self.row(days: 60, gap: 30, pAlive: 0.6, expected: 1.0), horizonDays: 90)
        #expect(late.first == .overdue(days: 60, usualGap: 30))
        // Expected 1.0 in 90 days against a usual 3.0: fewer than half.
        #expect(late.contains(.fewExpected(expected: 1.0, usual: 3.0, horizonDays: 90)))
    }

    @Test func pluralsAndChinese() {
        #expect(ChurnDriver.onePurchaseOnly(daysAgo: 1).text(.english) == "one purchase only, 1 day ago")
        #expect(ChurnDriver.complaints(1).text(.english) == "1 complaint in 180 days")
        #expect(ChurnDriver.complaints(2).text(.english) == "2 complaints in 180 days")
        #expect(ChurnDriver.overdue(days: 60, usualGap: 30).text(.chinese) == "已 60 天未采购，平时间隔约 30 天")
        let all: [ChurnDriver] = [
            .noSignOfRisk, .overdue(days: 2, usualGap: 1), .onePurchaseOnly(daysAgo: 3), .lowPAlive(0.2),
            .fewExpected(expected: 1, usual: 3, horizonDays: 90), .fewerPurchaseDays(last90: 1, usual90: 4), .revenueDown(percent: 30),
            .newCustomer(days: 20), .refunds(percent: 10), .noContact(days: nil), .noContact(days: 5), .complaints(2),
            .unresolvedComplaints(1), .slowResolution(days: 9), .satisfaction(latest: 60, drop: 10), .competitorMentions(3),
            .fewContacts(0), .patternOfSimilarAccounts(probability: 0.5, horizonDays: 90),
        ]
        for d in all {
            let zh = d.text(.chinese)
            #expect(zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(d): \(zh)")
            #expect(d.text(.english) != zh)
        }
    }
}
