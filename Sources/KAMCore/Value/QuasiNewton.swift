import Foundation

/// BFGS with central-difference gradients and a backtracking (Armijo) line search, for the
/// smooth log-likelihoods of the purchase and spend models. Each iteration costs 2n + a few
/// evaluations, against Nelder–Mead's many more cheap steps: a fit takes tens of iterations.
struct QuasiNewton {
    var maxIterations = 200
    var gradientTolerance = 1e-6
    var step = 1e-5

    func minimize(_ f: ([Double]) -> Double, start: [Double]) -> OptimizerResult {
        let n = start.count
        func value(_ p: [Double]) -> Double {
            let v = f(p)
            return v.isFinite ? v : .greatestFiniteMagnitude
        }
        func gradient(_ p: [Double]) -> [Double] {
            (0..<n).map { i in
                var up = p, down = p
                up[i] += step
                down[i] -= step
                return (value(up) - value(down)) / (2 * step)
            }
        }
        var x = start
        var fx = value(x)
        var g = gradient(x)
        var h = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }  // inverse Hessian
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            let gnorm = sqrt(g.reduce(0) { $0 + $1 * $1 })
            if gnorm <= gradientTolerance * (1 + abs(fx)) {
                converged = true
                break
            }
            var d = (0..<n).map { i in -(0..<n).reduce(0) { $0 + h[i][$1] * g[$1] } }
            var slope = zip(d, g).reduce(0) { $0 + $1.0 * $1.1 }
            if slope >= 0 {
                // Not a descent direction: restart from steepest descent.
                h = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
                d = g.map { -$0 }
                slope = -gnorm * gnorm
            }
            // Keep a step in log-parameters below 2 (a factor e² in the parameter).
            let longest = d.map(abs).max() ?? 0
            var t = longest > 2 ? 2 / longest : 1.0
            var xNew = x, fNew = fx
            var accepted = false
            for _ in 0..<40 {
                xNew = zip(x, d).map { $0 + t * $1 }
                fNew = value(xNew)
                if fNew <= fx + 1e-4 * t * slope {
                    accepted = true
                    break
                }
                t *= 0.5
            }
            if !accepted { break }
            let gNew = gradient(xNew)
            let s = zip(xNew, x).map { $0 - $1 }
            let y = zip(gNew, g).map { $0 - $1 }
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
            let change = abs(fx - fNew)
            x = xNew
            fx = fNew
            g = gNew
            if change <= 1e-13 * (1 + abs(fx)) && s.map(abs).max()! < 1e-9 {
                converged = true
                break
            }
        }
        return OptimizerResult(point: x, value: fx, iterations: iterations, converged: converged)
    }
}
