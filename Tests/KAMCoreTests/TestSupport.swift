import Foundation

@testable import KAMCore

/// The committed fixtures next to this file.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/cdnow")

/// The folder that holds every temporary folder of this test process; removed when it exits, so
/// a test run leaves nothing in `$TMPDIR`.
let temporaryRoot: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kam-tests-\(getpid())")
    try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: temporaryRoot) }
    return root
}()

/// A fresh temporary folder.
func temporaryFolder() -> URL {
    let dir = temporaryRoot.appendingPathComponent("kam-test-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@discardableResult
func write(_ text: String, to url: URL) -> String {
    try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try! Data(text.utf8).write(to: url)
    return url.path
}

/// A pipeline file over the CDNOW sample (calibration up to `asOf`).
func cdnowPipeline(asOf: String = "1997-09-30", extra: String = "") -> String {
    let dir = temporaryFolder()
    return write(
        """
        name: cdnow
        as_of: \(asOf)
        base_currency: USD
        time_unit: week
        output: \(dir.path)/out
        inputs:
          transactions:
            path: \(fixtures.path)/cdnow_sample.csv
            dedupe: none
            columns: { account_id: account_id, date: order_date, amount: amount }
        \(extra)
        """, to: dir.appendingPathComponent("cdnow.yaml"))
}

/// CDNOW calibration summaries in weeks, as the published fits use them.
func cdnowSummaries(asOf: String = "1997-09-30") throws -> (summaries: [RepeatPurchaseSummary], asOf: Day) {
    let config = try PipelineConfig.load(path: cdnowPipeline(asOf: asOf))
    let data = try CleanStage.run(config, threads: 2, progress: Progress(quiet: true))
    return (data.histories.compactMap { RepeatPurchaseSummary(history: $0, asOf: config.asOf) }, config.asOf)
}
