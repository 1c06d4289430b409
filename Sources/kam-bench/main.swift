import CSVIO
import Foundation
import KAMCore

#if canImport(Glibc)
    import Glibc
#endif

// `make bench`: measured side by side in one run, printed as ratios. Not a test.
//
//   kam-bench --work DIR --baseline PATH       the whole report
//   kam-bench ingest FILE THREADS               one ingest pass (child process; prints bytes, seconds, rows, peak RSS, CPU seconds)
//   kam-bench ingest-sha FILE THREADS           the same, with the file's SHA-256 in the same pass (child process)
//   kam-bench clean FILE THREADS                one ingest+clean pass (child process)
//   kam-bench budget --work DIR --baseline PATH  the cleaning budget section alone
//   kam-bench models [--work DIR] [--lifetimes-up-to N]   model fits, and lifetimes on the same summaries
//   kam-bench churn [--work DIR] [--sizes 100000,1000000]  churn training + scoring

/// Unbuffered output, so progress shows through a pipe too.
func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let value = arguments.firstIndex(of: name).flatMap({ $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }) else { return nil }
    // Paths are made absolute: pipeline files resolve relative paths against their own folder.
    return name == "--work" ? URL(fileURLWithPath: value).standardizedFileURL.path : value
}

/// Resource usage of this process (`RUSAGE_SELF`) or of its finished children.
func usage(_ who: __rusage_who) -> rusage {
    var usage = rusage()
    getrusage(who.rawValue, &usage)
    return usage
}

/// User + system CPU seconds (see ``usage(_:)``).
func cpuSeconds(_ who: __rusage_who) -> Double {
    let u = usage(who)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(u.ru_utime) + seconds(u.ru_stime)
}

func peakRSSMiB() -> Double { Double(usage(RUSAGE_SELF).ru_maxrss) / 1024 }

/// Reads the transactions file into field-mapped records (what `kam run`'s ingest does before
/// normalising): account id, date, amount, status, currency per row.
/// With `digest`, the file's SHA-256 is computed in the same pass, as `kam run` does for the
/// manifest: the least work any ingest + clean must do.
func ingest(_ path: String, threads: Int, digest: Bool = false) throws -> (bytes: Int, rows: Int, seconds: Double) {
    let t0 = Date()
    let sha = FileDigest()
    var observer: RawBytesObserver?
    if digest { observer = { @Sendable in sha.update($0) } }
    let reader = try CSVReader(path: path, dialect: CSVDialect(), observer: observer)
    let header = reader.header
    let wanted = ["account_id", "txn_date", "amount", "status", "currency"].map { header.firstIndex(of: $0)! }
    var rows = 0
    try reader.forEachBatch(
        threads: threads,
        transform: { batch -> Int in
            // Each record's canonical fields resolved through the column map (the cleaner reads
            // dates and amounts from these bytes without building strings).
            var mapped = 0
            var touched = 0
            for i in 0..<batch.count {
                let r = batch[i]
                guard r.problem == nil else { continue }
                for c in wanted { touched &+= r.withFieldBytes(c) { $0.count } }
                mapped += 1
            }
            _ = touched
            return mapped + batch.problemCount
        }, consume: { rows += $0 })
    if digest { _ = sha.finish() }
    return (reader.bytesConsumed, rows, Date().timeIntervalSince(t0))
}

/// Ingest + clean into typed records and per-account accumulators, as `kam run` does.
func clean(_ relativePath: String, threads: Int, dedupe: String) throws -> (bytes: Int, rows: Int, seconds: Double) {
    let path = URL(fileURLWithPath: relativePath).standardizedFileURL.path
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let yaml = """
        name: bench
        as_of: 2024-12-31
        base_currency: CNY
        output: \(dir)/bench-out
        inputs:
          transactions:
            path: \(path)
            dedupe: \(dedupe)
            max_reject_rate: 1
            columns: { account_id: account_id, date: txn_date, amount: amount, txn_id: txn_id, line_no: line_no, currency: currency, status: status }
          fx_rates:
            path: \(dir)/fx_rates.csv
            columns: { currency: currency, rate: rate }
        """
    let file = dir + "/bench.yaml"
    try yaml.write(toFile: file, atomically: true, encoding: .utf8)
    let config = try PipelineConfig.load(path: file)
    let t0 = Date()
    let data = try CleanStage.run(config, threads: threads, progress: Progress(quiet: true))
    let seconds = Date().timeIntervalSince(t0)
    let ledger = data.ledgers[.transactions]!
    let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return (bytes, ledger.rowsRead, seconds)
}

