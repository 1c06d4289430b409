import Foundation
import Mustache

/// The quarterly key-account review pack: `review/index.html` and `review/index.zh-CN.html`,
/// self-contained (inline CSS and SVG, no script, no font or image from the network).
enum ReviewPack {
    /// The KPIs of the headline tiles, in order, with their names in both languages and
    /// whether a rise is good news (the change's colour).
    static let headline: [(kpi: String, english: String, chinese: String, higherIsBetter: Bool)] = [
        ("revenue_12m", "Revenue, last 12 months", "近12个月收入", true),
        ("growth", "Growth on the prior 12 months", "同比增长", true),
        ("nrr", "Net revenue retention", "净收入留存率", true),
        ("active_accounts", "Active accounts", "活跃客户数", true),
        ("clv_total", "CLV, all accounts", "客户终身价值合计", true),
        ("revenue_at_risk", "Revenue at risk", "风险收入", false),
        ("profit_12m", "Profit, last 12 months", "近12个月利润", true),
        ("csat", "Satisfaction (0–100)", "满意度（0–100）", true),
    ]

    /// Both pages, by file name.
    static func render(_ data: ReviewData) throws -> [(file: String, html: String)] {
        let library = MustacheLibrary(templates: [
            "page": try MustacheTemplate(string: ReviewTemplate.page), "table": try MustacheTemplate(string: ReviewTemplate.table),
        ])
        return ReviewLanguage.allCases.map { language in
            (language.fileName, library.render(page(data, language: language), withTemplate: "page") ?? "")
        }
    }

    static func page(_ data: ReviewData, language l: ReviewLanguage) -> ReviewPage {
        let config = data.config, currency = config.baseCurrency
        var labels: [String: String] = [:]
        for key in ReviewLabel.allCases { labels["\(key)"] = l.label(key) }
        let other: ReviewLanguage = l == .english ? .chinese : .english
        let rows = data.rows
        // The listed accounts' rows only (a row is large; the list is short).
        let listedIds = Set(data.listed.map(\.accountId))
        let byId = Dictionary(uniqueKeysWithValues: rows.indices.filter { listedIds.contains(rows[$0].accountId) }.map { (rows[$0].accountId, rows[$0]) })

        // Concentration.
        let revenues = rows.indices.map { rows[$0].revenue12m.double }
        let pareto = ParetoChart(
            text: ChartText(
                title: l.label(.paretoTitle), description: "", xAxis: l.label(.accountsShareAxis), yAxis: l.label(.revenueShareAxis)),
            revenues: revenues, markerLabel: { "\(l.label(.eightyMarker)) \(l.percent($0))" }, percent: { l.percent($0, decimals: 0) })
        var paretoText = pareto.text
        let eighty = pareto.eightyPoint
        paretoText.description = eighty.map {
            l == .english
                ? "80 % of the last 12 months' revenue comes from the largest \(l.percent($0)) of the \(pareto.curve.count) accounts with revenue."
                : "近12个月收入的80%来自收入最高的\(l.percent($0))客户（共\(pareto.curve.count)个有收入客户）。"
        } ?? l.label(.concentrationText)
        var paretoChart = pareto
        paretoChart.text = paretoText
        var concentration: [ReviewPage.Fact] = []
        if let hhi = data.kpi("hhi")?.value.number { concentration.append(.init(label: l.label(.hhi), value: l.number(hhi, decimals: 0))) }
        if let eff = data.kpi("effective_accounts")?.value.number {
            concentration.append(.init(label: l.label(.effectiveAccounts), value: l.number(eff, decimals: 1)))
        }

        return ReviewPage(
            lang: l.rawValue, otherLang: other.rawValue, otherFile: other.fileName, otherName: other == .english ? "English" : "中文",
            pipeline: config.name, asOf: l.date(config.asOf), toolVersion: KAMVersion.current, labels: labels,
            tiles: tiles(data, l), quarterEndAsOf: data.quarterEndAsOf.map(l.date),
            paretoChart: paretoChart.svg(id: "pareto-\(l.rawValue)"), concentrationFacts: concentration,
            tierCharts: tierCharts(rows, l, currency: currency), migrationChart: migrationChart(data, l),
            scatterChart: scatter(rows, keys: keyNumbers(data), config: config, l),
            healthChart: healthChart(rows, l),
            atRisk: atRisk(rows, config: config, l), keyAccounts: keyAccountTable(data, byId: byId, l),
            accountPages: data.listed.filter { $0.status?.isKey == true }.compactMap { byId[$0.accountId] }.enumerated().map {
                accountPage($0.element, index: $0.offset, data: data, l)
            },
            hasInteractions: data.clean.hasInteractionsInput)
    }

