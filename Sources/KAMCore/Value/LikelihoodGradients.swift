import Foundation

/// Log-likelihoods with their analytic gradients, for the quasi-Newton fits (ARCHITECTURE.md §5).
/// Gradients are in the natural parameters, in the order the models list them; the fitter turns
/// them into gradients in log-parameters. Each is checked against central differences in
/// `ModelTests`.
extension BGNBDModel {
    /// Σ wᵢ ln Lᵢ and its gradient in (r, α, a, b). Inputs come sorted by x (``ModelInput/collapse(_:)``),
    /// so the digamma terms are computed once per run of equal x.
    func logLikelihoodAndGradient<C: Collection<ModelInput>>(_ data: C) -> (value: Double, gradient: SIMD4<Double>) {
        let la = log(alpha), lbab = Special.logBeta(a, b)
        let psiR = Special.digamma(r), psiA = Special.digamma(a), psiA1 = Special.digamma(a + 1), psiAB = Special.digamma(a + b)
        var lastX = -1.0
        var common = 0.0, aliveConst = 0.0, droppedConst = 0.0
        var dCommon = SIMD4<Double>(), dAliveAB = SIMD2<Double>(), dDroppedAB = SIMD2<Double>()
        var total = 0.0
        var gradient = SIMD4<Double>()
        for d in data {
            let x = d.x
            if x != lastX {
                lastX = x
                let psiABX = Special.digamma(a + b + x)
                common = Special.logGamma(r + x) - Special.logGamma(r) + r * la - lbab
                dCommon = [Special.digamma(r + x) - psiR + la, r / alpha, psiAB - psiA, psiAB - Special.digamma(b)]
                aliveConst = Special.logBeta(a, b + x)
                dAliveAB = [psiA - psiABX, Special.digamma(b + x) - psiABX]
                if x > 0 {
                    droppedConst = Special.logBeta(a + 1, b + x - 1)
                    dDroppedAB = [psiA1 - psiABX, Special.digamma(b + x - 1) - psiABX]
                }
            }
            let lT = log(alpha + d.T)
            let alive = aliveConst - (r + x) * lT
            let dAlive = SIMD4<Double>(-lT, -(r + x) / (alpha + d.T), dAliveAB.x, dAliveAB.y)
            var ll = alive
            var g = dAlive
            if x > 0 {
                let lTx = log(alpha + d.tx)
                let dropped = droppedConst - (r + x) * lTx
                ll = Special.logAddExp(alive, dropped)
                let dDropped = SIMD4<Double>(-lTx, -(r + x) / (alpha + d.tx), dDroppedAB.x, dDroppedAB.y)
                g = exp(alive - ll) * dAlive + exp(dropped - ll) * dDropped
            }
            total += d.weight * (common + ll)
            gradient += d.weight * (dCommon + g)
        }
        return (total, gradient)
    }
}

extension GammaGammaModel {
    /// Σ wᵢ ln Lᵢ and its gradient in (p, q, γ) (the fourth lane is 0), for rows sorted by x.
    func logLikelihoodAndGradient<C: Collection<ModelFitter.GGRow>>(_ data: C) -> (value: Double, gradient: SIMD4<Double>) {
        let lq = Special.logGamma(q), lg = log(gamma), psiQ = Special.digamma(q)
        var lastX = -1.0
        var head = 0.0, psiPXQ = 0.0, psiPX = 0.0, lx = 0.0
        var total = 0.0
        var gradient = SIMD4<Double>()
        for row in data {
            let x = row.x, px = p * x
            if x != lastX {
                lastX = x
                lx = log(x)
                head = Special.logGamma(px + q) - Special.logGamma(px) - lq + q * lg + px * lx
                psiPXQ = Special.digamma(px + q)
                psiPX = Special.digamma(px)
            }
            let lm = log(row.m), lDen = log(gamma + row.m * x)
            total += row.weight * (head + (px - 1) * lm - (px + q) * lDen)
            gradient += row.weight * SIMD4<Double>(
                x * (psiPXQ - psiPX + lm + lx - lDen), psiPXQ - psiQ + lg - lDen, q / gamma - (px + q) / (gamma + row.m * x), 0)
        }
        return (total, gradient)
    }
}

extension ParetoNBDModel {
    /// One of A₀'s two terms (see ``logA0Term(x:t:)``) with its gradient in (r, α, s, β).
    @inline(__always)
    func logA0TermAndGradient(x: Double, t: Double) -> (value: Double, gradient: SIMD4<Double>) {
        let a = r + s + x
        let alphaIsMax = alpha >= beta
        let (m, n, b) = alphaIsMax ? (alpha, beta, s + 1) : (beta, alpha, r + x)
        let z = (m - n) / (m + t)
        guard let f = Special.logHypergeometricParetoAndGradient(a: a, b: b, z: z) else { return (-.infinity, SIMD4()) }
        let lmt = log(m + t)
        let dA = f.da - lmt
        let dM = f.dz * (t + n) / ((m + t) * (m + t)) - a / (m + t)
        let dN = -f.dz / (m + t)
        let gradient =
            alphaIsMax
            ? SIMD4<Double>(dA, dM, dA + f.db, dN)
            : SIMD4<Double>(dA + f.db, dN, dA, dM)
        return (f.value - a * lmt, gradient)
    }

