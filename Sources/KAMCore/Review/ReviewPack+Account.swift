extension ReviewPack {
    /// Four charts share an A4 page two by two: drawn small, so their text stays legible.
    static let accountChartArea = PlotArea(width: 440, height: 230, left: 58, right: 10, top: 28, bottom: 44)

    static let indexLabels: [(RelationshipIndex, ReviewLabel)] = [
        (.acceptance, .indexAcceptance), (.participation, .indexParticipation), (.information, .indexInformation),
        (.guidance, .indexGuidance), (.projectSupport, .indexProjectSupport), (.competitiveLeaning, .indexCompetitiveLeaning),
    ]

    /// One key account's page: eight quarters of revenue, CLV with its interval, churn with its
    /// drivers, the six relationship indices, satisfaction and complaints by quarter, the
    /// recommended action and the account manager.
    /// - Parameter index: the page's position in the pack (its element ids; account IDs may hold
    ///   any character).
    static func accountPage(_ r: AccountReportRow, index: Int, data: ReviewData, _ l: ReviewLanguage) -> ReviewPage.AccountPage {
        let currency = data.config.baseCurrency
        let quarters = ReviewQuarter.eight(endingAt: data.config.asOf)
        let categories = quarters.map(l.quarter)
        let id = "k\(index + 1)"
        let history = data.clean.historiesById[r.accountId]
        let revenue = quarters.map { q in history?.net(after: q.before, through: q.end).double ?? 0 }
        let revenueChart = BarChart(
            text: ChartText(
                title: l.label(.quarterlyRevenue),
                description: zip(categories, revenue).map { "\($0): \(l.money($1, currency: currency))" }.joined(separator: "; "),
                xAxis: l.label(.quarterAxis), yAxis: "\(l.label(.netRevenueAxis)) (\(currency))"),
            categories: categories, values: revenue, format: l.compact, area: Self.accountChartArea)

        var facts: [ReviewPage.Fact] = [
            .init(label: l.label(.manager), value: r.segment.accountManager.isEmpty ? "–" : r.segment.accountManager),
            .init(label: l.label(.tier), value: r.tier.rawValue),
            .init(label: l.label(.revenue12m), value: l.money(r.revenue12m.double, currency: currency)),
        ]
        if let h = r.relationship?.health { facts.append(.init(label: l.label(.healthBand), value: "\(band(r, l)) (\(h.score))")) }

        var clv = "–"
        if let v = r.value {
            clv = l.money(v.clv, currency: currency)
            if let i = v.interval {
                clv += l == .english
                    ? " (80 % interval \(l.number(i.clvLow, decimals: 2)) – \(l.number(i.clvHigh, decimals: 2)); confidence \(v.confidence.rawValue))"
                    : "（80%区间 \(l.number(i.clvLow, decimals: 2)) – \(l.number(i.clvHigh, decimals: 2))；可信度 \(confidence(v.confidence))）"
            }
        }
        let churn = r.churn.map { c in "\(l.percent(c.chosen)) (\(risk(c.risk, l)))" } ?? "–"
        let drivers = r.churn.map { l == .english ? $0.drivers : $0.driversChinese } ?? ""

        var indicesChart: String?, satisfactionChart: String?, complaintsChart: String?
        if data.clean.hasInteractionsInput, let rel = r.relationship {
            let names = indexLabels.map { l.label($0.1) }
            let values = indexLabels.map { rel.indices[$0.0] ?? 0 }
            indicesChart = BarChart(
                text: ChartText(
                    title: l.label(.indices),
                    description: zip(names, indexLabels).map { n, i in "\(n): \(rel.indices[i.0].map { l.number($0) } ?? "–")" }
                        .joined(separator: "; "),
                    xAxis: "", yAxis: l.label(.indexAxis)),
                categories: names, values: values, classes: indexLabels.map { $0.0 == .competitiveLeaning ? "bar warn" : "bar" },
                format: { l.number($0) }, area: Self.accountChartArea
            ).svg(id: "indices-\(id)-\(l.rawValue)")
            let contacts = data.clean.contacts[r.accountId]
            let satisfaction: [Double?] = quarters.map { q in
                guard let s = contacts?.surveys(after: q.before, through: q.end), s.count > 0 else { return nil }
                return s.sum / Double(s.count)
            }
            let complaints = quarters.map { q in Double(contacts?.count(.complaint, after: q.before, through: q.end) ?? 0) }
            satisfactionChart = LineChart(
                text: ChartText(
                    title: l.label(.satisfactionTitle),
                    description: zip(categories, satisfaction).map { "\($0): \($1.map { l.number($0) } ?? "–")" }.joined(separator: "; "),
                    xAxis: l.label(.quarterAxis), yAxis: l.label(.satisfactionAxis)),
                categories: categories, series: [.init(name: l.label(.csat), values: satisfaction, cssClass: "csat")],
                format: { l.number($0) }, domain: 0...100, area: Self.accountChartArea
            ).svg(id: "satisfaction-\(id)-\(l.rawValue)")
            complaintsChart = BarChart(
                text: ChartText(
                    title: l.label(.complaintsTitle),
                    description: zip(categories, complaints).map { "\($0): \(l.number($1))" }.joined(separator: "; "),
                    xAxis: l.label(.quarterAxis), yAxis: l.label(.complaintsAxis)),
                categories: categories, values: complaints, classes: categories.map { _ in "bar warn" }, format: { l.number($0) }, counts: true,
                area: Self.accountChartArea
            ).svg(id: "complaints-\(id)-\(l.rawValue)")
        }
        return ReviewPage.AccountPage(
            anchor: "account-\(id)", name: name(r), accountId: r.accountId, facts: facts,
            revenueChart: revenueChart.svg(id: "revenue-\(id)-\(l.rawValue)"), clv: clv, churn: churn, drivers: drivers,
            indicesChart: indicesChart, satisfactionChart: satisfactionChart, complaintsChart: complaintsChart, action: r.action.isEmpty ? "–" : r.action)
    }

    static func risk(_ band: ChurnRiskBand, _ l: ReviewLanguage) -> String {
        if l == .english { return "\(band.rawValue) risk" }
        switch band {
        case .low: return "低风险"
        case .medium: return "中风险"
        case .high: return "高风险"
        }
    }

    static func confidence(_ c: ValueConfidence) -> String {
        switch c {
        case .low: return "低"
        case .medium: return "中"
        case .high: return "高"
        }
    }
}
