import CSVIO

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

    /// Adds every row of a batch: the days it spans are made room for once (cancelled lines'
    /// days too, whose net stays zero and is never reported), then each row is counted, in one
    /// loop over plain buffers (money still adds with overflow checks).
    mutating func add(_ batch: TransactionRows) {
        var total = SlotTotal()
        if batch.firstDay <= batch.lastDay { coverDays(batch.firstDay, batch.lastDay) }
        var lines = (paid: 0, refund: 0, cancelled: 0)
        var sums: (paid: Int64, refunded: Int64, cancelled: Int64) = (0, 0, 0)
        let first = firstDay
        dayNet.withUnsafeMutableBufferPointer { net in
            batch.rows.withUnsafeBufferPointer { rows in
                for row in rows {
                    total.add(slot: Int(row.slot), units: row.amount, base: TransactionRows.signedBase(row))
                    switch row.status {
                    case .paid:
                        lines.paid += 1
                        sums.paid += row.base
                        net[Int(row.day - first)] += row.base
                    case .refund:
                        lines.refund += 1
                        sums.refunded += abs(row.base)
                        net[Int(row.day - first)] += row.base
                    case .cancelled, .open:  // open lines never reach the book
                        lines.cancelled += 1
                        sums.cancelled += row.base
                    }
                }
            }
        }
        rows += batch.count
        paidLines += lines.paid
        refundLines += lines.refund
        cancelledLines += lines.cancelled
        paid.units += sums.paid
        refunded.units += sums.refunded
        cancelled.units += sums.cancelled
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
        case .cancelled, .open:  // open lines never reach the book
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
/// their purchase days), not with the rows. With a dedupe policy, every keyed row's key goes to
/// a ``DuplicateSpill`` on disk, and a row is added to its account at once unless its key may
/// have been seen before (``KeySightings``); those few go to a second spill, whole, and after
/// the pass ``resolveDuplicates(threads:base:)`` adds, merges or rejects them. Conflicting
/// duplicates are settled (``settleConflicts(_:)``) from a second read of the rows concerned.
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
    private let dedupe: Dedupe?
    /// Keys given with different content; all their rows are rejected.
    private(set) var conflictedKeys: Set<UInt64> = []
    /// The accounts of rows with a conflicted key: built again when the conflicts are settled.
    private var conflictedAccounts: Set<Int32> = []
    private let policy: DedupePolicy

    /// What finding duplicates keeps during the pass.
    private struct Dedupe {
        let seen: KeySightings
        let keys: DuplicateSpill<KeyEntry>
        let candidates: DuplicateSpill<CandidateEntry>
    }

    init(policy: DedupePolicy, points: CutoffPoints, sightingBits: Int = KeySightings.defaultBlockBits) throws {
        self.policy = policy
        self.points = points
        dedupe =
            policy == .none
            ? nil : Dedupe(
                seen: KeySightings(blockBits: sightingBits), keys: try DuplicateSpill(), candidates: try DuplicateSpill(pageBytes: 1024))
    }

    mutating func add(_ batch: TransactionCleaner.Batch) throws {
        counts.rowsRead += batch.ledger.rowsRead
        counts.excludedAfterAsOf += batch.ledger.excludedAfterAsOf
        counts.excludedOpen += batch.ledger.excludedOpen
        counts.read.merge(batch.readAmounts)
        counts.rejected.merge(batch.rejectedAmounts)
        counts.excluded.merge(batch.excludedAmounts)
        counts.open.merge(batch.openAmounts)
        tally.merge(batch.tally)
        for reject in batch.rejects { addReject(reject) }
        let rows = batch.rows
        // Each row's account, in order (new accounts are added here, so that the accumulating
        // below holds the accounts array once, with no new one to make room for).
        let indices = rows.withRowsAndIds { rows, ids in
            [Int32](unsafeUninitializedCapacity: rows.count) { indices, count in
                var start = 0
                for r in rows.indices {
                    let end = Int(rows[r].idEnd)
                    indices[r] = Int32(account(id: UnsafeBufferPointer(rebasing: ids[start..<end])))
                    start = end
                }
                count = rows.count
            }
        }
        // Each row's interval between cut-off points, from a table over the batch's days.
        let first = rows.firstDay
        let table = points.intervals(from: first, through: rows.lastDay)
        let points = self.points
        @inline(__always) func interval(_ day: Int32) -> Int {
            guard let table else { return points.interval(of: day) }
            return table.withUnsafeBufferPointer { Int($0[Int(day - first)]) }
        }
        guard let dedupe else {
            accounts.withUnsafeMutableBufferPointer { accounts in
                rows.withRowsAndIds { rows, _ in
                    for r in rows.indices { accounts[Int(indices[r])].add(rows[r], interval: interval(rows[r].day)) }
                }
            }
            return
        }
        var currencies: [Int32] = []
        for code in rows.currencies { currencies.append(currency(code)) }
        let seen = dedupe.seen.insert(keysOf: rows.rows)
        let keys = dedupe.keys, candidates = dedupe.candidates
        try accounts.withUnsafeMutableBufferPointer { accounts in
            try rows.withRowsAndIds { rows, _ in
                for r in rows.indices {
                    let row = rows[r], i = indices[r]
                    if row.keyed {
                        try keys.add(KeyEntry(key: row.key, content: UInt32(truncatingIfNeeded: row.content), account: i), key: row.key)
                        if seen[r] {
                            // Perhaps a duplicate: added, merged or rejected once every key is known.
                            try candidates.add(
                                CandidateEntry(
                                    key: row.key, content: row.content, amount: row.amount, cost: row.cost, account: i, day: row.day,
                                    currency: currencies[Int(row.slot)], status: row.status),
                                key: row.key)
                            continue
                        }
                    }
                    accounts[Int(i)].add(row, interval: interval(row.day))
                }
            }
        }
    }

    /// The index of the account with this id, adding it when it is new.
    private mutating func account(id: UnsafeBufferPointer<UInt8>) -> Int {
        let (i, isNew) = ids.index(of: String(decoding: id, as: UTF8.self))
        if isNew { accounts.append(AccountHistory(accountId: ids.ids[i], points: points)) }
        return i
    }

    private mutating func currency(_ code: String) -> Int32 {
        if let i = currencyIndex[code] { return i }
        currencyCodes.append(code)
        currencyIndex[code] = Int32(currencyCodes.count - 1)
        return Int32(currencyCodes.count - 1)
    }

    /// After the pass, partition by partition: a key given with different content is a
    /// conflict (its rows are counted and rejected by ``settleConflicts(_:)``, which builds
    /// their accounts again); otherwise each set-aside row is the first with its key (its key
    /// only looked seen: it is added to its account) or a later one, merged (or always, for
    /// `exact`). A set-aside row is the first with its key when no row with that key went
    /// straight to its account (such a row always comes first: every later one finds its key
    /// seen) and no set-aside row with it came before. Partitions are looked at in parallel
    /// (unless `threads` is 1) and their findings applied in partition order, so the result
    /// does not depend on the thread count; `base` converts a row's amount again
    /// (``TransactionCleaner/base(units:currency:day:status:)``).
    mutating func resolveDuplicates(
        threads: Int, base: (_ units: Int64, _ currency: String, _ day: Int32, _ status: TransactionStatus) -> Int64
    ) throws {
        guard let dedupe else { return }
        let policy = self.policy
        let keys = dedupe.keys.layout, candidates = dedupe.candidates.layout
        let findings = try parallelMap(DuplicateSpill<KeyEntry>.partitionCount, threads: threads) { p -> PartitionFindings in
            var found = PartitionFindings()
            // A key with more than one row has a set-aside row: only those keys are looked at.
            let set = try candidates.entries(p)
            guard !set.isEmpty else { return found }
            var groups = KeyGroups(wanted: set.map(\.key))
            let all = try keys.entries(p)
            for x in all { groups.add(key: x.key, content: UInt64(x.content)) }
            if policy == .txnId && groups.anyContentsDiffer {
                for x in all where groups[x.key].contentsDiffer { found.conflicts.append((x.key, x.account)) }
            }
            for x in set {
                if groups[x.key].contentsDiffer && policy == .txnId { continue }
                if groups.takeFirst(x.key) {
                    found.kept.append(x)
                } else {
                    found.merged.append(x)
                }
            }
            return found
        }
        dedupe.keys.clear()
        dedupe.candidates.clear()
        for partition in findings {
            for (key, account) in partition.conflicts {
                conflictedKeys.insert(key)
                conflictedAccounts.insert(account)
            }
            for x in partition.kept {
                accounts[Int(x.account)].add(x.row(base: base(x.amount, currencyCodes[Int(x.currency)], x.day, x.status)))
            }
            for x in partition.merged {
                let code = currencyCodes[Int(x.currency)]
                let row = x.row(base: base(x.amount, code, x.day, x.status))
                tally.remove(row, currency: code)
                counts.duplicatesMerged += 1
                counts.merged.add(Money(units: x.amount), currency: code, base: Money(units: TransactionRows.signedBase(row)))
            }
        }
    }

    /// What one partition's keys say of its set-aside rows.
    private struct PartitionFindings: Sendable {
        var conflicts: [(key: UInt64, account: Int32)] = []
        var kept: [CandidateEntry] = []
        var merged: [CandidateEntry] = []
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
        rows.withAccountId(r) { account(id: $0) }
    }

    /// Second look, in file order, at the rows ``settleFilter`` names (read again from the
    /// file, which gives the conflicting rows' raw text for the rejects file): every row of a
    /// conflicting key is counted as rejected and taken back from the accepted tally, and the
    /// accounts concerned are accumulated again without any row of a conflicting key and
    /// without later duplicates.
    mutating func settleConflicts(_ batches: [TransactionRows]) {
        let filter = settleFilter
        for rows in batches {
            for r in 0..<rows.count where rows.rows[r].keyed && conflictedKeys.contains(rows.rows[r].key) {
                let row = rows.rows[r], code = rows.currencies[Int(row.slot)]
                tally.remove(row, currency: code)
                counts.rowsRejected += 1
                counts.rejectsByReason[.duplicateConflict, default: 0] += 1
                counts.rejected.add(Money(units: row.amount), currency: code, base: Money(units: TransactionRows.signedBase(row)))
                conflictRejects.append(
                    Reject(
                        source: .transactions, line: row.line, field: "txn_id", reason: .duplicateConflict,
                        message: "another row has the same txn_id with different content; all are rejected", raw: rows.raws[r] ?? ""))
            }
        }
        for id in filter.accounts { accounts[ids.index(of: id).0] = AccountHistory(accountId: id, points: points) }
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
    /// conflicts) are dropped. Sorted in place and handed over (the book keeps none): a sorted
    /// copy would hold a second array of every account at the end of the pass, the stage's
    /// peak memory (9 MiB for 100k accounts).
    mutating func takeHistories() -> [AccountHistory] {
        var all = accounts
        accounts = []
        all.removeAll { !$0.hasLines }
        all.sort { $0.accountId < $1.accountId }
        return all
    }
}

/// Account ids to dense indices, in order of first appearance.
struct AccountInterner {
    private(set) var ids: [String] = []
    private var indices: [String: Int] = [:]

    /// The index of `id`, and whether it is new.
    mutating func index(of id: String) -> (Int, isNew: Bool) {
        if let i = indices[id] { return (i, false) }
        ids.append(id)
        indices[id] = ids.count - 1
        return (ids.count - 1, true)
    }
}

/// Open-addressing table from the duplicate keys of one partition that are looked at (the
/// keys of its set-aside rows) to their number of rows, how many of them were set aside, and
/// whether their contents differ: one 32-byte slot per key, at most two thirds full, so the
/// key spill's entries run through it with one probe each.
struct KeyGroups {
    struct Group {
        var key: UInt64 = 0
        var content: UInt64 = 0
        var rows: Int32 = 0
        /// Rows of the key that were set aside (the rest went straight to their account).
        var setAside: Int32 = 0
        var contentsDiffer = false
        /// Whether the slot holds a key looked at (false: an empty slot).
        var wanted = false
        /// Whether ``KeyGroups/takeFirst(_:)`` has answered true for the key.
        var firstTaken = false
    }

    private var slots: [Group]
    /// Whether some key looked at was given with different contents (else no row of the
    /// partition need be looked at again for conflicts).
    private(set) var anyContentsDiffer = false

    /// One entry per set-aside row (a key once per row with it).
    init(wanted keys: [UInt64]) {
        var count = 16
        while count * 2 < keys.count * 3 { count *= 2 }
        slots = Array(repeating: Group(), count: count)
        for key in keys {
            let s = slot(key)
            slots[s].key = key
            slots[s].wanted = true
            slots[s].setAside += 1
        }
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while slots[s].wanted && slots[s].key != key { s = (s + 1) & mask }
        return s
    }

    /// Counts a row with `key` and `content` when its key is looked at (rows in file order).
    @inline(__always)
    mutating func add(key: UInt64, content: UInt64) {
        let s = slot(key)
        guard slots[s].wanted else { return }
        if slots[s].rows != 0 {
            slots[s].rows += 1
            if slots[s].content != content {
                slots[s].contentsDiffer = true
                anyContentsDiffer = true
            }
        } else {
            slots[s].content = content
            slots[s].rows = 1
        }
    }

    /// Whether a set-aside row of `key`, asked in file order, is the key's first row: no row of
    /// the key went straight to its account (such a row always comes first, since every later
    /// one finds its key seen), and no set-aside row of it was asked about before.
    mutating func takeFirst(_ key: UInt64) -> Bool {
        let s = slot(key)
        guard slots[s].rows == slots[s].setAside, !slots[s].firstTaken else { return false }
        slots[s].firstTaken = true
        return true
    }

    /// The group of a key (an empty one, all zero, for a key not looked at).
    subscript(key: UInt64) -> Group { slots[slot(key)] }
}
