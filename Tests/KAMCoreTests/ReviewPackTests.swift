import Foundation
import Testing

@testable import KAMCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Parses markup as XML: nil when it is well formed, else the parser's error.
func xmlError(_ markup: String) -> String? {
    let parser = XMLParser(data: Data(markup.utf8))
    return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "not well formed")"
}

func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

/// The review pack's charts, languages and pages (issue 23).
@Suite struct ReviewChartTests {
    static let text = ChartText(title: "Revenue <&> \"quoted\"", description: "a & b", xAxis: "Quarter", yAxis: "CNY")

    @Test func everyChartIsWellFormedSVGWithATitleAndATextAlternative() {
        let charts = [
            BarChart(text: Self.text, categories: ["A", "B<", "C"], values: [3, -1, 7], format: { "\($0)" }).svg(id: "b"),
            LineChart(
                text: Self.text, categories: ["Q1", "Q2", "Q3"],
                series: [.init(name: "x", values: [1, nil, 3], cssClass: "csat"), .init(name: "y&", values: [2, 2, 2], cssClass: "c")],
                format: { "\($0)" }
            ).svg(id: "l"),
            ScatterChart(
                text: Self.text,
                points: [.init(x: 0.2, y: 10, label: "<1>", cssClass: "key", tooltip: "t&"), .init(x: 0.9, y: 1e6, label: nil, cssClass: "k", tooltip: "")],
                xFormat: { "\($0)" }, yFormat: { "\($0)" }, logY: true, xDomain: 0...1, quadrants: .init(xSplit: 0.3, ySplit: 100, names: ["a", "b", "c", "d"])
            ).svg(id: "s"),
            Heatmap(text: Self.text, rowLabels: ["A", "B"], columnLabels: ["A", "B", "gone"], values: [[1, 0, 2], [0, 5, 0]]).svg(id: "h"),
            ParetoChart(text: Self.text, revenues: [50, 30, 10, 10, 0, -5], markerLabel: { "80 % from \($0)" }).svg(id: "p"),
        ]
        for svg in charts {
            #expect(xmlError(svg) == nil, "\(svg.prefix(200))")
            #expect(svg.contains("<title id=") && svg.contains("<desc id=") && svg.contains("role=\"img\""))
            #expect(svg.contains("Revenue &lt;&amp;&gt; &quot;quoted&quot;") && !svg.contains("<&>"))
        }
        #expect(occurrences("<rect", in: charts[0]) == 3)
        #expect(occurrences("<circle", in: charts[2]) == 2)
        #expect(occurrences("<rect", in: charts[3]) == 6)
        // A gap in a series breaks its line: two one-point runs draw no path, the full series one.
        #expect(occurrences("<path", in: charts[1]) == 1)
    }

    @Test func theParetoPointIsWhereEightyPercentOfRevenueIsReached() {
        let chart = ParetoChart(text: Self.text, revenues: [50, 30, 10, 10, 0, -5], markerLabel: { "\($0)" })
        #expect(chart.curve == [0.5, 0.8, 0.9, 1.0])
        #expect(chart.eightyPoint == 0.5)  // 2 of the 4 accounts with revenue
        #expect(ParetoChart(text: Self.text, revenues: [], markerLabel: { "\($0)" }).eightyPoint == nil)
    }

    @Test func scalesHaveRoundTicksAndCountsWholeOnes() {
        let s = ChartScale.linear([0, 1_234], from: 300, to: 0)
        #expect(s.ticks == [0, 500, 1000, 1500])
        #expect(s(0) == 300 && s(1500) == 0)
        #expect(ChartScale.linear([0, 0, 0], from: 1, to: 0, minimumStep: 1).ticks == [0, 1])
        #expect(ChartScale.linear([0, 2], from: 1, to: 0, minimumStep: 1).ticks == [0, 1, 2])
        let log = ChartScale.log([3, 45_000], from: 0, to: 100)
        #expect(log.ticks == [1, 10, 100, 1000, 10_000, 100_000])
    }

    @Test func quartersAreCalendarQuartersUpToAsOf() {
        let q = ReviewQuarter.eight(endingAt: Day(iso: "2024-11-15")!)
        #expect(q.count == 8)
        #expect(q.first!.year == 2023 && q.first!.number == 1 && q.first!.before == Day(iso: "2022-12-31")!)
        #expect(q.last!.number == 4 && q.last!.end == Day(iso: "2024-11-15")!)
        #expect(zip(q, q.dropFirst()).allSatisfy { $0.end == $1.before })
        #expect(ReviewLanguage.english.quarter(q[0]) == "Q1 '23" && ReviewLanguage.chinese.quarter(q[0]) == "23年Q1")
    }

