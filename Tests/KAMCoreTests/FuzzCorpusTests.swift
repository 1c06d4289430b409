import Dispatch
import Foundation
import Synchronization
import Testing

@testable import KAMCore

/// The fuzz target's committed corpus (Tests/fuzz-corpus: seeds, inputs `make fuzz` found new
/// paths with, and inputs that once crashed kam) replayed through the same harness: none may
/// trap, and each is really read.
@Suite struct FuzzCorpusTests {
    static let corpus = packageRoot.appendingPathComponent("Tests/fuzz-corpus")

    @Test func everyCorpusInputRunsWithoutATrap() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(names.count >= 10)
        let inputs = try names.map { try Data(contentsOf: Self.corpus.appendingPathComponent($0)) }
        // Spread over the cores (the harness keeps no state between inputs).
        let rows = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { part in
            var read = 0
            for i in stride(from: part, to: inputs.count, by: 8) { read += inputs[i].withUnsafeBytes { FuzzHarness.run($0) } }
            rows.withLock { $0 += read }
        }
        #expect(rows.withLock { $0 } > 0)
    }

    /// The three inputs that trapped before amounts were bounded (issue 18): read, not trapped.
    @Test func theInputsThatOnceCrashedAreRead() throws {
        for name in ["crash-amount-past-int64", "crash-two-large-amounts", "crash-large-usd-amount"] {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            #expect(data.withUnsafeBytes { FuzzHarness.run($0) } >= 1, "\(name)")
        }
    }
}
