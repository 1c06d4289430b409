/// `key_accounts.csv`: the key accounts, those demoted this run and the next in line, each with
/// its reason in words and the criteria's values (README "Key accounts").
enum KeyAccountTable {
    static func table(_ result: KeyAccountResult, rows: [AccountReportRow], clean: CleanData, config: PipelineConfig) -> ReportTable {
        var table = ReportTable(specs: OutputColumns.keyAccounts(config.baseCurrency))
        let order: [KeyAccountStatus] = [.kept, .new, .demoted, .candidate]
        let shown = rows.compactMap { r in result.decisions[r.accountId].flatMap { d in d.status.map { (r, d, $0) } } }.sorted { a, b in
            let sa = order.firstIndex(of: a.2)! < 2 ? 0 : order.firstIndex(of: a.2)!, sb = order.firstIndex(of: b.2)! < 2 ? 0 : order.firstIndex(of: b.2)!
            return (sa, a.1.rank ?? .max, a.0.accountId) < (sb, b.1.rank ?? .max, b.0.accountId)
        }
        if config.keyAccounts.level == .group {
            appendGroups(result, rows: rows, clean: clean, config: config, order: order, to: &table)
            return table
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

    /// At group level a row is a group: its top account's name and manager, its members'
    /// revenue and CLV summed, the lifecycle, health and churn of its largest member.
    static func appendGroups(
        _ result: KeyAccountResult, rows: [AccountReportRow], clean: CleanData, config: PipelineConfig, order: [KeyAccountStatus],
        to table: inout ReportTable
    ) {
        let byId = Dictionary(uniqueKeysWithValues: rows.map { ($0.accountId, $0) })
        func place(_ s: KeyAccountStatus) -> Int { s.isKey ? 0 : order.firstIndex(of: s)! }
        let shown = result.decisions.values.compactMap { d in d.status.map { (d, $0) } }.sorted { a, b in
            (place(a.1), a.0.rank ?? .max, a.0.accountId) < (place(b.1), b.0.rank ?? .max, b.0.accountId)
        }
        for (d, status) in shown {
            let members = (result.members[d.accountId] ?? []).compactMap { byId[$0] }
            guard let lead = members.max(by: { ($0.revenue12m, $1.accountId) < ($1.revenue12m, $0.accountId) }) else { continue }
            let top = byId[d.accountId]
            let clvs = members.compactMap { $0.value?.clv }
            table.append([
                .text(d.accountId), .text(top?.segment.name ?? ""), .text(d.accountId), .text((top ?? lead).segment.accountManager),
                .text(status.rawValue), .text(members.contains { clean.accounts[$0.accountId]?.strategic == true } ? "yes" : "no"),
                .text(d.reason + " (group of \(counted(members.count, "account")))"), .count(d.rank), .amount(d.score),
                .text(config.keyAccounts.rankBy.rawValue), .money(members.reduce(Money.zero) { $0 + $1.revenue12m }),
                .amount(clvs.isEmpty ? nil : clvs.reduce(0, +)), .text(lead.segment.lifecycle.rawValue),
                .text(lead.relationship?.health?.band.rawValue ?? ""), .probability(lead.churn?.chosen), .text(config.baseCurrency),
            ])
        }
    }
}
