import Foundation

/// BFGS on a box with analytic gradients and a backtracking (Armijo) line search, for the smooth
/// log-likelihoods of the purchase and spend models (ARCHITECTURE.md §5).
///
/// The box is handled by projection: a trial point is clamped into it, and a coordinate on a
/// bound whose gradient points outwards is held there (its gradient and step are zero) until
/// the gradient turns. Whenever that set of held coordinates changes, the inverse Hessian
/// restarts from the identity, since its curvature pairs no longer describe the free space.
struct QuasiNewton {
    var maxIterations = 200
    var gradientTolerance = 1e-7

    typealias Objective = ([Double]) -> (value: Double, gradient: [Double])

    func minimize(_ f: Objective, start: [Double], lower: [Double], upper: [Double]) -> OptimizerResult {
        let n = start.count
        let identity = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        func clamp(_ p: [Double]) -> [Double] { (0..<n).map { min(upper[$0], max(lower[$0], p[$0])) } }
        func evaluate(_ p: [Double]) -> (value: Double, gradient: [Double]) {
            let e = f(p)
            guard e.value.isFinite, e.gradient.allSatisfy(\.isFinite) else { return (.greatestFiniteMagnitude, [Double](repeating: 0, count: n)) }
            return e
        }
        /// Coordinates on a bound with the gradient pushing outwards.
        func held(_ p: [Double], _ g: [Double]) -> [Bool] {
            (0..<n).map { (p[$0] <= lower[$0] && g[$0] > 0) || (p[$0] >= upper[$0] && g[$0] < 0) }
        }
        var x = clamp(start)
        var (fx, g) = evaluate(x)
        var h = identity
        var holding = held(x, g)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            let free = (0..<n).map { holding[$0] ? 0 : g[$0] }
            let norm = sqrt(free.reduce(0) { $0 + $1 * $1 })
            if norm <= gradientTolerance * (1 + abs(fx)) {
                converged = true
                break
            }
            var d = (0..<n).map { i in holding[i] ? 0 : -(0..<n).reduce(0) { $0 + h[i][$1] * free[$1] } }
            if zip(d, free).reduce(0, { $0 + $1.0 * $1.1 }) >= 0 {
                // Not a descent direction: restart from steepest descent.
                h = identity
                d = free.map { -$0 }
            }
            // Keep a step in log-parameters below 2 (a factor e² in the parameter).
            let longest = d.map(abs).max() ?? 0
            var t = longest > 2 ? 2 / longest : 1.0
            var accepted: (x: [Double], value: Double, gradient: [Double])?
            for _ in 0..<40 {
                let trial = clamp(zip(x, d).map { $0 + t * $1 })
                let decrease = zip(g, zip(trial, x)).reduce(0.0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
                let e = evaluate(trial)
                if e.value <= fx + 1e-4 * decrease {
                    accepted = (trial, e.value, e.gradient)
                    break
                }
                t *= 0.5
            }
            guard let step = accepted else { break }
            let s = zip(step.x, x).map { $0 - $1 }
            let y = zip(step.gradient, g).map { $0 - $1 }
            let change = abs(fx - step.value)
            x = step.x
            fx = step.value
            g = step.gradient
            let nowHolding = held(x, g)
            if nowHolding != holding {
                holding = nowHolding
                h = identity
            } else {
                let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
                if sy > 1e-12 {
                    // H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ
                    let rho = 1 / sy
                    let hy = (0..<n).map { i in (0..<n).reduce(0) { $0 + h[i][$1] * y[$1] } }
                    let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in 0..<n {
                        for j in 0..<n {
                            h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                        }
                    }
                }
            }
            if change <= 1e-14 * (1 + abs(fx)) && s.map(abs).max()! < 1e-10 {
                converged = true
                break
            }
        }
        return OptimizerResult(point: x, value: fx, iterations: iterations, converged: converged)
    }
}
