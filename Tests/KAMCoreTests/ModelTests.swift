import Foundation
import Testing

@testable import KAMCore

@Suite struct ModelTests {
    /// CLVTools issue 100: high-frequency customers where naive ₂F₁ evaluation overflows.
    @Test(arguments: [
        (221.0, 103.42857, 103.57143, 0.99960), (161.0, 94.71429, 98.0, 0.74949), (204.0, 98.57143, 99.42857, 0.99426),
    ])
    func paretoPAliveStaysFiniteForHighFrequencies(x: Double, tx: Double, T: Double, expected: Double) {
        let m = ParetoNBDModel(r: 0.5143, alpha: 2.8845, s: 0.2856, beta: 14.1087)
        let p = m.probabilityAlive(x: x, tx: tx, T: T)
        #expect(abs(p - expected) < 5e-5, "\(p)")
        #expect(m.logLikelihood(x: x, tx: tx, T: T).isFinite)
        let e = m.conditionalExpectedPurchases(t: 52, x: x, tx: tx, T: T)
        #expect(e.isFinite && e > 0)
    }

    @Test func paretoLikelihoodAgreesAcrossTheAlphaBetaBranches() {
        // Near α = β both branches must give (almost) the same value.
        let below = ParetoNBDModel(r: 0.6, alpha: 10.0, s: 0.7, beta: 10.0001)
        let above = ParetoNBDModel(r: 0.6, alpha: 10.0001, s: 0.7, beta: 10.0)
        for (x, tx, T) in [(0.0, 0.0, 30.0), (3.0, 20.0, 38.0), (12.0, 35.5, 39.0)] {
            #expect(abs(below.logLikelihood(x: x, tx: tx, T: T) - above.logLikelihood(x: x, tx: tx, T: T)) < 1e-3)
        }
    }

