import Foundation
import Testing

@testable import CSVIO

@Suite struct ParallelReadTests {
    /// A file whose multi-line quoted notes fall on every possible chunk and window edge.
    static func trickyFile(records: Int) -> String {
        var s = "id,account,note,amount\r\n"
        for i in 0..<records {
            switch i % 7 {
            case 0: s += "\(i),A\(i),\"line one\nline two, with comma\nline three\",\(i).5\r\n"
            case 1: s += "\(i),B\(i),\"said \"\"hi\"\"\n\",\(i)\r\n"
            case 2: s += "\(i),C\(i),plain,\(i)\n"
            case 3: s += "\(i),D\(i),\"\n\n\n\",1\r\n"
            case 4: s += "\(i),E\(i),\"多行\n备注\",2\n"
            case 5: s += "\(i),F\(i),short\n"  // too few fields: flagged, not lost
            default: s += "\(i),G\(i),\"x\",3\n\n"
            }
        }
        return s
    }

    @Test(arguments: [1, 2, 3, 4])
    func parallelEqualsSequentialAcrossChunkEdges(threads: Int) throws {
        let path = temporaryFile(Self.trickyFile(records: 3_000))
        let sequential = try rows(path, threads: 1, window: 1 << 22)
        // Small windows and a zero parallel threshold put chunk edges inside quoted fields.
        for window in [4096, 5000, 7919, 65536] {
            let parallel = try rows(path, threads: threads, window: window, parallelFrom: 0)
            #expect(parallel.rows == sequential.rows, "window \(window)")
        }
        #expect(sequential.rows.count == 3_000)
        #expect(sequential.rows.filter { $0.problem != nil }.count == 3_000 / 7 + (3_000 % 7 > 5 ? 1 : 0))
    }

    @Test func everyChunkEdgePositionGivesTheSameRecords() throws {
        let text = Self.trickyFile(records: 40)
        let path = temporaryFile(text)
        let sequential = try rows(path)
        // Try every window size around the file's length so each byte becomes an edge once.
        for window in stride(from: 4096, to: 4096 + 64, by: 1) {
            let parallel = try rows(path, threads: 2, window: window, parallelFrom: 0)
            #expect(parallel.rows == sequential.rows)
        }
        for chunkEdge in 30..<min(text.utf8.count, 400) {
            // Forcing the second chunk's nominal start to every byte via a 2× window share.
            let parallel = try rows(path, threads: 2, window: max(4096, chunkEdge * 2), parallelFrom: 0)
            #expect(parallel.rows == sequential.rows)
        }
    }
}
