/// One account's service costs from the `costs` input (README, Input fields, "costs"): each
/// accepted row's day, amount in the base currency and category, kept in the order read.
public struct ServiceCosts: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var day: Day
        /// In the base currency; a negative amount is a reversal or a credit.
        public var amount: Money
        public var category: String?
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    mutating func add(_ entry: Entry) { entries.append(entry) }

    /// The costs dated in (`from`, `through`].
    public func total(after from: Day, through: Day) -> Money {
        entries.reduce(Money.zero) { $1.day > from && $1.day <= through ? $0 + $1.amount : $0 }
    }
}
