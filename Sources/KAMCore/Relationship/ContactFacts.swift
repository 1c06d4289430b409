/// One account's contact facts as of a day (README "Relationship and health"): what a KAM
/// manager checks before a call. Everything but the plan comes from the account's
/// ``ContactHistory`` alone, so the `contacts` stage computes them beside value and churn; the
/// plan, which depends on the tier, is applied later (``applyPlan(meetingsPer30Days:)``).
public struct ContactFacts: Sendable, Hashable {
    public var lastContact: Day?
    public var daysSinceContact: Int?
    /// Contacts in (as_of − 90, as_of], by type, in ``ContactHistory/contactTypes`` order.
    public var contacts90ByType: [Int]
    public var meetingsVisits90: Int
    /// Meetings or visits the tier's plan asks for in 90 days (nil: no plan).
    public var plannedMeetingsVisits90: Double?
    /// meetingsVisits90 / plannedMeetingsVisits90.
    public var coverage: Double?
    public var lastMeetingOrVisit: Day?
    /// The latest satisfaction score (0–100) on or before as_of, and its day.
    public var csatLatest: Double?
    public var csatLatestDay: Day?
    /// csatLatest minus the mean of the other scores dated in (as_of − 365, as_of].
    public var csatChange: Double?
    /// Satisfaction scores in the index window: count and sum (0–100 each).
    public var surveysInWindow: Int
    public var satisfactionSumInWindow: Double
    /// Satisfaction scores and complaints in (as_of − 365, as_of], for the KPI tables.
    public var surveys365: Int
    public var satisfactionSum365: Double
    public var complaints365: Int
    public var openComplaints: Int
    public var oldestOpenComplaintDays: Int?
    public var complaintsInWindow: Int
    /// Complaints resolved in (as_of − 365, as_of]: how many, and their mean resolution days.
    public var resolved365: Int
    public var meanResolutionDays: Double?
    public var competitorMentions180: Int
    /// Interactions of any kind in the index window.
    public var interactionsInWindow: Int
    /// Interactions in the index window by type (``InteractionType/ordinal``), and competitor
    /// mentions there (type or notes), for the indices.
    public var typeCountsInWindow: [Int]
    public var competitorMentionsInWindow: Int

    public init(_ c: ContactHistory, asOf: Day, windowDays: Int) {
        let window = asOf - windowDays
        lastContact = c.latestContact(onOrBefore: asOf)
        daysSinceContact = c.latestContact(onOrBefore: asOf).map { asOf - $0 }
        contacts90ByType = ContactHistory.contactTypes.map { c.count($0, after: asOf - 90, through: asOf) }
        meetingsVisits90 = c.count([.meeting, .visit], after: asOf - 90, through: asOf)
        lastMeetingOrVisit = c.latestMeetingOrVisit(onOrBefore: asOf)
        let latest = c.latestSurvey(onOrBefore: asOf)
        csatLatest = latest?.mean
        csatLatestDay = latest?.day
        let year = c.surveys(after: asOf - 365, through: asOf)
        if let latest, asOf - latest.day < 365, year.count > latest.count {
            let others = (year.sum - latest.mean * Double(latest.count)) / Double(year.count - latest.count)
            csatChange = latest.mean - others
        }
        (surveys365, satisfactionSum365) = (year.count, year.sum)
        complaints365 = c.count(.complaint, after: asOf - 365, through: asOf)
        let inWindow = c.surveys(after: window, through: asOf)
        (surveysInWindow, satisfactionSumInWindow) = (inWindow.count, inWindow.sum)
        openComplaints = c.openComplaints(at: asOf)
        oldestOpenComplaintDays = c.oldestOpenComplaint(at: asOf).map { asOf - $0 }
        complaintsInWindow = c.count(.complaint, after: window, through: asOf)
        let resolved = c.resolvedComplaints(after: asOf - 365, through: asOf)
        resolved365 = resolved.count
        meanResolutionDays = resolved.count > 0 ? resolved.days / Double(resolved.count) : nil
        competitorMentions180 = c.competitorMentions(after: asOf - 180, through: asOf)
        typeCountsInWindow = InteractionType.allCases.map { c.count($0, after: window, through: asOf) }
        interactionsInWindow = typeCountsInWindow.reduce(0, +)
        competitorMentionsInWindow = c.competitorMentions(after: window, through: asOf)
    }

    /// Sets the plan of the account's tier: meetings or visits per 30 days (0: no plan).
    public mutating func applyPlan(meetingsPer30Days plan: Double) {
        plannedMeetingsVisits90 = plan > 0 ? plan * 3 : nil
        coverage = plan > 0 ? Double(meetingsVisits90) / (plan * 3) : nil
    }
}
