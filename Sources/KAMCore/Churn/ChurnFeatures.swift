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

/// Computes ``ChurnFeatureRow``s from the clean histories and interactions.
struct ChurnFeatureBuilder: Sendable {
    let histories: [String: AccountHistory]
    let interactions: [String: [InteractionRecord]]
    let useInteractions: Bool
    let unit: TimeUnit
    let horizonDays: Int

    static let purchaseFeatures = [
        "days_since_last_purchase", "purchase_days_90", "purchase_days_180", "purchase_days_365", "revenue_trend_90",
        "mean_spend", "tenure_days", "refund_share", "p_alive", "expected_purchases",
    ]
    static let interactionFeatures =
        InteractionType.allCases.map { "\($0.rawValue)s_90" } + [
            "contacts_90", "days_since_contact", "complaints_180", "unresolved_complaints_180", "mean_resolution_days_365",
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
            var byType = Array(repeating: 0, count: InteractionType.allCases.count)
            var lastContact: Day?
            var complaints = 0, unresolved = 0, competitor = 0
            var resolutions: [Double] = []
            var surveys: [(Day, Double)] = []
            for i in interactions[id] ?? [] where i.day <= asOf {
                let age = asOf - i.day
                if lastContact == nil || i.day > lastContact! { lastContact = i.day }
                if age < 90 { byType[InteractionType.allCases.firstIndex(of: i.type)!] += 1 }
                switch i.type {
                case .complaint:
                    if age < 180 {
                        complaints += 1
                        // Unresolved as of `asOf`: no resolution, or resolved after it.
                        if i.resolutionDays.map({ Double(age) < $0 }) ?? true { unresolved += 1 }
                    }
                    if age < 365, let r = i.resolutionDays, Double(age) >= r { resolutions.append(r) }
                case .competitor where age < 180: competitor += 1
                default: break
                }
                if let s = i.satisfaction, age < 365 { surveys.append((i.day, s)) }
            }
            surveys.sort { $0.0 < $1.0 }
            let mean = surveys.isEmpty ? Double.nan : surveys.reduce(0) { $0 + $1.1 } / Double(surveys.count)
            let latest = surveys.last?.1 ?? .nan
            let earlier = surveys.dropLast()
            let change = earlier.isEmpty ? Double.nan : latest - earlier.reduce(0) { $0 + $1.1 } / Double(earlier.count)
            let sinceContact = lastContact.map { asOf - $0 }
            values += byType.map { log1p(Double($0)) }
            let engagement = InteractionType.allCases.enumerated().filter { $0.element != .complaint && $0.element != .competitor }
            let contacts = engagement.reduce(0) { $0 + byType[$1.offset] }
            row.contacts90 = contacts
            values += [log1p(Double(contacts))]
            values += [
                log1p(Double(sinceContact ?? (asOf - first))), log1p(Double(complaints)), log1p(Double(unresolved)),
                resolutions.isEmpty ? .nan : log1p(resolutions.reduce(0, +) / Double(resolutions.count)),
                mean, latest, change, log1p(Double(competitor)),
            ]
            row.unresolvedComplaints = unresolved
            row.complaints180 = complaints
            row.meanResolutionDays = resolutions.isEmpty ? nil : resolutions.reduce(0, +) / Double(resolutions.count)
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
