import CSVIO

/// Cleans the accounts export. Rows with the same account id: identical ones merged, a
/// conflicting later row rejected and the first kept (listed in the manifest).
struct AccountCleaner: Sendable {
    let config: InputConfig
    let columns: ColumnMap
    let dates: DateParser

    init(config: InputConfig, columns: ColumnMap) {
        self.config = config
        self.columns = columns
        dates = config.dateParser
    }

    struct Batch: Sendable {
        var rows: [(record: AccountRecord, line: Int, raw: String)] = []
        var rejects: [Reject] = []
        var rowsRead = 0
    }

    func normalise(_ batch: RecordBatch) -> Batch {
        var out = Batch()
        for i in 0..<batch.count {
            let r = batch[i]
            out.rowsRead += 1
            func reject(_ reason: RejectReason, _ field: String, _ message: String) {
                out.rejects.append(r.reject(.accounts, field: field, reason: reason, message: message))
            }
            if let problem = r.problem {
                reject(RejectReason(problem), "", problem.message)
                continue
            }
            guard let id = r.text(columns["account_id"]) else { reject(.missingAccountId, "account_id", "the account id is empty"); continue }
            var created: Day?
            if let text = r.text(columns["created_date"]) {
                guard let d = dates.parse(text) else { reject(.badDate, "created_date", "'\(text)' matches none of \(config.dateFormats)"); continue }
                created = d
            }
            let flag = r.text(columns["strategic"])?.lowercased()
            let strategic = ["1", "true", "yes", "y", "是", "x"].contains(flag ?? "")
            out.rows.append((
                AccountRecord(
                    accountId: id, name: r.text(columns["name"]), parentAccountId: r.text(columns["parent_account_id"]),
                    industry: r.text(columns["industry"]), region: r.text(columns["region"]), size: r.text(columns["size"]),
                    accountManager: r.text(columns["account_manager"]), createdDate: created, strategic: strategic),
                r.line, r.raw
            ))
        }
        return out
    }
}

final class AccountBook {
    var ledger = InputLedger(kind: .accounts)
    let rejects = RejectLog()
    private(set) var accounts: [String: AccountRecord] = [:]
    /// Account ids given twice with different content (the first row is kept).
    private(set) var conflictingIds: Set<String> = []

    func add(_ batch: AccountCleaner.Batch) {
        ledger.rowsRead += batch.rowsRead
        for reject in batch.rejects { ledger.reject(reject, into: rejects) }
        for (record, line, raw) in batch.rows {
            if let first = accounts[record.accountId] {
                if first == record {
                    ledger.duplicatesMerged += 1
                } else {
                    conflictingIds.insert(record.accountId)
                    ledger.reject(Reject(
                        source: .accounts, line: line, field: "account_id", reason: .duplicateAccountConflict,
                        message: "account \(record.accountId) appears earlier with different content; the first row is kept", raw: raw),
                        into: rejects)
                }
                continue
            }
            ledger.rowsAccepted += 1
            accounts[record.accountId] = record
        }
    }
}

/// Cleans the FX rates export into the run's ``FXTable``.
struct FXRateCleaner: Sendable {
    let config: InputConfig
    let columns: ColumnMap
    let dates: DateParser

    init(config: InputConfig, columns: ColumnMap) {
        self.config = config
        self.columns = columns
        dates = config.dateParser
    }

    struct Batch: Sendable {
        var rows: [(currency: String, rate: FXRate, from: Day?, line: Int, raw: String)] = []
        var rejects: [Reject] = []
        var rowsRead = 0
    }

    func normalise(_ batch: RecordBatch) -> Batch {
        var out = Batch()
        for i in 0..<batch.count {
            let r = batch[i]
            out.rowsRead += 1
            func reject(_ reason: RejectReason, _ field: String, _ message: String) {
                out.rejects.append(r.reject(.fxRates, field: field, reason: reason, message: message))
            }
            if let problem = r.problem {
                reject(RejectReason(problem), "", problem.message)
                continue
            }
            guard let currency = r.text(columns["currency"])?.uppercased() else { reject(.unknownCurrency, "currency", "the currency is empty"); continue }
            let rateText = r.text(columns["rate"]) ?? ""
            guard let rate = FXTable.parseRate(rateText) else { reject(.badRate, "rate", "'\(rateText)' is not a positive rate with ≤ 8 decimals"); continue }
            var from: Day?
            if let text = r.text(columns["valid_from"]) {
                guard let d = dates.parse(text) else { reject(.badDate, "valid_from", "'\(text)' matches none of \(config.dateFormats)"); continue }
                from = d
            }
            out.rows.append((currency, rate, from, r.line, r.raw))
        }
        return out
    }
}