func runChild(_ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// One run of the C loop: its bytes, its own timing, and its CPU seconds (the children's usage
/// before and after; the bench runs one child at a time).
func baseline(_ exe: String, _ file: String) throws -> (bytes: Int, seconds: Double, cpu: Double) {
    let cpu0 = cpuSeconds(RUSAGE_CHILDREN)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = [file]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
    p.waitUntilExit()
    return (Int(out[0])!, Double(out[1])!, cpuSeconds(RUSAGE_CHILDREN) - cpu0)
}

/// Our side's threads in the report: the machine kind's 2 cores.
let benchThreads = 2

/// One pass of a `kam-bench` mode in a child process on ``benchThreads`` threads: its bytes,
/// wall seconds, rows, peak RSS (MiB) and CPU seconds.
func child(_ mode: String, _ file: String) throws -> (bytes: Int, seconds: Double, rows: Int, rss: Double, cpu: Double) {
    let parts = try runChild([mode, file, String(benchThreads)]).split(separator: " ")
    return (Int(parts[0])!, Double(parts[1])!, Int(parts[2])!, Double(parts[3])!, Double(parts[4])!)
}

/// What a 1.0× ingest + clean would have to fit in. On 2 cores, kam matches the C loop's wall
/// time only if its CPU time is at most twice that wall time. libcsv's parse of every byte (in
/// kam as in the C loop) and the manifest's SHA-256 of the input are work no cleaning can
/// avoid: measured as an ingest that does only them. The four runs of a round follow each
/// other, so the machine's drift moves them together. Each figure is given as the median of
/// the rounds and as the least of them (the machine's slow spells only ever add CPU time).
func cleaningBudget(_ exe: String, _ file: String, rounds: Int = 7) throws {
    say("what 1.0× leaves for cleaning (\(rounds) rounds of: C loop; kam ingest + SHA-256 alone; kam ingest + clean without, then with txn_id dedupe):")
    // Per round: 2 × the C loop's wall time, the CPU of ingest + SHA-256, of each clean.
    var budget: [Double] = [], fixed: [Double] = [], cleanCPU: [[Double]] = [[], []]
    var rows = 1
    for _ in 0..<rounds {
        let c = try baseline(exe, file)
        let floor = try child("ingest-sha", file)
        rows = floor.rows
        budget.append(2 * c.seconds)
        fixed.append(floor.cpu)
        for (k, mode) in ["clean-none", "clean"].enumerated() { cleanCPU[k].append(try child(mode, file).cpu) }
    }
    // Differences are taken within a round, before the median.
    let left = zip(budget, fixed).map { $0 - $1 }
    func line(_ label: String, _ v: [Double], least: Double? = nil, _ note: String = "") {
        func cell(_ seconds: Double) -> String { String(format: "%.2f s = %3.0f ns per row", seconds, seconds / Double(rows) * 1e9) }
        say("  " + (label + ":").padding(toLength: 48, withPad: " ", startingAt: 0) + cell(median(v)) + "  (least: " + cell(least ?? v.min()!) + ")" + note)
    }
    // "Least" of a difference is the difference of the least runs (the least of the rounds'
    // differences would pick rounds whose subtrahend happened to be slow).
    say("  CPU seconds; medians of the rounds, and (least) from the least disturbed run of each kind:")
    let leastLeft = budget.min()! - fixed.min()!
    line("2 × the C loop's wall time", budget, ": the most kam may use on 2 cores to match it")
    line("kam ingest + SHA-256 of the file, no cleaning", fixed)
    line("left for cleaning", left, least: leastLeft)
    for (k, label) in ["no dedupe", "txn_id dedupe"].enumerated() {
        let cleaning = zip(cleanCPU[k], fixed).map { $0 - $1 }
        let shortfall = zip(cleaning, left).map { $0 / $1 }
        let least = cleanCPU[k].min()! - fixed.min()!
        line(
            "cleaning takes, \(label)", cleaning, least: least,
            String(format: "; %.1f× what is left (least: %.1f×)", median(shortfall), least / leastLeft))
    }
}

/// The middle value (the upper one of an even count).
func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }

