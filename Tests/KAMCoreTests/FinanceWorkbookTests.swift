import CSVIO
import Foundation
import Testing

@testable import KAMCore

/// `finance.xlsx` read back with a reader of the tests' own (issue 23): every sheet that mirrors
/// a CSV holds the same figures to the printed digit, numbers as numbers with their formats,
/// text as text.
@Suite(.serialized) struct FinanceWorkbookTests {
    /// The CSV's header and rows, in order.
    static func csv(_ path: String) throws -> (header: [String], rows: [[String]]) {
        let reader = try CSVReader(path: path, dialect: CSVDialect())
        let header = reader.header
        return (header, try reader.readAll().flatMap { batch in (0..<batch.count).map { batch[$0].fields } })
    }

    @Test func everySheetEqualsTheCSVItMirrorsToThePrintedDigit() throws {
        let (path, dir) = try generatedPipeline(accounts: 200, transactions: 6000, seed: 5, costs: true)
        // An account whose name a spreadsheet would run as a formula.
        let accounts = dir.appendingPathComponent("data/accounts.csv")
        let text = try String(contentsOf: accounts, encoding: .utf8) + "Z99999,\"=HYPERLINK(\"\"http://x\"\")\",Retail,华东 East,Small,王芳,2024-01-01,no,\n"
        try text.write(to: accounts, atomically: true, encoding: .utf8)
        let config = try PipelineConfig.load(path: path)
        let out = try Runner.run(config, threads: 2, progress: Progress(quiet: true)).folder
        let book = try XLSXReader(path: out + "/finance.xlsx")
        let mirrors = ["KPI summary": "kpi_summary.csv", "By tier": "kpi_by_tier.csv", "By health": "kpi_by_health.csv", "By manager": "kpi_by_manager.csv",
                       "Ranked accounts": "ranked_accounts.csv", "Key accounts": "key_accounts.csv"]
        #expect(Array(book.sheetOrder.prefix(1)) == ["KPI summary"] && book.sheetOrder.contains("Reconciliation") && book.sheetOrder.contains("Rejects by reason"))
        var numbers = 0, texts = 0
        for (sheet, file) in mirrors {
            let (header, rows) = try Self.csv(out + "/" + file)
            let cells = try #require(book.sheets[sheet], "\(sheet)")
            // The sheet's columns, each found in the CSV by name (the account sheet holds some).
            let sheetHeader = (0..<cells[1]!.count).map { cells[1]![$0] }
            let mapping = sheetHeader.enumerated().map { j, name -> (sheet: Int, csv: Int) in
                guard case .text(let n)? = name, let k = header.firstIndex(of: n) else { Issue.record("\(sheet): \(String(describing: name)) is not in \(file)"); return (j, 0) }
                return (j, k)
            }
            #expect(sheet == "Ranked accounts" ? mapping.count == FinanceWorkbook.accountColumns.count : mapping.count == header.count, "\(sheet) columns")
            #expect(cells.count == rows.count + 1, "\(sheet) rows")
            for (i, row) in rows.enumerated() {
                for (j, csvColumn) in mapping {
                    let printed = row[csvColumn]
                    let value = cells[i + 2]?[j]
                    switch value {
                    case nil: #expect(printed.isEmpty, "\(sheet) \(header[csvColumn]) row \(i + 2): empty in the workbook, '\(printed)' in \(file)")
                    case .text(let s):
                        // The CSV guards formula text with a quote; the workbook keeps it as text.
                        #expect(printed == s || printed == CSVWriter.neutralised(s), "\(sheet) \(header[csvColumn]): '\(s)' against '\(printed)'")
                        texts += 1
                    case .number(let x, let format):
                        numbers += 1
                        if format == "yyyy-mm-dd" {
                            #expect(Day(ordinal: Int32(Int(x)) + Day(year: 1899, month: 12, day: 30)!.ordinal).iso == printed)
                            continue
                        }
                        let decimals = printed.split(separator: ".").dropFirst().first?.count ?? 0
                        #expect(CSVFormat.decimal(x, decimals) == printed, "\(sheet) \(header[csvColumn]) row \(i + 2): \(x) against \(printed)")
                        if format.contains("\"CNY\"") { #expect(decimals == 2, "money with two decimals") }
                        if format == "0.00%" { #expect(decimals == 4, "a ratio stored as printed") }
                    }
                }
            }
        }
        #expect(numbers > 2_000 && texts > 500, "\(numbers) numbers, \(texts) texts compared")
        // Money columns carry the currency; ratios are percentages; the formula stays text.
        let ranked = book.sheets["Ranked accounts"]!, header = ranked[1]!
        func column(_ name: String) -> Int { header.first { $0.value == .text(name) }!.key }
        if case .number(_, let f)? = ranked[2]?[column("revenue_total")] { #expect(f == "#,##0.00 \"CNY\"") } else { Issue.record("revenue_total is not a number") }
        if case .number(_, let f)? = ranked[2]?[column("churn_probability")] { #expect(f == "0.00%") } else { Issue.record("churn_probability is not a number") }
        let names = ranked.values.compactMap { $0[column("account_name")] }
        #expect(names.contains(.text("=HYPERLINK(\"http://x\")")))
        // Reconciliation: a row per input, matching the ledgers.
        let reconciliation = book.sheets["Reconciliation"]!
        let inputs = reconciliation.values.compactMap { row -> String? in if case .text(let s)? = row[0] { return s } else { return nil } }
        #expect(Set(inputs) == ["input", "accounts", "costs", "fx_rates", "interactions", "transactions"])
    }

    @Test func theSameRunWritesTheSameWorkbook() throws {
        let (path, dir) = try generatedPipeline(accounts: 60, transactions: 1200, seed: 8)
        let config = try PipelineConfig.load(path: path)
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        _ = try Runner.run(config, outputOverride: a, threads: 1, progress: Progress(quiet: true))
        _ = try Runner.run(config, outputOverride: b, threads: 3, progress: Progress(quiet: true))
        #expect(FileManager.default.contents(atPath: a + "/finance.xlsx") == FileManager.default.contents(atPath: b + "/finance.xlsx"))
    }

    /// Text longer than a cell holds (a garbled export) is cut and marked, not a failed run.
    @Test func textTooLongForACellIsCutNotFatal() throws {
        var table = ReportTable(columns: ["name", "n"], text: ["name"])
        let long = String(repeating: "客户", count: 20_000)
        table.append([.text(long), .count(1)])
        let path = temporaryFolder().appendingPathComponent("t.xlsx").path
        let writer = try XLSXWriter(path: path, currency: "CNY", created: Day(iso: "2024-12-31")!)
        writer.addSheet("T", table.source)
        try writer.close()
        let cells = try XLSXReader(path: path).sheets["T"]!
        guard case .text(let cut)? = cells[2]?[0] else { Issue.record("no text cell"); return }
        #expect(cut.hasSuffix("…") && long.hasPrefix(String(cut.dropLast())) && cut.count < 32_767)
        #expect(cells[2]?[1] == .number(1, format: "#,##0"))
    }

    /// libxlsxwriter has no deflate setting: kam's definition of minizip's entry call sets
    /// level 1 (Sources/CXlsxwriterLevel). Each zip entry's flags say which level wrote it
    /// (bits 1–2: 11 for the fastest), so this fails if the call ever stops coming to kam's.
    @Test func theWorkbookIsDeflatedAtTheFastLevel() throws {
        var table = ReportTable(columns: ["name", "n"], text: ["name"])
        for i in 0..<1000 { table.append([.text("account \(i)"), .count(i)]) }
        let path = temporaryFolder().appendingPathComponent("level.xlsx").path
        let writer = try XLSXWriter(path: path, currency: "CNY", created: Day(iso: "2024-12-31")!)
        writer.addSheet("T", table.source)
        try writer.close()
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        func word(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func long(_ at: Int) -> Int { word(at) | word(at + 2) << 16 }
        // The central directory lists every entry: the end record (22 bytes, no comment) gives
        // its count and offset; each header has its flags at +8, method at +10.
        let end = bytes.count - 22
        #expect(long(end) == 0x0605_4B50)
        var offset = long(end + 16), entries = 0
        for _ in 0..<word(end + 10) {
            #expect(long(offset) == 0x0201_4B50)
            let flags = word(offset + 8), method = word(offset + 10)
            #expect(method == 8 && flags & 0b110 == 0b110, "entry \(entries): method \(method), flags \(flags)")
            offset += 46 + word(offset + 28) + word(offset + 30) + word(offset + 32)
            entries += 1
        }
        #expect(entries >= 5 && XLSXWriter.deflateLevel == 1)
    }
}
