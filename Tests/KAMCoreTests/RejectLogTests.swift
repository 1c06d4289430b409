import Foundation
import Testing

@testable import KAMCore

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct RejectLogTests {
    static func reject(_ source: InputKind, _ line: Int, _ reason: RejectReason, raw: String = "") -> Reject {
        Reject(source: source, line: line, field: "amount", reason: reason, message: "line \(line)", raw: raw)
    }

    /// Rows written to disk in several flushes come back exactly, text included (quotes, line
    /// breaks, Chinese, a raw text longer than a read chunk).
    @Test func rowsComeBackExactly() {
        let log = RejectLog()
        var expected: [Reject] = []
        for i in 0..<30_000 {
            let raw =
                i == 7 ? String(repeating: "长", count: 400_000) : "C\(i),\"note with \"\"quotes\"\"\nand a line break\",金额\(i)"
            let r = Self.reject(.transactions, i + 2, i % 3 == 0 ? .badAmount : .badDate, raw: raw)
            expected.append(r)
            log.append(r)
        }
        #expect(log.count == expected.count && log.inOrder)
        let ledger = RejectLedger([.transactions: [log]])
        #expect(ledger.all == expected)
        // A second read gives the same rows.
        #expect(ledger.all == expected)
    }

    /// A write that fails (a full disk) moves every row to memory, the rows already written
    /// read back first: nothing is lost and the order stays. The log's file is made read-only
    /// under it after its first write.
    @Test func aFailedWriteMovesEveryRowToMemory() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kam-rejects-test-\(getpid())").path
        let writable = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600), readOnly = open(path, O_RDONLY)
        unlink(path)
        try #require(writable >= 0 && readOnly >= 0)
        let log = RejectLog(descriptor: writable)
        var expected: [Reject] = []
        func add(_ n: Int) {
            for _ in 0..<n {
                let r = Self.reject(.transactions, expected.count + 2, .badDate, raw: "C\(expected.count),\"长 note\",\(expected.count)")
                expected.append(r)
                log.append(r)
            }
        }
        // More than the 1 MiB that is kept before a write.
        add(30_000)
        #expect(!log.keptInMemory)
        // The same descriptor number now names the file opened read-only: the next write fails.
        #expect(dup2(readOnly, writable) == writable)
        close(readOnly)
        add(30_000)
        #expect(log.keptInMemory)
        add(10)
        #expect(log.count == expected.count)
        #expect(RejectLedger([.transactions: [log]]).all == expected)
    }

    /// Sources come in code order, and within one the streams are merged by line, then
    /// reason; a stream written out of order is sorted.
    @Test func ledgerMergesByLineAndSortsStreamsWrittenOutOfOrder() {
        let main = RejectLog(), late = RejectLog(), accounts = RejectLog()
        for line in [3, 8, 9, 20] { main.append(Self.reject(.transactions, line, .badDate)) }
        for line in [5, 9, 30] { late.append(Self.reject(.transactions, line, .duplicateConflict)) }
        for line in [7, 2, 4] { accounts.append(Self.reject(.accounts, line, .duplicateAccountConflict)) }
        #expect(main.inOrder && late.inOrder && !accounts.inOrder)
        let ledger = RejectLedger([.transactions: [main, late], .accounts: [accounts]])
        #expect(ledger.count == 10)
        #expect(ledger.map(\.source) == [.accounts, .accounts, .accounts] + Array(repeating: .transactions, count: 7))
        #expect(ledger.map(\.line) == [2, 4, 7, 3, 5, 8, 9, 9, 20, 30])
        #expect(ledger.filter { $0.line == 9 }.map(\.reason) == [.badDate, .duplicateConflict])
    }
}
