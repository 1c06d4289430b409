import Foundation

/// KPIs of a group of accounts (README "Segments and KPI definitions"). Money sums are exact.
struct KPIGroup {
    var accounts = 0
    var active = 0
    var revenue12m = Money.zero
    var revenuePrior12m = Money.zero
    /// Over accounts with prior revenue > 0: Σ prior, Σ min(prior, last), Σ last, and how many
    /// of them have last ≤ 0.
    var retainedBase = Money.zero
    var retainedGross = Money.zero
    var retainedNet = Money.zero
    var retainedAccounts = 0
    var lostLogos = 0
    var clvTotal = 0.0
    var clvAccounts = 0
    var revenueAtRisk = Money.zero
    var churnSum = 0.0
    var churnAccounts = 0
    var satisfactionSum = 0.0
    var satisfactionCount = 0
    var complaints = 0
    var resolutionSum = 0.0
    var resolutionCount = 0
    /// Sums over the accounts that have the figure; nil when none has.
    var grossMargin12m: Money?
    var costToServe12m: Money?
    var profit12m: Money?

    mutating func add(_ r: AccountReportRow) {
        accounts += 1
        if r.isActive { active += 1 }
        revenue12m = revenue12m + r.revenue12m
        revenuePrior12m = revenuePrior12m + r.revenuePrior12m
        if r.revenuePrior12m.units > 0 {
            retainedAccounts += 1
            retainedBase = retainedBase + r.revenuePrior12m
            retainedGross = retainedGross + min(r.revenuePrior12m, r.revenue12m)
            retainedNet = retainedNet + r.revenue12m
            if r.revenue12m.units <= 0 { lostLogos += 1 }
        }
        func plus(_ a: Money?, _ b: Money?) -> Money? { b.map { (a ?? .zero) + $0 } ?? a }
        grossMargin12m = plus(grossMargin12m, r.profit.grossMargin12m)
        costToServe12m = plus(costToServe12m, r.profit.costToServe12m)
        profit12m = plus(profit12m, r.profit.profit12m)
        if let v = r.value {
            clvTotal += v.clv
            clvAccounts += 1
        }
        if let c = r.churn {
            churnSum += c.chosen
            churnAccounts += 1
            if c.risk == .high { revenueAtRisk = revenueAtRisk + r.revenue12m }
        }
        if let f = r.relationship?.facts {
            satisfactionSum += f.satisfactionSum365
            satisfactionCount += f.surveys365
            complaints += f.complaints365
            if let mean = f.meanResolutionDays {
                resolutionSum += mean * Double(f.resolved365)
                resolutionCount += f.resolved365
            }
        }
    }

    func ratio(_ a: Money, _ b: Money) -> Double? { b.units == 0 ? nil : a.double / b.double }
    var growth: Double? { revenuePrior12m.units == 0 ? nil : (revenue12m - revenuePrior12m).double / revenuePrior12m.double }
    var grr: Double? { ratio(retainedGross, retainedBase) }
    var nrr: Double? { ratio(retainedNet, retainedBase) }
    var logoChurn: Double? { retainedAccounts == 0 ? nil : Double(lostLogos) / Double(retainedAccounts) }
    var arpa: Double? { active == 0 ? nil : revenue12m.double / Double(active) }
    var clvMean: Double? { clvAccounts == 0 ? nil : clvTotal / Double(clvAccounts) }
    var meanChurn: Double? { churnAccounts == 0 ? nil : churnSum / Double(churnAccounts) }
    var csat: Double? { satisfactionCount == 0 ? nil : satisfactionSum / Double(satisfactionCount) }
    var meanResolution: Double? { resolutionCount == 0 ? nil : resolutionSum / Double(resolutionCount) }
}

/// `kpi_summary.csv` and the `kpi_by_<dimension>.csv` tables.
enum KPITables {
    /// The KPI columns of `kpi_by_<dimension>.csv` after the dimension's own (``OutputColumns``).
    static let dimensionColumns = OutputColumns.kpiByDimension("", currency: "").dropFirst().map(\.name)

    static let dimensions: [(file: String, column: String, key: @Sendable (AccountReportRow) -> String)] = [
        ("kpi_by_tier.csv", "tier", { $0.tier.rawValue }),
        ("kpi_by_industry.csv", "industry", { $0.segment.industry }),
        ("kpi_by_region.csv", "region", { $0.segment.region }),
        ("kpi_by_size.csv", "size", { $0.segment.size }),
        ("kpi_by_manager.csv", "account_manager", { $0.segment.accountManager }),
        ("kpi_by_lifecycle.csv", "lifecycle", { $0.segment.lifecycle.rawValue }),
        ("kpi_by_health.csv", "health_band", { $0.relationship?.health?.band.rawValue ?? "not scored" }),
    ]

