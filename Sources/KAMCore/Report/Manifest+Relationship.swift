extension Manifest {
    /// The relationship stage's settings and what it found, in the manifest.
    static func relationship(_ r: RelationshipResult, rows: [AccountReportRow], config: PipelineConfig) -> JSONValue {
        let s = config.relationship
        var bands: [HealthScore.Band: Int] = [:]
        var indexed: [RelationshipIndex: Int] = [:]
        for row in rows {
            guard let a = row.relationship else { continue }
            if let b = a.health?.band { bands[b, default: 0] += 1 }
            for i in RelationshipIndex.allCases where a.indices[i] != nil { indexed[i, default: 0] += 1 }
        }
        let unrecorded = InteractionType.allCases.filter { !r.recordedTypes.contains($0) }.map(\.rawValue)
        return .object([
            ("window_days", .int(s.windowDays)),
            ("bands", .object([("red", .string("0–\(s.redUpTo)")), ("yellow", .string("\(s.redUpTo + 1)–\(s.yellowUpTo)")), ("green", .string("\(s.yellowUpTo + 1)–100"))])),
            ("accounts_by_band", .object(HealthScore.Band.allCases.map { ($0.rawValue, .int(bands[$0] ?? 0)) })),
            ("accounts_with_index", .object(RelationshipIndex.allCases.map { ($0.column, .int(indexed[$0] ?? 0)) })),
            ("types_not_recorded", .array(unrecorded.map(JSONValue.string))),
            ("weights", .object(HealthComponent.allCases.map { ($0.rawValue, .double(s.weights[$0] ?? 0)) })),
        ])
    }
}

extension Manifest {
    /// The key-account rules this run used and what they chose.
    static func keyAccounts(_ r: KeyAccountResult, config: PipelineConfig, history: String) -> JSONValue {
        let s = config.keyAccounts
        var counts: [KeyAccountStatus: Int] = [:]
        for d in r.decisions.values { if let status = d.status { counts[status, default: 0] += 1 } }
        return .object([
            (
                "rules",
                .object([
                    ("level", .string(s.level.rawValue)), ("cap", .int(s.cap)), ("rank_by", .string(s.rankBy.rawValue)),
                    ("score_weights", .object(s.scoreWeights.keys.sorted().map { ($0, .double(s.scoreWeights[$0]!)) })), ("min_revenue_12m", .double(s.minRevenue12m)),
                    ("min_clv", .double(s.minCLV)), ("exclude_lifecycles", .array(s.excludeLifecycles.map(JSONValue.string))),
                    ("red_health_runs", .int(s.redHealthRuns)), ("keep_within", .double(s.keepWithin)), ("ineligible_runs", .int(s.ineligibleRuns)),
                    ("strategic", .string("accounts flagged strategic are admitted as a manual decision and count towards the cap")),
                ])
            ),
            ("compared_with_run_as_of", r.previousAsOf.map { .string($0.iso) } ?? .null),
            ("history", .string(history)),
            ("by_status", .object(KeyAccountStatus.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) })),
        ])
    }
}
