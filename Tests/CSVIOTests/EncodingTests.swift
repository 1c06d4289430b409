import Foundation
import Testing

@testable import CSVIO

/// UTF-8 text as GB18030 bytes.
func gb18030(_ text: String) -> [UInt8] { GB18030Encoder.encode(text)! }

@Suite struct EncodingTests {
    static let text = "客户编号,交易日期,金额（元）,备注\nC001,2024-03-05,\"1,200.00\",\"华东区\n重点客户\"\nC002,2024年3月6日,88,无\n"

    @Test func gb18030ReadsLikeItsUTF8Original() throws {
        let utf8 = try rows(temporaryFile(Self.text))
        let gb = try rows(temporaryFile(gb18030(Self.text)), CSVDialect(encoding: .gb18030))
        #expect(gb.header == ["客户编号", "交易日期", "金额（元）", "备注"])
        #expect(gb.header == utf8.header)
        #expect(gb.rows.map(\.fields) == utf8.rows.map(\.fields))
        #expect(gb.rows.map(\.line) == [2, 4])
        #expect(gb.rows.map(\.raw) == utf8.rows.map(\.raw))
    }

    @Test func gb18030DecodingSpansReadBlocks() throws {
        var text = "名称,值\n"
        for i in 0..<70_000 { text += "客户\(i),\(i)\n" }
        let utf8 = try rows(temporaryFile(text))
        let gb = try rows(temporaryFile(gb18030(text)), CSVDialect(encoding: .gb18030), threads: 2, window: 1 << 16)
        // Offsets are positions in the decoded text, so they equal the UTF-8 original's.
        #expect(gb.rows.count == utf8.rows.count)
        let firstDifference = zip(gb.rows, utf8.rows).first { $0 != $1 }
        #expect(firstDifference == nil)
    }

    @Test func aBadGB18030ByteIsAnErrorNamingItsOffset() throws {
        let good = gb18030("名称,值\n客户,1\n")
        let bytes = good + [0x81, 0x20] + Array(",2\n".utf8)  // 0x81 0x20 is no GB18030 sequence
        let path = temporaryFile(bytes)
        #expect(throws: CSVError.invalidEncoding(file: path, byteOffset: good.count, encoding: "GB18030")) {
            _ = try rows(path, CSVDialect(encoding: .gb18030))
        }
    }

    @Test func aTruncatedGB18030SequenceAtTheEndIsAnError() throws {
        let good = gb18030("名称,值\n客户,1\n")
        let path = temporaryFile(good + [0xB0])
        #expect(throws: CSVError.invalidEncoding(file: path, byteOffset: good.count, encoding: "GB18030")) {
            _ = try rows(path, CSVDialect(encoding: .gb18030))
        }
    }

    @Test func utf8DeclaredButGBKGivenFlagsRecordsNotText() throws {
        let (_, r) = try rows(temporaryFile(Array("id,name\n".utf8) + gb18030("1,客户\n")))
        #expect(r.map(\.problem) == [.notText])
    }

    @Test func encodingLabels() {
        #expect(TextEncoding(label: "GBK") == .gb18030)
        #expect(TextEncoding(label: "UTF8") == .utf8)
        #expect(TextEncoding(label: "latin1") == nil)
    }
}
