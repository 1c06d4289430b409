import CSVIO
import Foundation
import Testing

@testable import KAMCore

/// Report tables are values; the CSV renderer applies the finance conventions by cell type.
@Suite struct ReportTableTests {
    @Test func cellsPrintByTheirType() {
        #expect(ReportCell.money(Money(units: 12_345)).printed == "1.23")  // 1.2345 → half to even at the cent
        #expect(ReportCell.money(Money(units: 12_350)).printed == "1.24")
        #expect(ReportCell.amount(-0.001).printed == "0.00")  // never a negative zero
        #expect(ReportCell.ratio(1.0 / 3).printed == "0.3333")
        #expect(ReportCell.probability(Double?.none).printed == "")
        #expect(ReportCell.measure(.nan, decimals: 2).printed == "")
        #expect(ReportCell.count(42).printed == "42")
        #expect(ReportCell.date(Day(iso: "2024-02-29")!).printed == "2024-02-29")
        #expect(ReportCell.empty.printed == "")
    }

    @Test func theCSVGuardsTextColumnsOnlyAgainstFormulas() {
        var table = ReportTable(columns: ["name", "amount"], text: ["name"])
        table.append([.text("=HYPERLINK(\"x\")"), .money(Money(units: -50_000))])
        table.append([.text("Acme, Ltd"), .amount(3.5)])
        let text = String(decoding: table.csv(bom: false), as: UTF8.self)
        #expect(text == "name,amount\n\"'=HYPERLINK(\"\"x\"\")\",-5.00\n\"Acme, Ltd\",3.50\n", "\(text)")
    }

    /// A long table printed in slices on several threads gives the bytes one thread gives, and
    /// the decimals are C's correctly rounded ones (0.125 is exactly representable: half to even).
    @Test func longTablesPrintTheSameOnAnyNumberOfThreads() {
        var table = ReportTable(columns: ["id", "x", "note"], text: ["id", "note"])
        for i in 0..<12_345 { table.append([.text("A\(i)"), .measure(Double(i) / 7, 3), .text(i % 97 == 0 ? "=SUM(A1)" : "ok")]) }
        var plain = CSVWriter(columns: ["id", "x", "note"], kinds: [.text, .number, .text], byteOrderMark: true)
        for row in table.rows { plain.append(row.map(\.printed)) }
        let one = table.csv(bom: true, threads: 1)
        #expect(one == plain.bytes)
        for threads in [2, 3, 8] { #expect(table.csv(bom: true, threads: threads) == one) }
        #expect(one.count > 12_345 * 10)
        #expect(ReportCell.measure(0.125, decimals: 2).printed == "0.12" && ReportCell.measure(-1e-9, decimals: 4).printed == "0.0000")
    }

    /// The integer path of the decimal printer gives C's printf digits: on halves and near-halves
    /// (k / 2^n, values one ulp off them, products that round onto a half), random magnitudes,
    /// negative zeros, and values too large for it.
    @Test func decimalsAreThoseOfPrintf() {
        func printf(_ x: Double, _ places: Int) -> String {
            var s = String(format: "%.\(places)f", x)
            if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
            return s
        }
        var random = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.005, 2.675, 1e15, 4.5e15, 9.1e15, 1e300, -1e-300]
        // x · 100 rounds to exactly .5 in doubles, while the exact product is above or below it.
        values += [1408.915, 5968.535, 8885.985, 8412.355, 8008.755, 661.725]
        for k in 0..<4000 {
            let half = Double(k) / Double(1 << (k % 12)) + (k % 3 == 0 ? 0.005 : 0)
            values += [half, half.nextUp, half.nextDown, -half]
            values.append(Double(bitPattern: random.next() >> 2) .truncatingRemainder(dividingBy: 1e7))
            values.append(Double.random(in: -1e6...1e6, using: &random))
        }
        for x in values where x.isFinite {
            for places in [0, 1, 2, 3, 4, 6, 9] {
                #expect(CSVFormat.decimal(x, places) == printf(x, places), "\(x) with \(places) places")
                // The workbook's number: what reading the printed text gives, and its length.
                let text = CSVFormat.decimal(x, places), stored = CSVFormat.printedValue(x, places)
                #expect(stored?.value == Double(text) && stored?.length == text.count, "\(x) with \(places) places: \(String(describing: stored))")
            }
        }
    }

    @Test func totalsFootAsPrintedWithTheExactTotalBeside() {
        // 0.005 + 0.005 prints as 0.00 + 0.00 (half to even at the cent), exactly 0.01.
        let parts: [[ReportCell]] = [[.money(Money(units: 50)), .count(1)], [.money(Money(units: 50)), .count(2)]]
        let footed = PrintedTotals.foot(parts, exact: [.money(Money(units: 100)), .count(3)], columns: [0, 1])
        #expect(footed.total.map(\.printed) == ["0.00", "3"])
        #expect(footed.exact.map(\.printed) == ["0.01", "3"])
        #expect(footed.difference?.map(\.printed) == ["-0.01", "0"])
        let even = PrintedTotals.foot([[.money(Money(units: 10_000))]], exact: [.money(Money(units: 10_000))], columns: [0])
        #expect(even.difference == nil)
    }
}

/// `columns.csv` lists every column of every CSV of the run, in order, each with a unit and a
/// definition (issue 21, point 6); checked on the demo's golden files, which the golden test
/// keeps current.
@Suite struct ColumnCatalogTests {
    @Test func columnsCSVDescribesEveryRankedColumn() throws {
        let golden = packageRoot.appendingPathComponent("fixtures/golden")
        let ranked = try String(contentsOf: golden.appendingPathComponent("ranked_accounts.csv"), encoding: .utf8)
        let header = ranked.split(separator: "\n", maxSplits: 1)[0].split(separator: ",").map(String.init)
        let catalog = try csvRows(golden.appendingPathComponent("columns.csv").path)
        #expect(catalog.filter { $0["file"] == "ranked_accounts.csv" }.map { $0["column"]! } == header)
        #expect(catalog.allSatisfy { !$0["unit"]!.isEmpty && !$0["definition"]!.isEmpty })
        // Every other CSV of the run: its header is what columns.csv lists for it.
        let files = Set(catalog.map { $0["file"]! })
        for file in try FileManager.default.contentsOfDirectory(atPath: golden.path) where file.hasSuffix(".csv") && file != "columns.csv" {
            #expect(files.contains(file), "\(file) is not in columns.csv")
            let text = try String(contentsOf: golden.appendingPathComponent(file), encoding: .utf8)
            let firstLine = text.split(separator: "\n", maxSplits: 1)[0].replacingOccurrences(of: "\u{FEFF}", with: "")
            #expect(catalog.filter { $0["file"] == file }.map { $0["column"]! } == firstLine.split(separator: ",").map(String.init), "\(file)")
        }
        for renamed in ["repeat_purchase_days", "purchase_span_weeks", "age_weeks", "mean_repeat_spend", "expected_purchases_90d", "expected_spend_per_purchase"] {
            #expect(header.contains(renamed))
        }
        for old in ["frequency", "recency", "age", "monetary", "expected_purchases", "expected_spend"] { #expect(!header.contains(old)) }
    }
}
