import CSVIO
import Foundation

/// Churn risk bands with the thresholds of the pipeline file: low below `mediumFrom`, medium
/// from `mediumFrom` (inclusive) below `highFrom`, high from `highFrom` (inclusive).
public enum ChurnRiskBand: String, Sendable, Hashable, Codable, CaseIterable {
    case low, medium, high

    public init(probability p: Double, settings: ChurnSettings) {
        self = p >= settings.highFrom ? .high : (p >= settings.mediumFrom ? .medium : .low)
    }
}

/// One account's churn columns.
public struct AccountChurn: Sendable, Hashable {
    public var model: Double
    public var supervised: Double?
    public var chosen: Double
    public var risk: ChurnRiskBand
    /// The reasons behind the risk (``ChurnDrivers``), printed in English and Chinese.
    var driverList: [ChurnDriver]
    /// The reasons as printed: once, on the churn stage's threads, rather than by every file
    /// that shows them.
    public let drivers: String
    public let driversChinese: String

    init(model: Double, supervised: Double?, chosen: Double, risk: ChurnRiskBand, driverList: [ChurnDriver]) {
        self.model = model
        self.supervised = supervised
        self.chosen = chosen
        self.risk = risk
        self.driverList = driverList
        drivers = driverList.map { $0.text(.english) }.joined(separator: "; ")
        driversChinese = driverList.map { $0.text(.chinese) }.joined(separator: "；")
    }
}

public struct ChurnResult: Sendable {
    public var accounts: [String: AccountChurn]
    public var used: ChurnSettings.Use
    public var reason: String
    public var trainingDay: Day
    public var trainingAccounts: Int
    public var trainingChurned: Int
    /// On the held-out quarter of the training accounts.
    public var modelHoldout: ChurnMetrics?
    public var supervisedHoldout: ChurnMetrics?
    public var coefficients: [(String, Double)]
    public var supervisedAvailable: Bool
}