    /// Σ wᵢ ln Lᵢ (note 009, eq. 22) and its gradient in (r, α, s, β), for inputs sorted by
    /// (x, tₓ, T): the tₓ term is shared by a run of equal (x, tₓ).
    func logLikelihoodAndGradient<C: Collection<ModelInput>>(_ data: C) -> (value: Double, gradient: SIMD4<Double>) {
        let constant = -Special.logGamma(r) + r * log(alpha) + s * log(beta)
        let dConstant = SIMD4<Double>(-Special.digamma(r) + log(alpha), r / alpha, log(beta), s / beta)
        var lastX = -1.0, lastTx = -1.0
        var head = 0.0, dHeadR = 0.0
        var txTerm = (value: 0.0, gradient: SIMD4<Double>())
        var total = 0.0
        var gradient = SIMD4<Double>()
        for d in data {
            let x = d.x
            if x != lastX {
                head = Special.logGamma(r + x) + constant
                dHeadR = Special.digamma(r + x)
                lastX = x
                lastTx = -1
            }
            let lAT = log(alpha + d.T), lBT = log(beta + d.T)
            let alive = -(r + x) * lAT - s * lBT
            let dAlive = SIMD4<Double>(-lAT, -(r + x) / (alpha + d.T), -lBT, -s / (beta + d.T))
            var lA0 = -Double.infinity
            var dLA0 = SIMD4<Double>()
            if usesQuadrature(tx: d.tx) {
                (lA0, dLA0) = logA0ByQuadrature(x: x, tx: d.tx, T: d.T)
            } else {
                if d.tx != lastTx {
                    txTerm = logA0TermAndGradient(x: x, t: d.tx)
                    lastTx = d.tx
                }
                let tTerm = logA0TermAndGradient(x: x, t: d.T)
                if tTerm.value < txTerm.value {
                    // ln A₀ = ln(e^F₁ − e^F₂); its gradient (∇F₁ − e^(F₂−F₁)∇F₂)/(1 − e^(F₂−F₁)).
                    let ratio = exp(tTerm.value - txTerm.value)
                    lA0 = Special.logDiffExp(txTerm.value, tTerm.value)
                    dLA0 = (txTerm.gradient - ratio * tTerm.gradient) / (1 - ratio)
                }
            }
            var ll = alive
            var g = dAlive
            if lA0 > -.infinity {
                let lead = log(s) - log(r + s + x)
                let dropped = lead + lA0
                let dDropped = dLA0 + SIMD4<Double>(-1 / (r + s + x), 0, 1 / s - 1 / (r + s + x), 0)
                ll = Special.logAddExp(alive, dropped)
                g = exp(alive - ll) * dAlive + exp(dropped - ll) * dDropped
            }
            total += d.weight * (head + ll)
            gradient += d.weight * (dConstant + SIMD4<Double>(dHeadR, 0, 0, 0) + g)
        }
        return (total, gradient)
    }
}

extension Special {
    /// ln ₂F₁(a, b; a+1; z) and its partial derivatives in a, b and z, from the same Euler-
    /// transformed series as ``logHypergeometricPareto(a:b:z:)``: with c = a+1−b, d = a+1 and
    /// terms Tₖ = Π_{j<k} (c+j)/(d+j) · zᵏ, ∂ln Tₖ/∂c = Σ_{j<k} 1/(c+j), ∂ln Tₖ/∂d = −Σ_{j<k} 1/(d+j)
    /// and ∂ln Tₖ/∂z = k/z, summed alongside the terms.
    static func logHypergeometricParetoAndGradient(a: Double, b: Double, z: Double, maxTerms: Int = 200_000)
        -> (value: Double, da: Double, db: Double, dz: Double)?
    {
        let c = a + 1 - b, d = a + 1
        if z <= 0 { return (0, 0, 0, -(1 - b) + c / d) }
        var term = 1.0, sum = 1.0
        var harmonicC = 0.0, harmonicD = 0.0
        var sumC = 0.0, sumD = 0.0, sumK = 0.0
        var converged = false
        for n in 0..<maxTerms {
            let k = Double(n)
            harmonicC += 1 / (c + k)
            harmonicD += 1 / (d + k)
            term *= (c + k) / (d + k) * z
            sum += term
            sumC += term * harmonicC
            sumD += term * harmonicD
            sumK += term * (k + 1)
            if term * (k + 2 + harmonicC + harmonicD) <= 1e-16 * sum && term * (k + 1) <= 1e-15 * sumK {
                converged = true
                break
            }
        }
        guard converged else { return nil }
        let l1z = log1p(-z)
        return ((1 - b) * l1z + log(sum), (sumC - sumD) / sum, -l1z - sumC / sum, -(1 - b) / (1 - z) + sumK / (z * sum))
    }
}
