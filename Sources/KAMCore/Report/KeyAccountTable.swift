/// `key_accounts.csv`: the key accounts, those demoted this run and the next in line, each with
/// its reason in words and the criteria's values (README "Key accounts").
enum KeyAccountTable {
    static let columns = [
        "account_id", "account_name", "group", "account_manager", "status", "strategic", "reason", "rank", "score", "rank_by",
        "revenue_12m", "clv", "lifecycle", "health_band", "churn_probability", "currency",
    ]

    static func table(_ result: KeyAccountResult, rows: [AccountReportRow], clean: CleanData, config: PipelineConfig) -> ReportTable {
        var table = ReportTable(
            columns: columns,
            text: ["account_id", "account_name", "group", "account_manager", "status", "strategic", "reason", "rank_by", "lifecycle", "health_band", "currency"])
        let order: [KeyAccountStatus] = [.kept, .new, .demoted, .candidate]
        let shown = rows.compactMap { r in result.decisions[r.accountId].flatMap { d in d.status.map { (r, d, $0) } } }.sorted { a, b in
            let sa = order.firstIndex(of: a.2)! < 2 ? 0 : order.firstIndex(of: a.2)!, sb = order.firstIndex(of: b.2)! < 2 ? 0 : order.firstIndex(of: b.2)!
            return (sa, a.1.rank ?? .max, a.0.accountId) < (sb, b.1.rank ?? .max, b.0.accountId)
        }
        for (r, d, status) in shown {
            let s = r.segment, account = clean.accounts[s.accountId]
            table.append([
                .text(s.accountId), .text(s.name), .text(account?.parentAccountId ?? ""), .text(s.accountManager), .text(status.rawValue),
                .text(account?.strategic == true ? "yes" : "no"), .text(d.reason), .count(d.rank), .amount(d.score),
                .text(config.keyAccounts.rankBy.rawValue), .money(s.activity.revenue12m), .amount(r.value?.clv), .text(s.lifecycle.rawValue),
                .text(r.relationship?.health?.band.rawValue ?? ""), .probability(r.churn?.chosen), .text(config.baseCurrency),
            ])
        }
        return table
    }
}
