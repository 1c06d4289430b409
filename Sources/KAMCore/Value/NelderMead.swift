import Foundation

/// Nelder–Mead simplex minimiser (Lagarias et al. 1998 coefficients) over unbounded
/// coordinates; callers optimise log-parameters and clamp them to bounds.
/// Where a minimiser stopped: the best point, its value, and whether the convergence test held.
struct OptimizerResult {
    var point: [Double]
    var value: Double
    var iterations: Int
    var converged: Bool
}

struct NelderMead {
    var maxIterations = 4000
    /// Converged when both the spread of values and the simplex size are below these.
    var valueTolerance = 1e-10
    var pointTolerance = 1e-8

    func minimize(_ f: ([Double]) -> Double, start: [Double], step: Double = 0.5) -> OptimizerResult {
        let n = start.count
        func value(_ p: [Double]) -> Double {
            let v = f(p)
            return v.isFinite ? v : .greatestFiniteMagnitude
        }
        var simplex: [[Double]] = [start]
        for i in 0..<n {
            var p = start
            p[i] += step
            simplex.append(p)
        }
        var values = simplex.map(value)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = abs(values[n] - values[0])
            var size = 0.0
            for p in simplex.dropFirst() {
                for i in 0..<n { size = max(size, abs(p[i] - simplex[0][i])) }
            }
            if spread <= valueTolerance * (1 + abs(values[0])) && size <= pointTolerance {
                converged = true
                break
            }
            var centroid = Array(repeating: 0.0, count: n)
            for p in simplex.dropLast() {
                for i in 0..<n { centroid[i] += p[i] / Double(n) }
            }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1)
            let fr = value(reflected)
            if fr < values[0] {
                let expanded = along(-2)
                let fe = value(expanded)
                if fe < fr {
                    simplex[n] = expanded
                    values[n] = fe
                } else {
                    simplex[n] = reflected
                    values[n] = fr
                }
            } else if fr < values[n - 1] {
                simplex[n] = reflected
                values[n] = fr
            } else {
                let outside = fr < values[n]
                let contracted = along(outside ? -0.5 : 0.5)
                let fc = value(contracted)
                if fc < (outside ? fr : values[n]) {
                    simplex[n] = contracted
                    values[n] = fc
                } else {
                    for j in 1...n {
                        simplex[j] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[j][$0] - simplex[0][$0]) }
                        values[j] = value(simplex[j])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return OptimizerResult(point: simplex[best], value: values[best], iterations: iterations, converged: converged)
    }
}
