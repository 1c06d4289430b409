import CSVIO
import Crypto
import Dispatch
import Foundation

/// Reads and cleans every input of a pipeline: FX rates first (transactions need them), then
/// accounts, interactions and transactions concurrently, each parsed on `threads` workers.
public enum CleanStage {
    /// - Parameter cutoffs: the days the analysis stages will look at the histories as of;
    ///   by default as_of and the churn training cut (as_of − `churn.horizon_days`).
    public static func run(_ config: PipelineConfig, threads: Int, progress: Progress, cutoffs: [Day]? = nil) throws -> CleanData {
        try run(config, threads: threads, progress: progress, cutoffs: cutoffs, sightingBits: KeySightings.defaultBlockBits)
    }

    /// - Parameter sightingBits: the size of the filter of keys seen (``KeySightings``); tests
    ///   make it tiny, so that new keys often look seen.
    static func run(_ config: PipelineConfig, threads: Int, progress: Progress, cutoffs: [Day]?, sightingBits: Int) throws -> CleanData {
        // A run's own cut-offs also keep the review pack's quarter ends (a backtest's do not).
        let points = cutoffs.map { CutoffPoints(cutoffs: $0) }
            ?? CutoffPoints(cutoffs: [config.asOf, config.asOf - config.churn.horizonDays], extra: ReviewQuarter.points(asOf: config.asOf))
        var fx = FXTable(baseCurrency: config.baseCurrency, inline: config.fx)
        var ledgers: [InputKind: InputLedger] = [:]
        var rejects: [InputKind: [RejectLog]] = [:]
        var files: [InputKind: InputFileInfo] = [:]
        var seconds: [InputKind: Double] = [:]

        if let fxConfig = config.inputs.fxRates {
            let started = Date()
            let read = try readFXRates(fxConfig, config, into: &fx)
            ledgers[.fxRates] = read.ledger
            rejects[.fxRates] = [read.log]
            files[.fxRates] = read.file
            seconds[.fxRates] = Date().timeIntervalSince(started)
            progress.stage("ingest fx_rates", rows: read.ledger.rowsRead, bytes: read.file.bytes, seconds: seconds[.fxRates]!)
        }

        let table = fx
        let jobs: [InputKind] =
            [.transactions] + (config.inputs.accounts != nil ? [.accounts] : []) + (config.inputs.interactions != nil ? [.interactions] : [])
            + (config.inputs.costs != nil ? [.costs] : [])
        let results = try parallelMap(jobs.count, threads: jobs.count) { i -> InputResult in
            try ingest(jobs[i], config: config, fx: table, points: points, threads: threads, progress: progress, sightingBits: sightingBits)
        }
        var histories: [AccountHistory] = []
        var contacts: [String: ContactHistory] = [:]
        var accounts: [String: AccountRecord] = [:]
        var serviceCosts: [String: ServiceCosts] = [:]
        var conflicting: [String] = []
        var magnitudes: [InputKind: UInt64] = [:]
        var rowsConverted: [FXRateKey: Int] = [:]
        for result in results {
            ledgers[result.kind] = result.ledger
            rejects[result.kind] = result.rejects
            files[result.kind] = result.file
            seconds[result.kind] = result.seconds
            if let h = result.histories { histories = h; rowsConverted = result.rowsConverted }
            if let c = result.contacts { contacts = c }
            if let a = result.accounts { accounts = a; conflicting = result.conflictingAccountIds }
            if let c = result.serviceCosts { serviceCosts = c }
            if result.kind == .transactions || result.kind == .costs { magnitudes[result.kind] = result.magnitude }
        }
        try checkCombinedBound(magnitudes, interactionRows: ledgers[.interactions]?.rowsAccepted ?? 0, config: config)
        let unknown = config.inputs.accounts == nil ? [] : histories.map(\.accountId).filter { accounts[$0] == nil }

        return CleanData(
            histories: histories, historiesById: Dictionary(uniqueKeysWithValues: histories.map { ($0.accountId, $0) }),
            contacts: contacts, accounts: accounts, serviceCosts: serviceCosts,
            hasAccountsInput: config.inputs.accounts != nil, hasInteractionsInput: config.inputs.interactions != nil,
            hasCostsInput: config.inputs.costs != nil,
            ledgers: ledgers, rejects: RejectLedger(rejects), files: files, unknownAccounts: unknown,
            conflictingAccountIds: conflicting.sorted(), fx: table, rowsConverted: rowsConverted, ingestSeconds: seconds)
    }

