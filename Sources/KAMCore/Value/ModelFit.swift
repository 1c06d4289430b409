import CSVIO
import Foundation

/// How a maximum-likelihood fit went, for the manifest and for the value stage's choices.
public struct FitDiagnostics: Sendable, Hashable {
    public var logLikelihood: Double
    /// The optimiser's own test held (projected gradient ≈ 0). Not the same as a trustworthy
    /// fit: see ``status``.
    public var converged: Bool
    public var iterations: Int
    /// Accounts in the fit and distinct summaries they collapsed to.
    public var accounts: Int
    public var distinct: Int
    public var starts: Int
    public var names: [String] = []
    /// The box the fit searched, in natural parameters.
    public var lowerBounds: [Double] = []
    public var upperBounds: [Double] = []
    /// Parameters on their box bound, and those within a factor 2 of it.
    public var parametersAtBound: [String]
    public var parametersNearBound: [String] = []
    /// Standard errors of the log-parameters from the observed information (the inverse
    /// Hessian of −ln L in log-parameters); nil for a parameter held on its bound or when the
    /// likelihood is flat along some direction.
    public var standardErrors: [Double?] = []
    /// Covariance of the free log-parameters (rows and columns of held ones are 0), for the
    /// parameter draws behind the CLV intervals; nil when the information is not positive definite.
    public var covariance: [[Double]]?
    /// Parameters whose standard error exceeds ``FitDiagnostics/weakIdentificationSE`` in log
    /// (a factor e either way at one standard error), or all of them when the likelihood is flat.
    public var weaklyIdentified: [String] = []
    /// Why the fit is not usable as is, if it is not.
    public var problem: String?

    /// One standard error of 1.0 in a log-parameter: the data do not pin the parameter down to
    /// better than a factor e≈2.7 either way.
    public static let weakIdentificationSE = 1.0

    public var isUsable: Bool { problem == nil }

    /// The fit in one word: `converged` only when the optimiser converged strictly inside the
    /// box and every parameter is identified.
    public var status: String {
        if !converged { return "not_converged" }
        if !parametersAtBound.isEmpty { return "at_bound" }
        if !weaklyIdentified.isEmpty { return "weakly_identified" }
        if !parametersNearBound.isEmpty { return "near_bound" }
        return problem == nil ? "converged" : "unusable"
    }

    /// The evidence behind ``status``, in words with the numbers.
    public var evidence: String {
        var parts: [String] = []
        if !converged { parts.append("the optimiser stopped after \(iterations) iterations without meeting its gradient test") }
        if !parametersAtBound.isEmpty { parts.append("on the box bound: \(parametersAtBound.joined(separator: ", "))") }
        if !parametersNearBound.isEmpty { parts.append("within a factor 2 of the box bound: \(parametersNearBound.joined(separator: ", "))") }
        if covariance == nil && converged { parts.append("the likelihood is flat along some direction (information matrix not positive definite)") }
        let loose = zip(names, standardErrors).compactMap { name, se in se.flatMap { $0 > Self.weakIdentificationSE ? String(format: "%@ ±%.2f", name, $0) : nil } }
        if !loose.isEmpty { parts.append("standard error of the log-parameter above \(Self.weakIdentificationSE): " + loose.joined(separator: ", ")) }
        if let problem { parts.append(problem) }
        return parts.isEmpty ? "converged inside the box; every log-parameter's standard error is at most \(Self.weakIdentificationSE)" : parts.joined(separator: "; ")
    }
}

/// Fits the three models by maximum likelihood: box-constrained BFGS with analytic gradients on
/// log-parameters from up to three starts (Nelder–Mead carries on where BFGS stops short), the
/// best converged result kept, then the observed information for standard errors
/// (ARCHITECTURE.md §5).
///
/// Likelihood sums run over a fixed number of shards in a fixed order, so the fit (and every
/// output) is the same whatever the thread count.
public enum ModelFitter {
    static let shards = 8

    /// The box, in natural parameters: shapes (r, a, b, s, p, q) within 1e-4…1e3; the scales
    /// α and β within 1e-4…1e4 times the data's typical inter-purchase time, γ within 1e-6…1e6
    /// times the mean spend. Beyond these the data carry no information a KAM report could use
    /// (a shape of 1000 is a population without heterogeneity), and the likelihood's series
    /// grow without bound.
    struct Box {
        var lower: [Double]
        var upper: [Double]
    }

    static let shapeRange = (1e-4, 1e3)

    static func scaleRange(_ scale: Double, factor: Double) -> (Double, Double) { (scale / factor, scale * factor) }