    // MARK: Headline

    static func tiles(_ data: ReviewData, _ l: ReviewLanguage) -> [ReviewPage.Tile] {
        headline.compactMap { h in
            guard let k = data.kpi(h.kpi), k.value != .empty else { return nil }
            let change = k.change.number
            return ReviewPage.Tile(
                name: l == .english ? h.english : h.chinese, value: show(k.value, unit: k.unit, l),
                quarterEnd: k.quarterEnd == .empty ? "–" : show(k.quarterEnd, unit: k.unit, l),
                // The sign before the currency: "+CNY 3.1M", "-CNY 12M".
                change: change.map { ($0 > 0 ? "+" : ($0 < 0 ? "-" : "")) + show(k.change.like(abs($0)), unit: k.unit, l) } ?? "–",
                trend: change.map { $0 == 0 ? "" : (($0 > 0) == h.higherIsBetter ? "better" : "worse") } ?? "")
        }
    }

    /// A KPI cell the language's way: money compact with its currency, ratios as percentages.
    static func show(_ cell: ReportCell, unit: String, _ l: ReviewLanguage) -> String {
        switch cell {
        case .money(let m): return l == .english ? "\(unit) \(l.compact(m.double))" : "\(l.compact(m.double)) \(unit)"
        case .amount(let x): return l == .english ? "\(unit) \(l.compact(x))" : "\(l.compact(x)) \(unit)"
        case .ratio(let x), .probability(let x): return l.percent(x)
        case .count(let n): return l.number(Double(n))
        case .measure(let x, let decimals): return l.number(x, decimals: min(decimals, 1))
        case .date(let d): return l.date(d)
        case .text(let s): return s
        case .empty: return "–"
        }
    }

    // MARK: Tiers and migration

    static func tierCharts(_ rows: [AccountReportRow], _ l: ReviewLanguage, currency: String) -> [String] {
        let tiers = ValueTier.allCases
        // One pass, without copying rows (a row is large).
        var counts = tiers.map { _ in 0.0 }, revenue = tiers.map { _ in 0.0 }
        for i in rows.indices {
            let t = tiers.firstIndex(of: rows[i].tier)!
            counts[t] += 1
            revenue[t] += rows[i].revenue12m.double
        }
        let names = tiers.map(\.rawValue)
        let accounts = BarChart(
            text: ChartText(
                title: l.label(.accountsAxis), description: zip(names, counts).map { "\($0): \(l.number($1))" }.joined(separator: "; "),
                xAxis: l.label(.tierAxis), yAxis: l.label(.accountsAxis)),
            categories: names, values: counts, classes: names.map { "tier-\($0)" }, format: { l.number($0) }, counts: true,
            area: PlotArea(width: 460, height: 280, left: 70))
        let money = BarChart(
            text: ChartText(
                title: l.label(.revenueAxis),
                description: zip(names, revenue).map { "\($0): \(l.money($1, currency: currency))" }.joined(separator: "; "),
                xAxis: l.label(.tierAxis), yAxis: "\(l.label(.revenueAxis)) (\(currency))"),
            categories: names, values: revenue, classes: names.map { "tier-\($0)" }, format: l.compact,
            area: PlotArea(width: 460, height: 280, left: 70))
        return [accounts.svg(id: "tier-accounts-\(l.rawValue)"), money.svg(id: "tier-revenue-\(l.rawValue)")]
    }

    static func migrationChart(_ data: ReviewData, _ l: ReviewLanguage) -> String? {
        guard let m = data.migrationCounts else { return nil }
        let cells = zip(m.from, m.counts).flatMap { f, row in zip(m.to, row).filter { $1 > 0 }.map { "\(f) → \($0): \($1)" } }
        return Heatmap(
            text: ChartText(
                title: l.label(.migrationTitle), description: cells.joined(separator: "; "), xAxis: l.label(.migrationTo),
                yAxis: l.label(.migrationFrom)),
            rowLabels: m.from, columnLabels: m.to, values: m.counts
        ).svg(id: "migration-\(l.rawValue)")
    }