func generate(_ dir: String, rows: Int) throws -> String {
    let path = dir + "/transactions.csv"
    if FileManager.default.fileExists(atPath: path) { return path }
    let t0 = Date()
    // The same 100k accounts at every size: memory may grow with accounts, not with rows.
    let truth = try DataGenerator(.init(accounts: 100_000, transactions: rows, seed: 2024, output: dir)).generate()
    say(String(format: "generated %@: %d rows in %.1f s", path, truth.transactionRecords, Date().timeIntervalSince(t0)))
    return path
}

func mbps(_ bytes: Int, _ seconds: Double) -> Double { Double(bytes) / 1e6 / seconds }

/// Fits all three models on simulated summaries; the same summaries go to lifetimes when the
/// Python package is importable, and the ratio is printed.
func modelBench(_ work: String, lifetimesUpTo: Int, sizes: [Int]) {
    let python = lifetimesAvailable()
    b2bShapes()
    for accounts in sizes {
        let sim = Simulation.bgnbd(accounts: accounts, r: 0.25, alpha: 4, a: 0.8, b: 2.5, T: 52, spread: true, seed: 7)
        // Day grain, as kam's summaries are: times in weeks with whole days.
        let rounded = sim.map { (x: $0.x, tx: ($0.tx * 7).rounded() / 7, T: ($0.T * 7).rounded() / 7) }
        let spend = Simulation.gammaGamma(frequencies: rounded.map(\.x), p: 6, q: 4, gamma: 15, seed: 9)
        let inputs = ModelInput.collapse(rounded)
        let f = FittedThree(inputs, spend: spend)
        let (bg, pn, gg) = (f.bg, f.pn, f.gg)
        let total = f.seconds.reduce(0, +)
        say(String(format: "kam models, %7d accounts (%d distinct summaries): BG/NBD %.2f s, Pareto/NBD %.2f s, Gamma-Gamma %.2f s, total %.2f s",
            accounts, inputs.count, f.seconds[0], f.seconds[1], f.seconds[2], total))
        say(String(format: "  BG/NBD r=%.4f α=%.4f a=%.4f b=%.4f; Pareto/NBD r=%.4f α=%.4f s=%.4f β=%.4f; GG p=%.4f q=%.4f γ=%.4f",
            bg.r, bg.alpha, bg.a, bg.b, pn.r, pn.alpha, pn.s, pn.beta, gg.p, gg.q, gg.gamma))
        say("  status: BG/NBD \(f.bgFit.status), Pareto/NBD \(f.pnFit.status), Gamma-Gamma \(f.ggFit.status)")
        guard python, accounts <= lifetimesUpTo else {
            say(python ? "  lifetimes: skipped at this size (--lifetimes-up-to)" : "  lifetimes: not importable (pip install lifetimes) — no comparison")
            continue
        }
        var csv = "frequency,recency,T,monetary_value\n"
        var k = 0
        for s in rounded {
            var m = 0.0
            if s.x > 0 { m = spend[k].m; k += 1 }
            csv += "\(s.x),\(s.tx),\(s.T),\(m)\n"
        }
        let file = work + "/summaries_\(accounts).csv"
        try? csv.write(toFile: file, atomically: true, encoding: .utf8)
        let l0 = Date()
        let output = (try? run("/usr/bin/env", ["python3", "Benchmarks/lifetimes_fit.py", file])) ?? "failed"
        let seconds = Date().timeIntervalSince(l0)
        say(output.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        say(String(format: "  kam is %.1f× faster than lifetimes on the same summaries (%.1f s wall for lifetimes incl. start-up)", seconds / total, seconds))
    }
}

/// The three fits on one data set, each timed.
struct FittedThree {
    var bg: BGNBDModel, bgFit: FitDiagnostics
    var pn: ParetoNBDModel, pnFit: FitDiagnostics
    var gg: GammaGammaModel, ggFit: FitDiagnostics
    var seconds: [Double]

    init(_ inputs: [ModelInput], spend: [(x: Double, m: Double)]) {
        let t0 = Date()
        (bg, bgFit) = ModelFitter.fitBGNBD(inputs, threads: 2)
        let t1 = Date()
        (pn, pnFit) = ModelFitter.fitParetoNBD(inputs, threads: 2)
        let t2 = Date()
        (gg, ggFit) = ModelFitter.fitGammaGamma(spend.map { ($0.x, $0.m, 1.0) }, threads: 2)
        seconds = [t1.timeIntervalSince(t0), t2.timeIntervalSince(t1), Date().timeIntervalSince(t2)]
    }
}

/// The B2B shapes of issue 21, simulated: a Zoho-style export of 1,126 accounts whose dropout
/// rate is nearly the same for all (Pareto/NBD ran to s = 317.9, β = 38,983 on it) and a
/// 纷享销客-style export of 846 accounts (BG/NBD with a = 1.4, b = 167); frequent buyers over
/// five years, at day grain in weeks. Prints each fit's time and status.
func b2bShapes() {
    let zoho = Simulation.paretoNBD(accounts: 1126, r: 1.1, alpha: 0.8, s: 317.9, beta: 38_983, T: 260, spread: true, seed: 21)
    let fxiaoke = Simulation.bgnbd(accounts: 846, r: 0.98, alpha: 0.72, a: 1.4, b: 167, T: 260, spread: true, seed: 22)
    for (label, sim) in [("Zoho-style, 1,126 accounts", zoho), ("纷享销客-style, 846 accounts", fxiaoke)] {
        let rounded = sim.map { (x: $0.x, tx: ($0.tx * 7).rounded() / 7, T: ($0.T * 7).rounded() / 7) }
        let spend = Simulation.gammaGamma(frequencies: rounded.map(\.x), p: 1.2, q: 0.97, gamma: 1243, seed: 23)
        let f = FittedThree(ModelInput.collapse(rounded), spend: spend)
        say(String(format: "kam models, %@: BG/NBD %.3f s (%@), Pareto/NBD %.3f s (%@), Gamma-Gamma %.3f s (%@)",
            label, f.seconds[0], f.bgFit.status, f.seconds[1], f.pnFit.status, f.seconds[2], f.ggFit.status))
        say("  Pareto/NBD \(f.pn), \(f.pnFit.iterations) iterations from \(f.pnFit.starts) starts: \(f.pnFit.evidence)")
    }
}

func lifetimesAvailable() -> Bool {
    (try? run("/usr/bin/env", ["python3", "-c", "import lifetimes"])) != nil
}

/// Runs a program; its standard output, or nil on a non-zero exit.
func run(_ exe: String, _ args: [String]) throws -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return p.terminationStatus == 0 ? String(decoding: out, as: UTF8.self) : nil
}

