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
    /// Expected purchase days over the CLV's horizon (`clv.horizon_months`).
    public var expectedPurchasesCLVHorizon: Double
    /// P(no purchase in the next `churn.horizon_days`) from the purchase model.
    public var probabilityNoPurchase: Double
    /// Expected spend per future purchase day (``SpendEstimate``) and where it came from.
    public var expectedSpend: Double
    public var spendSource: SpendEstimate.Source
    /// Discounted lifetime value over `clv.horizon_months`, after margin (a revenue CLV when
    /// `margin` is nil).
    public var clv: Double
    /// The margin rate applied: the account's own cost history, else `clv.margin`; nil without
    /// either.
    public var margin: Double?
    /// The 80 % intervals (``ValueIntervals``); nil when `clv.interval_draws` is 0.
    public var interval: ValueIntervals.Interval?
    public var confidence: ValueConfidence
}

/// How far an account's value figures can be trusted, from its history and the fit
/// (README, Models): `high` with at least 10 repeat purchase days over at least a year and a fit
/// whose status is `converged`; `low` with at most one repeat purchase day, under 91 days of
/// history, or an unusable fit; `medium` otherwise.
public enum ValueConfidence: String, Sendable, Hashable {
    case low, medium, high

    init(repeatDays x: Int, ageDays: Int, fit: FitDiagnostics) {
        if x <= 1 || ageDays < 91 || !fit.isUsable {
            self = .low
        } else if x >= 10 && ageDays >= 365 && fit.status == "converged" {
            self = .high
        } else {
            self = .medium
        }
    }
}

/// The value stage's result: fits with diagnostics and every purchaser's value columns.
public struct ValueResult: Sendable {
    /// The purchase models fitted: both under `clv.model: auto`; a configured one alone, unless
    /// its fit is not usable and the other is fitted as its fallback.
    public var bgnbd: BGNBDModel?
    public var bgnbdFit: FitDiagnostics?
    public var pareto: ParetoNBDModel?
    public var paretoFit: FitDiagnostics?
    public var gammaGamma: GammaGammaModel
    public var gammaGammaFit: FitDiagnostics
    /// The purchase model whose predictions fill the account columns.
    public var modelUsed: CLVSettings.Model
    /// Why that model (config, `auto`'s comparison, or a fallback).
    public var modelReason: String
    public var spendPolicy: String
    /// How the intervals were drawn, for the manifest (nil without intervals).
    public var intervalPolicy: String?
    public var accounts: [String: AccountValue]