    // MARK: Value against risk

    static func scatter(_ rows: [AccountReportRow], keys: [String: Int], config: PipelineConfig, _ l: ReviewLanguage) -> String {
        // (CLV, churn probability, risk, row index) of the accounts with both.
        let scored = rows.indices.compactMap { i -> (clv: Double, churn: Double, risk: ChurnRiskBand, index: Int)? in
            guard let v = rows[i].value, let c = rows[i].churn else { return nil }
            return (v.clv, c.chosen, c.risk, i)
        }
        let clvs = scored.map(\.clv).sorted()
        // The top-20 % threshold of CLV: the 80th percentile.
        let split = clvs.isEmpty ? 1 : clvs[min(clvs.count - 1, Int((Double(clvs.count) * 0.8).rounded(.down)))]
        let floor = max(1, (clvs.first { $0 > 0 } ?? 1))
        let points = scored.map { p in
            // Key accounts carry their number in the key-account table (names would overlap).
            let number = keys[rows[p.index].accountId]
            return ScatterChart.Point(
                x: p.churn, y: max(p.clv, floor), label: number.map(String.init), cssClass: number == nil ? "risk-\(p.risk.rawValue)" : "key",
                tooltip: number.map { "\($0) \(name(rows[p.index])): CLV \(l.compact(p.clv))" } ?? "")
        }
        let counts = quadrantCounts(scored.map { ($0.clv, $0.churn) }, clvSplit: split, churnSplit: config.churn.mediumFrom)
        let names = [l.label(.protect), l.label(.rescue), l.label(.grow), l.label(.maintain)]
        let description = zip(names, counts).map { "\($0): \(l.number(Double($1)))" }.joined(separator: "; ") + ". " + l.label(.quadrantRule)
        return ScatterChart(
            text: ChartText(title: l.label(.scatterTitle), description: description, xAxis: l.label(.churnAxis), yAxis: l.label(.clvAxis)),
            points: points, xFormat: { l.percent($0, decimals: 0) }, yFormat: l.compact, logY: true, xDomain: 0...1,
            quadrants: .init(xSplit: config.churn.mediumFrom, ySplit: max(split, floor), names: names)
        ).svg(id: "scatter-\(l.rawValue)")
    }

    /// Accounts per quadrant: protect (high CLV, low churn), rescue (high CLV, high churn), grow
    /// (low CLV, low churn), maintain (low CLV, high churn).
    static func quadrantCounts(_ accounts: [(clv: Double, churn: Double)], clvSplit: Double, churnSplit: Double) -> [Int] {
        var counts = [0, 0, 0, 0]
        for a in accounts {
            let high = a.clv >= clvSplit, risky = a.churn >= churnSplit
            counts[(high ? 0 : 2) + (risky ? 1 : 0)] += 1
        }
        return counts
    }

    // MARK: Health and risk

    static func healthChart(_ rows: [AccountReportRow], _ l: ReviewLanguage) -> String? {
        let bands = HealthScore.Band.allCases
        var counts = bands.map { _ in 0.0 }
        for i in rows.indices { if let b = rows[i].relationship?.health?.band { counts[bands.firstIndex(of: b)!] += 1 } }
        guard counts.reduce(0, +) > 0 else { return nil }
        let names = bands.map { bandName($0, l) }
        return BarChart(
            text: ChartText(
                title: l.label(.healthTitle), description: zip(names, counts).map { "\($0): \(l.number($1))" }.joined(separator: "; "),
                xAxis: l.label(.bandAxis), yAxis: l.label(.accountsAxis)),
            categories: names, values: counts, classes: bands.map { "band-\($0.rawValue)" }, format: { l.number($0) }, counts: true,
            area: PlotArea(width: 460, height: 280, left: 70)
        ).svg(id: "health-\(l.rawValue)")
    }

