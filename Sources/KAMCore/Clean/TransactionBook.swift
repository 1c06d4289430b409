/// The accepted transactions of a run, as per-account day totals, with the input's ledger.
///
/// Fed batch by batch in file order; memory grows with account-days and, for duplicate
/// detection, with one 24-byte entry per keyed row. Conflicting duplicates are settled after
/// the pass (``settleConflicts(_:)``), when every row of a conflicting id is known.
final class TransactionBook {
    var ledger = InputLedger(kind: .transactions)
    var rejects: [Reject] = []
    private(set) var accountIds: [String] = []
    private var accountIndex: [String: Int32] = [:]
    private var days: [UInt64: DayTotals] = [:]
    private var seen: [UInt64: (contentHash: UInt64, byteOffset: Int)] = [:]
    /// Keys seen with different content; their rows are all rejected when settled.
    private(set) var conflictedKeys: Set<UInt64> = []
    private let policy: DedupePolicy

    init(policy: DedupePolicy) { self.policy = policy }

    func add(_ batch: TransactionCleaner.Batch) {
        ledger.rowsRead += batch.ledger.rowsRead
        ledger.excludedAfterAsOf += batch.ledger.excludedAfterAsOf
        ledger.read.merge(batch.readAmounts)
        ledger.rejected.merge(batch.rejectedAmounts)
        ledger.excluded.merge(batch.excludedAmounts)
        for reject in batch.rejects { addReject(reject) }
        for row in batch.rows {
            if let key = row.key {
                if let first = seen[key] {
                    if policy == .exact || first.contentHash == row.contentHash {
                        ledger.duplicatesMerged += 1
                        ledger.merged.add(row.record.amount, currency: row.record.currency, base: row.record.baseAmount.magnitudeSigned(row.record))
                    } else {
                        // Counted now; its reject line is written when the conflict is settled.
                        conflictedKeys.insert(key)
                        countConflict(row)
                    }
                    continue
                }
                seen[key] = (row.contentHash, row.byteOffset)
            }
            accept(row.record)
        }
    }

    private func addReject(_ reject: Reject) {
        rejects.append(reject)
        ledger.rowsRejected += 1
        ledger.rejectsByReason[reject.reason, default: 0] += 1
    }

    private func countConflict(_ row: TransactionCleaner.Row) {
        ledger.rowsRejected += 1
        ledger.rejectsByReason[.duplicateConflict, default: 0] += 1
        ledger.rejected.add(row.record.amount, currency: row.record.currency, base: row.record.baseAmount.magnitudeSigned(row.record))
    }

    private func conflictReject(_ row: TransactionCleaner.Row) -> Reject {
        Reject(
            source: .transactions, line: row.line, field: "txn_id", reason: .duplicateConflict,
            message: "another row has the same txn_id with different content; all are rejected", raw: row.raw ?? "")
    }

    private func index(of accountId: String) -> Int32 {
        if let i = accountIndex[accountId] { return i }
        let i = Int32(accountIds.count)
        accountIds.append(accountId)
        accountIndex[accountId] = i
        return i
    }

    private func accept(_ t: TransactionRecord) {
        let key = UInt64(UInt32(bitPattern: index(of: t.accountId))) << 32 | UInt64(UInt32(bitPattern: t.day.ordinal))
        days[key, default: DayTotals(day: t.day)].add(t)
        ledger.rowsAccepted += 1
        ledger.accepted.add(t.amount, currency: t.currency, base: t.baseAmount.magnitudeSigned(t))
        tally(t, sign: 1)
    }

    private func tally(_ t: TransactionRecord, sign: Int) {
        let s = Money(units: Int64(sign))
        if t.status != .cancelled {
            ledger.netRevenueByDay[t.day, default: .zero] = ledger.netRevenueByDay[t.day, default: .zero] + Money(units: t.baseAmount.units * s.units)
        }
        switch t.status {
        case .paid:
            ledger.paidLines += sign
            ledger.paidBase = ledger.paidBase + Money(units: t.baseAmount.units * s.units)
        case .refund:
            ledger.refundLines += sign
            ledger.refundedBase = ledger.refundedBase + Money(units: t.baseAmount.magnitude.units * s.units)
        case .cancelled:
            ledger.cancelledLines += sign
            ledger.cancelledBase = ledger.cancelledBase + Money(units: t.baseAmount.units * s.units)
        }
    }

    /// Second look at the rows of conflicting ids (read again from the file): the first row,
    /// accepted at the time, and any merged copies of it are rejected too.
    func settleConflicts(_ rows: [TransactionCleaner.Row]) {
        for row in rows {
            guard let key = row.key, conflictedKeys.contains(key), let first = seen[key] else { continue }
            let t = row.record
            if row.byteOffset == first.byteOffset {
                let dayKey = UInt64(UInt32(bitPattern: accountIndex[t.accountId]!)) << 32 | UInt64(UInt32(bitPattern: t.day.ordinal))
                days[dayKey]!.remove(t)
                ledger.rowsAccepted -= 1
                ledger.accepted.subtract(t.amount, currency: t.currency, base: t.baseAmount.magnitudeSigned(t))
                tally(t, sign: -1)
                countConflict(row)
            } else if row.contentHash == first.contentHash {
                ledger.duplicatesMerged -= 1
                ledger.merged.subtract(t.amount, currency: t.currency, base: t.baseAmount.magnitudeSigned(t))
                countConflict(row)
            }
            rejects.append(conflictReject(row))
        }
    }

    /// Per-account purchase history, accounts and days in ascending order. Days whose lines
    /// all went away (settled conflicts) are dropped.
    func histories() -> [AccountHistory] {
        var grouped: [[DayTotals]] = Array(repeating: [], count: accountIds.count)
        for (key, totals) in days where totals.paidLines + totals.refundLines + totals.cancelledLines > 0 {
            grouped[Int(key >> 32)].append(totals)
        }
        var out: [AccountHistory] = []
        out.reserveCapacity(accountIds.count)
        for (i, id) in accountIds.enumerated() where !grouped[i].isEmpty {
            out.append(AccountHistory(accountId: id, days: grouped[i].sorted { $0.day < $1.day }))
        }
        return out.sorted { $0.accountId < $1.accountId }
    }
}

extension Money {
    /// The base amount as the export wrote its sign (for control totals in base currency).
    func magnitudeSigned(_ t: TransactionRecord) -> Money {
        t.amount.units < 0 ? -magnitude : magnitude
    }
}

/// One account's transactions, collapsed to days.
public struct AccountHistory: Sendable, Hashable {
    public var accountId: String
    /// Ascending by day; only days with at least one line.
    public var days: [DayTotals]

    public init(accountId: String, days: [DayTotals]) {
        self.accountId = accountId
        self.days = days
    }
}
