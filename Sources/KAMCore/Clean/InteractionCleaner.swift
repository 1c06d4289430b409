import CSVIO

/// Cleans the interactions export: type mapped by `type_map`, satisfaction onto 0–100,
/// complaint resolution from `resolution_days` or `resolved_date`, and whether the notes name
/// a competitor (`relationship.competitor_keywords`, compared case-insensitively).
struct InteractionCleaner: Sendable {
    let config: InputConfig
    let columns: ColumnMap
    let asOf: Day
    let dates: DateParser
    let competitorKeywords: [String]

    init(config: InputConfig, columns: ColumnMap, asOf: Day, competitorKeywords: [String]) {
        self.config = config
        self.columns = columns
        self.asOf = asOf
        dates = config.dateParser
        self.competitorKeywords = competitorKeywords.map { $0.lowercased() }
    }

    struct Batch: Sendable {
        var rows: [(record: InteractionRecord, key: UInt64?)] = []
        var rejects: [Reject] = []
        var rowsRead = 0
        var excluded = 0
    }

    func normalise(_ batch: RecordBatch) -> Batch {
        var out = Batch()
        let cAccount = columns["account_id"], cDate = columns["date"], cType = columns["type"]
        let cSat = columns["satisfaction"], cResolvedDate = columns["resolved_date"], cResolutionDays = columns["resolution_days"]
        let cNotes = columns["notes"]
        let scale = config.satisfactionScale.range
        for i in 0..<batch.count {
            let r = batch[i]
            out.rowsRead += 1
            func reject(_ reason: RejectReason, _ field: String, _ message: String) {
                out.rejects.append(r.reject(.interactions, field: field, reason: reason, message: message))
            }
            if let problem = r.problem {
                reject(RejectReason(problem), "", problem.message)
                continue
            }
            guard let accountId = r.text(cAccount) else { reject(.missingAccountId, "account_id", "the account id is empty"); continue }
            guard let dateText = r.text(cDate) else { reject(.missingDate, "date", "the date is empty"); continue }
            guard let day = dates.parse(dateText) else {
                reject(.badDate, "date", "'\(dateText)' matches none of \(config.dateFormats)")
                continue
            }
            let label = r.text(cType)?.lowercased() ?? ""
            guard let type = config.typeMap[label] else {
                reject(.unknownType, "type", label.isEmpty ? "the type is empty" : "'\(label)' is not in type_map")
                continue
            }
            var satisfaction: Double?
            if let text = r.text(cSat) {
                guard let v = Double(text), v.isFinite, scale.contains(v) else {
                    reject(.badSatisfaction, "satisfaction", "'\(text)' is not on the \(config.satisfactionScale.rawValue) scale")
                    continue
                }
                satisfaction = (v - scale.lowerBound) / (scale.upperBound - scale.lowerBound) * 100
            }
            var resolution: Double?
            if let text = r.text(cResolutionDays) {
                guard let v = Double(text), v.isFinite, v >= 0 else {
                    reject(.badResolution, "resolution_days", "'\(text)' is not a number of days ≥ 0")
                    continue
                }
                resolution = v
            } else if let text = r.text(cResolvedDate) {
                guard let resolved = dates.parse(text), resolved >= day else {
                    reject(.badResolution, "resolved_date", "'\(text)' is not a date on or after \(day)")
                    continue
                }
                resolution = Double(resolved - day)
            }
            if day > asOf {
                out.excluded += 1
                continue
            }
            let key = config.dedupe == .exact ? RowHash.of(record: r) : nil
            let notes = r.text(cNotes)?.lowercased()
            out.rows.append((
                InteractionRecord(
                    accountId: accountId, day: day, type: type, satisfaction: satisfaction, resolutionDays: resolution,
                    mentionsCompetitor: notes.map { text in competitorKeywords.contains { text.contains($0) } } ?? false),
                key
            ))
        }
        return out
    }
}

/// Accepted interactions folded into each account's ``ContactHistory``, with the input's ledger.
final class InteractionBook {
    var ledger = InputLedger(kind: .interactions)
    let rejects = RejectLog()
    let points: CutoffPoints
    private var seen: Set<UInt64> = []
    private(set) var byAccount: [String: ContactHistory] = [:]

    init(points: CutoffPoints) { self.points = points }

    func add(_ batch: InteractionCleaner.Batch) {
        ledger.rowsRead += batch.rowsRead
        ledger.excludedAfterAsOf += batch.excluded
        for reject in batch.rejects { ledger.reject(reject, into: rejects) }
        for (record, key) in batch.rows {
            if let key, !seen.insert(key).inserted {
                ledger.duplicatesMerged += 1
                continue
            }
            ledger.rowsAccepted += 1
            byAccount[record.accountId, default: ContactHistory(points: points)].add(record)
        }
    }
}
