import Foundation

/// Inverse of a small symmetric positive-definite matrix by Cholesky factorisation, for the
/// models' information matrices (4 × 4 at most).
enum Cholesky {
    /// nil when the matrix is not positive definite (a pivot at or below 1e-12 of the largest
    /// diagonal entry).
    static func inverse(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        let scale = a.indices.map { a[$0][$0] }.max() ?? 0
        guard scale > 0, scale.isFinite else { return nil }
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > 1e-12 * scale else { return nil }
                    l[i][i] = sqrt(sum)
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        // A⁻¹ = L⁻ᵀ L⁻¹, column by column from L y = eₖ, Lᵀ x = y.
        var inverse = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for column in 0..<n {
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var sum = i == column ? 1.0 : 0.0
                for k in 0..<i { sum -= l[i][k] * y[k] }
                y[i] = sum / l[i][i]
            }
            var x = [Double](repeating: 0, count: n)
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = y[i]
                for k in (i + 1)..<n { sum -= l[k][i] * x[k] }
                x[i] = sum / l[i][i]
            }
            for i in 0..<n { inverse[i][column] = x[i] }
        }
        return inverse
    }
}

extension Cholesky {
    /// The lower factor L of a covariance matrix (Σ = LLᵀ), for correlated normal draws. Rows and
    /// columns that are all zero (parameters held on their bound) stay zero; nil when the rest is
    /// not positive definite.
    static func factor(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n where a[i][i] > 0 {
            for j in 0...i where a[j][j] > 0 {
                var sum = a[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i][i] = sqrt(sum)
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        return l
    }
}
