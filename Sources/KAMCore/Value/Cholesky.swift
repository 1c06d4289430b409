import Foundation

/// Cholesky factorisation of small symmetric positive-definite matrices (the models'
/// information matrices, the logistic regression's Newton steps), and what is built on it.
enum Cholesky {
    /// The lower factor L with A = LLᵀ. Rows and columns whose diagonal is 0 (parameters held on
    /// their bound) stay zero; nil when a pivot of the rest is at or below `minPivot`.
    static func factor(_ a: [[Double]], minPivot: Double = 0) -> [[Double]]? {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n where a[i][i] != 0 {
            for j in 0...i where a[j][j] != 0 {
                var sum = a[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > minPivot else { return nil }
                    l[i][i] = sqrt(sum)
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        return l
    }

    /// Solves LLᵀx = b for a full factor L (every diagonal entry positive).
    static func solve(factor l: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i][k] * y[k] }
            y[i] = sum / l[i][i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= l[k][i] * x[k] }
            x[i] = sum / l[i][i]
        }
        return x
    }

    /// Solves Ax = b; nil when A is not positive definite.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        guard a.indices.allSatisfy({ a[$0][$0] > 0 }), let l = factor(a) else { return nil }
        return solve(factor: l, b)
    }

    /// A⁻¹; nil when A is not positive definite (a pivot at or below 1e-12 of the largest
    /// diagonal entry, or a diagonal entry that is not positive).
    static func inverse(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        let scale = a.indices.map { a[$0][$0] }.max() ?? 0
        guard scale > 0, scale.isFinite, a.indices.allSatisfy({ a[$0][$0] > 0 }), let l = factor(a, minPivot: 1e-12 * scale) else { return nil }
        var inverse = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for column in 0..<n {
            let x = solve(factor: l, (0..<n).map { $0 == column ? 1 : 0 })
            for i in 0..<n { inverse[i][column] = x[i] }
        }
        return inverse
    }
}
