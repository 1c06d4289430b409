import Dispatch
import Foundation
import Synchronization
import Testing

@testable import KAMCore

/// A stage made of a closure, for testing the graph.
struct TestStage: Stage {
    let name: String
    let needs: [AnySlot]
    let produces: [AnySlot]
    let body: @Sendable (StageValues) throws -> Int

    init(_ name: String, needs: [Slot<Int>] = [], produces: [Slot<Int>] = [], body: @escaping @Sendable (StageValues) throws -> Int) {
        self.name = name
        self.needs = needs.map(\.erased)
        self.produces = produces.map(\.erased)
        self.body = body
    }

    func run(_ values: StageValues) throws -> Int { try body(values) }
}

@Suite struct StageGraphTests {
    static let a = Slot<Int>("a"), b = Slot<Int>("b"), c = Slot<Int>("c"), d = Slot<Int>("d")
    struct Boom: Error {}

    @Test func runsStagesInTheOrderTheirNeedsGiveAndReportsTimingsInTheGivenOrder() throws {
        let order = Mutex<[String]>([])
        func stage(_ name: String, needs: [Slot<Int>], produces: Slot<Int>, _ f: @escaping @Sendable (StageValues) throws -> Int)
            -> TestStage
        {
            TestStage(name, needs: needs, produces: [produces]) { values in
                let v = try f(values)
                order.withLock { $0.append(name) }
                values.set(produces, v)
                return v
            }
        }
        // Registered last-first: the graph must still run a before b before c.
        let graph = try StageGraph([
            stage("c", needs: [Self.b], produces: Self.c) { try $0.get(Self.b) * 10 },
            stage("b", needs: [Self.a], produces: Self.b) { try $0.get(Self.a) + 1 },
            stage("a", needs: [], produces: Self.a) { _ in 1 },
        ])
        let values = StageValues()
        let timings = try graph.run(values, progress: Progress(quiet: true))
        #expect(order.withLock { $0 } == ["a", "b", "c"])
        #expect(try values.get(Self.c) == 20)
        #expect(timings.map(\.name) == ["c", "b", "a"] && timings.map(\.rows) == [20, 2, 1])
        #expect(timings.allSatisfy { $0.seconds >= 0 })
    }

    /// Two stages that need only `a` run at the same time: each waits (with a time limit) until
    /// the other has started (each stage has a thread of its own, so this holds however busy
    /// Dispatch's pool is with other suites).
    @Test func runsIndependentStagesConcurrently() throws {
        let started = DispatchSemaphore(value: 0), other = DispatchSemaphore(value: 0)
        let overlapped = Mutex(0)
        func waiter(_ name: String, produces: Slot<Int>, signal: DispatchSemaphore, wait: DispatchSemaphore) -> TestStage {
            TestStage(name, needs: [Self.a], produces: [produces]) { values in
                signal.signal()
                if wait.wait(timeout: .now() + 10) == .success { overlapped.withLock { $0 += 1 } }
                values.set(produces, 1)
                return 1
            }
        }
        let graph = try StageGraph([
            TestStage("a", produces: [Self.a]) {
                $0.set(Self.a, 1); return 1
            },
            waiter("b", produces: Self.b, signal: started, wait: other),
            waiter("c", produces: Self.c, signal: other, wait: started),
        ])
        _ = try graph.run(StageValues(), progress: Progress(quiet: true))
        #expect(overlapped.withLock { $0 } == 2)
    }

    @Test func aFailingStageStopsItsDependentsAndNamesThem() throws {
        let ran = Mutex<[String]>([])
        let graph = try StageGraph([
            TestStage("a", produces: [Self.a]) { _ in throw Boom() },
            TestStage("b", needs: [Self.a], produces: [Self.b]) { _ in
                ran.withLock { $0.append("b") }; return 0
            },
            TestStage("c", needs: [Self.b], produces: [Self.c]) { _ in
                ran.withLock { $0.append("c") }; return 0
            },
            TestStage("d", produces: [Self.d]) { v in
                v.set(Self.d, 4); ran.withLock { $0.append("d") }; return 0
            },
        ])
        #expect {
            _ = try graph.run(StageValues(), progress: Progress(quiet: true))
        } throws: { e in
            guard let failure = e as? StageFailure else { return false }
            return failure.stage == "a" && failure.skipped == ["b", "c"] && failure.underlying is Boom
        }
        // The independent stage may have run or not (it started beside a); dependents never.
        #expect(!ran.withLock { $0 }.contains("b") && !ran.withLock { $0 }.contains("c"))
    }

    @Test func wiringErrorsAreFoundBeforeAnythingRuns() {
        let noop: @Sendable (StageValues) throws -> Int = { _ in 0 }
        #expect(throws: StageGraphError.self) {
            try StageGraph([TestStage("x", produces: [Self.a], body: noop), TestStage("y", produces: [Self.a], body: noop)])
        }
        #expect(throws: StageGraphError.self) { try StageGraph([TestStage("x", needs: [Self.b], produces: [Self.a], body: noop)]) }
        #expect(throws: StageGraphError.self) {
            try StageGraph([
                TestStage("x", needs: [Self.b], produces: [Self.a], body: noop),
                TestStage("y", needs: [Self.a], produces: [Self.b], body: noop),
            ])
        }
    }
}
