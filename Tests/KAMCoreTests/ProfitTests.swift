import Foundation
import Testing

@testable import KAMCore

/// Profit, not revenue (issue 21, point 5): margins from a product-line table, cost to serve
/// from interactions, net_clv; with no cost data the outputs say so.
@Suite struct ProfitTests {
    /// Two accounts over a year: A buys software (margin 0.6) and hardware (default 0.2), B
    /// services (0.5); A has two visits and a call, B one meeting.
    static func pipeline(margins: Bool, costs: Bool) -> String {
        let dir = temporaryFolder()
        var lines = ["txn_id,account_id,date,amount,product_line"]
        for month in 1...12 {
            let day = String(format: "2024-%02d-10", month)
            lines.append("A\(month)s,A,\(day),100.00,software")
            lines.append("A\(month)h,A,\(day),50.00,hardware")
            lines.append("B\(month),B,\(day),80.00,services")
        }
        write(lines.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("tx.csv"))
        write(
            "interaction_id,account_id,date,type\n1,A,2024-11-01,visit\n2,A,2024-12-01,visit\n3,A,2024-12-02,call\n4,B,2024-12-03,meeting\n",
            to: dir.appendingPathComponent("ix.csv"))
        return write(
            """
            name: profit
            as_of: 2024-12-31
            base_currency: CNY
            output: \(dir.path)/out
            inputs:
              transactions:
                path: \(dir.path)/tx.csv
                columns: { txn_id: txn_id, account_id: account_id, date: date, amount: amount, product_line: product_line }
            \(margins ? "    margins: { software: 0.6, services: 0.5, default: 0.2 }" : "")
              interactions:
                path: \(dir.path)/ix.csv
                columns: { interaction_id: interaction_id, account_id: account_id, date: date, type: type }
            \(costs ? "cost_to_serve:\n  per_interaction: { visit: 800, call: 20.50, meeting: 300 }" : "")
            """, to: dir.appendingPathComponent("p.yaml"))
    }

    static func run(_ path: String) throws -> [String: [String: String]] {
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        return Dictionary(uniqueKeysWithValues: try csvRows(out + "/ranked_accounts.csv").map { ($0["account_id"]!, $0) })
    }

    @Test func marginsByProductLineAndCostToServe() throws {
        let rows = try Self.run(Self.pipeline(margins: true, costs: true))
        // A: 12 × (100 × 0.6 + 50 × 0.2) = 840; B: 12 × 80 × 0.5 = 480.
        #expect(rows["A"]!["gross_margin_12m"] == "840.00")
        #expect(rows["B"]!["gross_margin_12m"] == "480.00")
        #expect(rows["A"]!["cost_to_serve_12m"] == "1620.50")
        #expect(rows["B"]!["cost_to_serve_12m"] == "300.00")
        #expect(rows["A"]!["profit_12m"] == "-780.50")
        #expect(rows["A"]!["clv_margin"] == "0.4667")  // 840 / 1800
        // net_clv = clv − cost to serve over the horizon while alive: below clv.
        let clv = Double(rows["A"]!["clv"]!)!, net = Double(rows["A"]!["net_clv"]!)!
        #expect(net < clv)
    }

    @Test func withoutCostDataTheOutputsSaySo() throws {
        let path = Self.pipeline(margins: false, costs: false)
        let rows = try Self.run(path)
        for column in ["clv_margin", "gross_margin_12m", "cost_to_serve_12m", "profit_12m", "net_clv"] {
            #expect(rows.values.allSatisfy { $0[column] == "" }, "\(column)")
        }
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out")
        let kpis = Dictionary(uniqueKeysWithValues: try csvRows(out.path + "/kpi_summary.csv").map { ($0["kpi"]!, $0) })
        #expect(kpis["gross_margin_12m"]!["value"] == "" && kpis["gross_margin_12m"]!["definition"]!.hasPrefix("not computed"))
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("no cost or margin data"))
    }

    @Test func aMarginTableNeedsAProductLine() throws {
        let dir = temporaryFolder()
        let path = write(
            """
            name: x
            as_of: 2024-12-31
            output: \(dir.path)/out
            inputs:
              transactions:
                path: \(dir.path)/tx.csv
                columns: { account_id: a, date: d, amount: m }
                margins: { default: 0.3 }
            """, to: dir.appendingPathComponent("p.yaml"))
        #expect(throws: ConfigError.self) { try PipelineConfig.load(path: path) }
    }
}
