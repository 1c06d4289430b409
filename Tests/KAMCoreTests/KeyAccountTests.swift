import Foundation
import Testing

@testable import KAMCore

@Suite struct KeyAccountTests {
    /// Eight quarterly runs on generated data, recorded in one history: the list never exceeds
    /// the cap, every account on it qualified (by the rules, or as a strategic decision, or as
    /// an incumbent in its one run of grace), re-running a quarter adds no snapshot, hysteresis
    /// makes fewer changes than the same rules without it, each account's previous tier is the
    /// one recorded, and the migration matrix counts every account of both runs once.
    @Test func eightQuartersOfKeyAccounts() throws {
        let quarters = ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
        var changes: [Bool: Int] = [:]
        var sizes: [Bool: [Int]] = [:]
        for hysteresis in [true, false] {
            var previousTiers: [String: String] = [:]
            let rules = hysteresis ? "" : "\n  keep_within: 1\n  ineligible_runs: 1"
            let (path, dir) = try generatedPipeline(
                accounts: 300, transactions: 12_000, seed: 12, extra: "key_accounts:\n  cap: 12\n  min_revenue_12m: 1000\(rules)",
                years: 5)
            for (i, quarter) in quarters.enumerated() {
                let config = try PipelineConfig.load(path: path, asOfOverride: quarter)
                let out = try Runner.run(config, threads: 2, progress: Progress(quiet: true)).folder
                if i == 3 {  // the same quarter again: replaced, not added
                    _ = try Runner.run(config, threads: 2, progress: Progress(quiet: true))
                }
                // Trends against the previous quarter-end run (here the previous run): each
                // account's tier then, and a migration matrix that counts every account in both.
                let ranked = try csvRows(out + "/ranked_accounts.csv")
                let tiers = Dictionary(uniqueKeysWithValues: ranked.map { ($0["account_id"]!, $0["tier"]!) })
                if i > 0 {
                    #expect(ranked.allSatisfy { $0["tier_qe"] == (previousTiers[$0["account_id"]!] ?? "") && $0["tier_prev"] == $0["tier_qe"] })
                    let migration = try csvRows(out + "/tier_migration.csv")
                    let both = migration.filter { $0["from_tier"] != "new" && $0["to_tier"] != "gone" }.reduce(0) { $0 + Int($1["accounts"]!)! }
                    #expect(both == Set(tiers.keys).intersection(previousTiers.keys).count, "\(quarter)")
                    #expect(migration.reduce(0) { $0 + Int($1["accounts"]!)! } == Set(tiers.keys).union(previousTiers.keys).count)
                }
                previousTiers = tiers
                let rows = try csvRows(out + "/key_accounts.csv")
                let onList = rows.filter { $0["status"] == "new" || $0["status"] == "kept" }
                #expect(onList.count <= 12, "\(quarter)")
                sizes[hysteresis, default: []].append(onList.count)
                changes[hysteresis, default: 0] += i == 0 ? 0 : rows.filter { $0["status"] == "new" || $0["status"] == "demoted" }.count
                for r in onList {
                    let qualified =
                        r["strategic"] == "yes" || (!r["reason"]!.hasPrefix("ineligible") && r["lifecycle"] != "churned"
                            && Double(r["revenue_12m"]!)! >= 1000) || r["reason"]!.contains("kept while ineligible")
                    #expect(qualified, "\(quarter): \(r)")
                }
            }
            let history = try RunHistory(path: dir.appendingPathComponent("out/history.sqlite").path, readOnly: true)
            #expect(try history.runs().count == 8)
        }
        #expect(changes[true]! < changes[false]!, "changes with hysteresis \(changes[true]!), without \(changes[false]!)")
        print("key accounts per quarter with hysteresis \(sizes[true]!), changes \(changes[true]!); without \(sizes[false]!), changes \(changes[false]!)")
    }

    /// The rules on hand-made candidates: ineligible accounts are never chosen, incumbents stay
    /// within cap × keep_within and for one run of ineligibility, strategic accounts count
    /// towards the cap.
    @Test func selectionFollowsItsRules() {
        func candidate(_ id: String, _ score: Double, previous: KeyAccountStatus? = nil, strategic: Bool = false, lifecycle: String = "active", eligibleBefore: Bool? = true) -> KeyAccountCandidate {
            KeyAccountCandidate(
                accountId: id, score: score, revenue12m: score, clv: score, lifecycle: lifecycle, healthBand: nil, strategic: strategic,
                previousStatus: previous, previousEligible: previous == nil ? nil : eligibleBefore, previousHealthBand: nil)
        }
        var settings = KeyAccountSettings()
        settings.cap = 3
        let decisions = KeyAccountSelection.select([
            candidate("A", 100), candidate("B", 90), candidate("C", 80, previous: .kept), candidate("D", 70, previous: .kept),
            candidate("E", 60, previous: .kept, lifecycle: "churned"), candidate("F", 50, previous: .kept, lifecycle: "churned", eligibleBefore: false),
            candidate("S", 1, strategic: true), candidate("X", 95, lifecycle: "prospect"),
        ], settings: settings)
        // Cap 3: S (strategic) first, then incumbents C, D (ranks 3 and 4 ≤ 3 × 1.2) and E (in
        // its one run of grace), over the cap: E and D, the lowest ranked, go; nothing new fits.
        #expect(decisions["S"]?.status == .new)
        #expect(decisions["C"]?.status == .kept)
        #expect(decisions["F"]?.status == .demoted && decisions["F"]!.reason.contains("lifecycle churned"))
        #expect(decisions["X"]?.status == nil && decisions["X"]?.eligible == false)
        let onList = decisions.values.filter { $0.status?.isKey == true }
        #expect(onList.count == 3)
        #expect(decisions["A"]?.status == .candidate || decisions["A"]?.status == .new)
    }

    /// `rank_by: score` ranks by the weighted, scaled criteria: scores lie within the sum of
    /// the weights and the list is in score order.
    @Test func aWeightedScoreRanksTheList() throws {
        let (path, _) = try generatedPipeline(
            accounts: 200, transactions: 5000, seed: 4,
            extra: "key_accounts:\n  rank_by: score\n  cap: 10\n  score_weights: { clv: 1, revenue_12m: 1, health_score: 0 }")
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        let eligible = try csvRows(out + "/key_accounts.csv").filter { !$0["rank"]!.isEmpty }
        let scores = eligible.sorted { Int($0["rank"]!)! < Int($1["rank"]!)! }.map { Double($0["score"]!)! }
        #expect(!scores.isEmpty && scores.allSatisfy { (0...2).contains($0) } && scores == scores.sorted(by: >))
        #expect(eligible.allSatisfy { $0["rank_by"] == "score" })
        // Contact coverage of the key accounts: those on the list whose coverage is at least 1.
        let key = Set(try csvRows(out + "/key_accounts.csv").filter { $0["status"] == "new" || $0["status"] == "kept" }.map { $0["account_id"]! })
        let covered = try csvRows(out + "/ranked_accounts.csv").filter { key.contains($0["account_id"]!) }.map { Double($0["coverage"]!)! >= 1 }
        let kpi = try csvRows(out + "/kpi_summary.csv").first { $0["kpi"] == "key_account_contact_coverage" }
        #expect(kpi?["value"] == CSVFormat.decimal(Double(covered.filter { $0 }.count) / Double(covered.count), 4))
    }
}
