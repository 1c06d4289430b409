/// One account's interactions as the relationship and churn stages need them, folded in as
/// they are read, so memory does not grow with interaction rows (ARCHITECTURE.md §3):
///
/// - per interval between the run's ``CutoffPoints``: interactions by type, contacts,
///   surveys and their satisfaction sum, competitor mentions, and complaints resolved with
///   their resolution days (counted on the day they were resolved);
/// - per point: the latest contact, the latest meeting or visit, the latest survey day with
///   that day's scores, and the oldest complaint still open there.
///
/// Every figure is exact for any window that starts and ends on points.
public struct ContactHistory: Sendable, Hashable {
    public let points: CutoffPoints
    private var counts: [Int32]
    /// Satisfaction sum and resolution-days sum per interval.
    private var sums: [Double]
    private var latestContact: [Int32]
    private var latestMeetingOrVisit: [Int32]
    private var latestSurveyDay: [Int32]
    private var latestSurveySum: [Double]
    private var latestSurveyCount: [Int32]
    private var oldestOpenComplaint: [Int32]

    /// The interaction types that count as contact with the account: the account team's own
    /// touch points. Complaints, competitor notes and survey answers are not contact.
    public static let contactTypes: [InteractionType] = [.call, .email, .meeting, .visit, .event, .training, .support, .project]

    private static let typeCount = InteractionType.allCases.count
    private static let isContact = InteractionType.allCases.map { contactTypes.contains($0) }
    private static let contactsCounter = typeCount
    private static let surveysCounter = typeCount + 1
    private static let resolvedCounter = typeCount + 2
    private static let competitorCounter = typeCount + 3
    private static let counters = typeCount + 4
    private static let none = Int32.min

    public init(points: CutoffPoints) {
        self.points = points
        let intervals = points.days.count + 1, n = points.days.count
        counts = Array(repeating: 0, count: intervals * Self.counters)
        sums = Array(repeating: 0, count: intervals * 2)
        latestContact = Array(repeating: Self.none, count: n)
        latestMeetingOrVisit = Array(repeating: Self.none, count: n)
        latestSurveyDay = Array(repeating: Self.none, count: n)
        latestSurveySum = Array(repeating: 0, count: n)
        latestSurveyCount = Array(repeating: 0, count: n)
        oldestOpenComplaint = Array(repeating: Int32.max, count: n)
    }

    /// Folds one accepted interaction in.
    public mutating func add(_ record: InteractionRecord) {
        let day = record.day.ordinal
        let interval = points.interval(of: day)
        let base = interval * Self.counters
        counts[base + record.type.ordinal] += 1
        let isContact = Self.isContact[record.type.ordinal]
        if isContact { counts[base + Self.contactsCounter] += 1 }
        if record.type == .competitor || record.mentionsCompetitor { counts[base + Self.competitorCounter] += 1 }
        if let s = record.satisfaction {
            counts[base + Self.surveysCounter] += 1
            sums[interval * 2] += s
        }
        var resolvedDay: Int32?
        if record.type == .complaint, let r = record.resolutionDays {
            let resolved = day + Int32(min(r.rounded(.up), 100_000))
            resolvedDay = resolved
            let at = points.interval(of: resolved)
            counts[at * Self.counters + Self.resolvedCounter] += 1
            sums[at * 2 + 1] += r
        }
        // Points on or after the day: the ones this interaction is history for.
        for p in interval..<points.days.count {
            if isContact { latestContact[p] = max(latestContact[p], day) }
            if record.type == .meeting || record.type == .visit { latestMeetingOrVisit[p] = max(latestMeetingOrVisit[p], day) }
            if let s = record.satisfaction {
                if day > latestSurveyDay[p] {
                    (latestSurveyDay[p], latestSurveySum[p], latestSurveyCount[p]) = (day, s, 1)
                } else if day == latestSurveyDay[p] {
                    latestSurveySum[p] += s
                    latestSurveyCount[p] += 1
                }
            }
            if record.type == .complaint && (resolvedDay.map { $0 > points.days[p] } ?? true) {
                oldestOpenComplaint[p] = min(oldestOpenComplaint[p], day)
            }
        }
    }