    static func byDimension(_ rows: [AccountReportRow], column: String, key: (AccountReportRow) -> String, config: PipelineConfig)
        -> ReportTable
    {
        var groups: [String: KPIGroup] = [:]
        var total = KPIGroup()
        for r in rows {
            groups[key(r), default: KPIGroup()].add(r)
            total.add(r)
        }
        var table = ReportTable(specs: OutputColumns.kpiByDimension(column, currency: config.baseCurrency))
        let names = groups.keys.sorted()
        let parts = names.map { values(groups[$0]!, total: total, currency: config.baseCurrency) }
        for (name, part) in zip(names, parts) { table.append([.text(name)] + part) }
        let exact = values(total, total: total, currency: config.baseCurrency)
        let footed = PrintedTotals.foot(parts, exact: exact, columns: additiveColumns.map { dimensionColumns.firstIndex(of: $0)! })
        table.append([.text("Total")] + footed.total)
        if var difference = footed.difference {
            difference[difference.count - 1] = .text(config.baseCurrency)
            table.append([.text("Total (exact)")] + footed.exact)
            table.append([.text("Rounding difference")] + difference)
        }
        return table
    }

    /// The columns whose Total is the sum of the groups' (money and counts); the others are
    /// ratios and means of the whole, not sums.
    static let additiveColumns = [
        "accounts", "active_accounts", "revenue_12m", "revenue_prior_12m", "clv_total", "revenue_at_risk", "gross_margin_12m",
        "cost_to_serve_12m", "profit_12m", "complaints_12m",
    ]

    static func values(_ g: KPIGroup, total: KPIGroup, currency: String) -> [ReportCell] {
        [
            .count(g.accounts), .count(g.active), .money(g.revenue12m), .money(g.revenuePrior12m),
            .ratio(g.ratio(g.revenue12m, total.revenue12m)), .ratio(g.growth), .ratio(g.grr), .ratio(g.nrr), .ratio(g.logoChurn),
            .amount(g.arpa), .amount(g.clvTotal), .amount(g.clvMean), .money(g.revenueAtRisk), .money(g.grossMargin12m),
            .money(g.costToServe12m), .money(g.profit12m), .probability(g.meanChurn),
            .measure(g.csat, 2), .count(g.complaints), .measure(g.meanResolution, 2), .text(currency),
        ]
    }

    /// Concentration over accounts with positive last-12-month revenue.
    struct Concentration {
        var top10Share: Double?
        var top20PercentShare: Double?
        var hhi: Double?
        var effectiveAccounts: Double?

        init(_ rows: [AccountReportRow]) {
            let revenues = rows.map { $0.revenue12m.double }.filter { $0 > 0 }.sorted(by: >)
            let total = revenues.reduce(0, +)
            guard total > 0 else { return }
            top10Share = revenues.prefix(10).reduce(0, +) / total
            top20PercentShare = revenues.prefix(Int((Double(revenues.count) * 0.2).rounded(.up))).reduce(0, +) / total
            let h = revenues.reduce(0) { $0 + pow($1 / total * 100, 2) }
            hhi = h
            effectiveAccounts = 10_000 / h
        }
    }

