import Foundation

/// Gauss–Legendre quadrature nodes and weights on [−1, 1], computed by Newton's method on the
/// Legendre polynomial (Numerical Recipes §4.6, `gauleg`).
enum GaussLegendre {
    static let nodes64: [(Double, Double)] = compute(64)
    static let nodes32: [(Double, Double)] = compute(32)

    static func compute(_ n: Int) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = 0.0
                for j in 1...n {
                    let p2 = p1
                    p1 = p0
                    p0 = ((2 * Double(j) - 1) * x * p1 - (Double(j) - 1) * p2) / Double(j)
                }
                derivative = Double(n) * (x * p0 - p1) / (x * x - 1)
                let dx = p0 / derivative
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            out.append((x, 2 / ((1 - x * x) * derivative * derivative)))
        }
        return out
    }
}