    /// Every profit figure is a sum of transaction amounts and costs, service costs and
    /// interactions at their configured cost; each input's own bound keeps its sums exact, and
    /// this keeps their combination exact too: Σ of the inputs' magnitudes plus the dearest
    /// interaction rate × the interactions accepted must stay within `Int64.max`.
    static func checkCombinedBound(_ magnitudes: [InputKind: UInt64], interactionRows: Int, config: PipelineConfig) throws {
        var total: UInt64 = 0
        var overflow = false
        func add(_ x: UInt64) {
            let (sum, o) = total.addingReportingOverflow(x)
            total = sum
            overflow = overflow || o
        }
        for kind in magnitudes.keys.sorted() { add(magnitudes[kind]!) }
        if config.inputs.interactions != nil, let dearest = config.costToServe.perInteraction.values.max() {
            let (product, o) = UInt64(dearest.units.magnitude).multipliedReportingOverflow(by: UInt64(interactionRows))
            overflow = overflow || o
            add(product)
        }
        if overflow || total > UInt64(Int64.max) {
            throw CleanError.combinedOverflow(inputs: magnitudes.keys.sorted().map(\.rawValue))
        }
    }

    /// Reads the `fx_rates` input into `fx` (transactions need every rate before they are
    /// read); a rate that conflicts with another for the same day is rejected.
    static func readFXRates(_ fxConfig: InputConfig, _ config: PipelineConfig, into fx: inout FXTable) throws
        -> (ledger: InputLedger, log: RejectLog, file: InputFileInfo)
    {
        let (reader, columns, digest) = try open(fxConfig, config)
        let cleaner = FXRateCleaner(config: fxConfig, columns: columns)
        var ledger = InputLedger(kind: .fxRates)
        let log = RejectLog()
        try reader.forEachBatch(threads: 1, transform: cleaner.normalise) { batch in
            ledger.rowsRead += batch.rowsRead
            for r in batch.rejects { ledger.reject(r, into: log) }
            for row in batch.rows {
                if fx.add(currency: row.currency, rate: row.rate, validFrom: row.from) {
                    ledger.rowsAccepted += 1
                } else {
                    let r = Reject(
                        source: .fxRates, line: row.line, field: "rate", reason: .badRate,
                        message: "conflicts with another \(row.currency) rate for the same day", raw: row.raw)
                    ledger.reject(r, into: log)
                }
            }
        }
        return (ledger, log, try fileInfo(fxConfig, reader, digest))
    }

    struct InputResult: Sendable {
        var kind: InputKind
        var ledger: InputLedger
        /// In the order rows came; the ledger merges them.
        var rejects: [RejectLog]
        var file: InputFileInfo
        var seconds: Double
        var histories: [AccountHistory]?
        var contacts: [String: ContactHistory]?
        var accounts: [String: AccountRecord]?
        var serviceCosts: [String: ServiceCosts]?
        var conflictingAccountIds: [String] = []
        /// Σ max(|amount|, |base amount|) (+ Σ |base cost|) over the rows read, for inputs with amounts.
        var magnitude: UInt64 = 0
        var rowsConverted: [FXRateKey: Int] = [:]
    }

    /// The reader of an input, with the SHA-256 of its bytes computed as they are read.
    static func open(_ input: InputConfig, _ config: PipelineConfig) throws -> (CSVReader, ColumnMap, FileDigest) {
        guard FileManager.default.fileExists(atPath: input.path) else {
            throw ConfigError.inputNotFound(file: config.file, line: 0, input: input.kind.rawValue, path: input.path)
        }
        if input.dialect.encoding == .utf8, let offset = EncodingSniffer.gb18030Evidence(path: input.path) {
            throw ConfigError.looksLikeGB18030(file: config.file, input: input.kind.rawValue, path: input.path, byteOffset: offset)
        }
        let digest = FileDigest()
        let reader = try CSVReader(path: input.path, dialect: input.dialect, observer: { digest.update($0) })
        let columns = try ColumnMap(config: input, header: reader.header, pipelineFile: config.file)
        return (reader, columns, digest)
    }

