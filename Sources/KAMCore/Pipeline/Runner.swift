import CSVIO
import Foundation

/// Runs a pipeline end to end and writes its run folder atomically.
///
/// Its stages form a ``StageGraph``: ingest + clean (inputs concurrently, then the quality
/// gate), then segment alongside value → churn, then the reports, whose files are rendered
/// concurrently. Results depend only on the inputs and `as_of`, never on the thread count.
public enum Runner {
    public struct Outcome: Sendable {
        public var folder: String
        public var rankedAccounts: Int
        public var rejects: Int
        /// Every value the run's stages produced. A caller that ends the process right after
        /// may hold it to the end rather than free it (`kam run` does: freeing the millions of
        /// objects of a large run took a few tenths of a second, Benchmarks/RESULTS.md).
        public var data: StageValues
    }

    /// - Parameters:
    ///   - outputOverride: `--out` as given (relative to the current folder), else `output:`.
    ///   - acceptDrop: `--accept-drop`: accept, for this run, inputs whose accepted rows fell
    ///     below `min_rows_ratio` of the previous run's.
    public static func run(
        _ config: PipelineConfig, outputOverride: String? = nil, acceptDrop: Bool = false, threads: Int, progress: Progress
    ) throws -> Outcome {
        let started = Date()
        let runId = makeRunId(started)
        let destination = try config.outputPath(override: outputOverride)
        let folder = try RunFolder(destination: destination, runId: runId, protected: config.protectedFolders)
        defer { folder.release() }
        // Opened first, so that a locked, newer or damaged history stops the run before any work.
        let historyPath = config.historyPath(destination: destination)
        try checkHistoryPath(historyPath, destination: destination, config: config)
        let history = try RunHistory(path: historyPath)
        // The previous run and the previous quarter-end run of this pipeline: the key-account
        // list is steadied against the first, trends are taken against both.
        let baseline = try TrendBaseline.read(history, pipeline: config.name, asOf: config.asOf)
        let previous = QualityGate.previousAccepted(in: folder.destination)
        // The gate between cleaning and the analysis: a failing run writes its diagnostics
        // and leaves the previous run folder as it was.
        let gate: @Sendable (CleanData) throws -> Void = { clean in
            let failures = QualityGate.failures(
                clean, config: config, previous: previous, previousFolder: folder.destination, acceptDrop: acceptDrop)
            if !failures.isEmpty {
                throw writeDiagnostics(
                    failures, clean: clean, config: config, runId: runId, started: started, destination: folder.destination)
            }
        }
        let graph = try StageGraph([
            CleanStage.Step(config: config, threads: threads, progress: progress, cutoffs: nil, gate: gate),
            SegmentStage.Step(config: config),
            ValueStage.Step(config: config, asOf: config.asOf, threads: threads),
            ChurnStage.Step(config: config, asOf: config.asOf, threads: threads),
            SegmentStage.DecideStep(config: config),
            RelationshipStage.ContactsStep(config: config, asOf: config.asOf, threads: threads),
            RelationshipStage.Step(config: config, asOf: config.asOf, threads: threads),
            KeyAccountStage.Step(config: config, previous: baseline.previous.map { ($0.asOf, $0.accounts) }),
            AccountReport.Step(config: config, threads: threads, baseline: baseline),
            ReportTables.CSVStep(config: config, folder: folder, threads: threads),
            ReviewPack.Step(config: config, folder: folder),
            FinanceWorkbook.Step(config: config, folder: folder),
            // Beside the files: what the manifest and the history will hold.
            ManifestStep(config: config, runId: runId, started: started, threads: threads, history: historyPath, baseline: baseline),
            RunRecordStep(config: config, runId: runId),
        ])
        let values = StageValues()
        let stages = try graph.runReportingFailure(values, progress: progress)
        let clean = try values.get(Slots.clean), rows = try values.get(Slots.report)
        var manifest = try values.get(Slots.manifest)
        manifest.set("finished_utc", .string(iso(Date())))
        manifest.set("stages", Manifest.stages(stages))
        try folder.write("manifest.json", text: manifest.rendered() + "\n")
        // The run is written into the history's transaction, the folder is swapped in, then the
        // transaction commits: a history that cannot take the run stops it with the previous
        // folder in place, and a crash leaves the history without this run (a re-run records
        // it), never with half of it.
        try history.record(try values.get(Slots.runRecord)) {
            try folder.commit()
            RunFolder.killPoint(.beforeHistory)
        }
        progress.note("wrote \(folder.destination) (\(rows.count) accounts, \(clean.rejects.count) rejects); recorded in \(historyPath)")
        return Outcome(folder: folder.destination, rankedAccounts: rows.count, rejects: clean.rejects.count, data: values)
    }

    /// The history must not live inside the run folder (each run replaces that folder whole).
    static func checkHistoryPath(_ path: String, destination: String, config: PipelineConfig) throws {
        let folder = URL(fileURLWithPath: destination).standardizedFileURL.path + "/"
        if URL(fileURLWithPath: path).standardizedFileURL.path.hasPrefix(folder) {
            throw ConfigError.invalidValue(
                file: config.file, line: 0, key: "history", value: path, expected: "a file outside the run folder \(destination)")
        }
    }

