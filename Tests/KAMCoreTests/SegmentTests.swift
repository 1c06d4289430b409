import Foundation
import Testing

@testable import KAMCore

/// A history with a purchase (net `amount`) on each of `daysAgo` before `asOf`.
func history(_ id: String, asOf: Day, _ purchases: [(daysAgo: Int, amount: Int64)]) -> AccountHistory {
    AccountHistory(accountId: id, days: purchases.sorted { $0.daysAgo > $1.daysAgo }.map { p in
        var d = DayTotals(day: asOf - p.daysAgo)
        if p.amount >= 0 {
            d.paid = Money(units: p.amount * Money.scale)
            d.paidLines = 1
        } else {
            d.refunded = Money(units: -p.amount * Money.scale)
            d.refundLines = 1
        }
        return d
    }, cutoffs: [asOf])
}

@Suite struct SegmentTests {
    static let asOf = Day(iso: "2024-12-31")!

    /// Every lifecycle transition with new 90, dormant 180, churned 365 days.
    @Test(arguments: [
        ([Int](), LifecycleStage.prospect),
        ([30], .new), ([89], .new), ([90], .active), ([400, 300, 200, 100, 10], .active), ([400, 10], .reactivated), ([400, 179], .active),
        ([400, 180], .dormant), ([400, 364], .dormant), ([400, 365], .churned), ([700], .churned),
        ([500, 20], .reactivated), ([300, 100, 20], .active), ([400, 200, 15], .reactivated), ([500, 120], .active),
    ])
    func lifecycle(daysAgo: [Int], expected: LifecycleStage) {
        let h = daysAgo.isEmpty ? nil : history("A", asOf: Self.asOf, daysAgo.map { ($0, 10) })
        let activity = AccountActivity(history: h, asOf: Self.asOf, newDays: 90)
        #expect(LifecycleStage.classify(activity, settings: SegmentSettings()) == expected, "\(daysAgo)")
    }

    @Test func abcTiersByCumulativeShare() {
        let basis: [(id: String, value: Double)] = [("a", 50), ("b", 30), ("c", 10), ("d", 5), ("e", 3), ("f", 2), ("g", 0), ("h", -4)]
        let tiers = ValueTier.assign(basis, aUpTo: 0.8, bUpTo: 0.95)
        // b takes the share from 50 % to 80 %: it crosses the A boundary and stays A.
        #expect(["a", "b", "c", "d", "e", "f", "g", "h"].map { tiers[$0]! } == [.A, .A, .B, .B, .C, .C, .C, .C])
        // One account with everything is A; ties go by id.
        #expect(ValueTier.assign([("x", 1)], aUpTo: 0.8, bUpTo: 0.95)["x"] == .A)
        let tied = ValueTier.assign([("q", 10), ("p", 10)], aUpTo: 0.5, bUpTo: 0.95)
        #expect(tied["p"] == .A && tied["q"] == .B)
    }

    @Test func rfmActivityWindows() {
        let h = history("A", asOf: Self.asOf, [(10, 100), (10, 0), (200, 50), (364, 7), (365, 1000), (729, 3), (730, 99999), (20, -30)])
        let a = AccountActivity(history: h, asOf: Self.asOf, newDays: 90)
        #expect(a.recencyDays == 10)
        // Two paid lines 10 days ago are one purchase day: 10, 200 and 364 days ago.
        #expect(a.purchaseDays12m == 3)
        #expect(a.revenue12m == Money(units: (100 + 50 + 7 - 30) * Money.scale))
        #expect(a.revenuePrior12m == Money(units: 1003 * Money.scale))
    }

