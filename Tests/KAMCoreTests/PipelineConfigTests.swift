import Foundation
import Testing

@testable import KAMCore

@Suite struct PipelineConfigTests {
    func yaml(_ text: String, files: [String: String] = ["tx.csv": "account_id,date,amount\nA,2024-01-05,1\n"]) -> String {
        let dir = temporaryFolder()
        for (name, content) in files { write(content, to: dir.appendingPathComponent(name)) }
        return write(text, to: dir.appendingPathComponent("p.yaml"))
    }

    static let minimal = """
        name: t
        as_of: 2024-12-31
        output: out
        inputs:
          transactions:
            path: tx.csv
            columns: { account_id: account_id, date: date, amount: amount }
        """

    @Test func readsAMinimalPipelineWithDefaults() throws {
        let path = yaml(Self.minimal)
        let c = try PipelineConfig.load(path: path)
        #expect(c.name == "t" && c.asOf.iso == "2024-12-31" && c.baseCurrency == "CNY" && c.timeUnit == .week)
        #expect(c.output == URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out").standardizedFileURL.path)
        #expect(c.inputs.transactions.path.hasSuffix("/tx.csv") && c.inputs.transactions.path.hasPrefix("/"))
        #expect(c.clv.horizonMonths == 12 && c.churn.horizonDays == 90 && c.churn.mediumFrom == 0.3 && c.churn.highFrom == 0.6)
        #expect(try PipelineConfig.load(path: path, asOfOverride: "2024-06-30").asOf.iso == "2024-06-30")
    }

    @Test func aMisspelledKeyNamesFileLineAndKey() throws {
        let path = yaml(Self.minimal + "\nclv:\n  horizon_month: 12\n")
        #expect(throws: ConfigError.unknownKey(file: path, line: 9, key: "clv.horizon_month", allowed: ["horizon_months", "margin", "model", "monthly_discount_rate"])) {
            try PipelineConfig.load(path: path)
        }
        let nested = yaml(Self.minimal.replacingOccurrences(of: "    path: tx.csv", with: "    path: tx.csv\n    delimeter: \";\""))
        #expect {
            try PipelineConfig.load(path: nested)
        } throws: { e in
            (e as? ConfigError).map { if case .unknownKey(_, 7, "inputs.transactions.delimeter", _) = $0 { return true } else { return false } } ?? false
        }
        let column = yaml(Self.minimal.replacingOccurrences(of: "amount: amount", with: "amout: amount"))
        #expect {
            try PipelineConfig.load(path: column)
        } throws: { e in
            "\(e)".contains("\(column):7: unknown key 'inputs.transactions.columns.amout'")
        }
    }

    @Test func badValuesAreNamed() throws {
        for (text, key) in [
            ("time_unit: fortnight", "time_unit"), ("as_of: 31/12/2024", "as_of"), ("clv:\n  horizon_months: -3", "clv.horizon_months"),
            ("churn:\n  use: magic", "churn.use"),
        ] {
            let path = yaml(Self.minimal.replacingOccurrences(of: "as_of: 2024-12-31\n", with: "") + "\n" + text + "\n")
            #expect {
                try PipelineConfig.load(path: path)
            } throws: { e in
                guard case .invalidValue(_, let line, let k, _, _) = e as? ConfigError else { return false }
                return k == key && line > 0
            }
        }
        #expect(throws: ConfigError.badAsOf(value: "yesterday")) { try PipelineConfig.load(path: yaml(Self.minimal), asOfOverride: "yesterday") }
    }

    @Test func missingRequiredFieldOrInput() throws {
        let path = yaml(Self.minimal.replacingOccurrences(of: ", amount: amount", with: ""))
        #expect {
            try PipelineConfig.load(path: path)
        } throws: { e in "\(e)".contains("inputs.transactions.columns.amount") }
        #expect {
            try PipelineConfig.load(path: yaml("name: t\noutput: out\n"))
        } throws: { e in "\(e)".contains("missing required key 'inputs'") }
    }

    @Test func validateListsTheHeadersFoundForAMissingColumn() throws {
        let path = yaml(Self.minimal.replacingOccurrences(of: "date: date", with: "date: txn_date"))
        let config = try PipelineConfig.load(path: path)
        #expect(throws: ConfigError.missingColumn(file: path, input: "transactions", field: "date", column: "txn_date", headersFound: ["account_id", "date", "amount"])) {
            try Validator.validate(config)
        }
        let ok = try Validator.validate(try PipelineConfig.load(path: yaml(Self.minimal)))
        #expect(ok.contains("headers: account_id, date, amount") && ok.hasSuffix("ok"))
        let missingFile = yaml(Self.minimal, files: [:])
        #expect {
            try Validator.validate(try PipelineConfig.load(path: missingFile))
        } throws: { e in "\(e)".contains("file not found") }
    }

    @Test func exitCodesFollowDesignSection9() {
        #expect(ExitStatus.code(for: ConfigError.badAsOf(value: "x")) == 2)
        #expect(ExitStatus.code(for: QualityGateError(input: .transactions, rejectRate: 0.5, limit: 0.05, topReasons: [])) == 3)
        #expect(ExitStatus.code(for: RunFolder.Failure.locked("x")) == 1)
    }

    @Test func theDemoPipelineIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try PipelineConfig.load(path: root.appendingPathComponent("pipelines/nightly.yaml").path)
        #expect(config.asOf.iso == "2024-12-31")
        #expect(try Validator.validate(config).hasSuffix("ok"))
    }
}