    // MARK: Queries. `after` and `through` must be points of the run.

    private func sum(_ counter: Int, after: Day, through: Day) -> Int {
        let lo = points.index(of: after) + 1, hi = points.index(of: through)
        guard lo <= hi else { return 0 }
        return (lo...hi).reduce(0) { $0 + Int(counts[$1 * Self.counters + counter]) }
    }

    /// A counter over every interval up to and including the point `day`.
    private func sum(_ counter: Int, onOrBefore day: Day) -> Int {
        (0...points.index(of: day)).reduce(0) { $0 + Int(counts[$1 * Self.counters + counter]) }
    }

    private func total(_ slot: Int, after: Day, through: Day) -> Double {
        let lo = points.index(of: after) + 1, hi = points.index(of: through)
        guard lo <= hi else { return 0 }
        return (lo...hi).reduce(0) { $0 + sums[$1 * 2 + slot] }
    }

    /// Interactions of `type` dated in (after, through].
    public func count(_ type: InteractionType, after: Day, through: Day) -> Int {
        sum(type.ordinal, after: after, through: through)
    }

    /// Interactions of `type` dated on or before `day` (a point), any age.
    public func count(_ type: InteractionType, onOrBefore day: Day) -> Int { sum(type.ordinal, onOrBefore: day) }

    /// Interactions of any of `types` dated in (after, through].
    public func count(_ types: [InteractionType], after: Day, through: Day) -> Int {
        types.reduce(0) { $0 + count($1, after: after, through: through) }
    }

    /// Contacts (``contactTypes``) dated in (after, through].
    public func contacts(after: Day, through: Day) -> Int { sum(Self.contactsCounter, after: after, through: through) }

    /// Interactions of competitor type or whose notes name a competitor, dated in (after, through].
    public func competitorMentions(after: Day, through: Day) -> Int { sum(Self.competitorCounter, after: after, through: through) }

    /// Satisfaction scores (0–100) dated in (after, through]: their count and sum.
    public func surveys(after: Day, through: Day) -> (count: Int, sum: Double) {
        (sum(Self.surveysCounter, after: after, through: through), total(0, after: after, through: through))
    }

    /// Complaints resolved in (after, through]: their count and the sum of their resolution days.
    public func resolvedComplaints(after: Day, through: Day) -> (count: Int, days: Double) {
        (sum(Self.resolvedCounter, after: after, through: through), total(1, after: after, through: through))
    }

    /// Complaints dated on or before `day` and not resolved by then.
    public func openComplaints(at day: Day) -> Int {
        count(.complaint, onOrBefore: day) - sum(Self.resolvedCounter, onOrBefore: day)
    }

    /// The day of the oldest complaint open at `day`.
    public func oldestOpenComplaint(at day: Day) -> Day? {
        let d = oldestOpenComplaint[points.index(of: day)]
        return d == Int32.max ? nil : Day(ordinal: d)
    }

    /// The latest contact (``contactTypes``) on or before `day`.
    public func latestContact(onOrBefore day: Day) -> Day? { Self.day(latestContact[points.index(of: day)]) }

    /// The latest meeting or visit on or before `day`.
    public func latestMeetingOrVisit(onOrBefore day: Day) -> Day? { Self.day(latestMeetingOrVisit[points.index(of: day)]) }

    /// The latest day with a satisfaction score on or before `day`, with the mean and count of
    /// that day's scores.
    public func latestSurvey(onOrBefore day: Day) -> (day: Day, mean: Double, count: Int)? {
        let p = points.index(of: day)
        guard let d = Self.day(latestSurveyDay[p]) else { return nil }
        return (d, latestSurveySum[p] / Double(latestSurveyCount[p]), Int(latestSurveyCount[p]))
    }

    private static func day(_ ordinal: Int32) -> Day? { ordinal == none ? nil : Day(ordinal: ordinal) }
}
