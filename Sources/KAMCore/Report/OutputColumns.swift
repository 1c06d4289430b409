/// The columns of every CSV a run writes besides `ranked_accounts.csv` (``AccountColumns``):
/// each table takes its header from here, and `columns.csv` lists them all.
enum OutputColumns {
    static func keyAccounts(_ currency: String) -> [ColumnSpec] {
        [
            ColumnSpec("account_id", "text", "the account, or the group at `key_accounts.level: group`", text: true),
            ColumnSpec("account_name", "text", "its name as exported", text: true),
            ColumnSpec("group", "text", "its group (parent_account_id); empty when it has none", text: true),
            ColumnSpec("account_manager", "text", "from the accounts file", text: true),
            ColumnSpec("status", "new/kept/demoted/candidate", "against the previous recorded run", text: true),
            ColumnSpec("strategic", "yes/no", "marked strategic in the accounts file: admitted as a manual decision", text: true),
            ColumnSpec("reason", "text", "the decision in words with its numbers", text: true),
            ColumnSpec("rank", "position", "rank among the eligible by rank_by; empty when ineligible"),
            ColumnSpec("score", "by rank_by", "the ranking key's value"),
            ColumnSpec("rank_by", "text", "`key_accounts.rank_by`: clv, revenue_12m or score", text: true),
            ColumnSpec("revenue_12m", currency, "net revenue in (as_of − 365, as_of]"),
            ColumnSpec("clv", currency, "as in ranked_accounts.csv"),
            ColumnSpec("lifecycle", "text", "as in ranked_accounts.csv", text: true),
            ColumnSpec("health_band", "red/yellow/green", "as in ranked_accounts.csv", text: true),
            ColumnSpec("churn_probability", "probability", "as in ranked_accounts.csv"),
            ColumnSpec("currency", "ISO 4217", "the currency of the money columns", text: true),
        ]
    }

    static func groups(_ currency: String) -> [ColumnSpec] {
        [
            ColumnSpec("group_id", "text", "the parent account ID shared by the members", text: true),
            ColumnSpec("group_name", "text", "the parent account's name", text: true),
            ColumnSpec("members", "accounts", "accounts in the group, the parent included"),
            ColumnSpec("active_members", "accounts", "members with a purchase day in the last 365 days"),
            ColumnSpec("key_accounts", "accounts", "members on the key-account list"),
            ColumnSpec("revenue_12m", currency, "Σ members' revenue_12m"),
            ColumnSpec("revenue_prior_12m", currency, "Σ members' revenue_prior_12m"),
            ColumnSpec("clv_total", currency, "Σ members' clv"),
            ColumnSpec("worst_churn_probability", "probability", "the highest member churn_probability"),
            ColumnSpec("worst_health_band", "red/yellow/green", "the worst member health_band", text: true),
            ColumnSpec("lowest_health_score", "score 0–100", "the lowest member health_score"),
            ColumnSpec("currency", "ISO 4217", "the currency of the money columns", text: true),
        ]
    }

    static func tierMigration(_ currency: String) -> [ColumnSpec] {
        [
            ColumnSpec("from_tier", "A/B/C/new", "tier at the previous quarter-end run; new: that run did not have the account", text: true),
            ColumnSpec("to_tier", "A/B/C/gone", "tier now; gone: this run does not have the account", text: true),
            ColumnSpec("accounts", "accounts", "accounts that moved from from_tier to to_tier"),
            ColumnSpec("revenue_12m", currency, "their revenue_12m now (at the quarter end for accounts gone)"),
            ColumnSpec("quarter_end_as_of", "date", "as_of of the quarter-end run compared with", text: true),
            ColumnSpec("currency", "ISO 4217", "the currency of revenue_12m", text: true),
        ]
    }

    static let kpiSummary: [ColumnSpec] = [
        ColumnSpec("kpi", "text", "the KPI's name", text: true),
        ColumnSpec("value", "see unit", "its value in this run; empty when not computed"),
        ColumnSpec("unit", "text", "the unit of value", text: true),
        ColumnSpec("definition", "text", "how value is computed, or why it is not", text: true),
        ColumnSpec("value_quarter_end", "see unit", "the value at the previous quarter-end run"),
        ColumnSpec("change_since_quarter_end", "see unit", "value − value_quarter_end"),
        ColumnSpec("quarter_end_as_of", "date", "as_of of that run", text: true),
    ]