    /// The fitted purchase model in use (always one of those fitted).
    public var model: PurchaseModel { modelUsed == .paretoNBD ? .paretoNBD(pareto!) : .bgnbd(bgnbd!) }
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
        // The fits are independent: run them side by side. A configured purchase model is
        // fitted alone; the other only when the configured fit is not usable (its fallback).
        let configured: CLVSettings.Model? = config.clv.model == .auto ? nil : config.clv.model
        let first: [FitBox.Kind] = configured.map { [$0 == .bgnbd ? .bg : .pareto, .gg] } ?? [.bg, .pareto, .gg]
        var fits = parallelMap(first.count, threads: max(1, min(first.count, threads))) {
            FitBox.fit(first[$0], inputs: inputs, spend: spend, threads: threads)
        }
        if let configured, let fit = fits[0].diagnostics, !fit.isUsable {
            fits.append(FitBox.fit(configured == .bgnbd ? .pareto : .bg, inputs: inputs, spend: spend, threads: threads))
        }
        var bgnbd: (BGNBDModel, FitDiagnostics)?, pareto: (ParetoNBDModel, FitDiagnostics)?
        var gammaGamma: (GammaGammaModel, FitDiagnostics)?
        for fit in fits {
            switch fit {
            case .bg(let m, let d): bgnbd = (m, d)
            case .pareto(let m, let d): pareto = (m, d)
            case .gg(let m, let d): gammaGamma = (m, d)
            }
        }
        guard let (gg, ggFit) = gammaGamma else { fatalError("the spend model is always fitted") }
        let (used, reason) = chooseModel(config.clv, bgFit: bgnbd?.1, paretoFit: pareto?.1)
        // The model chosen is always one of those fitted.
        let (model, chosenFit): (PurchaseModel, FitDiagnostics) =
            used == .bgnbd ? (.bgnbd(bgnbd!.0), bgnbd!.1) : (.paretoNBD(pareto!.0), pareto!.1)
        let spendEstimate = SpendEstimate(gammaGamma: gg, fit: ggFit, repeatBuyers: spend)
        let horizon = Double(config.churn.horizonDays) / unit.days
        let monthInUnit = (365.25 / 12) / unit.days
        let clvSettings = config.clv
        let intervals =
            clvSettings.intervalDraws > 0
            ? ValueIntervals(
                model: model, fit: chosenFit, spend: spendEstimate, spendFit: ggFit, horizon: Double(clvSettings.horizonMonths) * monthInUnit,
                churnHorizon: horizon, monthInUnit: monthInUnit, monthlyDiscountRate: clvSettings.monthlyDiscountRate, draws: clvSettings.intervalDraws)
            : nil
        let values = parallelMap(summaries.count, threads: threads) { i -> AccountValue in
            let s = summaries[i]
            let x = Double(s.frequency), tx = s.recency(in: unit), T = s.age(asOf: asOf, in: unit)
            let m = s.meanRepeatSpend ?? 0
            let (em, spendSource) = spendEstimate.expected(x: x, meanSpend: m)
            // The account's own margin where every line so far had a cost, else the configured
            // one, else none: a revenue CLV (margin 1) that the profit columns do not use.
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
                expectedPurchases: model.expected(t: horizon, x: x, tx: tx, T: T), expectedPurchasesCLVHorizon: previous,
                probabilityNoPurchase: model.noPurchase(t: horizon, x: x, tx: tx, T: T),
                expectedSpend: em, spendSource: spendSource, clv: finite((margin ?? 1) * clv), margin: margin,
                interval: intervals?.interval(accountId: s.accountId, x: x, tx: tx, T: T, meanSpend: m, margin: margin ?? 1),
                confidence: ValueConfidence(repeatDays: s.frequency, ageDays: asOf - s.firstPurchase, fit: chosenFit))
        }
        var byAccount: [String: AccountValue] = [:]
        byAccount.reserveCapacity(values.count)
        var bySource: [SpendEstimate.Source: Int] = [:]
        for v in values {
            byAccount[v.summary.accountId] = v
            bySource[v.spendSource, default: 0] += 1
        }
        let spendPolicy = spendEstimate.description + "; accounts by source: "
            + [SpendEstimate.Source.gammaGamma, .credibility, .population].map { "\($0.rawValue) \(bySource[$0] ?? 0)" }.joined(separator: ", ")
        return ValueResult(
            bgnbd: bgnbd?.0, bgnbdFit: bgnbd?.1, pareto: pareto?.0, paretoFit: pareto?.1, gammaGamma: gg, gammaGammaFit: ggFit,
            modelUsed: used, modelReason: reason, spendPolicy: spendPolicy,
            intervalPolicy: intervals.map {
                "80 % intervals: 10th and 90th percentiles of \(ValueIntervals.parameterSets * $0.drawsPerSet) posterior-predictive draws per account (\(ValueIntervals.parameterSets) parameter sets × \($0.drawsPerSet) futures); \($0.parameterNote)"
            }, accounts: byAccount)
    }

    enum FitBox: Sendable {
        case bg(BGNBDModel, FitDiagnostics)
        case pareto(ParetoNBDModel, FitDiagnostics)
        case gg(GammaGammaModel, FitDiagnostics)

        enum Kind: Sendable { case bg, pareto, gg }

        static func fit(_ kind: Kind, inputs: [ModelInput], spend: [(x: Double, m: Double, weight: Double)], threads: Int) -> FitBox {
            switch kind {
            case .bg: let (m, d) = ModelFitter.fitBGNBD(inputs, threads: threads); return .bg(m, d)
            case .pareto: let (m, d) = ModelFitter.fitParetoNBD(inputs, threads: threads); return .pareto(m, d)
            case .gg: let (m, d) = ModelFitter.fitGammaGamma(spend, threads: threads); return .gg(m, d)
            }
        }

        var diagnostics: FitDiagnostics? {
            switch self {
            case .bg(_, let d), .pareto(_, let d): return d
            case .gg: return nil
            }
        }
    }

    static func spendInputs(_ summaries: [RepeatPurchaseSummary]) -> [(x: Double, m: Double, weight: Double)] {
        summaries.compactMap { s in
            guard let m = s.meanRepeatSpend, m > 0 else { return nil }
            return (Double(s.frequency), m, 1.0)
        }
    }

    /// The configured model, or under `auto` (the default) the better log-likelihood: both
    /// purchase models have four parameters, so this is also the lower AIC and BIC. A usable fit
    /// beats an unusable one whatever the likelihoods; a configured model that is not usable
    /// falls back to the other when that one is usable. The reason says which rule decided and
    /// whether the model was configured or the default. A configured model's fit is always
    /// given; the other's only when it was fitted (under `auto`, or as the fallback).
    static func chooseModel(_ settings: CLVSettings, bgFit: FitDiagnostics?, paretoFit: FitDiagnostics?) -> (CLVSettings.Model, String) {
        let origin = settings.modelConfigured ? "configured (clv.model: \(settings.model.rawValue))" : "default (clv.model: auto)"
        func flagged(_ d: FitDiagnostics) -> String { d.status == "converged" ? "" : " [fit \(d.status.replacingOccurrences(of: "_", with: " ")): \(d.evidence)]" }
        switch settings.model {
        case .bgnbd:
            let bgFit = bgFit!
            if !bgFit.isUsable && paretoFit?.isUsable == true { return (.paretoNBD, "\(origin); BG/NBD fit not usable (\(bgFit.problem!)), Pareto/NBD used instead") }
            return (.bgnbd, bgFit.isUsable ? origin + flagged(bgFit) : "\(origin); neither fit is usable (\(bgFit.problem!)), BG/NBD used as fitted")
        case .paretoNBD:
            let paretoFit = paretoFit!
            if !paretoFit.isUsable && bgFit?.isUsable == true { return (.bgnbd, "\(origin); Pareto/NBD fit not usable (\(paretoFit.problem!)), BG/NBD used instead") }
            return (.paretoNBD, paretoFit.isUsable ? origin + flagged(paretoFit) : "\(origin); neither fit is usable (\(paretoFit.problem!)), Pareto/NBD used as fitted")
        case .auto:
            let bgFit = bgFit!, paretoFit = paretoFit!
            if bgFit.isUsable != paretoFit.isUsable {
                return bgFit.isUsable ? (.bgnbd, "\(origin): only the BG/NBD fit is usable" + flagged(bgFit)) : (.paretoNBD, "\(origin): only the Pareto/NBD fit is usable" + flagged(paretoFit))
            }
            let better: CLVSettings.Model = bgFit.logLikelihood >= paretoFit.logLikelihood ? .bgnbd : .paretoNBD
            let rule = String(
                format: "%@: higher log-likelihood, both models having four parameters (BG/NBD %.2f, Pareto/NBD %.2f)", origin, bgFit.logLikelihood,
                paretoFit.logLikelihood)
            return (better, rule + flagged(better == .bgnbd ? bgFit : paretoFit))
        }
    }
}

@inline(__always) func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
