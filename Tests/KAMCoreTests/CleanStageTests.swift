import CSVIO
import Foundation
import Testing

@testable import KAMCore

/// Writes the files and a pipeline over them; returns the pipeline's path.
func pipeline(
    transactions: String, txOptions: String = "", txColumns: String = "account_id: account_id, date: date, amount: amount",
    interactions: String? = nil, ixOptions: String = "", accounts: String? = nil, fxRates: String? = nil,
    extra: String = "", asOf: String = "2024-12-31"
) -> String {
    let dir = temporaryFolder()
    /// One input: its file written beside the pipeline, and its section (options indented in).
    func input(_ name: String, file: String, content: String, options: String = "", columns: String) -> String {
        write(content, to: dir.appendingPathComponent(file))
        let indented = options.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return """
              \(name):
                path: \(file)
                max_reject_rate: 1
            \(indented)
                columns: { \(columns) }

            """
    }
    var yaml = """
        name: t
        as_of: \(asOf)
        base_currency: CNY
        output: out
        inputs:

        """
    yaml += input("transactions", file: "tx.csv", content: transactions, options: txOptions, columns: txColumns)
    if let interactions {
        yaml += input(
            "interactions", file: "ix.csv", content: interactions, options: ixOptions,
            columns: "account_id: account_id, date: date, type: type, satisfaction: satisfaction, resolution_days: resolution_days")
    }
    if let accounts {
        yaml += input("accounts", file: "accounts.csv", content: accounts, columns: "account_id: account_id, name: name, industry: industry")
    }
    if let fxRates {
        yaml += input("fx_rates", file: "fx.csv", content: fxRates, columns: "currency: currency, rate: rate")
    }
    yaml += extra
    return write(yaml, to: dir.appendingPathComponent("p.yaml"))
}

/// - Parameter sightingBits: the size of the filter of keys seen; 0 (one block) makes new keys
///   look seen all the time, so every path of duplicate resolution is taken.
func clean(_ path: String, threads: Int = 1, sightingBits: Int = KeySightings.defaultBlockBits) throws -> CleanData {
    try CleanStage.run(try PipelineConfig.load(path: path), threads: threads, progress: Progress(quiet: true), cutoffs: nil, sightingBits: sightingBits)
}

@Suite struct CleanStageTests {
    @Test func everyRowEndsInExactlyOnePlace() throws {
        let data = try clean(pipeline(transactions: """
            account_id,date,amount
            A,2024-01-05,10
            ,2024-01-05,10
            B,2025-02-01,99
            C,2024-13-01,5
            D,2024-01-05,abc
            E,2024-01-05,
            F,,3
            A,2024-01-05,10

            """, txOptions: "dedupe: exact"))
        let l = data.ledgers[.transactions]!
        #expect(l.rowsRead == 8)
        #expect(l.rowsAccepted == 1 && l.duplicatesMerged == 1 && l.excludedAfterAsOf == 1 && l.rowsRejected == 5)
        #expect(l.balances && l.amountsBalance)
        #expect(l.rejectsByReason == [.missingAccountId: 1, .badDate: 1, .badAmount: 1, .missingAmount: 1, .missingDate: 1])
        #expect(data.rejects.map(\.line) == [3, 5, 6, 7, 8])
        #expect(data.rejects.first { $0.reason == .badAmount }?.raw == "D,2024-01-05,abc")
        // Control totals: every parseable amount is read; buckets add up.
        #expect(l.read.base == Money(units: (10 + 10 + 99 + 5 + 3 + 10) * Money.scale))
        #expect(l.accepted.base + l.rejected.base + l.merged.base + l.excluded.base == l.read.base)
    }

    @Test func malformedRecordsBecomeRejectsWithTheirLines() throws {
        let data = try clean(pipeline(transactions: "account_id,date,amount\nA,2024-01-05,1\nB,2024-01-05\nC,\"2024-01-05,2\nD,2024-01-05,3\n"))
        #expect(data.rejects.map(\.reason) == [.fieldCount, .unterminatedQuote])
        #expect(data.rejects.map(\.line) == [3, 4])
        // The stray quote costs its own line only: D is read.
        #expect(data.rejects.all[1].raw == "C,\"2024-01-05,2")
        #expect(data.histories.map(\.accountId) == ["A", "D"])
        let q = try clean(pipeline(transactions: "account_id,date,amount\nA,2024-01-05,1\"\n"))
        #expect(q.rejects.map(\.reason) == [.badQuote])
        let binary = try clean(pipeline(transactions: "account_id,date,amount\nA,2024-01-05,\u{0}1\n"))
        #expect(binary.rejects.map(\.reason) == [.notText])
        let cr = try clean(pipeline(transactions: "account_id,date,amount\nA,2024-01-05,1\rB,2024-01-05,2\n"))
        #expect(cr.rejects.map(\.reason) == [.bareCarriageReturn])
    }

