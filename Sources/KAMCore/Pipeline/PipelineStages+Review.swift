import Foundation

extension ReviewPack {
    /// Writes `review/index.html` and `review/index.zh-CN.html` from the account report.
    struct Step: Stage {
        let config: PipelineConfig
        let folder: RunFolder

        var name: String { "review pack" }
        var yields: Bool { true }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.keyAccounts.erased, Slots.report.erased, Slots.tables.erased] }
        var produces: [AnySlot] { [] }

        func run(_ values: StageValues) throws -> Int {
            let data = try ReviewData(values, config: config)
            let pages = try ReviewPack.render(data)
            for page in pages { try folder.write("review/" + page.file, text: page.html) }
            return pages.count
        }
    }
}

extension ReviewData {
    /// The pack's data from a run's slots: the report rows and the tables the report stage wrote.
    init(_ values: StageValues, config: PipelineConfig) throws {
        let tables = try values.get(Slots.tables)
        self.init(
            rows: try values.get(Slots.report), clean: try values.get(Slots.clean), keyAccounts: try values.get(Slots.keyAccounts),
            summary: tables.summary, migration: tables.migration, config: config)
    }
}

extension FinanceWorkbook {
    /// Writes `finance.xlsx` from the tables the report stage wrote as CSV.
    struct Step: Stage {
        let config: PipelineConfig
        let folder: RunFolder

        var name: String { "finance workbook" }
        var needs: [AnySlot] { [Slots.clean.erased, Slots.tables.erased] }
        var produces: [AnySlot] { [] }

        func run(_ values: StageValues) throws -> Int {
            let tables = try values.get(Slots.tables)
            try FinanceWorkbook.write(tables, clean: try values.get(Slots.clean), config: config, to: folder.path(FinanceWorkbook.fileName))
            return tables.accounts.count
        }
    }
}
