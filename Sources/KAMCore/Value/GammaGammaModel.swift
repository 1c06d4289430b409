import Foundation

/// The Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value
/// Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie, "The Gamma-Gamma Model of
/// Monetary Value" (note 025, 2013).
///
/// Spend per transaction ~ Gamma(p, ν), ν ~ Gamma(q, γ); fitted on repeat purchasers' mean
/// spend m̄ over x transactions.
public struct GammaGammaModel: Sendable, Hashable, Codable {
    public var p: Double
    public var q: Double
    public var gamma: Double

    public init(p: Double, q: Double, gamma: Double) {
        self.p = p
        self.q = q
        self.gamma = gamma
    }

    /// Individual log-likelihood of (x, m̄) (note 025, eq. 4):
    /// Γ(px+q)/(Γ(px)Γ(q)) · γ^q · m̄^(px−1) · x^(px) / (γ + m̄x)^(px+q).
    public func logLikelihood(x: Double, meanSpend m: Double) -> Double {
        let px = p * x
        return Special.logGamma(px + q) - Special.logGamma(px) - Special.logGamma(q) + q * log(gamma)
            + (px - 1) * log(m) + px * log(x) - (px + q) * log(gamma + m * x)
    }

    public func logLikelihood(_ data: [(x: Double, m: Double, weight: Double)]) -> Double {
        var total = 0.0
        for d in data { total += d.weight * logLikelihood(x: d.x, meanSpend: d.m) }
        return total
    }

    /// E(M | x, m̄) = (γ + m̄x)p / (px + q − 1) (note 025, eq. 5); the population mean pγ/(q−1)
    /// when x = 0.
    public func expectedSpend(x: Double, meanSpend m: Double) -> Double {
        guard x > 0 else { return populationMean }
        return (gamma + m * x) * p / (p * x + q - 1)
    }

    /// E(M) = pγ/(q − 1); infinite mean (q ≤ 1) is reported as nil by the fit.
    public var populationMean: Double { p * gamma / (q - 1) }
}
