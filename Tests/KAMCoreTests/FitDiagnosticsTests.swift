import Foundation
import Testing

@testable import KAMCore

/// The fits' analytic gradients, the quadrature path of Pareto/NBD, and the honesty of the fit
/// status (issue 21, point 1).
@Suite struct FitDiagnosticsTests {
    static let bgData = ModelInput.collapse(
        Simulation.bgnbd(accounts: 3000, r: 0.6, alpha: 3, a: 0.9, b: 3, T: 80, spread: true, seed: 4).map { (x: $0.x, tx: ($0.tx * 7).rounded() / 7, T: ($0.T * 7).rounded() / 7) })

    /// Relative difference of an analytic gradient from central differences of the value.
    static func check(_ params: [Double], tolerance: Double = 1e-6, _ f: ([Double]) -> (value: Double, gradient: SIMD4<Double>)) {
        let (_, g) = f(params)
        for i in params.indices {
            let h = 1e-6 * params[i]
            var up = params, down = params
            up[i] += h
            down[i] -= h
            let numeric = (f(up).value - f(down).value) / (2 * h)
            let scale = max(1, abs(numeric))
            #expect(abs(g[i] - numeric) / scale < tolerance, "parameter \(i) of \(params): analytic \(g[i]), numeric \(numeric)")
        }
    }

    @Test func bgnbdGradientMatchesFiniteDifferences() {
        Self.check([0.5, 2.5, 0.8, 2.6]) { p in BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3]).logLikelihoodAndGradient(Self.bgData) }
    }

    @Test(arguments: [
        [0.55, 10.5, 0.6, 11.7],  // α < β, series
        [0.55, 12.5, 0.6, 8.2],  // α > β, series
        [1.1, 0.8, 60.0, 9000.0],  // β ≫ α: quadrature
        [0.9, 400.0, 0.4, 2.0],  // α ≫ β: quadrature on the other branch
    ])
    func paretoGradientMatchesFiniteDifferences(params: [Double]) {
        Self.check(params, tolerance: 1e-5) { p in
            ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3]).logLikelihoodAndGradient(Self.bgData)
        }
    }

    @Test func gammaGammaGradientMatchesFiniteDifferences() {
        let sim = Simulation.gammaGamma(frequencies: (0..<2000).map { Double(1 + $0 % 9) }, p: 6, q: 4, gamma: 15, seed: 8)
        let rows = sim.map { ModelFitter.GGRow(x: $0.x, m: $0.m, weight: 1) }.sorted { ($0.x, $0.m) < ($1.x, $1.m) }
        Self.check([5.5, 3.8, 16]) { p in GammaGammaModel(p: p[0], q: p[1], gamma: p[2]).logLikelihoodAndGradient(rows) }
    }

    @Test func choleskyInvertsSolvesAndRefuses() {
        let a: [[Double]] = [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]]
        let inverse = try! #require(Cholesky.inverse(a))
        for i in 0..<3 {
            for j in 0..<3 {
                let product = (0..<3).reduce(0.0) { $0 + a[i][$1] * inverse[$1][j] }
                #expect(abs(product - (i == j ? 1 : 0)) < 1e-12)
            }
        }
        let x = try! #require(Cholesky.solve(a, [1, 2, 3]))
        for i in 0..<3 { #expect(abs((0..<3).reduce(0.0) { $0 + a[i][$1] * x[$1] } - Double(i + 1)) < 1e-12) }
        #expect(Cholesky.inverse([[1, 2], [2, 1]]) == nil)  // indefinite
        // A held parameter's zero row and column stay zero in the factor.
        let l = try! #require(Cholesky.factor([[4, 0, 2], [0, 0, 0], [2, 0, 5]]))
        #expect(l[1] == [0, 0, 0] && l[0][0] == 2 && l[2][0] == 1 && l[2][2] == 2)
    }

    @Test func digammaMatchesKnownValues() {
        // ψ(1) = −γ (Euler–Mascheroni), ψ(1/2) = −γ − 2 ln 2, ψ(10) = H₉ − γ.
        let euler = 0.57721566490153286
        #expect(abs(Special.digamma(1) + euler) < 1e-12)
        #expect(abs(Special.digamma(0.5) + euler + 2 * log(2.0)) < 1e-12)
        let h9 = (1...9).reduce(0.0) { $0 + 1 / Double($1) }
        #expect(abs(Special.digamma(10) - (h9 - euler)) < 1e-12)
    }

    /// Where both converge (0.9 < z ≤ 0.99), the quadrature and note 009's series agree to 1e-7
    /// relative in ln A₀ (the two-panel rule's accuracy; mpmath gives the series' digits).
    @Test func quadratureAgreesWithTheSeries() {
        for (alpha, beta) in [(1.0, 30.0), (2.0, 60.0), (50.0, 1.5)] {
            let m = ParetoNBDModel(r: 0.8, alpha: alpha, s: 1.7, beta: beta)
            for (x, tx, T) in [(0.0, 0.0, 40.0), (3.0, 2.0, 52.0), (40.0, 1.5, 120.0), (1.0, 0.5, 3.0)] {
                #expect(m.usesQuadrature(tx: tx))
                let series = Special.logDiffExp(m.logA0Term(x: x, t: tx), m.logA0Term(x: x, t: T))
                let quadrature = m.logA0ByQuadrature(x: x, tx: tx, T: T).value
                #expect(abs(series - quadrature) < 1e-7 * max(1, abs(series)), "α=\(alpha) β=\(beta) x=\(x) tx=\(tx) T=\(T): \(series) vs \(quadrature)")
            }
        }
    }

    /// A population whose dropout rate is nearly the same for all (issue 21's Zoho-style export):
    /// s and β run off together along a ridge. The fit must say so, with the evidence.
    @Test func aRidgeIsReportedNotCalledConverged() {
        let sim = Simulation.paretoNBD(accounts: 1126, r: 1.1, alpha: 0.8, s: 317.9, beta: 38_983, T: 260, spread: true, seed: 21)
        let (_, fit) = ModelFitter.fitParetoNBD(ModelInput.collapse(sim), threads: 2)
        #expect(fit.status != "converged", "\(fit.evidence)")
        #expect(fit.weaklyIdentified.contains("s") || fit.parametersAtBound.contains("s"), "\(fit.evidence)")
        #expect(fit.evidence.contains("s"))
    }

    /// On data from known parameters the fit is identified, and the truth lies within three
    /// standard errors of each estimate.
    @Test func standardErrorsCoverTheTruth() {
        let truth = [0.6, 3.0, 0.9, 3.0]
        let (m, fit) = ModelFitter.fitBGNBD(Self.bgData, threads: 2)
        #expect(fit.status == "converged", "\(fit.evidence)")
        let estimate = [m.r, m.alpha, m.a, m.b]
        for i in 0..<4 {
            let se = try! #require(fit.standardErrors[i])
            #expect(se > 0 && se < FitDiagnostics.weakIdentificationSE)
            #expect(abs(log(estimate[i]) - log(truth[i])) < 3 * se, "\(fit.names[i]): \(estimate[i]) ± \(se) in log vs \(truth[i])")
        }
    }
}
