import CSVIO
import Foundation

/// How a maximum-likelihood fit went, for the manifest.
public struct FitDiagnostics: Sendable, Hashable {
    public var logLikelihood: Double
    public var converged: Bool
    public var iterations: Int
    /// Accounts in the fit and distinct summaries they collapsed to.
    public var accounts: Int
    public var distinct: Int
    public var starts: Int
    /// Parameters within 0.1 % (in log) of the search bounds.
    public var parametersAtBound: [String]
    /// Why the fit is not usable as is, if it is not.
    public var problem: String?

    public var isUsable: Bool { problem == nil }
}

/// Fits the three models by maximum likelihood: Nelder–Mead on log-parameters from several
/// starts, the best converged result kept.
///
/// Likelihood sums run over a fixed number of shards in a fixed order, so the fit (and every
/// output) is the same whatever the thread count.
public enum ModelFitter {
    static let logBounds: ClosedRange<Double> = log(1e-6)...log(1e6)
    static let shards = 8

    /// Runs `body` over fixed shards of `data` on up to `threads` threads; sums in shard order.
    static func shardedSum<T: Sendable>(_ data: [T], threads: Int, _ body: @escaping @Sendable (ArraySlice<T>) -> Double) -> Double {
        if data.count < 4096 { return body(data[...]) }
        let per = (data.count + shards - 1) / shards
        let parts = parallelMap(shards, threads: threads) { i -> Double in
            let lo = min(data.count, i * per), hi = min(data.count, lo + per)
            return body(data[lo..<hi])
        }
        return parts.reduce(0, +)
    }

    static func minimise(
        names: [String], starts: [[Double]], objective: ([Double]) -> Double
    ) -> (params: [Double], diagnostics: FitDiagnostics) {
        var best: OptimizerResult?
        var totalIterations = 0
        var startsRun = 0
        var agreeing = 0
        for start in starts {
            // Two converged starts that land on the same optimum settle it; more starts are
            // for likelihoods where they disagree.
            if agreeing >= 2 { break }
            startsRun += 1
            let logStart = start.map { log($0) }
            let clamp: ([Double]) -> [Double] = { $0.map { min(logBounds.upperBound, max(logBounds.lowerBound, $0)) } }
            let f: ([Double]) -> Double = { p in
                let c = clamp(p)
                // A penalty outside the bounds keeps the simplex inside them.
                let outside = zip(p, c).reduce(0.0) { $0 + abs($1.0 - $1.1) }
                return -objective(c.map { exp($0) }) + outside * 1e6
            }
            // BFGS to the optimum; when it does not converge (a ridge, a flat likelihood),
            // Nelder–Mead carries on from where it stopped, without gradients.
            let quasi = QuasiNewton().minimize(f, start: logStart)
            var result = quasi
            if !quasi.converged {
                let simplex = NelderMead().minimize(f, start: quasi.point, step: 0.2)
                if simplex.value <= quasi.value {
                    result = OptimizerResult(point: simplex.point, value: simplex.value, iterations: quasi.iterations + simplex.iterations, converged: simplex.converged)
                } else {
                    result.iterations += simplex.iterations
                }
            }
            totalIterations += result.iterations
            if let b = best, b.converged, result.converged, abs(b.value - result.value) <= 1e-7 * (1 + abs(b.value)),
                zip(b.point, result.point).allSatisfy({ abs($0 - $1) < 1e-2 })
            {
                agreeing = max(agreeing, 1) + 1
            } else if result.converged && best == nil {
                agreeing = 1
            }
            if best == nil || result.value < best!.value - 1e-9 || (!best!.converged && result.converged && result.value <= best!.value + 1e-6) {
                best = result
            }
        }
        let point = best!.point.map { min(logBounds.upperBound, max(logBounds.lowerBound, $0)) }
        let atBound = zip(names, point).filter { abs($0.1 - logBounds.lowerBound) < 0.01 || abs($0.1 - logBounds.upperBound) < 0.01 }.map(\.0)
        let diagnostics = FitDiagnostics(
            logLikelihood: -best!.value, converged: best!.converged, iterations: totalIterations, accounts: 0, distinct: 0,
            starts: startsRun, parametersAtBound: atBound,
            problem: !best!.converged ? "did not converge in the iteration cap" : (atBound.isEmpty ? nil : "parameter at its bound: \(atBound.joined(separator: ", "))"))
        return (point.map { exp($0) }, diagnostics)
    }

