import Foundation

/// The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie,
/// "A Note on Deriving the Pareto/NBD Model and Related Expressions" (note 009, 2005).
///
/// While active, purchases are Poisson with λ ~ Gamma(r, α); the lifetime is exponential with
/// μ ~ Gamma(s, β).
public struct ParetoNBDModel: Sendable, Hashable, Codable {
    public var r: Double
    public var alpha: Double
    public var s: Double
    public var beta: Double

    public init(r: Double, alpha: Double, s: Double, beta: Double) {
        self.r = r
        self.alpha = alpha
        self.s = s
        self.beta = beta
    }

    /// ln A₀ of note 009 (eq. 19 for α ≥ β, eq. 20 for α < β), the term for "dropped out
    /// between tₓ and T", as a difference of two ₂F₁ terms evaluated in log space.
    func logA0(x: Double, tx: Double, T: Double) -> Double {
        if usesQuadrature(tx: tx) { return logA0ByQuadrature(x: x, tx: tx, T: T).value }
        return Special.logDiffExp(logA0Term(x: x, t: tx), logA0Term(x: x, t: T))
    }

    /// One of A₀'s two terms: ln[₂F₁(a, b; a+1; |α−β|/(max(α,β)+t)) / (max(α,β)+t)^a], a = r+s+x,
    /// b = s+1 when α ≥ β, else r+x.
    @inline(__always)
    func logA0Term(x: Double, t: Double) -> Double {
        let a = r + s + x
        let (maxAB, minAB, b) = alpha >= beta ? (alpha, beta, s + 1) : (beta, alpha, r + x)
        guard let f = Special.logHypergeometricPareto(a: a, b: b, z: (maxAB - minAB) / (maxAB + t)) else { return -.infinity }
        return f - a * log(maxAB + t)
    }

    /// Individual log-likelihood (note 009, eq. 22):
    /// L = Γ(r+x)αʳβˢ/Γ(r) · [1/((α+T)^(r+x)(β+T)ˢ) + s/(r+s+x) · A₀].
    public func logLikelihood(x: Double, tx: Double, T: Double) -> Double {
        let head = Special.logGamma(r + x) - Special.logGamma(r) + r * log(alpha) + s * log(beta)
        let alive = -(r + x) * log(alpha + T) - s * log(beta + T)
        let dropped = log(s / (r + s + x)) + logA0(x: x, tx: tx, T: T)
        return head + Special.logAddExp(alive, dropped)
    }

    /// Sum of weighted log-likelihoods, for inputs sorted by (x, tₓ, T).
    public func logLikelihood<C: Collection<ModelInput>>(_ data: C) -> Double {
        logLikelihoodAndGradient(data).value
    }

    /// P(alive | x, tₓ, T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)ˢ A₀) (note 009, eq. 24).
    public func probabilityAlive(x: Double, tx: Double, T: Double) -> Double {
        let logRatio = log(s / (r + s + x)) + (r + x) * log(alpha + T) + s * log(beta + T) + logA0(x: x, tx: tx, T: T)
        return 1 / (1 + exp(logRatio))
    }

    /// E[Y(t) | x, tₓ, T] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive)
    /// (note 009, eq. 25), with the s → 1 limit handled.
    public func conditionalExpectedPurchases(t: Double, x: Double, tx: Double, T: Double) -> Double {
        guard t > 0 else { return 0 }
        let bracket = Special.oneMinusPowerOverK(k: s - 1, logY: log((beta + T) / (beta + T + t)))
        return (r + x) * (beta + T) / (alpha + T) * bracket * probabilityAlive(x: x, tx: tx, T: T)
    }

    /// P(no purchase in the next t | x, tₓ, T) = 1 − P(alive) · (1 − E[e^(−λt) | alive]), with
    /// λ | alive ~ Gamma(r+x, α+T) and the lifetime continuing past t with probability
    /// ((β+T)/(β+T+t))ˢ; a customer who drops out before buying again is silent too.
    public func probabilityNoPurchase(t: Double, x: Double, tx: Double, T: Double) -> Double {
        let alive = probabilityAlive(x: x, tx: tx, T: T)
        // P(some purchase in (T, T+t] | alive) = ∫ P(purchase before min(lifetime, t)).
        // With λ and μ independent given the history: 1 − E[exp(−λ·min(τ, t))]; using the
        // Gamma posteriors, E over λ of exp(−λu) = ((α+T)/(α+T+u))^(r+x).
        let buy = probabilityOfPurchaseWhileAlive(t: t, x: x, T: T)
        return min(1, max(0, 1 - alive * buy))
    }

    /// P(at least one purchase in (T, T+t] | alive at T), integrating over the remaining
    /// lifetime τ ~ Exp(μ), μ ~ Gamma(s, β+T), by 64-point Gauss–Legendre on [0, t].
    func probabilityOfPurchaseWhileAlive(t: Double, x: Double, T: Double) -> Double {
        let k = r + x
        let aT = alpha + T, bT = beta + T
        // P(no purchase) = P(τ ≥ t)·S(t) + ∫₀ᵗ f_τ(u) S(u) du, S(u) = (aT/(aT+u))^k,
        // P(τ ≥ u) = (bT/(bT+u))^s, f_τ(u) = s/(bT+u) · (bT/(bT+u))^s.
        func S(_ u: Double) -> Double { exp(k * log(aT / (aT + u))) }
        func survive(_ u: Double) -> Double { exp(s * log(bT / (bT + u))) }
        var integral = 0.0
        for (node, weight) in GaussLegendre.nodes64 {
            let u = 0.5 * t * (node + 1)
            integral += weight * (s / (bT + u)) * survive(u) * S(u)
        }
        integral *= 0.5 * t
        let noPurchase = survive(t) * S(t) + integral
        return min(1, max(0, 1 - noPurchase))
    }
}
