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

    /// Makes `dayNet` cover the days `lo...hi` (at least).
    private mutating func coverDays(_ lo: Int32, _ hi: Int32) {
        if dayNet.isEmpty {
            firstDay = lo
            dayNet = Array(repeating: 0, count: Int(hi - lo) + 1)
            return
        }
        if lo < firstDay {
            dayNet.insert(contentsOf: repeatElement(0, count: Int(firstDay - lo)), at: 0)
            firstDay = lo
        }
        if Int(hi - firstDay) >= dayNet.count {
            dayNet.append(contentsOf: repeatElement(0, count: Int(hi - firstDay) - dayNet.count + 1))
        }
    }

    private mutating func addNet(_ day: Int32, _ units: Int64) {
        coverDays(day, day)
        dayNet[Int(day - firstDay)] += units
    }

    /// Adds every row of a batch: the days it spans are made room for once, then each row is
    /// counted.
    mutating func add(_ batch: TransactionRows) {
        var total = SlotTotal()
        var lo = Int32.max, hi = Int32.min
        for row in batch.rows where row.status != .cancelled {
            lo = min(lo, row.day)
            hi = max(hi, row.day)
        }
        if lo <= hi { coverDays(lo, hi) }
        for row in batch.rows {
            total.add(slot: Int(row.slot), units: row.amount, base: TransactionRows.signedBase(row))
            if let net = count(row, sign: 1) { dayNet[Int(row.day - firstDay)] += net }
        }
        rows += batch.count
        amounts.merge(total.controlTotal(codes: batch.currencies))
    }

    /// Takes back a row (a duplicate found later).
    mutating func remove(_ row: TransactionRows.Row, currency: String) {
        rows -= 1
        amounts.subtract(Money(units: row.amount), currency: currency, base: Money(units: TransactionRows.signedBase(row)))
        if let net = count(row, sign: -1) { addNet(row.day, net) }
    }

    /// Counts a row's line and amount by status (`sign` -1 takes it back); returns what it adds
    /// to its day's net revenue, or nil for a cancelled line.
    private mutating func count(_ row: TransactionRows.Row, sign: Int) -> Int64? {
        let s = Int64(sign)
        switch row.status {
        case .paid:
            paidLines += sign
            paid.units += row.base * s
            return row.base * s
        case .refund:
            refundLines += sign
            refunded.units += abs(row.base) * s
            return row.base * s
        case .cancelled:
            cancelledLines += sign
            cancelled.units += row.base * s
            return nil
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
/// their purchase days), not with the rows. Every row is accumulated as it comes; keyed rows
/// also go to a ``DuplicateSpill`` on disk, and after the pass ``resolveDuplicates()`` takes
/// back the duplicates it finds there. Conflicting duplicates are settled
/// (``settleConflicts(_:)``) from a second read of the rows concerned.
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
    /// Currency codes of the keyed rows in the spill.
    private var currencyCodes: [String] = []
    private var currencyIndex: [String: Int32] = [:]
    private let spill: DuplicateSpill?
    /// Keys given with different content; all their rows are rejected.
    private(set) var conflictedKeys: Set<UInt64> = []
    /// The accounts of rows with a conflicted key: built again when the conflicts are settled.
    private var conflictedAccounts: Set<Int32> = []
    private let policy: DedupePolicy

    init(policy: DedupePolicy, points: CutoffPoints) throws {
        self.policy = policy
        self.points = points
        spill = policy == .none ? nil : try DuplicateSpill()
    }

    mutating func add(_ batch: TransactionCleaner.Batch) throws {
        counts.rowsRead += batch.ledger.rowsRead
        counts.excludedAfterAsOf += batch.ledger.excludedAfterAsOf
        counts.read.merge(batch.readAmounts)
        counts.rejected.merge(batch.rejectedAmounts)
        counts.excluded.merge(batch.excludedAmounts)
        tally.merge(batch.tally)
        for reject in batch.rejects { addReject(reject) }
        let rows = batch.rows
        var currencies: [Int32] = []
        if spill != nil { for code in rows.currencies { currencies.append(currency(code)) } }
        for r in 0..<rows.count {
            let row = rows.rows[r]
            let i = index(rows, r)
            if row.keyed, let spill {
                try spill.add(
                    DuplicateSpill.Entry(
                        key: row.key, content: row.content, amount: row.amount, cost: row.cost, account: Int32(i), day: row.day,
                        currency: currencies[Int(row.slot)], status: row.status))
            }
            accounts[i].add(row)
        }
    }

    private mutating func currency(_ code: String) -> Int32 {
        if let i = currencyIndex[code] { return i }
        currencyCodes.append(code)
        currencyIndex[code] = Int32(currencyCodes.count - 1)
        return Int32(currencyCodes.count - 1)
    }

    /// After the pass: a later row with the key of an earlier one is merged when its content is
    /// the same (or always, for `exact`) and taken back from its account; a key given with
    /// different content is a conflict, and every row with it is rejected (their accounts are
    /// built again by ``settleConflicts(_:)``). Partitions are looked at in parallel (unless
    /// `threads` is 1) and their findings applied in partition order, so the result does not
    /// depend on the thread count; `base` converts a row's amount again
    /// (``TransactionCleaner/base(units:currency:day:status:)``).
    mutating func resolveDuplicates(
        threads: Int, base: (_ units: Int64, _ currency: String, _ day: Int32, _ status: TransactionStatus) -> Int64
    ) throws {
        guard let spill else { return }
        let policy = self.policy
        let findings = try spill.forEachPartition(threads: threads) { entries in
            // Each key's first row, how many rows it has and whether their contents differ.
            var groups = KeyGroups(capacity: entries.count)
            for (i, x) in entries.enumerated() { groups.add(key: x.key, content: x.content, index: i) }
            var found: [(entry: DuplicateSpill.Entry, conflict: Bool)] = []
            for (i, x) in entries.enumerated() {
                let group = groups[x.key]
                guard group.rows > 1 else { continue }
                if policy == .txnId && group.contentsDiffer {
                    found.append((x, true))
                } else if i != Int(group.first) {
                    found.append((x, false))
                }
            }
            return found
        }
        for (x, conflict) in findings.joined() {
            let code = currencyCodes[Int(x.currency)]
            let row = x.row(base: base(x.amount, code, x.day, x.status))
            let amount = Money(units: x.amount), signedBase = Money(units: TransactionRows.signedBase(row))
            tally.remove(row, currency: code)
            if conflict {
                conflictedKeys.insert(x.key)
                conflictedAccounts.insert(x.account)
                counts.rowsRejected += 1
                counts.rejectsByReason[.duplicateConflict, default: 0] += 1
                counts.rejected.add(amount, currency: code, base: signedBase)
            } else {
                counts.duplicatesMerged += 1
                counts.merged.add(amount, currency: code, base: signedBase)
                accounts[Int(x.account)].removeDuplicate(row)
            }
        }
    }

    /// What the second look at conflicts must read: the conflicting keys' rows, and every row
    /// of the accounts that have one.
    var settleFilter: TransactionCleaner.SettleFilter {
        TransactionCleaner.SettleFilter(keys: conflictedKeys, accounts: Set(conflictedAccounts.map { ids.ids[Int($0)] }))
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

    /// The index of row `r`'s account, adding the account when it is new.
    private mutating func index(_ rows: TransactionRows, _ r: Int) -> Int {
        rows.withAccountId(r) { bytes in
            let (i, isNew) = ids.index(hash: rows.rows[r].accountHash, bytes: bytes)
            if isNew { accounts.append(AccountHistory(accountId: ids.ids[i], points: points)) }
            return i
        }
    }

    /// Second look, in file order, at the rows ``settleFilter`` names (read again from the
    /// file, which gives the conflicting rows' raw text for the rejects file): the accounts
    /// concerned are accumulated again without any row of a conflicting key and without later
    /// duplicates. (The rows were counted by ``resolveDuplicates()``.)
    mutating func settleConflicts(_ batches: [TransactionRows]) {
        let filter = settleFilter
        for rows in batches {
            for r in 0..<rows.count where rows.rows[r].keyed && conflictedKeys.contains(rows.rows[r].key) {
                conflictRejects.append(
                    Reject(
                        source: .transactions, line: rows.rows[r].line, field: "txn_id", reason: .duplicateConflict,
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

/// Open-addressing table from a duplicate key to its first row, its number of rows and whether
/// their contents differ (one partition of a ``DuplicateSpill`` at a time): one 32-byte slot
/// per key, at most two thirds full.
struct KeyGroups {
    struct Group {
        var key: UInt64 = 0
        var content: UInt64 = 0
        var first: Int32 = 0
        /// 0 for an empty slot.
        var rows: Int32 = 0
        var contentsDiffer = false
    }

    private var slots: [Group]

    init(capacity: Int) {
        var count = 16
        while count * 2 < capacity * 3 { count *= 2 }
        slots = Array(repeating: Group(), count: count)
    }

    private func slot(_ key: UInt64) -> Int {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while slots[s].rows != 0 && slots[s].key != key { s = (s + 1) & mask }
        return s
    }

    /// Adds row `index` (rows must come in file order; at most `capacity` keys).
    mutating func add(key: UInt64, content: UInt64, index: Int) {
        let s = slot(key)
        if slots[s].rows != 0 {
            slots[s].rows += 1
            if slots[s].content != content { slots[s].contentsDiffer = true }
        } else {
            slots[s] = Group(key: key, content: content, first: Int32(index), rows: 1)
        }
    }

    subscript(key: UInt64) -> Group { slots[slot(key)] }
}