    static func ingest(
        _ kind: InputKind, config: PipelineConfig, fx: FXTable, points: CutoffPoints, threads: Int, progress: Progress, sightingBits: Int
    ) throws -> InputResult {
        let started = Date()
        var result: InputResult
        switch kind {
        case .transactions:
            let input = config.inputs.transactions
            let (reader, columns, digest) = try open(input, config)
            let cleaner = TransactionCleaner(config: input, columns: columns, fx: fx, asOf: config.asOf)
            var book = try TransactionBook(policy: input.dedupe, points: points, sightingBits: sightingBits)
            var magnitude: UInt64 = 0, rowsConverted: [FXRateKey: Int] = [:]
            try reader.forEachBatch(threads: threads, transform: { cleaner.normalise($0) }) { batch in
                try CleanError.add(
                    batch.magnitude, overflowLine: batch.overflowLine, lastLine: batch.lastLine, to: &magnitude, input: kind, path: input.path)
                for (key, n) in batch.rowsConverted { rowsConverted[key, default: 0] += n }
                try book.add(batch)
            }
            try book.resolveDuplicates(threads: threads, base: cleaner.base)
            let file = try fileInfo(input, reader, digest)
            if !book.conflictedKeys.isEmpty {
                // Second look at the rows of conflicting ids, to reject every one of them.
                let filter = book.settleFilter
                let again = try CSVReader(path: input.path, dialect: input.dialect)
                var rows: [TransactionRows] = []
                try again.forEachBatch(threads: threads, transform: { cleaner.normalise($0, settling: filter).rows }, consume: { rows.append($0) })
                book.settleConflicts(rows)
            }
            let ledger = book.ledger
            result = InputResult(kind: kind, ledger: ledger, rejects: book.rejectLogs, file: file, seconds: 0, histories: book.takeHistories())
            result.rowsConverted = rowsConverted
            result.magnitude = magnitude
        case .interactions:
            let input = config.inputs.interactions!
            let (reader, columns, digest) = try open(input, config)
            let cleaner = InteractionCleaner(
                config: input, columns: columns, asOf: config.asOf, competitorKeywords: config.relationship.competitorKeywords)
            let book = InteractionBook(points: points)
            try reader.forEachBatch(threads: threads, transform: { cleaner.normalise($0) }, consume: book.add)
            result = InputResult(
                kind: kind, ledger: book.ledger, rejects: [book.rejects], file: try fileInfo(input, reader, digest), seconds: 0,
                contacts: book.byAccount)
        case .accounts:
            let input = config.inputs.accounts!
            let (reader, columns, digest) = try open(input, config)
            let cleaner = AccountCleaner(config: input, columns: columns)
            let book = AccountBook()
            try reader.forEachBatch(threads: threads, transform: { cleaner.normalise($0) }, consume: book.add)
            result = InputResult(
                kind: kind, ledger: book.ledger, rejects: [book.rejects], file: try fileInfo(input, reader, digest), seconds: 0,
                accounts: book.accounts, conflictingAccountIds: Array(book.conflictingIds))
        case .costs:
            let input = config.inputs.costs!
            let (reader, columns, digest) = try open(input, config)
            let cleaner = ServiceCostCleaner(config: input, columns: columns, fx: fx, asOf: config.asOf)
            let book = ServiceCostBook()
            try reader.forEachBatch(threads: threads, transform: { cleaner.normalise($0) }) { try book.add($0, input: input) }
            result = InputResult(
                kind: kind, ledger: book.ledger, rejects: [book.rejects], file: try fileInfo(input, reader, digest), seconds: 0,
                serviceCosts: book.byAccount)
            result.magnitude = book.magnitude
        case .fxRates:
            fatalError("FX rates are read before the other inputs")
        }
        result.seconds = Date().timeIntervalSince(started)
        progress.stage("ingest+clean \(kind.rawValue)", rows: result.ledger.rowsRead, bytes: result.file.bytes, seconds: result.seconds)
        return result
    }

    static func fileInfo(_ input: InputConfig, _ reader: CSVReader, _ digest: FileDigest) throws -> InputFileInfo {
        InputFileInfo(
            path: input.path, bytes: (try? FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0,
            sha256: reader.readToEnd ? digest.finish() : try sha256(path: input.path), encoding: input.dialect.encoding.rawValue,
            delimiter: String(UnicodeScalar(input.dialect.delimiter)), header: reader.header,
            hadByteOrderMark: reader.hadByteOrderMark, titleLinesSkipped: reader.skippedLines)
    }

    /// SHA-256 of a file, read in 1 MiB blocks.
    static func sha256(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CSVError.cannotOpen(file: path, reason: "cannot open for hashing")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// SHA-256 over the bytes a reader hands to its observer.
// @unchecked because the reader calls `update` from one thread at a time, in order (its
// first block on the opening thread, the rest on its producer thread, which starts after),
// and `finish` is called after the pass is over.
public final class FileDigest: @unchecked Sendable {
    private var hasher = SHA256()

    public init() {}

    public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    public func finish() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