    /// What the history keeps of this run: every account's snapshot and the summary KPIs.
    static func historyRecord(
        config: PipelineConfig, runId: String, clean: CleanData, rows: [AccountReportRow], keyAccounts: KeyAccountResult
    ) -> RunRecord {
        var tiers: [ValueTier: Int] = [:]
        for r in rows { tiers[r.tier, default: 0] += 1 }
        let summary = KPITables.summary(rows, config: config, tierCounts: tiers, keyAccounts: keyAccounts)
        let inputs = JSONValue.object(clean.files.keys.sorted().map { ($0.rawValue, .string(clean.files[$0]!.sha256)) })
        return RunRecord(
            pipeline: config.name, asOf: config.asOf, runId: runId, toolVersion: KAMVersion.current, recordedUTC: iso(Date()),
            inputs: inputs.rendered(),
            accounts: rows.map { r in
                let s = r.segment
                return AccountSnapshot(
                    accountId: s.accountId, name: s.name.isEmpty ? nil : s.name, parentAccountId: clean.accounts[s.accountId]?.parentAccountId,
                    tier: r.tier.rawValue, lifecycle: s.lifecycle.rawValue, rfmSegment: s.rfmSegment.isEmpty ? nil : s.rfmSegment,
                    revenue12m: s.activity.revenue12m, clv: r.value?.clv, churnProbability: r.churn?.chosen,
                    healthScore: r.relationship?.health?.score, healthBand: r.relationship?.health?.band.rawValue,
                    keyStatus: keyAccounts.decision(forAccount: s.accountId)?.status?.rawValue,
                    keyEligible: keyAccounts.decision(forAccount: s.accountId)?.eligible)
            },
            kpis: summary.rows.compactMap { row in
                guard case .text(let name) = row[0], name != "as_of", case .text(let unit) = row[2] else { return nil }
                return KPISnapshot(name: name, value: row[1].number, unit: unit)
            })
    }

    /// Writes `<output>.failed/` (manifest with status failed, every input's reconciliation and
    /// the gate failures; rejects.csv) and returns the error to stop the run with.
    static func writeDiagnostics(
        _ failures: [GateFailure], clean: CleanData, config: PipelineConfig, runId: String, started: Date, destination: String
    ) -> QualityGateError {
        var gate = QualityGateError(failures: failures)
        do {
            let failed = try RunFolder(
                destination: destination + ".failed", runId: runId, protected: config.protectedFolders, expected: .failedFolder)
            try failed.write(
                "rejects.csv", pieces: { emit in try RejectsReport.write(clean.rejects, bom: config.report.excelBOM, to: emit) })
            let manifest = Manifest.failed(failures, clean: clean, config: config, runId: runId, started: iso(started))
            try failed.write("manifest.json", text: manifest.rendered() + "\n")
            try failed.commit()
            gate.diagnostics = failed.destination
        } catch {
            gate.diagnosticsProblem = "\(error)"
        }
        return gate
    }

    static let outputFiles =
        ["ranked_accounts.csv", "rejects.csv", "kpi_summary.csv", "key_accounts.csv", "group_accounts.csv", "tier_migration.csv", "columns.csv"]
        + KPITables.dimensions.map(\.file)

    /// What the run folder holds besides the CSV files and the manifest.
    static let otherOutputs = ["review/index.html", "review/index.zh-CN.html", FinanceWorkbook.fileName]

    /// Builds every CSV table of the run side by side; `rejects.csv` is streamed from the clean
    /// stage's logs and the account table's rows are made as they are written (``RowSource``).
    static func buildTables(
        _ rows: [AccountReportRow], clean: CleanData, keyAccounts: KeyAccountResult, baseline: TrendBaseline, config: PipelineConfig,
        threads: Int
    ) throws -> ReportTables {
        var tiers: [ValueTier: Int] = [:]
        for r in rows { tiers[r.tier, default: 0] += 1 }
        let tierCounts = tiers
        let groups = try AccountGroups(clean.accounts)
        let files = outputFiles.filter { $0 != "rejects.csv" && $0 != "ranked_accounts.csv" }
        let built = parallelMap(files.count, threads: threads) { i -> ReportTable in
            switch files[i] {
            case "kpi_summary.csv":
                return KPITables.summary(rows, config: config, tierCounts: tierCounts, baseline: baseline.quarterEnd, keyAccounts: keyAccounts)
            case "tier_migration.csv": return TrendTables.tierMigration(rows, baseline: baseline.quarterEnd, config: config)
            case "key_accounts.csv": return KeyAccountTable.table(keyAccounts, rows: rows, clean: clean, config: config)
            case "columns.csv": return AccountColumns.catalog(config)
            case "group_accounts.csv": return GroupTable.table(rows, groups: groups, keyAccounts: keyAccounts, config: config)
            default:
                let d = KPITables.dimensions.first { $0.file == files[i] }!
                return KPITables.byDimension(rows, column: d.column, key: d.key, config: config)
            }
        }
        return ReportTables(
            accounts: AccountReport.table(rows, config: config, baseline: baseline), byFile: Dictionary(uniqueKeysWithValues: zip(files, built)))
    }

