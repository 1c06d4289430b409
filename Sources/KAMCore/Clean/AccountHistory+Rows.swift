/// How the clean stage adds its rows to a history: a batch's plain rows, without a
/// ``DayTotals`` per row (the model's history knows nothing of the cleaner's row layout).
extension AccountHistory {
    /// Adds one accepted row of a batch (the clean stage's path: no ``DayTotals`` per row).
    mutating func add(_ row: TransactionRows.Row) { add(row, interval: points.interval(of: row.day)) }

    /// Adds one accepted row whose day falls in `interval` of ``points`` (looked up by the caller
    /// for a whole batch, ``CutoffPoints/intervals(from:through:maxDays:)``).
    mutating func add(_ row: TransactionRows.Row, interval: Int) {
        let costed = row.cost != TransactionRows.noCost
        switch row.status {
        case .paid:
            accumulate(
                day: row.day, interval: interval, paid: row.base, refunded: 0, cost: costed ? row.cost : 0, uncosted: costed ? 0 : 1,
                purchase: true)
        case .refund:
            accumulate(
                day: row.day, interval: interval, paid: 0, refunded: -row.base, cost: costed ? -row.cost : 0, uncosted: costed ? 0 : 1,
                purchase: false)
        case .cancelled, .open:  // open lines never reach a history
            accumulate(day: row.day, interval: interval, paid: 0, refunded: 0, cost: 0, uncosted: 0, purchase: false)
        }
    }
}
