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

/// Relationship and health (README "Relationship and health"; ARCHITECTURE.md §1): from each
/// account's folded interactions, its tier, its churn probability and its revenue history.
public enum RelationshipStage {
    public static func run(
        clean: CleanData, tiers: [String: ValueTier], churn: [String: Double], asOf: Day, settings: RelationshipSettings,
        notesMapped: Bool, threads: Int
    ) -> RelationshipResult {
        let recorded = recordedTypes(clean.contacts, through: asOf)
        let histories = Dictionary(uniqueKeysWithValues: clean.histories.map { ($0.accountId, $0) })
        // An account without any interaction, while the input exists, has contact facts too:
        // none in any window.
        let points = clean.contacts.first?.value.points ?? clean.histories.first?.points
        let nothing = clean.hasInteractionsInput ? points.map { ContactHistory(points: $0) } : nil
        let ids = Array(Set(tiers.keys)).sorted()
        let built = parallelMap(ids.count, threads: threads) { i -> AccountRelationship in
            let id = ids[i], tier = tiers[id] ?? .C
            var facts: ContactFacts?, indices = RelationshipIndices(), handling: Double?
            if let c = clean.contacts[id] ?? nothing {
                let f = ContactFacts(c, asOf: asOf, tier: tier, settings: settings)
                handling = HealthScore.complaintHandling(f, settings: settings)
                indices = RelationshipIndices(
                    c, facts: f, asOf: asOf, tier: tier, settings: settings, recorded: recorded, notesMapped: notesMapped,
                    complaintHandling: handling)
                facts = f
            }
            var revenue90 = 0.0, prior90 = 0.0
            if let h = histories[id] {
                revenue90 = h.net(after: asOf - 90, through: asOf).double
                prior90 = h.net(after: asOf - 180, through: asOf - 90).double
            }
            let parts = HealthScore.parts(
                facts: facts, indices: indices, complaintHandling: handling, churn: churn[id], revenue90: revenue90,
                revenuePrior90: prior90, asOf: asOf, tier: tier, settings: settings,
                meetingsRecorded: recorded.contains(.meeting) || recorded.contains(.visit))
            return AccountRelationship(facts: facts, indices: indices, health: HealthScore(parts, settings: settings))
        }
        return RelationshipResult(
            accounts: Dictionary(uniqueKeysWithValues: zip(ids, built)), recordedTypes: recorded,
            hasInteractions: clean.hasInteractionsInput)
    }

    /// The interaction types that occur in any account's history on or before `day`.
    static func recordedTypes(_ contacts: [String: ContactHistory], through day: Day) -> Set<InteractionType> {
        var recorded = Set<InteractionType>()
        guard let first = contacts.first?.value.points.days.first else { return recorded }
        for c in contacts.values {
            for type in InteractionType.allCases where !recorded.contains(type) {
                // Interval 0 (on or before the first point) is not after it: counted apart.
                if c.count(type, after: Day(ordinal: first), through: day) + c.countOnOrBeforeFirstPoint(type) > 0 { recorded.insert(type) }
            }
            if recorded.count == InteractionType.allCases.count { break }
        }
        return recorded
    }
}
