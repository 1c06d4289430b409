extension RelationshipSettings {
    /// Reads `relationship:`; every key is checked and every value's range.
    static func read(_ m: inout YAMLMap, file: String) throws -> RelationshipSettings {
        var s = RelationshipSettings()
        try m.allowOnly([
            "window_days", "meetings_per_30_days", "competitor_keywords", "resolution_target_days", "indices", "health_weights",
            "health_bands",
        ])
        if let w = try m.int("window_days") {
            guard CutoffPoints.windowDays.contains(w) else {
                throw ConfigError.invalidValue(
                    file: file, line: m.keyLine("window_days"), key: m.qualified("window_days"), value: "\(w)", expected: "90, 180, 365 or 730")
            }
            s.windowDays = w
        }
        if var plan = try m.map("meetings_per_30_days") { s.meetingsPer30Days = try tiers(&plan, range: 0...100, default: s.meetingsPer30Days) }
        s.competitorKeywords = try m.stringList("competitor_keywords") ?? s.competitorKeywords
        s.resolutionTargetDays = try m.double("resolution_target_days", in: 0.01...3650) ?? s.resolutionTargetDays
        if var indices = try m.map("indices") {
            let counted = RelationshipIndex.allCases.filter { $0 != .acceptance }
            try indices.allowOnly(counted.map(\.rawValue))
            for index in counted {
                guard var rule = try indices.map(index.rawValue) else { continue }
                try rule.allowOnly(["types", "target"])
                if let names = try rule.stringList("types") {
                    s.indexTypes[index] = try names.map { name in
                        guard let type = InteractionType(rawValue: name) else {
                            throw ConfigError.invalidValue(
                                file: file, line: rule.keyLine("types"), key: rule.qualified("types"), value: name,
                                expected: InteractionType.allCases.map(\.rawValue).joined(separator: ", "))
                        }
                        return type
                    }
                }
                if var target = try rule.map("target") {
                    s.indexTargets[index] = try tiers(&target, range: 0.01...100_000, default: s.indexTargets[index]!)
                }
                try rule.finish()
            }
            try indices.finish()
        }
        if var weights = try m.map("health_weights") {
            try weights.allowOnly(HealthComponent.allCases.map(\.rawValue))
            for c in HealthComponent.allCases { s.weights[c] = try weights.double(c.rawValue, in: 0...1000) ?? s.weights[c] }
            try weights.finish()
        }
        if var bands = try m.map("health_bands") {
            try bands.allowOnly(["red_up_to", "yellow_up_to"])
            s.redUpTo = try bands.int("red_up_to", in: 0...100) ?? s.redUpTo
            s.yellowUpTo = try bands.int("yellow_up_to", in: 0...100) ?? s.yellowUpTo
            try bands.finish()
            if s.redUpTo >= s.yellowUpTo {
                throw ConfigError.invalidValue(
                    file: file, line: bands.line, key: bands.path, value: "\(s.redUpTo) ≥ \(s.yellowUpTo)", expected: "red_up_to < yellow_up_to")
            }
        }
        try m.finish()
        return s
    }

    /// A value per tier (`A`, `B`, `C`); tiers left out keep their default.
    private static func tiers(_ m: inout YAMLMap, range: ClosedRange<Double>, default values: [ValueTier: Double]) throws
        -> [ValueTier: Double]
    {
        try m.allowOnly(ValueTier.allCases.map(\.rawValue))
        var out = values
        for tier in ValueTier.allCases { out[tier] = try m.double(tier.rawValue, in: range) ?? values[tier] }
        try m.finish()
        return out
    }
}
