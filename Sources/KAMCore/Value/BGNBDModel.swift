import Foundation

/// The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
/// Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275–284.
///
/// While active, a customer buys at Poisson rate λ ~ Gamma(r, α); after each purchase she drops
/// out with probability p ~ Beta(a, b). Times are in the fitted data's unit.
public struct BGNBDModel: Sendable, Hashable, Codable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    /// Individual log-likelihood, eq. 6 in log space:
    /// L = B(a, b+x)/B(a, b) · Γ(r+x)αʳ/(Γ(r)(α+T)^(r+x)) + 1{x>0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x)αʳ/(Γ(r)(α+tₓ)^(r+x)).
    public func logLikelihood(x: Double, tx: Double, T: Double) -> Double {
        let common = Special.logGamma(r + x) - Special.logGamma(r) + r * log(alpha) - Special.logBeta(a, b)
        let alive = Special.logBeta(a, b + x) - (r + x) * log(alpha + T)
        guard x > 0 else { return common + alive }
        let dropped = Special.logBeta(a + 1, b + x - 1) - (r + x) * log(alpha + tx)
        return common + Special.logAddExp(alive, dropped)
    }

    /// Sum of weighted log-likelihoods, with the terms that depend only on x computed once per
    /// distinct x.
    public func logLikelihood(_ data: [ModelInput]) -> Double {
        let lr = Special.logGamma(r), la = log(alpha), lbab = Special.logBeta(a, b)
        var cache: [Double: (Double, Double)] = [:]
        var total = 0.0
        for d in data {
            let terms: (Double, Double)
            if let c = cache[d.x] {
                terms = c
            } else {
                let common = Special.logGamma(r + d.x) - lr + r * la - lbab
                terms = (common + Special.logBeta(a, b + d.x), d.x > 0 ? common + Special.logBeta(a + 1, b + d.x - 1) : -.infinity)
                cache[d.x] = terms
            }
            let alive = terms.0 - (r + d.x) * log(alpha + d.T)
            let ll = d.x > 0 ? Special.logAddExp(alive, terms.1 - (r + d.x) * log(alpha + d.tx)) : alive
            total += d.weight * ll
        }
        return total
    }

    /// P(alive | x, tₓ, T) (Fader & Hardie note 021); 1 when x = 0 (the model lets customers
    /// drop out only right after a purchase).
    public func probabilityAlive(x: Double, tx: Double, T: Double) -> Double {
        guard x > 0 else { return 1 }
        let logOdds = log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + tx))
        return 1 / (1 + exp(logOdds))
    }

    /// E[X(t)], purchases expected in (0, t] by a new customer (eq. 7):
    /// (a+b−1)/(a−1) · [1 − (α/(α+t))ʳ ₂F₁(r, b; a+b−1; t/(α+t))].
    public func expectedPurchases(t: Double) -> Double {
        let z = t / (alpha + t)
        // Euler: ₂F₁(r, b; c; z) = (1−z)^(c−r−b) ₂F₁(c−r, c−b; c; z), c = a+b−1, and 1−z = α/(α+t).
        let c = a + b - 1
        guard let g = Special.logHypergeometric2F1(c - r, a - 1, c, z) else { return .nan }
        let logPart = (a - 1) * log(alpha / (alpha + t))
        return (a + b - 1) / (a - 1) * (-expm1(logPart + g))
    }

    /// E[Y(t) | x, tₓ, T], purchases expected in the next t (eq. 10). The ₂F₁ is rewritten
    /// with Euler's transformation so that its parameters no longer grow with x.
    public func conditionalExpectedPurchases(t: Double, x: Double, tx: Double, T: Double) -> Double {
        guard t > 0 else { return 0 }
        let z = t / (alpha + T + t)
        let c = a + b + x - 1
        guard let g = Special.logHypergeometric2F1(a + b - 1 - r, a - 1, c, z) else { return 0 }
        let logPart = (a - 1) * log((alpha + T) / (alpha + T + t))
        let numerator = (a + b + x - 1) / (a - 1) * (-expm1(logPart + g))
        let denominator = x > 0 ? 1 + exp(log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + tx))) : 1
        return max(0, numerator / denominator)
    }

    /// P(no purchase in the next t | x, tₓ, T) = 1 − P(alive)·(1 − ((α+T)/(α+T+t))^(r+x)).
    public func probabilityNoPurchase(t: Double, x: Double, tx: Double, T: Double) -> Double {
        let alive = probabilityAlive(x: x, tx: tx, T: T)
        let silentIfAlive = exp((r + x) * log((alpha + T) / (alpha + T + t)))
        return min(1, max(0, 1 - alive * (1 - silentIfAlive)))
    }
}