/// Churn stage (supervised training + scoring of every account) on generated data.
func churnBench(_ work: String, sizes: [Int]) throws {
    for accounts in sizes {
        let dir = work + "/churn_\(accounts)"
        if !FileManager.default.fileExists(atPath: dir + "/transactions.csv") {
            _ = try DataGenerator(.init(accounts: accounts, transactions: accounts * 10, seed: 31, output: dir)).generate()
        }
        let yaml = """
            name: churn-bench
            as_of: 2024-12-31
            output: \(dir)/out
            inputs:
              transactions:
                path: \(dir)/transactions.csv
                max_reject_rate: 1
                columns: { account_id: account_id, date: txn_date, amount: amount, currency: currency, status: status }
              interactions:
                path: \(dir)/interactions.csv
                max_reject_rate: 1
                satisfaction_scale: "1-10"
                columns: { account_id: account_id, date: date, type: type, satisfaction: satisfaction, resolution_days: resolution_days }
              fx_rates:
                path: \(dir)/fx_rates.csv
                columns: { currency: currency, rate: rate }
            """
        try yaml.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        let config = try PipelineConfig.load(path: dir + "/p.yaml")
        let clean = try CleanStage.run(config, threads: 2, progress: Progress(quiet: true))
        let value = ValueStage.run(histories: clean.histories, asOf: config.asOf, config: config, threads: 2)
        let t0 = Date()
        let churn = ChurnStage.run(clean: clean, value: value, asOf: config.asOf, config: config, threads: 2)
        say(String(format: "churn train + score, %7d accounts (%d scored, %d trained): %.2f s (%@)",
            accounts, churn.accounts.count, churn.trainingAccounts, Date().timeIntervalSince(t0), churn.used.rawValue))
    }
}