    /// Runs `body` over fixed shards of `data` on up to `threads` threads; sums in shard order.
    static func shardedSum<T: Sendable>(_ data: [T], threads: Int, _ body: @escaping @Sendable (ArraySlice<T>) -> (value: Double, gradient: SIMD4<Double>)) -> (value: Double, gradient: SIMD4<Double>) {
        if data.count < 4096 { return body(data[...]) }
        let per = (data.count + shards - 1) / shards
        let parts = parallelMap(shards, threads: threads) { i -> (value: Double, gradient: SIMD4<Double>) in
            let lo = min(data.count, i * per), hi = min(data.count, lo + per)
            return body(data[lo..<hi])
        }
        return parts.reduce((0, SIMD4<Double>())) { ($0.0 + $1.value, $0.1 + $1.gradient) }
    }

    /// Maximises `logLikelihood` (value and gradient in natural parameters) over the box.
    static func maximise(
        names: [String], starts: [[Double]], box: Box, logLikelihood: @escaping ([Double]) -> (value: Double, gradient: SIMD4<Double>)
    ) -> (params: [Double], diagnostics: FitDiagnostics) {
        let n = names.count
        let lower = box.lower.map { log($0) }, upper = box.upper.map { log($0) }
        // −ln L and its gradient in log-parameters: ∂/∂ln θ = θ ∂/∂θ.
        let objective: QuasiNewton.Objective = { logP in
            let p = logP.map { exp($0) }
            let (value, g) = logLikelihood(p)
            return (-value, (0..<n).map { -g[$0] * p[$0] })
        }
        var best: OptimizerResult?
        var totalIterations = 0
        var startsRun = 0
        var agreeing = 0
        for start in starts {
            // Two converged starts that land on the same optimum settle it; more starts are
            // for likelihoods where they disagree.
            if agreeing >= 2 { break }
            startsRun += 1
            let logStart = (0..<n).map { min(upper[$0], max(lower[$0], log(start[$0]))) }
            var result = QuasiNewton().minimize(objective, start: logStart, lower: lower, upper: upper)
            if !result.converged {
                // A ridge or a flat likelihood: Nelder–Mead carries on without gradients,
                // kept inside the box by a penalty.
                let penalised: ([Double]) -> Double = { p in
                    let c = (0..<n).map { min(upper[$0], max(lower[$0], p[$0])) }
                    let outside = zip(p, c).reduce(0.0) { $0 + abs($1.0 - $1.1) }
                    return objective(c).value + outside * 1e6
                }
                let simplex = NelderMead().minimize(penalised, start: result.point, step: 0.2)
                let point = (0..<n).map { min(upper[$0], max(lower[$0], simplex.point[$0])) }
                if simplex.value <= result.value {
                    result = OptimizerResult(point: point, value: simplex.value, iterations: result.iterations + simplex.iterations, converged: simplex.converged)
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
        let point = best!.point
        let onBound = (0..<n).filter { point[$0] <= lower[$0] + 1e-6 || point[$0] >= upper[$0] - 1e-6 }
        let nearBound = (0..<n).filter { !onBound.contains($0) && (point[$0] <= lower[$0] + log(2) || point[$0] >= upper[$0] - log(2)) }
        var diagnostics = FitDiagnostics(
            logLikelihood: -best!.value, converged: best!.converged, iterations: totalIterations, accounts: 0, distinct: 0,
            starts: startsRun, names: names, parametersAtBound: onBound.map { names[$0] })
        diagnostics.parametersNearBound = nearBound.map { names[$0] }
        diagnostics.lowerBounds = box.lower
        diagnostics.upperBounds = box.upper
        let information = observedInformation(objective, at: point, free: (0..<n).map { !onBound.contains($0) })
        diagnostics.covariance = information
        diagnostics.standardErrors = (0..<n).map { i in information.map { $0[i][i] > 0 ? sqrt($0[i][i]) : nil } ?? nil }
        if information == nil {
            diagnostics.weaklyIdentified = (0..<n).filter { !onBound.contains($0) }.map { names[$0] }
        } else {
            diagnostics.weaklyIdentified = (0..<n).filter { (diagnostics.standardErrors[$0] ?? 0) > FitDiagnostics.weakIdentificationSE }.map { names[$0] }
        }
        if !best!.converged { diagnostics.problem = "did not converge in the iteration cap" }
        return (point.map { exp($0) }, diagnostics)
    }

    /// The inverse of the observed information (the Hessian of −ln L in log-parameters, by
    /// central differences of the analytic gradient) over the free parameters; nil when it is
    /// not positive definite.
    static func observedInformation(_ objective: QuasiNewton.Objective, at point: [Double], free: [Bool]) -> [[Double]]? {
        let n = point.count
        let index = (0..<n).filter { free[$0] }
        guard !index.isEmpty else { return nil }
        let h = 1e-4
        var hessian = [[Double]](repeating: [Double](repeating: 0, count: index.count), count: index.count)
        for (column, j) in index.enumerated() {
            var up = point, down = point
            up[j] += h
            down[j] -= h
            let gUp = objective(up).gradient, gDown = objective(down).gradient
            for (row, i) in index.enumerated() { hessian[row][column] = (gUp[i] - gDown[i]) / (2 * h) }
        }
        for a in 0..<index.count {
            for b in 0..<a {
                let mean = (hessian[a][b] + hessian[b][a]) / 2
                hessian[a][b] = mean
                hessian[b][a] = mean
            }
        }
        guard let inverse = Cholesky.inverse(hessian) else { return nil }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for (row, i) in index.enumerated() {
            for (column, j) in index.enumerated() { covariance[i][j] = inverse[row][column] }
        }
        return covariance
    }

    /// Fits BG/NBD on collapsed summaries.
    public static func fitBGNBD(_ data: [ModelInput], threads: Int = 1) -> (BGNBDModel, FitDiagnostics) {
        let scale = typicalAlpha(data)
        let starts = [[1, scale, 1, 1], [0.3, scale / 2, 0.8, 2.5], [2, scale * 2, 0.5, 5]]
        let (lo, hi) = scaleRange(scale, factor: 1e4)
        let box = Box(lower: [shapeRange.0, lo, shapeRange.0, shapeRange.0], upper: [shapeRange.1, hi, shapeRange.1, shapeRange.1])
        var (p, d) = maximise(names: ["r", "alpha", "a", "b"], starts: starts, box: box) { p in
            let m = BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3])
            return shardedSum(data, threads: threads) { slice in m.logLikelihoodAndGradient(slice) }
        }
        annotate(&d, data)
        return (BGNBDModel(r: p[0], alpha: p[1], a: p[2], b: p[3]), d)
    }

    /// Fits Pareto/NBD on collapsed summaries.
    public static func fitParetoNBD(_ data: [ModelInput], threads: Int = 1) -> (ParetoNBDModel, FitDiagnostics) {
        let scale = typicalAlpha(data)
        let starts = [[1, scale, 1, scale], [0.5, scale, 0.5, scale * 2], [2, scale * 2, 1, scale / 2]]
        let (lo, hi) = scaleRange(scale, factor: 1e4)
        let box = Box(lower: [shapeRange.0, lo, shapeRange.0, lo], upper: [shapeRange.1, hi, shapeRange.1, hi])
        var (p, d) = maximise(names: ["r", "alpha", "s", "beta"], starts: starts, box: box) { p in
            let m = ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3])
            return shardedSum(data, threads: threads) { slice in m.logLikelihoodAndGradient(slice) }
        }
        annotate(&d, data)
        return (ParetoNBDModel(r: p[0], alpha: p[1], s: p[2], beta: p[3]), d)
    }

    /// Fits Gamma-Gamma on repeat purchasers with a positive mean spend.
    public static func fitGammaGamma(_ data: [(x: Double, m: Double, weight: Double)], threads: Int = 1) -> (GammaGammaModel, FitDiagnostics) {
        let totalWeight = data.reduce(0) { $0 + $1.weight }
        let mean = max(1e-9, data.reduce(0) { $0 + $1.m * $1.weight } / max(1, totalWeight))
        let starts = [[1, 2, mean], [5, 3, mean * 2], [0.5, 5, mean * 4]]
        let (lo, hi) = scaleRange(mean, factor: 1e6)
        let box = Box(lower: [shapeRange.0, shapeRange.0, lo], upper: [shapeRange.1, shapeRange.1, hi])
        // Rows sorted by x, so that the log-gamma terms (which depend on x only) are computed
        // once per run of equal x.
        let rows = data.map { GGRow(x: $0.x, m: $0.m, weight: $0.weight) }.sorted { ($0.x, $0.m) < ($1.x, $1.m) }
        var (p, d) = maximise(names: ["p", "q", "gamma"], starts: starts, box: box) { p in
            let m = GammaGammaModel(p: p[0], q: p[1], gamma: p[2])
            return shardedSum(rows, threads: threads) { slice in m.logLikelihoodAndGradient(slice) }
        }
        d.accounts = Int(totalWeight)
        d.distinct = data.count
        let model = GammaGammaModel(p: p[0], q: p[1], gamma: p[2])
        if d.problem == nil && data.count < 10 { d.problem = "too few repeat buyers with a positive mean spend (\(data.count))" }
        if d.problem == nil && model.q <= 1 { d.problem = String(format: "q = %.3f ≤ 1: the population mean spend pγ/(q−1) is infinite", model.q) }
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
