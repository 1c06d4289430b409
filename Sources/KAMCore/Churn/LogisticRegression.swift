import CSVIO
import Foundation

/// L2-penalised logistic regression fitted by Newton's method (IRLS) on standardised features.
///
/// The penalty λ‖β‖²/2 leaves the intercept free. Features are centred and scaled with the
/// training means and standard deviations, which the model keeps to score new rows.
public struct LogisticRegression: Sendable {
    public var names: [String]
    public var means: [Double]
    public var scales: [Double]
    /// Intercept first, then one coefficient per standardised feature.
    public var coefficients: [Double]
    public var iterations: Int
    public var converged: Bool

    /// The rows are summed in ``shards`` fixed slices (on `threads` threads), added in order, so
    /// the fit is the same whatever the thread count.
    public static func fit(
        names: [String], rows: [[Double]], labels: [Double], l2: Double, maxIterations: Int = 50, threads: Int = 1
    ) -> LogisticRegression {
        let n = rows.count, k = names.count, d = k + 1
        var means = Array(repeating: 0.0, count: k), scales = Array(repeating: 1.0, count: k)
        for j in 0..<k {
            let m = rows.reduce(0) { $0 + $1[j] } / Double(max(1, n))
            let v = rows.reduce(0) { $0 + ($1[j] - m) * ($1[j] - m) } / Double(max(1, n - 1))
            means[j] = m
            scales[j] = v > 1e-12 ? sqrt(v) : 1
        }
        // The standardised rows with a leading 1, one flat row-major array: the Newton steps
        // read it once per iteration.
        var z = [Double](repeating: 1, count: n * d)
        for i in 0..<n {
            for j in 0..<k { z[i * d + 1 + j] = (rows[i][j] - means[j]) / scales[j] }
        }
        let design = z
        var beta = Array(repeating: 0.0, count: d)
        let prior = labels.reduce(0, +) / Double(max(1, n))
        beta[0] = log(max(1e-6, prior) / max(1e-6, 1 - prior))
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            let current = beta
            // Each shard's gradient (d) and upper-triangular Hessian (d × d, row-major).
            let parts = parallelMap(shards, threads: threads) { s -> [Double] in
                var acc = [Double](repeating: 0, count: d + d * d)
                design.withUnsafeBufferPointer { zp in
                    acc.withUnsafeMutableBufferPointer { ap in
                        for i in (n * s / shards)..<(n * (s + 1) / shards) {
                            let x = zp.baseAddress! + i * d
                            var t = 0.0
                            for a in 0..<d { t += current[a] * x[a] }
                            let p = sigmoid(t)
                            let w = max(p * (1 - p), 1e-12)
                            let r = labels[i] - p
                            for a in 0..<d {
                                ap[a] += r * x[a]
                                let wa = w * x[a], h = ap.baseAddress! + d + a * d
                                for b in a..<d { h[b] += wa * x[b] }
                            }
                        }
                    }
                }
                return acc
            }
            var gradient = Array(repeating: 0.0, count: d)
            var hessian = Array(repeating: Array(repeating: 0.0, count: d), count: d)
            for part in parts {
                for a in 0..<d {
                    gradient[a] += part[a]
                    for b in a..<d { hessian[a][b] += part[d + a * d + b] }
                }
            }
            for a in 0..<d {
                for b in 0..<a { hessian[a][b] = hessian[b][a] }
            }
            for j in 1..<max(2, d) where j < d {
                gradient[j] -= l2 * beta[j]
                hessian[j][j] += l2
            }
            guard let step = Cholesky.solve(hessian, gradient) else { break }
            var largest = 0.0
            for a in 0..<d {
                beta[a] += step[a]
                largest = max(largest, abs(step[a]))
            }
            if largest < 1e-9 {
                converged = true
                break
            }
        }
        return LogisticRegression(names: names, means: means, scales: scales, coefficients: beta, iterations: iterations, converged: converged)
    }

    /// Fixed slices of the rows for the Newton sums (independent of the thread count).
    static let shards = 8

    public func standardised(_ row: [Double]) -> [Double] { (0..<names.count).map { (row[$0] - means[$0]) / scales[$0] } }

    public func probability(_ row: [Double]) -> Double {
        LogisticRegression.sigmoid(coefficients[0] + zip(coefficients.dropFirst(), standardised(row)).reduce(0) { $0 + $1.0 * $1.1 })
    }

    /// Each feature's contribution βⱼzⱼ to the log-odds of this row.
    public func contributions(_ row: [Double]) -> [Double] { zip(coefficients.dropFirst(), standardised(row)).map { $0 * $1 } }

    static func sigmoid(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

}
