import CFileSystem
import Dispatch
import Foundation
import Synchronization

/// A named value that one stage produces and others need. Declared once, as a static constant
/// (``Slots``), so that a stage's needs and products are checked by type.
public struct Slot<Value: Sendable>: Sendable {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var erased: AnySlot { AnySlot(name: name) }
}

/// A ``Slot`` without its type, for declaring what a stage needs and produces.
public struct AnySlot: Sendable, Hashable {
    public let name: String
}

/// The values a graph run has produced so far. Stages read what they declared they need and
/// write what they declared they produce; reading a slot not yet produced is a programming
/// error the graph reports as ``StageGraphError/missingValue``.
public final class StageValues: Sendable {
    private let lock = Mutex<[String: any Sendable]>([:])

    public init() {}

    public func set<V>(_ slot: Slot<V>, _ value: V) { lock.withLock { $0[slot.name] = value } }

    public func get<V>(_ slot: Slot<V>) throws -> V {
        guard let value = lock.withLock({ $0[slot.name] }) as? V else { throw StageGraphError.missingValue(slot.name) }
        return value
    }

    func has(_ slot: AnySlot) -> Bool { lock.withLock { $0[slot.name] != nil } }
}

/// One step of a pipeline: what it needs, what it produces, and the work. Stages are plain
/// values; a ``StageGraph`` orders them by their needs and runs independent ones concurrently.
public protocol Stage: Sendable {
    var name: String { get }
    var needs: [AnySlot] { get }
    var produces: [AnySlot] { get }
    /// Reads `needs` from `values`, writes `produces`; returns the rows it handled (for the
    /// manifest's stage timings and the progress line).
    func run(_ values: StageValues) throws -> Int
    /// A stage with time to spare beside a longer one it runs with (the CSV files, the review
    /// pack, the manifest and the history record beside the workbook): its thread yields the
    /// cores to the others.
    var yields: Bool { get }
}

extension Stage {
    public var yields: Bool { false }
}

/// Why a graph could not run or stopped.
public enum StageGraphError: Error, Sendable, CustomStringConvertible {
    /// Two stages produce the same value, a stage needs a value nothing produces, or the
    /// needs form a cycle: a wiring error in kam itself.
    case badWiring(String)
    /// A stage read a value it had not declared (a wiring error in kam itself).
    case missingValue(String)

    public var description: String {
        switch self {
        case .badWiring(let what): return "internal error: stage graph: \(what)"
        case .missingValue(let slot): return "internal error: a stage read '\(slot)' before any stage produced it"
        }
    }
}

/// A stage failed; the stages that needed what it would have produced were not run.
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var skipped: [String]
    public var underlying: any Error

    public var description: String { "\(underlying)" }
}

/// Orders stages by what they need, runs each as soon as its needs are met (independent stages
/// concurrently, each on a thread of its own; the loops inside a stage use Dispatch), and times
/// every stage the same way. A stage that
/// fails stops its dependents; the first failure is thrown once the running stages end (its
/// own error when it is one kam reports, such as a quality gate, so exit codes are kept).
public struct StageGraph: Sendable {
    public struct Timing: Sendable, Equatable {
        public var name: String
        public var seconds: Double
        public var rows: Int
    }

    public let stages: [any Stage]

    /// - Parameter initial: the slots the caller fills before ``run(_:progress:)``.
    public init(_ stages: [any Stage], initial: [AnySlot] = []) throws {
        var producer: [AnySlot: String] = [:]
        for slot in initial { producer[slot] = "(input)" }
        for stage in stages {
            for slot in stage.produces {
                if let other = producer[slot] {
                    throw StageGraphError.badWiring("'\(slot.name)' is produced by \(other) and \(stage.name)")
                }
                producer[slot] = stage.name
            }
        }
        for stage in stages {
            for slot in stage.needs where producer[slot] == nil {
                throw StageGraphError.badWiring("\(stage.name) needs '\(slot.name)', which no stage produces")
            }
        }
        // A cycle shows as stages that never become ready when the others are all done.
        var available = Set(initial), left = stages
        while !left.isEmpty {
            let ready = left.filter { $0.needs.allSatisfy(available.contains) }
            guard !ready.isEmpty else { throw StageGraphError.badWiring("a cycle among \(left.map(\.name).joined(separator: ", "))") }
            for stage in ready { available.formUnion(stage.produces) }
            left.removeAll { s in ready.contains { $0.name == s.name } }
        }
        self.stages = stages
    }

    /// Runs every stage; returns their timings in the order the stages were given.
    public func run(_ values: StageValues, progress: Progress) throws -> [Timing] {
        let events = Mutex<[(index: Int, result: Result<(rows: Int, seconds: Double), any Error>)]>([])
        let finished = DispatchSemaphore(value: 0)
        var started = Set<Int>(), running = 0
        var timings: [Int: Timing] = [:]
        var failure: StageFailure?
        while true {
            if failure == nil {
                for (i, stage) in stages.enumerated() where !started.contains(i) && stage.needs.allSatisfy(values.has) {
                    started.insert(i)
                    running += 1
                    // A thread of its own per stage (a handful per run): Dispatch's pool may hold
                    // a ready stage back while the data-parallel loops of others (Dispatch's
                    // concurrentPerform) keep its threads busy, so stages that could overlap
                    // would not.
                    let thread = Thread {
                        if stage.yields { Self.yieldCores() }
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let result = Result { try stage.run(values) }
                            .map { (rows: $0, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
                        events.withLock { $0.append((i, result)) }
                        finished.signal()
                    }
                    thread.stackSize = 8 << 20
                    thread.start()
                }
            }
            if running == 0 { break }
            finished.wait()
            for event in events.withLock({ e in
                defer { e.removeAll() }; return e
            }) {
                running -= 1
                let stage = stages[event.index]
                switch event.result {
                case .success(let done):
                    timings[event.index] = Timing(name: stage.name, seconds: done.seconds, rows: done.rows)
                    progress.stage(stage.name, rows: done.rows, seconds: done.seconds)
                case .failure(let error):
                    if failure == nil { failure = StageFailure(stage: stage.name, skipped: [], underlying: error) }
                }
            }
        }
        if var failure {
            failure.skipped = stages.indices.filter { !started.contains($0) }.map { stages[$0].name }
            throw failure
        }
        return stages.indices.compactMap { timings[$0] }
    }

    /// Lowers the calling thread's priority (its nice value + 10). The stage's thread ends with
    /// the stage, so nothing else inherits it; a failure only leaves the priority as it was.
    static func yieldCores() {
        _ = kam_lower_thread_priority(10)
    }
}
