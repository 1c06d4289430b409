import Foundation

/// An account's health: a weighted mean of the components that have data, its band, and the
/// three components pulling it down most, in words (README "Relationship and health").
public struct HealthScore: Sendable, Hashable {
    public enum Band: String, Sendable, CaseIterable { case red, yellow, green }

    public var score: Int
    public var band: Band
    public var drivers: String

    /// Each component's score (0–100, 100 healthiest) and the words that say why it is low
    /// (built only for the components named).
    struct Part {
        var component: HealthComponent
        var score: Double
        var words: () -> String
    }

    /// Components below this do not pull the score down enough to be named.
    static let namedBelow = 75.0

    init?(_ parts: [Part], settings: RelationshipSettings) {
        // Each part's weight, looked up once.
        let weighted = parts.compactMap { part in settings.weights[part.component].flatMap { $0 > 0 ? (part, $0) : nil } }
        let total = weighted.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return nil }
        let mean = weighted.reduce(0) { $0 + $1.1 * $1.0.score } / total
        score = Int(mean.rounded())
        band = score <= settings.redUpTo ? .red : (score <= settings.yellowUpTo ? .yellow : .green)
        // The largest weighted shortfalls first; ties in the parts' order, so the text is stable.
        let low = weighted.enumerated().filter { $0.element.0.score < Self.namedBelow }.sorted { a, b in
            let da = a.element.1 * (100 - a.element.0.score), db = b.element.1 * (100 - b.element.0.score)
            return da != db ? da > db : a.offset < b.offset
        }.map(\.element.0)
        drivers = low.prefix(3).map { $0.words() }.joined(separator: "; ")
    }
}

/// "1 complaint", "2 complaints".
func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
}

extension HealthScore {
    /// The components of one account that have data.
    static func parts(
        facts: ContactFacts?, indices: RelationshipIndices?, complaintHandling: Double?, churn: Double?,
        revenue90: Double, revenuePrior90: Double, asOf: Day, tier: ValueTier, settings: RelationshipSettings,
        meetingsRecorded: Bool
    ) -> [Part] {
        var parts: [Part] = []
        let window = "\(settings.windowDays) days"
        if let indices {
            let nouns: [(RelationshipIndex, HealthComponent, String, String)] = [
                (.participation, .participation, "event or training", "events or trainings"),
                (.information, .information, "meeting, visit, call or e-mail", "meetings, visits, calls or e-mails"),
                (.guidance, .guidance, "support interaction", "support interactions"),
                (.projectSupport, .projectSupport, "project interaction", "project interactions"),
            ]
            for (index, component, singular, plural) in nouns {
                guard let v = indices[index], let c = indices.counted[index] else { continue }
                parts.append(Part(
                    component: component, score: v,
                    words: { "\(counted(c.count, singular, plural)) in \(window) (target \(formatted(c.target)))" }))
            }
            if let v = indices[.competitiveLeaning], let c = indices.counted[.competitiveLeaning] {
                parts.append(Part(
                    component: .competitiveLeaning, score: 100 - v, words: { "\(counted(c.count, "competitor mention")) in \(window)" }))
            }
            if let v = indices[.acceptance] {
                parts.append(Part(component: .acceptance, score: v, words: { "acceptance index \(Int(v.rounded())) of 100" }))
            }
        }
        if let churn {
            parts.append(Part(component: .churn, score: 100 * (1 - churn), words: { "churn probability \(String(format: "%.2f", churn))" }))
        }
        if revenue90 != 0 || revenuePrior90 != 0 {
            // Flat or growing revenue is healthy; a fall costs in proportion, a stop costs all.
            let trend = (revenue90 - revenuePrior90) / max(abs(revenue90) + abs(revenuePrior90), 1)
            let down = revenuePrior90 > 0 ? Int(((revenuePrior90 - revenue90) / revenuePrior90 * 100).rounded()) : 0
            let words = revenue90 <= 0 ? "no revenue in the last 90 days" : "revenue down \(down) % on the previous 90 days"
            parts.append(Part(component: .revenueTrend, score: 100 * min(1, max(0, 1 + trend)), words: { words }))
        }
        guard let facts else { return parts }
        if let csat = facts.csatLatest, let day = facts.csatLatestDay, asOf - day < settings.windowDays {
            let change = facts.csatChange
            parts.append(Part(component: .csat, score: csat, words: {
                "latest CSAT \(Int(csat.rounded())) of 100" + (change.map { String(format: " (%+.0f on the previous 365 days)", $0) } ?? "")
            }))
        }
        if let complaintHandling {
            var words: [String] = []
            if facts.openComplaints > 0 {
                words.append(counted(facts.openComplaints, "open complaint") + (facts.oldestOpenComplaintDays.map { ", oldest \($0) days" } ?? ""))
            }
            if let mean = facts.meanResolutionDays, mean > settings.resolutionTargetDays {
                words.append("complaints took \(String(format: "%.1f", mean)) days to resolve (target \(formatted(settings.resolutionTargetDays)))")
            }
            parts.append(Part(component: .complaintHandling, score: complaintHandling, words: { words.joined(separator: ", ") }))
        }
        if let plan = settings.meetingsPer30Days[tier], plan > 0 {
            let every = 30 / plan
            let planText = "plan: every \(formatted(every)) days"
            if let last = facts.lastMeetingOrVisit {
                let days = Double(asOf - last)
                let score = days <= every ? 100 : max(0, 100 * (1 - (days - every) / (2 * every)))
                parts.append(Part(
                    component: .contactRecency, score: score, words: { "no meeting or visit in \(asOf - last) days (\(planText))" }))
            } else if meetingsRecorded {
                parts.append(Part(component: .contactRecency, score: 0, words: { "no meeting or visit on record (\(planText))" }))
            }
        }
        return parts
    }

    /// Complaint handling, 0–100: 100 × min(1, target / mean resolution days) (100 when none
    /// was resolved), less 20 per open complaint and 1 per day the oldest open one is past the
    /// target. Nil when the account had no complaint in the window and none is open.
    static func complaintHandling(_ facts: ContactFacts, settings: RelationshipSettings) -> Double? {
        guard facts.complaintsInWindow > 0 || facts.openComplaints > 0 || facts.resolved365 > 0 else { return nil }
        let target = settings.resolutionTargetDays
        let base = facts.meanResolutionDays.map { 100 * min(1, target / max($0, 0.01)) } ?? 100
        let late = facts.oldestOpenComplaintDays.map { max(0, Double($0) - target) } ?? 0
        return min(100, max(0, base - 20 * Double(facts.openComplaints) - late))
    }
}

/// A number as people write it: no decimals when whole, else up to one.
func formatted(_ x: Double) -> String {
    x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
}
