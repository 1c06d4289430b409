import Foundation

extension ReviewPack {
    /// Writes `review/index.html` and `review/index.zh-CN.html` from the account report.
    struct Step: Stage {
        let config: PipelineConfig
        let folder: RunFolder
        let baseline: TrendBaseline

        var name: String { "review pack" }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.keyAccounts.erased, Slots.report.erased] }
        var produces: [AnySlot] { [] }

        func run(_ values: StageValues) throws -> Int {
            let data = try ReviewData(values, config: config, baseline: baseline)
            let pages = try ReviewPack.render(data)
            for page in pages { try folder.write("review/" + page.file, text: page.html) }
            return pages.count
        }
    }
}

extension ReviewData {
    /// The pack's data from a run's slots; the KPI summary and tier migration as the report
    /// stage writes them.
    init(_ values: StageValues, config: PipelineConfig, baseline: TrendBaseline) throws {
        let rows = try values.get(Slots.report), keyAccounts = try values.get(Slots.keyAccounts)
        var tiers: [ValueTier: Int] = [:]
        for r in rows { tiers[r.tier, default: 0] += 1 }
        self.init(
            rows: rows, clean: try values.get(Slots.clean), keyAccounts: keyAccounts,
            summary: KPITables.summary(rows, config: config, tierCounts: tiers, baseline: baseline.quarterEnd, keyAccounts: keyAccounts),
            migration: TrendTables.tierMigration(rows, baseline: baseline.quarterEnd, config: config), config: config)
    }
}
