import CSVIO
import Synchronization

/// Cleans the transactions export: every row ends accepted, rejected (with a reason), merged
/// as a duplicate, or excluded as dated after `as_of`.
///
/// Rows are normalised in parallel batch by batch (``normalise(_:settling:)`` is pure) into
/// plain columns (``TransactionRows``); duplicates and the per-account accumulators are
/// resolved in file order by ``TransactionBook``.
final class TransactionCleaner: Sendable {
    let config: InputConfig
    let columns: ColumnMap
    let fx: FXTable
    let asOf: Day
    let baseCurrency: String
    let dates: DateParser
    let amounts: AmountParser

    init(config: InputConfig, columns: ColumnMap, fx: FXTable, asOf: Day) {
        self.config = config
        self.columns = columns
        self.fx = fx
        self.asOf = asOf
        self.baseCurrency = fx.baseCurrency
        dates = config.dateParser
        amounts = AmountParser(decimalComma: config.decimalComma)
    }

    struct Batch: Sendable {
        var rows: TransactionRows
        var rejects: [Reject] = []
        var ledger = InputLedger(kind: .transactions)
        /// The amount of each rejected row, when it parsed (for the control totals).
        var rejectedAmounts = ControlTotal()
        var readAmounts = ControlTotal()
        var excludedAmounts = ControlTotal()
        var openAmounts = ControlTotal()
        /// Rows whose amount each FX rate converted.
        var rowsConverted: [FXRateKey: Int] = [:]
        /// Every row handed on, as if accepted; the book takes back the duplicates.
        var tally = AcceptedTally()
        /// Σ max(|amount|, |base amount|) + Σ |base cost| over the rows read: every total of
        /// the input (per currency or in base, per account, per window, a revenue less a cost)
        /// is at most this, so while the sum over all batches stays within `Int64.max` no
        /// total can overflow.
        var magnitude: UInt64 = 0
        /// The line at which ``magnitude`` would pass `Int64.max`; the batch stops there and
        /// the run stops with an error naming the input (``CleanError/totalOverflow``).
        var overflowLine: Int?
        /// The batch's last line (where an overflow across batches is reported).
        var lastLine = 0

        /// Adds |`units`| to ``magnitude``; false when that passes `Int64.max`.
        mutating func bound(_ units: Int64) -> Bool {
            let (sum, overflow) = magnitude.addingReportingOverflow(units.magnitude)
            if overflow || sum > UInt64(Int64.max) { return false }
            magnitude = sum
            return true
        }
    }

    /// An accepted row's ``TransactionRows/Row/base`` from its amount (as the export wrote it),
    /// currency, day and status, converted again as ``normalise(_:settling:)`` converted it
    /// (``FXTable/rate(for:transactionDay:asOf:)``).
    func base(units: Int64, currency: String, day: Int32, status: TransactionStatus) -> Int64 {
        guard let rate = fx.rate(for: currency, transactionDay: Day(ordinal: day), asOf: asOf) else {
            preconditionFailure("an accepted row's currency \(currency) has a rate")
        }
        guard let converted = Money(units: units).converted(at: rate) else {
            preconditionFailure("an accepted row's amount converted when it was read")
        }
        return converted.meant(by: status).units
    }

    /// What the second look at conflicting duplicates reads: the rows with those keys (with
    /// their raw text, for the rejects file) and every row of the accounts whose history must
    /// be built again without them.
    struct SettleFilter: Sendable {
        var keys: Set<UInt64>
        var accounts: Set<String>
    }

    /// Normalises a batch. With `settling`, returns just the rows the filter names.
    func normalise(_ batch: RecordBatch, settling: SettleFilter? = nil) -> Batch {
        batch.withFieldTable { normalise(batch, table: $0, settling: settling) }
    }

