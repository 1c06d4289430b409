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

    /// `asOf` must be a cut-off of the run (see ``CutoffPoints``).
    public init(history: AccountHistory?, asOf: Day, newDays: Int) {
        guard let h = history else {
            self.init(first: nil, last: nil, purchaseDays12m: 0, revenue12m: .zero, prior: .zero, total: .zero, gap: nil)
            return
        }
        var returnGap: Int?
        for d in h.purchaseDayList(after: asOf - newDays, through: asOf) {
            if let previous = h.lastPurchase(onOrBefore: d - 1) { returnGap = max(returnGap ?? 0, d - previous) }
        }
        self.init(
            first: h.firstPurchase(onOrBefore: asOf), last: h.lastPurchase(onOrBefore: asOf),
            purchaseDays12m: h.purchaseDays(after: asOf - 365, through: asOf),
            revenue12m: h.net(after: asOf - 365, through: asOf), prior: h.net(after: asOf - 730, through: asOf - 365),
            total: h.net(through: asOf), gap: returnGap, asOf: asOf)
    }

    private init(
        first: Day?, last: Day?, purchaseDays12m: Int, revenue12m: Money, prior: Money, total: Money, gap: Int?,
        asOf: Day = Day(ordinal: 0)
    ) {
        firstPurchase = first
        lastPurchase = last
        recencyDays = last.map { asOf - $0 }
        self.purchaseDays12m = purchaseDays12m
        self.revenue12m = revenue12m
        revenuePrior12m = prior
        revenueTotal = total
        recentReturnGap = gap
    }
}

/// Lifecycle stages (ARCHITECTURE.md §6), by day thresholds from the pipeline file.
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