    /// With `baseline` (the previous quarter-end run), each KPI also gets its value then and the
    /// change since.
    static func summary(
        _ rows: [AccountReportRow], config: PipelineConfig, tierCounts: [ValueTier: Int], baseline: TrendBaseline.Run? = nil,
        keyAccounts: KeyAccountResult? = nil
    ) -> ReportTable {
        var g = KPIGroup()
        for r in rows { g.add(r) }
        let c = Concentration(rows)
        let cur = config.baseCurrency
        let window = "(as_of − 365 days, as_of]"
        var bands: [HealthScore.Band: Int] = [:]
        for r in rows { if let b = r.relationship?.health?.band { bands[b, default: 0] += 1 } }
        var table = ReportTable(specs: OutputColumns.kpiSummary)
        let then = Dictionary((baseline?.kpis ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let rowsOut: [(String, ReportCell, String, String)] = [
            ("as_of", .date(config.asOf), "date", "the day the run describes"),
            ("accounts", .count(g.accounts), "accounts", "accounts in the accounts input or with transactions"),
            ("active_accounts", .count(g.active), "accounts", "accounts with a purchase day in \(window)"),
            ("revenue_12m", .money(g.revenue12m), cur, "accepted net revenue (paid − refunds, base currency) dated in \(window)"),
            ("revenue_prior_12m", .money(g.revenuePrior12m), cur, "accepted net revenue dated in (as_of − 730, as_of − 365]"),
            ("growth", .ratio(g.growth), "ratio", "(revenue_12m − revenue_prior_12m) / revenue_prior_12m"),
            ("grr", .ratio(g.grr), "ratio", "over accounts with prior revenue > 0: Σ min(prior, last) / Σ prior; never above 1"),
            ("nrr", .ratio(g.nrr), "ratio", "over accounts with prior revenue > 0: Σ last / Σ prior"),
            ("logo_churn", .ratio(g.logoChurn), "ratio", "share of accounts with prior revenue > 0 whose last-12-month revenue is ≤ 0"),
            ("arpa", .amount(g.arpa), cur, "revenue_12m / active_accounts"),
            ("top10_share", .ratio(c.top10Share), "ratio", "share of revenue_12m from the 10 largest accounts"),
            (
                "top20pct_share", .ratio(c.top20PercentShare), "ratio",
                "share of revenue_12m from the largest 20 % of accounts with revenue (rounded up)"
            ),
            ("hhi", .measure(c.hhi, 2), "index", "Herfindahl–Hirschman index on revenue_12m shares in percent (0–10 000)"),
            (
                "effective_accounts", .measure(c.effectiveAccounts, 2), "accounts",
                "10 000 / HHI: the number of equal accounts with the same concentration"
            ),
            ("clv_total", .amount(g.clvTotal), cur, "sum of discounted CLV over clv.horizon_months"),
            ("clv_mean", .amount(g.clvMean), cur, "mean CLV over accounts with a purchase"),
            ("revenue_at_risk", .money(g.revenueAtRisk), cur, "revenue_12m of accounts whose churn_risk is high"),
            (
                "gross_margin_12m", .money(g.grossMargin12m), cur,
                g.grossMargin12m == nil ? "not computed: no cost, margin or clv.margin data" : "Σ gross_margin_12m over accounts that have one"
            ),
            (
                "cost_to_serve_12m", .money(g.costToServe12m), cur,
                g.costToServe12m == nil
                    ? "not computed: neither cost_to_serve rates with an interactions input nor a costs input"
                    : "Σ cost_to_serve_12m (interactions × cost_to_serve.per_interaction + the costs input's service costs)"
            ),
            ("profit_12m", .money(g.profit12m), cur, g.profit12m == nil ? "not computed: needs both of the above" : "Σ profit_12m over accounts that have one"),
            ("mean_churn_probability", .probability(g.meanChurn), "probability", "mean churn_probability over accounts with a purchase"),
            ("csat", .measure(g.csat, 2), "score 0-100", "mean satisfaction of surveys dated in \(window), scaled to 0–100"),
            ("complaints_12m", .count(g.complaints), "complaints", "complaint interactions dated in \(window)"),
            ("mean_resolution_days", .measure(g.meanResolution, 2), "days", "mean days to resolve the complaints resolved in \(window)"),
            (
                "complaints_open", .count(rows.reduce(0) { $0 + ($1.relationship?.facts?.openComplaints ?? 0) }), "complaints",
                "complaints dated on or before as_of and not resolved by then"
            ),
            (
                "key_account_contact_coverage", .ratio(coverage(rows.filter { keyAccounts?.decision(forAccount: $0.accountId)?.status?.isKey == true })),
                "ratio", "share of key accounts (key_accounts.csv) with at least the meetings or visits their tier's plan asks for in (as_of − 90, as_of]"
            ),
            ("health_red_accounts", .count(bands[.red] ?? 0), "accounts", "accounts whose health_band is red"),
            ("health_yellow_accounts", .count(bands[.yellow] ?? 0), "accounts", "accounts whose health_band is yellow"),
            ("health_green_accounts", .count(bands[.green] ?? 0), "accounts", "accounts whose health_band is green"),
            ("tier_a_accounts", .count(tierCounts[.A] ?? 0), "accounts", "accounts in value tier A"),
            ("tier_b_accounts", .count(tierCounts[.B] ?? 0), "accounts", "accounts in value tier B"),
            ("tier_c_accounts", .count(tierCounts[.C] ?? 0), "accounts", "accounts in value tier C"),
        ]
        for r in rowsOut {
            // The quarter end's value printed as this run prints the KPI: money, counts and
            // measures keep their form.
            let before = then[r.0].flatMap { $0 }
            let change = r.1.number.flatMap { now in before.map { now - $0 } }
            table.append([
                .text(r.0), r.1, .text(r.2), .text(r.3), r.1.like(before), r.1.like(change), baseline.map { .date($0.asOf) } ?? .empty,
            ])
        }
        return table
    }

    /// Share of `rows` with a contact plan whose meetings and visits of the last 90 days meet it
    /// (nil when none has a plan or there is no interactions input).
    static func coverage(_ rows: [AccountReportRow]) -> Double? {
        let planned = rows.filter { $0.relationship?.facts?.coverage != nil }
        guard !planned.isEmpty else { return nil }
        return Double(planned.filter { $0.relationship!.facts!.coverage! >= 1 }.count) / Double(planned.count)
    }
}