    /// `kpi_by_<dimension>.csv`: the dimension's column, then the KPI columns.
    static func kpiByDimension(_ column: String, currency: String) -> [ColumnSpec] {
        [ColumnSpec(column, "text", "the group; Total, Total (exact) and Rounding difference rows close the table", text: true)] + [
            ColumnSpec("accounts", "accounts", "accounts in the group"),
            ColumnSpec("active_accounts", "accounts", "with a purchase day in the last 365 days"),
            ColumnSpec("revenue_12m", currency, "net revenue in (as_of − 365, as_of]"),
            ColumnSpec("revenue_prior_12m", currency, "net revenue in (as_of − 730, as_of − 365]"),
            ColumnSpec("revenue_share", "ratio", "the group's revenue_12m / all accounts' revenue_12m"),
            ColumnSpec("growth", "ratio", "(revenue_12m − revenue_prior_12m) / revenue_prior_12m"),
            ColumnSpec("grr", "ratio", "over accounts with prior revenue > 0: Σ min(prior, last) / Σ prior"),
            ColumnSpec("nrr", "ratio", "over accounts with prior revenue > 0: Σ last / Σ prior"),
            ColumnSpec("logo_churn", "ratio", "share of accounts with prior revenue > 0 whose last-12-month revenue is ≤ 0"),
            ColumnSpec("arpa", currency, "revenue_12m / active_accounts"),
            ColumnSpec("clv_total", currency, "Σ clv"),
            ColumnSpec("clv_mean", currency, "mean clv over accounts with a purchase"),
            ColumnSpec("revenue_at_risk", currency, "revenue_12m of accounts whose churn_risk is high"),
            ColumnSpec("gross_margin_12m", currency, "Σ gross_margin_12m over the accounts that have one"),
            ColumnSpec("cost_to_serve_12m", currency, "Σ cost_to_serve_12m over the accounts that have one"),
            ColumnSpec("profit_12m", currency, "Σ profit_12m over the accounts that have one"),
            ColumnSpec("mean_churn_probability", "probability", "mean churn_probability over accounts with a purchase"),
            ColumnSpec("csat", "score 0–100", "mean satisfaction of surveys in the last 365 days"),
            ColumnSpec("complaints_12m", "complaints", "complaints in the last 365 days"),
            ColumnSpec("mean_resolution_days", "days", "mean days to resolve the complaints resolved in the last 365 days"),
            ColumnSpec("currency", "ISO 4217", "the currency of the money columns", text: true),
        ]
    }

    static let rejects: [ColumnSpec] = [
        ColumnSpec("source", "text", "the input the row came from", text: true),
        ColumnSpec("line", "line number", "its line in that file (1 = the first line)"),
        ColumnSpec("field", "text", "the field at fault", text: true),
        ColumnSpec("reason_code", "text", "why, as a code (README, Reject reason codes)", text: true),
        ColumnSpec("message", "text", "why, in words with what was expected", text: true),
        ColumnSpec("raw", "text", "the row as read", text: true),
    ]

    /// Every CSV a run writes, in `columns.csv`'s order.
    static func all(_ config: PipelineConfig) -> [(file: String, specs: [ColumnSpec])] {
        let c = config.baseCurrency
        return [("ranked_accounts.csv", AccountColumns.specs(config)), ("kpi_summary.csv", kpiSummary)]
            + KPITables.dimensions.map { ($0.file, kpiByDimension($0.column, currency: c)) }
            + [
                ("key_accounts.csv", keyAccounts(c)), ("group_accounts.csv", groups(c)), ("tier_migration.csv", tierMigration(c)),
                ("rejects.csv", rejects), ("finance.xlsx: Reconciliation", reconciliation(c)),
                ("finance.xlsx: Rejects by reason", rejectsByReason),
            ]
    }

    /// The workbook's reconciliation sheet: one row per input (the manifest's `inputs`).
    static func reconciliation(_ currency: String) -> [ColumnSpec] {
        let exact = "\(currency), exact to 4 decimals"
        return [
            ColumnSpec("input", "text", "the input", text: true),
            ColumnSpec("path", "text", "the file read", text: true),
            ColumnSpec("rows_read", "rows", "records read after the header"),
            ColumnSpec("rows_accepted", "rows", "rows handed to the analysis"),
            ColumnSpec("rows_rejected", "rows", "rows in rejects.csv"),
            ColumnSpec("duplicates_merged", "rows", "duplicates merged into an earlier row"),
            ColumnSpec("excluded_after_as_of", "rows", "rows dated after as_of"),
            ColumnSpec("excluded_open", "rows", "open lines (quotes, deals in the pipeline)"),
            ColumnSpec("reconciles", "yes/no", "rows_read = accepted + rejected + merged + excluded", text: true),
            ColumnSpec("read_base", exact, "every parseable amount, converted"),
            ColumnSpec("accepted_base", exact, "amounts of accepted rows"),
            ColumnSpec("rejected_base", exact, "amounts of rejected rows that had one"),
            ColumnSpec("merged_base", exact, "amounts of merged duplicates"),
            ColumnSpec("excluded_base", exact, "amounts of rows after as_of"),
            ColumnSpec("open_base", exact, "amounts of open lines"),
            ColumnSpec("amounts_reconcile", "yes/no", "read_base = accepted + rejected + merged + excluded + open (per currency too)", text: true),
            ColumnSpec("net_revenue_base", currency, "transactions: accepted paid − refunded"),
            ColumnSpec("net_revenue_base_12m", currency, "the same dated in (as_of − 365, as_of]"),
            ColumnSpec("currency", "ISO 4217", "the base currency", text: true),
        ]
    }

    /// The workbook's rejects sheet: rejected rows counted by input and reason.
    static let rejectsByReason: [ColumnSpec] = [
        ColumnSpec("input", "text", "the input", text: true),
        ColumnSpec("reason", "code", "the reject reason code (README, Reject reason codes)", text: true),
        ColumnSpec("rows", "rows", "rows rejected for it"),
        ColumnSpec("meaning", "text", "what the code means", text: true),
        ColumnSpec("most_frequent_value", "text", "the value most often at fault", text: true),
        ColumnSpec("most_frequent_count", "rows", "how often it came"),
    ]
}
