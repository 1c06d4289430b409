/// An account's purchase history in the form the buy-till-you-die models take (ARCHITECTURE.md §5).
///
/// A purchase is a day with at least one paid line. `x` counts repeat purchase days after the
/// first; `tx` is last − first purchase and `age` (T) is as_of − first purchase, both in days
/// here and in the model's unit once divided by ``TimeUnit/days``.
public struct RepeatPurchaseSummary: Sendable, Hashable {
    public var accountId: String
    public var firstPurchase: Day
    public var lastPurchase: Day
    /// Repeat purchase days (x).
    public var frequency: Int
    /// Sum of net amounts (paid − refunded) on repeat purchase days, for the mean spend.
    public var repeatNetSpend: Money
    /// Net revenue over the whole history (including the first day and refund-only days).
    public var revenue: Money
    /// Net cost over the whole history, when every line had a cost.
    public var cost: Money?

    /// Mean net spend per repeat purchase day (m̄), nil when there is no repeat purchase.
    public var meanRepeatSpend: Double? { frequency > 0 ? repeatNetSpend.double / Double(frequency) : nil }

    /// t_x and T in the given unit.
    public func recency(in unit: TimeUnit) -> Double { Double(lastPurchase - firstPurchase) / unit.days }
    public func age(asOf: Day, in unit: TimeUnit) -> Double { Double(asOf - firstPurchase) / unit.days }

    /// Builds the summary from the history up to and including `asOf` (a cut-off of the run);
    /// nil without a purchase day.
    public init?(history: AccountHistory, asOf: Day) {
        guard let first = history.firstPurchase(onOrBefore: asOf), let last = history.lastPurchase(onOrBefore: asOf)
        else { return nil }
        let purchaseNet = history.purchaseDayNet(through: asOf)
        self.accountId = history.accountId
        self.firstPurchase = first
        self.lastPurchase = last
        self.frequency = history.purchaseDays(after: first, through: asOf)
        self.repeatNetSpend = purchaseNet - history.firstPurchaseDayNet
        self.revenue = history.net(through: asOf)
        self.cost = history.cost(through: asOf)
        self.nonPurchaseNet = revenue - purchaseNet
    }

    public init(accountId: String, firstPurchase: Day, lastPurchase: Day, frequency: Int, repeatNetSpend: Money, revenue: Money, cost: Money? = nil) {
        self.accountId = accountId
        self.firstPurchase = firstPurchase
        self.lastPurchase = lastPurchase
        self.frequency = frequency
        self.repeatNetSpend = repeatNetSpend
        self.revenue = revenue
        self.cost = cost
    }

    /// Combines the summaries of one account from two shards of its rows (ARCHITECTURE.md §12):
    /// purchase days must not overlap between shards.
    public func merged(with other: RepeatPurchaseSummary) -> RepeatPurchaseSummary {
        precondition(accountId == other.accountId)
        let (early, late) = firstPurchase <= other.firstPurchase ? (self, other) : (other, self)
        // The later shard's first day becomes a repeat day of the whole.
        let lateFirstDayNet = late.revenue - late.repeatNetSpend - late.nonPurchaseNet
        return RepeatPurchaseSummary(
            accountId: accountId, firstPurchase: early.firstPurchase, lastPurchase: max(early.lastPurchase, late.lastPurchase),
            frequency: early.frequency + late.frequency + 1,
            repeatNetSpend: early.repeatNetSpend + late.repeatNetSpend + lateFirstDayNet,
            revenue: early.revenue + late.revenue,
            cost: early.cost.flatMap { a in late.cost.map { a + $0 } },
            nonPurchaseNet: early.nonPurchaseNet + late.nonPurchaseNet)
    }

    /// Net of refund-only days (not purchases), kept so that shards merge exactly.
    public var nonPurchaseNet: Money = .zero

    init(accountId: String, firstPurchase: Day, lastPurchase: Day, frequency: Int, repeatNetSpend: Money, revenue: Money, cost: Money?, nonPurchaseNet: Money) {
        self.init(accountId: accountId, firstPurchase: firstPurchase, lastPurchase: lastPurchase, frequency: frequency, repeatNetSpend: repeatNetSpend, revenue: revenue, cost: cost)
        self.nonPurchaseNet = nonPurchaseNet
    }
}

/// (x, t_x, T) in the model's unit with a weight: equal summaries collapsed, so a fit costs
/// time per distinct summary, not per account.
public struct ModelInput: Sendable, Hashable {
    public var x: Double
    public var tx: Double
    public var T: Double
    public var weight: Double

    public init(x: Double, tx: Double, T: Double, weight: Double = 1) {
        self.x = x
        self.tx = tx
        self.T = T
        self.weight = weight
    }

    /// Collapses equal (x, t_x, T) triples, in a deterministic order.
    public static func collapse(_ items: [(x: Double, tx: Double, T: Double)]) -> [ModelInput] {
        var counts: [Triple: Double] = [:]
        for i in items { counts[Triple(x: i.x, tx: i.tx, T: i.T), default: 0] += 1 }
        return counts.map { ModelInput(x: $0.key.x, tx: $0.key.tx, T: $0.key.T, weight: $0.value) }
            .sorted { ($0.x, $0.tx, $0.T) < ($1.x, $1.tx, $1.T) }
    }

    private struct Triple: Hashable {
        var x: Double
        var tx: Double
        var T: Double
    }
}
