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

    private mutating func addNet(_ day: Int32, _ units: Int64) {
        if dayNet.isEmpty {
            firstDay = day
            dayNet = [0]
        }
        if day < firstDay {
            dayNet.insert(contentsOf: repeatElement(0, count: Int(firstDay - day)), at: 0)
            firstDay = day
        } else if Int(day - firstDay) >= dayNet.count {
            dayNet.append(contentsOf: repeatElement(0, count: Int(day - firstDay) - dayNet.count + 1))
        }
        dayNet[Int(day - firstDay)] += units
    }

    /// Adds every row of a batch.
    mutating func add(_ batch: TransactionRows) {
        var total = SlotTotal()
        for row in batch.rows {
            total.add(slot: Int(row.slot), units: row.amount, base: TransactionRows.signedBase(row))
            count(row, sign: 1)
        }
        rows += batch.count
        amounts.merge(total.controlTotal(codes: batch.currencies))
    }

    /// Takes back row `i` of a batch (a duplicate found later).
    mutating func remove(_ batch: TransactionRows, _ i: Int) {
        let row = batch.rows[i]
        rows -= 1
        amounts.subtract(Money(units: row.amount), currency: batch.currency(i), base: Money(units: TransactionRows.signedBase(row)))
        count(row, sign: -1)
    }

    private mutating func count(_ row: TransactionRows.Row, sign: Int) {
        let s = Int64(sign)
        switch row.status {
        case .paid:
            paidLines += sign
            paid.units += row.base * s
            addNet(row.day, row.base * s)
        case .refund:
            refundLines += sign
            refunded.units += abs(row.base) * s
            addNet(row.day, row.base * s)
        case .cancelled:
            cancelledLines += sign
            cancelled.units += row.base * s
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
        for (k, v) in o.dayNet.enumerated() where v != 0 { addNet(o.firstDay + Int32(k), v) }
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
    /// Rejects in file order, and the duplicate conflicts settled after the pass (also in file order).
    private let rejects = RejectLog(), conflictRejects = RejectLog()
    var rejectLogs: [RejectLog] { [rejects, conflictRejects] }
    private var tally = AcceptedTally()
    private let points: CutoffPoints
    private var ids = AccountInterner()
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
        let rows = batch.rows
        for r in 0..<rows.count {
            let row = rows.rows[r]
            let i = index(rows, r)
            if row.keyed {
                if let first = seen.find(row.key) {
                    tally.remove(rows, r)
                    if policy == .exact || first.contentHash == row.content {
                        counts.duplicatesMerged += 1
                        counts.merged.add(
                            Money(units: row.amount), currency: rows.currency(r), base: Money(units: TransactionRows.signedBase(row)))
                    } else {
                        // Counted now; its reject line is written when the conflict is settled.
                        conflictedKeys.insert(row.key)
                        countConflict(rows, r)
                    }
                    continue
                }
                seen.insert(row.key, contentHash: row.content, account: Int32(i))
            }
            accounts[i].add(row)
        }
    }

    /// What the second look at conflicts must read: the conflicting keys' rows, and every row
    /// of the accounts that accepted the first row of such a key.
    var settleFilter: TransactionCleaner.SettleFilter {
        var affected = Set<String>()
        for key in conflictedKeys {
            if let first = seen.find(key) { affected.insert(ids.ids[Int(first.account)]) }
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

    private mutating func countConflict(_ rows: TransactionRows, _ r: Int) {
        let row = rows.rows[r]
        counts.rowsRejected += 1
        counts.rejectsByReason[.duplicateConflict, default: 0] += 1
        counts.rejected.add(Money(units: row.amount), currency: rows.currency(r), base: Money(units: TransactionRows.signedBase(row)))
    }

    /// The index of row `r`'s account, adding the account when it is new.
    private mutating func index(_ rows: TransactionRows, _ r: Int) -> Int {
        rows.withAccountId(r) { bytes in
            let (i, isNew) = ids.index(hash: rows.rows[r].accountHash, bytes: bytes)
            if isNew { accounts.append(AccountHistory(accountId: ids.ids[i], points: points)) }
            return i
        }
    }

    /// Second look, in file order, at the rows ``settleFilter`` names (read again from the
    /// file): the first row of a conflicting key, accepted at the time, and any merged copies
    /// of it are rejected too, and the accounts concerned are accumulated again without them.
    mutating func settleConflicts(_ batches: [TransactionRows]) {
        let filter = settleFilter
        var firstContent: [UInt64: UInt64] = [:]
        for rows in batches {
            for r in 0..<rows.count {
                let row = rows.rows[r]
                guard row.keyed, conflictedKeys.contains(row.key) else { continue }
                if firstContent[row.key] == nil {
                    firstContent[row.key] = row.content
                    tally.remove(rows, r)
                    countConflict(rows, r)
                } else if row.content == firstContent[row.key] {
                    counts.duplicatesMerged -= 1
                    counts.merged.subtract(
                        Money(units: row.amount), currency: rows.currency(r), base: Money(units: TransactionRows.signedBase(row)))
                    countConflict(rows, r)
                }
                conflictRejects.append(
                    Reject(
                        source: .transactions, line: row.line, field: "txn_id", reason: .duplicateConflict,
                        message: "another row has the same txn_id with different content; all are rejected", raw: rows.raws[r] ?? ""))
            }
        }
        for id in filter.accounts { accounts[ids.index(of: id)] = AccountHistory(accountId: id, points: points) }
        var replayed = Set<UInt64>()
        for rows in batches {
            for r in 0..<rows.count {
                let row = rows.rows[r]
                guard filter.accounts.contains(rows.accountId(r)) else { continue }
                if row.keyed {
                    if conflictedKeys.contains(row.key) || !replayed.insert(row.key).inserted { continue }
                }
                accounts[index(rows, r)].add(row)
            }
        }
    }

    /// Per-account histories, ascending by account id; accounts left without a line (settled
    /// conflicts) are dropped.
    func histories() -> [AccountHistory] {
        // Indices are sorted, not the histories: moving a history copies its references.
        accounts.indices.filter { accounts[$0].hasLines }.sorted { ids.ids[$0] < ids.ids[$1] }.map { accounts[$0] }
    }
}

/// Account ids to dense indices, in order of first appearance: an open-addressing table over
/// the ids' ``RowHash``, with the ids' bytes kept back to back to confirm a match.
struct AccountInterner {
    private(set) var ids: [String] = []
    private var hashes: [UInt64] = []
    private var bytes: [UInt8] = []
    /// End of each id in `bytes`.
    private var ends: [Int] = []
    /// Index + 1 of the id in each slot; 0 is empty.
    private var slots = [Int32](repeating: 0, count: 1024)
    private var last = -1

    /// The index of the id with these bytes and hash (``RowHash/of(field:)``), and whether it is new.
    mutating func index(hash: UInt64, bytes id: UnsafeBufferPointer<UInt8>) -> (Int, isNew: Bool) {
        if last >= 0 && hashes[last] == hash && matches(last, id) { return (last, false) }
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash >> 7) & mask
        while slots[s] != 0 {
            let i = Int(slots[s]) - 1
            if hashes[i] == hash && matches(i, id) {
                last = i
                return (i, false)
            }
            s = (s + 1) & mask
        }
        let i = ids.count
        ids.append(String(decoding: id, as: UTF8.self))
        hashes.append(hash)
        bytes.append(contentsOf: id)
        ends.append(bytes.count)
        slots[s] = Int32(i + 1)
        if ids.count * 10 > slots.count * 7 { grow() }
        last = i
        return (i, true)
    }

    mutating func index(of id: String) -> Int {
        var id = id
        return id.withUTF8 { index(hash: RowHash.of(field: $0), bytes: $0).0 }
    }

    private func matches(_ i: Int, _ id: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = i == 0 ? 0 : ends[i - 1]
        guard ends[i] - start == id.count else { return false }
        return id.isEmpty || bytes.withUnsafeBufferPointer { sameBytes($0.baseAddress! + start, id.baseAddress!, id.count) }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for i in hashes.indices {
            var s = Int(truncatingIfNeeded: hashes[i] >> 7) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(i + 1)
        }
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
