/// What kam decides for an account once its value and churn risk are known: its value tier and
/// the recommended action. Decided here, in Segment, so every report (CSV today, HTML and
/// Excel later) shows the same decision without deciding again.
public struct AccountDecision: Sendable, Hashable {
    public var tier: ValueTier
    /// The first matching row of `report.actions` (tier × risk × lifecycle), or empty.
    public var action: String
}

extension SegmentStage {
    /// Value tiers by cumulative share of `segment.abc_basis` (trailing-12-month revenue, or
    /// CLV when the value stage ran) and the action table's first match for each account.
    public static func decide(
        _ segments: [AccountSegment], value: ValueResult?, churn: ChurnResult?, config: PipelineConfig
    ) -> [String: AccountDecision] {
        let basis: [(id: String, value: Double)] = segments.map { s in
            switch config.segment.abcBasis {
            case .revenue12m: return (s.accountId, s.activity.revenue12m.double)
            case .clv: return (s.accountId, value?.accounts[s.accountId]?.clv ?? 0)
            }
        }
        let tiers = ValueTier.assign(basis, aUpTo: config.segment.tierAUpTo, bUpTo: config.segment.tierBUpTo)
        var decisions: [String: AccountDecision] = [:]
        for s in segments {
            let tier = tiers[s.accountId] ?? .C
            let risk = churn?.accounts[s.accountId]?.risk.rawValue ?? "none"
            let action = config.report.actions.first { $0.matches(tier: tier.rawValue, risk: risk, lifecycle: s.lifecycle.rawValue) }?
                .action
            decisions[s.accountId] = AccountDecision(tier: tier, action: action ?? "")
        }
        return decisions
    }
}
