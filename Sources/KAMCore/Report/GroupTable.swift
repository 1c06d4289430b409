/// `group_accounts.csv`: every group of two or more accounts (README "Groups"), with its
/// members' totals and worst signals; money sums are exact.
enum GroupTable {
    static func table(_ rows: [AccountReportRow], groups: AccountGroups, keyAccounts: KeyAccountResult, config: PipelineConfig) -> ReportTable {
        var members: [String: [AccountReportRow]] = [:]
        for r in rows { members[groups.group(of: r.accountId), default: []].append(r) }
        let names = Dictionary(rows.map { ($0.accountId, $0.segment.name) }, uniquingKeysWith: { a, _ in a })
        var table = ReportTable(specs: OutputColumns.groups(config.baseCurrency))
        let bands: [HealthScore.Band] = [.red, .yellow, .green]
        for id in members.keys.sorted() where members[id]!.count >= 2 {
            let m = members[id]!
            let health = m.compactMap { $0.relationship?.health }
            table.append([
                .text(id), .text(names[id] ?? ""), .count(m.count), .count(m.filter(\.isActive).count),
                .count(m.filter { keyAccounts.decision(forAccount: $0.accountId)?.status?.isKey == true }.count),
                .money(m.reduce(Money.zero) { $0 + $1.revenue12m }), .money(m.reduce(Money.zero) { $0 + $1.revenuePrior12m }),
                .amount(m.reduce(0.0) { $0 + ($1.value?.clv ?? 0) }), .probability(m.compactMap { $0.churn?.chosen }.max()),
                .text(bands.first { band in health.contains { $0.band == band } }?.rawValue ?? ""), .count(health.map(\.score).min()),
                .text(config.baseCurrency),
            ])
        }
        return table
    }
}
