/// What the segment and KPI stages need from an account's history, as of one day.
public struct AccountActivity: Sendable, Hashable {
    public var firstPurchase: Day?
    public var lastPurchase: Day?
    /// Days between as_of and the last purchase.
    public var recencyDays: Int?
    /// Purchase days in (as_of − 365, as_of].
    public var purchaseDays12m: Int
    /// Net revenue in (as_of − 365, as_of] and in (as_of − 730, as_of − 365].
    public var revenue12m: Money
    public var revenuePrior12m: Money
    public var revenueTotal: Money
    /// Longest gap between consecutive purchase days that ends within `newDays` of as_of.
    public var recentReturnGap: Int?

    public init(history: AccountHistory?, asOf: Day, newDays: Int) {
        var first: Day?, last: Day?
        var days12 = 0
        var r12 = Money.zero, prior = Money.zero, total = Money.zero
        var returnGap: Int?
        for d in history?.days ?? [] where d.day <= asOf {
            total = total + d.net
            let age = asOf - d.day
            if age < 365 { r12 = r12 + d.net } else if age < 730 { prior = prior + d.net }
            guard d.isPurchase else { continue }
            if age < 365 { days12 += 1 }
            if let last, age < newDays { returnGap = max(returnGap ?? 0, d.day - last) }
            if first == nil { first = d.day }
            last = d.day
        }
        firstPurchase = first
        lastPurchase = last
        recencyDays = last.map { asOf - $0 }
        purchaseDays12m = days12
        revenue12m = r12
        revenuePrior12m = prior
        revenueTotal = total
        recentReturnGap = returnGap
    }
}

/// Lifecycle stages (DESIGN §6), by day thresholds from the pipeline file.
public enum LifecycleStage: String, Sendable, Hashable, CaseIterable, Codable {
    case prospect, new, active, dormant, churned, reactivated

    /// Rules, first match wins: never bought → prospect; no purchase for `churnedDays` →
    /// churned; for `dormantDays` → dormant; first purchase within `newDays` → new; a purchase
    /// within `newDays` after a gap of at least `dormantDays` → reactivated; else active.
    public static func classify(_ a: AccountActivity, settings: SegmentSettings) -> LifecycleStage {
        guard let recency = a.recencyDays, let first = a.firstPurchase, let last = a.lastPurchase else { return .prospect }
        if recency >= settings.churnedDays { return .churned }
        if recency >= settings.dormantDays { return .dormant }
        let tenure = recency + (last - first)
        if tenure < settings.newDays { return .new }
        if let gap = a.recentReturnGap, gap >= settings.dormantDays { return .reactivated }
        return .active
    }
}
