import Foundation
import Testing

@testable import KAMCore

/// The published CDNOW results (../shared/data/README.md) reproduced to three significant digits.
@Suite struct CDNOWModelTests {
    static let data: (inputs: [ModelInput], spend: [(x: Double, m: Double, weight: Double)], summaries: [RepeatPurchaseSummary]) = {
        let (summaries, asOf) = try! cdnowSummaries()
        let inputs = ModelInput.collapse(summaries.map { (Double($0.frequency), $0.recency(in: .week), $0.age(asOf: asOf, in: .week)) })
        let spend = summaries.compactMap { s in s.meanRepeatSpend.flatMap { $0 > 0 ? (Double(s.frequency), $0, 1.0) : nil } }
        return (inputs, spend, summaries)
    }()

    func sig3(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 0.0005 * abs(b) + 1e-12 || String(format: "%.3g", a) == String(format: "%.3g", b)
    }

    @Test func calibrationCountsMatchThePaper() {
        #expect(Self.data.summaries.count == 2357)
        #expect(Self.data.summaries.reduce(0) { $0 + $1.frequency } == 2457)
        #expect(Self.data.summaries.filter { $0.frequency > 0 }.count == 946)
    }

    @Test func bgnbdReproducesPublishedFit() {
        let (m, d) = ModelFitter.fitBGNBD(Self.data.inputs, threads: 2)
        #expect(sig3(m.r, 0.243) && sig3(m.alpha, 4.414) && sig3(m.a, 0.793) && sig3(m.b, 2.426), "\(m)")
        #expect(abs(d.logLikelihood - -9582.4) < 0.5, "\(d.logLikelihood)")
        #expect(d.converged)
    }

    @Test func paretoNBDReproducesPublishedFit() {
        let (m, d) = ModelFitter.fitParetoNBD(Self.data.inputs, threads: 2)
        #expect(sig3(m.r, 0.553) && sig3(m.alpha, 10.578) && sig3(m.s, 0.606) && sig3(m.beta, 11.669), "\(m)")
        #expect(abs(d.logLikelihood - -9595.0) < 0.5, "\(d.logLikelihood)")
    }

    @Test func gammaGammaReproducesPublishedFit() {
        let (m, _) = ModelFitter.fitGammaGamma(Self.data.spend, threads: 2)
        #expect(Self.data.spend.count == 946)
        #expect(sig3(m.p, 6.25) && sig3(m.q, 3.74) && sig3(m.gamma, 15.44), "\(m)")
    }

    @Test func publishedIndividualChecks() {
        let bg = BGNBDModel(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        #expect(abs(bg.conditionalExpectedPurchases(t: 39, x: 2, tx: 30.43, T: 38.86) - 1.226) < 0.001)
        let gg = GammaGammaModel(p: 6.25, q: 3.74, gamma: 15.44)
        #expect(abs(gg.expectedSpend(x: 2, meanSpend: 22.35) - 24.66) < 0.01)
        // The published 35.17 comes from the unrounded fit.
        let (fitted, _) = ModelFitter.fitGammaGamma(Self.data.spend, threads: 2)
        #expect(abs(fitted.populationMean - 35.17) < 0.01, "\(fitted.populationMean)")
    }
}