    @Test func numbersAndDatesAreWrittenEachLanguagesWay() {
        let en = ReviewLanguage.english, zh = ReviewLanguage.chinese
        #expect(en.number(1_234_567.891, decimals: 2) == "1,234,567.89" && en.number(-999.5) == "-1,000")
        #expect(en.compact(253_577_375) == "254M" && zh.compact(253_577_375) == "2.5亿" && zh.compact(35_000) == "3.5万")
        #expect(en.percent(0.1794) == "17.9 %" && zh.percent(0.1794) == "17.9%")
        #expect(en.date(Day(iso: "2024-12-31")!) == "31 Dec 2024" && zh.date(Day(iso: "2024-12-31")!) == "2024年12月31日")
        #expect(en.money(12.5, currency: "CNY") == "CNY 12.50" && zh.money(12.5, currency: "CNY") == "12.50 CNY")
        for label in ReviewLabel.allCases {
            #expect(!label.english.isEmpty && !label.chinese.isEmpty, "\(label)")
        }
    }
}

@Suite(.serialized) struct ReviewPackTests {
    /// Two accounts with known quarterly revenue; both are key accounts (ranked by revenue).
    static func run() throws -> (en: String, zh: String, folder: String) {
        let dir = temporaryFolder()
        write(
            """
            account_id,date,amount
            A,2023-11-01,25.00
            A,2024-02-10,100.00
            A,2024-05-10,50.00
            B,2024-03-01,10.00
            B,2024-12-01,20.00

            """, to: dir.appendingPathComponent("tx.csv"))
        write(
            "account_id,name,account_manager\nA,<b>Acme & Co</b>,王芳\nB,北京恒信,Emily Zhou\n", to: dir.appendingPathComponent("accounts.csv"))
        let path = write(
            """
            name: review
            as_of: 2024-12-31
            output: \(dir.path)/out
            inputs:
              transactions:
                path: \(dir.path)/tx.csv
                columns: { account_id: account_id, date: date, amount: amount }
              accounts:
                path: \(dir.path)/accounts.csv
                columns: { account_id: account_id, name: name, account_manager: account_manager }
            key_accounts: { rank_by: revenue_12m }
            """, to: dir.appendingPathComponent("p.yaml"))
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        return (
            try String(contentsOfFile: out + "/review/index.html", encoding: .utf8),
            try String(contentsOfFile: out + "/review/index.zh-CN.html", encoding: .utf8), out
        )
    }

    @Test func bothPagesAreSelfContainedAndSayTheirLanguage() throws {
        let (en, zh, _) = try Self.run()
        for page in [en, zh] {
            #expect(!page.contains("<script") && !page.contains("<link") && !page.contains("src="))
            // The only address is SVG's namespace name, which is never fetched.
            let addresses = page.components(separatedBy: "http").count - 1
            #expect(addresses == occurrences("xmlns=\"http://www.w3.org/2000/svg\"", in: page))
            #expect(page.contains("@page { size: A4"))
            for id in ["headline", "concentration", "tiers", "portfolio", "health", "key-accounts"] { #expect(page.contains("id=\"\(id)\"")) }
            #expect(occurrences("<section class=\"account\"", in: page) == 2)
            // Names as exported, escaped.
            #expect(page.contains("&lt;b&gt;Acme &amp; Co&lt;/b&gt;") && !page.contains("<b>Acme"))
        }
        #expect(en.contains("<html lang=\"en\">") && zh.contains("<html lang=\"zh-CN\">"))
        #expect(en.contains("Key-account review") && zh.contains("大客户季度回顾"))
        #expect(en.contains("As of 31 Dec 2024") && zh.contains("数据截至 2024年12月31日"))
    }

    @Test func eachKeyAccountPageShowsItsRevenueByCalendarQuarter() throws {
        let (en, zh, _) = try Self.run()
        // A's chart says, in its text alternative, what each quarter brought.
        #expect(en.contains("Q4 &#39;23: CNY 25.00; Q1 &#39;24: CNY 100.00; Q2 &#39;24: CNY 50.00; Q3 &#39;24: CNY 0.00; Q4 &#39;24: CNY 0.00"))
        #expect(zh.contains("23年Q4: 25.00 CNY; 24年Q1: 100.00 CNY; 24年Q2: 50.00 CNY"))
        #expect(en.contains("Q1 &#39;24: CNY 10.00") && en.contains("Q4 &#39;24: CNY 20.00"))
    }

    static let browserTools = ["chromium", "pdfinfo", "pdftotext"].allSatisfy { tool in
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Both pages rendered by headless Chromium (`tools/review_check.py`, as `make review-check`
    /// runs it): no console message, A4 pages, nothing wider than A4's printable width.
    @Test(.enabled(if: browserTools, "needs chromium and poppler-utils (make review-tools)"))
    func bothPagesRenderInARealBrowserWithinA4() throws {
        let (_, _, folder) = try Self.run()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("tools/review_check.py").path, folder, folder + "-screens"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(FileManager.default.fileExists(atPath: folder + "-screens/review.zh-CN.png"))
    }
}