    /// Writes the CSV files: the account table in slices on every thread, the others side by
    /// side; `rejects.csv` is streamed from the clean stage's logs (it grows with the rows).
    static func writeCSVFiles(_ tables: ReportTables, clean: CleanData, config: PipelineConfig, folder: RunFolder, threads: Int) throws {
        let bom = config.report.excelBOM
        try folder.write("ranked_accounts.csv", pieces: { emit in try tables.accounts.writeCSV(bom: bom, threads: threads, to: emit) })
        let files = tables.byFile.keys.sorted()
        let rendered = parallelMap(files.count, threads: threads) { tables.byFile[files[$0]]!.csv(bom: bom) }
        for (name, bytes) in zip(files, rendered) { try folder.write(name, bytes: bytes) }
        try folder.write("rejects.csv", pieces: { emit in try RejectsReport.write(clean.rejects, bom: bom, to: emit) })
    }

    static func makeRunId(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date) + "-" + String(getpid())
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func makeManifest(
        config: PipelineConfig, runId: String, started: Date, clean: CleanData, value: ValueResult, churn: ChurnResult,
        relationship: RelationshipResult, rows: [AccountReportRow], threads: Int
    ) -> JSONValue {
        var notComputed: [JSONValue] = []
        if !clean.hasAccountsInput {
            notComputed.append(
                .string("market dimensions (industry, region, size, manager) and prospects: no accounts input; shown as Unknown"))
        }
        if !clean.hasInteractionsInput {
            notComputed.append(
                .string(
                    "contact facts, relationship indices, CSAT, complaints and interaction churn features: no interactions input; health uses churn and revenue trend only"
                ))
        }
        var tiers: [ValueTier: Int] = [:]
        for r in rows { tiers[r.tier, default: 0] += 1 }
        let unknownShown = Array(clean.unknownAccounts.prefix(1000))
        return .object([
            ("run_id", .string(runId)), ("status", .string("ok")), ("pipeline", .string(config.name)),
            ("pipeline_file", .string(config.file)),
            ("as_of", .string(config.asOf.iso)), ("tool", .string("kam")), ("tool_version", .string(KAMVersion.current)),
            ("started_utc", .string(iso(started))), ("finished_utc", .string(iso(Date()))), ("threads", .int(threads)),
            ("base_currency", .string(config.baseCurrency)), ("time_unit", .string(config.timeUnit.rawValue)),
            (
                "inputs",
                .object(
                    clean.ledgers.keys.sorted().map { k in
                        (
                            k.rawValue,
                            Manifest.input(k, clean.ledgers[k]!, clean.files[k]!, examples: clean.rejects.examples(k), config: config)
                        )
                    })
            ),
            ("fx_rates", Manifest.fxRates(clean)),
            (
                "unknown_accounts",
                .object([
                    ("count", .int(clean.unknownAccounts.count)), ("ids", .array(unknownShown.map(JSONValue.string))),
                    ("truncated", .bool(unknownShown.count < clean.unknownAccounts.count)),
                    ("note", .string("accounts with transactions but no row in the accounts input: kept and reported")),
                ])
            ),
            ("service_costs", clean.hasCostsInput ? Manifest.serviceCosts(clean, config: config) : .null),
            (
                "duplicate_accounts",
                .object([
                    ("conflicting_ids", .array(clean.conflictingAccountIds.map(JSONValue.string))),
                    ("policy", .string("identical rows merged; a conflicting later row is rejected and the first row kept")),
                ])
            ),
            ("stages", .array([])),  // filled in once every stage has run
            ("models", Manifest.models(value, config: config)),
            ("churn", Manifest.churn(churn, config: config)),
            (
                "segment",
                .object([
                    ("abc_basis", .string(config.segment.abcBasis.rawValue)),
                    (
                        "tier_rule",
                        .string(
                            "A while the cumulative share before the account is < \(config.segment.tierAUpTo), B while < \(config.segment.tierBUpTo), else C; basis ≤ 0 is C"
                        )
                    ),
                    ("tiers", .object(ValueTier.allCases.map { ($0.rawValue, .int(tiers[$0] ?? 0)) })),
                    (
                        "lifecycle_days",
                        .object([
                            ("new", .int(config.segment.newDays)), ("dormant", .int(config.segment.dormantDays)),
                            ("churned", .int(config.segment.churnedDays)),
                        ])
                    ),
                ])
            ),
            ("relationship", Manifest.relationship(relationship, rows: rows, config: config)),
            ("not_computed", .array(notComputed)),
            ("outputs", .array((outputFiles + otherOutputs + ["manifest.json"]).sorted().map(JSONValue.string))),
        ])
    }
}
