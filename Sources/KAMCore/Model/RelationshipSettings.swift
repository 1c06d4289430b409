/// The six relationship indices (README "Relationship and health").
public enum RelationshipIndex: String, Sendable, CaseIterable, Hashable {
    /// 接受认可度: survey satisfaction and how complaints were handled.
    case acceptance
    /// 活动参与度: events and trainings attended.
    case participation
    /// 信息传递度: meetings, visits, calls and e-mails, either way.
    case information
    /// 日常指导度: support given.
    case guidance
    /// 项目支持度: project interactions.
    case projectSupport = "project_support"
    /// 竞争偏向度: competitor mentions; higher means leaning to a competitor.
    case competitiveLeaning = "competitive_leaning"

    public var column: String { "idx_" + rawValue }
}

/// The parts of the health score, each on 0–100 with 100 the healthiest.
public enum HealthComponent: String, Sendable, CaseIterable, Hashable {
    case acceptance, participation, information, guidance
    case projectSupport = "project_support"
    /// 100 minus the competitive-leaning index.
    case competitiveLeaning = "competitive_leaning"
    /// 100 × (1 − churn probability).
    case churn
    /// Revenue of the last 90 days against the 90 before.
    case revenueTrend = "revenue_trend"
    /// The latest satisfaction score.
    case csat
    /// Open complaints and resolution time against the target.
    case complaintHandling = "complaint_handling"
    /// Days since the last meeting or visit against the tier's plan.
    case contactRecency = "contact_recency"
}

/// `relationship:` in the pipeline file. Defaults are in the README.
public struct RelationshipSettings: Sendable {
    /// An index counts interactions over this many days up to as_of (90, 180, 365 or 730).
    public var windowDays = 365
    /// Meetings or visits per 30 days each tier's plan asks for (0: no plan).
    public var meetingsPer30Days: [ValueTier: Double] = [.A: 2, .B: 1, .C: 0.25]
    /// Notes naming any of these (case-insensitive) count as a competitor mention.
    public var competitorKeywords = [
        "competitor", "competition", "tender", "rfq", "alternative supplier", "other supplier", "switching", "竞争对手", "竞品",
        "其他供应商", "招标", "比价", "换供应商",
    ]
    /// Days within which a complaint should be resolved.
    public var resolutionTargetDays = 7.0
    /// The interaction types each counted index counts, and how many of them in a year make
    /// 100 for each tier (scaled to `windowDays`). Acceptance is not counted (see README).
    public var indexTypes: [RelationshipIndex: [InteractionType]] = [
        .participation: [.event, .training], .information: [.meeting, .visit, .call, .email], .guidance: [.support],
        .projectSupport: [.project], .competitiveLeaning: [.competitor],
    ]
    public var indexTargets: [RelationshipIndex: [ValueTier: Double]] = [
        .participation: [.A: 6, .B: 4, .C: 2], .information: [.A: 48, .B: 24, .C: 12], .guidance: [.A: 12, .B: 6, .C: 3],
        .projectSupport: [.A: 4, .B: 2, .C: 1], .competitiveLeaning: [.A: 4, .B: 4, .C: 4],
    ]
    public var weights: [HealthComponent: Double] = [
        .acceptance: 1, .participation: 1, .information: 1, .guidance: 1, .projectSupport: 1, .competitiveLeaning: 1, .churn: 3,
        .revenueTrend: 2, .csat: 2, .complaintHandling: 2, .contactRecency: 2,
    ]
    /// Scores up to `redUpTo` are red, up to `yellowUpTo` yellow, the rest green.
    public var redUpTo = 50
    public var yellowUpTo = 75

    public init() {}
}
