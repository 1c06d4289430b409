/// What accepted rows add to an input's ledger. Batches tally their candidate rows in
/// parallel; the book takes back the few that turn out to be duplicates.
struct AcceptedTally: Sendable {
    var rows = 0
    var amounts = ControlTotal()
    var paidLines = 0, refundLines = 0, cancelledLines = 0
    var paid = Money.zero, refunded = Money.zero, cancelled = Money.zero
    /// Net revenue by day as a dense run of days from `firstDay` (batches touch a few years).
    private var firstDay: Int32 = 0
    private var dayNet: [Int64] = []

    var netByDay: [Day: Money] {
        var out: [Day: Money] = [:]
        for (k, v) in dayNet.enumerated() where v != 0 { out[Day(ordinal: firstDay + Int32(k))] = Money(units: v) }
        return out
    }

    private mutating func addNet(_ day: Day, _ units: Int64) {
        if dayNet.isEmpty {
            firstDay = day.ordinal
            dayNet = [0]
        }
        if day.ordinal < firstDay {
            dayNet.insert(contentsOf: repeatElement(0, count: Int(firstDay - day.ordinal)), at: 0)
            firstDay = day.ordinal
        } else if Int(day.ordinal - firstDay) >= dayNet.count {
            dayNet.append(contentsOf: repeatElement(0, count: Int(day.ordinal - firstDay) - dayNet.count + 1))
        }
        dayNet[Int(day.ordinal - firstDay)] += units
    }

    mutating func add(_ t: TransactionRecord, sign: Int) {
        let s = Int64(sign)
        rows += sign
        if sign > 0 {
            amounts.add(t.amount, currency: t.currency, base: t.baseAmount.magnitudeSigned(t))
        } else {
            amounts.subtract(t.amount, currency: t.currency, base: t.baseAmount.magnitudeSigned(t))
        }
        switch t.status {
        case .paid:
            paidLines += sign
            paid = paid + Money(units: t.baseAmount.units * s)
            addNet(t.day, t.baseAmount.units * s)
        case .refund:
            refundLines += sign
            refunded = refunded + Money(units: t.baseAmount.magnitude.units * s)
            addNet(t.day, t.baseAmount.units * s)
        case .cancelled:
            cancelledLines += sign
            cancelled = cancelled + Money(units: t.baseAmount.units * s)
        }
    }

    mutating func merge(_ o: AcceptedTally) {
        rows += o.rows
        amounts.merge(o.amounts)
        paidLines += o.paidLines
        refundLines += o.refundLines
        cancelledLines += o.cancelledLines
        paid = paid + o.paid
        refunded = refunded + o.refunded
        cancelled = cancelled + o.cancelled
        for (k, v) in o.dayNet.enumerated() where v != 0 { addNet(Day(ordinal: o.firstDay + Int32(k)), v) }
    }
}

/// The accepted transactions of a run, as per-account accumulators (``AccountHistory``), with
/// the input's ledger.
///
/// Fed batch by batch in file order. Memory grows with the accounts (and the calendar span of
/// their purchase days), not with the rows, except for duplicate detection: one slot per keyed
/// row, since a duplicate must be recognised wherever it comes. Conflicting duplicates are
/// settled after the pass (``settleConflicts(_:)``) from a second read of the rows concerned.
struct TransactionBook {
    /// The ledger without the accepted rows' tally, which ``ledger`` adds when asked.
    private var counts = InputLedger(kind: .transactions)
    private(set) var rejects: [Reject] = []
    private var tally = AcceptedTally()
    private let points: CutoffPoints
    private var accountIds: [String] = []
    private var accountIndex: [String: Int32] = [:]
    private var lastAccount = ""
    private var lastIndex: Int32 = -1
    private var accounts: [AccountHistory] = []
    private var seen = DuplicateTable()
    /// Keys seen with different content; their rows are all rejected when settled.
    private(set) var conflictedKeys: Set<UInt64> = []
    private let policy: DedupePolicy

    init(policy: DedupePolicy, points: CutoffPoints) {
        self.policy = policy
        self.points = points
    }

    mutating func add(_ batch: TransactionCleaner.Batch) {
        counts.rowsRead += batch.ledger.rowsRead
        counts.excludedAfterAsOf += batch.ledger.excludedAfterAsOf
        counts.read.merge(batch.readAmounts)
        counts.rejected.merge(batch.rejectedAmounts)
        counts.excluded.merge(batch.excludedAmounts)
        tally.merge(batch.tally)
        for reject in batch.rejects { addReject(reject) }
        for row in batch.rows {
            let i = index(of: row.record.accountId)
            if let key = row.key {
                if let first = seen.find(key) {
                    tally.add(row.record, sign: -1)
                    if policy == .exact || first.contentHash == row.contentHash {
                        counts.duplicatesMerged += 1
                        counts.merged.add(row.record.amount, currency: row.record.currency, base: row.record.baseAmount.magnitudeSigned(row.record))
                    } else {
                        // Counted now; its reject line is written when the conflict is settled.
                        conflictedKeys.insert(key)
                        countConflict(row)
                    }
                    continue
                }
                seen.insert(key, contentHash: row.contentHash, account: Int32(i))
            }
            accounts[i].add(row.record)
        }
    }

    /// What the second look at conflicts must read: the conflicting keys' rows, and every row
    /// of the accounts that accepted the first row of such a key.
    var settleFilter: TransactionCleaner.SettleFilter {
        var affected = Set<String>()
        for key in conflictedKeys {
            if let first = seen.find(key) { affected.insert(accountIds[Int(first.account)]) }
        }
        return TransactionCleaner.SettleFilter(keys: conflictedKeys, accounts: affected)
    }

