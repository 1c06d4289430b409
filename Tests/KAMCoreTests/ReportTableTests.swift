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
