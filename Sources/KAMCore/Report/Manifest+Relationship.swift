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
