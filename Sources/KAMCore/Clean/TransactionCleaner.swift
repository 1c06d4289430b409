import CSVIO

/// Cleans the transactions export: every row ends accepted, rejected (with a reason), merged
/// as a duplicate, or excluded as dated after `as_of`.
///
/// Rows are normalised in parallel batch by batch (``normalise(_:)`` is pure); duplicates and
/// the per-account day totals are resolved in file order by ``TransactionBook``.
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

    /// A normalised row on its way to the book.
    struct Row: Sendable {
        var record: TransactionRecord
        var line: Int
        var byteOffset: Int
        /// Duplicate key (txn_id [+ line_no], or the raw text for `exact`); nil: never a duplicate.
        var key: UInt64?
        var contentHash: UInt64
        /// The original text, kept only on the second look at conflicting duplicates.
        var raw: String?
    }

    struct Batch: Sendable {
        var rows: [Row] = []
        var rejects: [Reject] = []
        var ledger: InputLedger
        /// The amount of each rejected row, when it parsed (for the control totals).
        var rejectedAmounts = ControlTotal()
        var readAmounts = ControlTotal()
        var excludedAmounts = ControlTotal()
        /// Every row handed on, as if accepted; the book takes back the duplicates.
        var tally = AcceptedTally()
    }

    /// A currency code as written (upper-cased) and its rate when the rates carry no dates.
    struct CurrencyInfo {
        var code: String
        var rate: FXRate?
    }

    private func currencyInfo(_ code: String) -> CurrencyInfo {
        CurrencyInfo(code: code, rate: fx.hasDatedRates ? nil : fx.rate(for: code, on: asOf))
    }

    private func currencyOf(_ bytes: UnsafeBufferPointer<UInt8>) -> CurrencyInfo {
        currencyInfo(bytes.isEmpty ? config.currency ?? baseCurrency : String(decoding: bytes, as: UTF8.self).uppercased())
    }

    private func statusOf(_ bytes: UnsafeBufferPointer<UInt8>) -> TransactionStatus? {
        config.statusMap[String(decoding: bytes, as: UTF8.self).lowercased()]
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
        var out = Batch(ledger: InputLedger(kind: .transactions))
        out.rows.reserveCapacity(batch.count)
        let cAccount = columns["account_id"], cDate = columns["date"], cAmount = columns["amount"]
        let cStatus = columns["status"], cCurrency = columns["currency"], cTxn = columns["txn_id"]
        let cLine = columns["line_no"], cCost = columns["cost"], cMargin = columns["margin"], cQuantity = columns["quantity"]
        // The few distinct currency codes and status labels, each worked out once per batch.
        var currencies = ByteMemo<CurrencyInfo>()
        var statuses = ByteMemo<TransactionStatus?>()
        let defaultCurrency = currencyInfo(config.currency ?? baseCurrency)
        // Locals, so the loop does not read (and retain) them through `self` on every row.
        let dates = self.dates, amounts = self.amounts, fx = self.fx, asOf = self.asOf
        let datedRates = fx.hasDatedRates, negativePaidIsRefund = config.negativePaidIsRefund, dedupe = config.dedupe
        for i in 0..<batch.count {
            let r = batch[i]
            out.ledger.rowsRead += 1
            func reject(_ reason: RejectReason, _ field: String, _ message: String, amount: (Money, String, Money?)? = nil) {
                out.rejects.append(r.reject(.transactions, field: field, reason: reason, message: message))
                if let (a, c, b) = amount { out.rejectedAmounts.add(a, currency: c, base: b) }
            }
            if let problem = r.problem {
                reject(RejectReason(problem), "", problem.message)
                continue
            }
            // The amount first: every parseable amount counts in the control totals.
            let amount = cAmount.flatMap { c in r.withFieldBytes(c) { amounts.parse($0) } }
            let currencyInfo = cCurrency.map { c in r.withFieldBytes(c) { currencies.value(for: trimmed($0)) { self.currencyOf($0) } } } ?? defaultCurrency
            let currency = currencyInfo.code
            let day = r.withFieldBytes(cDate!) { dates.parse(trimmed($0)) }
            let rate = datedRates ? fx.rate(for: currency, on: day ?? asOf) : currencyInfo.rate
            var parsed: (Money, String, Money?)?
            if let amount {
                let base = rate.map { amount.converted(at: $0) }
                parsed = (amount, currency, base)
                out.readAmounts.add(amount, currency: currency, base: base)
            }
            guard let accountId = r.text(cAccount) else {
                reject(.missingAccountId, "account_id", "the account id is empty", amount: parsed)
                continue
            }
            guard let day else {
                let text = r.field(cDate!)
                if text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    reject(.missingDate, "date", "the date is empty", amount: parsed)
                } else {
                    reject(.badDate, "date", "'\(text)' matches none of \(config.dateFormats)", amount: parsed)
                }
                continue
            }
            guard let amount, let parsedAmount = parsed else {
                if let amountText = r.text(cAmount) {
                    reject(.badAmount, "amount", "'\(amountText)' is not an exact amount")
                } else {
                    reject(.missingAmount, "amount", "the amount is empty")
                }
                continue
            }
            var status = TransactionStatus.paid
            if let cStatus {
                guard let s = r.withFieldBytes(cStatus, { statuses.value(for: trimmed($0)) { self.statusOf($0) } }) else {
                    let label = r.text(cStatus)?.lowercased() ?? ""
                    reject(.unknownStatus, "status", label.isEmpty ? "the status is empty" : "'\(label)' is not in status_map", amount: parsedAmount)
                    continue
                }
                status = s
            }
            if status == .paid && amount.units < 0 {
                if negativePaidIsRefund {
                    status = .refund
                } else {
                    reject(.negativePaidAmount, "amount", "paid line with negative amount \(amount)", amount: parsedAmount)
                    continue
                }
            }
            guard let rate else {
                reject(.unknownCurrency, "currency", "no rate from \(currency) to \(baseCurrency) on \(day)", amount: parsedAmount)
                continue
            }
            var baseCost: Money?
            if let text = r.text(cCost) {
                guard let c = amounts.parse(text) else {
                    reject(.badNumber, "cost", "'\(text)' is not an exact amount", amount: parsedAmount)
                    continue
                }
                baseCost = c.magnitude.converted(at: rate)
            } else if let text = r.text(cMargin) {
                guard let m = amounts.parse(text) else {
                    reject(.badNumber, "margin", "'\(text)' is not an exact amount", amount: parsedAmount)
                    continue
                }
                baseCost = (amount.magnitude - m).converted(at: rate)
            }
            if let text = r.text(cQuantity), Double(text) == nil {
                reject(.badNumber, "quantity", "'\(text)' is not a number", amount: parsedAmount)
                continue
            }
            if let cLine, !r.withFieldBytes(cLine, { isWholeNumberOrEmpty(trimmed($0)) }) {
                reject(.badNumber, "line_no", "'\(r.text(cLine) ?? "")' is not a whole number", amount: parsedAmount)
                continue
            }
            let converted = parsedAmount.2!
            let signedBase: Money
            switch status {
            case .paid: signedBase = converted
            case .refund: signedBase = -converted.magnitude
            case .cancelled: signedBase = converted
            }
            if day > asOf {
                out.ledger.excludedAfterAsOf += 1
                out.excludedAmounts.add(amount, currency: currency, base: converted)
                continue
            }
            let record = TransactionRecord(
                accountId: accountId, day: day, status: status, amount: status == .refund ? -amount.magnitude : amount,
                currency: currency, baseAmount: signedBase, baseCost: baseCost)
            // What a row with the same txn_id must equal to be a duplicate rather than a conflict.
            var content = RowHash()
            if dedupe == .txnId {
                content.add(accountId)
                content.add(Int64(day.ordinal))
                content.add(status.rawValue)
                content.add(amount.units)
                content.add(currency)
                content.add(baseCost?.units ?? Int64.min)
            }
            var key: UInt64?
            switch dedupe {
            case .txnId:
                if let cTxn, r.withFieldBytes(cTxn, { !trimmed($0).isEmpty }) {
                    var h = RowHash()
                    r.withFieldBytes(cTxn) { h.addField(trimmed($0)) }
                    if let cLine { r.withFieldBytes(cLine) { h.addField(trimmed($0)) } } else { h.addField(UnsafeBufferPointer(start: nil, count: 0)) }
                    key = h.value
                }
            case .exact:
                var h = RowHash()
                r.withRawBytes { h.add($0) }
                key = h.value
            case .none: break
            }
            var raw: String?
            if let settling {
                let conflicted = key.map { settling.keys.contains($0) } ?? false
                guard conflicted || settling.accounts.contains(accountId) else { continue }
                if conflicted { raw = r.raw }
            } else {
                out.tally.add(record, sign: 1)
            }
            out.rows.append(Row(
                record: record, line: r.line, byteOffset: r.byteOffset, key: key, contentHash: content.value, raw: raw))
        }
        return out
    }
}
