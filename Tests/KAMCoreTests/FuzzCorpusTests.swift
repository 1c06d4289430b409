import Foundation
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
        var rows = 0
        for name in names {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            rows += data.withUnsafeBytes { FuzzHarness.run($0) }
        }
        #expect(rows > 0)
    }

    /// The three inputs that trapped before amounts were bounded (issue 18): read, not trapped.
    @Test func theInputsThatOnceCrashedAreRead() throws {
        for name in ["crash-amount-past-int64", "crash-two-large-amounts", "crash-large-usd-amount"] {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            #expect(data.withUnsafeBytes { FuzzHarness.run($0) } >= 1, "\(name)")
        }
    }
}
