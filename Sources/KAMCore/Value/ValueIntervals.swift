import Foundation

/// 80 % intervals for each account's CLV and expected purchases (ARCHITECTURE.md §5,
/// "Intervals"), from posterior-predictive draws that carry both sources of uncertainty:
///
/// 1. the parameters: `parameterSets` draws of the chosen purchase model's log-parameters (and
///    Gamma-Gamma's, when that fit is used) from the normal approximation N(θ̂, Σ), Σ the inverse
///    observed information, clamped into the fit's box; shared by all accounts;
/// 2. the purchase process: for each parameter set, `drawsPerSet` futures of the account given
///    its history: alive or not with P(alive | x, tₓ, T); if alive, its purchase rate
///    λ ~ Gamma(r+x, α+T) and its dropout (BG/NBD: p ~ Beta(a, b+x), a purchase count capped by
///    a geometric number of purchases before dropping out; Pareto/NBD: μ ~ Gamma(s, β+T), a
///    lifetime τ ~ Exp(μ)); purchases Poisson in the horizon; each purchase's spend from the
///    spend model's posterior; each purchase discounted continuously at the monthly rate.
///
/// Each account's draws come from its own generator, seeded by a stable hash of its ID, so the
/// intervals are the same whatever the thread count. The 10th and 90th percentiles of the draws
/// (linear interpolation) bound the interval. The point CLV is a mean; for an account that is
/// probably gone, most draws are 0 and the mean can lie above the 90th percentile.
public struct ValueIntervals: Sendable {
    public struct Interval: Sendable, Hashable {
        public var clvLow: Double, clvHigh: Double
        public var purchasesLow: Double, purchasesHigh: Double
    }

    static let parameterSets = 20
    let drawsPerSet: Int
    let purchaseSets: [PurchaseModel]
    let spendSets: [SpendEstimate]
    let horizon: Double
    let churnHorizon: Double
    /// Continuous discount rate per model time unit: ln(1 + monthly rate) / month length.
    let discountPerUnit: Double
    /// A note for the manifest when the parameters could not be drawn.
    let parameterNote: String

    init(
        model: PurchaseModel, fit: FitDiagnostics, spend: SpendEstimate, spendFit: FitDiagnostics, horizon: Double, churnHorizon: Double,
        monthInUnit: Double, monthlyDiscountRate: Double, draws: Int
    ) {
        self.drawsPerSet = max(1, draws / Self.parameterSets)
        self.horizon = horizon
        self.churnHorizon = churnHorizon
        self.discountPerUnit = log(1 + monthlyDiscountRate) / monthInUnit
        var rng = RandomSource(seed: 0x6B61_6D21)
        let purchaseDraws = Self.draw(model.parameters, fit: fit, count: Self.parameterSets, rng: &rng)
        purchaseSets = purchaseDraws.sets.map { model.with(parameters: $0) }
        switch spend.kind {
        case .gammaGamma(let gg):
            let ggDraws = Self.draw([gg.p, gg.q, gg.gamma], fit: spendFit, count: Self.parameterSets, rng: &rng)
            spendSets = ggDraws.sets.map { p in
                // A draw with q ≤ 1 has no finite mean spend: keep the fitted model for it.
                p[1] > 1 ? SpendEstimate(kind: .gammaGamma(GammaGammaModel(p: p[0], q: p[1], gamma: p[2]))) : spend
            }
        case .logCredibility:
            spendSets = Array(repeating: spend, count: Self.parameterSets)
        }
        parameterNote = purchaseDraws.note
    }

    /// `count` draws of a fit's parameters from N(θ̂, Σ) in log space, clamped into its box;
    /// the fitted values repeated when Σ is not available (a flat likelihood).
    static func draw(_ fitted: [Double], fit: FitDiagnostics, count: Int, rng: inout RandomSource) -> (sets: [[Double]], note: String) {
        guard let covariance = fit.covariance, let l = Cholesky.factor(covariance), fit.lowerBounds.count == fitted.count else {
            return (Array(repeating: fitted, count: count), "parameter uncertainty left out: the fit's information matrix is not positive definite")
        }
        let n = fitted.count
        let sets = (0..<count).map { _ -> [Double] in
            let z = (0..<n).map { _ in rng.normal() }
            return (0..<n).map { i in
                let shift = (0...i).reduce(0.0) { $0 + l[i][$1] * z[$1] }
                return min(fit.upperBounds[i], max(fit.lowerBounds[i], exp(log(fitted[i]) + shift)))
            }
        }
        return (sets, "parameters drawn from the normal approximation to the likelihood (inverse observed information)")
    }

