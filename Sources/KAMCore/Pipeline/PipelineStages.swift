/// The values kam's stages hand each other in a ``StageGraph``.
public enum Slots {
    public static let clean = Slot<CleanData>("clean data")
    public static let segments = Slot<[AccountSegment]>("segments")
    public static let decisions = Slot<[String: AccountDecision]>("tiers and actions")
    public static let value = Slot<ValueResult>("value")
    public static let churn = Slot<ChurnResult>("churn")
    public static let contacts = Slot<ContactFactsResult>("contact facts")
    public static let relationship = Slot<RelationshipResult>("relationship and health")
    public static let keyAccounts = Slot<KeyAccountResult>("key accounts")
    public static let report = Slot<[AccountReportRow]>("account report")
    static let tables = Slot<ReportTables>("report tables")
}

// Each stage's step in a graph: its settings as stored properties, its data through slots.
// `kam run` and `kam backtest` build their graphs from these (Runner, Backtester); a new stage
// is a new step here, registered in the graphs that need it.

extension CleanStage {
    /// Reads and cleans every input, then applies `gate` (a data-quality gate that throws).
    struct Step: Stage {
        let config: PipelineConfig
        let threads: Int
        let progress: Progress
        /// The days the histories must answer for (nil: as_of and the churn training cut).
        let cutoffs: [Day]?
        let gate: @Sendable (CleanData) throws -> Void

        var name: String { "ingest+clean" }
        var needs: [AnySlot] { [] }
        var produces: [AnySlot] { [Slots.clean.erased] }

        func run(_ values: StageValues) throws -> Int {
            let clean = try CleanStage.run(config, threads: threads, progress: progress, cutoffs: cutoffs)
            try gate(clean)
            values.set(Slots.clean, clean)
            return clean.ledgers.values.reduce(0) { $0 + $1.rowsRead }
        }
    }
}

extension SegmentStage {
    struct Step: Stage {
        let config: PipelineConfig

        var name: String { "segment" }
        var needs: [AnySlot] { [Slots.clean.erased] }
        var produces: [AnySlot] { [Slots.segments.erased] }

        func run(_ values: StageValues) throws -> Int {
            let segments = SegmentStage.run(try values.get(Slots.clean), asOf: config.asOf, settings: config.segment)
            values.set(Slots.segments, segments)
            return segments.count
        }
    }
}

extension SegmentStage {
    /// Decides tiers and recommended actions once value and churn are known.
    struct DecideStep: Stage {
        let config: PipelineConfig

        var name: String { "decide" }
        var needs: [AnySlot] { [Slots.segments.erased, Slots.value.erased, Slots.churn.erased] }
        var produces: [AnySlot] { [Slots.decisions.erased] }

        func run(_ values: StageValues) throws -> Int {
            let decisions = SegmentStage.decide(
                try values.get(Slots.segments), value: try values.get(Slots.value), churn: try values.get(Slots.churn), config: config)
            values.set(Slots.decisions, decisions)
            return decisions.count
        }
    }
}

extension ValueStage {
    /// Fits the purchase and spend models as of `asOf` (as_of, or a backtest's cutoff).
    struct Step: Stage {
        let config: PipelineConfig
        let asOf: Day
        let threads: Int

        var name: String { "value" }
        var needs: [AnySlot] { [Slots.clean.erased] }
        var produces: [AnySlot] { [Slots.value.erased] }

        func run(_ values: StageValues) throws -> Int {
            let value = ValueStage.run(histories: try values.get(Slots.clean).histories, asOf: asOf, config: config, threads: threads)
            values.set(Slots.value, value)
            return value.accounts.count
        }
    }
}

extension ChurnStage {
    /// Scores churn as of `asOf` (as_of, or a backtest's cutoff).
    struct Step: Stage {
        let config: PipelineConfig
        let asOf: Day
        let threads: Int

        var name: String { "churn" }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.value.erased] }
        var produces: [AnySlot] { [Slots.churn.erased] }

        func run(_ values: StageValues) throws -> Int {
            let clean = try values.get(Slots.clean)
            let churn = ChurnStage.run(clean: clean, value: try values.get(Slots.value), asOf: asOf, config: config, threads: threads)
            values.set(Slots.churn, churn)
            return churn.accounts.count
        }
    }
}

extension RelationshipStage {
    /// Each account's contact facts as of `asOf`, from the clean data alone.
    struct ContactsStep: Stage {
        let config: PipelineConfig
        let asOf: Day
        let threads: Int

        var name: String { "contacts" }
        var needs: [AnySlot] { [Slots.clean.erased] }
        var produces: [AnySlot] { [Slots.contacts.erased] }

