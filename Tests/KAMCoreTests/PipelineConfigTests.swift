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

    @Test func aMisspelledKeyIsNamedBeforeAnyMissingKey() throws {
        // `inptus` instead of `inputs`: the typo, not "missing inputs".
        #expect {
            try PipelineConfig.load(path: yaml(Self.minimal.replacingOccurrences(of: "inputs:", with: "inptus:")))
        } throws: { e in
            "\(e)".contains(":4: unknown key 'inptus' (did you mean 'inputs'?") && ExitStatus.code(for: e) == 2
        }
        // At every level: an input's key, an input's name, a section's key.
        #expect {
            try PipelineConfig.load(path: yaml(Self.minimal.replacingOccurrences(of: "    columns:", with: "    colums:")))
        } throws: { e in "\(e)".contains("unknown key 'inputs.transactions.colums' (did you mean 'columns'?") }
        #expect {
            try PipelineConfig.load(path: yaml(Self.minimal.replacingOccurrences(of: "  transactions:", with: "  transactoins:")))
        } throws: { e in "\(e)".contains("unknown key 'inputs.transactoins' (did you mean 'transactions'?") }
        #expect {
            try PipelineConfig.load(path: yaml(Self.minimal.replacingOccurrences(of: "name: t", with: "nmae: t")))
        } throws: { e in "\(e)".contains("unknown key 'nmae' (did you mean 'name'?") }
        #expect {
            try PipelineConfig.load(path: yaml(Self.minimal + "\nchurn: { horizon_dayz: 90 }"))
        } throws: { e in "\(e)".contains("unknown key 'churn.horizon_dayz' (did you mean 'horizon_days'?") }
        // Nothing close: no guess.
        #expect(ConfigError.nearest("zzzzzz", in: ["inputs", "name"]) == nil)
    }

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
        #expect(throws: ConfigError.unknownKey(file: path, line: 9, key: "clv.horizon_month", allowed: ["horizon_months", "interval_draws", "margin", "model", "monthly_discount_rate"])) {
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
        #expect(ExitStatus.code(for: OutputRefusal.emptyPath(setting: "--out")) == 2)
        #expect(ExitStatus.code(for: QualityGateError(failures: [GateFailure(input: .transactions, reason: "x")])) == 3)
        #expect(ExitStatus.code(for: RunFolder.Failure.locked("x")) == 4)
        #expect(ExitStatus.code(for: RunFolder.Failure.io("x")) == 1)
        #expect(ExitStatus.code(for: CleanError.totalOverflow(input: "transactions", path: "x", line: 3)) == 1)
    }

    @Test func theDemoPipelineIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try PipelineConfig.load(path: root.appendingPathComponent("pipelines/nightly.yaml").path)
        #expect(config.asOf.iso == "2024-12-31")
        #expect(try Validator.validate(config).hasSuffix("ok"))
    }
}
