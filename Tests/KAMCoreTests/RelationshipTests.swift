import CSVIO
import Foundation
import Testing

@testable import KAMCore

@Suite struct RelationshipTests {
    /// Folded interactions answer every query as the interactions themselves do: counts by
    /// type and window, contacts, surveys, competitor mentions, resolved and open complaints,
    /// the latest contact, meeting or visit and survey, at each cut-off of the run.
    @Test func contactHistoryAnswersAsTheRecordsDo() {
        let asOf = Day(year: 2024, month: 12, day: 31)!
        let cutoffs = [asOf, asOf - 90]
        let points = CutoffPoints(cutoffs: cutoffs)
        var random = RandomSource(seed: 5)
        var records: [InteractionRecord] = []
        for _ in 0..<3000 {
            let type = InteractionType.allCases[random.int(InteractionType.allCases.count)]
            let day = asOf - 1000 + random.int(1100)
            records.append(
                InteractionRecord(
                    accountId: "A", day: day, type: type,
                    satisfaction: random.chance(0.2) ? Double(random.int(101)) : nil,
                    resolutionDays: type == .complaint && random.chance(0.7) ? Double(random.int(40)) + (random.chance(0.3) ? 0.5 : 0) : nil,
                    mentionsCompetitor: random.chance(0.05)))
        }
        var history = ContactHistory(points: points)
        for r in records { history.add(r) }
        func resolvedDay(_ r: InteractionRecord) -> Day? { r.resolutionDays.map { r.day + Int($0.rounded(.up)) } }
        for c in cutoffs {
            let seen = records.filter { $0.day <= c }
            for w in CutoffPoints.windowDays {
                let inWindow = seen.filter { c - $0.day < w }
                for type in InteractionType.allCases {
                    #expect(history.count(type, after: c - w, through: c) == inWindow.filter { $0.type == type }.count)
                }
                #expect(history.contacts(after: c - w, through: c) == inWindow.filter { ContactHistory.contactTypes.contains($0.type) }.count)
                #expect(
                    history.competitorMentions(after: c - w, through: c) == inWindow.filter { $0.type == .competitor || $0.mentionsCompetitor }.count)
                let scores = inWindow.compactMap(\.satisfaction)
                let surveys = history.surveys(after: c - w, through: c)
                #expect(surveys.count == scores.count && abs(surveys.sum - scores.reduce(0, +)) < 1e-6)
                let resolved = records.filter { r in r.type == .complaint && resolvedDay(r).map { $0 <= c && c - $0 < w } ?? false }
                let answer = history.resolvedComplaints(after: c - w, through: c)
                #expect(answer.count == resolved.count && abs(answer.days - resolved.reduce(0) { $0 + $1.resolutionDays! }) < 1e-6)
            }
            for type in InteractionType.allCases { #expect(history.count(type, onOrBefore: c) == seen.filter { $0.type == type }.count) }
            let open = seen.filter { r in r.type == .complaint && (resolvedDay(r).map { $0 > c } ?? true) }
            #expect(history.openComplaints(at: c) == open.count)
            #expect(history.oldestOpenComplaint(at: c) == open.map(\.day).min())
            #expect(history.latestContact(onOrBefore: c) == seen.filter { ContactHistory.contactTypes.contains($0.type) }.map(\.day).max())
            #expect(history.latestMeetingOrVisit(onOrBefore: c) == seen.filter { $0.type == .meeting || $0.type == .visit }.map(\.day).max())
            let lastSurveyDay = seen.filter { $0.satisfaction != nil }.map(\.day).max()
            let latest = history.latestSurvey(onOrBefore: c)
            #expect(latest?.day == lastSurveyDay)
            if let lastSurveyDay, let latest {
                let thatDay = seen.filter { $0.day == lastSurveyDay }.compactMap(\.satisfaction)
                #expect(abs(latest.mean - thatDay.reduce(0, +) / Double(thatDay.count)) < 1e-9)
            }
        }
    }

