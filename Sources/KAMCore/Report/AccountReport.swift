import Foundation

/// One row of `ranked_accounts.csv`: every stage's columns for one account.
public struct AccountReportRow: Sendable {
    public var segment: AccountSegment
    public var value: AccountValue?
    public var churn: AccountChurn?
    public var tier: ValueTier
    public var action: String
    /// Survey scores (0–100) and complaints of the last 12 months, for the KPI tables.
    public var satisfactionSum = 0.0
    public var satisfactionCount = 0
    public var complaints12m = 0
    public var resolutionDaysSum = 0.0
    public var resolutionCount = 0

    public var accountId: String { segment.accountId }
    public var revenue12m: Money { segment.activity.revenue12m }
    public var revenuePrior12m: Money { segment.activity.revenuePrior12m }
    public var isActive: Bool { segment.activity.purchaseDays12m > 0 }
}

/// Joins the stages' outputs into the ranked account table.
public enum AccountReport {
    public static func build(
        clean: CleanData, segments: [AccountSegment], decisions: [String: AccountDecision], value: ValueResult?, churn: ChurnResult?,
        config: PipelineConfig
    ) -> [AccountReportRow] {
        var rows: [AccountReportRow] = segments.map { s in
            let decision = decisions[s.accountId] ?? AccountDecision(tier: .C, action: "")
            var row = AccountReportRow(
                segment: s, value: value?.accounts[s.accountId], churn: churn?.accounts[s.accountId], tier: decision.tier,
                action: decision.action)
            for i in clean.interactions[s.accountId] ?? [] where config.asOf - i.day < 365 {
                if let sat = i.satisfaction {
                    row.satisfactionSum += sat
                    row.satisfactionCount += 1
                }
                if i.type == .complaint {
                    row.complaints12m += 1
                    if let r = i.resolutionDays {
                        row.resolutionDaysSum += r
                        row.resolutionCount += 1
                    }
                }
            }
            return row
        }
        rows.sort { a, b in
            func key(_ r: AccountReportRow) -> (Double, Double) {
                switch config.report.rankBy {
                case .clv: return (r.value?.clv ?? -.infinity, r.revenue12m.double)
                case .revenue12m: return (r.revenue12m.double, r.value?.clv ?? -.infinity)
                case .churnRisk: return (r.churn?.chosen ?? -.infinity, r.revenue12m.double)
                }
            }
            let ka = key(a), kb = key(b)
            if ka.0 != kb.0 { return ka.0 > kb.0 }
            if ka.1 != kb.1 { return ka.1 > kb.1 }
            return a.accountId < b.accountId
        }
        return rows
    }

    static let columns = [
        "rank", "account_id", "account_name", "industry", "region", "size", "account_manager", "tier", "lifecycle",
        "rfm_r", "rfm_f", "rfm_m", "rfm_segment", "first_purchase", "last_purchase", "frequency", "recency", "age",
        "monetary", "revenue_total", "revenue_12m", "revenue_prior_12m", "p_alive", "expected_purchases", "expected_spend",
        "clv", "churn_probability", "churn_probability_model", "churn_probability_supervised", "churn_risk",
        "churn_drivers", "recommended_action", "currency", "time_unit",
    ]
    static let textColumns: Set<String> = [
        "account_id", "account_name", "industry", "region", "size", "account_manager", "tier", "lifecycle", "rfm_segment",
        "first_purchase", "last_purchase", "churn_risk", "churn_drivers", "recommended_action", "currency", "time_unit",
    ]

    static func csv(_ rows: [AccountReportRow], config: PipelineConfig) -> [UInt8] {
        var w = CSVWriterProxy(columns: columns, text: textColumns, bom: config.report.excelBOM)
        for (i, r) in rows.enumerated() {
            let s = r.segment, v = r.value, c = r.churn
            w.append([
                String(i + 1), s.accountId, s.name, s.industry, s.region, s.size, s.accountManager, r.tier.rawValue,
                s.lifecycle.rawValue, s.rfm.map { String($0.r) } ?? "", s.rfm.map { String($0.f) } ?? "",
                s.rfm.map { String($0.m) } ?? "", s.rfmSegment, s.activity.firstPurchase?.iso ?? "",
                s.activity.lastPurchase?.iso ?? "", v.map { String(Int($0.frequency)) } ?? "",
                CSVFormat.optional(v?.recency, 4), CSVFormat.optional(v?.age, 4), CSVFormat.optional(v?.monetary, 2),
                s.activity.revenueTotal.formatted, s.activity.revenue12m.formatted, s.activity.revenuePrior12m.formatted,
                CSVFormat.optional(v?.pAlive, 4), CSVFormat.optional(v?.expectedPurchases, 4),
                CSVFormat.optional(v?.expectedSpend, 2), CSVFormat.optional(v?.clv, 2), CSVFormat.optional(c?.chosen, 4),
                CSVFormat.optional(c?.model, 4), CSVFormat.optional(c?.supervised, 4), c?.risk.rawValue ?? "",
                c?.drivers ?? "", r.action, config.baseCurrency, config.timeUnit.rawValue,
            ])
        }
        return w.bytes
    }
}
