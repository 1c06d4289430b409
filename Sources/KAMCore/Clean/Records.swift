/// A clean transaction line, in the base currency.
public struct TransactionRecord: Sendable, Hashable {
    public var accountId: String
    public var day: Day
    public var status: TransactionStatus
    /// As written, in `currency` (refunds negative whatever the export's sign).
    public var amount: Money
    public var currency: String
    /// Net revenue in the base currency: paid positive, refund negative, cancelled zero.
    public var baseAmount: Money
    /// Cost in the base currency, when a cost or margin column is mapped.
    public var baseCost: Money?
}

/// A clean interaction.
public struct InteractionRecord: Sendable, Hashable {
    public var accountId: String
    public var day: Day
    public var type: InteractionType
    /// Satisfaction mapped onto 0–100.
    public var satisfaction: Double?
    /// Days from the interaction to its resolution, when known (complaints).
    public var resolutionDays: Double?
    public var owner: String?
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
    /// A purchase day has at least one paid line (DESIGN section 5).
    public var isPurchase: Bool { paidLines > 0 }

    mutating func add(_ t: TransactionRecord) {
        switch t.status {
        case .paid:
            paid = paid + t.baseAmount
            paidLines += 1
        case .refund:
            refunded = refunded - t.baseAmount
            refundLines += 1
        case .cancelled:
            cancelledLines += 1
        }
        if let c = t.baseCost, t.status != .cancelled {
            cost = cost + (t.status == .refund ? -c : c)
            costedLines += 1
        }
    }

    mutating func merge(_ o: DayTotals) {
        paid = paid + o.paid
        refunded = refunded + o.refunded
        cost = cost + o.cost
        paidLines += o.paidLines
        refundLines += o.refundLines
        cancelledLines += o.cancelledLines
        costedLines += o.costedLines
    }

    mutating func remove(_ t: TransactionRecord) {
        switch t.status {
        case .paid:
            paid = paid - t.baseAmount
            paidLines -= 1
        case .refund:
            refunded = refunded + t.baseAmount
            refundLines -= 1
        case .cancelled:
            cancelledLines -= 1
        }
        if let c = t.baseCost, t.status != .cancelled {
            cost = cost - (t.status == .refund ? -c : c)
            costedLines -= 1
        }
    }
}
