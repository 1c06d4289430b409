import Foundation
import Testing

@testable import KAMCore

/// The optional `costs` input (issue 21, point 5): per-account service costs by date, cleaned
/// like every input (each row accepted, rejected with a reason, merged or excluded, amounts in
/// the control totals) and counted in cost_to_serve_12m, profit_12m and net_clv.
@Suite struct ServiceCostTests {
    /// Accounts A and B buy monthly in 2024; Z has costs but no transaction. A has one visit.
    static func pipeline(costs: String, rates: Bool, transactions: String? = nil) -> (path: String, out: URL) {
        let dir = temporaryFolder()
        var lines = ["account_id,date,amount"]
        for month in 1...12 {
            lines.append("A,\(String(format: "2024-%02d-10", month)),100.00")
            lines.append("B,\(String(format: "2024-%02d-12", month)),40.00")
        }
        write(transactions ?? lines.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("tx.csv"))
        write("account_id,date,type\nA,2024-06-01,visit\n", to: dir.appendingPathComponent("ix.csv"))
        write(costs, to: dir.appendingPathComponent("costs.csv"))
        let path = write(
            """
            name: costs
            as_of: 2024-12-31
            base_currency: CNY
            output: \(dir.path)/out
            fx: { USD: 7.1 }
            inputs:
              transactions:
                path: \(dir.path)/tx.csv
                columns: { account_id: account_id, date: date, amount: amount }
              interactions:
                path: \(dir.path)/ix.csv
                columns: { account_id: account_id, date: date, type: type }
              costs:
                path: \(dir.path)/costs.csv
                max_reject_rate: 1
                columns: { account_id: account_id, date: date, amount: amount, currency: currency, category: category }
            clv: { margin: 0.5 }
            \(rates ? "cost_to_serve:\n  per_interaction: { visit: 250 }" : "")
            """, to: dir.appendingPathComponent("p.yaml"))
        return (path, dir.appendingPathComponent("out"))
    }

    static let costs = """
        account_id,date,amount,currency,category
        A,2024-03-01,120.50,CNY,logistics
        A,2024-03-01,120.50,CNY,logistics
        A,2024-01-01,999.00,CNY,logistics
        A,2024-01-02,10.00,USD,samples
        A,2024-05-01,-20.50,CNY,rebate reversal
        B,2024-07-01,N/A,CNY,logistics
        B,2024-07-01,30.00,XXX,logistics
        ,2024-07-01,30.00,CNY,logistics
        B,2024-31-07,30.00,CNY,logistics
        B,2025-01-02,500.00,CNY,logistics
        Z,2024-09-01,75.00,CNY,pre-sales

        """

    @Test func everyCostRowEndsInExactlyOnePlaceWithItsAmount() throws {
        let data = try clean(Self.pipeline(costs: Self.costs, rates: false).path)
        let ledger = data.ledgers[.costs]!
        #expect(ledger.rowsRead == 11)
        #expect(ledger.rowsAccepted == 5)  // A×4 (one duplicate merged), Z
        #expect(ledger.duplicatesMerged == 1)
        #expect(ledger.excludedAfterAsOf == 1)
        #expect(ledger.rejectsByReason == [.badAmount: 1, .unknownCurrency: 1, .missingAccountId: 1, .badDate: 1])
        #expect(ledger.balances && ledger.amountsBalance)
        // The USD row converted at 7.1; the reversal kept with its sign.
        #expect(data.serviceCosts["A"]!.entries.map(\.amount.formatted) == ["120.50", "999.00", "71.00", "-20.50"])
        #expect(ledger.accepted.byCurrency == ["CNY": Money(units: 11_740_000), "USD": Money(units: 100_000)])
        #expect(ledger.read.unconvertedRows == 1)  // the XXX row parsed, but has no rate
        #expect(data.rejects.filter { $0.source == .costs }.map(\.line) == [7, 8, 9, 10])
    }

    @Test func serviceCostsOfTheLast365DaysCountInTheCostToServe() throws {
        let (path, out) = Self.pipeline(costs: Self.costs, rates: true)
        _ = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true))
        let rows = Dictionary(uniqueKeysWithValues: try csvRows(out.path + "/ranked_accounts.csv").map { ($0["account_id"]!, $0) })
        // A: 120.50 + 71.00 − 20.50 in the window (the window is (as_of − 365, as_of]: the 2024-01-01 row is a day too old), plus a visit at 250.
        #expect(rows["A"]!["service_costs_12m"] == "171.00")
        #expect(rows["A"]!["cost_to_serve_12m"] == "421.00")
        #expect(rows["A"]!["profit_12m"] == "179.00")  // 1200 × 0.5 − 421
        #expect(rows["B"]!["service_costs_12m"] == "0.00")
        #expect(rows["B"]!["cost_to_serve_12m"] == "0.00")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as! [String: Any]
        let service = manifest["service_costs"] as! [String: Any]
        #expect(service["reconciles"] as? Bool == true)
        #expect((service["accepted_base_12m"] as! NSNumber).doubleValue == 246)
        #expect((service["in_report_12m"] as! NSNumber).doubleValue == 171)
        let outside = service["not_in_report"] as! [String: Any]
        #expect(outside["ids"] as? [String] == ["Z"])
        let kpis = Dictionary(uniqueKeysWithValues: try csvRows(out.path + "/kpi_summary.csv").map { ($0["kpi"]!, $0) })
        #expect(kpis["cost_to_serve_12m"]!["value"] == "421.00")
    }

    @Test func aCostsInputAloneGivesACostToServe() throws {
        let (path, out) = Self.pipeline(costs: Self.costs, rates: false)
        _ = try Runner.run(try PipelineConfig.load(path: path), threads: 1, progress: Progress(quiet: true))
        let rows = Dictionary(uniqueKeysWithValues: try csvRows(out.path + "/ranked_accounts.csv").map { ($0["account_id"]!, $0) })
        #expect(rows["A"]!["cost_to_serve_12m"] == "171.00")
        #expect(rows["A"]!["net_clv"] != "")
        #expect(Double(rows["A"]!["net_clv"]!)! < Double(rows["A"]!["clv"]!)!)
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("cost_to_serve_12m = the costs input's rows"))
    }

    /// Each input's amounts fit on their own, but a profit sums them: the run stops with an
    /// error naming the inputs rather than trapping.
    @Test func amountsThatOverflowTogetherStopTheRunWithoutATrap() throws {
        let (path, _) = Self.pipeline(
            costs: "account_id,date,amount,currency,category\nA,2024-03-01,100000000000000,CNY,x\n", rates: false,
            transactions: "account_id,date,amount\nA,2024-03-01,900000000000000\n")
        #expect(throws: CleanError.combinedOverflow(inputs: ["costs", "transactions"])) {
            _ = try clean(path)
        }
    }
}
