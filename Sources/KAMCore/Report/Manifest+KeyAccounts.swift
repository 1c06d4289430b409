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