    /// On generated data whose accounts have a known relationship state (good, cooling, lost to
    /// a competitor), every index ranks accounts by that state (competitive leaning the other
    /// way), red accounts stop buying in the next 90 days at least twice as often as green
    /// ones, and the backtest reports the health score's churn AUC beside the churn model's.
    @Test func indicesAndHealthFollowTheTrueRelationship() throws {
        let cutoff = Day(year: 2024, month: 10, day: 2)!, end = Day(year: 2024, month: 12, day: 31)!
        let (path, dir) = try generatedPipeline(accounts: 1500, transactions: 90_000, seed: 21, notes: true)
        var config = try PipelineConfig.load(path: path, asOfOverride: cutoff.iso)
        let out = try Runner.run(config, threads: 2, progress: Progress(quiet: true)).folder
        let truth = try csvRows(dir.appendingPathComponent("data/ground_truth_accounts.csv").path)
        var state: [String: Double] = [:]
        for t in truth where !t["relationship_state"]!.isEmpty {
            let s = DataGenerator.relationshipState(dropout: Day(iso: t["dropout_date"]!), on: cutoff)
            state[t["account_id"]!] = s == .good ? 2 : (s == .cooling ? 1 : 0)
        }
        let rows = try csvRows(out + "/ranked_accounts.csv")
        for index in RelationshipIndex.allCases {
            let pairs = rows.compactMap { r in Double(r[index.column]!).flatMap { v in state[r["account_id"]!].map { (v, $0) } } }
            #expect(pairs.count > 500, "\(index.column)")
            let rho = spearman(pairs.map(\.0), pairs.map(\.1))
            if index == .competitiveLeaning {
                #expect(rho < -0.1, "\(index.column): \(rho)")
            } else {
                #expect(rho > 0.2, "\(index.column): \(rho)")
            }
        }

        config.asOf = end
        let backtest = dir.appendingPathComponent("bt").path
        _ = try Backtester.run(config, cutoff: cutoff, until: end, output: backtest, threads: 2, progress: Progress(quiet: true))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: backtest + "/backtest.json"))) as! [String: Any]
        let health = json["health"] as! [String: Any]
        let bands = health["by_band"] as! [String: [String: Any]]
        let red = bands["red"]!["churn_rate"] as! Double, green = bands["green"]!["churn_rate"] as! Double
        #expect(red >= 2 * green, "red \(red), green \(green)")
        #expect((health["auc"] as! Double) > 0.7)
        #expect(health["chosen_churn_auc_same_accounts"] is Double)
    }

    /// Without an interactions input the contact facts and indices are empty, not 0, and health
    /// rests on churn and the revenue trend alone.
    @Test func withoutInteractionsTheRelationshipColumnsAreEmpty() throws {
        let (path, _) = try generatedPipeline(accounts: 120, transactions: 3000, seed: 4, interactions: false)
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        let rows = try csvRows(out + "/ranked_accounts.csv")
        for r in rows {
            for column in ["last_contact_date", "meetings_visits_90d", "coverage", "csat_latest", "open_complaints"]
                + RelationshipIndex.allCases.map(\.column)
            {
                #expect(r[column] == "", "\(column) of \(r["account_id"]!)")
            }
        }
        #expect(rows.contains { !$0["health_score"]!.isEmpty })
        #expect(rows.allSatisfy { !($0["health_drivers"]!.contains("meeting") || $0["health_drivers"]!.contains("CSAT")) })
    }

    /// Drivers name the weakest components by weighted shortfall, at most three, in words with
    /// numbers; a healthy account has none.
    @Test func driversNameTheWeakestComponents() {
        let settings = RelationshipSettings()
        let parts: [HealthScore.Part] = [
            .init(component: .churn, score: 10, words: { "churn probability 0.90" }),
            .init(component: .participation, score: 0, words: { "\(counted(0, "event or training", "events or trainings")) in 365 days" }),
            .init(component: .csat, score: 60, words: { "latest CSAT 60 of 100" }),
            .init(component: .guidance, score: 70, words: { "\(counted(1, "support interaction")) in 365 days" }),
            .init(component: .revenueTrend, score: 100, words: { "revenue down 0 %" }),
        ]
        let h = HealthScore(parts, settings: settings)!
        // Weighted shortfalls: churn 3 × 90, csat 2 × 40, participation 1 × 100, guidance 1 × 30.
        #expect(h.drivers == "churn probability 0.90; 0 events or trainings in 365 days; latest CSAT 60 of 100")
        let mean: Double = (3 * 10 + 0 + 2 * 60 + 70 + 2 * 100) / 9
        #expect(h.score == Int(mean.rounded()))
        #expect(h.band == .red)
        let healthy = HealthScore([.init(component: .churn, score: 95, words: { "churn probability 0.05" })], settings: settings)!
        #expect(healthy.drivers.isEmpty && healthy.band == .green)
        #expect(counted(1, "support interaction") == "1 support interaction")
    }

    @Test func interactionTypeOrdinalsAreTheirPlacesInAllCases() {
        #expect(InteractionType.allCases.map(\.ordinal) == Array(InteractionType.allCases.indices))
    }

    @Test func relationshipSettingsAreChecked() throws {
        for (extra, expected) in [
            ("relationship:\n  window_days: 100", "window_days"),
            ("relationship:\n  health_bands: { red_up_to: 80, yellow_up_to: 60 }", "health_bands"),
            ("relationship:\n  indices: { participation: { types: [webinar] } }", "types"),
            ("relationship:\n  health_weight: { churn: 2 }", "health_weights"),
        ] {
            let (path, _) = try generatedPipeline(accounts: 5, transactions: 50, seed: 1, extra: extra)
            #expect {
                try PipelineConfig.load(path: path)
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
        let (path, _) = try generatedPipeline(
            accounts: 5, transactions: 50, seed: 1,
            extra: "relationship:\n  window_days: 180\n  meetings_per_30_days: { A: 4 }\n  health_weights: { churn: 0 }")
        let s = try PipelineConfig.load(path: path).relationship
        #expect(s.windowDays == 180 && s.meetingsPer30Days[.A] == 4 && s.meetingsPer30Days[.B] == 1 && s.weights[.churn] == 0)
    }
}

/// Spearman's rank correlation (ties share their mean rank), as `kam backtest` computes it.
func spearman(_ a: [Double], _ b: [Double]) -> Double {
    RankingMetrics.pearson(RankingMetrics.ranks(a), RankingMetrics.ranks(b))
}

/// A CSV file's rows by header, read with kam's own reader.
func csvRows(_ path: String) throws -> [[String: String]] {
    let reader = try CSVReader(path: path, dialect: CSVDialect())
    let header = reader.header
    return try reader.readAll().flatMap { batch in
        (0..<batch.count).map { Dictionary(uniqueKeysWithValues: zip(header, batch[$0].fields)) }
    }
}