        func run(_ values: StageValues) throws -> Int {
            let result = RelationshipStage.contactFacts(
                clean: try values.get(Slots.clean), asOf: asOf, settings: config.relationship, threads: threads)
            values.set(Slots.contacts, result)
            return result.facts.count
        }
    }

    /// The plan, indices and health as of `asOf`, once tiers and churn are known.
    struct Step: Stage {
        let config: PipelineConfig
        let asOf: Day
        let threads: Int

        var name: String { "relationship" }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.contacts.erased, Slots.decisions.erased, Slots.churn.erased] }
        var produces: [AnySlot] { [Slots.relationship.erased] }

        func run(_ values: StageValues) throws -> Int {
            let clean = try values.get(Slots.clean), decisions = try values.get(Slots.decisions), churn = try values.get(Slots.churn)
            let result = RelationshipStage.run(
                contacts: try values.get(Slots.contacts), histories: clean.histories, hasInteractions: clean.hasInteractionsInput,
                tiers: decisions.mapValues(\.tier), churn: churn.accounts.mapValues(\.chosen), asOf: asOf,
                settings: config.relationship, notesMapped: config.inputs.interactions?.columns["notes"] != nil, threads: threads)
            values.set(Slots.relationship, result)
            return result.accounts.count
        }
    }
}

extension KeyAccountStage {
    /// Selects the key accounts against `previous`, the previous run in the history.
    struct Step: Stage {
        let config: PipelineConfig
        let previous: (asOf: Day, accounts: [String: AccountSnapshot])?

        var name: String { "key accounts" }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.segments.erased, Slots.value.erased, Slots.relationship.erased] }
        var produces: [AnySlot] { [Slots.keyAccounts.erased] }

        func run(_ values: StageValues) throws -> Int {
            let result = try KeyAccountStage.run(
                segments: try values.get(Slots.segments), value: try values.get(Slots.value), relationship: try values.get(Slots.relationship),
                clean: try values.get(Slots.clean), previous: previous, settings: config.keyAccounts)
            values.set(Slots.keyAccounts, result)
            return result.keyAccounts
        }
    }
}

extension AccountReport {
    /// Builds the ranked account rows and every report table (the CSV files, the workbook and
    /// the review pack render these).
    struct Step: Stage {
        let config: PipelineConfig
        let threads: Int
        /// The recorded runs trends are taken against.
        let baseline: TrendBaseline

        var name: String { "report" }
        var needs: [AnySlot] {
            [
                Slots.clean.erased, Slots.segments.erased, Slots.decisions.erased, Slots.value.erased, Slots.churn.erased,
                Slots.relationship.erased, Slots.keyAccounts.erased,
            ]
        }
        var produces: [AnySlot] { [Slots.report.erased, Slots.tables.erased] }

        func run(_ values: StageValues) throws -> Int {
            let clean = try values.get(Slots.clean), keyAccounts = try values.get(Slots.keyAccounts)
            let rows = AccountReport.build(
                clean: clean, segments: try values.get(Slots.segments), decisions: try values.get(Slots.decisions),
                value: try values.get(Slots.value), churn: try values.get(Slots.churn), relationship: try values.get(Slots.relationship),
                config: config, threads: threads)
            values.set(Slots.tables, try Runner.buildTables(rows, clean: clean, keyAccounts: keyAccounts, baseline: baseline, config: config, threads: threads))
            values.set(Slots.report, rows)
            return rows.count
        }
    }
}

extension ReportTables {
    /// Writes the CSV files, beside the workbook and the review pack.
    struct CSVStep: Stage {
        let config: PipelineConfig
        let folder: RunFolder
        let threads: Int

        var name: String { "csv files" }
        var yields: Bool { true }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.tables.erased] }
        var produces: [AnySlot] { [] }

        func run(_ values: StageValues) throws -> Int {
            let tables = try values.get(Slots.tables)
            try Runner.writeCSVFiles(tables, clean: try values.get(Slots.clean), config: config, folder: folder, threads: threads)
            return tables.byFile.count + 2  // with ranked_accounts.csv and rejects.csv
        }
    }
}

extension StageGraph {
    /// Runs the graph; a stage's failure is thrown as its own error (so its exit code holds),
    /// after a note naming the stages it kept from running.
    func runReportingFailure(_ values: StageValues, progress: Progress) throws -> [Timing] {
        do {
            return try run(values, progress: progress)
        } catch let failure as StageFailure {
            if !failure.skipped.isEmpty {
                progress.note("\(failure.stage) failed; not run: \(failure.skipped.joined(separator: ", "))")
            }
            throw failure.underlying
        }
    }
}
