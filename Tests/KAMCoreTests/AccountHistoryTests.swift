import Testing

@testable import KAMCore

@Suite struct AccountHistoryTests {
    /// Random lines (paid, refund, cancelled) over two years, fed in a shuffled order, against
    /// sums taken directly over the lines: the accumulators must not depend on the row order
    /// and must give the day-level definitions exactly (a purchase day has a paid line; the
    /// purchase-day net leaves out refunds on other days; the first day's net is its own).
    @Test(arguments: [1, 2, 3, 4, 5])
    func accumulatorsEqualSumsOverTheLines(seed: UInt64) {
        var rng = RandomSource(seed: seed)
        let asOf = Day(iso: "2024-12-31")!
        let cutoffs = [asOf, asOf - 90]
        var lines: [DayTotals] = []
        for _ in 0..<(20 + Int(rng.uniform() * 200)) {
            var d = DayTotals(day: asOf - Int(rng.uniform() * 900))
            let u = rng.uniform()
            if u < 0.6 {
                d.paid = Money(units: Int64(rng.uniform() * 1e8))
                d.paidLines = 1
                if rng.uniform() < 0.5 {
                    d.cost = Money(units: Int64(rng.uniform() * 1e7))
                    d.costedLines = 1
                }
            } else if u < 0.9 {
                d.refunded = Money(units: Int64(rng.uniform() * 1e7))
                d.refundLines = 1
                d.cost = Money(units: -Int64(rng.uniform() * 1e6))
                d.costedLines = 1
            } else {
                d.cancelledLines = 1
            }
            lines.append(d)
        }
        var shuffled = lines
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.uniform() * Double(i + 1))) }
        let h = AccountHistory(accountId: "A", days: shuffled, cutoffs: cutoffs)
        #expect(h == AccountHistory(accountId: "A", days: lines, cutoffs: cutoffs))

        let purchaseDays = Set(lines.filter { $0.paidLines > 0 }.map(\.day))
        for c in cutoffs {
            let upTo = lines.filter { $0.day <= c }
            func sum(_ f: (DayTotals) -> Money, _ include: (DayTotals) -> Bool = { _ in true }) -> Money {
                upTo.filter(include).reduce(Money.zero) { $0 + f($1) }
            }
            #expect(h.net(through: c) == sum(\.net))
            #expect(h.net(after: c - 90, through: c) == sum(\.net) { $0.day > c - 90 })
            #expect(h.paid(through: c) == sum(\.paid))
            #expect(h.purchaseDayNet(through: c) == sum(\.net) { purchaseDays.contains($0.day) })
            let allCosted = upTo.allSatisfy { $0.costedLines == $0.paidLines + $0.refundLines }
            #expect(h.cost(through: c) == (allCosted ? sum(\.cost) : nil))
            let days = purchaseDays.filter { $0 <= c }.sorted()
            #expect(h.firstPurchase(onOrBefore: c) == days.first)
            #expect(h.lastPurchase(onOrBefore: c) == days.last)
            #expect(h.purchaseDays(after: c - 365, through: c) == days.filter { $0 > c - 365 }.count)
            #expect(h.purchaseDayList(after: c - 180, through: c) == days.filter { $0 > c - 180 })
            if let first = days.first, let s = RepeatPurchaseSummary(history: h, asOf: c) {
                #expect(s.frequency == days.count - 1)
                #expect(s.repeatNetSpend == sum(\.net) { $0.day != first && purchaseDays.contains($0.day) })
                #expect(s.revenue == sum(\.net))
            }
        }
    }

    /// Paid, refund and cancelled rows on few days, added in file order and shuffled: the same
    /// history (the transactions book adds the first row of a key that only looked seen after
    /// the pass, out of order).
    @Test(arguments: [11, 12, 13, 14, 15, 16])
    func rowsGiveTheSameHistoryInAnyOrder(seed: UInt64) {
        var rng = RandomSource(seed: seed)
        let asOf = Day(iso: "2024-12-31")!
        let points = CutoffPoints(cutoffs: [asOf, asOf - 90])
        var rows: [TransactionRows.Row] = []
        for _ in 0..<(5 + Int(rng.uniform() * 60)) {
            let u = rng.uniform()
            let status: TransactionStatus = u < 0.55 ? .paid : u < 0.9 ? .refund : .cancelled
            // Few distinct days, so copies, refunds and first days meet on the same day.
            let day = (asOf - Int(rng.uniform() * 40) * 20).ordinal
            let units = Int64(rng.uniform() * 1e6) * (rng.uniform() < 0.05 ? 0 : 1)
            let cost = rng.uniform() < 0.5 ? TransactionRows.noCost : Int64(rng.uniform() * 1e5)
            rows.append(
                TransactionRows.Row(
                    accountHash: 0, day: day, status: status, amount: status == .refund ? -units : units, slot: 0,
                    base: status == .refund ? -units : units, cost: cost, line: rows.count + 2))
        }
        var shuffled = rows
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(rng.uniform() * Double(i + 1))) }
        var inOrder = AccountHistory(accountId: "A", points: points), anyOrder = AccountHistory(accountId: "A", points: points)
        for r in rows { inOrder.add(r) }
        for r in shuffled { anyOrder.add(r) }
        #expect(inOrder == anyOrder)
        #expect(inOrder.purchaseDayNet(through: asOf) == anyOrder.purchaseDayNet(through: asOf))
        #expect(inOrder.firstPurchaseDayNet == anyOrder.firstPurchaseDayNet)
    }

    /// A batch's table of intervals gives every day the interval the binary search gives, on
    /// and around every point; a span longer than the table's limit gives no table.
    @Test func intervalTableAgreesWithTheSearch() {
        let asOf = Day(iso: "2024-12-31")!
        let points = CutoffPoints(cutoffs: [asOf, asOf - 90, asOf - 400])
        let first = points.days.first! - 30, last = points.days.last! + 30
        let table = points.intervals(from: first, through: last)!
        #expect(table.count == Int(last - first) + 1)
        for day in first...last { #expect(Int(table[Int(day - first)]) == points.interval(of: day), "day \(day)") }
        let from = points.days[3]
        #expect(points.intervals(from: from, through: from)! == [Int32(points.interval(of: from))])
        #expect(points.intervals(from: first, through: first + 100, maxDays: 100) == nil)
        #expect(points.intervals(from: last, through: first) == nil)
    }

    @Test func aRefundBeforeItsDaysFirstPaidLineCountsOnThatPurchaseDay() {
        let asOf = Day(iso: "2024-06-30")!
        var refund = DayTotals(day: asOf - 10)
        refund.refunded = Money(units: 30)
        refund.refundLines = 1
        var paid = DayTotals(day: asOf - 10)
        paid.paid = Money(units: 100)
        paid.paidLines = 1
        var lonelyRefund = DayTotals(day: asOf - 5)
        lonelyRefund.refunded = Money(units: 7)
        lonelyRefund.refundLines = 1
        let h = AccountHistory(accountId: "A", days: [lonelyRefund, refund, paid], cutoffs: [asOf])
        #expect(h.firstPurchaseDayNet == Money(units: 70))
        #expect(h.purchaseDayNet(through: asOf) == Money(units: 70))
        #expect(h.net(through: asOf) == Money(units: 63))
        #expect(h.purchaseDays(after: asOf - 30, through: asOf) == 1)
    }
}
