import Foundation

/// The supervised churn model's features for one account as of one day, with the raw numbers
/// the drivers quote.
struct ChurnFeatureRow: Sendable {
    var values: [Double]
    var daysSinceLastPurchase: Int
    var usualGapDays: Double?
    var purchaseDays90: Int
    var revenueTrend: Double
    var unresolvedComplaints: Int
    var complaints180: Int
    var meanResolutionDays: Double?
    var satisfactionLatest: Double?
    var satisfactionChange: Double?
    var competitorMentions: Int
    var daysSinceContact: Int?
    var meetings90: Int
    var contacts90 = 0
    var pAlive: Double
    var expectedPurchases: Double
    var refundShare: Double
    var tenureDays: Int
}

/// Computes ``ChurnFeatureRow``s from the clean histories and folded interactions.
struct ChurnFeatureBuilder: Sendable {
    let histories: [String: AccountHistory]
    let contacts: [String: ContactHistory]
    let useInteractions: Bool
    let unit: TimeUnit
    let horizonDays: Int

    static let purchaseFeatures = [
        "days_since_last_purchase", "purchase_days_90", "purchase_days_180", "purchase_days_365", "revenue_trend_90",
        "mean_spend", "tenure_days", "refund_share", "p_alive", "expected_purchases",
    ]
    static let interactionFeatures =
        InteractionType.allCases.map { "\($0.rawValue)s_90" } + [
            "contacts_90", "days_since_contact", "complaints_180", "open_complaints", "mean_resolution_days_365",
            "satisfaction_mean_365", "satisfaction_latest", "satisfaction_change", "competitor_mentions_180",
        ]

    var names: [String] { Self.purchaseFeatures + (useInteractions ? Self.interactionFeatures : []) }

    /// Nil when the account has no purchase day on or before `asOf`.
    func row(_ id: String, asOf: Day, model: PurchaseModel) -> ChurnFeatureRow? {
        guard let history = histories[id] else { return nil }
        guard let first = history.firstPurchase(onOrBefore: asOf), let last = history.lastPurchase(onOrBefore: asOf)
        else { return nil }
        let x = history.purchaseDays(after: first, through: asOf)
        let d90 = history.purchaseDays(after: asOf - 90, through: asOf)
        let d180 = history.purchaseDays(after: asOf - 180, through: asOf)
        let d365 = history.purchaseDays(after: asOf - 365, through: asOf)
        let r90 = history.net(after: asOf - 90, through: asOf).double
        let p90 = history.net(after: asOf - 180, through: asOf - 90).double
        let paid = history.paid(through: asOf).double
        let refunded = history.refunded(through: asOf).double
        let net = history.purchaseDayNet(through: asOf).double
        let tx = Double(last - first) / unit.days, T = Double(asOf - first) / unit.days
        let pAlive = model.pAlive(x: Double(x), tx: tx, T: T)
        let expected = model.expected(t: Double(horizonDays) / unit.days, x: Double(x), tx: tx, T: T)
        let recency = asOf - last
        let trend = (r90 - p90) / max(abs(r90) + abs(p90), 1)
        let refundShare = paid > 0 ? min(1, refunded / paid) : 0
        var values: [Double] = [
            log1p(Double(recency)), log1p(Double(d90)), log1p(Double(d180)), log1p(Double(d365)), trend,
            log1p(max(0, net / Double(x + 1))), log1p(Double(asOf - first)), refundShare, pAlive, log1p(expected),
        ]
        var row = ChurnFeatureRow(
            values: [], daysSinceLastPurchase: recency, usualGapDays: x > 0 ? Double(last - first) / Double(x) : nil,
            purchaseDays90: d90, revenueTrend: trend, unresolvedComplaints: 0, complaints180: 0, meanResolutionDays: nil,
            satisfactionLatest: nil, satisfactionChange: nil, competitorMentions: 0, daysSinceContact: nil, meetings90: 0,
            pAlive: pAlive, expectedPurchases: expected, refundShare: refundShare, tenureDays: asOf - first)
        if useInteractions {
            let c = contacts[id] ?? ContactHistory(points: history.points)
            let byType = InteractionType.allCases.map { c.count($0, after: asOf - 90, through: asOf) }
            let lastContact = c.latestContact(onOrBefore: asOf)
            let complaints = c.count(.complaint, after: asOf - 180, through: asOf)
            let unresolved = c.openComplaints(at: asOf)
            let competitor = c.competitorMentions(after: asOf - 180, through: asOf)
            let resolved = c.resolvedComplaints(after: asOf - 365, through: asOf)
            let year = c.surveys(after: asOf - 365, through: asOf)
            let mean = year.count == 0 ? Double.nan : year.sum / Double(year.count)
            let latestSurvey = c.latestSurvey(onOrBefore: asOf).flatMap { asOf - $0.day < 365 ? $0 : nil }
            let latest = latestSurvey?.mean ?? .nan
            let change =
                latestSurvey.map { l in
                    year.count > l.count ? l.mean - (year.sum - l.mean * Double(l.count)) / Double(year.count - l.count) : .nan
                } ?? .nan
            let meanResolution = resolved.count == 0 ? nil : resolved.days / Double(resolved.count)
            let sinceContact = lastContact.map { asOf - $0 }
            values += byType.map { log1p(Double($0)) }
            let contacts90 = c.contacts(after: asOf - 90, through: asOf)
            row.contacts90 = contacts90
            values += [log1p(Double(contacts90))]
            values += [
                log1p(Double(sinceContact ?? (asOf - first))), log1p(Double(complaints)), log1p(Double(unresolved)),
                meanResolution.map { log1p($0) } ?? .nan,
                mean, latest, change, log1p(Double(competitor)),
            ]
            row.unresolvedComplaints = unresolved
            row.complaints180 = complaints
            row.meanResolutionDays = meanResolution
            row.satisfactionLatest = latest.isNaN ? nil : latest
            row.satisfactionChange = change.isNaN ? nil : change
            row.competitorMentions = competitor
            row.daysSinceContact = sinceContact
            row.meetings90 = byType[InteractionType.allCases.firstIndex(of: .meeting)!] + byType[InteractionType.allCases.firstIndex(of: .visit)!]
        }
        row.values = values
        return row
    }
}