    /// The rows of `batch` read through its field table. A plain loop, not a closure: the state
    /// the local functions below share then stays on the stack (a closure would box it and
    /// check each access at run time).
    private func normalise(_ batch: RecordBatch, table: FieldTable, settling: SettleFilter?) -> Batch {
        var out = Batch(rows: TransactionRows(capacity: batch.count))
        let cAccount = columns["account_id"], cDate = columns["date"]!, cAmount = columns["amount"]
        let cStatus = columns["status"], cCurrency = columns["currency"], cTxn = columns["txn_id"]
        let cLine = columns["line_no"], cCost = columns["cost"], cMargin = columns["margin"], cQuantity = columns["quantity"]
        let cProductLine = columns["product_line"], costFactors = config.productLineCostFactors
        // The few distinct currency codes and status labels, each worked out once per batch: a
        // code's slot in `out.rows.currencies` (and `rates`, its rate when rates carry no dates).
        var currencyMemo = ByteMemo<Int>()
        var slots: [String: Int] = [:]
        var rates: [FXRate?] = []
        /// Each slot's currency code hashed once (a row's content hash takes it as one word).
        var codeHashes: [Int64] = []
        var statuses = ByteMemo<TransactionStatus?>()
        // Locals, so the loop does not read (and retain) them through `self` on every row.
        let dates = self.dates, amounts = self.amounts, fx = self.fx, asOf = self.asOf, baseCurrency = self.baseCurrency
        let datedRates = fx.hasDatedRates, negativePaidIsRefund = config.negativePaidIsRefund, dedupe = config.dedupe
        let statusMap = config.statusMap, defaultCode = config.currency ?? baseCurrency
        func slot(_ code: String) -> Int {
            if let s = slots[code] { return s }
            out.rows.currencies.append(code)
            // Without dated rates a code's rate is the same on every day: looked up once.
            rates.append(datedRates ? nil : fx.rate(for: code, transactionDay: asOf, asOf: asOf))
            codeHashes.append(Int64(bitPattern: RowHash.of(code)))
            slots[code] = rates.count - 1
            return rates.count - 1
        }
        let defaultSlot = slot(defaultCode), baseSlot = slot(baseCurrency)
        // Rows converted by each rate, for the manifest: by slot while rates carry no dates.
        var slotUses: [Int] = [], datedUses: [FXRateKey: Int] = [:]
        var read = SlotTotal(), excluded = SlotTotal(), open = SlotTotal()

        for i in 0..<table.count {
            out.ledger.rowsRead += 1
            // The row's amount and currency once read, for the control totals of a reject.
            var amount: Money?, base: Money?, currencySlot = defaultSlot
            func reject(_ reason: RejectReason, _ field: String, _ message: String) {
                out.rejects.append(batch[i].reject(.transactions, field: field, reason: reason, message: message))
                if let amount { out.rejectedAmounts.add(amount, currency: out.rows.currencies[currencySlot], base: base) }
            }
            func text(_ column: Int?) -> String? {
                guard let column else { return nil }
                let t = trimmed(table.field(i, column))
                return t.isEmpty ? nil : String(decoding: t, as: UTF8.self)
            }
            if table.hasProblems, let problem = batch[i].problem {
                reject(RejectReason(problem), "", problem.message)
                continue
            }
            // The amount first: every parseable amount counts in the control totals.
            amount = cAmount.flatMap { amounts.parse(table.field(i, $0)) }
            if let cCurrency {
                let code = trimmed(table.field(i, cCurrency))
                if let known = currencyMemo.find(code) {
                    currencySlot = known
                } else {
                    currencySlot = slot(code.isEmpty ? defaultCode : String(decoding: code, as: UTF8.self).uppercased())
                    currencyMemo.remember(code, currencySlot)
                }
            }
            let day = dates.parse(trimmed(table.field(i, cDate)))
            var rate = rates[currencySlot], rateFrom: Day?
            if datedRates {
                let entry = fx.entry(for: out.rows.currencies[currencySlot], transactionDay: day ?? asOf, asOf: asOf)
                (rate, rateFrom) = (entry?.rate, entry?.from)
            }
            if let amount {
                base = rate.flatMap { amount.converted(at: $0) }
                if base != nil && currencySlot != baseSlot {
                    if datedRates { datedUses[FXRateKey(currency: out.rows.currencies[currencySlot], validFrom: rateFrom), default: 0] += 1 }
                    else {
                        if currencySlot >= slotUses.count { slotUses += repeatElement(0, count: currencySlot - slotUses.count + 1) }
                        slotUses[currencySlot] += 1
                    }
                }
                guard out.bound(max(amount.magnitude, base?.magnitude ?? .zero).units) else {
                    out.overflowLine = table.line(i)
                    break
                }
                read.add(slot: currencySlot, units: amount.units, base: base?.units)
            }
            // The status label, looked up once per distinct label; nil when unmapped.
            var found: TransactionStatus? = .paid
            if let cStatus {
                let label = trimmed(table.field(i, cStatus))
                if let known = statuses.find(label) {
                    found = known
                } else {
                    found = statusMap[String(decoding: label, as: UTF8.self).lowercased()]
                    statuses.remember(label, found)
                }
            }
            // An open line (a quote, a deal still in the pipeline) is not revenue: excluded and
            // counted whatever else it holds, even without an amount.
            if found == .open {
                out.ledger.excludedOpen += 1
                if let amount { open.add(slot: currencySlot, units: amount.units, base: base?.units) }
                continue
            }
            let accountId = cAccount.map { trimmed(table.field(i, $0)) } ?? UnsafeBufferPointer(start: nil, count: 0)
            guard !accountId.isEmpty else {
                reject(.missingAccountId, "account_id", "the account id is empty")
                continue
            }
            guard let day else {
                let raw = table.field(i, cDate)
                if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    reject(.missingDate, "date", "the date is empty")
                } else {
                    reject(.badDate, "date", "'\(String(decoding: raw, as: UTF8.self))' matches none of \(config.dateFormats)")
                }
                continue
            }
            guard let amount else {
                if let amountText = text(cAmount) {
                    reject(.badAmount, "amount", "'\(amountText)' is not an amount kam holds exactly (at most 4 decimals and ±922337203685477.5807)")
                } else {
                    reject(.missingAmount, "amount", "the amount is empty")
                }
                continue
            }
            guard var status = found else {
                let label = text(cStatus)?.lowercased() ?? ""
                reject(.unknownStatus, "status", label.isEmpty ? "the status is empty" : "'\(label)' is not in status_map")
                continue
            }
            if status == .paid && amount.units < 0 {
                if negativePaidIsRefund {
                    status = .refund
                } else {
                    reject(.negativePaidAmount, "amount", "paid line with negative amount \(amount)")
                    continue
                }
            }
            if rate != nil && base == nil {
                reject(.badAmount, "amount", "'\(text(cAmount) ?? "")' is too large to convert to \(baseCurrency) exactly")
                continue
            }
            guard let rate, let converted = base else {
                reject(.unknownCurrency, "currency", "no rate from \(out.rows.currencies[currencySlot]) to \(baseCurrency) on \(day)")
                continue
            }
            var baseCost: Money?
            if cCost != nil, let text = text(cCost) {
                guard let c = amounts.parse(text) else {
                    reject(.badNumber, "cost", "'\(text)' is not an exact amount")
                    continue
                }
                guard let converted = c.magnitude.converted(at: rate) else {
                    reject(.badNumber, "cost", "'\(text)' is too large to convert to \(baseCurrency) exactly")
                    continue
                }
                baseCost = converted
            } else if cMargin != nil, let text = text(cMargin) {
                guard let m = amounts.parse(text) else {
                    reject(.badNumber, "margin", "'\(text)' is not an exact amount")
                    continue
                }
                let (cost, overflow) = amount.magnitude.units.subtractingReportingOverflow(m.units)
                guard !overflow, let converted = Money(units: cost).converted(at: rate) else {
                    reject(.badNumber, "margin", "'\(text)' gives a cost too large to hold exactly")
                    continue
                }
                baseCost = converted
            } else if !costFactors.isEmpty, let factor = costFactors[text(cProductLine) ?? ""] ?? costFactors["default"] {
                // The product line's margin table: cost = |amount| × (1 − rate), half to even.
                guard let cost = converted.magnitude.converted(at: factor) else {
                    reject(.badNumber, "amount", "'\(text(cAmount) ?? "")' gives a cost too large to hold exactly")
                    continue
                }
                baseCost = cost
            }
            if let baseCost, !out.bound(baseCost.units) {
                out.overflowLine = table.line(i)
                break
            }
            if cQuantity != nil, let text = text(cQuantity), Double(text) == nil {
                reject(.badNumber, "quantity", "'\(text)' is not a number")
                continue
            }
            if let cLine, !isWholeNumberOrEmpty(trimmed(table.field(i, cLine))) {
                reject(.badNumber, "line_no", "'\(text(cLine) ?? "")' is not a whole number")
                continue
            }
            if day > asOf {
                out.ledger.excludedAfterAsOf += 1
                excluded.add(slot: currencySlot, units: amount.units, base: converted.units)
                continue
            }
            let signedBase = converted.meant(by: status)
            var row = TransactionRows.Row(
                accountHash: RowHash.of(field: accountId), day: day.ordinal, status: status, amount: amount.units,
                slot: Int32(currencySlot), base: signedBase.units, cost: baseCost?.units ?? TransactionRows.noCost,
                line: table.line(i))
            switch dedupe {
            case .txnId:
                if let cTxn, case let id = trimmed(table.field(i, cTxn)), !id.isEmpty {
                    var h = RowHash()
                    h.addField(id)
                    h.addField(cLine.map { trimmed(table.field(i, $0)) } ?? UnsafeBufferPointer(start: nil, count: 0))
                    row.key = h.value
                    row.keyed = true
                    // What a row with the same txn_id must equal to be a duplicate rather than a conflict.
                    var content = RowHash()
                    content.add(Int64(bitPattern: row.accountHash))
                    content.add(Int64(day.ordinal))
                    content.add(status.hashCode)
                    content.add(amount.meant(by: status).units)
                    content.add(codeHashes[currencySlot])
                    content.add(baseCost?.units ?? Int64.min)
                    row.content = content.value
                }
            case .exact:
                row.key = RowHash.of(record: batch[i])
                row.keyed = true
            case .none: break
            }
            if let settling {
                let conflicted = row.keyed && settling.keys.contains(row.key)
                guard conflicted || settling.accounts.contains(String(decoding: accountId, as: UTF8.self)) else { continue }
                if conflicted { out.rows.raws[out.rows.count] = batch[i].raw }
            }
            out.rows.append(row, accountId: accountId)
        }
        if table.count > 0 { out.lastLine = table.line(table.count - 1) }
        let codes = out.rows.currencies
        out.readAmounts = read.controlTotal(codes: codes)
        out.excludedAmounts = excluded.controlTotal(codes: codes)
        out.openAmounts = open.controlTotal(codes: codes)
        out.rowsConverted = datedUses
        for (slot, n) in slotUses.enumerated() where n > 0 { out.rowsConverted[FXRateKey(currency: codes[slot], validFrom: nil), default: 0] += n }
        if settling == nil { out.tally.add(out.rows) }
        return out
    }
}

