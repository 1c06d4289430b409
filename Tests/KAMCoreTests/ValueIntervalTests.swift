import Foundation
import Testing

@testable import KAMCore

/// The 80 % intervals (issue 21, point 3): on customers simulated from known BG/NBD parameters,
/// fitted on a calibration period, the interval for purchases in the holdout holds the actual
/// count for about 80 % of customers; the draws are the same on every call.
@Suite struct ValueIntervalTests {
    /// Calibration summaries and holdout purchase counts of customers drawn from BG/NBD.
    static func simulate(accounts: Int, holdout: Double, seed: UInt64) -> (summaries: [(x: Double, tx: Double, T: Double)], future: [Int]) {
        var rng = RandomSource(seed: seed)
        var summaries: [(x: Double, tx: Double, T: Double)] = []
        var future: [Int] = []
        for _ in 0..<accounts {
            let age = 26 + 26 * rng.uniform()
            let lambda = rng.gamma(shape: 0.6) / 3
            let p = rng.beta(0.9, 3)
            var t = 0.0, x = 0.0, tx = 0.0, later = 0
            while true {
                t += rng.exponential(rate: max(lambda, 1e-12))
                if t > age + holdout { break }
                if t <= age {
                    x += 1
                    tx = t
                } else {
                    later += 1
                }
                if rng.chance(p) { break }
            }
            summaries.append((x, tx, age))
            future.append(later)
        }
        return (summaries, future)
    }

    @Test func purchaseIntervalsCoverAboutEightyPercent() {
        let holdout = 26.0
        let (summaries, future) = Self.simulate(accounts: 3000, holdout: holdout, seed: 31)
        let (bg, fit) = ModelFitter.fitBGNBD(ModelInput.collapse(summaries), threads: 2)
        let spendFit = FitDiagnostics(logLikelihood: 0, converged: true, iterations: 0, accounts: 0, distinct: 0, starts: 0, parametersAtBound: [])
        let spend = SpendEstimate(kind: .gammaGamma(GammaGammaModel(p: 6, q: 4, gamma: 15)))
        let intervals = ValueIntervals(
            model: .bgnbd(bg), fit: fit, spend: spend, spendFit: spendFit, horizon: 52, churnHorizon: holdout, monthInUnit: 365.25 / 12 / 7,
            monthlyDiscountRate: 0.01, draws: 200)
        var below = 0, above = 0
        for (i, s) in summaries.enumerated() {
            let interval = intervals.interval(accountId: "A\(i)", x: s.x, tx: s.tx, T: s.T, meanSpend: 20, margin: 1)
            #expect(interval.purchasesLow <= interval.purchasesHigh && interval.clvLow <= interval.clvHigh)
            if Double(future[i]) < interval.purchasesLow { below += 1 }
            if Double(future[i]) > interval.purchasesHigh { above += 1 }
        }
        // Each tail of an 80 % interval should hold at most about 10 % of the actual counts (fewer
        // where counts are discrete and pile up at 0), and the upper one some of them.
        let n = Double(summaries.count)
        #expect(Double(below) / n <= 0.12, "below \(below) of \(summaries.count)")
        #expect((0.04...0.12).contains(Double(above) / n), "above \(above) of \(summaries.count)")
        let again = intervals.interval(accountId: "A7", x: summaries[7].x, tx: summaries[7].tx, T: summaries[7].T, meanSpend: 20, margin: 1)
        let first = intervals.interval(accountId: "A7", x: summaries[7].x, tx: summaries[7].tx, T: summaries[7].T, meanSpend: 20, margin: 1)
        #expect(again == first)
    }

    /// Parameters at the box's corners (a dropout probability near 0, rates near the bounds)
    /// give finite intervals, never a trap.
    @Test func extremeParametersStayFinite() {
        let fit = FitDiagnostics(logLikelihood: 0, converged: true, iterations: 0, accounts: 0, distinct: 0, starts: 0, parametersAtBound: [])
        let spend = SpendEstimate(kind: .gammaGamma(GammaGammaModel(p: 6, q: 4, gamma: 15)))
        for model in [
            PurchaseModel.bgnbd(BGNBDModel(r: 1000, alpha: 1e-4, a: 1e-4, b: 1000)),
            .paretoNBD(ParetoNBDModel(r: 1000, alpha: 1e-4, s: 1e-4, beta: 1e4)),
        ] {
            let intervals = ValueIntervals(
                model: model, fit: fit, spend: spend, spendFit: fit, horizon: 52, churnHorizon: 13, monthInUnit: 4.35, monthlyDiscountRate: 0.01, draws: 40)
            let i = intervals.interval(accountId: "X", x: 500, tx: 100, T: 100.5, meanSpend: 1e6, margin: 1)
            #expect(i.clvLow.isFinite && i.clvHigh.isFinite && i.purchasesHigh <= PurchaseModel.countCap)
        }
    }

    @Test func confidenceFollowsTheStatedRule() {
        var fit = FitDiagnostics(logLikelihood: 0, converged: true, iterations: 1, accounts: 1, distinct: 1, starts: 1, parametersAtBound: [])
        #expect(ValueConfidence(repeatDays: 12, ageDays: 400, fit: fit) == .high)
        #expect(ValueConfidence(repeatDays: 1, ageDays: 900, fit: fit) == .low)
        #expect(ValueConfidence(repeatDays: 30, ageDays: 60, fit: fit) == .low)
        #expect(ValueConfidence(repeatDays: 5, ageDays: 400, fit: fit) == .medium)
        fit.weaklyIdentified = ["s"]
        #expect(ValueConfidence(repeatDays: 12, ageDays: 400, fit: fit) == .medium)
    }
}

/// The CLV-ranking metrics of `kam backtest` on hand-checkable data.
@Suite struct RankingMetricsTests {
    @Test func spearmanAndTopDecileByHand() {
        // 20 accounts; realised revenue 1…20; the key orders them exactly, then reversed.
        let ids = (0..<20).map { String(format: "A%02d", $0) }
        let realised = (1...20).map(Double.init)
        let perfect = RankingMetrics(ids: ids, key: realised, realised: realised)
        #expect(abs(perfect.spearman - 1) < 1e-12)
        // Top decile = the top 2 accounts: (20 + 19) / 210.
        #expect(abs(perfect.topDecileShare - 39.0 / 210) < 1e-12)
        let reversed = RankingMetrics(ids: ids, key: realised.map { -$0 }, realised: realised)
        #expect(abs(reversed.spearman + 1) < 1e-12)
        #expect(abs(reversed.topDecileShare - 3.0 / 210) < 1e-12)
        // Ties get average ranks: a constant key has no correlation, and the top decile is
        // taken by account ID.
        let flat = RankingMetrics(ids: ids, key: Array(repeating: 5, count: 20), realised: realised)
        #expect(flat.spearman == 0)
        #expect(abs(flat.topDecileShare - 3.0 / 210) < 1e-12)
        #expect(RankingMetrics.ranks([3, 1, 3, 2]) == [3.5, 1, 3.5, 2])
    }
}
