import Foundation

/// Draws repeat-purchase summaries from known model parameters, for parameter-recovery tests
/// and benchmarks. Deterministic for a seed.
public enum Simulation {
    /// BG/NBD: λ ~ Gamma(r, rate α), p ~ Beta(a, b); purchases are Poisson(λ) after the first at
    /// time 0, and after each repeat purchase the customer drops out with probability p. Each
    /// customer is observed for `T` units (or a uniform draw in `T`'s range when `spread`).
    public static func bgnbd(
        accounts: Int, r: Double, alpha: Double, a: Double, b: Double, T: Double, spread: Bool = false, seed: UInt64
    ) -> [(x: Double, tx: Double, T: Double)] {
        var rng = RandomSource(seed: seed)
        var out: [(x: Double, tx: Double, T: Double)] = []
        out.reserveCapacity(accounts)
        for _ in 0..<accounts {
            let age = spread ? T * (0.25 + 0.75 * rng.uniform()) : T
            let lambda = rng.gamma(shape: r) / alpha
            let p = rng.beta(a, b)
            var t = 0.0, x = 0.0, tx = 0.0
            while true {
                t += rng.exponential(rate: max(lambda, 1e-12))
                if t > age { break }
                x += 1
                tx = t
                if rng.chance(p) { break }
            }
            out.append((x, tx, age))
        }
        return out
    }

    /// Pareto/NBD: λ ~ Gamma(r, rate α), lifetime ~ Exp(μ), μ ~ Gamma(s, rate β). Each customer
    /// is observed for `T` units (or a uniform draw in `T`'s range when `spread`).
    public static func paretoNBD(
        accounts: Int, r: Double, alpha: Double, s: Double, beta: Double, T: Double, spread: Bool = false, seed: UInt64
    ) -> [(x: Double, tx: Double, T: Double)] {
        var rng = RandomSource(seed: seed)
        return (0..<accounts).map { _ in
            let age = spread ? T * (0.25 + 0.75 * rng.uniform()) : T
            let lambda = rng.gamma(shape: r) / alpha
            let mu = rng.gamma(shape: s) / beta
            let life = min(age, rng.exponential(rate: max(mu, 1e-12)))
            var t = 0.0, x = 0.0, tx = 0.0
            while true {
                t += rng.exponential(rate: max(lambda, 1e-12))
                if t > life { break }
                x += 1
                tx = t
            }
            return (x, tx, age)
        }
    }

    /// Gamma-Gamma: ν ~ Gamma(q, rate γ), each transaction ~ Gamma(p, rate ν); returns the mean
    /// of `x` transactions for each repeat buyer (x > 0).
    public static func gammaGamma(frequencies: [Double], p: Double, q: Double, gamma: Double, seed: UInt64) -> [(x: Double, m: Double)] {
        var rng = RandomSource(seed: seed)
        var out: [(x: Double, m: Double)] = []
        for x in frequencies where x > 0 {
            let nu = rng.gamma(shape: q) / gamma
            var total = 0.0
            for _ in 0..<Int(x) { total += rng.gamma(shape: p) / nu }
            out.append((x, total / x))
        }
        return out
    }
}
