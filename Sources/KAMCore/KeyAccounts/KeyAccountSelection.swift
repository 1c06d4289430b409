import Foundation

/// What the selection knows of one account this run and the run before.
public struct KeyAccountCandidate: Sendable, Hashable {
    public var accountId: String
    public var score: Double
    public var revenue12m: Double
    public var clv: Double?
    public var lifecycle: String
    public var healthBand: String?
    public var strategic: Bool
    /// The previous run's view, when the history has one.
    public var previousStatus: KeyAccountStatus?
    public var previousEligible: Bool?
    public var previousHealthBand: String?
}

/// Where an account stands on the key-account list after this run.
public enum KeyAccountStatus: String, Sendable, CaseIterable {
    /// On the list, and was not on it in the previous run.
    case new
    /// On the list, as in the previous run.
    case kept
    /// On the list in the previous run, not any more.
    case demoted
    /// Eligible and ranked just below the list: the next in line.
    case candidate

    /// Whether the account is on the list.
    public var isKey: Bool { self == .new || self == .kept }
}

/// One account's decision, with its reason in words and numbers.
public struct KeyAccountDecision: Sendable, Hashable {
    public var accountId: String
    /// Nil: not on the list, not demoted from it, not next in line.
    public var status: KeyAccountStatus?
    public var eligible: Bool
    /// Rank among the eligible accounts by the ranking key (nil when ineligible).
    public var rank: Int?
    public var score: Double
    public var reason: String
}

/// Key-account selection by explicit rules (README "Key accounts"): eligibility, a ranking key,
/// a cap and hysteresis against the previous run; `strategic` accounts are admitted as a
/// manual decision and count towards the cap.
public enum KeyAccountSelection {
    public static func select(_ candidates: [KeyAccountCandidate], settings s: KeyAccountSettings) -> [String: KeyAccountDecision] {
        // Eligibility, with the first failed rule in words.
        var why: [String: String] = [:]
        for c in candidates {
            if s.excludeLifecycles.contains(c.lifecycle) {
                why[c.accountId] = "lifecycle \(c.lifecycle)"
            } else if c.revenue12m < s.minRevenue12m {
                why[c.accountId] = "revenue_12m \(amount(c.revenue12m)) below the floor \(amount(s.minRevenue12m))"
            } else if (c.clv ?? 0) < s.minCLV {
                why[c.accountId] = "CLV \(amount(c.clv ?? 0)) below the floor \(amount(s.minCLV))"
            } else if s.redHealthRuns > 0, c.healthBand == "red", s.redHealthRuns == 1 || c.previousHealthBand == "red" {
                why[c.accountId] = s.redHealthRuns == 1 ? "health red" : "health red in two consecutive runs"
            }
        }
        let eligible = candidates.filter { why[$0.accountId] == nil }.sorted { a, b in
            a.score != b.score ? a.score > b.score : a.accountId < b.accountId
        }
        var rank: [String: Int] = [:]
        for (i, c) in eligible.enumerated() { rank[c.accountId] = i + 1 }
        let keepRank = Int((Double(s.cap) * s.keepWithin).rounded(.down))
        let key = "\(s.rankBy.rawValue)"

        var decisions: [String: KeyAccountDecision] = [:]
        func decide(_ c: KeyAccountCandidate, _ status: KeyAccountStatus?, _ reason: String) {
            decisions[c.accountId] = KeyAccountDecision(
                accountId: c.accountId, status: status, eligible: why[c.accountId] == nil, rank: rank[c.accountId], score: c.score,
                reason: reason)
        }
        // 1. Strategic accounts: a manual decision, shown as such, best ranked first; never more
        //    than the cap, so the ones beyond it wait as candidates.
        var list: [KeyAccountCandidate] = []
        let strategic = candidates.filter(\.strategic).sorted { a, b in
            (rank[a.accountId] ?? .max, -a.score, a.accountId) < (rank[b.accountId] ?? .max, -b.score, b.accountId)
        }
        for c in strategic {
            if list.count < s.cap {
                list.append(c)
                decide(c, c.previousStatus?.isKey == true ? .kept : .new, "strategic: a manual decision (counts towards the cap of \(s.cap))")
            } else {
                decide(c, c.previousStatus?.isKey == true ? .demoted : .candidate, "strategic, but the cap of \(s.cap) is full of strategic accounts ranked higher")
            }
        }
        // 2. Incumbents stay unless ineligible in `ineligibleRuns` consecutive runs or ranked
        //    below cap × keep_within.
        var incumbents: [KeyAccountCandidate] = []
        for c in candidates where !c.strategic && c.previousStatus?.isKey == true {
            if let reason = why[c.accountId] {
                let runs = s.ineligibleRuns == 1 || c.previousEligible == false ? "" : "; kept while ineligible for fewer than \(s.ineligibleRuns) runs"
                if runs.isEmpty {
                    decide(c, .demoted, "ineligible: \(reason)")
                } else {
                    incumbents.append(c)
                    decide(c, .kept, "ineligible: \(reason)\(runs)")
                }
            } else if let r = rank[c.accountId], r > keepRank {
                decide(c, .demoted, "rank \(r) by \(key) is below \(keepRank) (cap \(s.cap) × \(formatted(s.keepWithin)))")
            } else {
                incumbents.append(c)
                decide(c, .kept, "rank \(rank[c.accountId]!) by \(key) (\(amount(c.score))), within \(keepRank)")
            }
        }
        // Over the cap (a smaller cap, more strategic accounts): the lowest-ranked incumbents go.
        incumbents.sort { (rank[$0.accountId] ?? .max, $0.accountId) < (rank[$1.accountId] ?? .max, $1.accountId) }
        while list.count + incumbents.count > s.cap, let last = incumbents.popLast() {
            decide(last, .demoted, "over the cap of \(s.cap): lower ranked than the accounts kept")
        }
        list += incumbents
        // 3. New accounts by rank until the cap; the next ones are candidates.
        var candidatesShown = 0
        for c in eligible where decisions[c.accountId] == nil {
            if list.count < s.cap {
                list.append(c)
                decide(c, .new, "rank \(rank[c.accountId]!) by \(key) (\(amount(c.score))), eligible")
            } else if candidatesShown < max(5, s.cap / 2) {
                candidatesShown += 1
                decide(c, .candidate, "rank \(rank[c.accountId]!) by \(key) (\(amount(c.score))); the list is full (cap \(s.cap))")
            }
        }
        for c in candidates where decisions[c.accountId] == nil {
            decide(c, nil, why[c.accountId].map { "ineligible: \($0)" } ?? "rank \(rank[c.accountId]!) by \(key)")
        }
        return decisions
    }

    private static func amount(_ x: Double) -> String { CSVFormat.decimal(x, 2) }
}