    @Test func statusesCurrenciesAndRefunds() throws {
        let data = try clean(pipeline(
            transactions: """
                account_id,date,amount,currency,status
                A,2024-01-05,100,CNY,paid
                A,2024-01-06,-20,CNY,refunded
                A,2024-01-07,30,CNY,退款
                A,2024-01-08,50,CNY,cancelled
                A,2024-01-09,10,USD,已付款
                A,2024-01-09,10,JPY,paid
                A,2024-01-10,10,CNY,lost in transit
                A,2024-01-10,10,CNY,
                A,2024-01-11,-5,CNY,paid

                """,
            txColumns: "account_id: account_id, date: date, amount: amount, currency: currency, status: status",
            fxRates: "currency,rate\nUSD,7.1\n"))
        let l = data.ledgers[.transactions]!
        #expect(l.rejectsByReason == [.unknownCurrency: 1, .unknownStatus: 2, .negativePaidAmount: 1])
        #expect(l.paidLines == 2 && l.refundLines == 2 && l.cancelledLines == 1)
        // Refunds are negative revenue whatever their sign; cancelled lines are not revenue.
        #expect(l.netRevenueBase == Money(units: (100 + 71 - 20 - 30) * Money.scale))
        #expect(l.cancelledBase == Money(units: 50 * Money.scale))
        // The control totals keep each amount's sign as the export wrote it, so they add up:
        // the refund written 30 counts +30 in read and in accepted.
        #expect(l.amountsBalance && l.accepted.byCurrency["CNY"] == l.read.byCurrency["CNY"]! - Money(units: 15 * Money.scale))
        #expect(data.histories[0].purchaseDays(after: Day(iso: "2000-01-01")!, through: Day(iso: "2030-01-01")!) == 2)
    }

    @Test func negativePaidLinesAreRefundsWhenDeclared() throws {
        let data = try clean(pipeline(transactions: "account_id,date,amount\nA,2024-01-05,100\nA,2024-01-06,-20\n", txOptions: "negative_paid_is_refund: true"))
        let l = data.ledgers[.transactions]!
        #expect(l.refundLines == 1 && l.netRevenueBase == Money(units: 80 * Money.scale))
    }

    @Test func inlineFXAndCostColumns() throws {
        let data = try clean(pipeline(
            transactions: "account_id,date,amount,currency,cost,quantity\nA,2024-01-05,10,EUR,4,2\nA,2024-01-06,10,EUR,x,1\nA,2024-01-07,10,EUR,1,many\n",
            txColumns: "account_id: account_id, date: date, amount: amount, currency: currency, cost: cost, quantity: quantity",
            extra: "fx: { EUR: 7.8 }\n"))
        #expect(data.ledgers[.transactions]!.rejectsByReason == [.badNumber: 2])
        // Only the first line is accepted: paid 10 EUR at 7.8, cost 4 EUR.
        let asOf = try #require(data.histories.first).points.days.last.map { Day(ordinal: $0) }!
        #expect(data.histories[0].paid(through: asOf) == Money(units: 78 * Money.scale))
        #expect(data.histories[0].cost(through: asOf) == Money(units: 312_000))
    }