    @Test func rfmSegmentsFromRules() {
        let rules = RFMRule.defaults
        func name(_ r: Int, _ f: Int, _ m: Int) -> String { rules.first { $0.matches(r: r, f: f, m: m) }!.name }
        #expect(name(5, 5, 5) == "Champions")
        #expect(name(1, 5, 5) == "Can't lose them")
        #expect(name(5, 1, 1) == "New")
        #expect(name(1, 1, 1) == "Lost")
        #expect(name(2, 4, 2) == "At risk")
        // Every score combination gets a name.
        for r in 1...5 { for f in 1...5 { for m in 1...5 { #expect(rules.contains { $0.matches(r: r, f: f, m: m) }) } } }
    }

    func row(_ id: String, prior: Int64, last: Int64, risk: ChurnRiskBand? = nil, clv: Double? = nil) -> AccountReportRow {
        var purchases: [(Int, Int64)] = []
        if prior != 0 { purchases.append((400, prior)) }
        if last != 0 { purchases.append((100, last)) }
        let h = history(id, asOf: Self.asOf, purchases)
        let activity = AccountActivity(history: h, asOf: Self.asOf, newDays: 90)
        let segment = AccountSegment(
            accountId: id, activity: activity, lifecycle: .active, rfm: nil, rfmSegment: "", industry: "I", region: "R", size: "S",
            accountManager: "M", name: id)
        let churn = risk.map { AccountChurn(model: 0.5, supervised: nil, chosen: $0 == .high ? 0.8 : 0.1, risk: $0, driverList: []) }
        return AccountReportRow(segment: segment, value: nil, churn: churn, tier: .A, action: "")
    }

    /// GRR, NRR, logo churn and concentration by hand on four accounts.
    @Test func kpisOnAHandExample() {
        var g = KPIGroup()
        let rows = [row("A", prior: 100, last: 150, risk: .high), row("B", prior: 100, last: 50, risk: .low), row("C", prior: 0, last: 40), row("D", prior: 50, last: 0)]
        for r in rows { g.add(r) }
        #expect(g.revenue12m == Money(units: 240 * Money.scale) && g.revenuePrior12m == Money(units: 250 * Money.scale))
        #expect(abs(g.grr! - 150.0 / 250) < 1e-12)  // min(100,150) + min(100,50) + min(50,0)
        #expect(abs(g.nrr! - 200.0 / 250) < 1e-12)
        #expect(abs(g.logoChurn! - 1.0 / 3) < 1e-12)
        #expect(abs(g.growth! - (-10.0 / 250)) < 1e-12)
        #expect(g.active == 3 && abs(g.arpa! - 80) < 1e-12)
        #expect(g.revenueAtRisk == Money(units: 150 * Money.scale))
        let c = KPITables.Concentration(rows)
        let hhi: Double = pow(150.0 / 240 * 100, 2) + pow(50.0 / 240 * 100, 2) + pow(40.0 / 240 * 100, 2)
        #expect(abs(c.hhi! - hhi) < 1e-9)
        #expect(abs(c.effectiveAccounts! - 10_000 / hhi) < 1e-9)
        #expect(c.top10Share == 1)
        #expect(abs(c.top20PercentShare! - 150.0 / 240) < 1e-12)  // 20 % of 3 accounts, rounded up: 1
    }

    @Test func grrNeverExceedsOne() {
        var rng = RandomSource(seed: 8)
        for _ in 0..<50 {
            var g = KPIGroup()
            for i in 0..<20 { g.add(row("A\(i)", prior: Int64(rng.int(1000)), last: Int64(rng.int(3000)) - 500)) }
            if let grr = g.grr { #expect(grr <= 1 + 1e-12) }
        }
    }

    @Test func kpiTablesWriteExactMoneyAndATotalRow() throws {
        let config = try PipelineConfig.load(path: cdnowPipeline())
        let rows = [row("A", prior: 100, last: 150), row("B", prior: 3, last: 0)]
        let csv = String(decoding: KPITables.byDimension(rows, column: "tier", key: { $0.tier.rawValue }, config: config).csv(bom: false), as: UTF8.self)
        let lines = csv.split(separator: "\n")
        #expect(lines[0].hasPrefix("tier,accounts,active_accounts,revenue_12m,revenue_prior_12m,revenue_share,growth,grr,nrr,logo_churn"))
        #expect(lines[1].hasPrefix("A,2,1,150.00,103.00,1.0000,0.4563,0.9709,1.4563,0.5000"))
        #expect(lines[2].hasPrefix("Total,2,1,150.00,103.00"))
        #expect(lines[1].hasSuffix(",USD"))
    }

    @Test func actionsComeFromTheFirstMatchingRule() {
        let rules = ActionRule.defaults
        func action(_ tier: String, _ risk: String, _ stage: String) -> String { rules.first { $0.matches(tier: tier, risk: risk, lifecycle: stage) }!.action }
        #expect(action("A", "high", "active") == "Executive sponsor visit within 14 days")
        #expect(action("A", "low", "active") == "Dedicated account manager and quarterly business review")
        #expect(action("B", "low", "active") == "Engagement programme and path to tier A")
        #expect(action("C", "medium", "active") == "Self-service and monitoring")
        #expect(action("A", "low", "new") == "Onboarding programme")
        #expect(action("B", "low", "dormant") == "Win-back contact")
        #expect(action("C", "high", "churned") == "Exit interview and win-back offer")
        #expect(action("C", "none", "prospect").hasPrefix("Qualify"))
    }

    /// Tiers and actions are decided in Segment, from the segments (and value and churn when
    /// they ran), so every report shows the same decision.
    @Test func decideGivesTiersByRevenueShareAndTheFirstMatchingAction() throws {
        let path = pipeline(transactions: "account_id,date,amount\nA,2024-08-05,1000\nB,2024-08-05,100\nC,2024-08-05,10\nA,2024-09-05,1\n")
        let config = try PipelineConfig.load(path: path)
        let segments = SegmentStage.run(try clean(path), asOf: config.asOf, settings: config.segment)
        let decisions = SegmentStage.decide(segments, value: nil, churn: nil, config: config)
        #expect(decisions.mapValues(\.tier) == ["A": .A, "B": .B, "C": .C])
        #expect(decisions["A"]?.action == "Dedicated account manager and quarterly business review")
        #expect(decisions["B"]?.action == "Engagement programme and path to tier A")
        #expect(decisions["C"]?.action == "Self-service and monitoring")
    }
}