/// Churn stage: the purchase model's P(no purchase in the horizon), and a logistic regression
/// trained on a time split (features as of as_of − H, label: no purchase in (as_of − H, as_of]).
public enum ChurnStage {
    public static func run(clean: CleanData, value: ValueResult, asOf: Day, config: PipelineConfig, threads: Int) -> ChurnResult {
        let settings = config.churn
        let horizon = settings.horizonDays
        let trainDay = asOf - horizon
        let unit = config.timeUnit
        let builder = ChurnFeatureBuilder(
            histories: clean.historiesById, contacts: clean.contacts, useInteractions: clean.hasInteractionsInput, unit: unit, horizonDays: horizon)

        // The purchase model as it would have been fitted at the training cut.
        let trainSummaries = ValueStage.summaries(clean.histories, asOf: trainDay)
        let trainInputs = ModelInput.collapse(trainSummaries.map { (Double($0.frequency), $0.recency(in: unit), $0.age(asOf: trainDay, in: unit)) })
        let trainModel: PurchaseModel
        if value.modelUsed == .paretoNBD {
            trainModel = .paretoNBD(ModelFitter.fitParetoNBD(trainInputs, threads: threads).0)
        } else {
            trainModel = .bgnbd(ModelFitter.fitBGNBD(trainInputs, threads: threads).0)
        }
        let trainIds = trainSummaries.map(\.accountId)
        let trainRows = parallelMap(trainIds.count, threads: threads) { i -> (ChurnFeatureRow, Bool, Double) in
            let id = trainIds[i]
            let row = builder.row(id, asOf: trainDay, model: trainModel)!
            let churned = !clean.historiesById[id]!.bought(after: trainDay, through: asOf)
            let s = trainSummaries[i]
            let modelScore = trainModel.noPurchase(
                t: Double(horizon) / unit.days, x: Double(s.frequency), tx: s.recency(in: unit), T: s.age(asOf: trainDay, in: unit))
            return (row, churned, modelScore)
        }
        let churnedCount = trainRows.filter(\.1).count
        let retainedCount = trainRows.count - churnedCount

        // Impute missing values with the training means; drop constant columns.
        let allNames = builder.names
        var means = Array(repeating: 0.0, count: allNames.count)
        for j in allNames.indices {
            let present = trainRows.map { $0.0.values[j] }.filter { !$0.isNaN }
            means[j] = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
        }
        let imputeMeans = means
        @Sendable func impute(_ v: [Double]) -> [Double] { v.enumerated().map { $0.element.isNaN ? imputeMeans[$0.offset] : $0.element } }
        let imputed = trainRows.map { impute($0.0.values) }
        let keep = allNames.indices.filter { j in
            guard let first = imputed.first?[j] else { return false }
            return imputed.contains { abs($0[j] - first) > 1e-12 }
        }
        let names = keep.map { allNames[$0] }
        @Sendable func select(_ v: [Double]) -> [Double] { keep.map { v[$0] } }
        let x = imputed.map(select)
        let y = trainRows.map { $0.1 ? 1.0 : 0.0 }

        var supervised: LogisticRegression?
        var modelHoldout: ChurnMetrics?
        var supervisedHoldout: ChurnMetrics?
        let enough = churnedCount >= 50 && retainedCount >= 50
        if churnedCount > 0 && retainedCount > 0 && !names.isEmpty {
            let holdout = trainIds.indices.filter { isHoldout(trainIds[$0]) }
            let fitPart = trainIds.indices.filter { !isHoldout(trainIds[$0]) }
            if !holdout.isEmpty && fitPart.count > names.count {
                let lr = LogisticRegression.fit(
                    names: names, rows: fitPart.map { x[$0] }, labels: fitPart.map { y[$0] }, l2: settings.l2, threads: threads)
                let labels = holdout.map { trainRows[$0].1 }
                supervisedHoldout = ChurnMetrics(scores: holdout.map { lr.probability(x[$0]) }, churned: labels)
                modelHoldout = ChurnMetrics(scores: holdout.map { trainRows[$0].2 }, churned: labels)
            }
            supervised = LogisticRegression.fit(names: names, rows: x, labels: y, l2: settings.l2, threads: threads)
        }

        let used: ChurnSettings.Use
        let reason: String
        let supAUC = supervisedHoldout?.auc, modAUC = modelHoldout?.auc
        switch settings.use {
        case .model:
            used = .model
            reason = "configured (churn.use: model)"
        case .supervised:
            used = supervised == nil ? .model : .supervised
            reason = supervised == nil ? "configured supervised, but no training data with both outcomes: model-based used" : "configured (churn.use: supervised)"
        case .auto:
            if !enough {
                used = .model
                reason = "auto: the training split has \(churnedCount) churned and \(retainedCount) retained accounts (needs ≥ 50 of each)"
            } else if let supAUC, let modAUC, supAUC > modAUC {
                used = .supervised
                reason = String(format: "auto: supervised hold-out AUC %.4f beats model-based %.4f", supAUC, modAUC)
            } else {
                used = .model
                reason = String(format: "auto: supervised hold-out AUC %.4f does not beat model-based %.4f", supAUC ?? 0, modAUC ?? 0)
            }
        }

        // Score every purchaser as of as_of.
        let finalModel = supervised
        let model = value.model
        let ids = value.accounts.keys.sorted()
        let scored = parallelMap(ids.count, threads: threads) { i -> (String, AccountChurn) in
            let id = ids[i]
            let v = value.accounts[id]!
            let row = builder.row(id, asOf: asOf, model: model)!
            var sup: Double?
            var contributions: [Double] = []
            var standardised: [Double] = []
            if let supervised = finalModel {
                let features = select(impute(row.values))
                sup = supervised.probability(features)
                contributions = supervised.contributions(features)
                standardised = supervised.standardised(features)
            }
            let chosen = used == .supervised ? (sup ?? v.probabilityNoPurchase) : v.probabilityNoPurchase
            let risk = ChurnRiskBand(probability: chosen, settings: settings)
            let found =
                used == .supervised
                ? ChurnDrivers.supervised(row: row, names: names, contributions: contributions, standardised: standardised, horizonDays: horizon)
                : ChurnDrivers.modelBased(row: row, horizonDays: horizon)
            let drivers = ChurnDrivers.final(found, risk: risk, probability: chosen, horizonDays: horizon)
            return (id, AccountChurn(model: v.probabilityNoPurchase, supervised: sup, chosen: chosen, risk: risk, driverList: drivers))
        }
        return ChurnResult(
            accounts: Dictionary(uniqueKeysWithValues: scored), used: used, reason: reason, trainingDay: trainDay,
            trainingAccounts: trainRows.count, trainingChurned: churnedCount, modelHoldout: modelHoldout,
            supervisedHoldout: supervisedHoldout,
            coefficients: supervised.map { lr in [("intercept", lr.coefficients[0])] + zip(lr.names, lr.coefficients.dropFirst()).map { ($0, $1) } } ?? [],
            supervisedAvailable: supervised != nil)
    }

    /// A fixed quarter of accounts (by a stable hash of the id) is held out for the AUC check.
    static func isHoldout(_ id: String) -> Bool {
        var h = StableHash()
        h.add(id)
        return h.value % 4 == 0
    }
}