/// Accepted candidate rows of one batch, as plain values (no per-row objects): what the book
/// accumulates, in file order.
struct TransactionRows: Sendable {
    /// ``Row/cost`` when no cost or margin column gave one.
    static let noCost = Int64.min

    /// One line that passed normalisation: the typed transaction record (ARCHITECTURE.md §3) as the
    /// book takes it, its account id kept in ``TransactionRows`` and its currency as a slot of
    /// ``TransactionRows/currencies``. The stored properties go from widest to narrowest, so a
    /// row takes 72 bytes, not 88 (the rows of a batch go from a worker to the book through
    /// memory).
    struct Row: Sendable {
        /// ``RowHash`` of the account id (``RowHash/of(field:)``).
        var accountHash: UInt64
        /// As the export wrote it (its sign too), in units of ``currencies``[`slot`]: what the
        /// amount control totals add up, so that read = accepted + rejected + merged + excluded.
        var amount: Int64
        /// Net revenue in base-currency units: paid positive, refund negative, cancelled as written.
        var base: Int64
        /// Cost in base-currency units, or ``TransactionRows/noCost``.
        var cost: Int64
        var line: Int
        /// Duplicate key (txn_id [+ line_no], or the raw text for `exact`), when ``keyed``.
        var key: UInt64
        var content: UInt64
        var day: Int32
        var slot: Int32
        /// End of the account id in ``TransactionRows/idBytes``.
        var idEnd: Int32 = 0
        var status: TransactionStatus
        var keyed: Bool

