import Foundation

/// The run's manifest and history record, built beside the output files (they need only the
/// report's rows), so that little is left once the workbook is written: the stage timings go
/// into the manifest, and the record into the history's transaction.
extension Slots {
    static let manifest = Slot<JSONValue>("manifest")
    static let runRecord = Slot<RunRecord>("history record")
}

extension Runner {
    /// The manifest of a successful run, its `stages` and `finished_utc` filled in at the end.
    struct ManifestStep: Stage {
        let config: PipelineConfig
        let runId: String
        let started: Date
        let threads: Int
        /// The history file the key-account section names.
        let history: String
        let baseline: TrendBaseline

        var name: String { "manifest" }
        var yields: Bool { true }
        var needs: [AnySlot] {
            [Slots.clean.erased, Slots.value.erased, Slots.churn.erased, Slots.relationship.erased, Slots.report.erased, Slots.keyAccounts.erased]
        }
        var produces: [AnySlot] { [Slots.manifest.erased] }

        func run(_ values: StageValues) throws -> Int {
            var manifest = makeManifest(
                config: config, runId: runId, started: started, clean: try values.get(Slots.clean), value: try values.get(Slots.value),
                churn: try values.get(Slots.churn), relationship: try values.get(Slots.relationship), rows: try values.get(Slots.report),
                threads: threads)
            manifest.insert(
                "key_accounts", Manifest.keyAccounts(try values.get(Slots.keyAccounts), config: config, history: history), before: "not_computed")
            manifest.insert(
                "trends",
                .object([
                    ("previous_run_as_of", baseline.previous.map { .string($0.asOf.iso) } ?? .null),
                    ("previous_quarter_end", .string(baseline.quarterEndDay.iso)),
                    ("quarter_end_run_as_of", baseline.quarterEnd.map { .string($0.asOf.iso) } ?? .null),
                    ("note", .string("trend columns compare with these recorded runs of this pipeline; empty where none was recorded")),
                ]), before: "not_computed")
            values.set(Slots.manifest, manifest)
            return 1
        }
    }

    /// What the history keeps of this run (``historyRecord(config:runId:clean:rows:keyAccounts:)``).
    struct RunRecordStep: Stage {
        let config: PipelineConfig
        let runId: String

        var name: String { "history record" }
        var yields: Bool { true }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.report.erased, Slots.keyAccounts.erased] }
        var produces: [AnySlot] { [Slots.runRecord.erased] }

        func run(_ values: StageValues) throws -> Int {
            let record = historyRecord(
                config: config, runId: runId, clean: try values.get(Slots.clean), rows: try values.get(Slots.report),
                keyAccounts: try values.get(Slots.keyAccounts))
            values.set(Slots.runRecord, record)
            return record.accounts.count
        }
    }
}