    /// The account's interval. `margin` multiplies spend as in the point CLV.
    func interval(accountId: String, x: Double, tx: Double, T: Double, meanSpend m: Double, margin: Double) -> Interval {
        var hash = StableHash()
        hash.add(accountId)
        var rng = RandomSource(seed: hash.value)
        var clvDraws: [Double] = []
        var purchaseDraws: [Double] = []
        clvDraws.reserveCapacity(Self.parameterSets * drawsPerSet)
        purchaseDraws.reserveCapacity(Self.parameterSets * drawsPerSet)
        for k in 0..<Self.parameterSets {
            let model = purchaseSets[k], spend = spendSets[k]
            let alive = model.pAlive(x: x, tx: tx, T: T)
            for _ in 0..<drawsPerSet {
                guard rng.uniform() < alive else {
                    clvDraws.append(0)
                    purchaseDraws.append(0)
                    continue
                }
                let future = model.future(x: x, T: T, horizon: horizon, churnHorizon: churnHorizon, rng: &rng)
                purchaseDraws.append(Double(future.inChurnHorizon))
                guard future.purchases > 0 else {
                    clvDraws.append(0)
                    continue
                }
                let total = spend.drawTotal(purchases: future.purchases, x: x, meanSpend: m, rng: &rng)
                clvDraws.append(margin * total * meanDiscount(over: future.span))
            }
        }
        return Interval(
            clvLow: Self.quantile(&clvDraws, 0.1), clvHigh: Self.quantile(&clvDraws, 0.9),
            purchasesLow: Self.quantile(&purchaseDraws, 0.1), purchasesHigh: Self.quantile(&purchaseDraws, 0.9))
    }

    /// Mean of e^(−κu) for u uniform on [0, L]: purchases spread evenly over the span.
    func meanDiscount(over span: Double) -> Double {
        let k = discountPerUnit * span
        return k < 1e-9 ? 1 : -expm1(-k) / k
    }

    /// The q-quantile by linear interpolation between order statistics (sorts `values`).
    static func quantile(_ values: inout [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        values.sort()
        let position = q * Double(values.count - 1)
        let lo = Int(position.rounded(.down)), hi = min(values.count - 1, lo + 1)
        return values[lo] + (values[hi] - values[lo]) * (position - Double(lo))
    }
}

extension PurchaseModel {
    var parameters: [Double] {
        switch self {
        case .bgnbd(let m): return [m.r, m.alpha, m.a, m.b]
        case .paretoNBD(let m): return [m.r, m.alpha, m.s, m.beta]
        }
    }

    func with(parameters p: [Double]) -> PurchaseModel {
        switch self {
        case .bgnbd: return .bgnbd(BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3]))
        case .paretoNBD: return .paretoNBD(ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3]))
        }
    }

    /// One future of an account alive at T: purchases in the horizon and in the churn horizon,
    /// and the span over which the horizon's purchases fall.
    func future(x: Double, T: Double, horizon: Double, churnHorizon: Double, rng: inout RandomSource)
        -> (purchases: Int, inChurnHorizon: Int, span: Double)
    {
        switch self {
        case .bgnbd(let m):
            let lambda = rng.gamma(shape: m.r + x) / (m.alpha + T)
            let p = rng.beta(m.a, m.b + x)
            // Purchases until (and including) the one after which the account drops out: a
            // geometric draw, capped (a dropout probability near 0 makes it unbounded).
            let geometric = log(rng.uniform()) / log1p(-min(p, 1 - 1e-12))
            let untilDropout = 1 + Int(geometric.isFinite ? min(Self.countCap, geometric.rounded(.down)) : Self.countCap)
            let n = Self.poisson(lambda * horizon, &rng)
            let purchases = min(n, untilDropout)
            let inChurn = min(Self.poisson(lambda * churnHorizon, &rng), untilDropout)
            return (purchases, inChurn, n > 0 ? horizon * Double(purchases) / Double(n) : 0)
        case .paretoNBD(let m):
            let lambda = rng.gamma(shape: m.r + x) / (m.alpha + T)
            let mu = rng.gamma(shape: m.s) / (m.beta + T)
            let lifetime = rng.exponential(rate: max(mu, 1e-300))
            let span = min(lifetime, horizon)
            return (Self.poisson(lambda * span, &rng), Self.poisson(lambda * min(lifetime, churnHorizon), &rng), span)
        }
    }

    /// No draw counts more purchase days than this (the parameters' box keeps real draws far
    /// below it); it keeps the conversions to Int defined whatever the draw.
    static let countCap = 1e9

    /// A Poisson draw whose mean is first made finite and capped.
    static func poisson(_ mean: Double, _ rng: inout RandomSource) -> Int {
        rng.poisson(mean.isFinite ? min(countCap, max(0, mean)) : countCap)
    }
}

extension SpendEstimate {
    /// Net spend of `purchases` future purchase days, drawn from the spend model's posterior for
    /// an account with `x` repeat days of mean `m` (the population when x = 0 or m ≤ 0).
    func drawTotal(purchases: Int, x: Double, meanSpend m: Double, rng: inout RandomSource) -> Double {
        let y = Double(purchases)
        switch kind {
        case .gammaGamma(let gg):
            // ν | x, m̄ ~ Gamma(q + px, γ + m̄x); the sum of y spends ~ Gamma(py, ν).
            let known = x > 0 && m > 0
            let nu = rng.gamma(shape: gg.q + (known ? gg.p * x : 0)) / (gg.gamma + (known ? m * x : 0))
            return rng.gamma(shape: gg.p * y) / nu
        case .logCredibility(let mu, let tau2, let sigma2):
            let (theta, variance) = x > 0 && m > 0 ? Self.posterior(mu: mu, tau2: tau2, sigma2: sigma2, x: x, m: m) : (mu, tau2)
            let level = theta + sqrt(variance) * rng.normal()
            // The mean of y purchases varies around e^θ with log-variance σ²/y.
            let noise = sigma2 / y
            return y * exp(level + sqrt(noise) * rng.normal() - noise / 2)
        }
    }
}
