import ArgumentParser
import CSVIO
import Foundation
import KAMCore

extension Kam {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the run history: the runs recorded, one account over time, the KPIs over time.",
            subcommands: [List.self, Show.self, KPIs.self])
    }
}

/// Which history to read, and how to print it.
struct HistoryOptions: ParsableArguments {
    @Option(help: "The history file.")
    var history: String?

    @Option(help: "A pipeline file: read its history (its `history:`, or history.sqlite beside its output) and only its runs.")
    var pipeline: String?

    @Flag(help: "CSV on stdout instead of an aligned table.")
    var csv = false

    func open() throws -> (RunHistory, pipeline: String?) {
        if let history { return (try RunHistory(path: history, readOnly: true), nil) }
        guard let pipeline else { throw ValidationError("give --history FILE or --pipeline FILE") }
        let config = try PipelineConfig.load(path: pipeline)
        return (try RunHistory(path: config.historyPath(destination: config.output), readOnly: true), config.name)
    }

    /// Prints `rows` under `header`: CSV, or columns padded to their widest cell.
    func print(_ header: [String], _ rows: [[String]]) {
        if csv {
            var writer = CSVWriter(columns: header)
            for row in rows { writer.append(row) }
            FileHandle.standardOutput.write(Data(writer.bytes))
            return
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        for row in [header] + rows {
            Swift.print(zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}

func text(_ x: Double?, _ places: Int) -> String { x.map { String(format: "%.\(places)f", $0) } ?? "" }

extension Kam.History {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The recorded runs, by pipeline and as_of.")
        @OptionGroup var options: HistoryOptions

        func run() throws {
            try reportingErrors {
                let (history, pipeline) = try options.open()
                let runs = try history.runs(pipeline: pipeline)
                options.print(
                    ["pipeline", "as_of", "run_id", "tool_version", "recorded_utc", "accounts"],
                    runs.map { [$0.pipeline, $0.asOf.iso, $0.runId, $0.toolVersion, $0.recordedUTC, String($0.accounts)] })
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One account's snapshots over time.")
        @Argument(help: "The account id.")
        var account: String
        @OptionGroup var options: HistoryOptions

        func run() throws {
            try reportingErrors {
                let (history, pipeline) = try options.open()
                let snapshots = try history.snapshots(account: account, pipeline: pipeline)
                if snapshots.isEmpty { throw ValidationError("no run recorded account \(account)") }
                options.print(
                    [
                        "pipeline", "as_of", "tier", "lifecycle", "rfm_segment", "revenue_12m", "clv", "churn_probability", "health_score",
                        "health_band", "key_status",
                    ],
                    snapshots.map { run, s in
                        [
                            run.pipeline, run.asOf.iso, s.tier, s.lifecycle, s.rfmSegment ?? "", s.revenue12m.formatted, text(s.clv, 2),
                            text(s.churnProbability, 4), s.healthScore.map(String.init) ?? "", s.healthBand ?? "", s.keyStatus ?? "",
                        ]
                    })
            }
        }
    }

    struct KPIs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kpi", abstract: "The summary KPIs of each run: one row per KPI and run (CSV), or a KPI per row and a run per column.")
        @OptionGroup var options: HistoryOptions

        func run() throws {
            try reportingErrors {
                let (history, pipeline) = try options.open()
                let runs = try history.kpis(pipeline: pipeline)
                if options.csv {
                    options.print(
                        ["pipeline", "as_of", "kpi", "value", "unit"],
                        runs.flatMap { run, kpis in kpis.map { [run.pipeline, run.asOf.iso, $0.name, text($0.value, 4), $0.unit] } })
                    return
                }
                let names = runs.flatMap { $0.kpis.map(\.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                let header = ["kpi"] + runs.map { "\($0.run.pipeline) \($0.run.asOf.iso)" }
                options.print(header, names.map { name in [name] + runs.map { run in text(run.kpis.first { $0.name == name }?.value, 2) } })
            }
        }
    }
}
