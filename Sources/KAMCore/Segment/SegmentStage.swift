/// One account's segment columns.
public struct AccountSegment: Sendable, Hashable {
    public var accountId: String
    public var activity: AccountActivity
    public var lifecycle: LifecycleStage
    /// RFM scores 1–5; nil for prospects.
    public var rfm: (r: Int, f: Int, m: Int)?
    public var rfmSegment: String
    public var industry: String
    public var region: String
    public var size: String
    public var accountManager: String
    public var name: String

    public static func == (a: AccountSegment, b: AccountSegment) -> Bool {
        a.accountId == b.accountId && a.lifecycle == b.lifecycle && a.rfm?.r == b.rfm?.r && a.rfm?.f == b.rfm?.f && a.rfm?.m == b.rfm?.m
    }
    public func hash(into h: inout Hasher) { h.combine(accountId) }
}

/// Segment stage: RFM, lifecycle and market dimensions for every account of the accounts input
/// and every account with transactions. Value tiers come later (they may rank by CLV).
public enum SegmentStage {
    public static func run(_ clean: CleanData, asOf: Day, settings: SegmentSettings) -> [AccountSegment] {
        var ids = Set(clean.histories.map(\.accountId))
        ids.formUnion(clean.accounts.keys)
        let histories = clean.historiesById
        var rows: [AccountSegment] = ids.sorted().map { id in
            let activity = AccountActivity(history: histories[id], asOf: asOf, newDays: settings.newDays)
            let master = clean.accounts[id]
            func dim(_ s: String?) -> String { (s?.isEmpty ?? true) ? "Unknown" : s! }
            return AccountSegment(
                accountId: id, activity: activity, lifecycle: LifecycleStage.classify(activity, settings: settings), rfm: nil,
                rfmSegment: "", industry: dim(master?.industry), region: dim(master?.region), size: dim(master?.size),
                accountManager: dim(master?.accountManager), name: master?.name ?? "")
        }
        let buyers = rows.indices.filter { rows[$0].activity.lastPurchase != nil }
        // Higher is better for each score: recency is negated.
        let r = quintileScores(buyers.map { -Double(rows[$0].activity.recencyDays!) })
        let f = quintileScores(buyers.map { Double(rows[$0].activity.purchaseDays12m) })
        let m = quintileScores(buyers.map { rows[$0].activity.revenue12m.double })
        for (k, i) in buyers.enumerated() {
            rows[i].rfm = (r[k], f[k], m[k])
            rows[i].rfmSegment = settings.rfmRules.first { $0.matches(r: r[k], f: f[k], m: m[k]) }?.name ?? "Unclassified"
        }
        return rows
    }

    /// Scores 1–5 by quintile of `values` (5 = highest). Equal values share a score, from the
    /// mid-rank of their tie group: p = (midrank + ½)/n, score = 1 + ⌊5p⌋. One account, or all
    /// equal, scores 3; five distinct values score 1…5.
    public static func quintileScores(_ values: [Double]) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var scores = Array(repeating: 3, count: n)
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n && values[order[end + 1]] == values[order[start]] { end += 1 }
            let midrank = Double(start + end) / 2
            let score = min(5, 1 + Int((5 * (midrank + 0.5) / Double(n)).rounded(.down)))
            for k in start...end { scores[order[k]] = score }
            start = end + 1
        }
        return scores
    }
}

/// ABC value tiers.
public enum ValueTier: String, Sendable, Hashable, CaseIterable, Codable {
    case A, B, C

    /// Ranks by `basis` (descending, ties by account id). An account is A while the cumulative
    /// share *before* it is below `aUpTo` — the account that crosses the boundary belongs to the
    /// higher tier — and B likewise up to `bUpTo`. A basis ≤ 0 is always C.
    public static func assign(_ basis: [(id: String, value: Double)], aUpTo: Double, bUpTo: Double) -> [String: ValueTier] {
        let positive = basis.filter { $0.value > 0 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.id < $1.id }
        let total = positive.reduce(0) { $0 + $1.value }
        var tiers: [String: ValueTier] = [:]
        for b in basis where b.value <= 0 { tiers[b.id] = .C }
        var before = 0.0
        for b in positive {
            let share = before / total
            tiers[b.id] = share < aUpTo - 1e-12 ? .A : (share < bUpTo - 1e-12 ? .B : .C)
            before += b.value
        }
        return tiers
    }
}