    /// Where every row went, with amount control totals.
    var ledger: InputLedger {
        var ledger = counts
        ledger.rowsAccepted = tally.rows
        ledger.accepted = tally.amounts
        ledger.paidLines = tally.paidLines
        ledger.refundLines = tally.refundLines
        ledger.cancelledLines = tally.cancelledLines
        ledger.paidBase = tally.paid
        ledger.refundedBase = tally.refunded
        ledger.cancelledBase = tally.cancelled
        ledger.netRevenueByDay = tally.netByDay
        return ledger
    }

    private mutating func addReject(_ reject: Reject) {
        rejects.append(reject)
        counts.rowsRejected += 1
        counts.rejectsByReason[reject.reason, default: 0] += 1
    }

    private mutating func countConflict(_ row: TransactionCleaner.Row) {
        counts.rowsRejected += 1
        counts.rejectsByReason[.duplicateConflict, default: 0] += 1
        counts.rejected.add(row.record.amount, currency: row.record.currency, base: row.record.baseAmount.magnitudeSigned(row.record))
    }

    private func conflictReject(_ row: TransactionCleaner.Row) -> Reject {
        Reject(
            source: .transactions, line: row.line, field: "txn_id", reason: .duplicateConflict,
            message: "another row has the same txn_id with different content; all are rejected", raw: row.raw ?? "")
    }

    private mutating func index(of accountId: String) -> Int {
        if lastIndex >= 0 && accountId == lastAccount { return Int(lastIndex) }
        let i: Int32
        if let found = accountIndex[accountId] {
            i = found
        } else {
            i = Int32(accountIds.count)
            accountIds.append(accountId)
            accountIndex[accountId] = i
            accounts.append(AccountHistory(accountId: accountId, points: points))
        }
        lastAccount = accountId
        lastIndex = i
        return Int(i)
    }

    /// Second look, in file order, at the rows ``settleFilter`` names (read again from the
    /// file): the first row of a conflicting key, accepted at the time, and any merged copies
    /// of it are rejected too, and the accounts concerned are accumulated again without them.
    mutating func settleConflicts(_ rows: [TransactionCleaner.Row]) {
        let filter = settleFilter
        var firstContent: [UInt64: UInt64] = [:]
        for row in rows {
            guard let key = row.key, conflictedKeys.contains(key) else { continue }
            let t = row.record
            if firstContent[key] == nil {
                firstContent[key] = row.contentHash
                tally.add(t, sign: -1)
                countConflict(row)
            } else if row.contentHash == firstContent[key] {
                counts.duplicatesMerged -= 1
                counts.merged.subtract(t.amount, currency: t.currency, base: t.baseAmount.magnitudeSigned(t))
                countConflict(row)
            }
            rejects.append(conflictReject(row))
        }
        for id in filter.accounts { accounts[index(of: id)] = AccountHistory(accountId: id, points: points) }
        var replayed = Set<UInt64>()
        for row in rows where filter.accounts.contains(row.record.accountId) {
            if let key = row.key {
                if conflictedKeys.contains(key) || !replayed.insert(key).inserted { continue }
            }
            accounts[index(of: row.record.accountId)].add(row.record)
        }
    }

    /// Per-account histories, ascending by account id; accounts left without a line (settled
    /// conflicts) are dropped.
    func histories() -> [AccountHistory] {
        accounts.filter(\.hasLines).sorted { $0.accountId < $1.accountId }
    }
}

/// Open-addressing hash table from a duplicate key (already a 64-bit hash) to the first row's
/// content hash and account: 20 bytes a slot in three flat arrays, no per-entry allocation.
struct DuplicateTable {
    private var keys: [UInt64]
    private var contents: [UInt64]
    private var accounts: [Int32]
    private var count = 0

    /// - Parameter expected: keys it should hold without growing.
    init(expected: Int = 0) {
        var slots = 1024
        while slots * 7 < expected * 10 { slots *= 2 }
        keys = Array(repeating: 0, count: slots)
        contents = Array(repeating: 0, count: slots)
        accounts = Array(repeating: 0, count: slots)
    }

    /// 0 marks an empty slot, so key 0 is stored as 1.
    private static func slotKey(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always)
    private func home(_ k: UInt64) -> Int { Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 20) & (keys.count - 1) }

    func find(_ key: UInt64) -> (contentHash: UInt64, account: Int32)? {
        let k = Self.slotKey(key)
        let mask = keys.count - 1
        var i = home(k)
        while keys[i] != 0 {
            if keys[i] == k { return (contents[i], accounts[i]) }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func insert(_ key: UInt64, contentHash: UInt64, account: Int32) {
        if (count + 1) * 10 > keys.count * 7 { grow() }
        let k = Self.slotKey(key)
        let mask = keys.count - 1
        var i = home(k)
        while keys[i] != 0 && keys[i] != k { i = (i + 1) & mask }
        if keys[i] == 0 { count += 1 }
        keys[i] = k
        contents[i] = contentHash
        accounts[i] = account
    }

    private mutating func grow() {
        let old = (keys, contents, accounts)
        self = DuplicateTable(expected: (old.0.count * 7 / 10) * 2)
        for i in old.0.indices where old.0[i] != 0 { insert(old.0[i], contentHash: old.1[i], account: old.2[i]) }
    }
}

extension Money {
    /// The base amount as the export wrote its sign (for control totals in base currency).
    func magnitudeSigned(_ t: TransactionRecord) -> Money {
        t.amount.units < 0 ? -magnitude : magnitude
    }
}
