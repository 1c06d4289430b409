/// A clean interaction.
public struct InteractionRecord: Sendable, Hashable {
    public var accountId: String
    public var day: Day
    public var type: InteractionType
    /// Satisfaction mapped onto 0–100.
    public var satisfaction: Double?
    /// Days from the interaction to its resolution, when known (complaints).
    public var resolutionDays: Double?
    /// Its notes name a competitor (`relationship.competitor_keywords`).
    public var mentionsCompetitor = false
}

/// A clean account master row.
public struct AccountRecord: Sendable, Hashable {
    public var accountId: String
    public var name: String?
    public var parentAccountId: String?
    public var industry: String?
    public var region: String?
    public var size: String?
    public var accountManager: String?
    public var createdDate: Day?
    public var strategic: Bool
}

/// Totals of one purchase-day of one account.
public struct DayTotals: Sendable, Hashable {
    public var day: Day
    /// Sum of paid lines (base currency).
    public var paid: Money = .zero
    /// Sum of refunds as a positive amount.
    public var refunded: Money = .zero
    public var cost: Money = .zero
    public var paidLines: Int32 = 0
    public var refundLines: Int32 = 0
    public var cancelledLines: Int32 = 0
    /// Lines whose cost was known.
    public var costedLines: Int32 = 0

    public init(day: Day) { self.day = day }

    /// Paid minus refunded.
    public var net: Money { paid - refunded }
    /// A purchase day has at least one paid line (ARCHITECTURE.md §5).
    public var isPurchase: Bool { paidLines > 0 }
}
