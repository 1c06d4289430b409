import Foundation
import Testing

@testable import CSVIO

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhatRFC4180Requires() {
        var w = CSVWriter(columns: ["a", "b"])
        w.append(["plain", "with, comma"])
        w.append(["say \"hi\"", "two\nlines"])
        #expect(String(decoding: w.bytes, as: UTF8.self) == "a,b\nplain,\"with, comma\"\n\"say \"\"hi\"\"\",\"two\nlines\"\n")
    }

    @Test func guardsTextCellsAgainstFormulasButNotNumbers() {
        var w = CSVWriter(columns: ["name", "amount"], kinds: [.text, .number])
        w.append(["=HYPERLINK(\"x\")", "-12.50"])
        w.append(["+1", "3"])
        w.append(["-cmd", "-0.01"])
        w.append(["@SUM(A1)", "0"])
        w.append(["\tTab", "1"])
        w.append(["\rCR", "1"])
        w.append(["safe", "1"])
        let lines = String(decoding: w.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "\"'=HYPERLINK(\"\"x\"\")\",-12.50")
        #expect(lines[2] == "'+1,3")
        #expect(lines[3] == "'-cmd,-0.01")
        #expect(lines[4] == "'@SUM(A1),0")
        #expect(lines[5] == "'\tTab,1")
        #expect(lines[6] == "\"'\rCR\",1")
        #expect(lines[7] == "safe,1")
    }

    @Test func writesAByteOrderMarkWhenAsked() {
        let w = CSVWriter(columns: ["x"], byteOrderMark: true)
        #expect(Array(w.bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(CSVWriter(columns: ["x"]).bytes.first == UInt8(ascii: "x"))
    }

    @Test func roundTripsThroughTheReader() throws {
        var w = CSVWriter(columns: ["id", "note"])
        let notes = ["a,b", "q\"uote", "multi\nline", "  spaced  ", "客户"]
        for (i, n) in notes.enumerated() { w.append(["\(i)", n]) }
        let path = temporaryFile(w.bytes)
        let (header, r) = try rows(path)
        #expect(header == ["id", "note"])
        // libcsv trims unquoted surrounding spaces; quoted ones keep them.
        #expect(r.map { $0.fields[1] } == ["a,b", "q\"uote", "multi\nline", "spaced", "客户"])
    }
}
