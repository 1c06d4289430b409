import Foundation

/// A₀ by quadrature, for the part of the parameter space where the ₂F₁ series converge too slowly
/// (ARCHITECTURE.md §5).
///
/// The dropped-out term of the Pareto/NBD likelihood is an integral over the dropout time τ:
/// s/(r+s+x) · A₀ = s ∫_{tₓ}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ. Note 009's closed form writes
/// A₀ as a difference of two ₂F₁(a, b; a+1; z) terms with z = |α−β|/(max(α,β)+t). When one scale
/// is far above the other (β ≫ α: a population whose dropout rate is nearly the same for all,
/// as on B2B exports with frequent buyers), z comes within 1e-4 of 1 and the series needs some
/// 10⁵ terms per account. The integrand itself stays smooth there, so the integral is taken
/// directly with Gauss–Legendre (two panels of 32 nodes) after a change of variable that
/// flattens its decay.
extension ParetoNBDModel {
    /// Above this z the series is slower than the quadrature (about 2·37/(1−z) terms against 64
    /// nodes). The quadrature agrees with the series to about 1e-7 relative in ln A₀
    /// (`FitDiagnosticsTests`): far below the sampling error of any fit it serves.
    static let seriesLimit = 0.9

    /// Whether A₀ for this history is taken by quadrature.
    @inline(__always)
    func usesQuadrature(tx: Double) -> Bool {
        abs(alpha - beta) / (max(alpha, beta) + tx) > Self.seriesLimit
    }

    /// ln A₀ and its gradient in (r, α, s, β), by quadrature: A₀ = (r+s+x) ∫_{tₓ}^{T} f(τ) dτ,
    /// f = (α+τ)^−k₁ (β+τ)^−k₂, k₁ = r+x, k₂ = s+1.
    ///
    /// In v = ln(α+τ) the integrand f·e^v decays at a log-rate starting at
    /// ρ = (k₁−1) + k₂(α+tₓ)/(β+tₓ); with w = e^−ρ(v−v₀) that leading decay becomes flat, and the
    /// nodes spread over where the mass is. The gradient is differentiated under the integral:
    /// ∇ln I = Σ ωᵢ fᵢ ∇ln fᵢ / Σ ωᵢ fᵢ, with ∇ln f = (−ln(α+τ), −k₁/(α+τ), −ln(β+τ), −k₂/(β+τ)).
    func logA0ByQuadrature(x: Double, tx: Double, T: Double) -> (value: Double, gradient: SIMD4<Double>) {
        let k1 = r + x, k2 = s + 1
        // Integrate in v = ln(m+τ), m the smaller scale: the other factor's decay in v then only
        // steepens with v (its log-slope k·e^v/(M−m+e^v) rises to k), so the change of variable
        // below never leaves a part that grows towards the far end.
        let alphaIsMin = alpha <= beta
        let (m, big, kSmall, kBig) = alphaIsMin ? (alpha, beta, k1, k2) : (beta, alpha, k2, k1)
        let gap = big - m
        let v0 = log(m + tx), v1 = log(m + T)
        let span = v1 - v0
        guard span > 0 else { return (-.infinity, SIMD4()) }
        // Log of f·e^v, relative to its value at v₀.
        func logIntegrand(_ v: Double) -> Double { (1 - kSmall) * v - kBig * log(gap + exp(v)) }
        func gradientOfLogF(_ v: Double) -> SIMD4<Double> {
            let small = exp(v), other = gap + small
            let (alphaTau, betaTau) = alphaIsMin ? (small, other) : (other, small)
            return SIMD4<Double>(-log(alphaTau), -k1 / alphaTau, -log(betaTau), -k2 / betaTau)
        }
        let start = logIntegrand(v0)
        let mTx = m + tx
        let rho = max(1 / span, (kSmall - 1) + kBig * mTx / (gap + mTx))
        var mass = 0.0
        var weighted = SIMD4<Double>()
        // Two panels, each with its own change of variable w = e^−ρₖ(v−aₖ) at the log-rate ρₖ
        // where it starts: the first covers the first two e-folds of the decay, where most of
        // the mass is; the second the rest of [v₀, v₁].
        let split = min(v1, v0 + 2 / rho)
        for (a, b) in [(v0, split), (split, v1)] where b > a {
            let rate = max(1 / (b - a), -(logIntegrand(a + 1e-7) - logIntegrand(a)) / 1e-7)
            let wLow = exp(-rate * (b - a))
            let half = (1 - wLow) / 2, mid = (1 + wLow) / 2
            let scale = half / rate
            for (node, weight) in GaussLegendre.nodes32 {
                let w = mid + half * node
                let v = a - log(w) / rate
                // f·e^v dv = f·e^v·dw/(ρw), and 1/w = e^ρ(v−a).
                let term = scale * weight * exp(logIntegrand(v) - start + rate * (v - a))
                mass += term
                weighted += term * gradientOfLogF(v)
            }
        }
        guard mass > 0 else { return (-.infinity, SIMD4()) }
        let sum = r + s + x
        return (log(sum) + start + log(mass), weighted / mass + SIMD4<Double>(1 / sum, 0, 1 / sum, 0))
    }
}
