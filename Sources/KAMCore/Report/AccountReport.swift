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

    static func table(_ rows: [AccountReportRow], config: PipelineConfig) -> ReportTable {
        var table = ReportTable(columns: columns, text: textColumns)
        for (i, r) in rows.enumerated() {
            let s = r.segment, v = r.value, c = r.churn
            table.append([
                .count(i + 1), .text(s.accountId), .text(s.name), .text(s.industry), .text(s.region), .text(s.size),
                .text(s.accountManager), .text(r.tier.rawValue), .text(s.lifecycle.rawValue), .count(s.rfm?.r), .count(s.rfm?.f),
                .count(s.rfm?.m), .text(s.rfmSegment), .date(s.activity.firstPurchase), .date(s.activity.lastPurchase),
                .count(v.map { Int($0.frequency) }), .measure(v?.recency, 4), .measure(v?.age, 4), .amount(v?.monetary),
                .money(s.activity.revenueTotal), .money(s.activity.revenue12m), .money(s.activity.revenuePrior12m),
                .probability(v?.pAlive), .measure(v?.expectedPurchases, 4), .amount(v?.expectedSpend), .amount(v?.clv),
                .probability(c?.chosen), .probability(c?.model), .probability(c?.supervised), .text(c?.risk.rawValue ?? ""),
                .text(c?.drivers ?? ""), .text(r.action), .text(config.baseCurrency), .text(config.timeUnit.rawValue),
            ])
        }
        return table
    }
}
