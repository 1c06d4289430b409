/// `finance.xlsx`: the KPI and account tables as a typed Excel workbook, for the finance team
/// (README, "Finance workbook"). Each sheet is the table its CSV file holds, cell for cell;
/// reconciliation and rejects by reason come from the clean stage's ledgers.
enum FinanceWorkbook {
    static let fileName = "finance.xlsx"

    /// The sheets in order: (sheet name, the CSV file it mirrors or nil).
    static func sheets(_ tables: ReportTables, clean: CleanData, config: PipelineConfig) -> [(name: String, mirrors: String?, table: RowSource)] {
        var out: [(String, String?, RowSource)] = [("KPI summary", "kpi_summary.csv", tables.summary.source)]
        for (file, table) in tables.byDimension {
            let dimension = file.replacingOccurrences(of: "kpi_by_", with: "").replacingOccurrences(of: ".csv", with: "")
            out.append(("By " + dimension.replacingOccurrences(of: "_", with: " "), file, table.source))
        }
        out.append(("Ranked accounts", "ranked_accounts.csv", tables.accounts.selecting(accountColumns)))
        out.append(("Key accounts", "key_accounts.csv", tables.keyAccounts.source))
        out.append(("Reconciliation", nil, reconciliation(clean, config: config).source))
        out.append(("Rejects by reason", nil, rejectsByReason(clean).source))
        return out
    }

    /// The columns of `ranked_accounts.csv` the workbook's account sheet holds: who the account
    /// is, its revenue, value and profit, its risk and health, and what to do. The model,
    /// contact and trend columns stay in the CSV (a sheet of 90 columns serves no reader, and
    /// its cells were most of the workbook's time).
    static let accountColumns = [
        "rank", "account_id", "account_name", "industry", "region", "size", "account_manager", "tier", "lifecycle", "first_purchase",
        "last_purchase", "revenue_total", "revenue_12m", "revenue_prior_12m", "clv", "clv_low", "clv_high", "value_confidence",
        "clv_margin", "gross_margin_12m", "cost_to_serve_12m", "service_costs_12m", "profit_12m", "net_clv", "churn_probability",
        "churn_risk", "health_score", "health_band", "recommended_action", "currency",
    ]

    static func write(_ tables: ReportTables, clean: CleanData, config: PipelineConfig, to path: String) throws {
        let writer = try XLSXWriter(path: path, currency: config.baseCurrency, created: config.asOf)
        for sheet in sheets(tables, clean: clean, config: config) { writer.addSheet(sheet.name, sheet.table) }
        try writer.close()
    }

    /// Where every row of every input went, with the amount control totals in the base
    /// currency (the manifest's `inputs`, one row per input).
    static func reconciliation(_ clean: CleanData, config: PipelineConfig) -> ReportTable {
        var table = ReportTable(specs: OutputColumns.reconciliation(config.baseCurrency))
        let window = (config.asOf - 364)...config.asOf
        for kind in clean.ledgers.keys.sorted() {
            let l = clean.ledgers[kind]!
            let amounts = kind == .transactions || kind == .costs
            func exact(_ m: Money) -> ReportCell { amounts ? .measure(Double(Money.format(m.units, decimals: 4))!, decimals: 4) : .empty }
            table.append([
                .text(kind.rawValue), .text(clean.files[kind]?.path ?? ""), .count(l.rowsRead), .count(l.rowsAccepted), .count(l.rowsRejected),
                .count(l.duplicatesMerged), .count(l.excludedAfterAsOf), .count(l.excludedOpen), .text(l.balances ? "yes" : "no"),
                exact(l.read.base), exact(l.accepted.base), exact(l.rejected.base), exact(l.merged.base), exact(l.excluded.base),
                exact(l.open.base), .text(amounts ? (l.amountsBalance ? "yes" : "no") : ""),
                kind == .transactions ? .money(l.netRevenueBase) : .empty, kind == .transactions ? .money(l.netRevenue(in: window)) : .empty,
                .text(config.baseCurrency),
            ])
        }
        return table
    }

    /// Rejected rows by input and reason, with the reason's meaning and its most frequent value.
    static func rejectsByReason(_ clean: CleanData) -> ReportTable {
        var table = ReportTable(specs: OutputColumns.rejectsByReason)
        for kind in clean.ledgers.keys.sorted() {
            let examples = clean.rejects.examples(kind)
            for (reason, count) in clean.ledgers[kind]!.topReasons {
                let top = examples[reason]?.top(1).first
                table.append([
                    .text(kind.rawValue), .text(reason.rawValue), .count(count), .text(reason.meaning), .text(top?.value ?? ""),
                    top.map { .count($0.count) } ?? .empty,
                ])
            }
        }
        return table
    }
}

/// The report tables a run writes as CSV, built once and shared by the CSV files, the
/// workbook and the review pack.
struct ReportTables {
    /// `ranked_accounts.csv`, made a slice at a time as it is written.
    var accounts: RowSource
    /// Every other CSV table but `rejects.csv`, by file name.
    var byFile: [String: ReportTable]

    var summary: ReportTable { byFile["kpi_summary.csv"]! }
    var keyAccounts: ReportTable { byFile["key_accounts.csv"]! }
    var migration: ReportTable { byFile["tier_migration.csv"]! }
    /// `kpi_by_<dimension>.csv` file name and table, in ``KPITables/dimensions`` order.
    var byDimension: [(file: String, table: ReportTable)] { KPITables.dimensions.map { ($0.file, byFile[$0.file]!) } }
}
