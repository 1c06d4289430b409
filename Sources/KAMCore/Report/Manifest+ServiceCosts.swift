extension Manifest {
    /// Where the `costs` input's accepted amounts of the last 365 days went: into the report's
    /// `service_costs_12m`, or to accounts without a transaction (not in the report), so that
    /// `in_report_12m + not_in_report.base_12m = accepted_base_12m` exactly.
    static func serviceCosts(_ clean: CleanData, config: PipelineConfig) -> JSONValue {
        let yearAgo = config.asOf - 365
        var inReport = Money.zero, outside = Money.zero, total = Money.zero, all = Money.zero
        var outsideIds: [String] = []
        var byCategory: [String: Money] = [:]
        for (id, costs) in clean.serviceCosts {
            for e in costs.entries {
                all = all + e.amount
                guard e.day > yearAgo && e.day <= config.asOf else { continue }
                total = total + e.amount
                byCategory[e.category ?? "(no category)", default: .zero] += e.amount
            }
            let window = costs.total(after: yearAgo, through: config.asOf)
            if clean.historiesById[id] != nil {
                inReport = inReport + window
            } else {
                outside = outside + window
                outsideIds.append(id)
            }
        }
        outsideIds.sort()
        let shown = outsideIds.prefix(1000)
        return .object([
            ("window", .string("(\(yearAgo.iso), \(config.asOf.iso)]")),
            ("accepted_base", .exactMoney(all)),
            ("accepted_base_12m", .exactMoney(total)),
            ("by_category_12m", .object(byCategory.keys.sorted().map { ($0, .exactMoney(byCategory[$0]!)) })),
            ("accounts_with_costs", .int(clean.serviceCosts.count)),
            ("in_report_12m", .exactMoney(inReport)),
            (
                "not_in_report",
                .object([
                    ("accounts", .int(outsideIds.count)), ("base_12m", .exactMoney(outside)),
                    ("ids", .array(shown.map(JSONValue.string))), ("truncated", .bool(shown.count < outsideIds.count)),
                    ("note", .string("accounts with service costs but no transaction: not in the report, so in no KPI total")),
                ])
            ),
            ("reconciles", .bool(inReport + outside == total)),
        ])
    }
}
