import CLibcsv
import Foundation
import Testing

@testable import CSVIO

/// kam's zero-copy field sink against libcsv's own copying callbacks: on random well-formed
/// CSV (quoted fields with delimiters, doubled quotes, line feeds and CRs inside, spaces libcsv
/// trims, multi-byte text, CRLF and LF line ends), every record kam places must hold exactly
/// the fields libcsv itself hands to a plain callback that copies them.
@Suite struct LibcsvReferenceTests {
    /// The rows libcsv gives its callbacks, fields copied as they come.
    final class Collector {
        var rows: [[String]] = []
        var row: [String] = []
    }

    static func libcsvRows(_ bytes: [UInt8]) -> [[String]] {
        var parser = csv_parser()
        #expect(csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI)) == 0)
        defer { csv_free(&parser) }
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { data, length, context in
            let c = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
            let field = data.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
            c.row.append(field)
        }
        let onRow: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
            let c = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
            c.rows.append(c.row)
            c.row = []
        }
        let consumed = bytes.withUnsafeBytes { csv_parse(&parser, $0.baseAddress, $0.count, onField, onRow, context) }
        #expect(consumed == bytes.count)
        #expect(csv_fini(&parser, onField, onRow, context) == 0)
        return collector.rows
    }

    /// A random field: plain, or quoted with what only quotes allow.
    static func field(_ next: () -> UInt64) -> String {
        let plain = ["a", "B", "7", "1234.50", "é", "客户", " x ", "", "-3", "x y"]
        let quoted = ["1,234.50", "a,b", "say \"\"hi\"\"", "two\nlines", "cr\r\nlf", " padded ", "", "\"\"", "客,户", "x\ry"]
        if next() % 3 == 0 { return "\"" + quoted[Int(next() % UInt64(quoted.count))] + "\"" }
        return plain[Int(next() % UInt64(plain.count))]
    }

    @Test func kamsFieldsAreLibcsvsFields() {
        var random = ParallelReadTests.XorShift(state: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { random.next() }
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<(1 + Int(next() % 40)) {
                text += (0..<3).map { _ in Self.field(next) }.joined(separator: ",") + (next() % 4 == 0 ? "\r\n" : "\n")
            }
            let bytes = Array(text.utf8)
            let reference = Self.libcsvRows(bytes)
            let ours = ParallelReadTests.chunkRows(bytes).dropLast()  // the last is the chunk's outcome
            #expect(ours.allSatisfy { $0.problem == nil }, "\(text.debugDescription)")
            #expect(ours.map(\.fields) == reference, "\(text.debugDescription)")
        }
    }
}
