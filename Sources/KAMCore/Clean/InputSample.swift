import CSVIO

/// What cleaning would reject in an input's first rows: `kam validate` reads this much of
/// every input, so a wrong date format or an unmapped status shows before a nightly run.
///
/// Row-level rules only (dates, amounts, statuses, types, currencies, numbers, record
/// shape); duplicates need the whole file and are left to the run.
public struct InputSample: Sendable {
    public static let defaultRows = 2_000

    public var kind: InputKind
    /// The header as the reader found it.
    public var header: [String] = []
    public var rowsRead = 0
    public var rejected = 0
    public var byReason: [RejectReason: Int] = [:]
    public var examples: [RejectReason: RejectExamples] = [:]

    public var rejectRate: Double { rowsRead == 0 ? 0 : Double(rejected) / Double(rowsRead) }

    /// Stops the reader once the sample is full.
    private struct Full: Error {}

    /// Cleans the first `rows` records of `input` (FX rates, when the pipeline has them, are
    /// read whole first: transactions need them).
    public static func take(_ input: InputConfig, config: PipelineConfig, fx: FXTable, rows limit: Int = defaultRows) throws -> InputSample
    {
        let (reader, columns, _) = try CleanStage.open(input, config)
        let clean: (RecordBatch) -> (read: Int, rejects: [Reject])
        switch input.kind {
        case .transactions:
            let cleaner = TransactionCleaner(config: input, columns: columns, fx: fx, asOf: config.asOf)
            clean = {
                let b = cleaner.normalise($0); return (b.ledger.rowsRead, b.rejects)
            }
        case .interactions:
            let cleaner = InteractionCleaner(
                config: input, columns: columns, asOf: config.asOf, competitorKeywords: config.relationship.competitorKeywords)
            clean = {
                let b = cleaner.normalise($0); return (b.rowsRead, b.rejects)
            }
        case .accounts:
            let cleaner = AccountCleaner(config: input, columns: columns)
            clean = {
                let b = cleaner.normalise($0); return (b.rowsRead, b.rejects)
            }
        case .costs:
            let cleaner = ServiceCostCleaner(config: input, columns: columns, fx: fx, asOf: config.asOf)
            clean = {
                let b = cleaner.normalise($0); return (b.rowsRead, b.rejects)
            }
        case .fxRates:
            let cleaner = FXRateCleaner(config: input, columns: columns)
            clean = {
                let b = cleaner.normalise($0); return (b.rowsRead, b.rejects)
            }
        }
        var sample = InputSample(kind: input.kind, header: reader.header)
        do {
            try reader.forEachBatch(threads: 1, transform: { $0 }) { batch in
                let (read, rejects) = clean(batch.prefix(limit - sample.rowsRead))
                sample.rowsRead += read
                sample.rejected += rejects.count
                for r in rejects {
                    sample.byReason[r.reason, default: 0] += 1
                    sample.examples[r.reason, default: RejectExamples()].count(r.exampleValue)
                }
                if sample.rowsRead >= limit { throw Full() }
            }
        } catch is Full {}
        return sample
    }

    /// One line: how many rows would be rejected, and the top reasons with their values.
    public var summary: String {
        guard rejected > 0 else { return "first \(rowsRead) rows: none would be rejected" }
        let reasons = byReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { reason, n in
            let values = (examples[reason]?.top(3) ?? []).map { "\"\($0.value)\" ×\($0.count)" }.joined(separator: ", ")
            return "\(reason.rawValue) \(n) (\(values))"
        }
        return String(format: "first %d rows: %d would be rejected (%.2f %%): ", rowsRead, rejected, rejectRate * 100)
            + reasons.joined(separator: "; ")
    }
}
