import CSVIO
import Foundation

/// One row of `ranked_accounts.csv`: every stage's columns for one account.
///
/// A class: the report's tables, the workbook, the review pack, the manifest and the history
/// all read the rows, and a row holds some twenty strings and arrays — copied as a value, it
/// was retained field by field at every sort, grouping and map (a tenth of a run's CPU).
public final class AccountReportRow: Sendable {
    public let segment: AccountSegment
    public let value: AccountValue?
    public let churn: AccountChurn?
    public let tier: ValueTier
    public let action: String
    public let relationship: AccountRelationship?
    public let profit: AccountProfit

    public init(
        segment: AccountSegment, value: AccountValue?, churn: AccountChurn?, tier: ValueTier, action: String,
        relationship: AccountRelationship? = nil, profit: AccountProfit = .none
    ) {
        self.segment = segment
        self.value = value
        self.churn = churn
        self.tier = tier
        self.action = action
        self.relationship = relationship
        self.profit = profit
    }

    public var accountId: String { segment.accountId }
    public var revenue12m: Money { segment.activity.revenue12m }
    public var revenuePrior12m: Money { segment.activity.revenuePrior12m }
    public var isActive: Bool { segment.activity.purchaseDays12m > 0 }
}

/// Joins the stages' outputs into the ranked account table.
public enum AccountReport {
    public static func build(
        clean: CleanData, segments: [AccountSegment], decisions: [String: AccountDecision], value: ValueResult?, churn: ChurnResult?,
        relationship: RelationshipResult?, config: PipelineConfig, threads: Int = 1
    ) -> [AccountReportRow] {
        let histories = clean.historiesById
        let profitRules = ProfitRules(config)
        let rows: [AccountReportRow] = parallelMap(segments.count, threads: threads) { i in
            let s = segments[i]
            let decision = decisions[s.accountId] ?? AccountDecision(tier: .C, action: "")
            let accountValue = value?.accounts[s.accountId]
            return AccountReportRow(
                segment: s, value: accountValue, churn: churn?.accounts[s.accountId], tier: decision.tier, action: decision.action,
                relationship: relationship?.accounts[s.accountId],
                profit: profitRules.profit(
                    history: histories[s.accountId], contacts: clean.contacts[s.accountId], costs: clean.serviceCosts[s.accountId],
                    value: accountValue, revenue12m: s.activity.revenue12m))
        }
        let keys = rows.map { r -> (Double, Double) in
            switch config.report.rankBy {
            case .clv: return (r.value?.clv ?? -.infinity, r.revenue12m.double)
            case .netCLV: return (r.profit.netCLV ?? -.infinity, r.value?.clv ?? -.infinity)
            case .revenue12m: return (r.revenue12m.double, r.value?.clv ?? -.infinity)
            case .churnRisk: return (r.churn?.chosen ?? -.infinity, r.revenue12m.double)
            }
        }
        let order = rows.indices.sorted { i, j in
            let ka = keys[i], kb = keys[j]
            if ka.0 != kb.0 { return ka.0 > kb.0 }
            if ka.1 != kb.1 { return ka.1 > kb.1 }
            return rows[i].accountId < rows[j].accountId
        }
        return order.map { rows[$0] }
    }

    /// `calls_90d`, `support_90d`, …: contacts of one type in the last 90 days.
    static func contactColumn(_ type: InteractionType) -> String {
        type == .support ? "support_90d" : "\(type.rawValue)s_90d"
    }
    /// `ranked_accounts.csv`: its rows made when they are written (``RowSource``), in rank order.
    static func table(_ rows: [AccountReportRow], config: PipelineConfig, baseline: TrendBaseline = .none) -> RowSource {
        RowSource(columns: ReportTable(specs: AccountColumns.specs(config)).columns, count: rows.count) { i in
            cells(rows[i], rank: i + 1, config: config, baseline: baseline)
        }
    }

    /// One account's cells, one per column of ``AccountColumns/specs(_:)``.
    static func cells(_ r: AccountReportRow, rank: Int, config: PipelineConfig, baseline: TrendBaseline) -> [ReportCell] {
        let s = r.segment, cutoff = config.asOf
        let identity: [ReportCell] = [
            .count(rank), .text(s.accountId), .text(s.name), .text(s.industry), .text(s.region), .text(s.size),
            .text(s.accountManager), .text(r.tier.rawValue), .text(s.lifecycle.rawValue), .count(s.rfm?.r), .count(s.rfm?.f),
            .count(s.rfm?.m), .text(s.rfmSegment), .date(s.activity.firstPurchase), .date(s.activity.lastPurchase),
            .count(s.activity.lastPurchase.map { cutoff - $0 }), .count(s.activity.firstPurchase == nil ? nil : s.activity.purchaseDays12m),
        ]
        let c = r.churn
        let churn: [ReportCell] = [
            .probability(c?.chosen), .probability(c?.model), .probability(c?.supervised), .text(c?.risk.rawValue ?? ""),
            .text(c?.drivers ?? ""), .text(c?.driversChinese ?? ""),
        ]
        return identity + valueCells(r) + churn + relationshipCells(r.relationship) + TrendTables.accountCells(r, baseline: baseline)
            + [.text(r.action), .text(config.baseCurrency), .text(config.timeUnit.rawValue)]
    }

    /// The purchase-model, CLV and profit columns of one row.
    static func valueCells(_ r: AccountReportRow) -> [ReportCell] {
        let v = r.value, s = r.segment
        let model: [ReportCell] = [
            .count(v.map { Int($0.frequency) }), .measure(v?.recency, 4), .measure(v?.age, 4),
            .amount(v.flatMap { $0.frequency > 0 ? $0.monetary : nil }),
            .money(s.activity.revenueTotal), .money(s.activity.revenue12m), .money(s.activity.revenuePrior12m),
            .probability(v?.pAlive), .measure(v?.expectedPurchases, 4), .measure(v?.expectedPurchasesCLVHorizon, 4),
            .amount(v?.expectedSpend),
        ]
        let clv: [ReportCell] = [
            .amount(v?.clv), .amount(v?.interval?.clvLow), .amount(v?.interval?.clvHigh),
            .measure(v?.interval?.purchasesLow, 1), .measure(v?.interval?.purchasesHigh, 1), .text(v?.confidence.rawValue ?? ""),
        ]
        let p = r.profit
        let profit: [ReportCell] = [
            .ratio(v?.margin), .money(p.grossMargin12m), .money(p.costToServe12m), .money(p.serviceCosts12m), .money(p.profit12m),
            .amount(p.netCLV),
        ]
        return model + clv + profit
    }

    /// The relationship columns of one row, empty where there is nothing to say.
    static func relationshipCells(_ a: AccountRelationship?) -> [ReportCell] {
        let f = a?.facts
        var cells: [ReportCell] = [.date(f?.lastContact), .count(f?.daysSinceContact)]
        cells += ContactHistory.contactTypes.indices.map { i in .count(f?.contacts90ByType[i]) }
        cells += [
            .count(f?.meetingsVisits90), .measure(f?.plannedMeetingsVisits90, 2), .ratio(f?.coverage), .measure(f?.csatLatest, 2),
            .measure(f?.csatChange, 2), .count(f?.openComplaints), .count(f?.oldestOpenComplaintDays),
            .measure(f?.meanResolutionDays, 2), .count(f?.competitorMentions180),
        ]
        cells += RelationshipIndex.allCases.map { .measure(a?.indices[$0], 1) }
        let h = a?.health
        cells += [.count(h?.score), .text(h?.band.rawValue ?? ""), .text(h?.drivers ?? "")]
        return cells
    }
}
