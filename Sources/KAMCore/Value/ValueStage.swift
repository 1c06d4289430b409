import CSVIO
import Foundation

/// One account's value columns.
public struct AccountValue: Sendable, Hashable {
    public var summary: RepeatPurchaseSummary
    /// x, t_x, T in the model's unit.
    public var frequency: Double
    public var recency: Double
    public var age: Double
    /// Mean net repeat-day spend (0 without repeat purchases).
    public var monetary: Double
    public var pAlive: Double
    /// Expected purchase days in the next `churn.horizon_days`.
    public var expectedPurchases: Double
    /// P(no purchase in the next `churn.horizon_days`) from the purchase model.
    public var probabilityNoPurchase: Double
    /// E(M | x, m̄), Gamma-Gamma.
    public var expectedSpend: Double
    /// Discounted lifetime value over `clv.horizon_months`, after margin.
    public var clv: Double
    public var margin: Double
}

/// The value stage's result: fits with diagnostics and every purchaser's value columns.
public struct ValueResult: Sendable {
    public var bgnbd: BGNBDModel
    public var bgnbdFit: FitDiagnostics
    public var pareto: ParetoNBDModel
    public var paretoFit: FitDiagnostics
    public var gammaGamma: GammaGammaModel
    public var gammaGammaFit: FitDiagnostics
    /// The purchase model whose predictions fill the account columns.
    public var modelUsed: CLVSettings.Model
    /// Why that model (config, `auto`'s comparison, or a fallback).
    public var modelReason: String
    public var spendPolicy: String
    public var accounts: [String: AccountValue]
}

/// A fitted purchase model, either kind, behind one interface.
public enum PurchaseModel: Sendable {
    case bgnbd(BGNBDModel)
    case paretoNBD(ParetoNBDModel)

    public func pAlive(x: Double, tx: Double, T: Double) -> Double {
        switch self {
        case .bgnbd(let m): return m.probabilityAlive(x: x, tx: tx, T: T)
        case .paretoNBD(let m): return m.probabilityAlive(x: x, tx: tx, T: T)
        }
    }

    public func expected(t: Double, x: Double, tx: Double, T: Double) -> Double {
        switch self {
        case .bgnbd(let m): return m.conditionalExpectedPurchases(t: t, x: x, tx: tx, T: T)
        case .paretoNBD(let m): return m.conditionalExpectedPurchases(t: t, x: x, tx: tx, T: T)
        }
    }

    public func noPurchase(t: Double, x: Double, tx: Double, T: Double) -> Double {
        switch self {
        case .bgnbd(let m): return m.probabilityNoPurchase(t: t, x: x, tx: tx, T: T)
        case .paretoNBD(let m): return m.probabilityNoPurchase(t: t, x: x, tx: tx, T: T)
        }
    }
}

public enum ValueStage {
    /// Summaries as of `asOf` for every account with a purchase day by then.
    public static func summaries(_ histories: [AccountHistory], asOf: Day) -> [RepeatPurchaseSummary] {
        histories.compactMap { RepeatPurchaseSummary(history: $0, asOf: asOf) }
    }

