/// `key_accounts:` in the pipeline file: who may be a key account, how they are ranked, how
/// many, and how steady the list is (README "Key accounts").
public struct KeyAccountSettings: Sendable {
    /// `score`: a weighted sum of CLV, revenue_12m and health score, each divided by its
    /// largest value over the accounts (so each lies in 0–1 before weighting).
    public enum RankBy: String, Sendable, CaseIterable { case clv, revenue12m = "revenue_12m", score }
    /// Choose among accounts, or among groups (集团客户, through `parent_account_id`).
    public enum Level: String, Sendable, CaseIterable { case account, group }

    /// At most this many key accounts, strategic ones included.
    public var cap = 25
    public var level: Level = .account
    public var rankBy: RankBy = .clv
    /// The weights of `rank_by: score`.
    public var scoreWeights: [String: Double] = ["clv": 0.5, "revenue_12m": 0.3, "health_score": 0.2]
    /// Floors an account must reach (base currency).
    public var minRevenue12m = 0.0
    public var minCLV = 0.0
    /// Lifecycle stages that make an account ineligible.
    public var excludeLifecycles: [String] = ["prospect", "churned"]
    /// An account whose health band is red in this many consecutive runs (this one included)
    /// is ineligible (0: health is not a criterion).
    public var redHealthRuns = 2
    /// Hysteresis: an incumbent stays while its rank is within cap × `keepWithin` …
    public var keepWithin = 1.2
    /// … and until it has been ineligible in this many consecutive runs.
    public var ineligibleRuns = 2

    public init() {}
}