    /// With the filter of keys seen at its size, and at one block, where most new keys look
    /// seen and are set aside until the keys are known.
    @Test(arguments: [KeySightings.defaultBlockBits, 0])
    func duplicateTxnIdsMergeOrConflict(sightingBits: Int) throws {
        let data = try clean(pipeline(
            transactions: """
                txn_id,line_no,account_id,date,amount
                T1,1,A,2024-01-05,10
                T1,2,A,2024-01-05,20
                T1,1,A,2024-01-05,10.00
                T2,1,B,2024-01-06,5
                T2,1,B,2024-01-06,5
                T2,1,B,2024-01-06,6
                ,1,C,2024-01-06,1
                ,1,C,2024-01-06,1
                T3,1,D,2024-01-07,7
                T3,1,E,2024-01-07,8
                U1,1,E,2024-01-08,3

                """,
            txOptions: "dedupe: txn_id", txColumns: "txn_id: txn_id, line_no: line_no, account_id: account_id, date: date, amount: amount"), sightingBits: sightingBits)
        let l = data.ledgers[.transactions]!
        // T1/1 twice with the same content (10 = 10.00): merged. T2/1 with 5, 5, 6: all three
        // rejected; T3/1 on two accounts: both rejected, and E keeps only its other line.
        #expect(l.duplicatesMerged == 1)
        #expect(l.rejectsByReason == [.duplicateConflict: 5])
        #expect(data.rejects.map(\.line) == [5, 6, 7, 10, 11])
        #expect(data.rejects.allSatisfy { !$0.raw.isEmpty })
        #expect(l.rowsAccepted == 5 && l.balances && l.amountsBalance)
        #expect(l.rejected.base == Money(units: 31 * Money.scale) && l.merged.base == Money(units: 10 * Money.scale))
        #expect(data.histories.map(\.accountId) == ["A", "C", "E"])
        let asOf = try #require(data.histories[2].points.days.last.map { Day(ordinal: $0) })
        #expect(data.histories[2].paid(through: asOf) == Money(units: 3 * Money.scale))
        #expect(l.accepted.base == Money(units: 35 * Money.scale))
    }

    /// Merged duplicates are taken back with the amounts they were counted with: in foreign
    /// currencies at dated and undated rates that round, as refunds and cancelled lines, with
    /// costs. Cleaning a file with later copies of some rows (written differently, as exports
    /// do) must give what cleaning the file without them gives.
    /// On one and two threads, with the filter of keys seen at its size and at one block (where
    /// most first rows of a key look seen and are added only once the keys are known).
    @Test(arguments: [1, 2], [KeySightings.defaultBlockBits, 0])
    func mergingDuplicatesGivesWhatTheFileWithoutThemGives(threads: Int, sightingBits: Int) throws {
        var random = RandomSource(seed: 11)
        let header = "txn_id,account_id,date,amount,currency,status,cost\n"
        var lines: [String] = [], copies: [(at: Int, line: String)] = []
        for i in 0..<2_000 {
            let units = Int(random.next() % 500_000) + 1
            let amount = "\(units / 100).\(String(format: "%02d", units % 100))"
            let day = String(format: "2024-%02d-%02d", Int(random.next() % 12) + 1, Int(random.next() % 28) + 1)
            let currency = ["CNY", "EUR", "USD"][Int(random.next() % 3)]
            let status = ["paid", "paid", "refund", "cancelled"][Int(random.next() % 4)]
            let line = "T\(i),A\(random.next() % 40),\(day),\(amount),\(currency),\(status),\(units / 300).\(units % 10)"
            lines.append(line)
            // A later copy of one row in five, its amount written with a thousands separator
            // and spaces.
            if random.next() % 5 == 0 {
                let written = units >= 100_000 ? "\"\(units / 100_000),\(String(format: "%03d", (units / 100) % 1000)).\(String(format: "%02d", units % 100))\"" : " \(amount) "
                copies.append((i + Int(random.next() % 500), line.replacingOccurrences(of: ",\(amount),", with: ",\(written),")))
            }
        }
        var withCopies = lines
        for copy in copies.reversed() { withCopies.insert(copy.line, at: min(copy.at + 1, withCopies.count)) }
        let fx = "currency,rate,valid_from\nEUR,7.83456789,\nEUR,7.91234567,2024-06-01\nUSD,7.12345678,\n"
        func run(_ rows: [String], dedupe: String) throws -> CleanData {
            let dir = temporaryFolder()
            write(header + rows.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("tx.csv"))
            write(fx, to: dir.appendingPathComponent("fx.csv"))
            let path = write("""
                name: t
                as_of: 2024-12-31
                base_currency: CNY
                output: out
                inputs:
                  transactions:
                    path: tx.csv
                    dedupe: \(dedupe)
                    columns: { txn_id: txn_id, account_id: account_id, date: date, amount: amount, currency: currency, status: status, cost: cost }
                  fx_rates: { path: fx.csv, columns: { currency: currency, rate: rate, valid_from: valid_from } }
                """, to: dir.appendingPathComponent("p.yaml"))
            return try clean(path, threads: threads, sightingBits: sightingBits)
        }
        let merged = try run(withCopies, dedupe: "txn_id"), plain = try run(lines, dedupe: "none")
        let m = merged.ledgers[.transactions]!, p = plain.ledgers[.transactions]!
        #expect(m.duplicatesMerged == copies.count && m.rowsRejected == 0 && m.balances && m.amountsBalance)
        #expect(m.rowsAccepted == p.rowsAccepted && m.accepted == p.accepted)
        #expect(m.paidBase == p.paidBase && m.refundedBase == p.refundedBase && m.cancelledBase == p.cancelledBase)
        #expect(m.paidLines == p.paidLines && m.refundLines == p.refundLines && m.cancelledLines == p.cancelledLines)
        #expect(m.netRevenueByDay == p.netRevenueByDay)
        #expect(p.amountsBalance)
        #expect(merged.histories.map(\.accountId) == plain.histories.map(\.accountId))
        let start = Day(iso: "2024-01-01")!, asOf = Day(iso: "2024-12-31")!
        for (a, b) in zip(merged.histories, plain.histories) {
            #expect(a.paid(through: asOf) == b.paid(through: asOf) && a.refunded(through: asOf) == b.refunded(through: asOf))
            #expect(a.cost(through: asOf) == b.cost(through: asOf) && a.firstPurchaseDayNet == b.firstPurchaseDayNet)
            #expect(a.purchaseDayList(after: start, through: asOf) == b.purchaseDayList(after: start, through: asOf))
            #expect(a.purchaseDayNet(through: asOf) == b.purchaseDayNet(through: asOf))
        }
    }

