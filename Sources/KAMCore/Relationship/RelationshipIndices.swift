/// The six relationship indices of one account, 0–100 (README "Relationship and health").
///
/// A counted index is 100 × min(1, interactions of its types in the window / the tier's
/// target scaled to the window). Acceptance is the mean of the satisfaction scores in the
/// window and the complaint-handling score, over those with data. An index is empty — never 0
/// — when the data cannot speak to it: the account had no interaction in the window, or none
/// of the index's types occurs anywhere in the input (the CRM does not record them).
public struct RelationshipIndices: Sendable, Hashable {
    public var values: [RelationshipIndex: Double] = [:]
    /// What each counted index counted, and its target, for the drivers' words.
    public var counted: [RelationshipIndex: (count: Int, target: Double)] = [:]

    public static func == (a: Self, b: Self) -> Bool { a.values == b.values }
    public func hash(into h: inout Hasher) { h.combine(values) }

    public subscript(_ index: RelationshipIndex) -> Double? { values[index] }

    /// No index: no interactions input.
    init() {}

    init(
        facts: ContactFacts, tier: ValueTier, settings: RelationshipSettings, recorded: Set<InteractionType>, notesMapped: Bool,
        complaintHandling: Double?
    ) {
        guard facts.interactionsInWindow > 0 else { return }
        for index in RelationshipIndex.allCases where index != .acceptance {
            let types = settings.indexTypes[index] ?? []
            let speaks = types.contains { recorded.contains($0) } || (index == .competitiveLeaning && notesMapped)
            guard speaks, let perYear = settings.indexTargets[index]?[tier], perYear > 0 else { continue }
            let target = perYear * Double(settings.windowDays) / 365
            let n =
                index == .competitiveLeaning && types == [.competitor]
                ? facts.competitorMentionsInWindow : types.reduce(0) { $0 + facts.typeCountsInWindow[$1.ordinal] }
            values[index] = 100 * min(1, Double(n) / target)
            counted[index] = (n, target)
        }
        var parts: [Double] = []
        if facts.surveysInWindow > 0 { parts.append(facts.satisfactionSumInWindow / Double(facts.surveysInWindow)) }
        if let complaintHandling { parts.append(complaintHandling) }
        if !parts.isEmpty { values[.acceptance] = parts.reduce(0, +) / Double(parts.count) }
    }
}
