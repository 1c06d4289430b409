/// A named RFM segment: the score ranges an account must fall in. Rules are tried in order and
/// the first match names the segment.
public struct RFMRule: Sendable, Hashable {
    public var name: String
    public var r: ClosedRange<Int>
    public var f: ClosedRange<Int>
    public var m: ClosedRange<Int>

    public init(_ name: String, r: ClosedRange<Int>, f: ClosedRange<Int>, m: ClosedRange<Int> = 1...5) {
        self.name = name
        self.r = r
        self.f = f
        self.m = m
    }

    public func matches(r: Int, f: Int, m: Int) -> Bool { self.r.contains(r) && self.f.contains(f) && self.m.contains(m) }

    /// The usual eleven segments on the R × F grid (M refines the top and bottom cells).
    public static let defaults: [RFMRule] = [
        RFMRule("Champions", r: 4...5, f: 4...5, m: 4...5),
        RFMRule("Can't lose them", r: 1...1, f: 4...5, m: 4...5),
        RFMRule("Loyal", r: 2...5, f: 3...5, m: 3...5),
        RFMRule("New", r: 5...5, f: 1...1),
        RFMRule("Promising", r: 4...4, f: 1...1),
        RFMRule("Potential loyalist", r: 3...5, f: 1...3),
        RFMRule("Need attention", r: 3...3, f: 3...5),
        RFMRule("At risk", r: 1...2, f: 3...5),
        RFMRule("About to sleep", r: 2...3, f: 1...2),
        RFMRule("Hibernating", r: 1...2, f: 2...2),
        RFMRule("Lost", r: 1...2, f: 1...1),
        RFMRule("Need attention", r: 1...5, f: 1...5),
    ]
}

/// One row of the recommended-action table: tier × churn risk × lifecycle → action.
/// `nil` matches anything; rows are tried in order, the first match wins.
public struct ActionRule: Sendable, Hashable {
    public var tier: String?
    public var risk: String?
    public var lifecycle: String?
    public var action: String

    public init(tier: String? = nil, risk: String? = nil, lifecycle: String? = nil, action: String) {
        self.tier = tier
        self.risk = risk
        self.lifecycle = lifecycle
        self.action = action
    }

    public func matches(tier: String, risk: String, lifecycle: String) -> Bool {
        (self.tier == nil || self.tier == tier) && (self.risk == nil || self.risk == risk)
            && (self.lifecycle == nil || self.lifecycle == lifecycle)
    }

    /// Defaults from KAM practice: lifecycle situations first, then the value tiers.
    public static let defaults: [ActionRule] = [
        ActionRule(lifecycle: "prospect", action: "Qualify the opportunity and plan a first order"),
        ActionRule(lifecycle: "churned", action: "Exit interview and win-back offer"),
        ActionRule(tier: "A", risk: "high", action: "Executive sponsor visit within 14 days"),
        ActionRule(lifecycle: "dormant", action: "Win-back contact"),
        ActionRule(lifecycle: "new", action: "Onboarding programme"),
        ActionRule(tier: "A", action: "Dedicated account manager and quarterly business review"),
        ActionRule(tier: "B", risk: "high", action: "Retention call and service review"),
        ActionRule(tier: "B", action: "Engagement programme and path to tier A"),
        ActionRule(tier: "C", action: "Self-service and monitoring"),
    ]
}
