import Foundation

/// Expected spend per future purchase day for each account: never an account's raw mean alone
/// (ARCHITECTURE.md §5, "Spend").
///
/// - When the Gamma-Gamma fit is usable, its posterior mean E(M | x, m̄) = (γ + m̄x)p/(px + q − 1):
///   a weighted mean of the account's own m̄ and the population mean, the weight on m̄ growing
///   with x (Fader & Hardie, note 025).
/// - Otherwise (q ≤ 1, too few repeat buyers) a log-normal credibility estimate, an empirical-
///   Bayes estimate of the same kind: yᵢ = ln m̄ᵢ is taken as θᵢ + εᵢ with θᵢ ~ N(μ, τ²) across
///   accounts and Var(εᵢ) = σ²/xᵢ. μ is the mean of yᵢ; τ² and σ² are the intercept and slope of
///   the least-squares line of (yᵢ − μ)² on 1/xᵢ (method of moments, each clamped at ≥ 0, τ²
///   at least 1 % of the spread of yᵢ). The account's θ is estimated by μ + Zᵢ(yᵢ − μ) with
///   Zᵢ = τ²/(τ² + σ²/xᵢ), and its spend by exp(θ̂ᵢ + Vᵢ/2), Vᵢ = Zᵢσ²/xᵢ the posterior variance.
/// - Accounts without a repeat purchase or with a non-positive mean get the population mean.
public struct SpendEstimate: Sendable {
    public enum Source: String, Sendable { case gammaGamma = "gamma_gamma", credibility, population }

    public enum Kind: Sendable {
        case gammaGamma(GammaGammaModel)
        case logCredibility(mu: Double, tau2: Double, sigma2: Double)
    }

    public var kind: Kind
    public var populationMean: Double

    public init(gammaGamma: GammaGammaModel, fit: FitDiagnostics, repeatBuyers: [(x: Double, m: Double, weight: Double)]) {
        if fit.isUsable {
            self.init(kind: .gammaGamma(gammaGamma))
            return
        }
        let (mu, tau2, sigma2) = Self.moments(repeatBuyers)
        self.init(kind: .logCredibility(mu: mu, tau2: tau2, sigma2: sigma2))
        // Without a repeat buyer there is nothing to take a population mean from.
        if repeatBuyers.isEmpty { populationMean = 0 }
    }

    /// The estimate for a given model, with its population mean: pγ/(q−1), or e^(μ+τ²/2).
    init(kind: Kind) {
        self.kind = kind
        switch kind {
        case .gammaGamma(let gg): populationMean = gg.populationMean
        case .logCredibility(let mu, let tau2, _): populationMean = exp(mu + tau2 / 2)
        }
    }

    /// μ, τ², σ² of the log-normal credibility model, by the method of moments above.
    static func moments(_ rows: [(x: Double, m: Double, weight: Double)]) -> (Double, Double, Double) {
        guard !rows.isEmpty else { return (0, 0, 0) }
        let w = rows.reduce(0) { $0 + $1.weight }
        let mu = rows.reduce(0) { $0 + $1.weight * log($1.m) } / w
        // Least squares of d = (y − μ)² on u = 1/x.
        var su = 0.0, sd = 0.0, suu = 0.0, sud = 0.0
        for r in rows {
            let u = 1 / r.x, d = (log(r.m) - mu) * (log(r.m) - mu)
            su += r.weight * u
            sd += r.weight * d
            suu += r.weight * u * u
            sud += r.weight * u * d
        }
        let meanU = su / w, meanD = sd / w
        let varU = suu / w - meanU * meanU
        var slope = varU > 1e-12 ? (sud / w - meanU * meanD) / varU : 0
        slope = max(0, slope)
        let tau2 = max(0.01 * meanD, meanD - slope * meanU)
        return (mu, tau2, slope)
    }

    /// E(spend per purchase day) for an account with `x` repeat days of mean net spend `m`.
    public func expected(x: Double, meanSpend m: Double) -> (value: Double, source: Source) {
        guard x > 0, m > 0 else { return (populationMean, .population) }
        switch kind {
        case .gammaGamma(let gg): return (gg.expectedSpend(x: x, meanSpend: m), .gammaGamma)
        case .logCredibility(let mu, let tau2, let sigma2):
            let (theta, variance) = Self.posterior(mu: mu, tau2: tau2, sigma2: sigma2, x: x, m: m)
            return (exp(theta + variance / 2), .credibility)
        }
    }

    /// Posterior mean and variance of θ = ln(mean spend) under the credibility model.
    static func posterior(mu: Double, tau2: Double, sigma2: Double, x: Double, m: Double) -> (Double, Double) {
        let noise = sigma2 / x
        let z = tau2 + noise > 0 ? tau2 / (tau2 + noise) : 1
        return (mu + z * (log(m) - mu), z * noise)
    }

    /// The policy in words, for the manifest.
    public var description: String {
        switch kind {
        case .gammaGamma(let gg):
            return String(format: "Gamma-Gamma posterior mean E(M|x, m̄) = (γ + m̄x)p/(px + q − 1), which weighs each repeat buyer's mean net repeat-day spend against the population mean %.2f (p = %.4f, q = %.4f)", populationMean, gg.p, gg.q)
        case .logCredibility(let mu, let tau2, let sigma2):
            return String(format: "log-normal credibility (empirical Bayes; the Gamma-Gamma fit is not usable): ln m̄ shrunk towards μ = %.4f with weight τ²/(τ² + σ²/x), τ² = %.4f, σ² = %.4f; population mean %.2f", mu, tau2, sigma2, populationMean)
        }
    }
}