    /// Fits BG/NBD on collapsed summaries.
    public static func fitBGNBD(_ data: [ModelInput], threads: Int = 1) -> (BGNBDModel, FitDiagnostics) {
        let scale = typicalAlpha(data)
        let starts = [[1, scale, 1, 1], [0.3, scale / 2, 0.8, 2.5], [2, scale * 2, 0.5, 5]]
        var (p, d) = minimise(names: ["r", "alpha", "a", "b"], starts: starts) { p in
            let m = BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3])
            return shardedSum(data, threads: threads) { slice in m.logLikelihood(Array(slice)) }
        }
        annotate(&d, data)
        return (BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3]), d)
    }

    /// Fits Pareto/NBD on collapsed summaries.
    public static func fitParetoNBD(_ data: [ModelInput], threads: Int = 1) -> (ParetoNBDModel, FitDiagnostics) {
        let scale = typicalAlpha(data)
        let starts = [[1, scale, 1, scale], [0.5, scale, 0.5, scale * 2], [2, scale * 2, 1, scale / 2]]
        var (p, d) = minimise(names: ["r", "alpha", "s", "beta"], starts: starts) { p in
            let m = ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3])
            return shardedSum(data, threads: threads) { slice in m.logLikelihood(slice) }
        }
        annotate(&d, data)
        return (ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3]), d)
    }

    /// Fits Gamma-Gamma on repeat purchasers with a positive mean spend.
    public static func fitGammaGamma(_ data: [(x: Double, m: Double, weight: Double)], threads: Int = 1) -> (GammaGammaModel, FitDiagnostics) {
        let totalWeight = data.reduce(0) { $0 + $1.weight }
        let mean = data.reduce(0) { $0 + $1.m * $1.weight } / max(1, totalWeight)
        let starts = [[1, 2, max(1e-3, mean)], [5, 3, max(1e-3, mean * 2)], [0.5, 5, max(1e-3, mean * 4)]]
        // Rows sorted by x, so that the log-gamma terms (which depend on x only) are computed
        // once per run of equal x.
        let rows = data.map { GGRow(x: $0.x, m: $0.m, weight: $0.weight) }.sorted { ($0.x, $0.m) < ($1.x, $1.m) }
        var (p, d) = minimise(names: ["p", "q", "gamma"], starts: starts) { p in
            let m = GammaGammaModel(p: p[0], q: p[1], gamma: p[2])
            return shardedSum(rows, threads: threads) { slice in
                var t = 0.0
                var lastX = -1.0
                var head = 0.0
                let lq = Special.logGamma(m.q), lg = log(m.gamma)
                for r in slice {
                    let px = m.p * r.x
                    if r.x != lastX {
                        head = Special.logGamma(px + m.q) - Special.logGamma(px) - lq + m.q * lg + px * log(r.x)
                        lastX = r.x
                    }
                    t += r.weight * (head + (px - 1) * log(r.m) - (px + m.q) * log(m.gamma + r.m * r.x))
                }
                return t
            }
        }
        d.accounts = Int(totalWeight)
        d.distinct = data.count
        let model = GammaGammaModel(p: p[0], q: p[1], gamma: p[2])
        if d.problem == nil && model.q <= 1 { d.problem = "q ≤ 1: the population mean spend is infinite" }
        return (model, d)
    }

    struct GGRow: Sendable {
        var x: Double
        var m: Double
        var weight: Double
    }

    static func annotate(_ d: inout FitDiagnostics, _ data: [ModelInput]) {
        d.accounts = Int(data.reduce(0) { $0 + $1.weight })
        d.distinct = data.count
        let repeaters = data.filter { $0.x > 0 }.reduce(0) { $0 + $1.weight }
        if repeaters < 10 && d.problem == nil { d.problem = "too few repeat buyers (\(Int(repeaters)))" }
    }

    /// A starting α on the data's time scale: mean age over mean purchases.
    static func typicalAlpha(_ data: [ModelInput]) -> Double {
        var w = 0.0, t = 0.0, x = 0.0
        for d in data {
            w += d.weight
            t += d.weight * d.T
            x += d.weight * d.x
        }
        guard w > 0 else { return 1 }
        return max(1e-3, (t / w) / max(0.1, x / w))
    }
}
