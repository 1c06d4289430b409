import Foundation
import Testing

@testable import CSVIO

@Suite struct ParallelReadTests {
    /// A file whose multi-line quoted notes fall on every possible block edge.
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
        // Small blocks put block edges inside quoted fields, many times over.
        for window in [64, 100, 333, 4096, 7919, 65536] {
            let parallel = try rows(path, threads: threads, window: window)
            #expect(parallel.rows == sequential.rows, "window \(window)")
        }
        #expect(sequential.rows.count == 3_000)
        #expect(sequential.rows.filter { $0.problem != nil }.count == 3_000 / 7 + (3_000 % 7 > 5 ? 1 : 0))
    }

    @Test func everyChunkEdgePositionGivesTheSameRecords() throws {
        let text = Self.trickyFile(records: 40)
        let path = temporaryFile(text)
        let sequential = try rows(path)
        // Every block size from 64 bytes to beyond the longest record: block edges fall on
        // every kind of byte (inside quotes, between CR and LF, on blank lines).
        for window in 64..<min(text.utf8.count, 600) {
            let parallel = try rows(path, threads: 2, window: window)
            #expect(parallel.rows == sequential.rows, "block \(window)")
        }
    }

    struct Stop: Error {}

    @Test(arguments: [1, 2, 4])
    func aConsumerErrorStopsTheReaderAndComesBack(threads: Int) throws {
        // Many small blocks in flight; the consumer gives up on the third batch. The error must
        // come back, and the worker and producer threads must be let go (no hang).
        let path = temporaryFile(Self.trickyFile(records: 3_000))
        let reader = try CSVReader(path: path, dialect: CSVDialect(), windowBytes: 256)
        var seen = 0
        #expect(throws: Stop.self) {
            try reader.forEachBatch(threads: threads, transform: { $0.count }, consume: { _ in
                seen += 1
                if seen == 3 { throw Stop() }
            })
        }
        #expect(seen == 3)
        // The reader's file handle is still usable for a fresh reader of the same file.
        #expect(try rows(path, threads: threads, window: 256).rows.count == 3_000)
    }

    /// xorshift64: the same pseudo-random bytes in every run.
    struct XorShift {
        var state: UInt64

        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    /// CSV-ish noise: quotes, delimiters, CR, LF, spaces, NUL, and multi-byte and broken UTF-8.
    static let noise: [[UInt8]] = [
        Array("a".utf8), Array("b".utf8), Array(",".utf8), Array(",".utf8), Array("\"".utf8), Array("\n".utf8),
        Array("\r\n".utf8), Array("\r".utf8), Array(" ".utf8), [0], Array("é".utf8), [0xE4, 0xB8], Array("1".utf8),
    ]

    /// The records of `bytes` (after a 3-field header line) as one chunk parse finds them.
    static func chunkRows(_ bytes: [UInt8], endOfFile: Bool = true, dialect: CSVDialect = CSVDialect()) -> [Row] {
        let text = TextBuffer(textCapacity: bytes.count)
        bytes.withUnsafeBytes { text.base.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        text.count = bytes.count
        let result = ChunkParser.parse(
            buffer: text.base, start: 0, end: bytes.count, sideStart: bytes.count, isEndOfFile: endOfFile, dialect: dialect,
            expectedFields: 3)
        let batch = RecordBatch(buffer: text, parts: result.parts, firstLine: 1, bufferOffset: 0)
        // The chunk's own outcome, as a last pseudo-row: where it stopped and whether a record ran on.
        let end = Row(line: result.linesConsumed, offset: result.endPosition, fields: [], raw: result.incomplete ? "incomplete" : "", problem: nil)
        return (0..<batch.count).map { i in
            let r = batch[i]
            return Row(line: r.line, offset: r.byteOffset, fields: r.problem == nil ? r.fields : [], raw: r.raw, problem: r.problem)
        } + [end]
    }

    @Test func randomBytesReadTheSameInAnyBlockSizeAndNeverCrash() throws {
        // CSV-ish noise: quotes, delimiters, CR, LF, spaces, NUL and multi-byte and broken UTF-8,
        // so block edges fall inside quotes, between CR and LF and inside characters. Whatever
        // the bytes, small blocks on several threads must give what one big block gives.
        var random = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { random.next() }
        let alphabet = Self.noise
        for round in 0..<30 {
            var bytes = Array("x,y,z\n".utf8)
            for _ in 0..<(500 + Int(next() % 2000)) { bytes += alphabet[Int(next() % UInt64(alphabet.count))] }
            let path = temporaryFile(bytes)
            let whole = try rows(path, threads: 1, window: 1 << 20)
            for window in [64, 97, 256] {
                let parts = try rows(path, threads: 3, window: window)
                #expect(parts.rows == whole.rows, "round \(round), block \(window)")
            }
        }
    }
}
