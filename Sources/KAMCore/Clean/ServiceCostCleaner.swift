import CSVIO

/// Cleans the `costs` export: per-account service costs by date (logistics, rebates, free
/// samples, a dedicated engineer's time…), converted to the base currency at the rate of
/// their day. Every row ends accepted, rejected with a reason, merged as an exact duplicate,
/// or excluded as dated after `as_of`; every amount that parsed counts in the control totals.
struct ServiceCostCleaner: Sendable {
    let config: InputConfig
    let columns: ColumnMap
    let fx: FXTable
    let asOf: Day
    let dates: DateParser
    let amounts: AmountParser
    /// The currency of a row without one.
    let defaultCurrency: String

    init(config: InputConfig, columns: ColumnMap, fx: FXTable, asOf: Day) {
        self.config = config
        self.columns = columns
        self.fx = fx
        self.asOf = asOf
        dates = config.dateParser
        amounts = AmountParser(decimalComma: config.decimalComma)
        defaultCurrency = config.currency ?? fx.baseCurrency
    }

    struct Row: Sendable {
        var accountId: String
        var entry: ServiceCosts.Entry
        var amount: Money
        var currency: String
        /// The hash of the record's bytes, when duplicates are merged (`dedupe: exact`): the
        /// same key interactions are merged by (``RowHash``).
        var key: UInt64?
    }

    struct Batch: Sendable {
        var rows: [Row] = []
        var rejects: [Reject] = []
        var rowsRead = 0
        var excluded = 0
        var read = ControlTotal()
        var rejected = ControlTotal()
        var excludedAmounts = ControlTotal()
        /// Σ max(|amount|, |base amount|) over the rows read: every total of the input is at
        /// most this (the same bound as transactions, ``TransactionCleaner/Batch/magnitude``).
        var magnitude: UInt64 = 0
        /// The line where ``magnitude`` would pass `Int64.max`; the batch stops there.
        var overflowLine: Int?
        var lastLine = 0
    }

    func normalise(_ batch: RecordBatch) -> Batch {
        var out = Batch()
        let cAccount = columns["account_id"], cDate = columns["date"], cAmount = columns["amount"]
        let cCurrency = columns["currency"], cCategory = columns["category"]
        for i in 0..<batch.count {
            let r = batch[i]
            out.rowsRead += 1
            out.lastLine = r.line
            if let problem = r.problem {
                out.rejects.append(r.reject(.costs, field: "", reason: RejectReason(problem), message: problem.message))
                continue
            }
            // The amount first, converted at its day's rate where both read: every parseable
            // amount counts in the control totals, whatever else is wrong with the row.
            let amountText = r.text(cAmount)
            let amount = amountText.flatMap { amounts.parse($0) }
            let currency = r.text(cCurrency)?.uppercased() ?? defaultCurrency
            let day = r.text(cDate).flatMap { dates.parse($0) }
            let rate = fx.rate(for: currency, transactionDay: day ?? asOf, asOf: asOf)
            let base = amount.flatMap { a in rate.flatMap { a.converted(at: $0) } }
            if let amount {
                let (sum, overflow) = out.magnitude.addingReportingOverflow(max(amount.magnitude, base?.magnitude ?? .zero).units.magnitude)
                if overflow || sum > UInt64(Int64.max) {
                    out.overflowLine = r.line
                    break
                }
                out.magnitude = sum
                out.read.add(amount, currency: currency, base: base)
            }
            func reject(_ reason: RejectReason, _ field: String, _ message: String) {
                out.rejects.append(r.reject(.costs, field: field, reason: reason, message: message))
                if let amount { out.rejected.add(amount, currency: currency, base: base) }
            }
            guard let accountId = r.text(cAccount) else { reject(.missingAccountId, "account_id", "the account id is empty"); continue }
            guard let dateText = r.text(cDate) else { reject(.missingDate, "date", "the date is empty"); continue }
            guard let day else {
                reject(.badDate, "date", "'\(dateText)' matches none of \(config.dateFormats)")
                continue
            }
            guard let amount else {
                if let amountText {
                    reject(.badAmount, "amount", "'\(amountText)' is not an amount kam holds exactly (at most 4 decimals and ±922337203685477.5807)")
                } else {
                    reject(.missingAmount, "amount", "the amount is empty")
                }
                continue
            }
            guard rate != nil else {
                reject(.unknownCurrency, "currency", "no rate from \(currency) to \(fx.baseCurrency) on \(day)")
                continue
            }
            guard let base else {
                reject(.badAmount, "amount", "'\(amountText ?? "")' is too large to convert to \(fx.baseCurrency) exactly")
                continue
            }
            if day > asOf {
                out.excluded += 1
                out.excludedAmounts.add(amount, currency: currency, base: base)
                continue
            }
            out.rows.append(Row(
                accountId: accountId, entry: .init(day: day, amount: base, category: r.text(cCategory)), amount: amount,
                currency: currency, key: config.dedupe == .exact ? RowHash.of(record: r) : nil))
        }
        return out
    }
}

/// Accepted service costs by account, with the input's ledger and control totals.
final class ServiceCostBook {
    var ledger = InputLedger(kind: .costs)
    let rejects = RejectLog()
    private var seen: Set<UInt64> = []
    private var categories: [String: String] = [:]
    private(set) var byAccount: [String: ServiceCosts] = [:]
    /// Σ max(|amount|, |base amount|) over every row read (for the run's combined bound).
    private(set) var magnitude: UInt64 = 0

    /// Folds in a batch, in file order; throws when the amounts add up past what kam holds.
    func add(_ batch: ServiceCostCleaner.Batch, input: InputConfig) throws {
        try CleanError.add(
            batch.magnitude, overflowLine: batch.overflowLine, lastLine: batch.lastLine, to: &magnitude, input: .costs, path: input.path)
        ledger.rowsRead += batch.rowsRead
        ledger.excludedAfterAsOf += batch.excluded
        ledger.read.merge(batch.read)
        ledger.rejected.merge(batch.rejected)
        ledger.excluded.merge(batch.excludedAmounts)
        for reject in batch.rejects { ledger.reject(reject, into: rejects) }
        for row in batch.rows {
            if let key = row.key, !seen.insert(key).inserted {
                ledger.duplicatesMerged += 1
                ledger.merged.add(row.amount, currency: row.currency, base: row.entry.amount)
                continue
            }
            ledger.rowsAccepted += 1
            ledger.accepted.add(row.amount, currency: row.currency, base: row.entry.amount)
            var entry = row.entry
            // One copy of each category's text, shared by its rows (a few labels, a million rows).
            if let c = entry.category {
                if let shared = categories[c] { entry.category = shared } else { categories[c] = c }
            }
            byAccount[row.accountId, default: ServiceCosts()].add(entry)
        }
    }
}