    @Test func noInputGivesNaNOrInfinity() {
        let bg = BGNBDModel(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let pn = ParetoNBDModel(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669)
        let gg = GammaGammaModel(p: 6.25, q: 3.74, gamma: 15.44)
        for x in [0.0, 1, 5, 50, 500, 5000] {
            for (tx, T) in [(0.0, 0.0), (0.0, 500.0), (Swift.min(x, 499.9), 500.0), (1000.0, 1000.0), (3.0, 3000.0)] where tx <= T {
                let values = [
                    bg.logLikelihood(x: x, tx: tx, T: T), bg.probabilityAlive(x: x, tx: tx, T: T),
                    bg.conditionalExpectedPurchases(t: 52, x: x, tx: tx, T: T), bg.probabilityNoPurchase(t: 13, x: x, tx: tx, T: T),
                    pn.logLikelihood(x: x, tx: tx, T: T), pn.probabilityAlive(x: x, tx: tx, T: T),
                    pn.conditionalExpectedPurchases(t: 52, x: x, tx: tx, T: T), pn.probabilityNoPurchase(t: 13, x: x, tx: tx, T: T),
                    gg.expectedSpend(x: x, meanSpend: 20),
                ]
                #expect(values.allSatisfy { $0.isFinite }, "x=\(x) tx=\(tx) T=\(T): \(values)")
            }
        }
    }

    @Test func bgnbdExpectedPurchasesOfANewCustomer() {
        // E[X(t)] tends to t·r/α for small t and is increasing.
        let m = BGNBDModel(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        #expect(abs(m.expectedPurchases(t: 0.01) / 0.01 - 0.243 / 4.414) < 1e-3)
        #expect(m.expectedPurchases(t: 39) > m.expectedPurchases(t: 20))
        // Summing E[X] over the CDNOW cohort's calibration lengths gives the paper's ≈ 1.47 per
        // customer at 39 weeks (FHL 2005, fig. 2): check the order of magnitude.
        #expect((1.0...2.0).contains(m.expectedPurchases(t: 39)))
    }

    @Test func bgnbdRecoversSimulatedParameters() {
        let sim = Simulation.bgnbd(accounts: 20_000, r: 0.25, alpha: 4, a: 0.8, b: 2.5, T: 52, spread: true, seed: 11)
        let (m, d) = ModelFitter.fitBGNBD(ModelInput.collapse(sim), threads: 2)
        #expect(d.converged)
        // Sampling error at 20k accounts is a few percent on r and α, more on a and b.
        #expect(abs(m.r - 0.25) / 0.25 < 0.08, "\(m)")
        #expect(abs(m.alpha - 4) / 4 < 0.12, "\(m)")
        #expect(abs(m.a - 0.8) / 0.8 < 0.25, "\(m)")
        #expect(abs(m.b - 2.5) / 2.5 < 0.3, "\(m)")
    }

    @Test func paretoNBDRecoversSimulatedParameters() {
        let sim = Simulation.paretoNBD(accounts: 10_000, r: 0.55, alpha: 10, s: 0.6, beta: 12, T: 39, seed: 5)
        let (m, _) = ModelFitter.fitParetoNBD(ModelInput.collapse(sim), threads: 2)
        #expect(abs(m.r - 0.55) / 0.55 < 0.1, "\(m)")
        #expect(abs(m.alpha - 10) / 10 < 0.15, "\(m)")
        #expect(abs(m.s - 0.6) / 0.6 < 0.35, "\(m)")
    }

    @Test func gammaGammaRecoversSimulatedParameters() {
        let freq = (0..<15_000).map { Double(1 + $0 % 8) }
        let sim = Simulation.gammaGamma(frequencies: freq, p: 6, q: 4, gamma: 15, seed: 3)
        let (m, d) = ModelFitter.fitGammaGamma(sim.map { ($0.x, $0.m, 1.0) }, threads: 2)
        #expect(d.isUsable)
        #expect(abs(m.p - 6) / 6 < 0.1, "\(m)")
        #expect(abs(m.q - 4) / 4 < 0.15, "\(m)")
        #expect(abs(m.gamma - 15) / 15 < 0.25, "\(m)")
        // The mean spend pγ/(q−1) is recovered more tightly than the parameters.
        #expect(abs(m.populationMean - 30) / 30 < 0.05)
    }

    @Test func collapsingKeepsTheLikelihood() {
        let sim = Simulation.bgnbd(accounts: 3_000, r: 0.5, alpha: 3, a: 1, b: 3, T: 10, seed: 2)
        let collapsed = ModelInput.collapse(sim)
        let raw = sim.map { ModelInput(x: $0.x, tx: $0.tx, T: $0.T) }
        #expect(collapsed.count < raw.count)
        let m = BGNBDModel(r: 0.5, alpha: 3, a: 1, b: 3)
        #expect(abs(m.logLikelihood(collapsed) - m.logLikelihood(raw)) < 1e-6 * abs(m.logLikelihood(raw)))
    }

    @Test func degenerateFitIsReported() {
        // Five one-time buyers: no repeat purchases to learn from.
        let data = (0..<5).map { _ in ModelInput(x: 0, tx: 0, T: 10) }
        let (_, d) = ModelFitter.fitBGNBD(data)
        #expect(!d.isUsable)
        #expect(d.problem != nil)
        var configured = CLVSettings()
        configured.model = .bgnbd
        configured.modelConfigured = true
        let (used, reason) = ValueStage.chooseModel(configured, bgFit: d, paretoFit: d)
        #expect(used == .bgnbd && reason.contains("neither fit is usable") && reason.hasPrefix("configured"))
    }

    /// Without a `clv` section the model is `auto`, and the manifest's reason says "default".
    @Test func theDefaultModelIsAutoAndSaysSo() throws {
        let sim = Simulation.bgnbd(accounts: 3000, r: 0.5, alpha: 3, a: 0.8, b: 3, T: 60, spread: true, seed: 2)
        let inputs = ModelInput.collapse(sim)
        let (_, bgFit) = ModelFitter.fitBGNBD(inputs, threads: 2)
        let (_, pnFit) = ModelFitter.fitParetoNBD(inputs, threads: 2)
        let (used, reason) = ValueStage.chooseModel(CLVSettings(), bgFit: bgFit, paretoFit: pnFit)
        #expect(reason.hasPrefix("default (clv.model: auto)"), "\(reason)")
        #expect(used == (bgFit.logLikelihood >= pnFit.logLikelihood ? .bgnbd : .paretoNBD))
        var unusable = pnFit
        unusable.problem = "test"
        #expect(ValueStage.chooseModel(CLVSettings(), bgFit: bgFit, paretoFit: unusable).0 == .bgnbd)
    }

    /// A configured purchase model is fitted alone (the manifest says the other was not
    /// fitted); the other is fitted only as the fallback of an unusable configured fit.
    @Test func aConfiguredModelIsFittedAloneUnlessItsFitIsUnusable() throws {
        let config = try PipelineConfig.load(path: cdnowPipeline(extra: "clv:\n  model: bgnbd"))
        let clean = try CleanStage.run(config, threads: 2, progress: Progress(quiet: true))
        let value = ValueStage.run(histories: clean.histories, asOf: config.asOf, config: config, threads: 2)
        #expect(value.bgnbdFit?.isUsable == true && value.pareto == nil && value.paretoFit == nil)
        #expect(value.modelUsed == .bgnbd && value.modelReason.hasPrefix("configured (clv.model: bgnbd)"))
        let manifest = Manifest.models(value, config: config).rendered()
        #expect(manifest.contains("\"fitted\": false") && manifest.contains("configured as bgnbd and its fit is usable"), "\(manifest)")
        // Five one-time buyers: the configured fit is not usable, so the other is fitted too.
        let oneTime = Set(ValueStage.summaries(clean.histories, asOf: config.asOf).filter { $0.frequency == 0 }.map(\.accountId))
        let once = clean.histories.filter { oneTime.contains($0.accountId) }.prefix(5)
        #expect(once.count == 5)
        let fallback = ValueStage.run(histories: Array(once), asOf: config.asOf, config: config, threads: 2)
        #expect(fallback.bgnbdFit?.isUsable == false && fallback.paretoFit != nil)
        #expect(fallback.modelReason.contains("neither fit is usable"), "\(fallback.modelReason)")
        // Under auto both are fitted.
        let auto = ValueStage.run(
            histories: clean.histories, asOf: config.asOf, config: try PipelineConfig.load(path: cdnowPipeline()), threads: 2)
        #expect(auto.bgnbd != nil && auto.pareto != nil)
    }

    @Test func summariesMergeAcrossShards() {
        let days: [(Int, Int64, Int64)] = [(0, 100, 0), (5, 50, 0), (9, 0, 20), (12, 80, 10), (20, 30, 0)]
        let asOf = Day(ordinal: 30)
        func history(_ subset: [(Int, Int64, Int64)]) -> AccountHistory {
            AccountHistory(accountId: "A", days: subset.map { d in
                var t = DayTotals(day: Day(ordinal: Int32(d.0)))
                t.paid = Money(units: d.1 * Money.scale)
                t.refunded = Money(units: d.2 * Money.scale)
                t.paidLines = d.1 > 0 ? 1 : 0
                t.refundLines = d.2 > 0 ? 1 : 0
                return t
            }, cutoffs: [asOf])
        }
        let whole = RepeatPurchaseSummary(history: history(days), asOf: asOf)!
        let a = RepeatPurchaseSummary(history: history([days[0], days[2], days[4]]), asOf: asOf)!
        let b = RepeatPurchaseSummary(history: history([days[1], days[3]]), asOf: asOf)!
        let merged = a.merged(with: b)
        #expect(merged.frequency == whole.frequency)
        #expect(merged.firstPurchase == whole.firstPurchase && merged.lastPurchase == whole.lastPurchase)
        #expect(merged.repeatNetSpend == whole.repeatNetSpend)
        #expect(merged.revenue == whole.revenue)
        #expect(whole.frequency == 3)
        #expect(whole.repeatNetSpend == Money(units: (50 + 70 + 30) * Money.scale))
    }

    @Test func clvIsTheDiscountedSumOfMonthlyIncrements() {
        // With d = 0 and margin 1 the sum telescopes to E(M)·E[Y(H months)].
        let m = BGNBDModel(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let month = (365.25 / 12) / 7
        var clv = 0.0, previous = 0.0
        for k in 1...12 {
            let e = m.conditionalExpectedPurchases(t: Double(k) * month, x: 2, tx: 30.43, T: 38.86)
            clv += 24.66 * (e - previous)
            previous = e
        }
        #expect(abs(clv - 24.66 * m.conditionalExpectedPurchases(t: 12 * month, x: 2, tx: 30.43, T: 38.86)) < 1e-9)
    }
}
