#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Log-gamma, log-beta, stable log-sum/difference and the Gauss hypergeometric function, as the
/// buy-till-you-die likelihoods need them.
enum Special {
    /// ln Γ(x) for x > 0 (`lgamma_r`: no shared sign state, safe on several threads).
    @inline(__always)
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// ψ(x) = d ln Γ(x)/dx for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the
    /// asymptotic series (Abramowitz & Stegun 6.3.18), good to about 1e-13.
    static func digamma(_ x: Double) -> Double {
        var x = x
        var shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inv = 1 / x, inv2 = inv * inv
        let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
        return shift + log(x) - 0.5 * inv - series
    }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    @inline(__always)
    static func logBeta(_ a: Double, _ b: Double) -> Double { logGamma(a) + logGamma(b) - logGamma(a + b) }

    /// ln(eᵘ + eᵛ) without overflow.
    @inline(__always)
    static func logAddExp(_ u: Double, _ v: Double) -> Double {
        if u == -.infinity { return v }
        if v == -.infinity { return u }
        return u > v ? u + log1p(exp(v - u)) : v + log1p(exp(u - v))
    }

    /// ln(eᵘ − eᵛ) for u ≥ v; −∞ when they are equal (or v > u by rounding).
    @inline(__always)
    static func logDiffExp(_ u: Double, _ v: Double) -> Double {
        if v >= u { return -.infinity }
        let d = v - u
        return u + (d > -0.693 ? log(-expm1(d)) : log1p(-exp(d)))
    }

    /// ln ₂F₁(a, b; c; z) for 0 ≤ z < 1 and a term series that stays of one sign after its
    /// first terms (c > 0). Summed in log space with a relative tolerance of 1e-15; `nil` if the
    /// series has not converged after `maxTerms`.
    static func logHypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double, maxTerms: Int = 200_000) -> Double? {
        if z == 0 { return 0 }
        var term = 1.0
        var sum = 1.0
        var scale = 0.0  // sum and term are multiplied by e^scale
        for n in 0..<maxTerms {
            let k = Double(n)
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
            sum += term
            if abs(term) <= 1e-16 * abs(sum) { return scale + log(abs(sum)) }
            if abs(sum) > 1e250 {
                scale += log(abs(sum))
                term /= abs(sum)
                sum = sum > 0 ? 1 : -1
            }
            if term == 0 { return scale + log(abs(sum)) }
        }
        return nil
    }

    /// ln ₂F₁(a, b; a + 1; z), the form in the Pareto/NBD likelihood, through Euler's
    /// transformation (Fader & Hardie note 027): ₂F₁(a, b; a+1; z) = (1 − z)^(1−b) ·
    /// ₂F₁(1, a+1−b; a+1; z), whose terms are positive and fall at least as fast as zⁿ when
    /// a + 1 − b > 0.
    static func logHypergeometricPareto(a: Double, b: Double, z: Double) -> Double? {
        guard z > 0 else { return 0 }
        guard let s = logHypergeometric2F1(1, a + 1 - b, a + 1, z) else { return nil }
        return (1 - b) * log1p(-z) + s
    }

    /// (1 − yᵏ)/k for y = e^L, with its limit −L at k = 0.
    @inline(__always)
    static func oneMinusPowerOverK(k: Double, logY: Double) -> Double {
        if abs(k) < 1e-10 { return -logY }
        return -expm1(k * logY) / k
    }
}