    public static func run(
        histories: [AccountHistory], asOf: Day, config: PipelineConfig, threads: Int
    ) -> ValueResult {
        let unit = config.timeUnit
        let summaries = summaries(histories, asOf: asOf)
        let inputs = ModelInput.collapse(summaries.map { (Double($0.frequency), $0.recency(in: unit), $0.age(asOf: asOf, in: unit)) })
        let spend = spendInputs(summaries)
        // The three fits are independent: run them side by side.
        let fits = parallelMap(3, threads: max(1, min(3, threads))) { i -> FitBox in
            switch i {
            case 0: let (m, d) = ModelFitter.fitBGNBD(inputs, threads: threads); return .bg(m, d)
            case 1: let (m, d) = ModelFitter.fitParetoNBD(inputs, threads: threads); return .pareto(m, d)
            default: let (m, d) = ModelFitter.fitGammaGamma(spend, threads: threads); return .gg(m, d)
            }
        }
        guard case .bg(let bg, let bgFit) = fits[0], case .pareto(let pn, let pnFit) = fits[1], case .gg(let gg, let ggFit) = fits[2] else {
            fatalError("fit order")
        }
        let (used, reason) = chooseModel(config.clv.model, bgFit: bgFit, paretoFit: pnFit)
        let model: PurchaseModel = used == .bgnbd ? .bgnbd(bg) : .paretoNBD(pn)
        let populationSpend = ggFit.isUsable ? gg.populationMean : observedMeanSpend(spend)
        let spendPolicy =
            ggFit.isUsable
            ? "Gamma-Gamma E(M|x, m̄) on mean net repeat-day spend; accounts without a positive mean (\(summaries.count - spend.count)) get the population mean \(String(format: "%.2f", populationSpend))"
            : "Gamma-Gamma fit not usable (\(ggFit.problem ?? "")): each repeat buyer's own mean net repeat-day spend, others the observed mean \(String(format: "%.2f", populationSpend))"
        let horizon = Double(config.churn.horizonDays) / unit.days
        let monthInUnit = (365.25 / 12) / unit.days
        let clvSettings = config.clv
        let values = parallelMap(summaries.count, threads: threads) { i -> AccountValue in
            let s = summaries[i]
            let x = Double(s.frequency), tx = s.recency(in: unit), T = s.age(asOf: asOf, in: unit)
            let m = s.meanRepeatSpend ?? 0
            let em: Double
            if m > 0 && ggFit.isUsable {
                em = gg.expectedSpend(x: x, meanSpend: m)
            } else if m > 0 {
                em = m
            } else {
                em = populationSpend
            }
            var margin = clvSettings.margin
            if let cost = s.cost, s.revenue.units > 0 {
                margin = min(1, max(0, (s.revenue - cost).double / s.revenue.double))
            }
            var clv = 0.0
            var previous = 0.0
            if clvSettings.horizonMonths > 0 {
                for month in 1...clvSettings.horizonMonths {
                    let e = model.expected(t: Double(month) * monthInUnit, x: x, tx: tx, T: T)
                    clv += em * (e - previous) / pow(1 + clvSettings.monthlyDiscountRate, Double(month))
                    previous = e
                }
            }
            return AccountValue(
                summary: s, frequency: x, recency: tx, age: T, monetary: m, pAlive: model.pAlive(x: x, tx: tx, T: T),
                expectedPurchases: model.expected(t: horizon, x: x, tx: tx, T: T),
                probabilityNoPurchase: model.noPurchase(t: horizon, x: x, tx: tx, T: T),
                expectedSpend: em, clv: finite(margin * clv), margin: margin)
        }
        var byAccount: [String: AccountValue] = [:]
        for v in values { byAccount[v.summary.accountId] = v }
        return ValueResult(
            bgnbd: bg, bgnbdFit: bgFit, pareto: pn, paretoFit: pnFit, gammaGamma: gg, gammaGammaFit: ggFit,
            modelUsed: used, modelReason: reason, spendPolicy: spendPolicy, accounts: byAccount)
    }

    enum FitBox: Sendable {
        case bg(BGNBDModel, FitDiagnostics)
        case pareto(ParetoNBDModel, FitDiagnostics)
        case gg(GammaGammaModel, FitDiagnostics)
    }

    static func spendInputs(_ summaries: [RepeatPurchaseSummary]) -> [(x: Double, m: Double, weight: Double)] {
        summaries.compactMap { s in
            guard let m = s.meanRepeatSpend, m > 0 else { return nil }
            return (Double(s.frequency), m, 1.0)
        }
    }

    static func observedMeanSpend(_ spend: [(x: Double, m: Double, weight: Double)]) -> Double {
        spend.isEmpty ? 0 : spend.reduce(0) { $0 + $1.m } / Double(spend.count)
    }

    /// The configured model, or under `auto` the better log-likelihood; an unusable fit falls
    /// back to the other model when that one is usable.
    static func chooseModel(_ wanted: CLVSettings.Model, bgFit: FitDiagnostics, paretoFit: FitDiagnostics) -> (CLVSettings.Model, String) {
        switch wanted {
        case .bgnbd:
            if !bgFit.isUsable && paretoFit.isUsable { return (.paretoNBD, "fallback: BG/NBD fit not usable (\(bgFit.problem!)); Pareto/NBD used") }
            return (.bgnbd, bgFit.isUsable ? "configured (clv.model: bgnbd)" : "configured; both fits flagged (\(bgFit.problem!)), BG/NBD used as fitted")
        case .paretoNBD:
            if !paretoFit.isUsable && bgFit.isUsable { return (.bgnbd, "fallback: Pareto/NBD fit not usable (\(paretoFit.problem!)); BG/NBD used") }
            return (.paretoNBD, paretoFit.isUsable ? "configured (clv.model: pareto_nbd)" : "configured; both fits flagged (\(paretoFit.problem!)), Pareto/NBD used as fitted")
        case .auto:
            if bgFit.isUsable != paretoFit.isUsable {
                return bgFit.isUsable ? (.bgnbd, "auto: only the BG/NBD fit is usable") : (.paretoNBD, "auto: only the Pareto/NBD fit is usable")
            }
            let better: CLVSettings.Model = bgFit.logLikelihood >= paretoFit.logLikelihood ? .bgnbd : .paretoNBD
            return (better, String(format: "auto: better log-likelihood (BG/NBD %.2f, Pareto/NBD %.2f)", bgFit.logLikelihood, paretoFit.logLikelihood))
        }
    }
}

@inline(__always) func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