        init(
            accountHash: UInt64, day: Int32, status: TransactionStatus, amount: Int64, slot: Int32, base: Int64, cost: Int64, line: Int,
            key: UInt64 = 0, keyed: Bool = false, content: UInt64 = 0
        ) {
            (self.accountHash, self.day, self.status, self.amount, self.slot) = (accountHash, day, status, amount, slot)
            (self.base, self.cost, self.line, self.key, self.keyed, self.content) = (base, cost, line, key, keyed, content)
        }
    }

    private(set) var rows: [Row] = []
    /// The account ids, back to back, in the first `idCount` bytes (the rest is room, so an
    /// append is a plain copy of a few bytes).
    private var idBytes: [UInt8] = []
    private var idCount = 0
    /// The earliest and latest day of the rows (`Int32.max` and `.min` while there are none),
    /// kept as they are appended, so that the tally and the book need no pass over the rows
    /// to find the days a batch spans.
    private(set) var firstDay = Int32.max, lastDay = Int32.min
    /// Currency codes the rows' slots refer to.
    var currencies: [String] = []
    /// The original text of rows that the second look at conflicts rejects, by row index.
    var raws: [Int: String] = [:]

    init(capacity: Int) {
        rows.reserveCapacity(capacity)
        idBytes.reserveCapacity(capacity * 12)
    }