do {
    if arguments.count >= 2, arguments[1] == "models" {
        let work = option("--work") ?? "var/bench"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        modelBench(work, lifetimesUpTo: Int(option("--lifetimes-up-to") ?? "100000")!, sizes: (option("--sizes") ?? "100000,1000000").split(separator: ",").map { Int($0)! })
        exit(0)
    }
    if arguments.count >= 2, arguments[1] == "churn" {
        try churnBench(option("--work") ?? "var/bench", sizes: (option("--sizes") ?? "100000,1000000").split(separator: ",").map { Int($0)! })
        exit(0)
    }
    if arguments.count >= 2, arguments[1] == "budget" {
        guard let work = option("--work"), let exe = option("--baseline") else {
            say("usage: kam-bench budget --work DIR --baseline PATH   (after a `make bench` has generated DIR/5m)")
            exit(2)
        }
        try cleaningBudget(exe, work + "/5m/transactions.csv")
        exit(0)
    }
    if arguments.count >= 4, ["ingest", "ingest-sha", "clean", "clean-none"].contains(arguments[1]) {
        let threads = Int(arguments[3])!
        let cpu0 = cpuSeconds(RUSAGE_SELF)
        let r: (bytes: Int, rows: Int, seconds: Double)
        if arguments[1].hasPrefix("ingest") {
            r = try ingest(arguments[2], threads: threads, digest: arguments[1] == "ingest-sha")
        } else {
            r = try clean(arguments[2], threads: threads, dedupe: arguments[1] == "clean" ? "txn_id" : "none")
        }
        // bytes, seconds, rows, peak RSS (MiB), CPU seconds of the pass (every thread)
        say(String(format: "%d %.6f %d %.1f %.4f", r.bytes, r.seconds, r.rows, peakRSSMiB(), cpuSeconds(RUSAGE_SELF) - cpu0))
        exit(0)
    }
    guard let work = option("--work"), let exe = option("--baseline") else {
        say("usage: kam-bench --work DIR --baseline PATH")
        exit(2)
    }
    let threads = benchThreads
    let dir5 = work + "/5m", dir1 = work + "/1m"
    try FileManager.default.createDirectory(atPath: dir5, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: dir1, withIntermediateDirectories: true)
    let file5 = try generate(dir5, rows: 5_000_000)
    let file1 = try generate(dir1, rows: 1_000_000)
    if arguments.contains("--generate-10m") {
        let dir10 = work + "/10m"
        try? FileManager.default.removeItem(atPath: dir10)
        _ = try generate(dir10, rows: 10_000_000)
    }
    struct Side {
        var c: Double, ours: Double, ratio: Double, rss: Double
        /// The fastest run of each side, MB/s, and their ratio: the machine's slow spells only
        /// ever slow a run down, so the fastest runs are the least disturbed.
        var bestC: Double, bestOurs: Double
        /// Medians of the CPU seconds of each side, and of ours over our wall time (cores kept busy).
        var cCPU: Double, ourCPU: Double, coresBusy: Double
    }
    /// Runs the C loop and `mode` alternately `n` times on `file`: the machine is shared and its
    /// speed drifts, so each of our runs is compared with the C run just before it, and the
    /// median of those ratios is reported with the median MB/s of each side (and the fastest
    /// run of each).
    func sideBySide(_ mode: String, _ file: String, _ n: Int) throws -> Side {
        var cRates: [Double] = [], ourRates: [Double] = [], ratios: [Double] = []
        var cCPU: [Double] = [], ourCPU: [Double] = [], busy: [Double] = []
        var rss = 0.0
        for _ in 0..<n {
            let c = try baseline(exe, file)
            let o = try child(mode, file)
            cRates.append(mbps(c.bytes, c.seconds))
            ourRates.append(mbps(o.bytes, o.seconds))
            ratios.append(ourRates.last! / cRates.last!)
            cCPU.append(c.cpu)
            ourCPU.append(o.cpu)
            busy.append(o.cpu / o.seconds)
            rss = max(rss, o.rss)
        }
        return Side(
            c: median(cRates), ours: median(ourRates), ratio: median(ratios), rss: rss, bestC: cRates.max()!, bestOurs: ourRates.max()!,
            cCPU: median(cCPU), ourCPU: median(ourCPU), coresBusy: median(busy))
    }
    func sayBest(_ s: Side) {
        say(String(format: "  fastest run of each: C %.1f MB/s, kam %.1f MB/s, ratio %.2f×", s.bestC, s.bestOurs, s.bestOurs / s.bestC))
    }
    func sayCPU(_ s: Side) {
        say(String(format: "  CPU time: C loop %.2f s, kam %.2f s (%.2f× the C loop's), kam keeping %.2f cores busy", s.cCPU, s.ourCPU, s.ourCPU / s.cCPU, s.coresBusy))
    }
    // This shared machine's speed drifts within seconds: many short alternating pairs, medians.
    say("ingest of the 5M-row transactions file, \(threads) threads vs single-thread C libcsv (9 alternating runs, medians):")
    let ingest5 = try sideBySide("ingest", file5, 9)
    let ingest1 = try child("ingest", file1)
    say(String(format: "  C libcsv, empty callbacks, 1 thread: %8.1f MB/s", ingest5.c))
    say(String(format: "  kam ingest → field-mapped records:   %8.1f MB/s   ratio %.2f×", ingest5.ours, ingest5.ratio))
    sayBest(ingest5)
    sayCPU(ingest5)
    say(String(format: "  peak memory: %.1f MiB at 1M rows, %.1f MiB at 5M rows", ingest1.rss, ingest5.rss))
    for (mode, label) in [("clean", "txn_id dedupe"), ("clean-none", "no dedupe")] {
        say("ingest + clean into typed records and per-account accumulators (\(label); 7 alternating runs, medians):")
        let cleaned = try sideBySide(mode, file5, 7)
        let clean1 = try child(mode, file1)
        say(String(format: "  C libcsv, empty callbacks, 1 thread: %8.1f MB/s", cleaned.c))
        say(String(format: "  kam ingest+clean:                    %8.1f MB/s   ratio %.2f×", cleaned.ours, cleaned.ratio))
        sayBest(cleaned)
        sayCPU(cleaned)
        say(String(format: "  peak memory: %.1f MiB at 1M rows, %.1f MiB at 5M rows (100k accounts both)", clean1.rss, cleaned.rss))
    }
    try cleaningBudget(exe, file5)
    modelBench(work, lifetimesUpTo: Int(option("--lifetimes-up-to") ?? "100000")!, sizes: (option("--sizes") ?? "100000,1000000").split(separator: ",").map { Int($0)! })
    try churnBench(work, sizes: [100_000, 1_000_000])
} catch {
    say("kam-bench: \(error)")
    exit(1)
}
