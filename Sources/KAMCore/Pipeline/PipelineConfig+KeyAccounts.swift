extension KeyAccountSettings {
    /// Reads `key_accounts:`; every key and range is checked.
    static func read(_ m: inout YAMLMap, file: String) throws -> KeyAccountSettings {
        var s = KeyAccountSettings()
        try m.allowOnly([
            "cap", "level", "rank_by", "score_weights", "min_revenue_12m", "min_clv", "exclude_lifecycles", "red_health_runs", "keep_within", "ineligible_runs",
        ])
        s.cap = try m.int("cap", in: 1...10_000) ?? s.cap
        s.rankBy = try m.enumValue("rank_by", RankBy.self) ?? s.rankBy
        s.level = try m.enumValue("level", Level.self) ?? s.level
        if var w = try m.map("score_weights") {
            try w.allowOnly(["clv", "revenue_12m", "health_score"])
            var weights: [String: Double] = [:]
            for key in ["clv", "revenue_12m", "health_score"] { weights[key] = try w.double(key, in: 0...1000) ?? 0 }
            try w.finish()
            s.scoreWeights = weights
        }
        s.minRevenue12m = try m.double("min_revenue_12m", in: 0...1e18) ?? s.minRevenue12m
        s.minCLV = try m.double("min_clv", in: 0...1e18) ?? s.minCLV
        if let stages = try m.stringList("exclude_lifecycles") {
            for stage in stages where LifecycleStage(rawValue: stage) == nil {
                throw ConfigError.invalidValue(
                    file: file, line: m.keyLine("exclude_lifecycles"), key: m.qualified("exclude_lifecycles"), value: stage,
                    expected: "prospect, new, active, dormant, churned or reactivated")
            }
            s.excludeLifecycles = stages
        }
        // The history gives the selection the previous run: rules over two runs at most.
        s.redHealthRuns = try m.int("red_health_runs", in: 0...2) ?? s.redHealthRuns
        s.keepWithin = try m.double("keep_within", in: 1...100) ?? s.keepWithin
        s.ineligibleRuns = try m.int("ineligible_runs", in: 1...2) ?? s.ineligibleRuns
        try m.finish()
        return s
    }
}