    var count: Int { rows.count }

    mutating func append(_ row: Row, accountId: UnsafeBufferPointer<UInt8>) {
        let n = accountId.count, at = idCount
        // Room grows by doubling (zeroed only as it is needed, within the reserved capacity).
        if at + n > idBytes.count { idBytes += repeatElement(0, count: max(idBytes.count, n + 64)) }
        if n > 0 {
            idBytes.withUnsafeMutableBufferPointer { bytes in
                (bytes.baseAddress! + at).update(from: accountId.baseAddress!, count: n)
            }
        }
        idCount = at + n
        var row = row
        row.idEnd = Int32(idCount)
        firstDay = min(firstDay, row.day)
        lastDay = max(lastDay, row.day)
        rows.append(row)
    }

    /// The rows and all their account ids' bytes (row `i`'s from the previous row's
    /// ``Row/idEnd`` to its own), valid inside `body`.
    func withRowsAndIds<R>(_ body: (UnsafeBufferPointer<Row>, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try rows.withUnsafeBufferPointer { rows in try idBytes.withUnsafeBufferPointer { try body(rows, $0) } }
    }

    /// The account id bytes of row `i`, valid inside `body`.
    func withAccountId<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = i == 0 ? 0 : Int(rows[i - 1].idEnd)
        return idBytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<Int(rows[i].idEnd)])) }
    }

    func accountId(_ i: Int) -> String { withAccountId(i) { String(decoding: $0, as: UTF8.self) } }

    /// The base amount with the sign the export wrote (for control totals in base currency).
    static func signedBase(_ row: Row) -> Int64 { row.amount < 0 ? -abs(row.base) : abs(row.base) }
}

/// Amount totals of one batch by currency slot, turned into a ``ControlTotal`` once per batch.
struct SlotTotal {
    private struct Cell {
        var sum: Int64 = 0
        var used = false
    }
    private var rows = 0
    private var cells: [Cell] = []
    private var base: Int64 = 0
    private var unconverted = 0

    @inline(__always)
    mutating func add(slot: Int, units: Int64, base: Int64?) {
        if slot >= cells.count { cells += repeatElement(Cell(), count: slot - cells.count + 1) }
        rows += 1
        cells[slot].sum += units
        cells[slot].used = true
        if let base { self.base += base } else { unconverted += 1 }
    }

    func controlTotal(codes: [String]) -> ControlTotal {
        var total = ControlTotal()
        total.add(
            rows: rows, sums: cells.indices.filter { cells[$0].used }.map { (codes[$0], Money(units: cells[$0].sum)) },
            base: Money(units: base), unconverted: unconverted)
        return total
    }
}

extension TransactionStatus {
    /// A distinct number per status, for a row's content hash (the raw value is a string, which
    /// would cost a string hash per row).
    @inline(__always)
    var hashCode: Int64 {
        switch self {
        case .paid: 1
        case .refund: 2
        case .cancelled: 3
        case .open: 4
        }
    }
}
