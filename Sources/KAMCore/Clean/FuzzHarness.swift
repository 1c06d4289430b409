import CSVIO

/// The body of kam's fuzz target (`make fuzz`, `Sources/kam-fuzz`): one input's bytes through
/// libcsv, a cleaner and, for transactions, interactions and costs, the book they are folded into, as a run takes
/// them. Whatever the bytes, nothing may trap: a bad row is a reject, a total past what kam
/// holds is an error.
///
/// The first byte picks the input kind and its options; the rest is the file's text after a
/// fixed header (so mutations spend their time on rows, not on finding the columns).
public enum FuzzHarness {
    static let asOf = Day(iso: "2024-12-31")!

    /// One of the ways a file is read, picked by the input's first byte.
    struct Setup {
        var input: InputConfig
        var header: [String]
        var fx: FXTable
    }

    static let setups: [Setup] = {
        var rates = FXTable(baseCurrency: "CNY", inline: ["USD": 7.1])
        rates.add(currency: "EUR", rate: FXRate(nanoUnits: 780_000_000), validFrom: Day(iso: "2024-01-01"))
        rates.add(currency: "EUR", rate: FXRate(nanoUnits: 3), validFrom: Day(iso: "2024-06-01"))
        let formats = ["yyyy-MM-dd", "yyyy/M/d", "d.M.yyyy", "yyyy年M月d日"]
        func input(_ kind: InputKind, _ header: [String], _ change: (inout InputConfig) -> Void = { _ in }) -> Setup {
            var config = InputConfig(
                kind: kind, path: "(fuzz)", dialect: CSVDialect(), columns: Dictionary(uniqueKeysWithValues: header.map { ($0, $0) }),
                dateFormats: formats, excelSerialDates: false, decimalComma: false, negativePaidIsRefund: false, currency: nil,
                statusMap: TransactionStatus.defaultLabels, typeMap: InteractionType.defaultLabels, satisfactionScale: .oneToTen,
                dedupe: .none, maxRejectRate: 1)
            change(&config)
            return Setup(input: config, header: header, fx: rates)
        }
        let transactions = ["account_id", "date", "amount", "currency", "status", "cost", "quantity", "line_no", "txn_id"]
        return [
            input(.transactions, transactions),
            input(.transactions, transactions) {
                $0.decimalComma = true
                $0.negativePaidIsRefund = true
                $0.excelSerialDates = true
                $0.dialect.delimiter = UInt8(ascii: ";")
            },
            input(.transactions, ["account_id", "date", "amount", "currency", "status", "margin"]),
            input(.interactions, ["account_id", "date", "type", "satisfaction", "resolved_date", "resolution_days", "notes"]),
            input(.interactions, ["account_id", "date", "type", "satisfaction", "resolution_days"]) {
                $0.satisfactionScale = .zeroToHundred
            },
            input(.accounts, ["account_id", "name", "parent_account_id", "industry", "created_date", "strategic"]),
            input(.fxRates, ["currency", "rate", "valid_from"]),
            input(.costs, ["account_id", "date", "amount", "currency", "category"]) { $0.dedupe = .exact },
        ]
    }()

    /// Runs one input. Returns the rows it read, so a caller can tell the work was done.
    @discardableResult
    public static func run(_ data: UnsafeRawBufferPointer) -> Int {
        guard let first = data.first else { return 0 }
        let setup = setups[Int(first) % setups.count]
        let body = Array(data.dropFirst())
        let batch = RecordBatch.parseWhole(body, dialect: setup.input.dialect, expectedFields: setup.header.count)
        guard let columns = try? ColumnMap(config: setup.input, header: setup.header, pipelineFile: "(fuzz)") else { return 0 }
        switch setup.input.kind {
        case .transactions:
            let cleaner = TransactionCleaner(config: setup.input, columns: columns, fx: setup.fx, asOf: asOf)
            let normalised = cleaner.normalise(batch)
            guard normalised.overflowLine == nil,
                var book = try? TransactionBook(policy: .none, points: CutoffPoints(cutoffs: [asOf, asOf - 90]))
            else { return normalised.ledger.rowsRead }
            try? book.add(normalised)
            try? book.resolveDuplicates(threads: 1, base: cleaner.base)
            let histories = book.takeHistories()
            for h in histories { _ = RepeatPurchaseSummary(history: h, asOf: asOf) }
            return book.ledger.rowsRead
        case .interactions:
            let normalised = InteractionCleaner(
                config: setup.input, columns: columns, asOf: asOf, competitorKeywords: RelationshipSettings().competitorKeywords
            ).normalise(batch)
            // Folding them in too: any day, any resolution, into a history with few points.
            InteractionBook(points: CutoffPoints(cutoffs: [asOf, asOf - 90])).add(normalised)
            return normalised.rowsRead
        case .accounts:
            return AccountCleaner(config: setup.input, columns: columns).normalise(batch).rowsRead
        case .costs:
            let normalised = ServiceCostCleaner(config: setup.input, columns: columns, fx: setup.fx, asOf: asOf).normalise(batch)
            // A total past what kam holds is an error, not a trap.
            try? ServiceCostBook().add(normalised, input: setup.input)
            return normalised.rowsRead
        case .fxRates:
            var table = FXTable(baseCurrency: "CNY")
            let normalised = FXRateCleaner(config: setup.input, columns: columns).normalise(batch)
            for row in normalised.rows { table.add(currency: row.currency, rate: row.rate, validFrom: row.from) }
            return normalised.rowsRead
        }
    }
}