    static func atRisk(_ rows: [AccountReportRow], config: PipelineConfig, _ l: ReviewLanguage) -> ReviewPage.Table {
        let risky = rows.indices.filter { rows[$0].churn?.risk == .high || rows[$0].relationship?.health?.band == .red }
            .sorted { (rows[$0].revenue12m, rows[$1].accountId) > (rows[$1].revenue12m, rows[$0].accountId) }.prefix(20).map { rows[$0] }
        let headers = [
            (ReviewLabel.account, false), (.manager, false), (.tier, false), (.revenue12m, true), (.churn, true), (.healthBand, false),
            (.drivers, false),
        ]
        return ReviewPage.Table(
            headers: headers.map { ReviewPage.Cell(text: l.label($0.0), numeric: $0.1) }, widths: [17, 10, 5, 15, 9, 7, 37],
            rows: risky.map { r in
                ReviewPage.Row(cells: [
                    .init(text: name(r), numeric: false), .init(text: r.segment.accountManager, numeric: false),
                    .init(text: r.tier.rawValue, numeric: false),
                    .init(text: l.money(r.revenue12m.double, currency: config.baseCurrency), numeric: true),
                    .init(text: r.churn.map { l.percent($0.chosen) } ?? "–", numeric: true),
                    .init(text: band(r, l), numeric: false),
                    .init(text: r.churn.map { l == .english ? $0.drivers : $0.driversChinese } ?? "", numeric: false),
                ])
            }, emptyText: l.label(.noneAtRisk))
    }

    static func name(_ r: AccountReportRow) -> String { r.segment.name.isEmpty ? r.accountId : r.segment.name }

    static func band(_ r: AccountReportRow, _ l: ReviewLanguage) -> String {
        r.relationship?.health.map { bandName($0.band, l) } ?? l.label(.notScored)
    }

    static func bandName(_ b: HealthScore.Band, _ l: ReviewLanguage) -> String {
        if l == .english { return b.rawValue }
        switch b {
        case .red: return "红"
        case .yellow: return "黄"
        case .green: return "绿"
        }
    }

    // MARK: Key accounts

    static func status(_ s: KeyAccountStatus?, _ l: ReviewLanguage) -> String {
        switch s {
        case .new: return l.label(.statusNew)
        case .kept: return l.label(.statusKept)
        case .demoted: return l.label(.statusDemoted)
        default: return ""
        }
    }

    static func keyAccountTable(_ data: ReviewData, byId: [String: AccountReportRow], _ l: ReviewLanguage) -> ReviewPage.Table {
        let headers = [
            (ReviewLabel.number, true), (.account, false), (.status, false), (.manager, false), (.revenue12m, true), (.clv, true), (.churn, true),
            (.healthBand, false), (.reason, false),
        ]
        // Key accounts are numbered as on the scatter chart; demoted ones are not on it.
        let numbers = keyNumbers(data)
        return ReviewPage.Table(
            headers: headers.map { ReviewPage.Cell(text: l.label($0.0), numeric: $0.1) }, widths: [4, 17, 7, 9, 14, 13, 8, 7, 21],
            rows: data.listed.map { d in
                let r = byId[d.accountId]
                return ReviewPage.Row(cells: [
                    .init(text: numbers[d.accountId].map(String.init) ?? "", numeric: true),
                    .init(text: r.map(name) ?? d.accountId, numeric: false), .init(text: status(d.status, l), numeric: false),
                    .init(text: r?.segment.accountManager ?? "", numeric: false),
                    .init(text: r.map { l.money($0.revenue12m.double, currency: data.config.baseCurrency) } ?? "–", numeric: true),
                    .init(text: r?.value.map { l.money($0.clv, currency: data.config.baseCurrency) } ?? "–", numeric: true),
                    .init(text: r?.churn.map { l.percent($0.chosen) } ?? "–", numeric: true),
                    .init(text: r.map { band($0, l) } ?? "", numeric: false), .init(text: d.reason, numeric: false),
                ])
            }, emptyText: l.label(.noKeyAccounts))
    }

    /// The key accounts (new or kept) numbered 1, 2, … in the list's order.
    static func keyNumbers(_ data: ReviewData) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: data.listed.filter { $0.status?.isKey == true }.enumerated().map { ($0.element.accountId, $0.offset + 1) })
    }
}
