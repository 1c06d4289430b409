import GRDB

/// One run as kam records it into the history.
public struct RunRecord: Sendable {
    public var pipeline: String
    public var asOf: Day
    public var runId: String
    public var toolVersion: String
    public var recordedUTC: String
    /// The inputs' SHA-256 digests as JSON (`{"transactions": "…"}`).
    public var inputs: String
    public var accounts: [AccountSnapshot]
    public var kpis: [KPISnapshot]
}

/// One account as a run saw it.
public struct AccountSnapshot: Sendable, Hashable {
    public var accountId: String
    public var name: String?
    public var parentAccountId: String?
    public var tier: String
    public var lifecycle: String
    public var rfmSegment: String?
    public var revenue12m: Money
    public var clv: Double?
    public var churnProbability: Double?
    public var healthScore: Int?
    public var healthBand: String?
    /// `new`, `kept`, `demoted` or `candidate` when key accounts are selected.
    public var keyStatus: String?
    /// Whether the account met the key-account rules in that run.
    public var keyEligible: Bool?

    init(_ row: Row) {
        self.init(
            accountId: row["account_id"], name: row["name"], parentAccountId: row["parent_account_id"], tier: row["tier"],
            lifecycle: row["lifecycle"], rfmSegment: row["rfm_segment"], revenue12m: Money(units: row["revenue_12m_units"]), clv: row["clv"],
            churnProbability: row["churn_probability"], healthScore: row["health_score"], healthBand: row["health_band"],
            keyStatus: row["key_status"], keyEligible: row["key_eligible"])
    }

    public init(
        accountId: String, name: String?, parentAccountId: String?, tier: String, lifecycle: String, rfmSegment: String?,
        revenue12m: Money, clv: Double?, churnProbability: Double?, healthScore: Int?, healthBand: String?, keyStatus: String?,
        keyEligible: Bool?
    ) {
        self.accountId = accountId
        self.name = name
        self.parentAccountId = parentAccountId
        self.tier = tier
        self.lifecycle = lifecycle
        self.rfmSegment = rfmSegment
        self.revenue12m = revenue12m
        self.clv = clv
        self.churnProbability = churnProbability
        self.healthScore = healthScore
        self.healthBand = healthBand
        self.keyStatus = keyStatus
        self.keyEligible = keyEligible
    }
}

/// One KPI of `kpi_summary.csv` as a run saw it.
public struct KPISnapshot: Sendable, Hashable {
    public var name: String
    public var value: Double?
    public var unit: String
}

/// A run in the history.
public struct RecordedRun: Sendable, Hashable {
    public var id: Int64
    public var pipeline: String
    public var asOf: Day
    public var runId: String
    public var toolVersion: String
    public var recordedUTC: String
    public var accounts: Int
}