    @Test func idsAreStringsComparedAfterTrimming() throws {
        let data = try clean(pipeline(transactions: "account_id,date,amount\n007,2024-01-05,1\n7,2024-01-05,1\n  007  ,2024-01-06,1\n"))
        #expect(data.histories.map(\.accountId) == ["007", "7"])
        #expect(data.histories[0].purchaseDays(after: Day(iso: "2000-01-01")!, through: Day(iso: "2030-01-01")!) == 2)
    }

    @Test func interactionsAreMappedScaledAndChecked() throws {
        let data = try clean(pipeline(
            transactions: "account_id,date,amount\nA,2024-01-05,1\n",
            interactions: """
                account_id,date,type,satisfaction,resolution_days
                A,2024-02-01,拜访,,
                A,2024-02-02,survey,4,
                A,2024-02-03,complaint,,3
                A,2024-02-04,smoke signal,,
                A,2024-02-05,survey,7,
                A,2024-02-06,complaint,,-1
                A,2025-02-06,call,,

                """,
            ixOptions: "satisfaction_scale: \"1-5\""))
        let l = data.ledgers[.interactions]!
        #expect(l.rejectsByReason == [.unknownType: 1, .badSatisfaction: 1, .badResolution: 1])
        #expect(l.excludedAfterAsOf == 1 && l.balances)
        // Folded into A's contact history: one visit, one survey (4 of 1–5 is 75 of 0–100) and
        // one complaint resolved in 3 days, all in the year to as_of.
        let history = try #require(data.contacts["A"])
        let asOf = Day(year: 2024, month: 12, day: 31)!, yearAgo = asOf - 365
        #expect(InteractionType.allCases.map { history.count($0, after: yearAgo, through: asOf) } == InteractionType.allCases.map {
            [.visit, .survey, .complaint].contains($0) ? 1 : 0
        })
        #expect(history.surveys(after: yearAgo, through: asOf).sum == 75)
        #expect(history.resolvedComplaints(after: yearAgo, through: asOf) == (1, 3))
    }

    @Test func resolutionFromResolvedDate() throws {
        let dir = temporaryFolder()
        write("account_id,date,amount\nA,2024-01-05,1\n", to: dir.appendingPathComponent("tx.csv"))
        write("account_id,date,type,resolved\nA,2024-02-01,complaint,2024-02-11\nA,2024-02-01,complaint,2024-01-11\n", to: dir.appendingPathComponent("ix.csv"))
        let path = write("""
            name: t
            as_of: 2024-12-31
            output: out
            inputs:
              transactions: { path: tx.csv, columns: { account_id: account_id, date: date, amount: amount } }
              interactions: { path: ix.csv, max_reject_rate: 1, columns: { account_id: account_id, date: date, type: type, resolved_date: resolved } }
            """, to: dir.appendingPathComponent("p.yaml"))
        let data = try clean(path)
        let asOf = Day(year: 2024, month: 12, day: 31)!
        let resolved = try #require(data.contacts["A"]).resolvedComplaints(after: asOf - 365, through: asOf)
        #expect(resolved == (1, 10))
        #expect(data.ledgers[.interactions]!.rejectsByReason == [.badResolution: 1])
    }

    @Test func accountDuplicatesAndUnknownAccounts() throws {
        let data = try clean(pipeline(
            transactions: "account_id,date,amount\nA,2024-01-05,1\nZ,2024-01-05,1\n",
            accounts: "account_id,name,industry\nA,Acme,Retail\nA,Acme,Retail\nA,Acme Corp,Retail\nB,Beta,\n"))
        let l = data.ledgers[.accounts]!
        #expect(l.duplicatesMerged == 1 && l.rejectsByReason == [.duplicateAccountConflict: 1] && l.rowsAccepted == 2)
        #expect(data.accounts["A"]?.name == "Acme")
        #expect(data.conflictingAccountIds == ["A"])
        #expect(data.unknownAccounts == ["Z"])
    }

    @Test func openLinesAreExcludedFromRevenueAndCountedEvenWithoutAnAmount() throws {
        let data = try clean(pipeline(
            transactions: "account_id,date,amount,status\nA,2024-01-05,10,paid\nA,2024-01-06,,open\nB,2024-01-07,99.5,报价\n,bad,x,quote\nC,2024-01-08,1,pending\n",
            txColumns: "account_id: account_id, date: date, amount: amount, status: status"))
        let ledger = data.ledgers[.transactions]!
        #expect(ledger.rowsRead == 5 && ledger.rowsAccepted == 1 && ledger.excludedOpen == 3 && ledger.rowsRejected == 1)
        #expect(ledger.balances && ledger.amountsBalance)
        #expect(ledger.open.rows == 1 && ledger.open.base == Money(units: 995_000))
        #expect(ledger.netRevenueBase == Money(units: 100_000))
        #expect(data.histories.map(\.accountId) == ["A"])
    }

    @Test func titleLinesAboveTheHeaderAreSkippedAndCounted() throws {
        let text = "销售明细报表\n导出时间: 2024-12-31, 全部\naccount_id,date,amount\nA,2024-01-05,1\nB,bad,1\n"
        for encoding in ["utf-8", "gb18030"] {
            let path = pipeline(transactions: encoding == "utf-8" ? text : "", txOptions: "skip_rows: 2\nencoding: \(encoding)")
            if encoding == "gb18030" { try Data(gb18030Bytes(text)).write(to: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tx.csv")) }
            let data = try clean(path)
            #expect(data.files[.transactions]!.titleLinesSkipped == 2 && data.files[.transactions]!.header == ["account_id", "date", "amount"])
            #expect(data.ledgers[.transactions]!.rowsRead == 2 && data.ledgers[.transactions]!.rowsAccepted == 1)
            #expect(data.rejects.all.map(\.line) == [5], "\(encoding): the reject keeps its line in the file")
        }
    }

    @Test func theRowsEachFXRateConvertedAreCounted() throws {
        let path = pipeline(
            transactions: "account_id,date,amount,currency\nA,2024-01-05,1,USD\nA,2024-02-05,2,USD\nB,2024-07-05,3,USD\nB,2024-07-06,4,CNY\nC,2024-07-07,x,USD\n",
            txColumns: "account_id: account_id, date: date, amount: amount, currency: currency",
            fxRates: "currency,rate,valid_from\nUSD,7.0,2024-01-01\nUSD,7.2,2024-06-01\n")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        write(text.replacingOccurrences(of: "columns: { currency: currency, rate: rate }", with: "columns: { currency: currency, rate: rate, valid_from: valid_from }"), to: URL(fileURLWithPath: path))
        let data = try clean(path)
        let jan = Day(iso: "2024-01-01")!, jun = Day(iso: "2024-06-01")!
        #expect(data.rowsConverted == [FXRateKey(currency: "USD", validFrom: jan): 2, FXRateKey(currency: "USD", validFrom: jun): 1])
        #expect(data.fx.rates.map(\.key) == [FXRateKey(currency: "USD", validFrom: jan), FXRateKey(currency: "USD", validFrom: jun)])
    }

    /// The demo's transactions with one stray opening quote inserted: that line alone is
    /// rejected, every other row reads as before.
    @Test func aStrayQuoteInTheDemoCostsOneLine() throws {
        let demo = packageRoot.appendingPathComponent("fixtures/demo/transactions.csv")
        var lines = try String(contentsOf: demo, encoding: .utf8).components(separatedBy: "\n")
        lines.insert("T99999,1,C00001,\"2024-01-05,100,CNY,paid,", at: 1000)
        let columns = "account_id: account_id, date: txn_date, amount: amount, txn_id: txn_id, line_no: line_no, currency: currency, status: status"
        let before = try clean(pipeline(transactions: try String(contentsOf: demo, encoding: .utf8), txColumns: columns, extra: "fx: { USD: 7.1, EUR: 7.8, HKD: 0.91 }"), threads: 2)
        let after = try clean(pipeline(transactions: lines.joined(separator: "\n"), txColumns: columns, extra: "fx: { USD: 7.1, EUR: 7.8, HKD: 0.91 }"), threads: 2)
        let (b, a) = (before.ledgers[.transactions]!, after.ledgers[.transactions]!)
        #expect(a.rowsRead == b.rowsRead + 1 && a.rowsRejected == b.rowsRejected + 1 && a.rowsAccepted == b.rowsAccepted)
        #expect(a.rejectsByReason[.unterminatedQuote] == 1)
        #expect(after.rejects.all.filter { $0.reason == .unterminatedQuote }.map(\.line) == [1001])
        #expect(after.histories == before.histories)
    }

    @Test func fxRateProblems() throws {
        let data = try clean(pipeline(
            transactions: "account_id,date,amount\nA,2024-01-05,1\n", fxRates: "currency,rate\nUSD,7.1\nEUR,-3\nUSD,7.2\n"))
        #expect(data.ledgers[.fxRates]!.rejectsByReason == [.badRate: 2])
    }

    @Test func qualityGateNamesTheInputAndItsTopReasons() throws {
        let dir = temporaryFolder()
        write("account_id,date,amount\nA,2024-01-05,1\nB,bad,1\nC,bad,1\n", to: dir.appendingPathComponent("tx.csv"))
        let path = write("""
            name: t
            as_of: 2024-12-31
            output: out
            inputs:
              transactions: { path: tx.csv, max_reject_rate: 0.5, columns: { account_id: account_id, date: date, amount: amount } }
            """, to: dir.appendingPathComponent("p.yaml"))
        let config = try PipelineConfig.load(path: path)
        let data = try CleanStage.run(config, threads: 2, progress: Progress(quiet: true))
        let failures = QualityGate.failures(data, config: config, previous: [:], previousFolder: "", acceptDrop: false)
        #expect(failures.count == 1 && failures[0].input == .transactions)
        #expect(failures[0].reason.contains("66.67 % of rows rejected (2 of 3)") && failures[0].reason.contains("bad_date 2"))
    }

    @Test func gb18030WithChineseHeadersGivesTheSameRecords() throws {
        let text = "客户编号,交易日期,金额（元）\nC001,2024年3月5日,\"1,200.50\"\nC002,2024年3月6日,￥88\nC003,坏日期,1\n"
        let columns = "account_id: 客户编号, date: 交易日期, amount: 金额（元）"
        let options = "date_formats: [\"yyyy年M月d日\"]"
        let utf8 = try clean(pipeline(transactions: text, txOptions: options, txColumns: columns))
        let gbPath = pipeline(transactions: "", txOptions: options + "\nencoding: gb18030", txColumns: columns)
        let gbFile = URL(fileURLWithPath: gbPath).deletingLastPathComponent().appendingPathComponent("tx.csv")
        try Data(gb18030Bytes(text)).write(to: gbFile)
        let gb = try clean(gbPath)
        #expect(gb.histories == utf8.histories)
        #expect(gb.rejects.all == utf8.rejects.all)
        #expect(gb.histories.count == 2 && gb.rejects.count == 1)
    }

    @Test func sameResultWithOneOrManyThreads() throws {
        let path = pipeline(transactions: String(repeating: "", count: 0) + (["account_id,date,amount"] + (0..<20_000).map { "A\($0 % 97),2024-0\(1 + $0 % 9)-1\($0 % 10),\($0 % 13).5" }).joined(separator: "\n"))
        let one = try clean(path, threads: 1)
        let four = try clean(path, threads: 4)
        #expect(one.histories == four.histories)
        #expect(one.ledgers[.transactions]!.accepted == four.ledgers[.transactions]!.accepted)
    }
}

/// UTF-8 text as GB18030 bytes.
func gb18030Bytes(_ text: String) -> [UInt8] { GB18030Encoder.encode(text)! }
