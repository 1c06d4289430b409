import CSVIO

/// One account's relationship: contact facts, the six indices and health.
public struct AccountRelationship: Sendable, Hashable {
    /// Nil when there is no interactions input.
    public var facts: ContactFacts?
    public var indices: RelationshipIndices
    public var health: HealthScore?
}

/// What the relationship stage found.
public struct RelationshipResult: Sendable {
    public var accounts: [String: AccountRelationship]
    /// Interaction types that occur in the accepted interactions, any account, any day.
    public var recordedTypes: Set<InteractionType>
    public var hasInteractions: Bool

    public func band(_ accountId: String) -> HealthScore.Band? { accounts[accountId]?.health?.band }
}

/// Every account's contact facts as of a day, computed from the folded interactions alone.
public struct ContactFactsResult: Sendable {
    /// Every account in the clean data when there is an interactions input; else empty.
    public var facts: [String: ContactFacts]
    /// Interaction types that occur in the accepted interactions, any account, any day.
    public var recordedTypes: Set<InteractionType>
}

/// Relationship and health (README "Relationship and health"; ARCHITECTURE.md §7), in two steps:
/// `contacts` reads each account's folded interactions (it needs nothing but the clean data, so
/// it runs beside value and churn), and `run` adds what depends on the tier and the churn
/// probability: the plan, the indices and health.
public enum RelationshipStage {
    public static func contactFacts(clean: CleanData, asOf: Day, settings: RelationshipSettings, threads: Int) -> ContactFactsResult {
        guard clean.hasInteractionsInput else { return ContactFactsResult(facts: [:], recordedTypes: []) }
        // An account without any interaction has facts too: none in any window.
        guard let points = clean.contacts.first?.value.points ?? clean.histories.first?.points else {
            return ContactFactsResult(facts: [:], recordedTypes: [])
        }
        let nothing = ContactHistory(points: points)
        let ids = Array(Set(clean.histories.map(\.accountId)).union(clean.accounts.keys).union(clean.contacts.keys)).sorted()
        let facts = parallelMap(ids.count, threads: threads) { i in
            ContactFacts(clean.contacts[ids[i]] ?? nothing, asOf: asOf, windowDays: settings.windowDays)
        }
        return ContactFactsResult(
            facts: Dictionary(uniqueKeysWithValues: zip(ids, facts)), recordedTypes: recordedTypes(clean.contacts, through: asOf))
    }

    public static func run(
        contacts: ContactFactsResult, histories: [AccountHistory], hasInteractions: Bool, tiers: [String: ValueTier],
        churn: [String: Double], asOf: Day, settings: RelationshipSettings, notesMapped: Bool, threads: Int
    ) -> RelationshipResult {
        let recorded = contacts.recordedTypes
        let meetingsRecorded = recorded.contains(.meeting) || recorded.contains(.visit)
        let byId = Dictionary(uniqueKeysWithValues: histories.map { ($0.accountId, $0) })
        let ids = tiers.keys.sorted()
        let built = parallelMap(ids.count, threads: threads) { i -> AccountRelationship in
            let id = ids[i], tier = tiers[id] ?? .C
            var facts = contacts.facts[id], indices = RelationshipIndices(), handling: Double?
            if var f = facts {
                f.applyPlan(meetingsPer30Days: settings.meetingsPer30Days[tier] ?? 0)
                handling = HealthScore.complaintHandling(f, settings: settings)
                indices = RelationshipIndices(
                    facts: f, tier: tier, settings: settings, recorded: recorded, notesMapped: notesMapped, complaintHandling: handling)
                facts = f
            }
            var revenue90 = 0.0, prior90 = 0.0
            if let h = byId[id] {
                revenue90 = h.net(after: asOf - 90, through: asOf).double
                prior90 = h.net(after: asOf - 180, through: asOf - 90).double
            }
            let parts = HealthScore.parts(
                facts: facts, indices: indices, complaintHandling: handling, churn: churn[id], revenue90: revenue90,
                revenuePrior90: prior90, asOf: asOf, tier: tier, settings: settings, meetingsRecorded: meetingsRecorded)
            return AccountRelationship(facts: facts, indices: indices, health: HealthScore(parts, settings: settings))
        }
        return RelationshipResult(
            accounts: Dictionary(uniqueKeysWithValues: zip(ids, built)), recordedTypes: recorded, hasInteractions: hasInteractions)
    }

    /// The interaction types that occur in any account's history on or before `day`.
    static func recordedTypes(_ contacts: [String: ContactHistory], through day: Day) -> Set<InteractionType> {
        var recorded = Set<InteractionType>()
        for c in contacts.values {
            for type in InteractionType.allCases where !recorded.contains(type) && c.count(type, onOrBefore: day) > 0 { recorded.insert(type) }
            if recorded.count == InteractionType.allCases.count { break }
        }
        return recorded
    }
}
