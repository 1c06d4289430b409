/// The key-account list of a run (README "Key accounts"): the selection's decisions and the
/// rules that made them.
public struct KeyAccountResult: Sendable {
    /// By account id, or by group id when the list is chosen among groups.
    public var decisions: [String: KeyAccountDecision]
    /// The previous run the hysteresis compared with (nil: none recorded).
    public var previousAsOf: Day?
    /// At group level: each group's member accounts.
    public var members: [String: [String]] = [:]
    /// At group level: each account's group.
    public var groupOf: [String: String] = [:]

    /// How many accounts (or groups) are on the list.
    public var keyAccounts: Int { decisions.values.filter { $0.status?.isKey == true }.count }

    /// The decision that applies to an account: its own, or its group's.
    public func decision(forAccount id: String) -> KeyAccountDecision? { decisions[groupOf[id] ?? id] }
}

public enum KeyAccountStage {
    /// Gathers each account's criteria from the stages' results and `previous` (the previous
    /// run's snapshots from the history), then selects.
    static func run(
        segments: [AccountSegment], value: ValueResult, relationship: RelationshipResult, clean: CleanData,
        previous: (asOf: Day, accounts: [String: AccountSnapshot])?, settings: KeyAccountSettings
    ) throws -> KeyAccountResult {
        // The weighted score's scales: each criterion's largest value over the accounts.
        let maxCLV = segments.compactMap { value.accounts[$0.accountId]?.clv }.max() ?? 0
        let maxRevenue = segments.map(\.activity.revenue12m.double).max() ?? 0
        func score(_ s: AccountSegment, clv: Double?) -> Double {
            switch settings.rankBy {
            case .clv: return clv ?? 0
            case .revenue12m: return s.activity.revenue12m.double
            case .score:
                let w = settings.scoreWeights, health = Double(relationship.accounts[s.accountId]?.health?.score ?? 0) / 100
                return (w["clv"] ?? 0) * (maxCLV > 0 ? (clv ?? 0) / maxCLV : 0)
                    + (w["revenue_12m"] ?? 0) * (maxRevenue > 0 ? s.activity.revenue12m.double / maxRevenue : 0) + (w["health_score"] ?? 0) * health
            }
        }
        let candidates = segments.map { s in
            let clv = value.accounts[s.accountId]?.clv
            let before = previous?.accounts[s.accountId]
            return KeyAccountCandidate(
                accountId: s.accountId, score: score(s, clv: clv),
                revenue12m: s.activity.revenue12m.double, clv: clv, lifecycle: s.lifecycle.rawValue,
                healthBand: relationship.accounts[s.accountId]?.health?.band.rawValue, strategic: clean.accounts[s.accountId]?.strategic ?? false,
                previousStatus: before?.keyStatus.flatMap(KeyAccountStatus.init(rawValue:)), previousEligible: before?.keyEligible,
                previousHealthBand: before?.healthBand)
        }
        guard settings.level == .group else {
            return KeyAccountResult(decisions: KeyAccountSelection.select(candidates, settings: settings), previousAsOf: previous?.asOf)
        }
        let groups = try AccountGroups(clean.accounts)
        var members: [String: [KeyAccountCandidate]] = [:]
        for c in candidates { members[groups.group(of: c.accountId), default: []].append(c) }
        let groupCandidates = members.keys.sorted().map { id in groupCandidate(id, members[id]!, settings: settings) }
        return KeyAccountResult(
            decisions: KeyAccountSelection.select(groupCandidates, settings: settings), previousAsOf: previous?.asOf,
            members: members.mapValues { $0.map(\.accountId).sorted() },
            groupOf: Dictionary(uniqueKeysWithValues: candidates.map { ($0.accountId, groups.group(of: $0.accountId)) }))
    }

    /// A group as one candidate: its members' revenue, CLV and score summed; the lifecycle and
    /// health of its largest member by revenue (its largest eligible-lifecycle member when there
    /// is one); strategic when any member is; its previous status that of its members, which
    /// all carry their group's.
    static func groupCandidate(_ id: String, _ members: [KeyAccountCandidate], settings: KeyAccountSettings) -> KeyAccountCandidate {
        let byRevenue = members.sorted { ($0.revenue12m, $1.accountId) > ($1.revenue12m, $0.accountId) }
        let lead = byRevenue.first { !settings.excludeLifecycles.contains($0.lifecycle) } ?? byRevenue[0]
        let clvs = members.compactMap(\.clv)
        let before = byRevenue.first { $0.previousStatus != nil } ?? byRevenue[0]
        return KeyAccountCandidate(
            accountId: id, score: members.reduce(0) { $0 + $1.score }, revenue12m: members.reduce(0) { $0 + $1.revenue12m },
            clv: clvs.isEmpty ? nil : clvs.reduce(0, +), lifecycle: lead.lifecycle, healthBand: lead.healthBand,
            strategic: members.contains(where: \.strategic), previousStatus: before.previousStatus, previousEligible: before.previousEligible,
            previousHealthBand: lead.previousHealthBand)
    }
}
